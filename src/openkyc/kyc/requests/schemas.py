from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from openkyc.db.models import KycRequest
from openkyc.kyc.enums import (
    DEFAULT_MAX_ATTEMPTS,
    IDENTITY,
    DocumentSubtype,
    DocumentType,
    MatchLevel,
    RequestStatus,
)
from openkyc.wire import (
    Link,
    ResourceId,
    Timestamp,
    UtcDateTime,
    WireModel,
    embedded_field,
    links_field,
)


def _absolute_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http or https URL")
    return value


# The host part is plain ASCII as RFC 3986 spells it (an international domain in its
# punycode form, no bracketed IP literal), so that every string the published pattern admits
# is one the URL parser reads; anything may follow the first "/", "?" or "#".
RedirectUrl = Annotated[
    str,
    StringConstraints(
        max_length=2048,
        pattern=r"^[hH][tT][tT][pP][sS]?://[A-Za-z0-9._~%!$&'()*+,;=:@-]+(?:[/?#]|\n?$)",
    ),
    AfterValidator(_absolute_http_url),
]


class RequestedDocument(WireModel):
    type: DocumentType
    subtypes: list[DocumentSubtype | None] | None = None
    maxAttempts: int = Field(
        default=DEFAULT_MAX_ATTEMPTS, ge=0, le=100, description="Attempts allowed; 0 is unlimited."
    )
    faceProofRequired: bool = False
    faceLivenessRequired: bool = False

    @model_validator(mode="after")
    def _face_only_on_identity(self) -> RequestedDocument:
        if (self.faceProofRequired or self.faceLivenessRequired) and self.type != IDENTITY:
            raise ValueError(
                "faceProofRequired and faceLivenessRequired apply to identity-proof only"
            )
        if self.faceLivenessRequired:
            self.faceProofRequired = True
        return self


def _distinct_types(documents: list[RequestedDocument]) -> list[RequestedDocument]:
    types = [d.type for d in documents]
    if len(types) != len(set(types)):
        raise ValueError("each document type may be requested once")
    return documents


RequestedDocuments = Annotated[
    list[RequestedDocument], Field(min_length=1, max_length=5), AfterValidator(_distinct_types)
]


# An openkyc extension: the gatherer's design for one request, as the organization's
# ``uiVersion`` in its KYC settings names them; null (or left out) takes the organization's.
UiVersion = Literal["1", "2"]


class KycRequestIn(WireModel):
    customerId: ResourceId
    documents: RequestedDocuments
    redirectUrl: RedirectUrl | None = None
    reason: Annotated[str, StringConstraints(max_length=255)] | None = None
    matchLevel: MatchLevel = 2
    expirationTime: UtcDateTime | None = None
    uiVersion: UiVersion | None = None


class KycRequestPatch(WireModel):
    """The fields a PATCH may change; the customer of a request never changes."""

    documents: RequestedDocuments | None = None
    redirectUrl: RedirectUrl | None = None
    reason: Annotated[str, StringConstraints(max_length=255)] | None = None
    matchLevel: MatchLevel | None = None
    expirationTime: UtcDateTime | None = None
    uiVersion: UiVersion | None = None


class KycRequestOut(WireModel):
    id: str
    customerId: str
    documents: list[RequestedDocument]
    status: RequestStatus
    redirectUrl: str | None
    reason: str | None
    matchLevel: MatchLevel
    revision: int
    expirationTime: Timestamp
    uiVersion: str | None
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()
    embedded: dict[str, Any] | None = embedded_field()

    @classmethod
    def of(
        cls, request: KycRequest, links: list[Link], embedded: dict[str, Any] | None = None
    ) -> KycRequestOut:
        return cls(
            id=request.id,
            customerId=request.customer_id,
            documents=[RequestedDocument.model_validate(d) for d in request.documents],
            status=request.status,
            redirectUrl=request.redirect_url,
            reason=request.reason,
            matchLevel=request.match_level,
            revision=request.revision,
            expirationTime=request.expiration_time,
            uiVersion=request.ui_version,
            createdTime=request.created_time,
            updatedTime=request.updated_time,
            links=links,
            embedded=embedded,
        )
