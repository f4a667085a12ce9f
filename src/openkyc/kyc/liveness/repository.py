from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkyc.db.models import KycLivenessSession
from openkyc.kyc.liveness.enums import LivenessStatus


class LivenessRepository:
    def __init__(self, session: Session, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def get(self, session_id: str, *, for_update: bool = False) -> KycLivenessSession | None:
        statement = select(KycLivenessSession).where(
            KycLivenessSession.organization_id == self.organization_id,
            KycLivenessSession.id == session_id,
        )
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).one_or_none()

    def for_customer(self, customer_id: str) -> list[KycLivenessSession]:
        statement = select(KycLivenessSession).where(
            KycLivenessSession.organization_id == self.organization_id,
            KycLivenessSession.customer_id == customer_id,
        )
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
        statement = select(KycLivenessSession).where(
            KycLivenessSession.organization_id == self.organization_id,
            KycLivenessSession.request_id == request_id,
            KycLivenessSession.status == LivenessStatus.SUCCEEDED,
            KycLivenessSession.reference_file_id.in_(file_ids),
        )
        return self.session.scalars(statement.limit(1)).first()

    def pending_among(self, session_ids: list[str]) -> list[KycLivenessSession]:
        """The sessions among these ids still recording or waiting for their check."""
        statement = select(KycLivenessSession).where(
            KycLivenessSession.organization_id == self.organization_id,
            KycLivenessSession.id.in_(session_ids),
            KycLivenessSession.status == "pending",
        )
        return list(self.session.scalars(statement))

    def add(self, liveness: KycLivenessSession) -> KycLivenessSession:
        self.session.add(liveness)
        self.session.flush()
        return liveness
