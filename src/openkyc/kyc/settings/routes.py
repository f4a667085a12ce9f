from __future__ import annotations

from fastapi import APIRouter

from openkyc.kyc.settings import service
from openkyc.kyc.settings.schemas import KycSettings
from openkyc.web.deps import SecretKeyAuth, Session
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/kyc-settings", tags=["KYC settings"], route_class=OneHopRoute)


@router.get("", operation_id="GetKycSettings", response_model=KycSettings)
def get_kyc_settings(auth: SecretKeyAuth, session: Session) -> KycSettings:
    """The organization's scoring weights and thresholds, minimum ages and gatherer design."""
    return service.get(session, auth.organization_id)


@router.put("", operation_id="PutKycSettings", response_model=KycSettings)
def put_kyc_settings(auth: SecretKeyAuth, session: Session, body: KycSettings) -> KycSettings:
    """Replace the settings; anything left out takes its default. Documents keep the settings
    they were scored with."""
    return service.replace(session, auth.organization_id, body)
