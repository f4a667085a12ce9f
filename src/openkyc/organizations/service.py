"""Creating organizations, and the first one on a fresh installation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkyc.api_keys import service as api_keys
from openkyc.config import Settings
from openkyc.db.ids import is_valid_id, new_id
from openkyc.db.models import Organization
from openkyc.errors import ValidationFailed
from openkyc.organizations import repository


def get(session: Session, organization_id: str) -> Organization | None:
    return repository.get(session, organization_id)


def first_ids(session: Session, limit: int = 2) -> list[str]:
    """The first organizations' ids (a command that needs one finds whether there is only one)."""
    return repository.first_ids(session, limit)


@dataclass(frozen=True)
class Bootstrap:
    organization: Organization | None
    organization_created: bool
    api_key_secret: str | None
    api_key_created: bool


def create_organization(session: Session, name: str, organization_id: str = "") -> Organization:
    organization_id = organization_id or new_id("org")
    if not is_valid_id(organization_id):
        raise ValidationFailed.field("organizationId", "must be 1-50 letters, digits or @~-._")
    organization = Organization(id=organization_id, name=name, jwt_secret=secrets.token_urlsafe(48))
    return repository.add(session, organization)


def bootstrap(session: Session, settings: Settings) -> Bootstrap:
    """Make sure a fresh installation has an organization and a key to call it with.

    With ``OPENKYC_BOOTSTRAP_ORGANIZATION_ID`` / ``OPENKYC_BOOTSTRAP_API_KEY`` the same
    organization and key exist after every start, so containers and CI can script against them.
    """
    wanted_id = settings.bootstrap_organization_id
    organization = repository.get(session, wanted_id) if wanted_id else None
    created = False
    if organization is None and (wanted_id or not repository.any_exists(session)):
        organization = create_organization(session, settings.bootstrap_organization_name, wanted_id)
        created = True
    if organization is None:
        return Bootstrap(None, False, None, False)
    secret, key_created = None, False
    if settings.bootstrap_api_key:
        secret = settings.bootstrap_api_key
        key_created = api_keys.ensure_key(session, organization.id, secret, "Bootstrap key")
    elif created:
        secret = api_keys.create_initial_key(session, organization.id)
        key_created = True
    return Bootstrap(organization, created, secret, key_created)
