"""How a portrait-to-selfie distance becomes a decision: pure, with plain values."""

from __future__ import annotations

import pytest

from openkyc.analysis import DEFAULT_IDENTITY_SETTINGS, Person
from openkyc.analysis.identity import FACE_DIFFERENT, FACE_DISTANCE, IdentityFacts, identity_checks

from .conftest import TODAY


def face_check(distance: float, level: int = 2) -> tuple[bool, str | None, bool]:
    facts = IdentityFacts(
        readable=True, selfie_given=True, selfie_face_found=True, face_distance=distance
    )
    checks = identity_checks(
        facts, Person("Eileen", "Collins"), DEFAULT_IDENTITY_SETTINGS, level, today=TODAY
    )
    check = next(c for c in checks if c.name == "hasMatchingFaceProof")
    return check.failed, check.reason, check.conclusive


@pytest.mark.parametrize("level", [1, 2, 3])
def test_the_same_person_passes(level: int) -> None:
    assert face_check(FACE_DISTANCE[level] - 0.01, level) == (False, None, True)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_a_distance_in_the_uncertain_band_goes_to_a_person(level: int) -> None:
    between = (FACE_DISTANCE[level] + FACE_DIFFERENT) / 2
    assert face_check(between, level) == (True, "face-uncertain", False)


def test_someone_else_is_a_firm_mismatch() -> None:
    assert face_check(FACE_DIFFERENT + 0.01) == (True, "face-mismatch", True)
    assert max(FACE_DISTANCE.values()) < FACE_DIFFERENT
