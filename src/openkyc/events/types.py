"""Event types. Rebilly's own, plus a few openkyc adds for changes Rebilly has no event for."""

from __future__ import annotations

from openkyc.kyc.enums import RequestStatus

KYC_DOCUMENT_CREATED = "kyc-document-created"
KYC_DOCUMENT_MODIFIED = "kyc-document-modified"
KYC_DOCUMENT_ACCEPTED = "kyc-document-accepted"
KYC_DOCUMENT_REJECTED = "kyc-document-rejected"
KYC_DOCUMENT_REVIEWED = "kyc-document-reviewed"
KYC_DOCUMENT_ARCHIVED = "kyc-document-archived"
KYC_REQUEST_ATTEMPTED = "kyc-request-attempted"
KYC_REQUEST_PARTIALLY_FULFILLED = "kyc-request-partially-fulfilled"
KYC_REQUEST_FULFILLED = "kyc-request-fulfilled"
KYC_REQUEST_FAILED = "kyc-request-failed"
CUSTOMER_CREATED = "customer-created"
CUSTOMER_UPDATED = "customer-updated"
CUSTOMER_MERGED = "customer-merged"
AML_LIST_POSSIBLY_MATCHED = "aml-list-possibly-matched"

# openkyc extensions: a request created, changed without a Rebilly event (pending-review,
# abandoned, expired, PATCH) or deleted.
KYC_REQUEST_CREATED = "kyc-request-created"
KYC_REQUEST_MODIFIED = "kyc-request-modified"
KYC_REQUEST_DELETED = "kyc-request-deleted"

REBILLY_EVENT_TYPES = (
    KYC_DOCUMENT_ACCEPTED,
    KYC_DOCUMENT_CREATED,
    KYC_DOCUMENT_MODIFIED,
    KYC_DOCUMENT_REJECTED,
    KYC_DOCUMENT_REVIEWED,
    KYC_DOCUMENT_ARCHIVED,
    KYC_REQUEST_ATTEMPTED,
    KYC_REQUEST_FAILED,
    KYC_REQUEST_FULFILLED,
    KYC_REQUEST_PARTIALLY_FULFILLED,
    CUSTOMER_CREATED,
    CUSTOMER_UPDATED,
    CUSTOMER_MERGED,
    AML_LIST_POSSIBLY_MATCHED,
)
EXTENSION_EVENT_TYPES = (KYC_REQUEST_CREATED, KYC_REQUEST_MODIFIED, KYC_REQUEST_DELETED)
ALL_EVENT_TYPES = REBILLY_EVENT_TYPES + EXTENSION_EVENT_TYPES

# Events stored even when no webhook listens: the reports read the machine's decisions back
# from them (a person's later decision overwrites the document's own fields).
KEPT_EVENT_TYPES = frozenset({KYC_DOCUMENT_ACCEPTED, KYC_DOCUMENT_REJECTED})

# The event a request's new status announces.
REQUEST_STATUS_EVENTS = {
    "attempted": KYC_REQUEST_ATTEMPTED,
    "partial": KYC_REQUEST_PARTIALLY_FULFILLED,
    RequestStatus.FULFILLED: KYC_REQUEST_FULFILLED,
    RequestStatus.FAILED: KYC_REQUEST_FAILED,
}
