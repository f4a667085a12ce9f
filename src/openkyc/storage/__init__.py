"""Where file bytes live: a small interface, local disk now, S3-compatible later."""

from openkyc.storage.base import Storage, StoredObjectMissing, storage_from_url

__all__ = ["Storage", "StoredObjectMissing", "storage_from_url"]
