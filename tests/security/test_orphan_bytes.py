"""Bytes a crash left without a record are swept, on disk and on S3 (a real SeaweedFS): the
bytes of files and liveness frames that still have a record stay, and so does anything written
within the grace age, as an upload in flight is."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from openkyc.background import periodic_tasks
from openkyc.clock import FrozenClock
from openkyc.config import Settings
from openkyc.db.models import File
from openkyc.db.session import Database
from openkyc.flows.files import sweep_orphan_bytes
from openkyc.jobs.periodic import PeriodicRunner
from openkyc.kyc.liveness import service as liveness
from openkyc.storage import Storage
from openkyc.storage.local import LocalStorage
from tests.analysis import poses
from tests.conftest import POSTGRES_URL, STORAGES
from tests.fixtures import kyc
from tests.fixtures.live import LiveServer, live_server
from tests.fixtures.storefront import bearer, customer_token
from tests.fixtures.tenants import Tenant

GRACE = timedelta(hours=24)
LIVE_IDENTITY = [
    {"type": "identity-proof", "faceProofRequired": True, "faceLivenessRequired": True}
]


def _keys(storage: Storage) -> set[str]:
    return {stored.key for stored in storage.listing()}


def _frames(client: TestClient, token: str, request_id: str, count: int) -> dict[str, Any]:
    """A liveness session of the request with ``count`` frames sent."""
    created = client.post(
        "/storefront/kyc-liveness-sessions",
        json={"kycRequestId": request_id},
        headers=bearer(token),
    )
    assert created.status_code == 201, created.text
    path = f"/storefront/kyc-liveness-sessions/{created.json()['id']}"
    frame = poses.jpeg(poses.posed("collins", "centre"))
    headers = {**bearer(token), "Content-Type": "image/jpeg"}
    for _ in range(count):
        added = client.post(f"{path}/frames?step=0", content=frame, headers=headers)
        assert added.status_code == 200, added.text
    return dict(added.json())


@pytest.fixture
def stored(
    api: TestClient, client: TestClient, database: Database, storage: Storage, tenant: Tenant
) -> dict[str, set[str]]:
    """What the storage holds: bytes records refer to ("kept") and orphans of every kind."""
    org = tenant.organization_id
    uploaded = {kyc.upload(api, ["kyc"], seed) for seed in range(2)}
    body = {"customerId": kyc.customer(api), "documents": LIVE_IDENTITY}
    request = api.post("/kyc-requests", json=body).json()
    token = customer_token(api, request)
    recording = _frames(client, token, request["id"], 2)
    decided = _frames(client, token, request["id"], 3)
    path = f"/storefront/kyc-liveness-sessions/{decided['id']}/finish"
    assert client.post(path, headers=bearer(token)).status_code == 200
    with database.write_sessionmaker.begin() as session:
        # A check that could not run fails the session; its frames are not needed any more.
        liveness.unchecked(session, org, {"sessionId": decided["id"]}, "frames unreadable")
    # A record deleted while its bytes could not be removed (the storage away at the time).
    deleted = kyc.upload(api, ["kyc"], 9)
    with database.write_sessionmaker.begin() as session:
        session.execute(delete(File).where(File.organization_id == org, File.id == deleted))
    # Bytes written by uploads whose transaction never committed (a crash in between).
    crashed = {f"{org}/fil_01CRASHED", f"{org}/liveness/lvs_01CRASHED/00", "org_gone/fil_1"}
    for key in crashed:
        storage.put(key, b"bytes of a crashed upload")
    if isinstance(storage, LocalStorage):  # a temporary file a crash left half-written
        (storage.root / org / ".upload-k2j4h1").write_bytes(b"half")
        crashed.add(f"{org}/.upload-k2j4h1")
    keys = _keys(storage)
    kept = {f"{org}/{file_id}" for file_id in uploaded}
    kept |= {k for k in keys if k.startswith(f"{org}/liveness/{recording['id']}/")}
    orphans = keys - kept
    assert len(kept) == 4
    assert {f"{org}/{deleted}", *crashed} < orphans
    assert len([k for k in orphans if k.startswith(f"{org}/liveness/{decided['id']}/")]) == 3
    return {"kept": kept, "orphans": orphans, "files": uploaded}


@STORAGES
def test_a_sweep_removes_only_old_bytes_no_record_refers_to(
    api: TestClient,
    database: Database,
    storage: Storage,
    stored: dict[str, set[str]],
    clock: FrozenClock,
) -> None:
    # Within the grace age nothing is touched, not even bytes without a record: an upload in
    # flight writes its bytes before its row commits.
    clock.advance(seconds=GRACE.total_seconds() - 60)
    with database.sessionmaker() as session:
        assert sweep_orphan_bytes(session, storage, GRACE).orphans == []
    assert _keys(storage) == stored["kept"] | stored["orphans"]
    clock.advance(seconds=120)
    with database.sessionmaker() as session:
        dry = sweep_orphan_bytes(session, storage, GRACE, dry_run=True)
    assert {orphan.key for orphan in dry.orphans} == stored["orphans"]
    assert dry.listed == len(stored["kept"] | stored["orphans"])
    assert _keys(storage) == stored["kept"] | stored["orphans"]  # a dry run removes nothing
    with database.sessionmaker() as session:
        swept = sweep_orphan_bytes(session, storage, GRACE)
    assert {orphan.key for orphan in swept.orphans} == stored["orphans"]
    assert swept.orphan_bytes == sum(o.size for o in dry.orphans) > 0
    assert _keys(storage) == stored["kept"]
    for file_id in stored["files"]:
        assert api.get(f"/files/{file_id}/download").status_code == 200
    with database.sessionmaker() as session:
        assert sweep_orphan_bytes(session, storage, GRACE).orphans == []


@STORAGES
def test_the_periodic_task_sweeps_with_the_configured_grace(
    settings: Settings,
    database: Database,
    storage: Storage,
    stored: dict[str, set[str]],
    clock: FrozenClock,
) -> None:
    configured = settings.model_copy(
        update={"storage_sweep_interval_seconds": 3600, "storage_sweep_grace_seconds": 7200}
    )
    [task] = [t for t in periodic_tasks(configured, storage) if t.name == "sweep-orphan-bytes"]
    assert task.every_seconds == 3600
    runner = PeriodicRunner(database.write_sessionmaker, [task])
    clock.advance(seconds=7200 - 60)
    assert runner.run_once(task) == 1
    assert _keys(storage) == stored["kept"] | stored["orphans"]
    clock.advance(seconds=120)
    assert runner.run_once(task) == 1
    assert _keys(storage) == stored["kept"]
    off = configured.model_copy(update={"storage_sweep_interval_seconds": 0})
    assert "sweep-orphan-bytes" not in [t.name for t in periodic_tasks(off, storage)]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server("sqlite", tmp_path, POSTGRES_URL, storage_sweep_interval_seconds=0) as live:
        yield live


def test_the_operator_command_lists_then_removes_the_orphans(
    server: LiveServer, tmp_path: Path
) -> None:
    settings: Settings = server.app.state.settings
    storage: LocalStorage = server.app.state.storage
    with httpx.Client(base_url=server.base_url, headers=server.headers) as merchant:
        kept = merchant.post(
            "/files", json={"file": base64.b64encode(kyc.png_bytes()).decode(), "name": "kept.png"}
        ).json()
    orphan = f"{server.organization_id}/fil_01LEFTBYACRASH"
    storage.put(orphan, b"0123456789")
    day_ago = time.time() - 25 * 3600
    for key in list(storage.keys()):
        os.utime(storage.root / key, (day_ago, day_ago))
    fresh = f"{server.organization_id}/fil_01INFLIGHT"
    storage.put(fresh, b"written just now")
    environment = {
        **os.environ,
        "OPENKYC_DATABASE_URL": settings.resolved_database_url,
        "OPENKYC_STORAGE_URL": settings.resolved_storage_url,
        "OPENKYC_SECRET_KEY": settings.secret_key,
    }

    def sweep(*options: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "openkyc", "storage", "sweep", *options],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = sweep("--dry-run")
    assert f"would remove {orphan} (10 bytes" in listed
    assert "would remove 1 of 3 stored objects (10 bytes)" in listed
    assert orphan in set(storage.keys())
    removed = sweep()
    assert f"removed {orphan} (10 bytes" in removed
    assert set(storage.keys()) == {f"{server.organization_id}/{kept['id']}", fresh}
    download = httpx.get(f"{server.base_url}/files/{kept['id']}/download", headers=server.headers)
    assert download.status_code == 200
