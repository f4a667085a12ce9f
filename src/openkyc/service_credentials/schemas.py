from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import Field, StringConstraints, field_serializer

from openkyc.db.models import ServiceCredential
from openkyc.service_credentials.enums import AuthType, CredentialStatus
from openkyc.wire import Link, Timestamp, WireModel, links_field

# The types Rebilly's path accepts; openkyc stores webhook credentials only.
CredentialType = Literal[
    "smtp",
    "webhook",
    "mailgun",
    "sendgrid",
    "aws-ses",
    "oauth2",
    "postmark",
    "experian",
    "taxjar",
    "avalara",
    "plaid",
]
CREDENTIAL_TYPES = get_args(CredentialType)
Host = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9-.]+$")]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class AuthNone(WireModel):
    type: Literal["none"]


class AuthBasic(WireModel):
    type: Literal["basic"]
    username: Secret
    password: Secret


class AuthDigest(WireModel):
    type: Literal["digest"]
    username: Secret
    password: Secret


WebhookAuth = Annotated[AuthNone | AuthBasic | AuthDigest, Field(discriminator="type")]


class WebhookCredentialIn(WireModel):
    """A webhook credential: the host it is for and how to authenticate there."""

    type: Literal["webhook"] = "webhook"
    host: Host
    auth: WebhookAuth = Field(default_factory=lambda: AuthNone(type="none"))


class CredentialStatusIn(WireModel):
    status: CredentialStatus
    type: CredentialType | None = None


class AuthOut(WireModel):
    """How the credential authenticates; the password is never shown back."""

    type: AuthType
    username: str | None = None


class ServiceCredentialOut(WireModel):
    id: str
    hash: str
    status: CredentialStatus
    deactivationTime: Timestamp | None = None
    type: Literal["webhook"]
    host: str
    auth: AuthOut
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()

    @field_serializer("auth")
    def _auth(self, auth: AuthOut) -> dict[str, str]:
        return auth.model_dump(exclude_none=True)

    @classmethod
    def of(cls, credential: ServiceCredential, self_href: str) -> ServiceCredentialOut:
        deactivated: datetime | None = credential.deactivation_time
        return cls(
            id=credential.id,
            hash=credential.id,
            status=credential.status,
            deactivationTime=deactivated,
            type="webhook",
            host=credential.host,
            auth=AuthOut(type=credential.auth_type, username=credential.username),
            createdTime=credential.created_time,
            updatedTime=credential.updated_time,
            links=[Link(rel="self", href=self_href)],
        )
