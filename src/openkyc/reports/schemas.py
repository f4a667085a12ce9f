"""The reports as clients read them (Rebilly's field names, openkyc's definitions)."""

from __future__ import annotations

from pydantic import Field

from openkyc.enums import WireEnum
from openkyc.kyc.enums import DocumentType, RejectionType
from openkyc.wire import WireModel


class ReportedRequestStatus(WireEnum):
    """The statuses of a request the request report counts, in the order it lists them."""

    PENDING_REVIEW = "pending-review"
    FULFILLED = "fulfilled"
    FAILED = "failed"
    ABANDONED = "abandoned"
    EXPIRED = "expired"


class DecisionFigures(WireModel):
    total: int = Field(description="Documents now in this status.")
    automatically: int = Field(description="Decided by the analyser or the credit bureau.")
    manually: int = Field(description="Decided by a person's acceptance or rejection action.")


class AcceptedFigures(DecisionFigures):
    afterAutoRejected: int = Field(
        description="Accepted by a person after the analyser or the bureau had rejected them."
    )


class RejectedFigures(DecisionFigures):
    afterAutoAccepted: int = Field(
        description="Rejected by a person after the analyser or the bureau had accepted them."
    )


class CountFigure(WireModel):
    total: int


class StatusFigures(WireModel):
    accepted: AcceptedFigures
    rejected: RejectedFigures
    pending: CountFigure = Field(
        description="Documents waiting for a decision (pending, or still being analysed)."
    )
    archived: CountFigure


class AcceptanceSummaryRow(WireModel):
    documentType: DocumentType
    statusStatistics: StatusFigures
    total: int = Field(description="Documents of this type created in the period.")
    accuracyRate: float | None = Field(
        description="Percent of the documents not archived whose automatic decision no person "
        "reversed; null when every document is archived."
    )
    acceptanceRate: float | None = Field(
        description="Percent of the documents not archived that are accepted; null when every "
        "document is archived."
    )
    manualReviewTime: float | None = Field(
        description="Median minutes from a document's creation to its review by a person, "
        "over the documents a person reviewed; null when none was."
    )


class AcceptanceSummary(WireModel):
    data: list[AcceptanceSummaryRow]


class RejectionReasonCount(WireModel):
    rejectionReason: RejectionType
    count: int = Field(ge=0)


class RejectionSummaryRow(WireModel):
    documentType: DocumentType
    rejectionReasons: list[RejectionReasonCount]


class RejectionSummary(WireModel):
    data: list[RejectionSummaryRow]


class RequestStatusCount(WireModel):
    # Rebilly's name for the field; it holds the requests' status.
    rejectionReason: ReportedRequestStatus = Field(description="The requests' status.")
    count: int = Field(ge=0)


class RequestSummary(WireModel):
    data: list[RequestStatusCount]
