"""A person's review of something the machine could not settle alone: a KYC document the
analyser left to a person, an AML check whose hits may be the customer.

Both follow the same rules, kept here once:

- **Holds.** A person who starts a review holds the thing for ``REVIEW_HOLD``; another
  person's action on it is refused (409) unless an admin overrides the hold, and the record
  names whose hold was overridden.
- **Decisions** are a history only ever added to. A decision takes effect at once or, when
  the organization asks for four eyes, once a second, different person makes the same one
  (the first is a *proposal*). A decision against the one in force *reverses* it: a new
  record pointing at the old one, which stays.

Each domain keeps its own decision table (``KycDocumentDecision``, ``AmlCheckDecision``), its
own wording and what a decision does to the thing decided; this module decides which record
is made and whether it may be made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from openkyc.enums import DecisionState
from openkyc.errors import Conflict, Forbidden
from openkyc.principal import Principal
from openkyc.users.enums import Role

PROPOSED, EFFECTIVE = DecisionState.PROPOSED, DecisionState.EFFECTIVE
# A review left open by a reviewer who went away stops blocking others after this long.
REVIEW_HOLD = timedelta(minutes=30)


class Reviewed(Protocol):
    """What people review: its status, its holder, the decisions in force and proposed."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def reviewer_id(self) -> str | None: ...
    @property
    def reviewer_name(self) -> str | None: ...
    @property
    def review_start_time(self) -> datetime | None: ...
    @property
    def decision_id(self) -> str | None: ...
    @property
    def proposal_id(self) -> str | None: ...


class Decision(Protocol):
    """One stored decision of a person (the columns both decision tables share)."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def author_id(self) -> str: ...
    @property
    def author_name(self) -> str: ...
    @property
    def reverses_id(self) -> str | None: ...
    @property
    def confirms_id(self) -> str | None: ...
    @property
    def overrode_holder_id(self) -> str | None: ...
    @property
    def overrode_holder_name(self) -> str | None: ...


# mypy cannot check an ORM model against a protocol as a type variable's bound (it can for
# its instances): the histories are generic over their model, the rules take any history and
# read its records as `Decision`s.
D = TypeVar("D")


def review_holder(subject: Reviewed, now: datetime) -> str | None:
    """Who is reviewing ``subject`` right now, if anyone."""
    if subject.reviewer_id is None or subject.review_start_time is None:
        return None
    if now - subject.review_start_time >= REVIEW_HOLD:
        return None
    return subject.reviewer_id


def ensure_may_act(
    subject: Reviewed, principal: Principal, now: datetime, *, override: bool = False
) -> str | None:
    """Refuse an action on something another person holds, unless an admin overrides.
    Returns the holder overridden, for the record."""
    holder = review_holder(subject, now)
    if holder is None or holder == principal.actor_id:
        return None
    if not override:
        raise Conflict(
            f"{subject.reviewer_name or holder} is reviewing {subject.id}; "
            "an admin may override the hold (override=true)"
        )
    if principal.role != Role.ADMIN:
        raise Forbidden("Only an admin may override another person's review hold")
    return holder


@dataclass(frozen=True)
class Overridden:
    """The person whose review hold an admin overrode to decide."""

    holder_id: str
    holder_name: str | None


class DecisionHistory(Generic[D]):
    """The decisions of one organization in one decision table."""

    def __init__(
        self,
        session: Session,
        organization_id: str,
        model: type[D],
        subject_column: InstrumentedAttribute[str],
    ) -> None:
        self.session = session
        self.organization_id = organization_id
        self.model = model
        self.subject_column = subject_column

    def get(self, decision_id: str | None) -> D | None:
        if decision_id is None:
            return None
        return self.session.get(self.model, (self.organization_id, decision_id))

    def of(self, subject_id: str) -> list[D]:
        """The decisions on one subject, oldest first."""
        model: Any = self.model
        statement = (
            select(model)
            .where(model.organization_id == self.organization_id, self.subject_column == subject_id)
            .order_by(model.created_time, model.id)
        )
        return list(self.session.scalars(statement))

    def add(self, decision: D) -> D:
        self.session.add(decision)
        self.session.flush()
        return decision


@dataclass(frozen=True)
class Ruling:
    """Which record a person's decision makes: a proposal or effective, confirming a
    proposal, reversing the decision in force."""

    state: DecisionState
    confirms_id: str | None = None
    reverses_id: str | None = None


def rule(
    history: DecisionHistory[Any],
    subject: Reviewed,
    status: str,
    principal: Principal,
    already: Callable[[Decision], str],
    *,
    four_eyes: bool,
) -> Ruling:
    """How a person's decision of ``status`` on ``subject`` is recorded, or a 409 when it
    changes nothing (``already`` words the refusal of a decision that is in force). Under
    ``four_eyes`` (the organization's KYC settings, for documents and AML checks alike) a
    first decision is a proposal; the same decision by a second, different person confirms it and
    takes effect."""
    in_force: Decision | None = history.get(subject.decision_id)
    proposal: Decision | None = history.get(subject.proposal_id)
    _ensure_new(subject, in_force, proposal, status, principal, already)
    confirms = None
    if four_eyes:
        if not (
            proposal is not None
            and proposal.status == status
            and proposal.author_id != principal.actor_id
        ):
            return Ruling(PROPOSED)
        confirms = proposal.id
    reverses = in_force.id if in_force is not None and in_force.status != status else None
    return Ruling(EFFECTIVE, confirms, reverses)


def record_columns(
    ruling: Ruling, principal: Principal, overridden: Overridden | None, now: datetime
) -> dict[str, Any]:
    """The columns every decision record has: the ruling, who decided, when, over whose
    hold."""
    return {
        "state": ruling.state,
        "confirms_id": ruling.confirms_id,
        "reverses_id": ruling.reverses_id,
        "author_id": principal.actor_id,
        "author_name": principal.name,
        "author_kind": principal.kind,
        "overrode_holder_id": overridden.holder_id if overridden else None,
        "overrode_holder_name": overridden.holder_name if overridden else None,
        "created_time": now,
    }


def _ensure_new(
    subject: Reviewed,
    in_force: Decision | None,
    proposal: Decision | None,
    status: str,
    principal: Principal,
    already: Callable[[Decision], str],
) -> None:
    if proposal is not None and proposal.status == status:
        if proposal.author_id == principal.actor_id:
            raise Conflict(
                f"{subject.id}: your {status} decision waits for a second, different person"
            )
        return
    if in_force is not None and in_force.status == status and subject.status == status:
        raise Conflict(already(in_force))


def proposer(history: DecisionHistory[Any], decision: Decision) -> str:
    """The name of the person whose proposal ``decision`` confirms."""
    proposal: Decision | None = history.get(decision.confirms_id)
    return proposal.author_name if proposal else "another person"


def and_then(history: DecisionHistory[Any], decision: Decision) -> str:
    """The end of a decision's sentence on the timeline: what it reversed, whose hold it
    overrode."""
    text = ""
    if decision.reverses_id is not None:
        reversed_: Decision | None = history.get(decision.reverses_id)
        if reversed_ is not None:
            text += f", reversing the {reversed_.status} decision of {reversed_.author_name}"
    if decision.overrode_holder_id is not None:
        holder = decision.overrode_holder_name or decision.overrode_holder_id
        text += f", overriding the review hold of {holder}"
    return text
