"""Stored bytes follow the transaction: no bytes outlive an upload that did not commit, and a
deleted file's bytes stay until the deletion commits. The service is called the way the request
boundary calls it, with the boundary's own failure paths."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from openkyc.config import Settings
from openkyc.db.models import FileTag
from openkyc.db.session import Database
from openkyc.files import service
from openkyc.files.schemas import FileFields, Upload
from openkyc.storage import Storage
from tests.conftest import STORAGES
from tests.files.helpers import stored_objects
from tests.fixtures import images
from tests.fixtures.tenants import Tenant

# Every test here runs on local disk and on S3 (SeaweedFS).
pytestmark = STORAGES


def _upload() -> Upload:
    return Upload(FileFields(), data=images.png())


def test_committed_upload_keeps_its_bytes(
    database: Database, tenant: Tenant, storage: Storage, settings: Settings
) -> None:
    with database.write_sessionmaker() as session:
        file = service.create(session, storage, settings, tenant.organization_id, _upload())
        session.commit()
    assert stored_objects(storage) == [file.storage_key]


def test_rolled_back_upload_removes_its_bytes(
    database: Database, tenant: Tenant, storage: Storage, settings: Settings
) -> None:
    with database.write_sessionmaker() as session:
        file = service.create(session, storage, settings, tenant.organization_id, _upload())
        assert storage.exists(file.storage_key)
        session.rollback()
    assert stored_objects(storage) == []


def test_upload_whose_commit_fails_removes_its_bytes(
    database: Database, tenant: Tenant, storage: Storage, settings: Settings
) -> None:
    with database.write_sessionmaker() as session:
        service.create(session, storage, settings, tenant.organization_id, _upload())
        # A row the database refuses (its file does not exist) makes the commit fail.
        session.add(FileTag(organization_id=tenant.organization_id, file_id="file_x", name="kyc"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
    assert stored_objects(storage) == []


def test_session_closed_without_commit_removes_the_bytes(
    database: Database, tenant: Tenant, storage: Storage, settings: Settings
) -> None:
    session = database.write_sessionmaker()
    service.create(session, storage, settings, tenant.organization_id, _upload())
    session.close()
    assert stored_objects(storage) == []


def test_deleted_file_keeps_its_bytes_until_the_commit(
    database: Database, tenant: Tenant, storage: Storage, settings: Settings
) -> None:
    organization = tenant.organization_id
    with database.write_sessionmaker() as session:
        file = service.create(session, storage, settings, organization, _upload())
        session.commit()
    with database.write_sessionmaker() as session:
        service.delete(session, storage, organization, file.id)
        assert storage.exists(file.storage_key)
        session.rollback()
    assert stored_objects(storage) == [file.storage_key]
    with database.write_sessionmaker() as session:
        service.delete(session, storage, organization, file.id)
        session.commit()
    assert stored_objects(storage) == []
