from __future__ import annotations

from openkyc.enums import WireEnum


class SourceType(WireEnum):
    """Where a file's bytes came from."""

    UPLOAD = "upload"
    CAMERA = "camera"
    ORGANIZATION_EXPORT = "organization-export"
    ORGANIZATION_CLOSURE_EXPORT = "organization-closure-export"
