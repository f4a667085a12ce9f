"""File work that reaches into other domains."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openkyc.errors import ValidationFailed
from openkyc.files import service
from openkyc.kyc.documents import service as documents
from openkyc.storage import Storage


def delete_file(session: Session, storage: Storage, organization_id: str, file_id: str) -> None:
    """Delete a file unless it is the evidence of a KYC document: a decision must keep what it
    was made on, so such a file stays as long as the document does."""
    service.get(session, organization_id, file_id)  # 404 first for a file that is not there
    backed = documents.backed_by_file(session, organization_id, file_id)
    if backed:
        raise ValidationFailed.field(
            "id",
            f"the file is evidence of the KYC document {', '.join(backed[:5])}"
            f"{' and others' if len(backed) > 5 else ''} and cannot be deleted",
        )
    service.delete(session, storage, organization_id, file_id)
