"""The storage interface behaves the same on local disk and on S3 (a real SeaweedFS)."""

from __future__ import annotations

import os

import pytest

from openkyc.storage import Storage, StoredObjectMissing
from openkyc.storage.base import CHUNK_BYTES
from tests.conftest import STORAGES

pytestmark = STORAGES


def test_put_then_get_open_exists_delete(storage: Storage) -> None:
    storage.put("org_1/file_1", b"passport bytes")
    assert storage.exists("org_1/file_1")
    assert storage.get("org_1/file_1") == b"passport bytes"
    assert b"".join(storage.open("org_1/file_1")) == b"passport bytes"
    storage.delete("org_1/file_1")
    assert not storage.exists("org_1/file_1")
    # Deleting what is gone is not an error: cleanups may run twice.
    storage.delete("org_1/file_1")


def test_put_replaces_the_whole_object(storage: Storage) -> None:
    storage.put("org_1/file_1", b"a much longer first version")
    storage.put("org_1/file_1", b"short")
    assert storage.get("org_1/file_1") == b"short"


def test_missing_object_is_refused_before_the_first_piece(storage: Storage) -> None:
    with pytest.raises(StoredObjectMissing):
        storage.get("org_1/nothing")
    with pytest.raises(StoredObjectMissing):
        storage.open("org_1/nothing")


def test_large_object_streams_in_pieces(storage: Storage) -> None:
    data = os.urandom(CHUNK_BYTES * 3 + 17)
    storage.put("org_1/large", data)
    pieces = list(storage.open("org_1/large"))
    assert [len(p) for p in pieces] == [CHUNK_BYTES] * 3 + [17]
    assert b"".join(pieces) == data


def test_reader_closed_early_frees_its_object(storage: Storage) -> None:
    storage.put("org_1/large", b"x" * (CHUNK_BYTES * 2))
    reader = storage.open("org_1/large")
    assert len(next(reader)) == CHUNK_BYTES
    reader.close()  # type: ignore[attr-defined]
    # The object stays readable and deletable after an abandoned download.
    storage.delete("org_1/large")
    assert not storage.exists("org_1/large")


@pytest.mark.parametrize("key", ["", "../outside", "org_1/../../x", "/absolute", "org_1//file"])
def test_keys_that_are_not_plain_paths_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError):
        storage.put(key, b"x")


def test_check_passes_on_reachable_storage(storage: Storage) -> None:
    storage.check()
