from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from openkyc.aml.settings import service
from openkyc.aml.settings.schemas import AmlSettings
from openkyc.web.deps import SecretKeyAuth, Session
from openkyc.web.routing import OneHopRoute

router = APIRouter(prefix="/aml-settings", tags=["AML"], route_class=OneHopRoute)


@router.get("", operation_id="GetAmlSettings", response_model=AmlSettings)
def get_aml_settings(auth: SecretKeyAuth, session: Session) -> AmlSettings:
    """The organization's AML settings: the confidence of a hit by birth date, name and
    place, and its priority by list type and confidence."""
    return service.get(session, auth.organization_id)


@router.put(
    "",
    operation_id="PutAmlSettings",
    response_model=AmlSettings,
    responses={
        201: {"model": AmlSettings, "description": "The first settings of the organization."}
    },
)
def put_aml_settings(auth: SecretKeyAuth, session: Session, body: AmlSettings) -> JSONResponse:
    """Replace the settings; anything left out takes its default. Checks keep the confidence
    and priority they were made with; the next screening uses the new settings."""
    created = service.replace(session, auth.organization_id, body)
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if created else 200)
