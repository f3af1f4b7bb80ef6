"""A client on the module's port, and why a port cannot be opened."""

from __future__ import annotations

from collections.abc import Callable

from .loop import Inbox
from .uart import UartPacer

__all__ = ["Connection", "PortAbsent", "PortBusy"]


class PortAbsent(OSError):
    """The module's port does not exist right now (it is re-enumerating after a reset)."""


class PortBusy(OSError):
    """Another client holds the port (a serial port is opened exclusively)."""


class Connection:
    """One client on the port; its output goes through a UART pacer when the module has a line rate.

    `hold_input(True)` is the module's CTS going off: the transport stops reading the
    client until `hold_input(False)`.
    """

    def __init__(
        self,
        sink: Callable[[bytes], None],
        on_lost: Callable[[], None],
        baud: int | None = None,
        hold_input: Callable[[bool], None] | None = None,
        line_changed: Callable[[], None] | None = None,
    ) -> None:
        self._pacer = UartPacer(sink, baud, line_changed) if baud else None
        self.sink = self._pacer.write if self._pacer else sink
        self._on_lost = on_lost
        self.hold_input = hold_input or (lambda hold: None)
        self.inbox: Inbox | None = None  # the module's way in for this client's bytes

    def line_full(self) -> bool:
        """A paced line's buffer is full: the module should produce no more for now."""
        return self._pacer is not None and self._pacer.full

    def on_lost(self) -> None:
        self.close()
        self._on_lost()

    def when_sent(self, callback: Callable[[], None]) -> None:
        """Call back once the output written so far has left the line (at once if not paced)."""
        if self._pacer is None:
            callback()
        else:
            self._pacer.when_drained(callback)

    def close(self) -> None:
        if self._pacer is not None:
            self._pacer.close()  # what was still on the wire is gone with the port
        if self.inbox is not None:
            self.inbox.close()  # a client waiting for room in the port's buffer stops waiting
