"""Rules for AML checks: screening a customer, and the review of people.

A screening writes a check when the customer is new or their name, birth date or address
changed (``sign-up``), or when a list change finds them differently (``recurring``). A check
with hits waits for a person; it announces itself by webhook and on the customer's timeline.
People review it as they review KYC documents: a hold belongs to one person, a decision is
a record of its own that a later one may reverse, and under the four-eyes rule it waits for
a second person. A false positive keeps its entries from being raised again for the
customer until the suppression ends, the entry changes or the customer's data does. A new
check whose hits a person already judged, for the same person, inherits that status as the
bot's decision (see ``inheritance``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from openkyc import clock, reviews
from openkyc.aml.checks import decisions, inheritance, screening
from openkyc.aml.checks.repository import AmlCheckRepository
from openkyc.aml.enums import BOT, DECISIONS, AmlCheckStatus, ReviewerType, ScreeningSource
from openkyc.aml.lists import service as lists
from openkyc.aml.settings import service as aml_settings
from openkyc.customers.events import record_customer_event
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import new_id
from openkyc.db.models import AmlCheck, AmlCheckDecision, AmlSuppression, Customer
from openkyc.errors import NotFound, ValidationFailed
from openkyc.events import types as event_types
from openkyc.principal import Principal
from openkyc.timeline import authors
from openkyc.timeline import service as timeline
from openkyc.timeline.enums import TimelineType
from openkyc.wire import Links

# A review left open by a reviewer who went away stops blocking others after this long.
OPEN = frozenset({AmlCheckStatus.PENDING_REVIEW, AmlCheckStatus.IN_REVIEW})


def page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[AmlCheck], int]:
    return AmlCheckRepository(session, organization_id).page(query)


def get(
    session: Session, organization_id: str, check_id: str, *, for_update: bool = False
) -> AmlCheck:
    check = AmlCheckRepository(session, organization_id).get(check_id, for_update=for_update)
    if check is None:
        raise NotFound.resource("AML check", check_id)
    return check


def for_customer(session: Session, organization_id: str, customer_id: str) -> list[AmlCheck]:
    return AmlCheckRepository(session, organization_id).for_customer(customer_id)


def screen(
    session: Session,
    customer: Customer,
    links: Links,
    source: ScreeningSource = ScreeningSource.SIGN_UP,
    *,
    author: authors.Author,
    force: bool = False,
) -> AmlCheck | None:
    """Screen the customer against the lists; the new check, or None when nothing new was
    learnt (the same data screened before, or a list change that finds the same hits)."""
    repository = AmlCheckRepository(session, customer.organization_id)
    person = screening.screened_person(customer)
    digest = screening.person_digest(person)
    latest = repository.latest_for(customer.id)
    unchanged = latest is not None and latest.customer_digest == digest
    if source == ScreeningSource.SIGN_UP and not force and unchanged:
        return None
    keys = screening.person_keys(person)
    if not unchanged:
        repository.replace_customer_keys(customer.id, keys)
    settings = aml_settings.get(session, customer.organization_id)
    now = clock.now()
    outcome = screening.evaluate(
        person,
        lists.candidates(session, screening.person_tokens(person)),
        settings,
        repository.suppressions(customer.id),
        now,
        lambda ids: lists.hits_of(session, ids),
    )
    if (
        source == ScreeningSource.RECURRING
        and latest is not None
        and unchanged
        and screening.same_hits(outcome.hits, latest.hits)
    ):
        return None
    check = repository.add(
        AmlCheck(
            id=new_id("aml_chk"),
            organization_id=customer.organization_id,
            customer_id=customer.id,
            website_id=customer.website_id,
            source=source,
            status=AmlCheckStatus.PENDING_REVIEW if outcome.hits else AmlCheckStatus.NO_MATCH,
            priority=outcome.priority,
            customer_data=person,
            customer_digest=digest,
            person_key=screening.person_key(person),
            phone_key=screening.phone_key(customer),
            hits=outcome.hits,
            no_match_reason=outcome.no_match_reason,
            no_match_details=outcome.no_match_details,
            revision=0,
            created_time=now,
            updated_time=now,
        )
    )
    if outcome.hits:
        _announce(session, check, customer, links, author)
        _inherit(session, check, settings.falsePositiveSuppressionDays, now, author)
    return check


def _inherit(
    session: Session, check: AmlCheck, fp_days: int, now: datetime, author: authors.Author
) -> None:
    """Give the new check the status a person gave a check of the same person with the same
    hits, as the bot's decision, when the rules of ``inheritance`` allow it."""
    repository = AmlCheckRepository(session, check.organization_id)
    new = inheritance.Screened(
        check.customer_id, check.customer_digest, check.person_key, check.phone_key, check.hits
    )
    sources = repository.reviewed_like(
        check.customer_id,
        check.customer_digest,
        check.person_key,
        check.phone_key,
        inheritance.CANDIDATES,
    )
    found = inheritance.choose(new, sources, now, fp_days)
    if found is None:
        return
    decision = decisions.inherit(session, check, found.status, now)
    check.status = found.status
    check.decision_id = decision.id
    check.reviewer_id = None
    check.reviewer_name = BOT
    check.reviewer_type = ReviewerType.BOT
    check.review_time = now
    check.inherited_from_id = found.source.id
    check.inherited_reasons = [str(r) for r in found.reasons]
    if found.status == AmlCheckStatus.FALSE_POSITIVE:
        # The person's judgement holds as long as it would have for its own customer.
        _suppress(session, check, now, found.decided + timedelta(days=fp_days))
    note = (
        f"{BOT} reviewed AML check {check.id}: {found.status}, inherited from AML check "
        f"{found.source.id} ({', '.join(check.inherited_reasons)})"
    )
    _changed(session, check, now, TimelineType.AML_CHECK_REVIEWED, note, author)


def _announce(
    session: Session, check: AmlCheck, customer: Customer, links: Links, author: authors.Author
) -> None:
    record_customer_event(
        session,
        customer,
        event_types.AML_LIST_POSSIBLY_MATCHED,
        links,
        extra={"amlCheckId": check.id},
    )
    names = ", ".join(
        f"{h['firstName']} {h.get('lastName') or ''}".strip()
        + f" ({h['source']}, {h['confidence']})"
        for h in check.hits[:5]
    )
    more = f" and {len(check.hits) - 5} more" if len(check.hits) > 5 else ""
    timeline.record(
        session,
        check.organization_id,
        check.customer_id,
        TimelineType.AML_LIST_WAS_POSSIBLY_MATCHED,
        f"AML check {check.id} ({check.source}) found {len(check.hits)} possible "
        f"match{'es' if len(check.hits) != 1 else ''}: {names}{more}",
        author=author,
        links=[timeline.Link("aml-check", check.id, "AML check")],
    )


def _changed(
    session: Session,
    check: AmlCheck,
    now: datetime,
    type_: TimelineType,
    note: str,
    author: authors.Author,
) -> None:
    check.revision += 1
    check.updated_time = now
    session.flush()
    timeline.record(
        session,
        check.organization_id,
        check.customer_id,
        type_,
        note,
        author=author,
        links=[timeline.Link("aml-check", check.id, "AML check")],
    )


def start_review(
    session: Session, principal: Principal, check_id: str, *, override: bool = False
) -> AmlCheck:
    """A person takes the check; others get a 409 until they stop or the hold lapses."""
    check = get(session, principal.organization_id, check_id, for_update=True)
    now = clock.now()  # once the row is ours: decisions are dated in the order they were made
    if check.status not in OPEN:
        raise ValidationFailed.field(
            "status", f"{check.id} is {check.status}; only a check waiting for review is held"
        )
    held_by = check.reviewer_name
    overrode = reviews.ensure_may_act(check, principal, now, override=override)
    check.status = AmlCheckStatus.IN_REVIEW
    check.reviewer_id = principal.actor_id
    check.reviewer_name = principal.name
    check.reviewer_type = ReviewerType.HUMAN
    check.review_start_time = now
    note = f"{principal.name} started reviewing AML check {check.id}"
    if overrode:
        note += f", overriding the review hold of {held_by}"
    _changed(session, check, now, TimelineType.AML_CHECK_MODIFIED, note, authors.of(principal))
    return check


def stop_review(
    session: Session, principal: Principal, check_id: str, *, override: bool = False
) -> AmlCheck:
    """The person lets the check go; it waits for review again."""
    check = get(session, principal.organization_id, check_id, for_update=True)
    now = clock.now()  # once the row is ours: decisions are dated in the order they were made
    if check.status != AmlCheckStatus.IN_REVIEW or reviews.review_holder(check, now) is None:
        raise ValidationFailed.field("reviewStartTime", f"nobody is reviewing {check.id}")
    held_by = check.reviewer_name
    overrode = reviews.ensure_may_act(check, principal, now, override=override)
    check.status = AmlCheckStatus.PENDING_REVIEW
    check.review_start_time = None
    check.reviewer_id = check.reviewer_name = check.reviewer_type = None
    note = f"{principal.name} stopped reviewing AML check {check.id}"
    if overrode:
        note = f"{principal.name} released the review hold of {held_by} on AML check {check.id}"
    _changed(session, check, now, TimelineType.AML_CHECK_MODIFIED, note, authors.of(principal))
    return check


def review(
    session: Session,
    principal: Principal,
    check_id: str,
    status: str,
    *,
    override: bool = False,
) -> AmlCheck:
    """A person decides: the hits are the customer (confirmed-match) or are not
    (false-positive). A decision against one in force reverses it."""
    check = get(session, principal.organization_id, check_id, for_update=True)
    now = clock.now()  # once the row is ours: decisions are dated in the order they were made
    if status not in DECISIONS:
        raise ValidationFailed.field("status", "must be confirmed-match or false-positive")
    if not check.hits:
        raise ValidationFailed.field(
            "status", f"{check.id} found no hits; there is nothing to review"
        )
    held_by = check.reviewer_name
    holder = reviews.ensure_may_act(check, principal, now, override=override)
    overridden = decisions.Overridden(holder, held_by) if holder else None
    decision = decisions.decide(session, principal, check, status, now, overridden)
    note = decisions.describe(session, decision, check)
    _apply(session, check, decision, principal, now)
    _changed(session, check, now, TimelineType.AML_CHECK_REVIEWED, note, authors.of(principal))
    return check


def _apply(
    session: Session,
    check: AmlCheck,
    decision: AmlCheckDecision,
    principal: Principal,
    now: datetime,
) -> None:
    check.reviewer_id = principal.actor_id
    check.reviewer_name = principal.name
    check.reviewer_type = ReviewerType.HUMAN
    check.review_time = now
    check.review_start_time = None
    if decision.state == decisions.PROPOSED:
        check.proposal_id = decision.id
        if check.status == AmlCheckStatus.IN_REVIEW:
            check.status = AmlCheckStatus.PENDING_REVIEW
        return
    check.proposal_id = None
    check.decision_id = decision.id
    check.status = AmlCheckStatus(decision.status)
    # The result is now a person's own, no longer inherited.
    check.inherited_from_id = check.inherited_reasons = None
    if decision.status == AmlCheckStatus.FALSE_POSITIVE:
        days = aml_settings.get(session, check.organization_id).falsePositiveSuppressionDays
        if days > 0:
            _suppress(session, check, now, now + timedelta(days=days))
    else:
        # A false positive reversed: its entries are raised again for the customer.
        AmlCheckRepository(session, check.organization_id).lift_suppressions(check.id)


def _suppress(session: Session, check: AmlCheck, now: datetime, until: datetime) -> None:
    repository = AmlCheckRepository(session, check.organization_id)
    for hit in check.hits:
        repository.suppress(
            AmlSuppression(
                organization_id=check.organization_id,
                customer_id=check.customer_id,
                entry_key=hit["entryKey"],
                entry_digest=hit["entryDigest"],
                customer_digest=check.customer_digest,
                aml_check_id=check.id,
                until=until,
                created_time=now,
                updated_time=now,
            )
        )


def history(session: Session, organization_id: str, check_id: str) -> list[AmlCheckDecision]:
    """The decisions people made on the check, oldest first."""
    get(session, organization_id, check_id)
    return decisions.history(session, organization_id).of(check_id)


def move_to_customer(
    session: Session, organization_id: str, customer_id: str, target_customer_id: str
) -> int:
    """A merged customer's checks belong to the customer they were merged into."""
    return AmlCheckRepository(session, organization_id).move_to_customer(
        customer_id, target_customer_id
    )


def get_many(session: Session, organization_id: str, check_ids: Sequence[str]) -> list[AmlCheck]:
    return AmlCheckRepository(session, organization_id).get_many(check_ids)


def set_tag(
    session: Session, organization_id: str, tag_id: str, checks: Sequence[AmlCheck], *, add: bool
) -> None:
    """Apply (or remove) a tag; each check it changes gets a new revision."""
    repository = AmlCheckRepository(session, organization_id)
    have = repository.tagged_ids(tag_id, [c.id for c in checks])
    targets = [c for c in checks if (c.id not in have) == add]
    if add:
        repository.tag(tag_id, [c.id for c in targets])
    else:
        repository.untag(tag_id, [c.id for c in targets])
    now = clock.now()
    for check in targets:
        check.revision += 1
        check.updated_time = now
    session.flush()
