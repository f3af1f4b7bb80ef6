"""Online (data) mode: after CONNECT the port carries raw bytes both ways.

The session ends when the module sends NO CARRIER (peer gone), or when the host
escapes with `+++` framed by guard silence and the module answers OK.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .results import AtTimeout, OnlineClosed
from .timeouts import Deadline

__all__ = ["ESCAPE_SEQUENCE", "OnlineSession", "SessionLink"]

ESCAPE_SEQUENCE = b"+++"


@dataclass(frozen=True)
class SessionLink:
    """What a session needs of its channel, and nothing more."""

    write: Callable[[bytes], None]  # bytes to the port, as they are
    # read the port in this thread until the condition holds (a local port; else returns)
    read_until: Callable[[Callable[[], bool], Deadline], None]
    arm_escape: Callable[[], None]  # an escape was sent: OK now ends online mode
    note: Callable[[str], object]  # an event in the transcript
    tail: Callable[[], str]  # the transcript's tail, for an error


class OnlineSession:
    def __init__(self, link: SessionLink) -> None:
        self._link = link
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
        self._link.write(data)

    def read(self, size: int = 65536, timeout: float = 1.0) -> bytes:
        """Up to `size` bytes; waits until at least one arrives, the session ends, or timeout."""
        deadline = Deadline(timeout)
        self._link.read_until(lambda: bool(self._buf) or not self.active, deadline)
        with self._cond:
            self._cond.wait_for(lambda: self._buf or not self.active, deadline.remaining)
            data = bytes(self._buf[:size])
            del self._buf[:size]
            return data

    def read_exactly(self, size: int, timeout: float) -> bytes:
        deadline = Deadline(timeout)
        self._link.read_until(lambda: len(self._buf) >= size or not self.active, deadline)
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
                        self._link.tail(),
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
        self._link.arm_escape()
        self._link.write(ESCAPE_SEQUENCE)
        self._link.note(f"escape sent after {guard:.2f} s guard")
        self.wait_closed(guard + timeout)
        if self.end_reason != "OK":
            raise OnlineClosed(f"escape answered by {self.end_reason}, not OK")

    def wait_closed(self, timeout: float) -> str:
        with self._cond:
            if not self._cond.wait_for(lambda: not self.active, timeout):
                raise AtTimeout("end of online mode", timeout, [], self._link.tail())
            return self.end_reason or ""
