"""The decisions people make on an AML check, on the rules of ``openkyc.reviews`` (holds,
four eyes when the KYC settings ask for them, reversals as new records): the check's record
and its words on the timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from openkyc import reviews
from openkyc.aml.enums import BOT, AmlCheckStatus
from openkyc.db.ids import new_id
from openkyc.db.models import AmlCheck, AmlCheckDecision
from openkyc.kyc.settings import service as kyc_settings
from openkyc.principal import Principal
from openkyc.reviews import EFFECTIVE, PROPOSED, Overridden

__all__ = ["PROPOSED", "Overridden", "decide", "describe", "history", "inherit"]


def history(session: Session, organization_id: str) -> reviews.DecisionHistory[AmlCheckDecision]:
    return reviews.DecisionHistory(
        session, organization_id, AmlCheckDecision, AmlCheckDecision.aml_check_id
    )


def decide(
    session: Session,
    principal: Principal,
    check: AmlCheck,
    status: str,
    now: datetime,
    overridden: Overridden | None,
) -> AmlCheckDecision:
    """Record a person's decision; the caller applies it to the check when effective."""
    decisions = history(session, check.organization_id)
    ruling = reviews.rule(
        decisions,
        check,
        status,
        principal,
        lambda in_force: _already(check, status, in_force),
        four_eyes=kyc_settings.four_eyes(session, check.organization_id),
    )
    record = AmlCheckDecision(
        id=new_id("aml_dec"),
        organization_id=check.organization_id,
        aml_check_id=check.id,
        status=status,
        **reviews.record_columns(ruling, principal, overridden, now),
    )
    return decisions.add(record)


def inherit(
    session: Session, check: AmlCheck, status: AmlCheckStatus, now: datetime
) -> AmlCheckDecision:
    """Record the status the check inherited as the bot's decision: in force at once (the
    decision it repeats was a person's, made under the organization's rules), and followed,
    like any other, by a person's that reverses it."""
    record = AmlCheckDecision(
        id=new_id("aml_dec"),
        organization_id=check.organization_id,
        aml_check_id=check.id,
        status=status,
        state=EFFECTIVE,
        author_id=BOT,
        author_name=BOT,
        author_kind=BOT,
        created_time=now,
    )
    return history(session, check.organization_id).add(record)


def _already(check: AmlCheck, status: str, in_force: reviews.Decision) -> str:
    return f"{check.id} is already {status} (by {in_force.author_name})"


def describe(session: Session, decision: AmlCheckDecision, check: AmlCheck) -> str:
    """The decision in words, for the customer's timeline."""
    who, label = decision.author_name, f"AML check {check.id}"
    if decision.state == PROPOSED:
        text = (
            f"{who} proposed {decision.status} for {label}; it waits for a second, different person"
        )
    elif decision.confirms_id is not None:
        proposer = reviews.proposer(history(session, check.organization_id), decision)
        text = f"{who} confirmed the decision of {proposer}: {label} is {decision.status}"
    else:
        text = f"{who} reviewed {label}: {decision.status}"
    return text + reviews.and_then(history(session, check.organization_id), decision)
