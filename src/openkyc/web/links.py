"""Absolute links for ``_links`` and ``Location``, under the prefix the client used."""

from __future__ import annotations

from fastapi import Request

from openkyc.config import Settings
from openkyc.web.middleware import PATH_PREFIX
from openkyc.wire import Links, links_for_settings

__all__ = ["Links", "links_for_request", "links_for_settings"]


def _root(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return (
        settings.public_url.rstrip("/")
        if settings.public_url
        else str(request.base_url).rstrip("/")
    )


def links_for_request(request: Request) -> Links:
    root = _root(request)
    settings: Settings = request.app.state.settings
    return Links(
        root + request.scope.get(PATH_PREFIX, ""),
        root,
        settings.resolved_secret_key,
        settings.previous_secret_keys,
    )
