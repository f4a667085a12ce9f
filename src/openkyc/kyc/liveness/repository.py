from __future__ import annotations

from sqlalchemy import func, select

from openkyc.db.models import KycLivenessSession
from openkyc.db.repository import TenantRepository
from openkyc.kyc.liveness.enums import LivenessStatus


class LivenessRepository(TenantRepository[KycLivenessSession]):
    model = KycLivenessSession

    def get(self, session_id: str, *, for_update: bool = False) -> KycLivenessSession | None:
        return self.get_scoped(session_id, for_update=for_update)

    def for_customer(self, customer_id: str) -> list[KycLivenessSession]:
        statement = self.scoped().where(KycLivenessSession.customer_id == customer_id)
        return list(self.session.scalars(statement))

    def count_for_request(self, request_id: str) -> int:
        statement = select(func.count()).where(
            KycLivenessSession.organization_id == self.organization_id,
            KycLivenessSession.request_id == request_id,
        )
        return int(self.session.scalar(statement) or 0)

    def succeeded_with_reference(
        self, request_id: str, file_ids: list[str]
    ) -> KycLivenessSession | None:
        """A succeeded session of the request whose selfie is one of these files."""
        statement = self.scoped().where(
            KycLivenessSession.request_id == request_id,
            KycLivenessSession.status == LivenessStatus.SUCCEEDED,
            KycLivenessSession.reference_file_id.in_(file_ids),
        )
        return self.session.scalars(statement.limit(1)).first()

    def pending_among(self, session_ids: list[str]) -> list[KycLivenessSession]:
        """The sessions among these ids still recording or waiting for their check."""
        statement = self.scoped().where(
            KycLivenessSession.id.in_(session_ids),
            KycLivenessSession.status == LivenessStatus.PENDING,
        )
        return list(self.session.scalars(statement))
