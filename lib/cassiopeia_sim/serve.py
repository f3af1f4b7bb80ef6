"""Serving a simulated module outside the process: on a pseudo-terminal or on TCP.

Both keep the module's port attached across resets: like a UART behind the pty
(or ser2net behind the socket), the device node stays while the module reboots;
bytes sent meanwhile are lost, as on a real line.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import struct
import termios
import threading
import time
import tty
from collections.abc import Callable

from .module import Connection, PortAbsent, PortBusy, SimulatedModule

__all__ = ["PortBridge", "PtyServer", "TcpServer"]


class PortBridge:
    """Holds the module's port for an outside transport, re-attaching after resets.

    `on_attach` and `on_lost` follow the port: a USB transport makes its device node
    appear and vanish with them. `hold_input` is the module's CTS: while it is held,
    the transport stops reading the host, whose writes then wait.
    """

    def __init__(
        self,
        module: SimulatedModule,
        write: Callable[[bytes], None],
        on_attach: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
        hold_input: Callable[[bool], None] | None = None,
    ) -> None:
        self.module = module
        self._write = write
        self._on_attach, self._on_lost, self._hold_input = on_attach, on_lost, hold_input
        self._conn: Connection | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._attach()

    def _attach(self) -> None:
        while not self._closed:
            if not self.module.wait_port(True, 1.0):
                continue
            try:
                with self._lock:
                    self._conn = self.module.connect(self._write, self._lost, self._hold_input)
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


class _LoopPort:
    """The host's side of the module's port on one non-blocking fd, served by the module's loop,
    so a byte from the host reaches a socket's peer, and back, without crossing a thread.

    The host's bytes are read in batches and handed to the bridge. The module's output is
    written as fast as the fd takes it; the rest waits. When MAX_PENDING wait, the host is not
    reading: the module is told (its RTS), and stops producing until half of it has gone.
    """

    # output waiting for the client; beyond it the module holds its output (RTS/CTS)
    MAX_PENDING = 256 * 1024
    # held this long with nobody reading: further output is dropped, as a UART FIFO overflows
    STALL = 5.0
    BATCH = 65536  # most the module takes from the host at once
    _TTY_FULL = 4000  # a read this long emptied a full tty buffer (4 KiB): more is likely behind it

    def __init__(self, module: SimulatedModule) -> None:
        self.module = module
        self.loop = module.loop
        # until there is one, bytes from the host are lost, as on a line
        self.bridge: PortBridge | None = None
        # Everything below belongs to the loop thread.
        self._fd: int | None = None
        self._pending = bytearray()  # output the fd has not taken yet
        # output held for the client since (pending over the limit)
        self._held_since: float | None = None
        self._input_held = False

    def _serve_fd(self, fd: int, read: bool = True) -> None:
        self._fd = fd
        if read:
            self.loop.add_reader(fd, self._readable)

    def _drop_fd(self) -> None:
        """Stop serving the fd (its owner closes it): output in flight is lost with it."""
        if self._fd is not None and not self.loop.stopped:
            self.loop.forget(self._fd)
        self._fd = None
        self._pending.clear()
        self._held_since, self._input_held = None, False

    def _input_ended(self) -> None:
        """The fd reports end of input or a fault."""
        if self._fd is not None:
            self.loop.forget(self._fd)  # rather than spin on it

    # ------------------------------------------------------------ from the host
    def _readable(self) -> None:
        fd = self._fd
        if fd is None:  # an event taken in the turn that closed the port
            return
        try:
            data = os.read(fd, self.BATCH)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._input_ended()
            return
        if len(data) >= self._TTY_FULL:
            data = self._read_more(fd, data)
        if self.bridge is not None:
            self.bridge.send(data)

    def _read_more(self, fd: int, first: bytes) -> bytes:
        """Take what follows a full tty buffer, up to BATCH: the peer then gets one send, and one
        wake-up, for many of the pty's 4 KiB reads."""
        parts, total = [first], len(first)
        while total < self.BATCH:
            try:
                more = os.read(fd, self.BATCH - total)
            except OSError:  # EAGAIN: that was all; a real fault shows at the next _readable
                break
            if not more:
                break
            parts.append(more)
            total += len(more)
        return b"".join(parts)

    def _hold_input(self, hold: bool) -> None:
        """The module's CTS: while held, the host's bytes wait in the kernel, then in its writes."""
        if hold == self._input_held or self._fd is None:
            return
        self._input_held = hold
        if hold:
            self.loop.remove_reader(self._fd)
        else:
            self.loop.add_reader(self._fd, self._readable)

    # ------------------------------------------------------------ to the host
    def _to_host(self, data: bytes) -> None:
        if not self.loop.in_loop():  # a paced UART's thread: the fd belongs to the loop
            self.loop.call_soon(self._to_host, data)
            return
        if self._fd is None:
            return  # no port: lost with it, as on a real line
        if self._held_since is not None and time.monotonic() - self._held_since > self.STALL:
            return  # nobody has read for STALL: lost, like a UART FIFO's overflow
        if not self._pending:
            data = data[self._write(data) :]
            if not data:
                return
            self.loop.add_writer(self._fd, self._writable)
        self._pending += data
        if self._held_since is None and len(self._pending) >= self.MAX_PENDING:
            # RTS off: the module holds what it would send (its sockets stop reading) until the
            # client reads
            self._held_since = time.monotonic()
            self.module.host_ready(False)

    def _writable(self) -> None:
        fd = self._fd
        if fd is None:  # an event taken in the turn that closed the port
            return
        sent = self._write(self._pending)
        del self._pending[:sent]
        if not self._pending:
            self.loop.remove_writer(fd)
        if self._held_since is not None and sent:
            if len(self._pending) < self.MAX_PENDING // 2:
                self._held_since = None
                self.module.host_ready(True)
            else:
                self._held_since = time.monotonic()  # the client reads: not stalled

    def _write(self, data: bytes | bytearray) -> int:
        """Write what the fd takes now; returns how many bytes that was."""
        fd = self._fd
        if fd is None:
            return 0
        done = 0
        with memoryview(data) as view:  # released on return: the pending buffer may then shrink
            while done < len(view):
                try:
                    done += os.write(fd, view[done:])
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    return len(view)  # the fd is broken: what it did not take is lost
        return done


class PtyServer(_LoopPort):
    """A pseudo-terminal whose slave end is the module's AT port (`path`).

    For a UART module the pty lives as long as the server. For a USB module
    (`module.usb`) it vanishes at every reset and a new one appears when the module
    re-enumerates, as /dev/ttyACM0 does; `link` is then the stable name, kept
    pointing at the current pty like a udev /dev/serial/by-id/ symlink.
    """

    DRAIN = 0.5  # longest a vanishing USB port waits for the client to read what it was sent

    def __init__(self, module: SimulatedModule, link: str | None = None) -> None:
        super().__init__(module)
        self.link = link
        self._slave: int | None = None
        self.path: str | None = None
        self._want_pty = False
        self._closing = False  # a vanishing USB pty lets its client read before it goes
        self._opened = threading.Event()
        usb = module.usb
        if not usb:
            self.loop.run_sync(self._open_pty)
        self.bridge = PortBridge(
            module,
            self._to_host,
            on_attach=self._port_up if usb else None,
            on_lost=self._port_down if usb else None,
            hold_input=self._hold_input,
        )
        if usb:
            self._opened.wait(10)

    @property
    def device(self) -> str:
        """The name a client opens: the stable link if there is one."""
        return self.link or self.path or ""

    def _port_up(self) -> None:
        self.loop.call_soon(self._up)

    def _up(self) -> None:
        self._want_pty = True
        if self._fd is None and not self._closing:
            # else the old pty is still draining: it opens the new one when it is gone
            self._open_pty()

    def _port_down(self) -> None:
        if not self.loop.in_loop():
            self.loop.call_soon(self._port_down)
            return
        self._want_pty = False
        if self._fd is not None and not self._closing:
            self._closing = True
            self._drain_then_close(time.monotonic() + self.DRAIN)

    def _drain_then_close(self, deadline: float) -> None:
        """A module's last answer (OK to AT^RESET) has reached the host before its USB port drops;
        on a pty, closing the master would discard what the client has not read yet."""
        if time.monotonic() < deadline and (self._pending or self._unread()):
            self.loop.call_later(0.002, self._drain_then_close, deadline)
            return
        self._close_pty()
        self._closing = False
        if self._want_pty:
            self._open_pty()

    def _unread(self) -> int:
        if self._slave is None:
            return 0
        try:
            return struct.unpack("i", fcntl.ioctl(self._slave, termios.FIONREAD, b"\0\0\0\0"))[0]
        except (OSError, TypeError):
            return 0

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # raw before the first byte: no echo, no CR/LF mapping, no XON/XOFF
        os.set_blocking(master, False)
        # we keep the slave open too: clients may close and reopen it
        self._slave, self.path = slave, os.ttyname(slave)
        self._serve_fd(master)
        if self.link:
            tmp = f"{self.link}.new"
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(self.path, tmp)
            os.replace(tmp, self.link)  # atomic: a client never sees a half-made link
        self._opened.set()

    def _close_pty(self) -> None:
        self._opened.clear()
        if self.link and os.path.lexists(self.link):
            os.unlink(self.link)
        fds = (self._fd, self._slave)
        self._drop_fd()
        self._slave = self.path = None
        for fd in fds:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def close(self) -> None:
        if self.bridge is not None:
            self.bridge.close()
        if self.loop.stopped:
            self._close_pty()
        else:
            self.loop.run_sync(self._close_pty)


class TcpServer(_LoopPort):
    """The module's AT port on 127.0.0.1:PORT, one client at a time (socket://); the next
    waits in the listen backlog until the current one leaves."""

    def __init__(self, module: SimulatedModule, port: int = 0) -> None:
        super().__init__(module)
        self._listener = socket.create_server(("127.0.0.1", port))
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._client: socket.socket | None = None
        self._closed = False
        self.loop.run_sync(self.loop.add_reader, self._listener.fileno(), self._accept)

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except OSError:  # EAGAIN, or a client that gave up in the backlog
            return
        self.loop.remove_reader(self._listener.fileno())
        client.setblocking(False)
        self._client = client
        # Output may come as soon as the bridge holds the port; the client is read once it does,
        # so its first bytes wait in TCP meanwhile. A bridge waits for the port: not on the loop.
        self._serve_fd(client.fileno(), read=False)
        threading.Thread(target=self._bridge, args=(client,), daemon=True).start()

    def _bridge(self, client: socket.socket) -> None:
        bridge = PortBridge(self.module, self._to_host, hold_input=self._hold_input)
        self.loop.call_soon(self._bridged, client, bridge)

    def _bridged(self, client: socket.socket, bridge: PortBridge) -> None:
        if self._client is client:
            self.bridge = bridge
            if not self._input_held and self._fd is not None:
                self.loop.add_reader(self._fd, self._readable)
        else:  # the client left while its bridge was being made
            bridge.close()

    def _input_ended(self) -> None:
        """The client left: release the port and take the next one."""
        client, self._client = self._client, None
        bridge, self.bridge = self.bridge, None
        self._drop_fd()
        if client is not None:
            client.close()
        if bridge is not None:
            bridge.close()
        if not self._closed:
            self.loop.add_reader(self._listener.fileno(), self._accept)

    def _shut(self) -> None:
        self._closed = True
        self.loop.forget(self._listener.fileno())
        if self._client is not None:
            self._input_ended()

    def close(self) -> None:
        if self.loop.stopped:
            self._closed = True
            if self._client is not None:
                self._client.close()
        else:
            self.loop.run_sync(self._shut)
        self._listener.close()
