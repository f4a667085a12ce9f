"""Logs never carry a bearer secret or a customer's data: real requests through a real uvicorn
(its access log on, every logger at DEBUG so SQLAlchemy writes each statement), and real
errors of both databases, logged the way `openkyc serve` logs them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from uvicorn.logging import AccessFormatter

from openkyc.logs import configure_logging
from tests.fixtures.live import Live
from tests.fixtures.payloads import customer_body

NAME = ("Zerelda", "Quixotewell")
EMAIL = "zerelda.quixotewell@example.org"
PROTECTED = ("", "uvicorn.access", "uvicorn.error", "openkyc.access", "sqlalchemy.engine")


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Whatever a test does to the loggers is undone after it."""
    saved = {
        name: (list(logging.getLogger(name).handlers), logging.getLogger(name).level)
        for name in PROTECTED
    }
    propagate = logging.getLogger("uvicorn.access").propagate
    yield
    for name, (handlers, level) in saved.items():
        logging.getLogger(name).handlers[:] = handlers
        logging.getLogger(name).setLevel(level)
    logging.getLogger("uvicorn.access").propagate = propagate


def _uvicorn_access_log() -> io.StringIO:
    """uvicorn's own access log, formatted by uvicorn, as a deployment that runs uvicorn with
    its default logging writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    return stream


def _walk_of_a_customer(live: Live) -> dict[str, str]:
    """A merchant creates a customer and a KYC request, looks the customer up; the customer
    opens the link and exchanges it. Returns the secrets that went over the wire."""
    with httpx.Client(base_url=live.base_url, headers=live.headers, timeout=30) as merchant:
        body = customer_body(first=NAME[0], last=NAME[1], email=EMAIL)
        created = merchant.post("/customers", json=body)
        assert created.status_code == 201, created.text
        customer = created.json()["id"]
        request = merchant.post(
            "/kyc-requests",
            json={"customerId": customer, "documents": [{"type": "identity-proof"}]},
        ).json()
        link = next(x["href"] for x in request["_links"] if x["rel"] == "gatherer")
        link_token = link.split("token=")[1].split("&")[0]
        for query in (f"q={NAME[1]}", f"filter=email:{EMAIL}", f"filter=firstName:{NAME[0]}"):
            assert merchant.get(f"/customers?{query}").status_code == 200
        assert httpx.get(link, timeout=30).status_code == 200
        exchanged = merchant.post(f"/authentication-tokens/{link_token}/exchange", json={})
        assert exchanged.status_code == 201, exchanged.text
        customer_token = exchanged.json()["token"]
        # A forged token and a token where no token belongs are logged as hidden too.
        merchant.post(f"/authentication-tokens/{customer_token}x/exchange", json={})
        httpx.get(f"{live.base_url}/gatherer?token={quote(customer_token)}", timeout=30)
        merchant.get(f"/customers/{customer}?jwt={customer_token}")
    return {"link token": link_token, "customer token": customer_token, "key": live.api_key}


def test_real_requests_leave_no_secret_and_no_customer_data_in_any_log(
    live: Live, restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("text", "DEBUG")  # what `openkyc serve` sets up, at its most talkative
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # every statement (echo)
    uvicorn_lines = _uvicorn_access_log()
    secrets = _walk_of_a_customer(live)
    logged = capsys.readouterr().err
    uvicorn_log = uvicorn_lines.getvalue()
    for name, value in {**secrets, "first name": NAME[0], "last name": NAME[1]}.items():
        assert value not in logged, name
        assert value not in uvicorn_log, name
    assert EMAIL.split("@")[0] not in logged + uvicorn_log
    # The logs are there, and say what happened.
    assert "INSERT INTO customers" in logged
    assert "[SQL parameters hidden due to hide_parameters=True]" in logged
    assert "POST /authentication-tokens/[hidden]/exchange 201" in logged
    assert '"POST /authentication-tokens/[hidden]/exchange HTTP/1.1" 201' in uvicorn_log
    assert '"GET /gatherer?token=[hidden] HTTP/1.1" 200' in uvicorn_log
    assert '"GET /customers?filter=[hidden] HTTP/1.1" 200' in uvicorn_log
    assert '"GET /customers?q=[hidden] HTTP/1.1" 200' in uvicorn_log


def _database_errors(engine: Engine) -> list[DBAPIError]:
    """Real errors whose database message repeats the values it was given."""
    statements = [
        # The duplicate's value in PostgreSQL's DETAIL ("Key (email)=(…) already exists").
        "INSERT INTO leak_probe (email) VALUES (:email), (:email)",
        # The value in the message itself ("invalid input syntax for type integer: …").
        "SELECT CAST(CAST(:email AS VARCHAR) AS INTEGER) + 1",
        # The whole row in PostgreSQL's DETAIL ("Failing row contains (…)").
        "INSERT INTO leak_probe (email, age) VALUES (:email, -1)",
    ]
    found = []
    with engine.connect() as connection:
        connection.execute(text("DROP TABLE IF EXISTS leak_probe"))
        connection.execute(
            text("CREATE TABLE leak_probe (email VARCHAR(100) UNIQUE, age INTEGER CHECK (age > 0))")
        )
        connection.commit()
        try:
            for statement in statements:
                try:
                    connection.execute(text(statement), {"email": EMAIL})
                except DBAPIError as error:
                    found.append(error)
                connection.rollback()
        finally:
            connection.execute(text("DROP TABLE leak_probe"))
            connection.commit()
    return found


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_database_errors_are_logged_without_the_values(
    engines: dict[str, Engine],
    backend: str,
    log_format: str,
    restored_logging: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    errors = _database_errors(engines[backend])
    assert len(errors) == (3 if backend == "postgresql" else 2)  # SQLite casts, PG refuses
    if backend == "postgresql":  # what would leak without the redaction
        assert all(EMAIL in str(error.orig) for error in errors)
    configure_logging(log_format)
    log = logging.getLogger("openkyc.jobs.worker")
    for error in errors:
        try:
            raise RuntimeError("the job failed") from error
        except RuntimeError:
            log.exception("job %s failed", "job_1")
        log.error("the database is unavailable on %s %s: %s", "GET", "/customers", error)
    logged = capsys.readouterr().err
    assert EMAIL not in logged and "zerelda" not in logged.lower()
    if log_format == "json":
        lines = [json.loads(line) for line in logged.splitlines()]
        assert len(lines) == 2 * len(errors)
        logged = "\n".join(line.get("exception", "") + line["message"] for line in lines)
    assert "INSERT INTO leak_probe (email) VALUES" in logged  # the statement, placeholders only
    assert "RuntimeError: the job failed" in logged
    if backend == "postgresql":
        assert "UniqueViolation" in logged and "SQLSTATE 23505" in logged
        assert "constraint leak_probe_email_key" in logged
        assert "InvalidTextRepresentation" in logged and "CheckViolation" in logged
    else:
        assert "UNIQUE constraint failed: leak_probe.email" in logged
