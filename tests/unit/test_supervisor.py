"""The run command's supervisor: a dead process is restarted, one that keeps dying stops all."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from friends.processes import Process, ProcessFailed, Supervisor


def sleeper(tmp_path: Path, name: str = "worker") -> Process:
    argv = [sys.executable, "-c", "import time; time.sleep(60)"]
    return Process(name, argv, None, dict(os.environ), tmp_path / "log" / f"{name}.log")


def test_a_crashed_process_is_restarted_then_the_run_stops_with_the_reason(tmp_path: Path) -> None:
    worker = sleeper(tmp_path)
    supervisor = Supervisor([worker])
    supervisor.start(timeout=10)
    try:
        assert worker.alive() and worker.pid_file.read_text() == str(worker.popen.pid)  # type: ignore[union-attr]
        for _ in range(3):
            worker.popen.kill()  # type: ignore[union-attr]
            worker.popen.wait()  # type: ignore[union-attr]
            supervisor.check()
            assert worker.alive()
        worker.popen.kill()  # type: ignore[union-attr]
        worker.popen.wait()  # type: ignore[union-attr]
        with pytest.raises(ProcessFailed, match="worker keeps dying"):
            supervisor.check()
    finally:
        supervisor.stop()
    assert not worker.alive() and not worker.pid_file.exists()


def test_a_process_that_exits_while_starting_is_reported_with_its_log(tmp_path: Path) -> None:
    broken = Process(
        "broken",
        [sys.executable, "-c", "print('bad config'); raise SystemExit(3)"],
        "http://127.0.0.1:9/health",
        dict(os.environ),
        tmp_path / "log" / "broken.log",
    )
    supervisor = Supervisor([broken])
    with pytest.raises(ProcessFailed, match=r"broken exited while starting:\n.*bad config"):
        supervisor.start(timeout=10)
    supervisor.stop()
