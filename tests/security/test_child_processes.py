"""No child process outlives its parent: `openkyc serve` and `openkyc worker`, started as real
processes with their analysis pool, leave nothing behind when they are killed (SIGKILL, which
no handler sees), terminated (SIGTERM) or interrupted (SIGINT)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.waiting import until
from tests.security.processes import alive, command_line, descendants

SIGNALS = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT]
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    until(condition, seconds, what)


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    environment = {
        **os.environ,
        "OPENKYC_DATA_DIR": str(tmp_path / "data"),
        "OPENKYC_PORT": str(_free_port()),
        "OPENKYC_ANALYSIS_PROCESSES": "2",
    }

    def run(command: str) -> subprocess.Popen[bytes]:
        if command == "worker":  # a worker expects a migrated database
            subprocess.run(
                [sys.executable, "-m", "openkyc.cli", "migrate"],
                env=environment,
                check=True,
                capture_output=True,
            )
        process = subprocess.Popen(
            [sys.executable, "-m", "openkyc.cli", command],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        for pid in descendants(process.pid):
            os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait()


def _pool(process: subprocess.Popen[bytes]) -> list[int]:
    return [pid for pid in descendants(process.pid) if "spawn_main" in command_line(pid)]


def _pool_of(process: subprocess.Popen[bytes]) -> list[int]:
    """Every descendant once the two analysis processes run (multiprocessing's resource
    tracker included, which must go too)."""
    _wait_for(lambda: len(_pool(process)) == 2, START_TIMEOUT, "the analysis pool started")
    return descendants(process.pid)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "signum"),
    [("serve", signum) for signum in SIGNALS]
    + [("worker", signal.SIGKILL), ("worker", signal.SIGTERM)],
    ids=lambda value: value if isinstance(value, str) else signal.Signals(value).name,
)
def test_no_analysis_process_outlives_its_server(
    start: Callable[[str], subprocess.Popen[bytes]], command: str, signum: int
) -> None:
    process = start(command)
    pool = _pool_of(process)
    os.kill(process.pid, signum)
    process.wait(timeout=30)
    _wait_for(lambda: not any(alive(pid) for pid in pool), 10, "every pool process gone")


@pytest.mark.slow
def test_the_server_answers_while_its_pool_is_up_and_stops_it_on_sigterm(
    start: Callable[[str], subprocess.Popen[bytes]],
) -> None:
    process = start("serve")
    pool = _pool_of(process)
    port = int(_env_of(process)["OPENKYC_PORT"])
    _wait_for(lambda: _healthy(port), START_TIMEOUT, "the server answered /health")
    process.send_signal(signal.SIGTERM)
    analysis = _pool(process)
    # uvicorn ends by raising the signal again once its shutdown (the pool's included) is done.
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert not any(alive(pid) for pid in analysis)  # stopped by the shutdown itself
    _wait_for(lambda: not any(alive(pid) for pid in pool), 10, "every child gone")


def _env_of(process: subprocess.Popen[bytes]) -> dict[str, str]:
    raw = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
