"""The simulator's single thread: every state change of the module happens here.

Input bytes, timers and control-plane calls are all posted to one loop, so the
services need no locks and behave the same under any interleaving of callers.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Any, Callable

__all__ = ["Loop", "Timer"]


class Timer:
    def __init__(self, due: float, fn: Callable[..., Any], args: tuple) -> None:
        self.due, self.fn, self.args = due, fn, args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Loop:
    def __init__(self, name: str = "cassiopeia-sim") -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        timer = Timer(time.monotonic() + max(0.0, delay), fn, args)
        with self._cond:
            heapq.heappush(self._heap, (timer.due, next(self._seq), timer))
            self._cond.notify()
        return timer

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> Timer:
        return self.call_later(0.0, fn, *args)

    def in_loop(self) -> bool:
        return threading.current_thread() is self._thread

    def run_sync(self, fn: Callable[..., Any], *args: Any, timeout: float = 10.0) -> Any:
        """Run fn on the loop thread and return its result (or raise its exception)."""
        if self.in_loop():
            return fn(*args)
        done = threading.Event()
        box: dict[str, Any] = {}

        def call() -> None:
            try:
                box["result"] = fn(*args)
            except BaseException as exc:  # handed back to the caller
                box["error"] = exc
            done.set()

        self.call_soon(call)
        if not done.wait(timeout):
            raise TimeoutError(f"simulator loop did not run {fn!r} within {timeout} s")
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if not self.in_loop():
            self._thread.join(2)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
                if self._stopped:
                    return
                _, _, timer = heapq.heappop(self._heap)
            if not timer.cancelled:
                try:
                    timer.fn(*timer.args)
                except Exception:  # one faulty callback must not kill the module
                    import logging

                    logging.getLogger("cassiopeia_sim").exception("simulator callback failed")
