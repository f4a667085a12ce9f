"""Requests as clients see them, with their documents embedded on request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from openkyc.db.models import KycRequest
from openkyc.kyc.documents.repository import KycDocumentRepository
from openkyc.kyc.documents.views import documents_out
from openkyc.kyc.requests.schemas import KycRequestOut
from openkyc.kyc.requests.sync import request_links
from openkyc.wire import Links

EXPANDABLE = ("documents",)


def requests_out(
    session: Session,
    organization_id: str,
    requests: Sequence[KycRequest],
    links: Links,
    expand: frozenset[str] = frozenset(),
) -> list[KycRequestOut]:
    embedded_documents: dict[str, list[dict[str, Any]]] = {}
    if "documents" in expand:
        grouped = KycDocumentRepository(session, organization_id).for_requests(
            [r.id for r in requests]
        )
        every = [d for documents in grouped.values() for d in documents]
        rendered = {d.id: d for d in documents_out(session, organization_id, every, links)}
        embedded_documents = {
            request_id: [rendered[d.id].to_wire() for d in documents]
            for request_id, documents in grouped.items()
        }
    return [
        KycRequestOut.of(
            request,
            request_links(links, request),
            {"documents": embedded_documents.get(request.id, [])}
            if "documents" in expand
            else None,
        )
        for request in requests
    ]
