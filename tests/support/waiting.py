"""Waiting for a condition by time, never by a count of tries: a loaded machine polls slower
and its timers fire later, so only a deadline means the same thing everywhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    check: Callable[[], T], timeout: float = 10.0, interval: float = 0.01, what: str = ""
) -> T:
    """The first truthy value of check() within timeout seconds, else AssertionError."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= end:
            raise AssertionError(f"not within {timeout} s: {what or check}")
        time.sleep(interval)
