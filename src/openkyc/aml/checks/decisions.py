"""The decisions people make on an AML check, kept as a history that is only ever added to
(the same rules as for KYC documents: four eyes when the KYC settings ask for them, a
reversal is a new record pointing at what it reverses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from openkyc.aml.checks.repository import DecisionRepository
from openkyc.db.ids import new_id
from openkyc.db.models import AmlCheck, AmlCheckDecision
from openkyc.errors import Conflict
from openkyc.kyc.settings import service as kyc_settings
from openkyc.principal import Principal

PROPOSED = "proposed"
EFFECTIVE = "effective"


@dataclass(frozen=True)
class Overridden:
    holder_id: str
    holder_name: str | None


def decide(
    session: Session,
    principal: Principal,
    check: AmlCheck,
    status: str,
    now: datetime,
    overridden: Overridden | None,
) -> AmlCheckDecision:
    """Record a person's decision; the caller applies it to the check when effective."""
    repository = DecisionRepository(session, check.organization_id)
    in_force = repository.get(check.decision_id)
    proposal = repository.get(check.proposal_id)
    _ensure_new(check, in_force, proposal, status, principal)
    record = AmlCheckDecision(
        id=new_id("aml_dec"),
        organization_id=check.organization_id,
        aml_check_id=check.id,
        status=status,
        state=EFFECTIVE,
        author_id=principal.actor_id,
        author_name=principal.name,
        author_kind=principal.kind,
        overrode_holder_id=overridden.holder_id if overridden else None,
        overrode_holder_name=overridden.holder_name if overridden else None,
        created_time=now,
    )
    if kyc_settings.four_eyes(session, check.organization_id):
        if (
            proposal is not None
            and proposal.status == status
            and proposal.author_id != principal.actor_id
        ):
            record.confirms_id = proposal.id
        else:
            record.state = PROPOSED
    if record.state == EFFECTIVE and in_force is not None and in_force.status != status:
        record.reverses_id = in_force.id
    return repository.add(record)


def _ensure_new(
    check: AmlCheck,
    in_force: AmlCheckDecision | None,
    proposal: AmlCheckDecision | None,
    status: str,
    principal: Principal,
) -> None:
    if proposal is not None and proposal.status == status:
        if proposal.author_id == principal.actor_id:
            raise Conflict(
                f"{check.id}: your {status} decision waits for a second, different person"
            )
        return
    if in_force is not None and in_force.status == status and check.status == status:
        raise Conflict(f"{check.id} is already {status} (by {in_force.author_name})")


def describe(session: Session, decision: AmlCheckDecision, check: AmlCheck) -> str:
    """The decision in words, for the customer's timeline."""
    repository = DecisionRepository(session, check.organization_id)
    who, label = decision.author_name, f"AML check {check.id}"
    if decision.state == PROPOSED:
        text = (
            f"{who} proposed {decision.status} for {label}; it waits for a second, different person"
        )
    elif decision.confirms_id is not None:
        proposal = repository.get(decision.confirms_id)
        proposer = proposal.author_name if proposal else "another person"
        text = f"{who} confirmed the decision of {proposer}: {label} is {decision.status}"
    else:
        text = f"{who} reviewed {label}: {decision.status}"
    if decision.reverses_id is not None:
        reversed_ = repository.get(decision.reverses_id)
        if reversed_ is not None:
            text += f", reversing the {reversed_.status} decision of {reversed_.author_name}"
    if decision.overrode_holder_id is not None:
        holder = decision.overrode_holder_name or decision.overrode_holder_id
        text += f", overriding the review hold of {holder}"
    return text
