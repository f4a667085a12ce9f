"""Objects in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, Ceph…) through boto3."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from openkyc.storage.base import (
    CHUNK_BYTES,
    S3Options,
    StorageUnavailable,
    StoredObject,
    StoredObjectMissing,
    checked_key,
)

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _MISSING


@contextlib.contextmanager
def _reachable(key: str | None = None) -> Iterator[None]:
    """Turn what boto3 raises when S3 is away or refuses (after its own retries) into
    ``StorageUnavailable``, and, when reading the object of ``key``, its absence into
    ``StoredObjectMissing`` (without a key, a 404 is the bucket's: unavailable too)."""
    try:
        yield
    except ClientError as error:
        if key is not None and _missing(error):
            raise StoredObjectMissing(key) from error
        raise StorageUnavailable(f"S3 refused: {error}") from error
    except BotoCoreError as error:
        raise StorageUnavailable(f"S3 unreachable: {error}") from error


class S3Storage:
    """Each key is an object under ``prefix/`` in ``bucket``.

    A single PUT is atomic in S3: readers see the whole object or nothing, so no temporary
    name is needed. The client is thread-safe and shared by every request of the process."""

    def __init__(self, bucket: str, prefix: str, options: S3Options) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        config = Config(
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            retries={"mode": "standard", "max_attempts": 4},
            s3={"addressing_style": options.addressing_style},
        )
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=options.endpoint_url or None,
            region_name=options.region or None,
            aws_access_key_id=options.access_key_id or None,
            aws_secret_access_key=options.secret_access_key or None,
            config=config,
        )

    def within(self, prefix: str) -> S3Storage:
        """The same bucket and client under another prefix."""
        other = copy.copy(self)
        other.prefix = f"{prefix}/" if prefix else ""
        return other

    def _name(self, key: str) -> str:
        return self.prefix + checked_key(key)

    def put(self, key: str, data: bytes) -> None:
        with _reachable():
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)

    def get(self, key: str) -> bytes:
        body = self._body(key)
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data

    def open(self, key: str) -> Iterator[bytes]:
        return _pieces(self._body(key))

    def _body(self, key: str) -> Any:
        with _reachable(key):
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]

    def delete(self, key: str) -> None:
        # Deleting a missing object succeeds in S3, as it does on disk here.
        with _reachable():
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        try:
            with _reachable(key):
                self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except StoredObjectMissing:
            return False
        return True

    def check(self) -> None:
        with _reachable():
            self.client.head_bucket(Bucket=self.bucket)

    def keys(self) -> list[str]:
        """Every key under the prefix (for operators and tests; not used by requests)."""
        return sorted(found.key for found in self.listing())

    def listing(self) -> Iterator[StoredObject]:
        paginator = self.client.get_paginator("list_objects_v2")
        with _reachable():
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix) :]
                    yield StoredObject(key, int(item["Size"]), item["LastModified"])


def _pieces(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK_BYTES)
    finally:
        body.close()
