from __future__ import annotations

from pydantic import Field

from openkyc.wire import IsoDateTime, Link, Timestamp, WireModel, links_field


class SessionIn(WireModel):
    name: str | None = Field(
        default=None,
        max_length=255,
        description="Who the token acts for; recorded as the reviewer.",
    )
    expiredTime: IsoDateTime | None = Field(
        default=None, description="When the token stops working; one hour by default."
    )
    permissions: list[str] | None = Field(
        default=None,
        description=(
            "Operation ids the token may call, each held by the credentials that create it, "
            'or `["*"]` for every operation (only from credentials that hold every one). '
            "Left out: what those credentials may do."
        ),
    )


class SessionOut(WireModel):
    omit_when_none = ("token",)

    id: str
    # Shown once, when the token is issued.
    token: str | None = None
    name: str
    permissions: list[str]
    expiredTime: Timestamp
    createdTime: Timestamp
    links: list[Link] = links_field()
