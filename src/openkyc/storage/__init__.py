"""Where file bytes live: a small interface, on local disk or in an S3-compatible bucket."""

from openkyc.storage.base import (
    S3Options,
    Storage,
    StorageUnavailable,
    StoredObject,
    StoredObjectMissing,
    storage_from_url,
)

__all__ = [
    "S3Options",
    "Storage",
    "StorageUnavailable",
    "StoredObject",
    "StoredObjectMissing",
    "storage_from_url",
]
