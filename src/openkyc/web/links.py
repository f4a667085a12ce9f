"""Absolute links for ``_links`` and ``Location``, under the prefix the client used."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from openkyc.web.middleware import PATH_PREFIX


@dataclass(frozen=True)
class Links:
    base: str

    @classmethod
    def for_request(cls, request: Request) -> Links:
        public_url = request.app.state.settings.public_url
        root = public_url.rstrip("/") if public_url else str(request.base_url).rstrip("/")
        return cls(root + request.scope.get(PATH_PREFIX, ""))

    def href(self, *parts: str) -> str:
        return "/".join([self.base, *parts])

    def self_link(self, *parts: str) -> list[dict[str, str]]:
        return [{"rel": "self", "href": self.href(*parts)}]
