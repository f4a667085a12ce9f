"""Which failed commits are "send it again" (409) and which are defects (500)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from openkyc.db.ids import new_id
from openkyc.db.models import Job, Tag
from openkyc.db.session import Database, unit_of_work
from openkyc.errors import Conflict
from tests.fixtures.tenants import Tenant


def _tag(tenant: Tenant, name: str, tag_id: str | None = None) -> Tag:
    return Tag(
        id=tag_id or new_id("tag"),
        organization_id=tenant.organization_id,
        name=name,
        type="customer",
    )


def _commit(database: Database, *rows: object) -> None:
    work = unit_of_work(database.write_sessionmaker)
    session = next(work)
    session.add_all(rows)
    next(work, None)


def test_two_writes_claiming_one_id_are_a_conflict(database: Database, tenant: Tenant) -> None:
    _commit(database, _tag(tenant, "vip", "tag-one"))
    with pytest.raises(Conflict):
        _commit(database, _tag(tenant, "other", "tag-one"))


def test_two_writes_claiming_one_name_of_a_unique_index_are_a_conflict(
    database: Database, tenant: Tenant
) -> None:
    _commit(database, _tag(tenant, "Gold"))
    with pytest.raises(Conflict):
        _commit(database, _tag(tenant, "GOLD"))


def test_any_other_integrity_error_is_a_logged_defect_not_a_conflict(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    orphan = Job(id=new_id("job"), organization_id=None, kind="k", payload={})  # NOT NULL
    with caplog.at_level(logging.ERROR, "openkyc.db.session"), pytest.raises(IntegrityError):
        _commit(database, orphan)
    assert "broke an integrity rule" in caplog.text
