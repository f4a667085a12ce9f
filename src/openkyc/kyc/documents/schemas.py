from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from openkyc.db.models import KycDocument, KycDocumentDecision
from openkyc.kyc.enums import (
    DecisionState,
    DocumentStatus,
    DocumentSubtype,
    DocumentType,
    MatchLevel,
    RejectionType,
    UploadableDocumentType,
)
from openkyc.wire import (
    Link,
    ResourceId,
    StrictWireModel,
    Timestamp,
    WireModel,
    embedded_field,
    links_field,
)

FileIds = Annotated[list[ResourceId], Field(max_length=10)]


class KycDocumentIn(WireModel):
    customerId: ResourceId
    documentType: UploadableDocumentType
    documentSubtype: DocumentSubtype | None = None
    fileIds: FileIds = Field(default_factory=list)
    notes: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    reason: Annotated[str, StringConstraints(max_length=255)] | None = None
    matchLevel: MatchLevel | None = None
    # An openkyc extension: attach the document to one of the customer's open requests.
    requestId: ResourceId | None = None


class RejectionIn(StrictWireModel):
    type: RejectionType
    message: Annotated[str, StringConstraints(max_length=255)] | None = None


class _Overwrite(StrictWireModel):
    firstName: str | None = None
    lastName: str | None = None
    documentSubtype: DocumentSubtype | None = None


class IdentityMatchesOverwrite(_Overwrite):
    type: Literal["identity-proof"]
    containsImage: bool | None = None
    isIdentityDocument: bool | None = None
    isPublishedOnline: bool | None = None
    matchingImages: Annotated[list[str], Field(max_length=3)] | None = None
    dateOfBirth: str | None = None
    expirationDate: str | None = None
    issueDate: str | None = None
    hasMinimalAge: bool | None = None
    nationality: Annotated[str, StringConstraints(max_length=3)] | None = None
    issuanceCountry: Annotated[str, StringConstraints(min_length=2, max_length=2)] | None = None
    issuanceRegion: str | None = None
    documentNumber: str | None = None
    sex: Annotated[str, StringConstraints(pattern=r"^[MFX]$")] | None = None
    mrzChecksumValid: bool | None = None
    hasMatchingFaceProof: bool | None = None
    isTampered: bool | None = None
    isDigitallyTampered: bool | None = None
    isPhotocopy: bool | None = None
    hasCompletedFaceLiveness: bool | None = None


class AddressMatchesOverwrite(_Overwrite):
    type: Literal["address-proof"]
    line1: str | None = None
    city: str | None = None
    region: str | None = None
    postalCode: str | None = None
    wordCount: int | None = None
    uniqueWords: int | None = None
    date: str | None = None
    phone: str | None = None
    isTampered: bool | None = None


class PurchaseMatchesOverwrite(_Overwrite):
    type: Literal["purchase-proof"]
    paymentInstrumentId: str | None = None


class FundsMatchesOverwrite(_Overwrite):
    type: Literal["funds-proof"]


MatchesOverwrite = Annotated[
    IdentityMatchesOverwrite
    | AddressMatchesOverwrite
    | PurchaseMatchesOverwrite
    | FundsMatchesOverwrite,
    Field(discriminator="type"),
]


class KycCheck(WireModel):
    name: str
    failed: bool
    score: int
    reason: str | None = None


class DocumentMatches(WireModel):
    version: str
    score: int | None = None
    checkList: list[KycCheck] | None = None
    data: dict[str, Any]


class Rejection(WireModel):
    type: RejectionType
    message: str | None = None


class Hint(WireModel):
    code: str
    message: str


class KycDocumentOut(WireModel):
    omit_when_none = ("_embedded", "hints", "analysisError")

    id: str
    customerId: str
    requestId: str | None
    documentType: DocumentType
    documentSubtype: DocumentSubtype | None
    status: DocumentStatus
    fileIds: list[str]
    rejectionReason: Rejection | None
    processedTime: Timestamp | None
    reviewerId: str | None
    reviewerName: str | None
    reviewStartTime: Timestamp | None
    reviewTime: Timestamp | None
    notes: str | None
    tags: list[dict[str, Any]]
    reason: str | None
    matchLevel: MatchLevel
    revision: int
    documentMatches: DocumentMatches | None
    parsedData: DocumentMatches | None
    settings: dict[str, Any] | None
    # openkyc extensions: what the customer should do next, and why no automatic decision.
    hints: list[Hint] | None = None
    analysisError: str | None = None
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()
    embedded: dict[str, Any] | None = embedded_field()

    @classmethod
    def of(
        cls,
        document: KycDocument,
        links: list[Link],
        tags: list[dict[str, Any]] | None = None,
        embedded: dict[str, Any] | None = None,
    ) -> KycDocumentOut:
        return cls(
            id=document.id,
            customerId=document.customer_id,
            requestId=document.request_id,
            documentType=document.document_type,
            documentSubtype=document.document_subtype,
            status=document.status,
            fileIds=list(document.file_ids or []),
            rejectionReason=Rejection.model_validate(document.rejection_reason)
            if document.rejection_reason
            else None,
            processedTime=document.processed_time,
            reviewerId=document.reviewer_id,
            reviewerName=document.reviewer_name,
            reviewStartTime=document.review_start_time,
            reviewTime=document.review_time,
            notes=document.notes,
            tags=tags or [],
            reason=document.reason,
            matchLevel=document.match_level,
            revision=document.revision,
            documentMatches=DocumentMatches.model_validate(document.document_matches)
            if document.document_matches
            else None,
            parsedData=DocumentMatches.model_validate(document.parsed_data)
            if document.parsed_data
            else None,
            settings=document.settings,
            hints=[Hint.model_validate(h) for h in document.hints] if document.hints else None,
            analysisError=document.analysis_error,
            createdTime=document.created_time,
            updatedTime=document.updated_time,
            links=links,
            embedded=embedded,
        )


class KycDocumentDecisionOut(WireModel):
    """A decision a person made on a document (openkyc's history of decisions)."""

    id: str
    status: str
    state: DecisionState
    rejectionReason: dict[str, Any] | None
    authorId: str
    authorName: str
    reverses: str | None
    confirms: str | None
    overrodeHolderId: str | None
    overrodeHolderName: str | None
    createdTime: Timestamp

    @classmethod
    def of(cls, decision: KycDocumentDecision) -> KycDocumentDecisionOut:
        return cls(
            id=decision.id,
            status=decision.status,
            state=decision.state,
            rejectionReason=decision.rejection_reason,
            authorId=decision.author_id,
            authorName=decision.author_name,
            reverses=decision.reverses_id,
            confirms=decision.confirms_id,
            overrodeHolderId=decision.overrode_holder_id,
            overrodeHolderName=decision.overrode_holder_name,
            createdTime=decision.created_time,
        )
