"""The decisions people make on a document, on the rules of ``openkyc.reviews`` (holds, four
eyes, reversals as new records): the document's record and its words on the timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from openkyc import reviews
from openkyc.db.ids import new_id
from openkyc.db.models import KycDocument, KycDocumentDecision
from openkyc.kyc.enums import DocumentStatus
from openkyc.kyc.settings import service as kyc_settings
from openkyc.principal import Principal
from openkyc.reviews import PROPOSED, Overridden

__all__ = ["PROPOSED", "Overridden", "decide", "describe", "history"]


def history(session: Session, organization_id: str) -> reviews.DecisionHistory[KycDocumentDecision]:
    return reviews.DecisionHistory(
        session, organization_id, KycDocumentDecision, KycDocumentDecision.kyc_document_id
    )


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
    decisions = history(session, document.organization_id)
    four_eyes = kyc_settings.four_eyes(session, document.organization_id)
    already = _already(document, status)
    ruling = reviews.rule(decisions, document, status, principal, already, four_eyes=four_eyes)
    record = KycDocumentDecision(
        id=new_id("kyc_dec"),
        organization_id=document.organization_id,
        kyc_document_id=document.id,
        status=DocumentStatus(status),
        rejection_reason=rejection_reason,
        **reviews.record_columns(ruling, principal, overridden, now),
    )
    return decisions.add(record)


def _already(document: KycDocument, status: str) -> Callable[[reviews.Decision], str]:
    return lambda in_force: (
        f"Cannot {status[:-2]} {document.id}: the document is already {status} "
        f"(by {in_force.author_name})"
    )


def describe(session: Session, decision: KycDocumentDecision, document: KycDocument) -> str:
    """The decision in words, for the customer's timeline."""
    decisions = history(session, document.organization_id)
    verb = "accept" if decision.status == DocumentStatus.ACCEPTED else "reject"
    who, label = decision.author_name, f"KYC document {document.id}"
    if decision.state == PROPOSED:
        text = f"{who} proposed to {verb} {label}; it waits for a second, different person"
    elif decision.confirms_id is not None:
        proposer = reviews.proposer(decisions, decision)
        text = f"{who} confirmed the decision of {proposer}: {label} {decision.status}"
    else:
        text = f"{who} {decision.status} {label}"
    text += reviews.and_then(decisions, decision)
    reason = decision.rejection_reason or {}
    if reason:
        text += f" ({reason.get('type')}: {reason.get('message', '')})".replace(": )", ")")
    return text
