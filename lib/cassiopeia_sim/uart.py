"""The module's output at a UART line rate: bytes leave no faster than the wire would carry them.

At 115200 baud with 8N1 framing a byte takes 10 bit times, so 11,520 bytes a second.
A run through a paced port rehearses the timing of a real bench: long answers
(+CPINR, +CGCONTRDP, a 1,500-byte +SQNSRECV) take the milliseconds they take there.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

__all__ = ["UartPacer", "BITS_PER_BYTE"]

BITS_PER_BYTE = 10  # start bit, 8 data bits, stop bit
_SLICE = 0.002  # deliver in slices of about 2 ms of line time: a real UART FIFO drains this way


class UartPacer:
    """Forwards bytes to `sink` at `baud`, in order, from a thread of its own.

    `write` never blocks the module; `close` drops what is still on the line, as a
    reset or a closed port does on a real bench. The queue is not bounded: a real module
    would stop reading its TCP socket when its UART buffer fills (the peer's window closes);
    here a fast peer simply queues, which changes no byte and no order, only memory.
    """

    def __init__(self, sink: Callable[[bytes], None], baud: int) -> None:
        if baud <= 0:
            raise ValueError(f"baud must be positive, not {baud}")
        self._sink = sink
        self.bytes_per_second = baud / BITS_PER_BYTE
        self._slice = max(1, int(self.bytes_per_second * _SLICE))
        self._pending = bytearray()
        self._cond = threading.Condition()
        self._closed = False
        self._line_free_at = time.monotonic()  # when the last byte handed out has left the wire
        self._thread = threading.Thread(target=self._run, name=f"uart-{baud}", daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        with self._cond:
            if not self._closed:
                self._pending += data
                self._cond.notify()

    def backlog(self) -> float:
        """Seconds until everything written so far has left the wire."""
        with self._cond:
            queued = len(self._pending)
        return queued / self.bytes_per_second + max(0.0, self._line_free_at - time.monotonic())

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closed)
                if self._closed:
                    return
                chunk = bytes(self._pending[: self._slice])
                del self._pending[: len(chunk)]
            # A line that has been idle starts now; a busy one continues where it was.
            self._line_free_at = max(self._line_free_at, time.monotonic()) + len(chunk) / self.bytes_per_second
            delay = self._line_free_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            with self._cond:
                if self._closed:
                    return
            self._sink(chunk)
