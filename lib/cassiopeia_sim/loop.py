"""The simulator's single thread: every state change of the module happens here.

Input bytes, timers and control-plane calls are all posted to one loop, so the
services need no locks and behave the same under any interleaving of callers.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Any, Callable, Optional

__all__ = ["Inbox", "Loop", "Timer"]


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

    @property
    def stopped(self) -> bool:
        return self._stopped

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


class Inbox:
    """Bytes that one producer thread (a port, a socket reader) hands to the loop.

    Chunks that arrive while the loop has not yet taken the earlier ones join them, so
    under load the loop runs one callback for many reads, as a UART driver's ring buffer
    hands its task everything received so far. Order is kept, with other callbacks too:
    whatever the producer posts after put() runs after these bytes are delivered.

    `limit` makes put() wait while that much is waiting: a socket reader then stops
    reading and TCP's window pushes back on the peer, as a module's full buffers do.
    A producer the loop itself may wait on (the port, which also drains the loop's
    output) must not wait: it gets no limit.
    """

    def __init__(self, loop: Loop, deliver: Callable[[bytes], None], limit: Optional[int] = None) -> None:
        self._loop = loop
        self._deliver = deliver
        self._limit = limit
        self._buf = bytearray()
        self._taken = threading.Condition()
        self._posted = False
        self._closed = False

    def put(self, data: bytes) -> None:
        with self._taken:
            if self._limit is not None:
                self._taken.wait_for(lambda: len(self._buf) < self._limit or self._closed)
            self._buf += data
            if self._posted:
                return
            self._posted = True
        self._loop.call_soon(self._take)

    def close(self) -> None:
        """Nobody will take more: a producer waiting for room stops waiting."""
        with self._taken:
            self._closed = True
            self._taken.notify_all()

    def _take(self) -> None:
        with self._taken:
            data = bytes(self._buf)
            self._buf.clear()
            self._posted = False
            self._taken.notify_all()
        self._deliver(data)
