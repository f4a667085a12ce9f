"""The decisions people make on a document, kept as a history that is only ever added to.

A decision takes effect at once, or, under the four-eyes rule, when a second, different
person makes the same one. A decision against the one in force reverses it: a new record,
the old one stays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkyc.db.ids import new_id
from openkyc.db.models import KycDocument, KycDocumentDecision
from openkyc.errors import Conflict
from openkyc.kyc.enums import DecisionState, DocumentStatus
from openkyc.kyc.settings import service as kyc_settings
from openkyc.principal import Principal

PROPOSED, EFFECTIVE = DecisionState.PROPOSED, DecisionState.EFFECTIVE


class DecisionRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, decision_id: str | None) -> KycDocumentDecision | None:
        if decision_id is None:
            return None
        return self.session.get(KycDocumentDecision, (self.organization_id, decision_id))

    def for_document(self, document_id: str) -> list[KycDocumentDecision]:
        statement = (
            select(KycDocumentDecision)
            .where(
                KycDocumentDecision.organization_id == self.organization_id,
                KycDocumentDecision.kyc_document_id == document_id,
            )
            .order_by(KycDocumentDecision.created_time, KycDocumentDecision.id)
        )
        return list(self.session.scalars(statement))

    def add(self, decision: KycDocumentDecision) -> KycDocumentDecision:
        self.session.add(decision)
        self.session.flush()
        return decision


@dataclass(frozen=True)
class Overridden:
    holder_id: str
    holder_name: str | None


def decide(
    session: Session,
    principal: Principal,
    document: KycDocument,
    status: str,
    rejection_reason: dict[str, Any] | None,
    now: datetime,
    overridden: Overridden | None,
) -> KycDocumentDecision:
    """Record a person's decision; the caller applies it to the document when effective."""
    repository = DecisionRepository(session, document.organization_id)
    in_force = repository.get(document.decision_id)
    proposal = repository.get(document.proposal_id)
    _ensure_new(document, in_force, proposal, status, principal)
    record = KycDocumentDecision(
        id=new_id("kyc_dec"),
        organization_id=document.organization_id,
        kyc_document_id=document.id,
        status=status,
        rejection_reason=rejection_reason,
        state=EFFECTIVE,
        author_id=principal.actor_id,
        author_name=principal.name,
        author_kind=principal.kind,
        overrode_holder_id=overridden.holder_id if overridden else None,
        overrode_holder_name=overridden.holder_name if overridden else None,
        created_time=now,
    )
    if kyc_settings.four_eyes(session, document.organization_id):
        if _confirms(proposal, status, principal):
            assert proposal is not None
            record.confirms_id = proposal.id
        else:
            record.state = PROPOSED
    if record.state == EFFECTIVE and in_force is not None and in_force.status != status:
        record.reverses_id = in_force.id
    return repository.add(record)


def _confirms(proposal: KycDocumentDecision | None, status: str, principal: Principal) -> bool:
    return (
        proposal is not None
        and proposal.status == status
        and proposal.author_id != principal.actor_id
    )


def _ensure_new(
    document: KycDocument,
    in_force: KycDocumentDecision | None,
    proposal: KycDocumentDecision | None,
    status: str,
    principal: Principal,
) -> None:
    if proposal is not None and proposal.status == status:
        if proposal.author_id == principal.actor_id:
            raise Conflict(
                f"{document.id}: your {status} decision waits for a second, different person"
            )
        return
    if in_force is not None and in_force.status == status and document.status == status:
        raise Conflict(
            f"Cannot {status[:-2]} {document.id}: the document is already {status} "
            f"(by {in_force.author_name})"
        )


def describe(session: Session, decision: KycDocumentDecision, document: KycDocument) -> str:
    """The decision in words, for the customer's timeline."""
    repository = DecisionRepository(session, document.organization_id)
    verb = "accept" if decision.status == DocumentStatus.ACCEPTED else "reject"
    who, label = decision.author_name, f"KYC document {document.id}"
    if decision.state == PROPOSED:
        text = f"{who} proposed to {verb} {label}; it waits for a second, different person"
    elif decision.confirms_id is not None:
        proposal = repository.get(decision.confirms_id)
        proposer = proposal.author_name if proposal else "another person"
        text = f"{who} confirmed the decision of {proposer}: {label} {decision.status}"
    else:
        text = f"{who} {decision.status} {label}"
    if decision.reverses_id is not None:
        reversed_ = repository.get(decision.reverses_id)
        if reversed_ is not None:
            text += f", reversing the {reversed_.status} decision of {reversed_.author_name}"
    if decision.overrode_holder_id is not None:
        holder = decision.overrode_holder_name or decision.overrode_holder_id
        text += f", overriding the review hold of {holder}"
    reason = decision.rejection_reason or {}
    if reason:
        text += f" ({reason.get('type')}: {reason.get('message', '')})".replace(": )", ")")
    return text
