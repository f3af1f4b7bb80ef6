"""The module's output at a UART line rate: bytes leave no faster than the wire would carry them.

At 115200 baud with 8N1 framing a byte takes 10 bit times, so 11,520 bytes a second.
A run through a paced port rehearses the timing of a real bench: long answers
(+CPINR, +CGCONTRDP, a 1,500-byte +SQNSRECV) take the milliseconds they take there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["BITS_PER_BYTE", "UartPacer"]

BITS_PER_BYTE = 10  # start bit, 8 data bits, stop bit
_SLICE = 0.002  # deliver in slices of about 2 ms of line time: a real UART FIFO drains this way


class UartPacer:
    """Forwards bytes to `sink` at `baud`, in order, from a thread of its own.

    `write` never blocks the module; `close` drops what is still on the line, as a
    reset or a closed port does on a real bench. The buffer is `full` from FULL bytes
    waiting until half of them have gone; `on_change` is called (from the writer's or the
    line's thread) when that changes: the module then stops, or resumes, reading its
    sockets, and TCP's window closes, or opens, on the peer.
    """

    FULL = 64 * 1024

    def __init__(
        self,
        sink: Callable[[bytes], None],
        baud: int,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        if baud <= 0:
            raise ValueError(f"baud must be positive, not {baud}")
        self._sink = sink
        self.bytes_per_second = baud / BITS_PER_BYTE
        self._slice = max(1, int(self.bytes_per_second * _SLICE))
        self._pending = bytearray()
        self._on_change = on_change or (lambda: None)
        self._full = False
        self._in_flight = False  # a chunk taken from the queue and not yet handed to the sink
        self._drained: list[Callable[[], None]] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"uart-{baud}", daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        with self._cond:
            if self._closed:
                return
            self._pending += data
            self._cond.notify()
            filled = not self._full and len(self._pending) >= self.FULL
            if filled:
                self._full = True
        if filled:
            self._on_change()

    @property
    def full(self) -> bool:
        with self._cond:
            return self._full

    def when_drained(self, callback: Callable[[], None]) -> None:
        """Call back (from the line's thread, or at once) when every byte written so far left."""
        with self._cond:
            if self._pending or self._in_flight:
                self._drained.append(callback)
                return
        callback()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify()
        self._call_drained()  # nothing is left on a closed line

    def _is_closed(self) -> bool:
        with self._cond:
            return self._closed

    def _call_drained(self) -> None:
        with self._cond:
            callbacks, self._drained = self._drained, []
        for callback in callbacks:
            callback()

    def _run(self) -> None:
        line_free_at = time.monotonic()  # when the last byte handed out has left the wire
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closed)
                if self._closed:
                    return
                chunk = bytes(self._pending[: self._slice])
                del self._pending[: len(chunk)]
                self._in_flight = True
                emptied = self._full and len(self._pending) < self.FULL // 2
                if emptied:
                    self._full = False
            if emptied:
                self._on_change()
            # A line that has been idle starts now; a busy one continues where it was.
            line_free_at = max(line_free_at, time.monotonic()) + len(chunk) / self.bytes_per_second
            delay = line_free_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if self._is_closed():  # closed while the chunk was on the wire
                return
            self._sink(chunk)
            with self._cond:
                self._in_flight = False
                empty = not self._pending
            if empty:
                self._call_drained()
