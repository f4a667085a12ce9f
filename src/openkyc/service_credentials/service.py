"""Rules for service credentials: webhook credentials only, one per identical host and
authentication, deactivation for good."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.db.collection import CollectionQuery
from openkyc.db.ids import new_id
from openkyc.db.models import ServiceCredential
from openkyc.errors import NotFound, ValidationFailed
from openkyc.sealing import SealBroken, Sealer
from openkyc.service_credentials import repository
from openkyc.service_credentials.enums import CredentialStatus
from openkyc.service_credentials.repository import CredentialRepository
from openkyc.service_credentials.schemas import CredentialStatusIn, WebhookCredentialIn

WEBHOOK = "webhook"


def check_supported(credential_type: str) -> str:
    """openkyc keeps webhook credentials only; other types of Rebilly's API are refused."""
    if credential_type != WEBHOOK:
        raise ValidationFailed.field(
            "type", f"{credential_type} credentials are not supported by openkyc; use webhook"
        )
    return credential_type


def _repository(session: Session, organization_id: str) -> CredentialRepository:
    return CredentialRepository(session, organization_id, WEBHOOK)


def _same(credential: ServiceCredential, data: WebhookCredentialIn, sealer: Sealer) -> bool:
    auth = data.auth
    if not (
        credential.status != CredentialStatus.DEACTIVATED
        and credential.host.lower() == data.host.lower()
        and credential.auth_type == auth.type
        and credential.username == getattr(auth, "username", None)
    ):
        return False
    try:
        return sealer.open(credential.password) == getattr(auth, "password", None)
    except SealBroken:
        return False


def create(
    session: Session, organization_id: str, data: WebhookCredentialIn, sealer: Sealer
) -> tuple[ServiceCredential, bool]:
    """A new credential, or the existing one with the same host and authentication (False).
    The password is stored sealed."""
    repository = _repository(session, organization_id)
    for existing in repository.for_host(data.host):
        if _same(existing, data, sealer):
            return existing, False
    now = clock.now()
    credential = ServiceCredential(
        id=new_id("crd"),
        organization_id=organization_id,
        type=WEBHOOK,
        host=data.host,
        auth_type=data.auth.type,
        username=getattr(data.auth, "username", None),
        password=sealer.seal(getattr(data.auth, "password", None)),
        status=CredentialStatus.ACTIVE,
        revision=0,
        created_time=now,
        updated_time=now,
    )
    return repository.add(credential), True


def get(session: Session, organization_id: str, credential_id: str) -> ServiceCredential:
    credential = _repository(session, organization_id).get(credential_id)
    if credential is None:
        raise NotFound.resource("Service credential", credential_id)
    return credential


def page(
    session: Session, organization_id: str, query: CollectionQuery
) -> tuple[list[ServiceCredential], int]:
    return _repository(session, organization_id).page(query)


def change_status(
    session: Session, organization_id: str, credential_id: str, data: CredentialStatusIn
) -> ServiceCredential:
    """Activate or inactivate a credential, or deactivate it for good."""
    if data.type not in (None, WEBHOOK):
        raise ValidationFailed.field("type", "must be webhook, as in the path")
    credential = get(session, organization_id, credential_id)
    if (
        credential.status == CredentialStatus.DEACTIVATED
        and data.status != CredentialStatus.DEACTIVATED
    ):
        raise ValidationFailed.field("status", "a deactivated credential cannot be reactivated")
    if credential.status == data.status:
        return credential
    credential.status = data.status
    if data.status == CredentialStatus.DEACTIVATED:
        credential.deactivation_time = clock.now()
    credential.touch()
    session.flush()
    return credential


def every_credential_with_password(session: Session) -> list[ServiceCredential]:
    """Every organization's credentials that keep a password (maintenance at start)."""
    return repository.every_credential_with_password(session)
