"""`openkyc users create`: the first admin of a fresh installation, who then signs in."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openkyc.config import Settings
from openkyc.db.session import Database
from openkyc.web.app import create_app
from tests.fixtures.people import PASSWORD
from tests.test_cli import OPENKYC, _run, database_env

__all__ = ["database_env"]


def _create(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OPENKYC, "users", "create", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.timeout(300)
def test_the_first_admin_is_made_on_the_command_line_and_signs_in(
    database_env: dict[str, str],
) -> None:
    organization = re.search(r"Organization id: (org_\w+)", _run(database_env, "migrate"))
    assert organization
    person = ["--email", "ada@example.com", "--first-name", "Ada", "--last-name", "Admin"]
    short = _create(database_env, *person, "--password", "short")
    assert short.returncode != 0 and "password" in short.stderr
    made = _create(database_env, *person, "--password", PASSWORD)
    assert made.returncode == 0, made.stderr
    assert f"(ada@example.com, admin) of {organization.group(1)}" in made.stdout
    again = _create(database_env, *person, "--password", PASSWORD)
    assert again.returncode != 0 and "email" in again.stderr
    settings = Settings(
        data_dir=Path(database_env["OPENKYC_DATA_DIR"]),
        database_url=database_env.get("OPENKYC_DATABASE_URL", ""),
        embedded_worker=False,
        expiry_interval_seconds=0,
        retention_interval_seconds=0,
        storage_sweep_interval_seconds=0,
        allowed_hosts=("testserver",),
    )
    database = Database.from_url(settings.resolved_database_url)
    try:
        with TestClient(create_app(settings, database)) as client:
            signed = client.post("/signin", json={"email": "ada@example.com", "password": PASSWORD})
            assert signed.status_code == 200, signed.text
            token = signed.json()["token"]
            users = client.get("/users", headers={"Authorization": f"Bearer {token}"}).json()
            assert [(u["email"], u["role"]) for u in users] == [("ada@example.com", "admin")]
    finally:
        database.dispose()
