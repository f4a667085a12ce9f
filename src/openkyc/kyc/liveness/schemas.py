from __future__ import annotations

from pydantic import Field

from openkyc.db.models import KycLivenessSession
from openkyc.kyc.liveness.enums import LivenessStatus
from openkyc.wire import Link, ResourceId, Timestamp, WireModel, links_field


class LivenessSessionIn(WireModel):
    kycRequestId: ResourceId


class LivenessSessionOut(WireModel):
    omit_when_none = ("failureReason", "referenceFileId")

    id: str
    customerId: str
    kycRequestId: str
    sessionId: str
    status: LivenessStatus
    referenceImage: str | None
    createdTime: Timestamp
    updatedTime: Timestamp
    # openkyc extensions: the poses to show (in order), how long the session lasts, how
    # many frames arrived, why it failed, and the selfie file to use in the document.
    challenge: list[str]
    expirationTime: Timestamp
    frameCount: int = Field(ge=0)
    failureReason: str | None = None
    referenceFileId: str | None = None
    links: list[Link] = links_field()

    @classmethod
    def of(
        cls, liveness: KycLivenessSession, links: list[Link], reference_image: str | None
    ) -> LivenessSessionOut:
        return cls(
            id=liveness.id,
            customerId=liveness.customer_id,
            kycRequestId=liveness.request_id,
            sessionId=liveness.id,
            status=liveness.status,
            referenceImage=reference_image,
            createdTime=liveness.created_time,
            updatedTime=liveness.updated_time,
            challenge=list(liveness.challenge),
            expirationTime=liveness.expiration_time,
            frameCount=len(liveness.frames),
            failureReason=liveness.failure_reason,
            referenceFileId=liveness.reference_file_id,
            links=links,
        )
