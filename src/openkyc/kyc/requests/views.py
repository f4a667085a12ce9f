"""Requests as clients see them, with their documents embedded on request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openkyc.db.models import KycRequest
from openkyc.kyc.requests.schemas import KycRequestOut
from openkyc.kyc.requests.sync import request_links
from openkyc.wire import Links

EXPANDABLE = ("documents",)


def requests_out(
    requests: Sequence[KycRequest],
    links: Links,
    embedded_documents: Mapping[str, list[dict[str, Any]]] | None = None,
) -> list[KycRequestOut]:
    """The requests on the wire; with ``embedded_documents`` (each request's documents as
    rendered by ``kyc/documents/views.py``, for ``expand=documents``) they carry them."""
    return [
        KycRequestOut.of(
            request,
            request_links(links, request),
            {"documents": embedded_documents.get(request.id, [])}
            if embedded_documents is not None
            else None,
        )
        for request in requests
    ]
