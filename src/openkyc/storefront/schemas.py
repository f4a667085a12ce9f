"""The customer's side of the KYC API (Rebilly's storefront): what a customer token may
read and send. Customers see their own request and documents, never the merchant's notes,
settings, scores or reviewers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from openkyc.api_keys.schemas import AclEntry, AclScope
from openkyc.db.models import KycDocument, KycRequest
from openkyc.kyc.documents.schemas import FileIds, Hint, Rejection
from openkyc.kyc.enums import (
    DocumentStatus,
    DocumentSubtype,
    RequestStatus,
    UploadableDocumentType,
)
from openkyc.kyc.requests.schemas import RequestedDocument
from openkyc.wire import Link, Timestamp, UtcDateTime, WireModel, embedded_field, links_field

# What the customer may read of what was matched on their document.
IDENTITY_MATCHES = (
    "containsImage",
    "isIdentityDocument",
    "firstName",
    "lastName",
    "dateOfBirth",
    "expirationDate",
    "issueDate",
    "hasMinimalAge",
    "nationality",
    "issuanceCountry",
    "issuanceRegion",
    "documentNumber",
    "sex",
    "documentSubtype",
    "hasMatchingFaceProof",
    "hasCompletedFaceLiveness",
)
ADDRESS_MATCHES = (
    "firstName",
    "lastName",
    "line1",
    "city",
    "region",
    "postalCode",
    "wordCount",
    "uniqueWords",
    "date",
    "phone",
    "documentSubtype",
)
VISIBLE_MATCHES = {"identity-proof": IDENTITY_MATCHES, "address-proof": ADDRESS_MATCHES}


class StorefrontKycDocumentIn(WireModel):
    """A document of the token's request: the request comes from the token."""

    documentType: UploadableDocumentType
    documentSubtype: DocumentSubtype | None = None
    fileIds: FileIds = Field(default_factory=list)


class StorefrontKycDocumentPatch(WireModel):
    """Fields a customer may change on a document nobody has decided on yet."""

    documentType: UploadableDocumentType | None = None
    documentSubtype: DocumentSubtype | None = None
    fileIds: FileIds | None = None


class StorefrontMatches(WireModel):
    version: str
    data: dict[str, Any]


class StorefrontKycDocumentOut(WireModel):
    omit_when_none = ("hints",)

    id: str
    fileIds: list[str]
    documentType: UploadableDocumentType
    documentSubtype: DocumentSubtype | None
    status: DocumentStatus
    rejectionReason: Rejection | None
    requestId: str | None
    createdTime: Timestamp
    updatedTime: Timestamp
    processedTime: Timestamp | None
    documentMatches: StorefrontMatches | None
    # openkyc extension: what to fix for the next attempt, in plain words.
    hints: list[Hint] | None = None
    links: list[Link] = links_field()

    @classmethod
    def of(cls, document: KycDocument, links: list[Link]) -> StorefrontKycDocumentOut:
        return cls(
            id=document.id,
            fileIds=list(document.file_ids or []),
            documentType=UploadableDocumentType(document.document_type),
            documentSubtype=document.document_subtype,
            status=document.status,
            rejectionReason=Rejection.model_validate(document.rejection_reason)
            if document.rejection_reason
            else None,
            requestId=document.request_id,
            createdTime=document.created_time,
            updatedTime=document.updated_time,
            processedTime=document.processed_time,
            documentMatches=_visible_matches(document),
            hints=[Hint.model_validate(h) for h in document.hints] if document.hints else None,
            links=links,
        )


def _visible_matches(document: KycDocument) -> StorefrontMatches | None:
    matches = document.document_matches
    visible = VISIBLE_MATCHES.get(document.document_type)
    if not matches or visible is None:
        return None
    data = matches.get("data") or {}
    return StorefrontMatches(
        version=str(matches.get("version", "")), data={k: data[k] for k in visible if k in data}
    )


class StorefrontKycRequestOut(WireModel):
    id: str
    documents: list[RequestedDocument]
    status: RequestStatus
    redirectUrl: str | None
    expirationTime: Timestamp
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()
    embedded: dict[str, Any] | None = embedded_field()

    @classmethod
    def of(
        cls, request: KycRequest, links: list[Link], embedded: dict[str, Any] | None = None
    ) -> StorefrontKycRequestOut:
        return cls(
            id=request.id,
            documents=[RequestedDocument.model_validate(d) for d in request.documents],
            status=request.status,
            redirectUrl=request.redirect_url,
            expirationTime=request.expiration_time,
            createdTime=request.created_time,
            updatedTime=request.updated_time,
            links=links,
            embedded=embedded,
        )


class CustomerJWTIn(WireModel):
    """An exchange asks for a customer token; it may ask it to expire sooner."""

    invalidate: bool = True
    expiredTime: UtcDateTime | None = None


class CustomerJWTOut(WireModel):
    id: str
    type: Literal["customer"] = "customer"
    token: str
    customerId: str
    acl: list[AclEntry]
    customClaims: dict[str, Any]
    createdTime: Timestamp
    updatedTime: Timestamp
    expiredTime: Timestamp
    links: list[Link] = links_field()

    @classmethod
    def of(
        cls,
        token_id: str,
        token: str,
        request: KycRequest,
        permissions: list[str],
        created: datetime,
        expires: datetime,
        links: list[Link],
    ) -> CustomerJWTOut:
        return cls(
            id=token_id,
            token=token,
            customerId=request.customer_id,
            acl=[
                AclEntry(
                    scope=AclScope(organizationId=[request.organization_id]),
                    permissions=permissions,
                )
            ],
            customClaims={
                "kycRequestId": request.id,
                "documents": [d["type"] for d in request.documents],
                "redirectUrl": request.redirect_url,
            },
            createdTime=created,
            updatedTime=created,
            expiredTime=expires,
            links=links,
        )


class ConsentIn(WireModel):
    """openkyc: the customer agrees to pictures of their face for this request, in the words
    shown to them (``textVersion``, as the gatherer's page gives it, in ``language``)."""

    language: Literal["en", "fr", "es"]
    textVersion: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class ConsentOut(WireModel):
    id: str
    requestId: str
    customerId: str
    language: str
    textVersion: str
    givenTime: Timestamp
