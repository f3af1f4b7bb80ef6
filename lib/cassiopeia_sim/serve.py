"""Serving a simulated module outside the process: on a pseudo-terminal or on TCP.

Both keep the module's port attached across resets: like a UART behind the pty
(or ser2net behind the socket), the device node stays while the module reboots;
bytes sent meanwhile are lost, as on a real line.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import threading
import tty
from typing import Callable, Optional

from .module import Connection, PortAbsent, PortBusy, SimulatedModule

__all__ = ["PortBridge", "PtyServer", "TcpServer"]


class PortBridge:
    """Holds the module's port for an outside transport, re-attaching after resets."""

    def __init__(self, module: SimulatedModule, write: Callable[[bytes], None]) -> None:
        self.module = module
        self._write = write
        self._conn: Optional[Connection] = None
        self._closed = False
        self._lock = threading.Lock()
        self._attach()

    def _attach(self) -> None:
        while not self._closed:
            if not self.module.wait_port(True, 1.0):
                continue
            try:
                with self._lock:
                    self._conn = self.module.connect(self._write, self._lost)
                return
            except (PortAbsent, PortBusy):
                continue  # it vanished again, or another bridge holds it: wait for it

    def _lost(self) -> None:
        with self._lock:
            self._conn = None
        if not self._closed:
            threading.Thread(target=self._attach, daemon=True).start()

    def send(self, data: bytes) -> None:
        with self._lock:
            conn = self._conn
        if conn is not None:
            self.module.receive(conn, data)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            self.module.disconnect(conn)


class PtyServer:
    """A pseudo-terminal whose slave end is the module's AT port (`path`)."""

    MAX_PENDING = 256 * 1024  # output waiting for the client; beyond it the module waits (flow control)
    STALL = 5.0  # ... for this long; then nobody is reading, and the rest is dropped like a UART FIFO's

    def __init__(self, module: SimulatedModule) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # raw before the first byte: no echo, no CR/LF mapping, no XON/XOFF
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self._slave)  # we keep the slave open: clients may close and reopen it
        self._pending = bytearray()
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._stop = threading.Event()
        self.bridge = PortBridge(module, self._to_host)
        self._thread = threading.Thread(target=self._loop, name="pty-server", daemon=True)
        self._thread.start()

    def _to_host(self, data: bytes) -> None:
        with self._room:
            self._flush()
            if len(self._pending) + len(data) > self.MAX_PENDING:
                # RTS/CTS: hold the module until the client has read, rather than lose bytes
                self._room.wait_for(lambda: len(self._pending) + len(data) <= self.MAX_PENDING, self.STALL)
            if len(self._pending) + len(data) <= self.MAX_PENDING:
                self._pending += data
            self._flush()

    def _flush(self) -> None:
        while self._pending:
            try:
                n = os.write(self.master, self._pending)
            except BlockingIOError:
                return
            except OSError:
                self._pending.clear()
                return
            del self._pending[:n]

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                want_write = [self.master] if self._pending else []
            readable, writable, _ = select.select([self.master], want_write, [], 0.1)
            if writable:
                with self._room:
                    self._flush()
                    self._room.notify_all()
            if readable:
                try:
                    data = os.read(self.master, 65536)
                except OSError as exc:
                    if exc.errno in (errno.EAGAIN, errno.EIO):
                        continue
                    return
                if data:
                    self.bridge.send(data)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.bridge.close()
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass


class TcpServer:
    """The module's AT port on 127.0.0.1:PORT, one client at a time (socket://)."""

    def __init__(self, module: SimulatedModule, port: int = 0) -> None:
        self.module = module
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tcp-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            self._session(client)

    def _session(self, client: socket.socket) -> None:
        def to_client(data: bytes) -> None:
            try:
                client.sendall(data)
            except OSError:
                pass  # the client went away; the read side notices

        bridge = PortBridge(self.module, to_client)
        client.settimeout(0.2)
        try:
            while not self._stop.is_set():
                try:
                    data = client.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not data:
                    break
                bridge.send(data)
        finally:
            bridge.close()
            client.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(2)
