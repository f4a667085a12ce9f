from __future__ import annotations

from ipaddress import ip_network
from typing import Annotated, Literal

from pydantic import Field, WithJsonSchema, field_validator

from openkyc.db.models import ApiKey
from openkyc.wire import Link, Timestamp, WireModel, links_field

_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_HEX = "[0-9a-fA-F]{1,4}"
_IPV6 = "|".join(
    (
        f"({_HEX}:){{7}}{_HEX}",
        f"({_HEX}:){{1,7}}:",
        *(f"({_HEX}:){{1,{7 - n}}}(:{_HEX}){{1,{n}}}" for n in range(1, 7)),
        f":((:{_HEX}){{1,7}}|:)",
    )
)
# What `ipaddress.ip_network` reads, said in the document so clients know what to send.
IpOrNetwork = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "description": "An IPv4 or IPv6 address, or a network in CIDR notation.",
            "anyOf": [
                {"format": "ipv4"},
                {"format": "ipv6"},
                {"pattern": f"^({_OCTET}\\.){{3}}{_OCTET}/(3[0-2]|[12]?[0-9])$"},
                {"pattern": f"^({_IPV6})/(12[0-8]|1[01][0-9]|[1-9]?[0-9])$"},
            ],
        }
    ),
]


class AclScope(WireModel):
    organizationId: list[str] | None = None


class AclEntry(WireModel):
    scope: AclScope = Field(default_factory=AclScope)
    permissions: list[str] = Field(min_length=1)


class ApiKeyIn(WireModel):
    description: str = Field(min_length=1, max_length=255)
    type: Literal["secret", "publishable"] = "secret"
    acl: list[AclEntry] | None = None
    allowedIps: list[IpOrNetwork] | None = Field(
        default=None, description="Addresses the key works from; private networks are refused."
    )

    @field_validator("allowedIps")
    @classmethod
    def _networks(cls, value: list[str] | None) -> list[str] | None:
        for item in value or []:
            network = ip_network(item, strict=False)
            if network.is_private or network.is_loopback:
                raise ValueError(f"{item} is a private network; list public addresses")
        return value


class ApiKeyOut(WireModel):
    omit_when_none = ("secretKey",)

    id: str
    description: str
    type: Literal["secret", "publishable"]
    acl: list[AclEntry] | None = None
    allowedIps: list[str] | None = None
    apiUser: str
    # Present only in the response that creates the key: the secret is never shown again.
    secretKey: str | None = None
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()

    @classmethod
    def of(cls, key: ApiKey, self_href: str, secret: str | None = None) -> ApiKeyOut:
        return cls(
            id=key.id,
            description=key.description,
            type="publishable" if key.type == "publishable" else "secret",
            acl=[AclEntry.model_validate(a) for a in key.acl] if key.acl else None,
            allowedIps=key.allowed_ips,
            apiUser=key.api_user,
            secretKey=secret,
            createdTime=key.created_time,
            updatedTime=key.updated_time,
            links=[Link(rel="self", href=self_href)],
        )
