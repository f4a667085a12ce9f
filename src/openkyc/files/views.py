"""Files as clients see them: links to the record, the bytes and, for public files, a
permalink that works without credentials."""

from __future__ import annotations

from urllib.parse import urlencode

from openkyc.db.models import File
from openkyc.files import service
from openkyc.files.schemas import FileOut
from openkyc.wire import Link, Links


def file_links(links: Links, file: File) -> list[Link]:
    href = links.href("files", file.id)
    rendered = [Link(rel="self", href=href), Link(rel="download", href=href + "/download")]
    if file.is_public:
        signature = service.permalink_signature(links.secret, file.organization_id, file.id)
        query = urlencode({"organizationId": file.organization_id, "signature": signature})
        rendered.append(Link(rel="permalink", href=f"{href}/permalink?{query}"))
    return rendered


def file_out(file: File, links: Links) -> FileOut:
    return FileOut.of(file, file_links(links, file))
