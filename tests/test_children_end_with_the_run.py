"""Every child process a test run starts ends with it: on SIGTERM (a CI timeout), and even
when the run is killed outright."""

from __future__ import annotations

import os
import pathlib
import signal
import sys

import pytest

from support.processes import spawn
from support.waiting import eventually

TESTS = pathlib.Path(__file__).resolve().parent


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = pathlib.Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    return status != "Z"  # a zombie has ended; it waits only for its parent to collect it


@pytest.mark.slow  # a pytest run of its own, terminated
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_served_simulator_ends_with_the_run(tmp_path, how):
    pids = tmp_path / "pids"
    run = spawn(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "support/hold_a_simulator.py",
        ],
        cwd=TESTS,
        env={**os.environ, "HOLD_PIDS": str(pids)},
    )
    try:
        children = eventually(lambda: pids.exists() and pids.read_text().split(), 30)
        assert children, "the run started no simulator"
        run.send_signal(how)
        run.wait(30)
        eventually(lambda: not any(alive(int(pid)) for pid in children), 10, what="children end")
    finally:
        run.kill()
        run.wait(10)
