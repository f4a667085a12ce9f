"""The two things a new user does first: start the service, and script its first organization."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from openkyc.db.session import Database, make_engine
from openkyc.flows import webhooks as subscriptions
from openkyc.sealing import Sealer
from openkyc.service_credentials import service as credentials
from openkyc.service_credentials.schemas import AuthBasic, WebhookCredentialIn
from openkyc.webhooks.enums import HttpMethod
from openkyc.webhooks.schemas import WebhookIn
from tests.conftest import POSTGRES_URL
from tests.fixtures import kyc
from tests.fixtures.waiting import reachable, until

OPENKYC = [sys.executable, "-m", "openkyc"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "OPENKYC_DATA_DIR": str(tmp_path / "data")}
    if request.param == "sqlite":
        yield env
        return
    schema = f"openkyc_cli_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield {**env, "OPENKYC_DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"}
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*OPENKYC, *args], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_first_start_creates_an_organization_and_prints_its_key_once(
    database_env: dict[str, str],
) -> None:
    first = _run(database_env, "migrate")
    organization = re.search(r"Organization id: (org_\w+)", first)
    key = re.search(r"Secret API key:\s+(sk_\S+)", first)
    assert organization and key
    second = _run(database_env, "migrate")
    assert "Organization id" not in second and "sk_" not in second


def test_serve_answers_with_the_printed_key(database_env: dict[str, str]) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [*OPENKYC, "serve", "--port", str(port)],
        env=database_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        while not any("Secret API key" in line for line in lines):
            line = server.stdout.readline() if server.stdout else ""
            assert line, "openkyc serve exited: " + "".join(lines)
            lines.append(line)
        key = re.search(r"(sk_\S+)", lines[-1]).group(1)  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        response = until(
            reachable(
                lambda: httpx.get(f"{base}/customers", headers={"REB-APIKEY": key}),
                httpx.ConnectError,
            ),
            what="the server to listen",
        )
        assert response.status_code == 200 and response.json() == []
        assert httpx.get(f"{base}/customers").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_settings_can_fix_the_first_organization_and_key(database_env: dict[str, str]) -> None:
    env = {
        **database_env,
        "OPENKYC_BOOTSTRAP_ORGANIZATION_ID": "org_ci",
        "OPENKYC_BOOTSTRAP_API_KEY": "sk_ci_0123456789abcdef",
    }
    output = _run(env, "migrate")
    assert "Organization id: org_ci" in output
    assert "sk_ci_0123456789abcdef" in output
    assert "Organization id" not in _run(env, "migrate")


def test_secrets_an_earlier_version_stored_plain_are_sealed_at_the_next_start(
    database_env: dict[str, str],
) -> None:
    env = {**database_env, "OPENKYC_SECRET_KEY": "cli-secret-" + "z" * 32}
    organization = re.search(r"Organization id: (org_\w+)", _run(env, "migrate"))
    assert organization
    url = env.get("OPENKYC_DATABASE_URL") or f"sqlite:///{env['OPENKYC_DATA_DIR']}/openkyc.db"
    database = Database.from_url(url)
    sealer = Sealer(env["OPENKYC_SECRET_KEY"])
    basic = AuthBasic(type="basic", username="shop", password="s3cret")
    with database.write_sessionmaker.begin() as session:
        credential, _ = credentials.create(
            session, organization[1], WebhookCredentialIn(host="hooks.example", auth=basic), sealer
        )
        hook = WebhookIn(
            method=HttpMethod.POST, url="https://hooks.example/", credentialHash=credential.id
        )
        webhook, secret = subscriptions.create(session, organization[1], hook, sealer)
        # As openkyc stored them before it sealed secrets.
        assert secret is not None
        webhook.signing_secret, credential.password = secret, "s3cret"
    assert "Sealed 2 webhook secrets" in _run(env, "migrate")
    with database.sessionmaker() as session:
        stored_hook = session.get(type(webhook), (organization[1], webhook.id))
        stored_credential = session.get(type(credential), (organization[1], credential.id))
        assert stored_hook is not None and stored_credential is not None
        assert stored_hook.signing_secret.startswith("sealed:1:")
        assert sealer.open(stored_hook.signing_secret) == secret
        assert sealer.open(stored_credential.password) == "s3cret"
    assert "Sealed" not in _run(env, "migrate")
    # A new secret key, the old one kept as previous: sealed anew under the new key.
    rotated = {
        **env,
        "OPENKYC_SECRET_KEY": "cli-rotated-" + "r" * 32,
        "OPENKYC_PREVIOUS_SECRET_KEYS": env["OPENKYC_SECRET_KEY"],
    }
    assert "Sealed 2 webhook secrets" in _run(rotated, "migrate")
    with database.sessionmaker() as session:
        stored_hook = session.get(type(webhook), (organization[1], webhook.id))
        assert stored_hook is not None
        assert Sealer(rotated["OPENKYC_SECRET_KEY"]).open(stored_hook.signing_secret) == secret
    database.dispose()


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*OPENKYC, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _line_with(process: subprocess.Popen[str], text: str) -> str:
    seen: list[str] = []
    while True:
        line = process.stdout.readline() if process.stdout else ""
        assert line, "process exited: " + "".join(seen)
        seen.append(line)
        if text in line:
            return line


def test_a_separate_worker_process_analyses_what_the_server_receives(
    database_env: dict[str, str],
) -> None:
    import base64

    from tests.analysis import documents as drawn

    port = _free_port()
    env = {
        **database_env,
        "OPENKYC_EMBEDDED_WORKER": "false",
        "OPENKYC_BOOTSTRAP_API_KEY": "sk_worker_test_0123456789",
    }
    server = _start(env, "serve", "--port", str(port))
    worker = None
    try:
        _line_with(server, "Organization id")
        worker = _start(env, "worker", "--processes", "1")
        _line_with(worker, "is running")
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"REB-APIKEY": "sk_worker_test_0123456789"}
        )
        until(reachable(lambda: api.get("/health"), httpx.ConnectError), what="the server")
        customer = api.post(
            "/customers",
            json={
                "primaryAddress": {
                    "firstName": "Eileen",
                    "lastName": "Collins",
                    "dob": "1986-11-19",
                }
            },
        ).json()
        scan = base64.b64encode(drawn.encode(drawn.passport(drawn.Holder()))).decode()
        file_id = api.post("/files", json={"file": scan, "tags": ["kyc", "id-front"]}).json()["id"]
        document = api.post(
            "/kyc-documents",
            json={
                "customerId": customer["id"],
                "documentType": "identity-proof",
                "fileIds": [file_id],
            },
        ).json()
        assert document["status"] == "in-progress"
        document = kyc.decided(api, document["id"], seconds=120)
        assert document["status"] == "accepted"
        assert document["documentMatches"]["data"]["documentNumber"] == "X4821937"
    finally:
        for process in (worker, server):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)


def test_a_worker_without_a_public_url_refuses_to_start_in_production(
    database_env: dict[str, str],
) -> None:
    env = {**database_env, "OPENKYC_ENVIRONMENT": "production", "OPENKYC_SECRET_KEY": "p" * 40}
    done = subprocess.run(
        [*OPENKYC, "worker", "--processes", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "OPENKYC_PUBLIC_URL must be set in production" in done.stderr
    assert "Traceback" not in done.stderr
