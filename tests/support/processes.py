"""Child processes of the project's tests: they end with the run, however it ends.

A CI job's timeout sends SIGTERM; tests/conftest.py turns it into an interrupt, so
fixtures tear down and stop what they started. A run killed outright cannot tear down:
the kernel then ends each child itself (Linux PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from typing import Any

__all__ = ["spawn"]

_PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:  # runs in the child, between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(args: list[str], **kwargs: Any) -> subprocess.Popen:
    """subprocess.Popen, with a child that ends when this process does."""
    if sys.platform.startswith("linux"):
        kwargs.setdefault("preexec_fn", _end_with_parent)
    return subprocess.Popen(args, **kwargs)
