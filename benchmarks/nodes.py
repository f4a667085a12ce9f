"""Throughput per node on this machine: requests/s and p99 latency of `GET /customers/{id}`
through 1 and 2 API nodes (`openkyc serve --no-worker`), and documents analysed per minute by
1 and 2 workers (`openkyc worker`), on PostgreSQL + SeaweedFS + Redis, in one run.

The API load is split evenly over the nodes measured; with two nodes on two cores the load
generator, PostgreSQL and both nodes share the same cores, so the ratio says how much a second
node adds here, not on separate machines. The documents are drawn passports (the test suite's
generator), queued while no worker runs, then timed from the first worker being ready until
the last is decided.

    python benchmarks/nodes.py
    python benchmarks/nodes.py --seconds 20 --connections 32 --documents 24
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from api import Request, load  # noqa: E402
from tests.analysis import documents as drawn  # noqa: E402
from tests.fixtures.seaweedfs import seaweedfs  # noqa: E402
from tests.scale.cluster import Cluster, Node, cluster  # noqa: E402

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
DECIDED = ("accepted", "rejected", "pending")


def api_figures(nodes: Cluster, args: argparse.Namespace) -> list[tuple[str, float, float, float]]:
    client = nodes.client(nodes.apis[0])
    ids = [
        client.post("/customers", json={"primaryAddress": {"firstName": f"C{i}"}}).json()["id"]
        for i in range(args.customers)
    ]
    rows = []
    for count in (1, 2):
        row = asyncio.run(_spread(nodes.apis[:count], nodes.api_key, ids, args))
        rows.append((f"{count} API node{'s' if count > 1 else ''}", *row))
    return rows


async def _spread(
    apis: list[Node], api_key: str, ids: list[str], args: argparse.Namespace
) -> tuple[float, float, float]:
    """Keep ``connections`` requests in flight, split over the nodes: (req/s, p50, p99)."""
    per_node = max(args.connections // len(apis), 1)
    requests = iter(Request("GET", f"/customers/{ids[i % len(ids)]}") for i in range(10**9))

    async def on(node: Node, seconds: float) -> tuple[int, int, float, list[float]]:
        base = ("127.0.0.1", node.port, api_key)
        return await load(base, lambda: next(requests), 200, per_node, seconds)

    await asyncio.gather(*(on(node, args.warmup) for node in apis))
    results = await asyncio.gather(*(on(node, args.seconds) for node in apis))
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    if errors:
        print(f"  {errors} requests failed", file=sys.stderr)
    elapsed = max(r[2] for r in results)
    latencies = sorted(x for r in results for x in r[3])
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    return ok / elapsed, p50, p99


def worker_figures(nodes: Cluster, args: argparse.Namespace) -> list[tuple[str, float]]:
    rows = []
    for count in (1, 2):
        documents = _queue_documents(nodes, args.documents, count)
        started = time.monotonic()
        for _ in range(count - len(nodes.workers)):
            nodes.add_worker()
        ready = time.monotonic()
        _wait_until_decided(nodes, documents)
        minutes = (time.monotonic() - ready) / 60
        print(f"  {count} worker(s) started in {ready - started:.1f} s", file=sys.stderr)
        rows.append((f"{count} worker{'s' if count > 1 else ''}", len(documents) / minutes))
        for worker in nodes.workers:
            worker.stop()
        nodes.workers.clear()
    return rows


def _queue_documents(nodes: Cluster, count: int, round_: int) -> list[str]:
    client = nodes.client(nodes.apis[0])
    documents = []
    for i in range(count):
        holder = drawn.Holder().but(number=f"X{4800000 + round_ * 1000 + i}")
        scan = base64.b64encode(drawn.encode(drawn.passport(holder))).decode()
        owner = client.post(
            "/customers",
            json={"primaryAddress": {"firstName": "Eileen", "lastName": "Collins"}},
        ).json()["id"]
        upload = {"file": scan, "tags": ["kyc", "id-front"]}
        file_id = client.post("/files", json=upload).json()["id"]
        document = client.post(
            "/kyc-documents",
            json={
                "customerId": owner,
                "documentType": "identity-proof",
                "fileIds": [file_id],
            },
        ).json()
        documents.append(document["id"])
    return documents


def _wait_until_decided(nodes: Cluster, documents: list[str]) -> None:
    client: httpx.Client = nodes.client(nodes.apis[0])
    waiting = set(documents)
    while waiting:
        time.sleep(0.5)
        waiting = {d for d in waiting if client.get(f"/kyc-documents/{d}").json()["status"]
                   not in DECIDED}  # fmt: skip


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="openkyc-nodes-") as folder:
        base = Path(folder)
        with seaweedfs(base / "seaweedfs") as s3:
            shared = {
                **s3.environment("bench"),
                "OPENKYC_RATE_LIMIT": "1000000/minute",
                "OPENKYC_RATE_LIMIT_STORAGE": args.redis_url,
                "OPENKYC_LOG_LEVEL": "WARNING",
            }
            with cluster(
                base, args.postgres_url, shared, apis=2, workers=0, analysis_processes=1
            ) as nodes:
                api_rows = api_figures(nodes, args)
                worker_rows = worker_figures(nodes, args)
    print(f"\nGET /customers/{{id}}, {args.connections} connections, {args.seconds:.0f} s each")
    print(f"{'':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'req/s ratio':>13}")
    for name, rps, p50, p99 in api_rows:
        print(f"{name:<14}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{rps / api_rows[0][1]:>13.2f}")
    print(f"\nidentity documents (drawn passports), {args.documents} per row")
    print(f"{'':<14}{'docs/min':>9}{'ratio':>9}")
    for name, per_minute in worker_rows:
        print(f"{name:<14}{per_minute:>9.1f}{per_minute / worker_rows[0][1]:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="PostgreSQL to use")
    parser.add_argument("--redis-url", default=REDIS_URL, help="Redis for the rate limits")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per row")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up time per row")
    parser.add_argument("--customers", type=int, default=200, help="customers read at random")
    parser.add_argument("--documents", type=int, default=16, help="documents per worker row")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
