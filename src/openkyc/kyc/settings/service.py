"""Reading and replacing an organization's KYC settings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.kyc.settings.repository import KycSettingsRepository
from openkyc.kyc.settings.schemas import KycSettings


def get(session: Session, organization_id: str) -> KycSettings:
    row = KycSettingsRepository(session, organization_id).get()
    return KycSettings.model_validate(row.settings) if row else KycSettings()


def replace(session: Session, organization_id: str, settings: KycSettings) -> KycSettings:
    row = KycSettingsRepository(session, organization_id).save(settings.model_dump(mode="json"))
    row.updated_time = clock.now()
    return settings


def snapshot_for(
    session: Session, organization_id: str, document_type: str
) -> dict[str, object] | None:
    """The part of the settings a document of this type is scored with, kept on the document."""
    return section_for(get(session, organization_id), document_type)


def section_for(settings: KycSettings, document_type: str) -> dict[str, object] | None:
    """The part of ``settings`` a document of this type is scored with."""
    if document_type == "identity-proof":
        return settings.identityProof.model_dump(mode="json")
    if document_type == "address-proof":
        return settings.addressProof.model_dump(mode="json")
    return None


def four_eyes(session: Session, organization_id: str) -> bool:
    """Whether a decision needs a second, different person before it takes effect."""
    return get(session, organization_id).fourEyes
