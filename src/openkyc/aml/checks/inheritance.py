"""Which reviewed check a new check may take its status from, and why.

A new check with hits inherits the status a person gave an earlier check of the same
person: the same customer screened with exactly the same data, or another customer of the
organization with exactly the same name and birth date, or the same primary phone number.
Only the status is inherited; the new check keeps its own hits. A confirmed match is
inherited when the new check still finds an entry the person confirmed (the customer is that
listed person, whatever else the lists now say). A false positive is inherited only when the
new check found exactly the same entries, each unchanged and matched in the same way, and
only while the person's judgement holds (the false-positive suppression period): it never
hides an entry that is new, changed or matched more strongly. When the checks people
decided disagree, nothing is inherited and a person reviews."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from openkyc.aml.enums import AmlCheckStatus, InheritanceReason
from openkyc.db.models import AmlCheck

# How many of the person's latest reviewed checks are weighed.
CANDIDATES = 20


@dataclass(frozen=True)
class Screened:
    """What a new check found, and about whom."""

    customer_id: str
    customer_digest: str
    person_key: str | None
    phone_key: str | None
    hits: Sequence[dict[str, Any]]


@dataclass(frozen=True)
class Inheritance:
    source: AmlCheck
    # When the person's decision in force on the source was made.
    decided: datetime
    status: AmlCheckStatus
    reasons: list[InheritanceReason]


def reasons(new: Screened, source: AmlCheck) -> list[InheritanceReason]:
    """What links the new check to a check made before (Rebilly's order of the reasons)."""
    if source.customer_id == new.customer_id:
        same = source.customer_digest == new.customer_digest
        return [InheritanceReason.PREVIOUS_CHECK] if same else []
    found = []
    if new.person_key is not None and source.person_key == new.person_key:
        found.append(InheritanceReason.PERSON)
    if new.phone_key is not None and source.phone_key == new.phone_key:
        found.append(InheritanceReason.PHONE)
    return found


def _entries(hits: Iterable[dict[str, Any]]) -> set[str]:
    return {h["entryKey"] for h in hits}


def _as_found(hits: Iterable[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    """Each hit as found: which entry, in which state, how confident and why."""
    return {
        (
            h["entryKey"],
            h["entryDigest"],
            h["confidence"],
            json.dumps(h.get("matchDetails"), sort_keys=True),
        )
        for h in hits
    }


def may_inherit(
    new: Screened, source: AmlCheck, decided: datetime, now: datetime, fp_days: int
) -> bool:
    """Whether the status a person gave ``source`` (at ``decided``) may stand for the new
    check's hits."""
    if source.status == AmlCheckStatus.CONFIRMED_MATCH:
        return bool(_entries(new.hits) & _entries(source.hits))
    if source.status == AmlCheckStatus.FALSE_POSITIVE:
        holds = fp_days > 0 and now < decided + timedelta(days=fp_days)
        return holds and _as_found(new.hits) == _as_found(source.hits)
    return False


def choose(
    new: Screened,
    sources: Iterable[tuple[AmlCheck, datetime]],
    now: datetime,
    fp_days: int,
) -> Inheritance | None:
    """The status the new check inherits, from the latest of the reviewed checks (each with
    the time of the decision in force) that it may inherit from; None when none may or when
    those that may were decided differently."""
    fitting = [
        Inheritance(source, decided, AmlCheckStatus(source.status), found)
        for source, decided in sources
        if (found := reasons(new, source)) and may_inherit(new, source, decided, now, fp_days)
    ]
    if not fitting or len({one.status for one in fitting}) > 1:
        return None
    return fitting[0]
