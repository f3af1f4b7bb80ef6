"""Online (data) mode: after CONNECT the port carries raw bytes both ways.

The session ends when the module sends NO CARRIER (peer gone), or when the host
escapes with `+++` framed by guard silence and the module answers OK.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from .results import AtTimeout, OnlineClosed
from .timeouts import Deadline

if TYPE_CHECKING:
    from .channel import AtChannel

__all__ = ["ESCAPE_SEQUENCE", "OnlineSession"]

ESCAPE_SEQUENCE = b"+++"


class OnlineSession:
    def __init__(self, channel: AtChannel) -> None:
        self._channel = channel
        self._buf = bytearray()
        self._cond = threading.Condition()
        self.active = True
        self.end_reason: str | None = None
        self.received_total = 0

    # called by the channel's reader thread
    def deliver(self, data: bytes) -> None:
        with self._cond:
            self._buf += data
            self.received_total += len(data)
            self._cond.notify_all()

    def end(self, reason: str) -> None:
        with self._cond:
            self.active = False
            self.end_reason = reason
            self._cond.notify_all()

    # host side
    def write(self, data: bytes) -> None:
        if not self.active:
            raise OnlineClosed(f"online session ended: {self.end_reason}")
        self._channel._session_write(data)

    def read(self, size: int = 65536, timeout: float = 1.0) -> bytes:
        """Up to `size` bytes; waits until at least one arrives, the session ends, or timeout."""
        deadline = Deadline(timeout)
        self._channel._session_read(lambda: bool(self._buf) or not self.active, deadline)
        with self._cond:
            self._cond.wait_for(lambda: self._buf or not self.active, deadline.remaining)
            data = bytes(self._buf[:size])
            del self._buf[:size]
            return data

    def read_exactly(self, size: int, timeout: float) -> bytes:
        deadline = Deadline(timeout)
        self._channel._session_read(lambda: len(self._buf) >= size or not self.active, deadline)
        with self._cond:
            ok = self._cond.wait_for(
                lambda: len(self._buf) >= size or not self.active, deadline.remaining
            )
            if len(self._buf) < size:
                got = len(self._buf)
                if not ok:
                    raise AtTimeout(
                        f"online read of {size} bytes",
                        timeout,
                        [f"{got} bytes received"],
                        self._channel.transcript.tail(),
                    )
                raise OnlineClosed(
                    f"online session ended ({self.end_reason}) after {got} of {size} bytes"
                )
            data = bytes(self._buf[:size])
            del self._buf[:size]
            return data

    def pending(self) -> bytes:
        """Take whatever has been received and not read yet."""
        with self._cond:
            data = bytes(self._buf)
            self._buf.clear()
            return data

    def escape(self, guard: float = 1.0, timeout: float = 5.0) -> None:
        """Suspend with `+++`: silence for `guard` before, then wait for OK."""
        if not self.active:
            raise OnlineClosed(f"online session ended: {self.end_reason}")
        # The guard is silence as the module's UART sees it, and bytes written earlier may
        # still be on their way: keep quiet for the whole guard (and a margin), not its rest.
        time.sleep(guard * 1.1)
        self._channel._session_escape()
        self._channel._session_write(ESCAPE_SEQUENCE)
        self._channel._session_event(f"escape sent after {guard:.2f} s guard")
        self.wait_closed(guard + timeout)
        if self.end_reason != "OK":
            raise OnlineClosed(f"escape answered by {self.end_reason}, not OK")

    def wait_closed(self, timeout: float) -> str:
        with self._cond:
            if not self._cond.wait_for(lambda: not self.active, timeout):
                raise AtTimeout("end of online mode", timeout, [], self._channel.transcript.tail())
            return self.end_reason or ""
