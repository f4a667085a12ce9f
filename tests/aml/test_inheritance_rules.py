"""The rules of inheritance with plain values: what links two checks, when a status may
stand for other hits, and which one is taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from openkyc.aml.checks.inheritance import Screened, choose, may_inherit, reasons
from openkyc.aml.enums import AmlCheckStatus, InheritanceReason
from openkyc.db.models import AmlCheck

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def hit(entry: str, digest: str = "d1", confidence: str = "strong") -> dict[str, Any]:
    return {
        "entryKey": entry,
        "entryDigest": digest,
        "confidence": confidence,
        "matchDetails": {"confidenceFactors": [], "matchCriteria": ["match_exact_name"]},
    }


def new(**fields: Any) -> Screened:
    values: dict[str, Any] = {
        "customer_id": "cus_new",
        "customer_digest": "data",
        "person_key": "person",
        "phone_key": "phone",
        "hits": [hit("list:a")],
    } | fields
    return Screened(**values)


def source(status: AmlCheckStatus, **fields: Any) -> AmlCheck:
    values: dict[str, Any] = {
        "id": "aml_chk_source",
        "customer_id": "cus_other",
        "customer_digest": "other data",
        "person_key": "person",
        "phone_key": None,
        "status": status,
        "hits": [hit("list:a")],
    } | fields
    return AmlCheck(**values)


def test_what_links_two_checks() -> None:
    confirmed = AmlCheckStatus.CONFIRMED_MATCH
    assert reasons(new(), source(confirmed)) == [InheritanceReason.PERSON]
    both = source(confirmed, phone_key="phone")
    assert reasons(new(), both) == [InheritanceReason.PERSON, InheritanceReason.PHONE]
    # A customer without a birth date or a phone has no key, and no key links nobody.
    assert reasons(new(person_key=None, phone_key=None), source(confirmed, person_key=None)) == []
    # The same customer links only through the same data screened.
    mine = source(confirmed, customer_id="cus_new", customer_digest="data")
    assert reasons(new(), mine) == [InheritanceReason.PREVIOUS_CHECK]
    assert reasons(new(customer_digest="changed"), mine) == []


def test_a_confirmed_match_stands_while_a_confirmed_entry_is_found() -> None:
    confirmed = source(AmlCheckStatus.CONFIRMED_MATCH)
    more = new(hits=[hit("list:a", digest="d2", confidence="weak"), hit("list:b")])
    assert may_inherit(more, confirmed, NOW - timedelta(days=4000), NOW, 365)
    assert not may_inherit(new(hits=[hit("list:b")]), confirmed, NOW, NOW, 365)


def test_a_false_positive_stands_only_for_the_same_hits_while_it_holds() -> None:
    judged = source(AmlCheckStatus.FALSE_POSITIVE)
    day = timedelta(days=1)
    assert may_inherit(new(), judged, NOW - 364 * day, NOW, 365)
    assert not may_inherit(new(), judged, NOW - 365 * day, NOW, 365)
    assert not may_inherit(new(), judged, NOW, NOW, 0)
    for other in (
        [hit("list:a", digest="d2")],
        [hit("list:a", confidence="very-strong")],
        [hit("list:a"), hit("list:b")],
        [{**hit("list:a"), "matchDetails": {"matchCriteria": ["match_exact_city"]}}],
    ):
        assert not may_inherit(new(hits=other), judged, NOW, NOW, 365), other


def test_the_latest_is_taken_unless_people_disagree() -> None:
    older = source(AmlCheckStatus.CONFIRMED_MATCH, id="aml_chk_older")
    latest = source(AmlCheckStatus.CONFIRMED_MATCH, id="aml_chk_latest", phone_key="phone")
    found = choose(new(), [(latest, NOW), (older, NOW - timedelta(days=1))], NOW, 365)
    assert found is not None
    assert (found.source.id, found.status, found.decided) == (
        "aml_chk_latest",
        AmlCheckStatus.CONFIRMED_MATCH,
        NOW,
    )
    assert found.reasons == [InheritanceReason.PERSON, InheritanceReason.PHONE]
    judged = source(AmlCheckStatus.FALSE_POSITIVE, id="aml_chk_judged")
    assert choose(new(), [(latest, NOW), (judged, NOW)], NOW, 365) is None
    # A check that may not be inherited from does not count as a disagreement.
    unlinked = source(AmlCheckStatus.FALSE_POSITIVE, person_key="someone else")
    assert choose(new(), [(unlinked, NOW), (older, NOW)], NOW, 365) is not None
    assert choose(new(), [], NOW, 365) is None
