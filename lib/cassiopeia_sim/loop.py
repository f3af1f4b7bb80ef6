"""The simulator's single thread: every state change of the module happens here.

Input bytes, timers and control-plane calls are all posted to one loop, so the
services need no locks and behave the same under any interleaving of callers. The
loop also waits on file descriptors: the pty and the sockets' peers are read and
written on this thread, so bytes cross no thread on their way through the module.

Not asyncio: the control plane, the UART pacer and the transports post timers from
threads of their own, in one order with the loop's own posts, and asyncio's
call_later is not thread-safe.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import selectors
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Inbox", "Loop", "Timer"]

_log = logging.getLogger("cassiopeia_sim")


class Timer:
    __slots__ = ("args", "cancelled", "due", "fn")

    def __init__(self, due: float, fn: Callable[..., Any], args: tuple) -> None:
        self.due, self.fn, self.args = due, fn, args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Loop:
    def __init__(self, name: str = "cassiopeia-sim") -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._stopped = False
        # in select with no timer due: a post from another thread must wake it
        self._sleeping = False
        self._woken = False  # a wake-up byte is on its way: one is enough
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        for fd in (self._wake_r, self._wake_w):
            os.set_blocking(fd, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ timers
    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        timer = Timer(time.monotonic() + max(0.0, delay), fn, args)
        with self._lock:
            heapq.heappush(self._heap, (timer.due, next(self._seq), timer))
            if self._sleeping and not self._woken:
                self._woken = True
                # under the lock: the loop closes the pipe under it too
                os.write(self._wake_w, b"!")
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
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            os.write(self._wake_w, b"x")
        if not self.in_loop():
            self._thread.join(2)

    # ---------------------------------------------------- file descriptors (loop thread only)
    def add_reader(self, fd: int, fn: Callable[[], Any]) -> None:
        """Call fn whenever fd is readable, until remove_reader(fd)."""
        self._watch(fd, 0, fn)

    def remove_reader(self, fd: int) -> None:
        self._watch(fd, 0, None)

    def add_writer(self, fd: int, fn: Callable[[], Any]) -> None:
        """Call fn whenever fd is writable, until remove_writer(fd)."""
        self._watch(fd, 1, fn)

    def remove_writer(self, fd: int) -> None:
        self._watch(fd, 1, None)

    def forget(self, fd: int) -> None:
        """Stop watching fd at all: call before closing it."""
        assert self.in_loop(), "file descriptors are watched from the loop thread"
        try:
            key = self._selector.unregister(fd)
        except (KeyError, ValueError):
            return
        key.data[:] = [None, None]  # an event of this fd already taken in this turn is dropped

    def _watch(self, fd: int, which: int, fn: Callable[[], Any] | None) -> None:
        assert self.in_loop(), "file descriptors are watched from the loop thread"
        try:
            key = self._selector.get_key(fd)
        except KeyError:
            if fn is not None:
                callbacks: list[Callable[[], Any] | None] = [None, None]
                callbacks[which] = fn
                self._selector.register(
                    fd, selectors.EVENT_WRITE if which else selectors.EVENT_READ, callbacks
                )
            return
        callbacks = key.data
        callbacks[which] = fn
        events = (selectors.EVENT_READ if callbacks[0] else 0) | (
            selectors.EVENT_WRITE if callbacks[1] else 0
        )
        if not events:
            self._selector.unregister(fd)
        elif events != key.events:
            self._selector.modify(fd, events, callbacks)

    # ------------------------------------------------------------ the thread
    def _run(self) -> None:
        try:
            while not self._stopped:
                with self._lock:
                    timeout = max(0.0, self._heap[0][0] - time.monotonic()) if self._heap else None
                    self._sleeping = timeout != 0.0
                events = self._selector.select(timeout)
                with self._lock:
                    self._sleeping = False
                for key, mask in events:
                    if key.data is None:
                        self._drain_wakeups()
                        continue
                    # a reader may stop watching, or close, the fd: look its callbacks up again
                    if mask & selectors.EVENT_READ and key.data[0] is not None:
                        self._call(key.data[0], ())
                    if mask & selectors.EVENT_WRITE and key.data[1] is not None:
                        self._call(key.data[1], ())
                self._run_due_timers()
        finally:
            with self._lock:
                self._stopped = True  # also after a fault: nobody writes to the closed pipe
                self._sleeping = False
                self._selector.close()
                for fd in (self._wake_r, self._wake_w):
                    os.close(fd)

    def _drain_wakeups(self) -> None:
        with self._lock:
            self._woken = False
        try:  # noqa: SIM105 -- on every wake-up: suppress() would cost a context manager each time
            os.read(self._wake_r, 4096)
        except BlockingIOError:
            pass

    def _run_due_timers(self) -> None:
        # Only what was due when we looked: callbacks posting call_soon cannot starve the fds.
        now = time.monotonic()
        with self._lock:
            due = []
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[2])
        for timer in due:
            if self._stopped:
                return
            if not timer.cancelled:
                self._call(timer.fn, timer.args)

    @staticmethod
    def _call(fn: Callable[..., Any], args: tuple) -> None:
        try:
            fn(*args)
        except Exception:  # one faulty callback must not kill the module
            _log.exception("simulator callback failed")


class Inbox:
    """Bytes that a thread other than the loop's (an in-process client) hands to it.

    Chunks that arrive while the loop has not yet taken the earlier ones join them, so
    under load the loop runs one callback for many writes, as a UART driver's ring buffer
    hands its task everything received so far. Order is kept, with other callbacks too:
    whatever the producer posts after put() runs after these bytes are delivered.
    Bytes put from the loop thread itself, with nothing waiting, are delivered at once.

    `limit` is the size of that ring buffer: put() waits while it is full, as a port's
    writes do when the device takes no more. The loop thread itself never waits.
    """

    def __init__(
        self, loop: Loop, deliver: Callable[[bytes], None], limit: int | None = None
    ) -> None:
        self._loop = loop
        self._deliver = deliver
        self._limit = limit
        self._buf = bytearray()
        self._taken = threading.Condition()
        self._posted = False
        self._closed = False

    def put(self, data: bytes, timeout: float | None = None) -> bool:
        """Hand bytes to the loop; False if no room came within `timeout` (nothing was taken)."""
        with self._taken:
            if not self._posted and self._loop.in_loop():
                direct = True
            else:
                direct = False
                if self._limit is not None and not self._taken.wait_for(self._has_room, timeout):
                    return False
                self._buf += data
                if self._posted:
                    return True
                self._posted = True
        if direct:
            self._deliver(data)
        else:
            self._loop.call_soon(self._take)
        return True

    def close(self) -> None:
        """Nobody will take more: a producer waiting for room stops waiting."""
        with self._taken:
            self._closed = True
            self._taken.notify_all()

    def _has_room(self) -> bool:
        return self._closed or self._limit is None or len(self._buf) < self._limit

    def _take(self) -> None:
        with self._taken:
            data = bytes(self._buf)
            self._buf.clear()
            self._posted = False
            self._taken.notify_all()
        self._deliver(data)
