"""Serving a simulated module outside the process: on a pseudo-terminal or on TCP.

Both keep the module's port attached across resets: like a UART behind the pty
(or ser2net behind the socket), the device node stays while the module reboots;
bytes sent meanwhile are lost, as on a real line.
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import socket
import struct
import termios
import threading
import time
import tty
from typing import Callable, Optional

from .module import Connection, PortAbsent, PortBusy, SimulatedModule

__all__ = ["PortBridge", "PtyServer", "TcpServer"]


class PortBridge:
    """Holds the module's port for an outside transport, re-attaching after resets.

    `on_attach` and `on_lost` follow the port: a USB transport makes its device node
    appear and vanish with them.
    """

    def __init__(self, module: SimulatedModule, write: Callable[[bytes], None],
                 on_attach: Optional[Callable[[], None]] = None, on_lost: Optional[Callable[[], None]] = None) -> None:
        self.module = module
        self._write = write
        self._on_attach, self._on_lost = on_attach, on_lost
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
            except (PortAbsent, PortBusy):
                continue  # it vanished again, or another bridge holds it: wait for it
            if self._on_attach is not None:
                self._on_attach()
            return

    def _lost(self) -> None:
        with self._lock:
            self._conn = None
        if self._on_lost is not None:
            self._on_lost()
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
    """A pseudo-terminal whose slave end is the module's AT port (`path`).

    For a UART module the pty lives as long as the server. For a USB module
    (`module.usb`) it vanishes at every reset and a new one appears when the module
    re-enumerates, as /dev/ttyACM0 does; `link` is then the stable name, kept
    pointing at the current pty like a udev /dev/serial/by-id/ symlink.
    """

    MAX_PENDING = 256 * 1024  # output waiting for the client; beyond it the module waits (flow control)
    STALL = 5.0  # ... for this long; then nobody is reading, and the rest is dropped like a UART FIFO's
    DRAIN = 0.5  # longest a vanishing USB port waits for the client to read what it was sent

    def __init__(self, module: SimulatedModule, link: Optional[str] = None) -> None:
        self.link = link
        self.master: Optional[int] = None
        self._slave: Optional[int] = None
        self.path: Optional[str] = None
        self._pending = bytearray()
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._want_pty = threading.Event()  # the loop thread alone opens and closes the pty
        self._downs = 0  # port losses so far: a pty from before the last one is stale, however quick the return
        self._pty_downs = 0
        self._wake_r, self._wake_w = os.pipe()
        self._usb = usb = module.usb
        if not usb:
            self._open_pty()
        self.bridge = PortBridge(module, self._to_host, on_attach=self._port_up if usb else None,
                                 on_lost=self._port_down if usb else None)
        self._thread = threading.Thread(target=self._loop, name="pty-server", daemon=True)
        self._thread.start()
        if usb:
            with self._room:
                self._room.wait_for(lambda: self.path is not None, 10.0)

    @property
    def device(self) -> str:
        """The name a client opens: the stable link if there is one."""
        return self.link or self.path or ""

    # ------------------------------------------------------------ the pty's life
    def _port_up(self) -> None:
        self._want_pty.set()
        os.write(self._wake_w, b"u")

    def _port_down(self) -> None:
        self._downs += 1
        self._want_pty.clear()
        os.write(self._wake_w, b"d")

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # raw before the first byte: no echo, no CR/LF mapping, no XON/XOFF
        os.set_blocking(master, False)
        with self._room:
            # we keep the slave open too: clients may close and reopen it
            self.master, self._slave, self.path = master, slave, os.ttyname(slave)
            self._pty_downs = self._downs
            self._flush()
            self._room.notify_all()
        if self.link:
            tmp = f"{self.link}.new"
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(self.path, tmp)
            os.replace(tmp, self.link)  # atomic: a client never sees a half-made link

    def _close_pty(self) -> None:
        self._let_client_read()
        if self.link and os.path.lexists(self.link):
            os.unlink(self.link)
        with self._room:
            fds = (self.master, self._slave)
            self.master = self._slave = self.path = None
            self._pending.clear()  # output in flight is lost with the port
            self._room.notify_all()
        for fd in fds:
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass

    def _let_client_read(self) -> None:
        """A module's last answer (OK to AT^RESET) has reached the host before its USB port drops;
        on a pty, closing the master would discard what the client has not read yet."""
        end = time.monotonic() + self.DRAIN
        while self._slave is not None and time.monotonic() < end:
            try:
                waiting = struct.unpack("i", fcntl.ioctl(self._slave, termios.FIONREAD, b"\0\0\0\0"))[0]
            except OSError:
                return
            with self._room:
                self._flush()
                if not waiting and not self._pending:
                    return
            time.sleep(0.002)

    # ------------------------------------------------------------ bytes
    def _to_host(self, data: bytes) -> None:
        view = memoryview(data)
        with self._room:
            self._flush()
            while view:
                room = self.MAX_PENDING - len(self._pending)
                if room <= 0:
                    # RTS/CTS: hold the module until the client has read, rather than lose bytes
                    if not self._room.wait_for(lambda: len(self._pending) < self.MAX_PENDING, self.STALL):
                        return  # nobody has read for STALL: the rest is lost, like a UART FIFO's overflow
                    continue
                self._pending += view[:room]
                view = view[room:]
                self._flush()

    def _flush(self) -> None:
        while self._pending and self.master is not None:
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
            if self.master is not None and self._pty_downs != self._downs:
                self._close_pty()
            if self._want_pty.is_set() and self.master is None:
                self._open_pty()
            with self._lock:
                master = self.master
                want_write = [master] if self._pending and master is not None else []
            watch = [self._wake_r] + ([master] if master is not None else [])
            readable, writable, _ = select.select(watch, want_write, [], 0.1)
            if self._wake_r in readable:
                os.read(self._wake_r, 64)
            if writable:
                with self._room:
                    self._flush()
                    self._room.notify_all()
            if master is not None and master in readable:
                try:
                    data = os.read(master, 65536)
                except OSError as exc:
                    if exc.errno in (errno.EAGAIN, errno.EIO):
                        continue
                    return
                if data:
                    self.bridge.send(data)

    def close(self) -> None:
        self._stop.set()
        os.write(self._wake_w, b"x")
        self._thread.join(2)
        self.bridge.close()
        self._close_pty()
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)


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
