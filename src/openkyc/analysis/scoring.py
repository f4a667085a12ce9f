"""From checks to a decision: pure functions, plain values in and out."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from openkyc.analysis.errors import UnsupportedInput
from openkyc.analysis.models import Check, Decision, Rejection, _Analysis
from openkyc.analysis.settings import AddressSettings, IdentitySettings, Thresholds

__all__ = [
    "Score",
    "check_match_level",
    "decided",
    "rejection_for",
    "score_document",
    "subtype_check",
    "with_duplicate",
]

AnalysisT = TypeVar("AnalysisT", bound=_Analysis)


@dataclass(frozen=True)
class Score:
    """The score (100 minus the weights of the failed checks, at least 0) and its decision."""

    score: int
    decision: Decision


def weigh(
    name: str,
    failed: bool,
    weights: Mapping[str, int],
    reason: str | None = None,
    *,
    conclusive: bool = True,
) -> Check:
    """A check named like its weight, carrying the points it costs when failed."""
    return Check(
        name=name,
        failed=failed,
        score=weights.get(name, 0) if failed else 0,
        reason=reason if failed else None,
        conclusive=conclusive,
    )


def _score(checks: Iterable[Check]) -> int:
    return max(0, 100 - sum(check.score for check in checks if check.failed))


def score_document(
    checks: Iterable[Check], weights: Mapping[str, int], thresholds: Thresholds
) -> Score:
    """Score the checks against ``weights`` and decide.

    ``score >= acceptAbove`` is accepted and ``score < rejectBelow`` rejected, as the
    contract says, with one guard: a document is rejected only if the *conclusive*
    failures (what was seen to be wrong) are enough on their own. A document the
    analyser mostly failed to read is therefore ``pending`` for a person, never
    rejected or accepted by the machine.
    """
    rescored = [
        dataclasses.replace(check, score=weights.get(check.name, 0) if check.failed else 0)
        for check in checks
    ]
    score = _score(rescored)
    if score >= thresholds.accept_above:
        return Score(score, "accepted")
    seen = _score(check for check in rescored if check.conclusive)
    if score < thresholds.reject_below and seen < thresholds.reject_below:
        return Score(score, "rejected")
    return Score(score, "pending")


# Most telling first: the first conclusive failure in this order names the rejection.
_REJECTIONS: tuple[tuple[str, str | None, str, str], ...] = (
    (
        "isPublishedOnline",
        "duplicate",
        "document-duplicate",
        "This document is already used by another customer.",
    ),
    ("isTampered", None, "tampered-document", "The document shows signs of tampering."),
    (
        "isPublishedOnline",
        None,
        "document-invalid",
        "The document is a specimen or a published sample, not a real document.",
    ),
    (
        "hasMatchingFaceProof",
        None,
        "third-party-or-mismatch",
        "The face on the selfie is not the face on the document.",
    ),
    ("expirationDate", "expired", "document-expired", "The document has expired."),
    ("hasMinimalAge", None, "underage-person", "The person is under the minimum age."),
    ("date", "too-old", "document-expired", "The document is too old to prove the address."),
    ("date", "expired", "document-expired", "The licence has expired."),
    ("isIdentityDocument", None, "document-invalid", "This is not an identity document."),
    ("mrzChecksum", None, "document-invalid", "The machine-readable zone does not verify."),
    ("isPhotocopy", None, "document-invalid", "The document is a photocopy, not the original."),
    ("documentSubtype", None, "document-not-matching", "This kind of document was not requested."),
    ("line1", None, "document-not-matching", "The address does not match the customer's."),
    ("postalCode", None, "document-not-matching", "The address does not match the customer's."),
    ("city", None, "document-not-matching", "The address does not match the customer's."),
)


def rejection_for(checks: Iterable[Check]) -> Rejection:
    """The contract's rejection reason for a rejected document: the most telling of its
    conclusive failures; names and birth date are combined into one reason."""
    failed = [check for check in checks if check.failed and check.conclusive]
    names = {check.name for check in failed}
    for name, reason, kind, message in _REJECTIONS[:4]:
        if any(_is(check, name, reason) for check in failed):
            return Rejection(kind, message)
    name_failed = bool(names & {"firstName", "lastName"})
    if name_failed and "dateOfBirth" in names:
        return Rejection("name-and-dob-mismatch", "Neither the name nor the birth date match.")
    if "dateOfBirth" in names:
        return Rejection("dob-mismatch", "The birth date does not match the customer's.")
    if name_failed:
        return Rejection("name-mismatch", "The name does not match the customer's.")
    for name, reason, kind, message in _REJECTIONS[4:]:
        if any(_is(check, name, reason) for check in failed):
            return Rejection(kind, message)
    return Rejection("other", "The document did not pass the checks.")


def check_match_level(level: int) -> None:
    """Refuse a match level the contract does not define (1, 2 or 3)."""
    if level not in (1, 2, 3):
        raise UnsupportedInput(f"match level must be 1, 2 or 3, not {level!r}")


def subtype_check(
    subtype: str | None, weights: Mapping[str, int], allowed: Sequence[str] | None
) -> Check:
    """``documentSubtype``: fails when the subtype was not asked for (conclusive) or could
    not be told (inconclusive)."""
    if subtype is None:
        return weigh("documentSubtype", True, weights, "not-detected", conclusive=False)
    return weigh(
        "documentSubtype", bool(allowed) and subtype not in (allowed or ()), weights, "not-allowed"
    )


def decided(
    cls: type[AnalysisT],
    checks: Sequence[Check],
    weights: Mapping[str, int],
    thresholds: Thresholds,
    **findings: Any,
) -> AnalysisT:
    """A result of type ``cls`` for ``checks``: scored, decided, and with its rejection."""
    outcome = score_document(checks, weights, thresholds)
    rejection = rejection_for(checks) if outcome.decision == "rejected" else None
    return cls(
        checks=tuple(checks),
        score=outcome.score,
        decision=outcome.decision,
        rejection=rejection,
        **findings,
    )


def _is(check: Check, name: str, reason: str | None) -> bool:
    return check.name == name and (reason is None or (check.reason or "").startswith(reason))


def with_duplicate(
    result: AnalysisT, settings: IdentitySettings | AddressSettings, *, reason: str = "duplicate"
) -> AnalysisT:
    """Fold in a duplicate the service found (see :func:`find_duplicate`): the same
    document or the same portrait used by another customer. ``isPublishedOnline`` fails
    with ``reason`` (which starts with ``duplicate``), the document is rescored with
    ``settings`` (the snapshot stored on the document), and if rejected the reason is
    ``document-duplicate``. The contract has no check of its own for duplicates;
    ``isPublishedOnline`` (the picture is already known elsewhere) is the closest."""
    if not reason.startswith("duplicate"):
        raise ValueError("a duplicate reason starts with 'duplicate'")
    others = [check for check in result.checks if check.name != "isPublishedOnline"]
    checks = (*others, weigh("isPublishedOnline", True, settings.weights, reason))
    return rescore(result, checks, settings.weights, settings.thresholds)


def rescore(
    result: AnalysisT, checks: Iterable[Check], weights: Mapping[str, int], thresholds: Thresholds
) -> AnalysisT:
    """The same findings with other checks: score, decision and rejection recomputed."""
    checks = tuple(checks)
    outcome = score_document(checks, weights, thresholds)
    rescored = tuple(
        dataclasses.replace(c, score=weights.get(c.name, 0) if c.failed else 0) for c in checks
    )
    rejection = rejection_for(rescored) if outcome.decision == "rejected" else None
    return dataclasses.replace(
        result, checks=rescored, score=outcome.score, decision=outcome.decision, rejection=rejection
    )
