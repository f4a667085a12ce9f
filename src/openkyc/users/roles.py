"""What each role may do, by operation id: the access policy of a user's token."""

from __future__ import annotations

from openkyc.errors import Forbidden
from openkyc.users.enums import Role

# A reviewer decides documents, comments on the timeline and looks after their own account.
REVIEWER_OPERATIONS = frozenset(
    {
        "PutKycDocument",
        "PostKycDocumentAcceptance",
        "PostKycDocumentRejection",
        "PostKycDocumentReview",
        "PostKycDocumentStartReview",
        "PostKycDocumentStopReview",
        "PostKycDocumentMatches",
        "PostAmlCheckStartReview",
        "PostAmlCheckStopReview",
        "PostAmlCheckReview",
        "PostTagAmlCheck",
        "DeleteTagAmlCheck",
        "PostTagKycDocument",
        "DeleteTagKycDocument",
        "PostCustomerTimeline",
        "DeleteCustomerTimeline",
        "PostUserTotp",
        "PostUserTotpConfirmation",
        "PostUserPassword",
    }
)
# A viewer changes nothing but their own sign-in.
VIEWER_OPERATIONS = frozenset({"PostUserTotp", "PostUserTotpConfirmation", "PostUserPassword"})
# Reads that show an organization's credentials and integrations: admins only.
ADMIN_READS = ("ApiKey", "Webhook", "ServiceCredential")
# A person never mints tokens for a name of their choosing.
NOBODY = frozenset({"PostSession"})
READING = frozenset({"GET", "HEAD", "OPTIONS"})


def permits(role: str, method: str, operation_id: str | None) -> bool:
    operation = operation_id or ""
    if operation in NOBODY:
        return False
    if role == Role.ADMIN:
        return True
    if method in READING:
        return not any(part in operation for part in ADMIN_READS)
    allowed = REVIEWER_OPERATIONS if role == Role.REVIEWER else VIEWER_OPERATIONS
    return operation in allowed


def ensure_permits(role: str, method: str, operation_id: str | None) -> None:
    if not permits(role, method, operation_id):
        raise Forbidden(f"A user with the role {role} may not do this")
