"""The vocabulary of KYC documents, as in Rebilly's contract."""

from __future__ import annotations

from typing import Literal

DocumentType = Literal[
    "identity-proof", "address-proof", "funds-proof", "purchase-proof", "credit-file-proof"
]
# What a client may upload: credit-file documents come only from a request's credit check.
UploadableDocumentType = Literal["identity-proof", "address-proof", "funds-proof", "purchase-proof"]
DocumentSubtype = Literal[
    "passport",
    "id-card",
    "driver-license",
    "birth-certificate",
    "utility-bill",
    "rental-receipt",
    "lease-agreement",
    "copy-credit-card",
    "credit-card-statement",
    "bank-statement",
    "inheritance-documentation",
    "tax-return",
    "salary-slip",
    "sale-of-assets",
    "public-health-card",
    "proof-of-age-card",
    "reverse-of-id",
    "public-service",
    "ewallet-holder-details",
    "ewallet-transaction-statement",
    "marriage-certificate",
    "firearms-license",
    "insurance-letter",
    "income-statement",
    "debtors-letter",
    "other",
]
DocumentStatus = Literal["pending", "in-progress", "accepted", "rejected", "archived"]
RequestStatus = Literal[
    "gathering",
    "attempted",
    "partial",
    "pending-review",
    "fulfilled",
    "failed",
    "abandoned",
    "expired",
]
MatchLevel = Literal[1, 2, 3]
RejectionType = Literal[
    "document-unreadable",
    "document-expired",
    "document-was-valid-but-expired",
    "document-not-matching",
    "document-duplicate",
    "document-invalid",
    "document-not-open",
    "underage-person",
    "third-party-or-mismatch",
    "expiration-date-missing",
    "issue-date-missing",
    "subtype-missing",
    "dob-mismatch",
    "name-mismatch",
    "name-and-dob-mismatch",
    "critical-info-missing",
    "old-address-on-id",
    "tampered-document",
    "other",
]
IDENTITY = "identity-proof"
ADDRESS = "address-proof"
CREDIT_FILE = "credit-file-proof"
# Documents the analyser reads; the others wait for a person.
ANALYSED_TYPES = frozenset({IDENTITY, ADDRESS})
IDENTITY_FILE_ROLES = ("id-front", "id-back", "face-proof")
