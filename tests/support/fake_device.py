"""A scripted fake device for atlink's own tests: a few lines of behaviour, no model.

It answers command lines with bytes a test chooses, so the tests can produce the
exact framing real modules emit (echo, bare CR, URCs in the middle, late answers).
It is served over a real pseudo-terminal, or in process through the `fake://`
URL handler (support/urlhandler), which hands bytes out in small chunks.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import threading
import tty
from collections.abc import Callable

Reply = bytes | Callable[[str], bytes | None]


class Script:
    """Command line -> reply bytes. Unknown lines get `\\r\\nERROR\\r\\n`."""

    def __init__(self, replies: dict[str, Reply] | None = None, echo: bool = False) -> None:
        self.replies: dict[str, Reply] = dict(replies or {})
        self.echo = echo
        self.received: list[str] = []
        self.raw_received = bytearray()
        self.output: Callable[[bytes], None] = lambda data: None
        self.raw_handler: Callable[[bytes], None] | None = None  # takes bytes while set
        self.carrier: bool | None = None  # DCD, on the fake:// port; None: the port has none
        self._line = bytearray()

    def feed(self, data: bytes) -> None:
        self.raw_received += data
        if self.raw_handler is not None:
            self.raw_handler(data)
            return
        for b in data:
            if b == 0x0D:
                line = self._line.decode("latin-1")
                self._line.clear()
                self._answer(line)
            elif b != 0x0A:
                self._line.append(b)

    def _answer(self, line: str) -> None:
        self.received.append(line)
        if self.echo:
            self.output(line.encode("latin-1") + b"\r")
        reply = self.replies.get(line, b"\r\nERROR\r\n")
        if callable(reply):
            reply = reply(line)
        if reply:
            self.output(reply)


class PtyDevice:
    """Serves a Script on a real pseudo-terminal; `path` is what a client opens."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.master, self._slave = pty.openpty()
        tty.setraw(self._slave)  # raw before the first byte, or the line discipline mangles CRs
        self.path = os.ttyname(self._slave)
        self._lock = threading.Lock()
        script.output = self.write
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        with self._lock:
            view = memoryview(data)
            while view:
                try:
                    n = os.write(self.master, view)
                except BlockingIOError:
                    select.select([], [self.master], [], 0.1)
                    continue
                except OSError:
                    return
                view = view[n:]

    def _loop(self) -> None:
        while not self._stop.is_set():
            r, _, _ = select.select([self.master], [], [], 0.05)
            if not r:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if data:
                self.script.feed(data)

    def vanish(self) -> None:
        """The device disappears as a USB port does: both ends close."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(1)
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    close = vanish
