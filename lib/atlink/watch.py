"""The background reader's wait on a local port: the port's fd or a wake-up pipe.

While a command reads its own answer, the background reader must not be woken by
those bytes: it would only take the GIL from the command and stand aside again,
which costs more than the rest of a short round trip. epoll (Linux) can take the
port out of a wait that is already in progress, so `mute()` keeps the reader
asleep until it calls `arm()`; elsewhere select is used, muting does nothing, and
the reader's own checks make it stand aside (slower, equally correct).
"""

from __future__ import annotations

import contextlib
import select

__all__ = ["PortWatch"]


class PortWatch:
    """Wait until `fd` (a port) or `wake_fd` (a pipe) is readable, with a timeout."""

    def __init__(self, fd: int, wake_fd: int) -> None:
        self.fd = fd
        self.wake_fd = wake_fd
        self._epoll = select.epoll() if hasattr(select, "epoll") else None
        self.armed = True  # the port is in the wait (always, without epoll)
        if self._epoll is not None:
            self._epoll.register(fd, select.EPOLLIN)
            self._epoll.register(wake_fd, select.EPOLLIN)

    def wait(self, timeout: float) -> tuple[bool, bool]:
        """(port readable, woken). Raises OSError or ValueError if the port is unusable.

        Errors and hang-ups count as readable: the read that follows reports them.
        """
        if self._epoll is None:
            ready, _, _ = select.select([self.fd, self.wake_fd], [], [], timeout)
            return self.fd in ready, self.wake_fd in ready
        port = woken = False
        for fd, _ in self._epoll.poll(timeout):
            if fd == self.fd:
                port = True
            else:
                woken = True
        return port, woken

    def mute(self) -> bool:
        """True if this took the port out of the wait (a waiter may still be in it, muted)."""
        if self._epoll is None or not self.armed:
            return False
        self.armed = False
        self._set(0)
        return True

    def arm(self) -> None:
        if not self.armed:
            self.armed = True
            self._set(select.EPOLLIN)

    def _set(self, events: int) -> None:
        assert self._epoll is not None
        # the port or the watch may already be closed: then there is nothing to wait on
        with contextlib.suppress(OSError, ValueError):
            self._epoll.modify(self.fd, events)

    def close(self) -> None:
        if self._epoll is not None:
            self._epoll.close()
