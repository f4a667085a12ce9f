"""Documents as clients and webhooks see them: links, tags and embedded resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from openkyc.customers import service as customer_service
from openkyc.customers.schemas import CustomerOut
from openkyc.db.models import Customer, File, KycDocument, Tag
from openkyc.files import service as file_service
from openkyc.files.views import file_out
from openkyc.kyc.documents.repository import KycDocumentRepository
from openkyc.kyc.documents.schemas import KycDocumentOut
from openkyc.tags.schemas import TagOut
from openkyc.wire import Link, Links

EXPANDABLE = ("customer", "files")


def document_links(links: Links, document: KycDocument) -> list[Link]:
    return [
        Link(rel="self", href=links.href("kyc-documents", document.id)),
        Link(rel="customer", href=links.href("customers", document.customer_id)),
    ]


def customer_out(customer: Customer, links: Links) -> CustomerOut:
    return CustomerOut.of(customer, links.href("customers", customer.id))


def _tags(tags: Sequence[Tag], links: Links) -> list[dict[str, Any]]:
    return [TagOut.of(tag, links).to_wire() for tag in tags]


def documents_out(
    session: Session,
    organization_id: str,
    documents: Sequence[KycDocument],
    links: Links,
    expand: frozenset[str] = frozenset(),
) -> list[KycDocumentOut]:
    """Render documents with their tags and what ``expand`` asks, in a fixed number of queries."""
    repository = KycDocumentRepository(session, organization_id)
    tags = repository.tags_of([d.id for d in documents])
    customers: dict[str, Customer] = {}
    if "customer" in expand:
        wanted = {d.customer_id for d in documents}
        customers = {c.id: c for c in customer_service.find_many(session, organization_id, wanted)}
    files = (
        file_service.by_id(session, organization_id, [f for d in documents for f in d.file_ids])
        if "files" in expand
        else {}
    )
    rendered = []
    for document in documents:
        embedded: dict[str, Any] | None = None
        if expand:
            embedded = {}
            if "customer" in expand and document.customer_id in customers:
                embedded["customer"] = customer_out(
                    customers[document.customer_id], links
                ).to_wire()
            if "files" in expand:
                embedded["files"] = [
                    _file(files[f], links) for f in document.file_ids if f in files
                ]
        rendered.append(
            KycDocumentOut.of(
                document,
                document_links(links, document),
                _tags(tags.get(document.id, []), links),
                embedded,
            )
        )
    return rendered


def of_requests(
    session: Session, organization_id: str, request_ids: Sequence[str], links: Links
) -> dict[str, list[dict[str, Any]]]:
    """Each request's documents on the wire, oldest first (a request's ``expand=documents``)."""
    grouped = KycDocumentRepository(session, organization_id).for_requests(request_ids)
    every = [d for documents in grouped.values() for d in documents]
    rendered = {d.id: d for d in documents_out(session, organization_id, every, links)}
    return {
        request_id: [rendered[d.id].to_wire() for d in documents]
        for request_id, documents in grouped.items()
    }


def _file(file: File, links: Links) -> dict[str, Any]:
    return file_out(file, links).to_wire()


def document_payload(
    session: Session, document: KycDocument, customer: Customer, links: Links
) -> dict[str, Any]:
    """A KYC document webhook's body: ids, the customer and the document as they are now."""
    rendered = documents_out(session, document.organization_id, [document], links)[0]
    payload_links = [
        {"rel": "customer", "href": links.href("customers", customer.id)},
        {"rel": "kycDocument", "href": links.href("kyc-documents", document.id)},
    ]
    payload_links += [{"rel": "file", "href": links.href("files", f)} for f in document.file_ids]
    return {
        "customerId": customer.id,
        "kycDocumentId": document.id,
        "fileId": document.file_ids[0] if document.file_ids else None,
        "_embedded": {
            "customer": customer_out(customer, links).to_wire(),
            "kycDocument": rendered.to_wire(),
        },
        "_links": payload_links,
    }
