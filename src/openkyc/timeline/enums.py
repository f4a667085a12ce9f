from __future__ import annotations

from enum import StrEnum


class TimelineType(StrEnum):
    """The timeline message types openkyc writes (Rebilly's names where Rebilly has one)."""

    KYC_DOCUMENT_CREATED = "kyc-document-created"
    KYC_DOCUMENT_MODIFIED = "kyc-document-modified"
    KYC_DOCUMENT_ACCEPTED = "kyc-document-accepted"
    KYC_DOCUMENT_REJECTED = "kyc-document-rejected"
    KYC_DOCUMENT_REVIEWED = "kyc-document-reviewed"
    KYC_REQUEST_FULFILLED = "kyc-request-fulfilled"
    AML_LIST_WAS_POSSIBLY_MATCHED = "aml-list-was-possibly-matched"
    # openkyc's own: changes to a KYC request Rebilly's list has no name for.
    KYC_REQUEST_CREATED = "kyc-request-created"
    KYC_REQUEST_MODIFIED = "kyc-request-modified"
    # openkyc's own: a person's review of an AML check (hold, release, decision).
    AML_CHECK_MODIFIED = "aml-check-modified"
    AML_CHECK_REVIEWED = "aml-check-reviewed"
    # openkyc's own: the customer agreed, on the gatherer, to pictures of their face.
    KYC_CONSENT_GIVEN = "kyc-consent-given"
    COMMENT = "customer-comment-created"
    CUSTOM_EVENT = "custom-event"


# What a person may delete: what people wrote. Everything else is the system's record.
DELETABLE = frozenset({TimelineType.COMMENT, TimelineType.CUSTOM_EVENT})


class TriggeredBy(StrEnum):
    SYSTEM = "rebilly"
    APP = "app"
    API = "direct-api"
