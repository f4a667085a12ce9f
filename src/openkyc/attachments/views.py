"""Attachments as clients see them: links to themselves and their file, and on request the
file's record embedded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from openkyc.attachments.schemas import AttachmentOut
from openkyc.db.models import Attachment
from openkyc.files import service as file_service
from openkyc.files.views import file_out
from openkyc.wire import Link, Links

EXPANDABLE = ("file",)


def attachment_links(links: Links, attachment: Attachment) -> list[Link]:
    return [
        Link(rel="self", href=links.href("attachments", attachment.id)),
        Link(rel="file", href=links.href("files", attachment.file_id)),
    ]


def attachments_out(
    session: Session,
    organization_id: str,
    attachments: Sequence[Attachment],
    links: Links,
    expand: frozenset[str] = frozenset(),
) -> list[AttachmentOut]:
    """Render attachments, with their files in one query when ``expand`` asks for them."""
    files = {}
    if "file" in expand:
        files = file_service.by_id(session, organization_id, {a.file_id for a in attachments})
    rendered = []
    for attachment in attachments:
        embedded: dict[str, Any] | None = None
        if "file" in expand and attachment.file_id in files:
            embedded = {"file": file_out(files[attachment.file_id], links).to_wire()}
        rendered.append(AttachmentOut.of(attachment, attachment_links(links, attachment), embedded))
    return rendered
