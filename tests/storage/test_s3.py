"""Storage URLs, and what only S3 has: a bucket to reach and credentials to refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from openkyc.storage import StorageUnavailable, storage_from_url
from openkyc.storage.local import LocalStorage
from openkyc.storage.s3 import S3Storage
from tests.fixtures.seaweedfs import SeaweedFS


def test_check_fails_for_a_missing_bucket(seaweed: SeaweedFS) -> None:
    store = S3Storage("no-such-bucket", "", seaweed.options)
    with pytest.raises(StorageUnavailable, match="S3 refused"):
        store.check()


def test_wrong_credentials_are_refused(seaweed: SeaweedFS) -> None:
    options = seaweed.options
    wrong = type(options)(**{**options.__dict__, "secret_access_key": "not-the-secret"})
    store = S3Storage(seaweed.bucket, "wrong", wrong)
    with pytest.raises(StorageUnavailable, match="SignatureDoesNotMatch"):
        store.put("org_1/file_1", b"bytes")
    assert seaweed.storage("wrong").keys() == []


def test_prefix_keeps_deployments_apart(seaweed: SeaweedFS) -> None:
    first, second = seaweed.storage("deployment-a"), seaweed.storage("deployment-b")
    first.put("org_1/file_1", b"a")
    assert not second.exists("org_1/file_1")
    assert second.keys() == []
    assert first.keys() == ["org_1/file_1"]


def test_file_url_is_local_storage(tmp_path: Path) -> None:
    store = storage_from_url((tmp_path / "files").as_uri())
    assert isinstance(store, LocalStorage)
    assert store.root == tmp_path / "files"


def test_s3_url_names_the_bucket_and_prefix(seaweed: SeaweedFS) -> None:
    store = storage_from_url(f"s3://{seaweed.bucket}/tenant-files/eu/", seaweed.options)
    assert isinstance(store, S3Storage)
    store.put("org_1/file_1", b"bytes")
    assert seaweed.storage("tenant-files/eu").keys() == ["org_1/file_1"]
    assert seaweed.storage("tenant-files/eu").get("org_1/file_1") == b"bytes"


@pytest.mark.parametrize("url", ["ftp://host/x", "s3:///no-bucket", "s3:no-bucket", "/plain/path"])
def test_unsupported_storage_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported storage URL"):
        storage_from_url(url)
