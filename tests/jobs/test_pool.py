"""The analysis process pool: work runs in other processes, one call at a time in each; a
process that dies or goes over its time is replaced, and only its own call fails."""

from __future__ import annotations

import os
import threading
import time

import pytest

from openkyc.jobs.pool import InlineRunner, ProcessDied, ProcessRunner, runner_for
from tests.jobs import helpers


def test_work_runs_in_another_process_and_survives_a_crash() -> None:
    runner = ProcessRunner(processes=1, timeout=60, warm=False)
    try:
        assert runner.run(helpers.square, 7) == 49
        first = runner.run(helpers.pid)
        assert first != os.getpid()
        with pytest.raises(ProcessDied, match="exit code 17"):
            runner.run(helpers.die)
        assert runner.run(helpers.square, 3) == 9
        assert runner.run(helpers.pid) != first
    finally:
        runner.shutdown()


def test_an_exception_of_the_work_reaches_the_caller_and_keeps_the_process() -> None:
    runner = ProcessRunner(processes=1, timeout=60, warm=False)
    try:
        before = runner.run(helpers.pid)
        with pytest.raises(ValueError, match="bad input"):
            runner.run(helpers.fail, "bad input")
        assert runner.run(helpers.pid) == before
    finally:
        runner.shutdown()


def test_a_shut_down_pool_refuses_work_and_leaves_no_process() -> None:
    runner = ProcessRunner(processes=2, timeout=60, warm=False)
    runner.start()
    pids = runner.pids()
    assert len(pids) == 2
    runner.shutdown()
    assert runner.pids() == []
    assert not [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
    with pytest.raises(ProcessDied, match="shut down"):
        runner.run(helpers.square, 2)


def test_zero_processes_runs_inline() -> None:
    runner = runner_for(0, timeout=1)
    assert isinstance(runner, InlineRunner)
    assert runner.run(helpers.pid) == os.getpid()


def test_inline_work_runs_one_call_at_a_time_whatever_the_threads() -> None:
    runner = runner_for(0, timeout=1)
    running, most = 0, 0
    counting = threading.Lock()

    def analysis() -> None:
        nonlocal running, most
        with counting:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with counting:
            running -= 1

    threads = [threading.Thread(target=runner.run, args=(analysis,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert most == 1 and running == 0
