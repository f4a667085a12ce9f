"""The back office's server time with a large history: the queue and document pages (and the
dashboard) beside the API's GET of the same document, measured in one run over one database.

100,000 KYC documents (a tenth waiting for a person, the others decided over 90 days) are
written in bulk through openkyc's own table definitions; the pages are then requested through
the real app in this process, signed in as an admin, and each request's time from the first
byte in to the last byte out is what is measured. Nothing here is a test: no figure is
asserted anywhere.

    .venv/bin/python benchmarks/backoffice.py                      # embedded SQLite
    .venv/bin/python benchmarks/backoffice.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import database_url

from openkyc.api_keys import service as api_keys
from openkyc.config import Settings
from openkyc.db.ids import new_id
from openkyc.db.migrate import upgrade
from openkyc.db.models.customer import Customer
from openkyc.db.models.kyc import KycDocument
from openkyc.db.session import Database, make_engine
from openkyc.organizations.service import create_organization
from openkyc.storage.local import LocalStorage
from openkyc.users import service as users
from openkyc.users.enums import Role
from openkyc.users.schemas import UserIn
from openkyc.web.app import create_app

PASSWORD = "benchmark password 1"
CHECKS = ("firstName", "lastName", "dateOfBirth", "expirationDate", "mrzChecksum", "isTampered")


def _matches(randomizer: random.Random) -> dict[str, object]:
    failed = [name for name in CHECKS if randomizer.random() < 0.15]
    checks = [
        {"name": n, "failed": n in failed, "score": 15 if n in failed else 0, "reason": None}
        for n in CHECKS
    ]
    return {"version": "2.0", "score": 100 - 15 * len(failed), "checkList": checks, "data": {}}


def seed(engine: Engine, organization_id: str, documents: int, customers: int) -> str:
    """Customers and documents in bulk; returns the id of a waiting document."""
    randomizer = random.Random(7)
    now = datetime.now(UTC)
    customer_ids = [new_id("cus") for _ in range(customers)]
    with engine.begin() as connection:
        connection.execute(
            insert(Customer),
            [
                {
                    "organization_id": organization_id,
                    "id": cid,
                    "first_name": f"Customer{i}",
                    "last_name": "Bench",
                    "revision": 0,
                    "has_fulfilled_kyc": False,
                    "custom_fields": {},
                    "notification_emails": [],
                    "created_time": now - timedelta(days=100),
                    "updated_time": now - timedelta(days=100),
                }
                for i, cid in enumerate(customer_ids)
            ],
        )
    waiting_id = ""
    for start in range(0, documents, 5000):
        rows: list[dict[str, object]] = []
        for index in range(start, min(documents, start + 5000)):
            created = now - timedelta(minutes=90 * 24 * 60 * (documents - index) / documents)
            waiting = index % 10 == 0
            status = "pending" if waiting else randomizer.choice(("accepted", "rejected"))
            document_id = new_id("kyc_doc")
            waiting_id = waiting_id or (document_id if waiting else "")
            rows.append(
                {
                    "organization_id": organization_id,
                    "id": document_id,
                    "customer_id": randomizer.choice(customer_ids),
                    "document_type": randomizer.choice(("identity-proof", "address-proof")),
                    "status": status,
                    "file_ids": [],
                    "match_level": 2,
                    "revision": 0,
                    "document_matches": _matches(randomizer),
                    "rejection_reason": {"type": "document-expired"}
                    if status == "rejected"
                    else None,
                    "processed_time": None if waiting else created + timedelta(minutes=3),
                    "created_time": created,
                    "updated_time": created,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(KycDocument), rows)
    # What autovacuum does to a table that has settled: statistics, and the visibility map
    # that lets a count read an index alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    return waiting_id


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    call()  # warm: templates compiled, caches filled
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        database_url(args.database_url, Path(folder)) as url,
    ):
        run(url, Path(folder), args)


def run(url: str, folder: Path, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    upgrade(engine)
    database = Database.from_engine(engine)
    with database.write_sessionmaker() as session:
        organization = create_organization(session, "Bench")
        key = api_keys.create_initial_key(session, organization.id)
        admin = UserIn(
            email="ada@example.com",
            firstName="Ada",
            lastName="Admin",
            role=Role.ADMIN,
            password=PASSWORD,
        )
        users.create(session, organization.id, admin)
        session.commit()
    started = time.perf_counter()
    waiting = seed(engine, organization.id, args.documents, args.customers)
    print(f"seeded {args.documents} documents in {time.perf_counter() - started:.0f} s")
    with engine.connect() as connection:
        # Page 100 of the queue starts after its 4,950th document (the link "Next" names it).
        deep = connection.execute(
            text(
                "SELECT id FROM kyc_documents WHERE organization_id = :o AND status = 'pending' "
                "ORDER BY created_time, id LIMIT 1 OFFSET 4949"
            ),
            {"o": organization.id},
        ).scalar_one()
    settings = Settings(
        data_dir=folder / "data",
        secret_key="bench-secret-" + "x" * 32,
        allowed_hosts=("testserver",),
        expiry_interval_seconds=0,
        retention_interval_seconds=0,
        embedded_worker=False,
        rate_limit="1000000/minute",
    )
    app = create_app(settings, database, LocalStorage(folder / "files"))
    with TestClient(app, base_url="https://testserver") as client:
        form = client.get("/backoffice/signin").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        signed = client.post(
            "/backoffice/signin",
            data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": token[1]},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        api = {"REB-APIKEY": key}

        def page(path: str, headers: dict[str, str] | None = None) -> Callable[[], object]:
            def call() -> object:
                response = client.get(path, headers=headers)
                assert response.status_code == 200, (path, response.status_code)
                return response

            return call

        measured = {
            "API GET /kyc-documents/{id}": page(f"/kyc-documents/{waiting}", api),
            "back office: document page": page(f"/backoffice/documents/{waiting}"),
            "back office: queue, first page": page("/backoffice/queue"),
            "back office: queue, page 100": page(f"/backoffice/queue?after={deep}"),
            "back office: queue, filtered": page(
                "/backoffice/queue?type=identity-proof&min=50&max=90&check=lastName"
            ),
            "back office: requests list": page("/backoffice/requests"),
            "back office: dashboard (14 days)": page("/backoffice/dashboard"),
        }
        baseline = 0.0
        print(f"{args.documents} documents, {args.documents // 10} waiting, {engine.dialect.name}")
        print(f"{'what':40} {'p50 ms':>8} {'p90 ms':>8} {'p50 ratio':>10}")
        for name, call in measured.items():
            times = timed(call, args.repeat)
            p50 = statistics.median(times)
            p90 = statistics.quantiles(times, n=10)[-1]
            baseline = baseline or p50
            print(f"{name:40} {p50:8.1f} {p90:8.1f} {p50 / baseline:10.2f}")
    engine.dispose()


if __name__ == "__main__":
    main()
