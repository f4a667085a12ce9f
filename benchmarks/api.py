"""Throughput and latency of openkyc's customer and KYC request endpoints under concurrent load
on loopback.

Starts ``openkyc serve --no-worker`` (an API node) in a subprocess (embedded SQLite in a
temporary folder, or the PostgreSQL of ``--database-url`` in a schema of its own, dropped
afterwards), seeds customers through the API and ``--kyc-requests`` KYC requests (with their
documents) straight into the database in bulk, then for each endpoint warms up and keeps
``--connections`` keep-alive connections busy for ``--seconds``. Every figure is also given as
a ratio to ``GET /health`` (no database, no authentication) measured in the same run, so the
table says what the endpoint's own work costs on this machine rather than how fast the machine
is. ``GET /customers/{id}`` is then measured beside a minimal FastAPI + ORM app in interleaved
rounds (``customer_read_rounds``).

    python benchmarks/api.py                       # embedded SQLite
    python benchmarks/api.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median, quantiles
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, insert, text

from openkyc.db.ids import new_id
from openkyc.db.models.kyc import KycDocument, KycRequest
from openkyc.db.session import make_engine
from openkyc.kyc.enums import DocumentType
from openkyc.kyc.requests.schemas import RequestedDocument

COUNTRIES = ["GB", "US", "DE", "FR"]
LIST_QUERY = (
    "filter=primaryAddress.country:GB;createdTime:2020-01-01T00:00:00Z..&sort=-createdTime&limit=20"
)
# About one seeded request in ten is fulfilled; the list asks for the newest of them.
KYC_LIST_QUERY = (
    "filter=status:fulfilled;createdTime:2020-01-01T00:00:00Z..&sort=-createdTime&limit=20"
)
ORGANIZATION_ID = "org-bench"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    # Server CPU time (user + system) per request: steadier than req/s on a shared machine.
    cpu_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:  # every request failed: the errors column says how many
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Connection:
    """One keep-alive HTTP/1.1 connection. The load generator shares two cores with the server,
    so it is a few lines over asyncio streams rather than a full client."""

    def __init__(self, host: str, port: int, api_key: str) -> None:
        self.host, self.port, self.api_key = host, port, api_key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{request.method} {request.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"REB-APIKEY: {self.api_key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(request.body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + request.body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return int(status_line.split()[1]), body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(
    base: tuple[str, int, str],
    make_request: Callable[[], Request],
    expected: int,
    connections: int,
    seconds: float,
) -> tuple[int, int, float, list[float]]:
    """Keep ``connections`` requests in flight for ``seconds``; (ok, errors, elapsed, latencies)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        connection = Connection(*base)
        try:
            while time.perf_counter() < deadline:
                request = make_request()
                started = time.perf_counter()
                status, _ = await connection.send(request)
                if status == expected:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors += 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return len(latencies), errors, time.perf_counter() - started, latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    name: str,
    base: tuple[str, int, str],
    make_request: Callable[[], Request],
    expected: int,
    args: argparse.Namespace,
    pid: int,
    seconds: float | None = None,
    warmup: float | None = None,
) -> Result:
    warmup = args.warmup if warmup is None else warmup
    if warmup > 0:
        asyncio.run(load(base, make_request, expected, args.connections, warmup))
    cpu_before = cpu_seconds(pid)
    ok, errors, elapsed, latencies = asyncio.run(
        load(base, make_request, expected, args.connections, seconds or args.seconds)
    )
    cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / max(ok, 1)
    return Result(name, ok, errors, elapsed, latencies, cpu_ms)


def customer_body(index: int) -> bytes:
    first = f"Customer{index}"
    return json.dumps(
        {
            "primaryAddress": {
                "firstName": first,
                "lastName": "Bench",
                "country": COUNTRIES[index % len(COUNTRIES)],
                "city": "London",
                "dob": "1990-12-10",
                "emails": [{"label": "main", "value": f"{first.lower()}@example.com"}],
            }
        }
    ).encode()


async def seed(base: tuple[str, int, str], count: int, connections: int) -> list[str]:
    ids: list[str] = []
    queue = list(range(count))

    async def worker() -> None:
        connection = Connection(*base)
        try:
            while queue:
                status, body = await connection.send(
                    Request("POST", "/customers", customer_body(queue.pop()))
                )
                if status != 201:
                    raise RuntimeError(f"seeding failed: {status} {body[:200]!r}")
                ids.append(json.loads(body)["id"])
        finally:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return ids


def kyc_request_body(customer_id: str) -> bytes:
    return json.dumps(
        {
            "customerId": customer_id,
            "documents": [
                {"type": "identity-proof", "faceProofRequired": True},
                {"type": "address-proof"},
            ],
            "redirectUrl": "https://shop.example.com/kyc-done",
        }
    ).encode()


# (share of the seeded requests, request status, statuses of its identity-proof documents):
# each request asks for identity proof only, so its status is what the documents make it.
SEEDED_SHAPES = [
    (0.4, "gathering", []),
    (0.2, "pending-review", ["pending"]),
    (0.2, "attempted", ["rejected"]),
    (0.1, "fulfilled", ["rejected", "accepted"]),
    (0.1, "expired", []),
]


def seed_kyc_requests(url: str, customer_ids: list[str], count: int) -> int:
    """``count`` requests of the seeded customers, written in bulk through openkyc's own table
    definitions (the API would take minutes for 100,000); returns the documents written."""
    engine: Engine = make_engine(url)
    randomizer = random.Random(11)
    requested = [RequestedDocument(type=DocumentType.IDENTITY).model_dump(mode="json")]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    documents_written = 0
    try:
        for batch_start in range(0, count, 5000):
            requests: list[dict[str, object]] = []
            documents: list[dict[str, object]] = []
            for index in range(batch_start, min(count, batch_start + 5000)):
                created = start + timedelta(minutes=5 * index)
                customer_id = randomizer.choice(customer_ids)
                status, document_statuses = shape(randomizer.random())
                request_id = new_id("kyc_req")
                requests.append(
                    {
                        "organization_id": ORGANIZATION_ID,
                        "id": request_id,
                        "customer_id": customer_id,
                        "documents": requested,
                        "status": status,
                        "match_level": 2,
                        "expiration_time": created
                        + (timedelta(hours=1) if status == "expired" else timedelta(days=3650)),
                        "revision": len(document_statuses),
                        "created_time": created,
                        "updated_time": created,
                    }
                )
                for offset, document_status in enumerate(document_statuses):
                    documents.append(
                        {
                            "organization_id": ORGANIZATION_ID,
                            "id": new_id("kyc_doc"),
                            "customer_id": customer_id,
                            "request_id": request_id,
                            "document_type": "identity-proof",
                            "document_subtype": "passport",
                            "status": document_status,
                            "file_ids": [],
                            "match_level": 2,
                            "revision": 0,
                            "created_time": created + timedelta(seconds=offset + 1),
                            "updated_time": created + timedelta(seconds=offset + 1),
                        }
                    )
            with engine.begin() as connection:
                connection.execute(insert(KycRequest), requests)
                if documents:
                    connection.execute(insert(KycDocument), documents)
            documents_written += len(documents)
        with engine.begin() as connection:
            # What autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) do for a live database.
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return documents_written


def seeded_request_ids(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT id FROM kyc_requests")).scalars())
    finally:
        engine.dispose()


def shape(draw: float) -> tuple[str, list[str]]:
    for share, status, documents in SEEDED_SHAPES:
        if draw < share:
            return status, documents
        draw -= share
    return SEEDED_SHAPES[-1][1], SEEDED_SHAPES[-1][2]


@contextmanager
def database_url(given: str | None, folder: Path) -> Iterator[str]:
    """The embedded SQLite file, or a fresh schema of the given PostgreSQL, dropped after."""
    if not given:
        yield f"sqlite:///{folder / 'openkyc.db'}"
        return
    schema = f"openkyc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(given.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in given else "?"
    try:
        yield f"{given}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    url: str, folder: Path, api_key: str, source: str | None = None, name: str = "server"
) -> Iterator[tuple[int, int]]:
    """``openkyc serve --no-worker`` as a deployment runs an API node, bootstrapped with a
    known key; ``source`` is another tree's ``src`` folder to run instead of the installed
    openkyc."""
    port = free_port()
    environment = {
        **os.environ,
        "OPENKYC_DATA_DIR": str(folder / "data"),
        "OPENKYC_DATABASE_URL": url,
        "OPENKYC_PORT": str(port),
        "OPENKYC_SECRET_KEY": "bench-" + "x" * 40,
        "OPENKYC_BOOTSTRAP_ORGANIZATION_ID": ORGANIZATION_ID,
        "OPENKYC_BOOTSTRAP_API_KEY": api_key,
        # The benchmark measures the work of a request, not the throttle.
        "OPENKYC_RATE_LIMIT": "1000000000/minute",
    }
    if source:
        environment["PYTHONPATH"] = source
    log = folder / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            # An API node (docs/scaling.md): the embedded worker's polling of the job and
            # webhook queues is no work of a request, and the minimal app has none.
            [sys.executable, "-m", "openkyc", "serve", "--no-worker"],
            env=environment,
            stdout=output,
            stderr=output,
        )
    try:
        wait_until_up(port, process, log)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def minimal_server(url: str, folder: Path) -> Iterator[tuple[int, int]]:
    """The baseline app of ``minimal_app.py`` on the same database."""
    port = free_port()
    log = folder / "minimal.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("minimal_app.py")), url, str(port)],
            stdout=output,
            stderr=output,
        )
    try:
        wait_until_up(port, process, log, path="/customers/none")
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


# More customers for the list's sizes, made by the database itself: a million rows through
# Python would take longer than the whole measurement. Same shape as ``customer_body``.
BULK_CUSTOMERS = {
    "postgresql": """
        INSERT INTO customers (organization_id, id, first_name, last_name, country, city, dob,
            email, primary_address, custom_fields, notification_emails, has_fulfilled_kyc,
            revision, created_time, updated_time)
        SELECT :organization, 'cus_bulk' || n, 'Bulk' || n, 'Bench', c.country, 'London',
            '1990-12-10', 'bulk' || n || '@example.com',
            jsonb_build_object('firstName', 'Bulk' || n, 'lastName', 'Bench',
                'country', c.country, 'city', 'London', 'dob', '1990-12-10',
                'emails', jsonb_build_array(jsonb_build_object('label', 'main',
                    'value', 'bulk' || n || '@example.com'))),
            '{}', '[]', false, 0,
            TIMESTAMPTZ '2024-01-01 00:00:00+00' + n * INTERVAL '1 second',
            TIMESTAMPTZ '2024-01-01 00:00:00+00' + n * INTERVAL '1 second'
        FROM generate_series(:low, :high - 1) AS n,
            LATERAL (SELECT (ARRAY['GB', 'US', 'DE', 'FR'])[n % 4 + 1] AS country) AS c
    """,
    "sqlite": """
        WITH RECURSIVE numbers(n) AS (SELECT :low UNION ALL SELECT n + 1 FROM numbers
            WHERE n + 1 < :high)
        INSERT INTO customers (organization_id, id, first_name, last_name, country, city, dob,
            email, primary_address, custom_fields, notification_emails, has_fulfilled_kyc,
            revision, created_time, updated_time)
        SELECT :organization, 'cus_bulk' || n, 'Bulk' || n, 'Bench', country, 'London',
            '1990-12-10', 'bulk' || n || '@example.com',
            json_object('firstName', 'Bulk' || n, 'lastName', 'Bench', 'country', country,
                'city', 'London', 'dob', '1990-12-10', 'emails', json_array(json_object(
                    'label', 'main', 'value', 'bulk' || n || '@example.com'))),
            '{}', '[]', 0, 0,
            datetime('2024-01-01', '+' || n || ' seconds') || '.000000',
            datetime('2024-01-01', '+' || n || ' seconds') || '.000000'
        FROM (SELECT n, CASE n % 4 WHEN 0 THEN 'GB' WHEN 1 THEN 'US' WHEN 2 THEN 'DE'
            ELSE 'FR' END AS country FROM numbers)
    """,
}


def seed_customers_in_bulk(url: str, total: int, have: int) -> float:
    """Grow the customers table from ``have`` to ``total`` rows in SQL; the seconds it took."""
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        for low in range(have, total, 100_000):  # one statement per 100,000 rows
            with engine.begin() as connection:
                connection.execute(
                    text(BULK_CUSTOMERS[engine.dialect.name]),
                    {
                        "organization": ORGANIZATION_ID,
                        "low": low,
                        "high": min(total, low + 100_000),
                    },
                )
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def wait_until_up(
    port: int, process: subprocess.Popen[bytes], log: Path, path: str = "/health"
) -> None:
    # A start on a busy machine (the analyser's processes load their models) takes a while.
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"openkyc serve exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{log.name}: no answer within 240 s")


def table(results: list[Result], bare: Result) -> str:
    rows = [
        f"{'endpoint':<32} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} "
        f"{'req/s ratio':>11} {'p50 ratio':>9} {'p99 ratio':>9} {'CPU ratio':>9} {'errors':>6}"
    ]
    for r in results:
        rows.append(
            f"{r.name:<32} {r.rps:>6.0f} {r.percentile(0.5):>7.2f} {r.percentile(0.99):>7.2f} "
            f"{r.cpu_ms:>7.2f} {r.rps / bare.rps:>11.3f} "
            f"{r.percentile(0.5) / bare.percentile(0.5):>9.2f} "
            f"{r.percentile(0.99) / bare.percentile(0.99):>9.2f} "
            f"{r.cpu_ms / bare.cpu_ms:>9.2f} {r.errors:>6}"
        )
    return "\n".join(rows)


def customer_read_rounds(
    url: str, folder: Path, ids: list[str], args: argparse.Namespace
) -> list[dict[str, Result]]:
    """``GET /customers/{id}`` of openkyc, of the minimal app and of each ``--compare-with``
    tree, interleaved for ``--rounds`` rounds of ``--round-seconds`` each, on the same
    database and rows. Every server is warmed up once; then each round measures them one
    after the other, in the order of the round before reversed (A B, B A, A B, ...), so a
    load that rises or falls through the run weighs on each alike. Ratios are taken within a
    round: what each costs beside the others under the same load."""
    api_key = args.api_key
    randomizer = random.Random(5)

    def read() -> Request:
        return Request("GET", f"/customers/{randomizer.choice(ids)}")

    with ExitStack() as stack:
        # A node of its own, started like the others: the node that served the table above
        # has been through every endpoint, the others through this one only.
        servers: dict[str, int] = {}
        ports: dict[str, int] = {}
        ports["openkyc"], servers["openkyc"] = stack.enter_context(
            server(url, folder, api_key, name="openkyc")
        )
        ports["minimal app"], servers["minimal app"] = stack.enter_context(
            minimal_server(url, folder)
        )
        for name, source in args.compare_with:
            ports[name], servers[name] = stack.enter_context(
                server(url, folder, api_key, source, name)
            )
        names = list(servers)
        for name in names:
            base = ("127.0.0.1", ports[name], api_key)
            asyncio.run(load(base, read, 200, args.connections, args.warmup))
        rounds = []
        for number in range(args.rounds):
            turn = names if number % 2 == 0 else names[::-1]
            rounds.append(
                {
                    name: measure(
                        name,
                        ("127.0.0.1", ports[name], api_key),
                        read,
                        200,
                        args,
                        servers[name],
                        seconds=args.round_seconds,
                        warmup=0,
                    )
                    for name in turn
                }
            )
    return rounds


def _quartiles(values: list[float], digits: int) -> str:
    """Median and the middle half: ``1.02 [0.91-1.10]`` (a round or two that other work on
    the machine upset move neither)."""
    ordered = sorted(values)
    low, _, high = quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else ordered * 3
    return f"{median(ordered):.{digits}f} [{low:.{digits}f}-{high:.{digits}f}]"


def pooled(name: str, results: list[Result]) -> Result:
    """The rounds of one server as one measurement: every request, every second, all CPU."""
    requests = sum(r.requests for r in results)
    cpu_ms = sum(r.cpu_ms * r.requests for r in results) / max(requests, 1)
    return Result(
        name,
        requests,
        sum(r.errors for r in results),
        sum(r.seconds for r in results),
        [latency for r in results for latency in r.latencies_ms],
        cpu_ms,
    )


def rounds_table(rounds: list[dict[str, Result]]) -> str:
    order = sorted(rounds[0], key=lambda n: (n != "openkyc", n == "minimal app", n))
    rows = [
        f"GET /customers/{{id}} in {len(rounds)} interleaved rounds: every round's requests "
        "together, and the ratio to the minimal app within each round (median [middle half])",
        f"{'server':<24} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} "
        f"{'req/s vs minimal':>18} {'p99 vs minimal':>18} {'CPU vs minimal':>18} {'errors':>6}",
    ]
    for name in order:
        whole = pooled(name, [r[name] for r in rounds])
        paired = [(r[name], r["minimal app"]) for r in rounds]
        rps = [a.rps / b.rps for a, b in paired]
        p99 = [a.percentile(0.99) / b.percentile(0.99) for a, b in paired]
        cpu = [a.cpu_ms / b.cpu_ms for a, b in paired]
        rows.append(
            f"{name:<24} {whole.rps:>6.0f} {whole.percentile(0.5):>7.2f} "
            f"{whole.percentile(0.99):>7.2f} {whole.cpu_ms:>7.2f} {_quartiles(rps, 2):>18} "
            f"{_quartiles(p99, 2):>18} {_quartiles(cpu, 2):>18} {whole.errors:>6}"
        )
    return "\n".join(rows)


def run(args: argparse.Namespace) -> None:
    api_key = "sk_bench_" + uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with (
            database_url(args.database_url, folder) as url,
            server(url, folder, api_key) as (port, pid),
        ):
            base = ("127.0.0.1", port, api_key)
            args.api_key = api_key
            ids = asyncio.run(seed(base, args.customers, args.connections))
            seeded = time.perf_counter()
            documents = seed_kyc_requests(url, ids, args.kyc_requests)
            seeding = time.perf_counter() - seeded
            request_ids = seeded_request_ids(url)
            randomizer = random.Random(7)
            counter = iter(range(args.customers, 10**9))
            plan = [
                ("GET /health (bare)", lambda: Request("GET", "/health"), 200),
                (
                    "GET /customers/{id}",
                    lambda: Request("GET", f"/customers/{randomizer.choice(ids)}"),
                    200,
                ),
                (
                    "GET /customers filtered, sorted",
                    lambda: Request("GET", f"/customers?{LIST_QUERY}"),
                    200,
                ),
                (
                    "POST /customers",
                    lambda: Request("POST", "/customers", customer_body(next(counter))),
                    201,
                ),
                (
                    "GET /kyc-requests/{id}?expand=docs",
                    lambda: Request(
                        "GET", f"/kyc-requests/{randomizer.choice(request_ids)}?expand=documents"
                    ),
                    200,
                ),
                (
                    "GET /kyc-requests filtered, sorted",
                    lambda: Request("GET", f"/kyc-requests?{KYC_LIST_QUERY}"),
                    200,
                ),
                (
                    "POST /kyc-requests",
                    lambda: Request(
                        "POST", "/kyc-requests", kyc_request_body(randomizer.choice(ids))
                    ),
                    201,
                ),
            ]
            results = [measure(name, base, make, status, args, pid) for name, make, status in plan]
            rounds = [] if args.no_baseline else customer_read_rounds(url, folder, ids, args)
            if rounds:
                results.insert(
                    2, pooled("  minimal FastAPI + ORM app", [r["minimal app"] for r in rounds])
                )
            sizes = []
            have = args.customers
            for size in args.list_sizes:
                seed_customers_in_bulk(url, size, have)
                have = max(have, size)
                sizes.append(
                    measure(
                        f"GET /customers list, {size:,} rows",
                        base,
                        lambda: Request("GET", f"/customers?{LIST_QUERY}"),
                        200,
                        args,
                        pid,
                    )
                )
    backend = "PostgreSQL" if args.database_url else "SQLite (embedded)"
    print(
        f"openkyc on {backend}: {args.customers} customers and {args.kyc_requests} KYC requests "
        f"with {documents} documents seeded (the requests in {seeding:.1f} s), "
        f"{args.connections} connections, {args.seconds:g} s per endpoint after "
        f"{args.warmup:g} s warm-up"
    )
    print(table(results, results[0]))
    if rounds:
        print()
        print(rounds_table(rounds))
    if sizes:
        print()
        print(table(sizes, results[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; embedded SQLite when absent")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up time per endpoint")
    parser.add_argument("--customers", type=int, default=3000, help="customers seeded first")
    parser.add_argument(
        "--kyc-requests", type=int, default=100_000, help="KYC requests stored before measuring"
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="leave out the minimal FastAPI + ORM app"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=20,
        help="interleaved rounds of GET /customers/{id} beside the minimal app (and "
        "--compare-with)",
    )
    parser.add_argument(
        "--round-seconds",
        type=float,
        default=1.5,
        help="measured time of each server in each round",
    )
    parser.add_argument(
        "--compare-with",
        type=lambda text: tuple(text.split("=", 1)),
        action="append",
        default=[],
        metavar="NAME=SRC",
        help="also serve the openkyc of another tree's src folder (same schema version) on "
        "the same database and measure it in the same rounds",
    )
    parser.add_argument(
        "--list-sizes",
        type=lambda text: [int(part) for part in text.split(",") if part],
        default=[],
        help="then grow the customers table to each of these sizes (e.g. 1000,1000000) and "
        "measure the filtered list at each",
    )
    run(parser.parse_args())


if __name__ == "__main__":
    main()
