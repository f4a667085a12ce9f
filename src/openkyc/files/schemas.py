from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictBool, StringConstraints

from openkyc.db.models import File
from openkyc.files.enums import SourceType
from openkyc.wire import Link, Timestamp, WireModel, links_field

Text255 = Annotated[str, StringConstraints(max_length=255)]
# Labels: any text but control characters and JSON's punctuation ('' is allowed: the SDK sends
# it for "none").
TAG_PATTERN = r'^[^\x00-\x1f{}\[\]"\\<>]*$'
Tag = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100, pattern=TAG_PATTERN)]


def tags_item_schema() -> dict[str, Any]:
    return {"type": "string", "maxLength": 100, "pattern": TAG_PATTERN}


def _clean_tags(tags: list[str]) -> list[str]:
    # Rebilly's SDK sends `tags: ['']` when none are given; duplicates keep their first place.
    return list(dict.fromkeys(tag for tag in tags if tag))


Tags = Annotated[list[Tag], Field(max_length=100), AfterValidator(_clean_tags)]


class FileFields(WireModel):
    """What a client may say about a file, on upload and on update."""

    name: Text255 | None = Field(default=None, description="File name used for downloading.")
    description: Text255 | None = None
    tags: Tags | None = None
    sourceType: SourceType | None = None
    isPublic: StrictBool | None = Field(
        default=None, description="Whether the file's permalink works without credentials."
    )

    def values(self) -> dict[str, Any]:
        """Column values of the fields the client sent; `null` resets one to its default."""
        return {
            column: default if getattr(self, field) is None else getattr(self, field)
            for field, (column, default) in _COLUMNS.items()
            if field in self.model_fields_set
        }


_COLUMNS: dict[str, tuple[str, Any]] = {
    "name": ("name", ""),
    "description": ("description", ""),
    "tags": ("tags", []),
    "sourceType": ("source_type", None),
    "isPublic": ("is_public", False),
}


class FileCreateFromInline(FileFields):
    file: str = Field(
        min_length=1, description="The file's bytes in base64, optionally as a `data:` URL."
    )


class FileCreateFromUrl(FileFields):
    # The scheme rule is documented here and enforced by the fetcher, which says it plainly.
    url: Annotated[str, StringConstraints(max_length=2048)] = Field(
        json_schema_extra={"pattern": r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+"},
        description="An http(s) URL the server fetches the file from.",
    )


class FileIn(FileFields):
    """PUT body: the fields sent are changed, the others kept; read-only fields are ignored."""


@dataclass(frozen=True)
class Upload:
    """One upload, whichever form it came in: bytes, or a URL to fetch them from."""

    fields: FileFields
    data: bytes | None = None
    url: str | None = None
    # Where a problem with the bytes is reported: `file` (body, form part) or `url`.
    source_field: str = "file"
    filename: str = ""


class FileOut(WireModel):
    id: str
    name: str
    extension: str
    description: str
    sourceType: SourceType | None
    tags: list[str]
    mime: str
    size: int
    width: int | None
    height: int | None
    sha1: str
    exifData: dict[str, Any] | None
    isPublic: bool
    revision: int
    createdTime: Timestamp
    updatedTime: Timestamp
    links: list[Link] = links_field()

    @classmethod
    def of(cls, file: File, links: list[Link]) -> FileOut:
        return cls(
            id=file.id,
            name=file.name,
            extension=file.extension,
            description=file.description,
            sourceType=file.source_type,
            tags=file.tags,
            mime=file.mime,
            size=file.size,
            width=file.width,
            height=file.height,
            sha1=file.sha1,
            exifData=file.exif,
            isPublic=file.is_public,
            revision=file.revision,
            createdTime=file.created_time,
            updatedTime=file.updated_time,
            links=links,
        )
