from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from openkyc.db.collection import Field, FieldSet
from openkyc.db.models import KycRequest
from openkyc.db.repository import TenantRepository
from openkyc.kyc.enums import RequestStatus
from openkyc.kyc.status import PERMANENT

FIELDS = FieldSet.of(
    Field("id", KycRequest.id),
    Field("customerId", KycRequest.customer_id),
    Field("status", KycRequest.status),
    Field("matchLevel", KycRequest.match_level, "integer", sortable=False),
    Field("createdTime", KycRequest.created_time, "datetime"),
    Field("updatedTime", KycRequest.updated_time, "datetime"),
    Field("expirationTime", KycRequest.expiration_time, "datetime"),
)
TEMPORARY = (
    RequestStatus.GATHERING,
    RequestStatus.ATTEMPTED,
    RequestStatus.PARTIAL,
    RequestStatus.PENDING_REVIEW,
)
assert not set(TEMPORARY) & PERMANENT


class KycRequestRepository(TenantRepository[KycRequest]):
    model = KycRequest
    fields = FIELDS

    def scoped(self) -> Select[KycRequest]:
        """Deleted requests stay for the audit trail of their documents, invisible here."""
        return super().scoped().where(KycRequest.deleted_time.is_(None))

    def get(self, request_id: str, *, for_update: bool = False) -> KycRequest | None:
        # Locked: two document changes of one request must not derive its status from stale rows.
        return self.get_scoped(request_id, for_update=for_update)

    def for_customer(self, customer_id: str) -> list[KycRequest]:
        return list(
            self.session.scalars(self.scoped().where(KycRequest.customer_id == customer_id))
        )

    def withdrawn_for_customer(self, customer_id: str) -> list[KycRequest]:
        """The customer's deleted requests, kept for the audit trail of their documents."""
        statement = (
            super()
            .scoped()
            .where(KycRequest.customer_id == customer_id, KycRequest.deleted_time.is_not(None))
        )
        return list(self.session.scalars(statement))


def due_for_expiry(session: Session, now: datetime, limit: int) -> list[KycRequest]:
    """Temporary requests past their expiration, of every organization, locked for this worker
    (other workers skip them)."""
    statement = (
        select(KycRequest)
        .where(
            KycRequest.status.in_(TEMPORARY),
            KycRequest.expiration_time <= now,
            KycRequest.deleted_time.is_(None),
        )
        .order_by(KycRequest.expiration_time)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(statement))


def by_short_code(session: Session, code: str) -> KycRequest | None:
    """The request of a gatherer short link, whatever its organization (the code is the
    only thing the customer has: it is unique over all of them)."""
    statement = select(KycRequest).where(
        KycRequest.short_code == code, KycRequest.deleted_time.is_(None)
    )
    return session.scalars(statement).first()
