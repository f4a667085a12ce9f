"""AML checks as clients see them: links, tags, hits without openkyc's bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from openkyc.aml.checks.repository import AmlCheckRepository
from openkyc.aml.checks.schemas import (
    AmlCheckOut,
    AmlHit,
    Provenance,
    ScreenedCustomer,
    ScreenedPerson,
)
from openkyc.aml.enums import INHERITED_SCOPE, InheritanceReason
from openkyc.db.models import AmlCheck
from openkyc.tags.schemas import TagOut
from openkyc.wire import Link, Links


def check_links(links: Links, check: AmlCheck) -> list[Link]:
    return [
        Link(rel="self", href=links.href("aml-checks", check.id)),
        Link(rel="customer", href=links.href("customers", check.customer_id)),
    ]


def hit_out(hit: dict[str, Any]) -> AmlHit:
    return AmlHit.model_validate(hit)


def provenance_of(check: AmlCheck) -> Provenance | None:
    """Where the check's status comes from, when another check's status was inherited."""
    if check.inherited_from_id is None:
        return None
    return Provenance(
        inherited=True,
        inheritedFromAmlCheckId=check.inherited_from_id,
        scope=[INHERITED_SCOPE],
        reasons=[InheritanceReason(r) for r in check.inherited_reasons or []],
    )


def checks_out(
    session: Session, organization_id: str, checks: Sequence[AmlCheck], links: Links
) -> list[AmlCheckOut]:
    tags = AmlCheckRepository(session, organization_id).tags_of([c.id for c in checks])
    return [
        _out(check, links, [TagOut.of(t, links).to_wire() for t in tags.get(check.id, [])])
        for check in checks
    ]


def _out(check: AmlCheck, links: Links, tags: list[dict[str, Any]]) -> AmlCheckOut:
    return AmlCheckOut(
        id=check.id,
        createdTime=check.created_time,
        updatedTime=check.updated_time,
        websiteId=check.website_id,
        reviewerId=check.reviewer_id,
        reviewerType=check.reviewer_type,
        reviewerName=check.reviewer_name,
        reviewStartTime=check.review_start_time,
        reviewTime=check.review_time,
        priority=check.priority,
        source=check.source,
        status=check.status,
        customer=ScreenedCustomer(
            id=check.customer_id,
            primaryAddress=ScreenedPerson.model_validate(check.customer_data),
            organizationId=check.organization_id,
        ),
        hits=[hit_out(h) for h in check.hits],
        tags=tags,
        provenance=provenance_of(check),
        noMatchReason=check.no_match_reason,
        noMatchDetails=list(check.no_match_details),
        revision=check.revision,
        links=check_links(links, check),
    )
