"""The vocabulary of KYC requests and documents, as in Rebilly's contract: one enum per
closed set, shared by the stored rows, the wire schemas and the rules."""

from __future__ import annotations

from typing import Literal

from openkyc.enums import DecisionState as DecisionState  # people's reviews share it
from openkyc.enums import WireEnum


class DocumentType(WireEnum):
    IDENTITY = "identity-proof"
    ADDRESS = "address-proof"
    FUNDS = "funds-proof"
    PURCHASE = "purchase-proof"
    CREDIT_FILE = "credit-file-proof"


class UploadableDocumentType(WireEnum):
    """What a client may upload: credit-file documents come only from a request's credit check."""

    IDENTITY = "identity-proof"
    ADDRESS = "address-proof"
    FUNDS = "funds-proof"
    PURCHASE = "purchase-proof"


class DocumentSubtype(WireEnum):
    PASSPORT = "passport"
    ID_CARD = "id-card"
    DRIVER_LICENSE = "driver-license"
    BIRTH_CERTIFICATE = "birth-certificate"
    UTILITY_BILL = "utility-bill"
    RENTAL_RECEIPT = "rental-receipt"
    LEASE_AGREEMENT = "lease-agreement"
    COPY_CREDIT_CARD = "copy-credit-card"
    CREDIT_CARD_STATEMENT = "credit-card-statement"
    BANK_STATEMENT = "bank-statement"
    INHERITANCE_DOCUMENTATION = "inheritance-documentation"
    TAX_RETURN = "tax-return"
    SALARY_SLIP = "salary-slip"
    SALE_OF_ASSETS = "sale-of-assets"
    PUBLIC_HEALTH_CARD = "public-health-card"
    PROOF_OF_AGE_CARD = "proof-of-age-card"
    REVERSE_OF_ID = "reverse-of-id"
    PUBLIC_SERVICE = "public-service"
    EWALLET_HOLDER_DETAILS = "ewallet-holder-details"
    EWALLET_TRANSACTION_STATEMENT = "ewallet-transaction-statement"
    MARRIAGE_CERTIFICATE = "marriage-certificate"
    FIREARMS_LICENSE = "firearms-license"
    INSURANCE_LETTER = "insurance-letter"
    INCOME_STATEMENT = "income-statement"
    DEBTORS_LETTER = "debtors-letter"
    OTHER = "other"


class DocumentStatus(WireEnum):
    PENDING = "pending"
    IN_PROGRESS = "in-progress"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class RequestStatus(WireEnum):
    GATHERING = "gathering"
    ATTEMPTED = "attempted"
    PARTIAL = "partial"
    PENDING_REVIEW = "pending-review"
    FULFILLED = "fulfilled"
    FAILED = "failed"
    ABANDONED = "abandoned"
    EXPIRED = "expired"


class RejectionType(WireEnum):
    DOCUMENT_UNREADABLE = "document-unreadable"
    DOCUMENT_EXPIRED = "document-expired"
    DOCUMENT_WAS_VALID_BUT_EXPIRED = "document-was-valid-but-expired"
    DOCUMENT_NOT_MATCHING = "document-not-matching"
    DOCUMENT_DUPLICATE = "document-duplicate"
    DOCUMENT_INVALID = "document-invalid"
    DOCUMENT_NOT_OPEN = "document-not-open"
    UNDERAGE_PERSON = "underage-person"
    THIRD_PARTY_OR_MISMATCH = "third-party-or-mismatch"
    EXPIRATION_DATE_MISSING = "expiration-date-missing"
    ISSUE_DATE_MISSING = "issue-date-missing"
    SUBTYPE_MISSING = "subtype-missing"
    DOB_MISMATCH = "dob-mismatch"
    NAME_MISMATCH = "name-mismatch"
    NAME_AND_DOB_MISMATCH = "name-and-dob-mismatch"
    CRITICAL_INFO_MISSING = "critical-info-missing"
    OLD_ADDRESS_ON_ID = "old-address-on-id"
    TAMPERED_DOCUMENT = "tampered-document"
    OTHER = "other"


MatchLevel = Literal[1, 2, 3]
# How many documents of a kind a request asks for before it gives up, unless it says.
DEFAULT_MAX_ATTEMPTS = 3

IDENTITY = DocumentType.IDENTITY
ADDRESS = DocumentType.ADDRESS
CREDIT_FILE = DocumentType.CREDIT_FILE
# Documents the analyser reads; the others wait for a person.
ANALYSED_TYPES = frozenset({IDENTITY, ADDRESS})
# What an identity file shows, said by one of its tags (with `kyc`).
ID_FRONT, ID_BACK, FACE_PROOF = "id-front", "id-back", "face-proof"
IDENTITY_FILE_ROLES = (ID_FRONT, ID_BACK, FACE_PROOF)
# The version of the `documentMatches` object openkyc writes.
MATCHES_VERSION = "2.0"
