"""Scores, decisions and rejection reasons from plain checks."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openkyc.analysis import (
    DEFAULT_ADDRESS_SETTINGS,
    DEFAULT_IDENTITY_SETTINGS,
    Check,
    IdentityAnalysis,
    IdentitySettings,
    Thresholds,
    rejection_for,
    score_document,
    with_duplicate,
)
from openkyc.analysis.scoring import weigh

WEIGHTS = DEFAULT_IDENTITY_SETTINGS.weights
THRESHOLDS = DEFAULT_IDENTITY_SETTINGS.thresholds


def failed(name: str, reason: str = "mismatch", *, conclusive: bool = True) -> Check:
    return weigh(name, True, WEIGHTS, reason, conclusive=conclusive)


def test_score_is_100_minus_failed_weights_floored_at_zero() -> None:
    checks = [Check("firstName", True), Check("lastName", False), Check("isTampered", True)]
    assert score_document(checks, {"firstName": 5, "isTampered": 20}, Thresholds()).score == 75
    assert score_document(checks, {"firstName": 90, "isTampered": 90}, Thresholds()).score == 0


@pytest.mark.parametrize(
    ("score", "decision"),
    [
        (100, "accepted"),
        (90, "accepted"),
        (89, "pending"),
        (50, "pending"),
        (49, "rejected"),
        (0, "rejected"),
    ],
)
def test_thresholds_decide(score: int, decision: str) -> None:
    checks = [Check("x", True)]
    result = score_document(checks, {"x": 100 - score}, Thresholds(50, 90))
    assert (result.score, result.decision) == (score, decision)


def test_what_could_not_be_read_sends_to_pending_not_rejected() -> None:
    checks = [
        failed("dateOfBirth", "not-found", conclusive=False),
        failed("expirationDate", "not-found", conclusive=False),
    ]
    result = score_document(checks, WEIGHTS, THRESHOLDS)
    assert result.score == 0
    assert result.decision == "pending"


def test_seen_failures_reject_even_beside_unread_ones() -> None:
    checks = [failed("dateOfBirth"), failed("nationality", "not-found", conclusive=False)]
    assert score_document(checks, WEIGHTS, THRESHOLDS).decision == "rejected"


CRITICAL = [
    ("firstName", "mismatch"),
    ("lastName", "mismatch"),
    ("dateOfBirth", "mismatch"),
    ("hasMatchingFaceProof", "face-mismatch"),
    ("expirationDate", "expired"),
    ("hasMinimalAge", "under-18"),
    ("isTampered", "edited-with:photoshop"),
    ("isPublishedOnline", "specimen-marking"),
    ("mrzChecksum", "check-digit:birth_date"),
    ("isPhotocopy", "no-colour"),
    ("containsImage", "no-face-found"),
]


@given(st.sampled_from(CRITICAL), st.sets(st.sampled_from(sorted(WEIGHTS))))
def test_default_settings_never_accept_a_critical_failure(
    critical: tuple[str, str], others: set[str]
) -> None:
    checks = [failed(*critical)] + [failed(name) for name in others]
    assert score_document(checks, WEIGHTS, THRESHOLDS).decision != "accepted"


@pytest.mark.parametrize(
    "critical",
    [
        "dateOfBirth",
        "hasMatchingFaceProof",
        "expirationDate",
        "hasMinimalAge",
        "isTampered",
        "isPublishedOnline",
    ],
)
def test_default_settings_reject_each_proof_of_fraud_on_its_own(critical: str) -> None:
    assert score_document([failed(critical)], WEIGHTS, THRESHOLDS).decision == "rejected"


def test_default_settings_reject_a_document_in_someone_elses_name() -> None:
    checks = [failed("firstName"), failed("lastName")]
    assert score_document(checks, WEIGHTS, THRESHOLDS).decision == "rejected"
    address = DEFAULT_ADDRESS_SETTINGS
    checks = [
        weigh("firstName", True, address.weights, "mismatch"),
        weigh("lastName", True, address.weights, "mismatch"),
    ]
    assert score_document(checks, address.weights, address.thresholds).decision == "rejected"


def test_minor_unread_fields_alone_do_not_block_acceptance() -> None:
    checks = [
        failed("issueDate", "not-found", conclusive=False),
        failed("nationality", "not-found", conclusive=False),
    ]
    assert score_document(checks, WEIGHTS, THRESHOLDS).decision == "accepted"


@pytest.mark.parametrize(
    ("checks", "kind"),
    [
        ([("firstName", "mismatch"), ("dateOfBirth", "mismatch")], "name-and-dob-mismatch"),
        ([("lastName", "mismatch")], "name-mismatch"),
        ([("dateOfBirth", "mismatch")], "dob-mismatch"),
        ([("expirationDate", "expired"), ("firstName", "mismatch")], "name-mismatch"),
        ([("expirationDate", "expired")], "document-expired"),
        ([("hasMinimalAge", "under-21")], "underage-person"),
        (
            [("hasMatchingFaceProof", "face-mismatch"), ("lastName", "mismatch")],
            "third-party-or-mismatch",
        ),
        (
            [("isTampered", "edited-with:photoshop"), ("hasMinimalAge", "under-18")],
            "tampered-document",
        ),
        ([("isPublishedOnline", "specimen-marking")], "document-invalid"),
        ([("isPublishedOnline", "duplicate-document")], "document-duplicate"),
        ([("date", "too-old")], "document-expired"),
        ([("line1", "mismatch")], "document-not-matching"),
    ],
)
def test_rejection_names_the_most_telling_failure(checks: list[tuple[str, str]], kind: str) -> None:
    assert rejection_for([failed(*check) for check in checks]).type == kind


def test_unread_fields_never_name_the_rejection() -> None:
    checks = [failed("dateOfBirth", "not-found", conclusive=False), failed("isTampered")]
    assert rejection_for(checks).type == "tampered-document"


def _accepted() -> IdentityAnalysis:
    checks = tuple(weigh(name, False, WEIGHTS) for name in ("firstName", "isPublishedOnline"))
    return IdentityAnalysis(
        checks=checks,
        score=100,
        decision="accepted",
        rejection=None,
        hints=(),
        matches={},
        parsed_data={},
    )


def test_a_duplicate_found_by_the_service_rejects_the_document() -> None:
    result = with_duplicate(_accepted(), DEFAULT_IDENTITY_SETTINGS, reason="duplicate-document")
    assert result.decision == "rejected"
    assert result.score == 100 - WEIGHTS["isPublishedOnline"]
    assert result.rejection is not None and result.rejection.type == "document-duplicate"
    published = [c for c in result.checks if c.name == "isPublishedOnline"]
    assert published == [
        Check("isPublishedOnline", True, WEIGHTS["isPublishedOnline"], "duplicate-document")
    ]


def test_a_duplicate_reason_must_say_duplicate() -> None:
    with pytest.raises(ValueError):
        with_duplicate(_accepted(), DEFAULT_IDENTITY_SETTINGS, reason="specimen")


def test_rescoring_uses_the_weights_given() -> None:
    light = IdentitySettings(dict(WEIGHTS, isPublishedOnline=5))
    result = with_duplicate(_accepted(), light)
    assert (result.score, result.decision, result.rejection) == (95, "accepted", None)


def test_default_weights_are_in_the_contract_range() -> None:
    for settings in (DEFAULT_IDENTITY_SETTINGS, DEFAULT_ADDRESS_SETTINGS):
        assert all(0 <= weight <= 100 for weight in settings.weights.values())
        assert 0 <= settings.thresholds.reject_below <= settings.thresholds.accept_above <= 100


def test_every_pair_of_name_and_birth_failures_is_rejected() -> None:
    for pair in itertools.combinations(["firstName", "lastName", "dateOfBirth"], 2):
        checks = [failed(name) for name in pair]
        outcome = score_document(checks, WEIGHTS, THRESHOLDS)
        assert outcome.decision == "rejected", pair
        assert dataclasses.asdict(rejection_for(checks))["type"].endswith("mismatch")


def test_find_duplicate_compares_documents_then_portraits() -> None:
    from openkyc.analysis import Fingerprints, find_duplicate

    face = tuple([0.1] * 128)
    mine = Fingerprints(
        document="a" * 64, portrait_hash="ffff0000ffff0000", portrait_embedding=face
    )
    assert find_duplicate(mine, [Fingerprints(document="a" * 64)]) == "duplicate-document"
    near = tuple([0.1] * 127 + [0.3])
    assert find_duplicate(mine, [Fingerprints(portrait_embedding=near)]) == "duplicate-portrait"
    assert find_duplicate(mine, [Fingerprints(portrait_hash="ffff0000ffff0001")]) == (
        "duplicate-portrait"
    )
    far = tuple([0.2] * 128)
    other = Fingerprints(
        document="b" * 64, portrait_hash="0000ffff0000ffff", portrait_embedding=far
    )
    assert find_duplicate(mine, [other]) is None
    assert find_duplicate(Fingerprints(), [Fingerprints()]) is None


@pytest.mark.parametrize("level", [0, 4, -1])
def test_an_undefined_match_level_is_refused(level: int) -> None:
    from datetime import date

    from openkyc.analysis import InputFile, Person, UnsupportedInput, analyze_address

    with pytest.raises(UnsupportedInput):
        analyze_address(
            [InputFile(b"%PDF-")], Person("a", "b"), match_level=level, today=date(2026, 1, 1)
        )
