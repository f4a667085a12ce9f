"""Tamper evidence: the database refuses to change the trail, and an edit made past it (by
someone who can switch the refusal off) is found by `openkyc audit verify`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.timeline import service
from openkyc.web.app import create_app
from tests.fixtures import kyc
from tests.fixtures.tenants import Tenant
from tests.test_cli import OPENKYC, _run, database_env

__all__ = ["database_env"]


def _trail(api: TestClient) -> tuple[str, list[dict]]:
    customer_id = kyc.customer(api)
    document = kyc.document(api, customer_id, "address-proof")
    kyc.reject(api, document["id"])
    kyc.accept(api, document["id"])
    api.post(f"/customers/{customer_id}/timeline", json={"message": "Spoke to them"})
    entries = api.get(f"/customers/{customer_id}/timeline", params={"sort": "occurredTime"})
    return customer_id, list(entries.json())


def _verify(database: Database, organization_id: str) -> service.Verdict:
    with database.sessionmaker() as session:
        return service.verify(session, organization_id)


def _switch_off_refusal(connection: object, backend: str) -> None:
    # What an administrator of the database can do; the test's transaction undoes it.
    if backend == "postgresql":
        statement = "ALTER TABLE customer_timeline DISABLE TRIGGER customer_timeline_append_only"
        connection.execute(text(statement))  # type: ignore[attr-defined]
    else:
        connection.execute(text("DROP TRIGGER customer_timeline_no_update"))  # type: ignore[attr-defined]


def test_the_chain_of_an_untouched_trail_verifies(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    _, entries = _trail(api)
    verdict = _verify(database, tenant.organization_id)
    assert (verdict.broken_at, verdict.entries) == (None, len(entries))


def test_the_database_refuses_to_change_or_delete_a_system_entry(
    api: TestClient, database: Database
) -> None:
    _, entries = _trail(api)
    with database.write_sessionmaker() as session:
        for statement in (
            "UPDATE customer_timeline SET message = 'nothing happened' WHERE id = :id",
            "DELETE FROM customer_timeline WHERE id = :id",
        ):
            with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
                session.execute(text(statement), {"id": entries[1]["id"]})
    assert api.get(entries[1]["_links"][0]["href"]).json() == entries[1]


def test_an_update_made_past_the_database_is_named_by_verify(
    api: TestClient, database: Database, tenant: Tenant, backend: str
) -> None:
    _, entries = _trail(api)
    rejected = next(e for e in entries if e["type"] == "kyc-document-rejected")
    with database.write_sessionmaker() as session:
        _switch_off_refusal(session.connection(), backend)
        session.execute(
            text("UPDATE customer_timeline SET message = 'Accepted at once' WHERE id = :id"),
            {"id": rejected["id"]},
        )
        session.commit()
    verdict = _verify(database, tenant.organization_id)
    assert verdict.broken_at == rejected["id"]
    assert verdict.reason == "its content was changed after it was written"
    assert verdict.entries == entries.index(rejected)


def test_an_edited_comment_is_found_and_a_deleted_one_keeps_its_place(
    api: TestClient, database: Database, tenant: Tenant
) -> None:
    customer_id, entries = _trail(api)
    comment = entries[-1]
    path = f"/customers/{customer_id}/timeline"
    second = api.post(path, json={"message": "Second thoughts"}).json()
    assert api.delete(f"{path}/{second['id']}").status_code == 204
    assert _verify(database, tenant.organization_id).broken_at is None
    with database.write_sessionmaker() as session:
        session.execute(
            text("UPDATE customer_timeline SET message = 'Never spoke' WHERE id = :id"),
            {"id": comment["id"]},
        )
        session.commit()
    assert _verify(database, tenant.organization_id).broken_at == comment["id"]


@pytest.mark.timeout(300)
def test_openkyc_audit_verify_names_the_first_entry_that_does_not_fit(
    database_env: dict[str, str], tmp_path: Path
) -> None:
    first = _run(database_env, "migrate")
    key = re.search(r"Secret API key:\s+(sk_\S+)", first)
    assert key
    settings = Settings(
        data_dir=Path(database_env["OPENKYC_DATA_DIR"]),
        database_url=database_env.get("OPENKYC_DATABASE_URL", ""),
        embedded_worker=False,
        expiry_interval_seconds=0,
        retention_interval_seconds=0,
        storage_sweep_interval_seconds=0,
        auto_analysis=False,
        allowed_hosts=("testserver",),
    )
    database = Database.from_url(settings.resolved_database_url)
    try:
        app = create_app(settings, database)
        with TestClient(app, headers={"REB-APIKEY": key.group(1)}) as api:
            _, entries = _trail(api)
        intact = _run(database_env, "audit", "verify")
        assert f"{len(entries)} entries, chain intact" in intact
        backend = "postgresql" if "OPENKYC_DATABASE_URL" in database_env else "sqlite"
        with database.engine.begin() as connection:
            _switch_off_refusal(connection, backend)
            connection.execute(
                text("UPDATE customer_timeline SET triggered_by = 'app' WHERE id = :id"),
                {"id": entries[2]["id"]},
            )
    finally:
        database.dispose()
    broken = subprocess.run(
        [*OPENKYC, "audit", "verify"], env=database_env, capture_output=True, text=True, timeout=60
    )
    assert broken.returncode == 1
    assert f"BROKEN at entry {entries[2]['id']} (after 2 good entries)" in broken.stdout
