"""A deployment of several openkyc processes on one machine: API nodes
(`openkyc serve --no-worker`) and workers (`openkyc worker`), real subprocesses sharing one
PostgreSQL schema, one SeaweedFS bucket prefix and one Redis. Used by the several-node test
and by benchmarks/nodes.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import Engine, text

from openkyc.db.migrate import upgrade
from openkyc.db.session import make_engine
from tests.fixtures.processes import die_with_parent, free_ports, stop
from tests.fixtures.waiting import reachable, until

OPENKYC = [sys.executable, "-m", "openkyc"]
STARTUP_TIMEOUT = 90.0


@dataclass
class Node:
    """One process of the deployment; ``port`` only for API nodes."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, grace=20)


@dataclass
class Cluster:
    api_key: str
    organization_id: str
    database_url: str
    engine: Engine
    folder: Path
    env: dict[str, str]
    analysis_processes: int
    apis: list[Node] = field(default_factory=list)
    workers: list[Node] = field(default_factory=list)

    def add_worker(self) -> Node:
        """A new worker of the deployment, started and running."""
        i = len(self.workers)
        processes = str(self.analysis_processes)
        node = Node(
            f"worker-{i}",
            [*OPENKYC, "worker", "--threads", "2", "--processes", processes],
            self.env,
            self.folder / f"worker-{i}.log",
        )
        self.workers.append(node)
        node.start()
        self.wait_until_working(node)
        return node

    def client(self, node: Node) -> httpx.Client:
        return httpx.Client(base_url=node.url, headers={"REB-APIKEY": self.api_key}, timeout=60)

    def assert_alive(self) -> None:
        """Every node started is still running (a crash is not a kill the test made)."""
        for node in [*self.apis, *self.workers]:
            assert node.process is not None
            assert node.process.poll() is None, f"{node.name} died:\n{node.log.read_text()[-3000:]}"

    def wait_until_serving(self, node: Node) -> float:
        """Seconds until the node answers /health (it fails if the process ends first)."""
        started = time.monotonic()

        def serving() -> bool:
            assert node.process is not None and node.process.poll() is None, node.log.read_text()
            return httpx.get(f"{node.url}/health", timeout=2).status_code == 200

        self._until(node, reachable(serving, httpx.HTTPError), "to serve")
        return time.monotonic() - started

    def wait_until_working(self, node: Node) -> float:
        started = time.monotonic()

        def working() -> bool:
            assert node.process is not None and node.process.poll() is None, node.log.read_text()
            return "is running" in node.log.read_text()

        self._until(node, working, "to work")
        return time.monotonic() - started

    @staticmethod
    def _until(node: Node, fact: Callable[[], object], what: str) -> None:
        try:
            until(fact, STARTUP_TIMEOUT, f"{node.name} {what}")
        except AssertionError as error:
            raise AssertionError(f"{error}:\n{node.log.read_text()[-3000:]}") from None


@contextmanager
def postgres_schema(postgres_url: str) -> Iterator[tuple[str, Engine]]:
    """A new migrated schema: its URL for the processes, and an engine for the checks."""
    schema = f"openkyc_nodes_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{separator}options={quote(f'-csearch_path={schema}')}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def cluster(
    folder: Path,
    postgres_url: str,
    shared: dict[str, str],
    *,
    apis: int = 2,
    workers: int = 2,
    analysis_processes: int = 1,
) -> Iterator[Cluster]:
    """Start the nodes (API nodes first: they bootstrap the organization) and stop them all
    at the end. ``shared``: the settings every node gets (storage, Redis, limits…)."""
    api_key = f"sk_nodes_{uuid.uuid4().hex}"
    organization_id = f"org_nodes{uuid.uuid4().hex[:16]}"
    with postgres_schema(postgres_url) as (database_url, engine):
        env = {
            **os.environ,
            "OPENKYC_DATABASE_URL": database_url,
            "OPENKYC_DATA_DIR": str(folder / "data"),
            "OPENKYC_SECRET_KEY": uuid.uuid4().hex * 2,
            "OPENKYC_BOOTSTRAP_ORGANIZATION_ID": organization_id,
            "OPENKYC_BOOTSTRAP_API_KEY": api_key,
            "OPENKYC_LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
            **shared,
        }
        ports = free_ports(apis)
        env["OPENKYC_PUBLIC_URL"] = f"http://127.0.0.1:{ports[0]}"
        nodes = Cluster(
            api_key, organization_id, database_url, engine, folder, env, analysis_processes
        )
        nodes.apis = [
            Node(
                f"api-{i}",
                [*OPENKYC, "serve", "--no-worker", "--port", str(port)],
                env,
                folder / f"api-{i}.log",
                port,
            )
            for i, port in enumerate(ports)
        ]
        try:
            for node in nodes.apis:
                node.start()
            for node in nodes.apis:
                nodes.wait_until_serving(node)
            for _ in range(workers):
                nodes.add_worker()
            yield nodes
        finally:
            for node in [*nodes.apis, *nodes.workers]:
                node.stop()
