"""The analysis process pool: work runs in other processes, and a process that dies breaks
only its own call; the next one gets a fresh pool."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from openkyc.jobs.pool import InlineRunner, ProcessRunner, runner_for
from tests.jobs import helpers


def test_work_runs_in_another_process_and_survives_a_crash() -> None:
    runner = ProcessRunner(processes=1, timeout=60, warm=False)
    try:
        assert runner.run(helpers.square, 7) == 49
        assert runner.run(helpers.pid) != os.getpid()
        with pytest.raises(BrokenProcessPool):
            runner.run(helpers.die)
        assert runner.run(helpers.square, 3) == 9
    finally:
        runner.shutdown()


def test_zero_processes_runs_inline() -> None:
    runner = runner_for(0, timeout=1)
    assert isinstance(runner, InlineRunner)
    assert runner.run(helpers.pid) == os.getpid()
