"""Analysis processes run under a memory limit and a wall-clock limit. Work over its time is
stopped by killing its process (a fresh one takes its place); work over its memory ends with a
clear reason; a document whose analysis hits a limit waits for a person with that reason, and
the worker goes on."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openkyc.analysis import InputFile, Person, identity_settings_from_contract
from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.jobs.pool import LimitExceeded, ProcessRunner
from openkyc.kyc.documents.analysis import Prepared, analyse
from openkyc.storage.local import LocalStorage
from openkyc.web.app import create_app
from tests.analysis import documents as drawn
from tests.fixtures import kyc
from tests.fixtures.tenants import make_tenant
from tests.jobs import helpers
from tests.security.pdfs import blank_pdf

MIB = 1024 * 1024


@pytest.fixture
def runner() -> Iterator[ProcessRunner]:
    pool = ProcessRunner(processes=1, timeout=1.5, warm=False, memory_limit_bytes=512 * MIB)
    yield pool
    pool.shutdown()


@pytest.mark.parametrize("seconds", [5, 600])
def test_work_over_its_time_is_stopped_and_its_process_replaced(
    runner: ProcessRunner, seconds: float
) -> None:
    first = runner.run(helpers.pid)
    with pytest.raises(LimitExceeded, match=r"longer than 1\.5 seconds and was stopped"):
        runner.run(helpers.sleep, seconds)
    assert not os.path.exists(f"/proc/{first}")  # killed, not left to finish
    assert runner.pids() and first not in runner.pids()
    assert runner.run(helpers.square, 4) == 16


@pytest.mark.parametrize("megabytes", [600, 2048, 64 * 1024])
def test_work_over_its_memory_ends_with_the_reason_and_the_process_serves_on(
    runner: ProcessRunner, megabytes: int
) -> None:
    before = runner.run(helpers.pid)
    with pytest.raises(LimitExceeded, match="more than its memory limit of 512 MB"):
        runner.run(helpers.allocate, megabytes)
    assert runner.run(helpers.allocate, 100) == 100 * MIB
    assert runner.run(helpers.pid) == before


def _prepared(data: bytes) -> Prepared:
    return Prepared(
        document_type="identity-proof",
        files=(InputFile(data, "id-front", "scan.pdf"),),
        person=Person(first_name="Eileen", last_name="Collins"),
        settings=identity_settings_from_contract(None),
        match_level=2,
        today=date(2026, 6, 1),
        subtypes_allowed=None,
        face_proof_required=False,
    )


@pytest.mark.slow
def test_a_333_byte_pdf_of_10000_points_is_analysed_within_a_small_memory_limit() -> None:
    # Rendered at 150 dpi this page took 4.2 GB; the analyser now renders it at its working
    # size, well inside 2 GB of address space (models included).
    data = blank_pdf(10000, 10000)
    assert len(data) < 400
    pool = ProcessRunner(processes=1, timeout=300, warm=False, memory_limit_bytes=2048 * MIB)
    try:
        result = pool.run(analyse, _prepared(data))
    finally:
        pool.shutdown()
    assert result.decision in ("pending", "rejected")


# Through the API: a document whose analysis goes over its time.


@pytest.fixture
def slow_analysis_api(
    engines: dict[str, Engine], backend: str, tmp_path: Path
) -> Iterator[TestClient]:
    database = Database.from_engine(engines[backend])
    tenant = make_tenant(database, f"Limits {uuid.uuid4().hex[:6]}")
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 32,
        allowed_hosts=("openkyc.test",),
        expiry_interval_seconds=0,
        retention_interval_seconds=0,
        storage_sweep_interval_seconds=0,
        analysis_processes=1,
        # Far less than an OCR of a passport page takes: every analysis goes over it.
        analysis_timeout_seconds=0.3,
    )
    app = create_app(settings, database, LocalStorage(tmp_path / "files"))
    with TestClient(app, base_url="http://openkyc.test", headers=tenant.headers) as api:
        yield api


def _upload(api: TestClient, data: bytes, tags: list[str]) -> str:
    body = {"file": base64.b64encode(data).decode(), "name": "scan.jpg", "tags": tags}
    response = api.post("/files", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_document_whose_analysis_goes_over_its_time_gets_the_reason(
    slow_analysis_api: TestClient,
) -> None:
    api = slow_analysis_api
    customer_id = kyc.customer(api, first="Eileen", last="Collins")
    documents = []
    for _ in range(2):  # the second one finds a fresh process after the first was killed
        page = _upload(api, drawn.encode(drawn.passport(drawn.Holder())), ["kyc", "id-front"])
        body = {"customerId": customer_id, "documentType": "identity-proof", "fileIds": [page]}
        response = api.post("/kyc-documents", json=body)
        assert response.status_code == 201, response.text
        documents.append(kyc.decided(api, response.json()["id"]))
    for document in documents:
        assert document["status"] == "pending"
        assert document["analysisError"] == (
            "the analysis took longer than 0.3 seconds and was stopped"
        )
