from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from openkyc.db.base import Base, ResourceMixin, TimestampedMixin, tenant_table_args
from openkyc.db.functions import check_list, matches_score
from openkyc.db.types import EnumText, JSONType, UTCDateTime
from openkyc.kyc.enums import (
    DecisionState,
    DocumentStatus,
    DocumentSubtype,
    DocumentType,
    MatchLevel,
    RequestStatus,
)
from openkyc.tags.enums import TagType


def _customer_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "customer_id"],
        ["customers.organization_id", "customers.id"],
        ondelete="CASCADE",
    )


class KycSettingsRow(TimestampedMixin, Base):
    """An organization's scoring settings; absent until the merchant changes the defaults."""

    __tablename__ = "kyc_settings"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class KycRequest(ResourceMixin, Base):
    """A merchant's request for a customer's documents. Its status follows the documents."""

    __tablename__ = "kyc_requests"

    customer_id: Mapped[str] = mapped_column(String(50), nullable=False)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False)
    status: Mapped[RequestStatus] = mapped_column(EnumText(RequestStatus, 20), nullable=False)
    redirect_url: Mapped[str | None] = mapped_column(String(2048))
    reason: Mapped[str | None] = mapped_column(String(255))
    # The gatherer's short link (``/g/{code}``), unique over every organization.
    short_code: Mapped[str | None] = mapped_column(String(16))
    # The gatherer's design for this request; None: the organization's ``uiVersion``.
    ui_version: Mapped[str | None] = mapped_column(String(1))
    match_level: Mapped[MatchLevel] = mapped_column(Integer, nullable=False, default=2)
    expiration_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Deleted requests stay for the audit trail of their documents, invisible to the API.
    deleted_time: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = tenant_table_args(
        _customer_fk(),
        Index(None, "organization_id", "customer_id"),
        Index(None, "organization_id", "status"),
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "updated_time"),
        Index(None, "organization_id", "expiration_time"),
        # The expiry job's scan: temporary requests by expiration, across organizations.
        Index(None, "status", "expiration_time"),
        Index("ix_kyc_requests_short_code", "short_code", unique=True),
    )


class KycDocument(ResourceMixin, Base):
    """A document a customer provided, its analysis and its review."""

    __tablename__ = "kyc_documents"

    customer_id: Mapped[str] = mapped_column(String(50), nullable=False)
    request_id: Mapped[str | None] = mapped_column(String(50))
    document_type: Mapped[DocumentType] = mapped_column(EnumText(DocumentType, 30), nullable=False)
    document_subtype: Mapped[DocumentSubtype | None] = mapped_column(EnumText(DocumentSubtype, 40))
    status: Mapped[DocumentStatus] = mapped_column(EnumText(DocumentStatus, 20), nullable=False)
    file_ids: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    rejection_reason: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    processed_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewer_id: Mapped[str | None] = mapped_column(String(50))
    reviewer_name: Mapped[str | None] = mapped_column(String(255))
    review_start_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(255))
    match_level: Mapped[MatchLevel] = mapped_column(Integer, nullable=False, default=2)
    document_matches: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    parsed_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # What the customer should do to make the next upload pass (from the analyser).
    hints: Mapped[list[dict[str, str]] | None] = mapped_column(JSONType)
    # Why the analyser could not decide, when it could not.
    analysis_error: Mapped[str | None] = mapped_column(Text)
    # An analysis job speaks for the current files; its result is kept whenever it comes.
    analysis_pending: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    # The person's decision in force (kyc_document_decisions), if a person decided.
    decision_id: Mapped[str | None] = mapped_column(String(50))
    # A decision waiting for a second person (the four-eyes rule).
    proposal_id: Mapped[str | None] = mapped_column(String(50))

    __table_args__ = tenant_table_args(
        _customer_fk(),
        Index(None, "organization_id", "customer_id"),
        Index(None, "organization_id", "request_id"),
        Index(None, "organization_id", "document_type"),
        Index(None, "organization_id", "status"),
        Index(None, "organization_id", "created_time"),
        Index(None, "organization_id", "updated_time"),
        # The review queue: the documents of one status, oldest first; with their type, its
        # counts (how many of each type, the oldest) read the index alone.
        Index(
            "ix_kyc_documents_queue", "organization_id", "status", "created_time", "document_type"
        ),
        # Its filters on the score and on a failed check.
        Index(
            "ix_kyc_documents_queue_score",
            "organization_id",
            "status",
            matches_score(document_matches),
            "created_time",
            "document_type",
        ),
        Index(
            "ix_kyc_documents_check_list", check_list(document_matches), postgresql_using="gin"
        ).ddl_if(dialect="postgresql"),
    )


class Tag(ResourceMixin, Base):
    """A label for customers or KYC documents. Names are unique per organization, any case."""

    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[TagType] = mapped_column(EnumText(TagType, 20), nullable=False)

    __table_args__ = tenant_table_args(
        Index("uq_tags_org_name", "organization_id", func.lower(name), unique=True),
        Index(None, "organization_id", "created_time"),
    )


class KycDocumentTag(Base):
    __tablename__ = "kyc_document_tags"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    kyc_document_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    tag_id: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "kyc_document_id"],
            ["kyc_documents.organization_id", "kyc_documents.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "tag_id"], ["tags.organization_id", "tags.id"], ondelete="CASCADE"
        ),
        Index(None, "organization_id", "tag_id"),
    )


class CustomerTag(Base):
    __tablename__ = "customer_tags"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    tag_id: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (
        _customer_fk(),
        ForeignKeyConstraint(
            ["organization_id", "tag_id"], ["tags.organization_id", "tags.id"], ondelete="CASCADE"
        ),
        Index(None, "organization_id", "tag_id"),
    )


class KycDocumentFingerprint(Base):
    """What identifies the person behind a document (document number and birth date, the
    portrait's perceptual hash and its bands), so a document reused by another customer of
    the organization is found with an index, not a scan."""

    __tablename__ = "kyc_document_fingerprints"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    kyc_document_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(128), nullable=False)
    customer_id: Mapped[str] = mapped_column(String(50), nullable=False)

    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "kyc_document_id"],
            ["kyc_documents.organization_id", "kyc_documents.id"],
            ondelete="CASCADE",
        ),
        Index(None, "organization_id", "kind", "value"),
        Index(None, "organization_id", "customer_id"),
    )


class KycDocumentDecision(Base):
    """One decision a person made on a document. Never changed: a reversal, a confirmation
    or an override is a new row pointing at the one it follows."""

    __tablename__ = "kyc_document_decisions"

    organization_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    kyc_document_id: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[DocumentStatus] = mapped_column(EnumText(DocumentStatus, 20), nullable=False)
    rejection_reason: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    state: Mapped[DecisionState] = mapped_column(EnumText(DecisionState, 20), nullable=False)
    author_id: Mapped[str] = mapped_column(String(50), nullable=False)
    author_name: Mapped[str] = mapped_column(String(255), nullable=False)
    author_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    reverses_id: Mapped[str | None] = mapped_column(String(50))
    confirms_id: Mapped[str | None] = mapped_column(String(50))
    # The person whose review hold an admin overrode to make this decision.
    overrode_holder_id: Mapped[str | None] = mapped_column(String(50))
    overrode_holder_name: Mapped[str | None] = mapped_column(String(255))
    created_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "kyc_document_id"],
            ["kyc_documents.organization_id", "kyc_documents.id"],
            ondelete="CASCADE",
        ),
        Index("ix_kyc_document_decisions_document", "organization_id", "kyc_document_id"),
    )
