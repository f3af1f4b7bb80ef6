"""Not collected: run by tests/test_children_end_with_the_run.py as a pytest run to terminate.

It serves a simulator, writes the pids of this process's children to $HOLD_PIDS, and waits.
"""

import os
import pathlib
import time

from support.benches import served_simulator


def test_hold_a_served_simulator():
    with served_simulator():
        me = pathlib.Path(f"/proc/{os.getpid()}/task")
        children = " ".join((task / "children").read_text() for task in me.iterdir()).split()
        pathlib.Path(os.environ["HOLD_PIDS"]).write_text(" ".join(children))
        time.sleep(60)  # bounded: the outer test terminates this run long before
