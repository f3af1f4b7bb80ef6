"""The port's bytes in and out: one reader thread, and a fast path for local ports.

`PortIO` opens a pyserial URL and hands every byte it reads to `on_data`, from its reader
thread or from a caller reading its own answer; `on_idle` when the line has been quiet for
QUIET; `on_lost` once when the device goes away. It knows nothing of AT.

A local POSIX port (a tty, a pty) is read on its raw file descriptor: a command reads its own
answer (between begin_reading and end_reading), so the answer never pays for a hand-over
between threads. URL transports (rfc2217://, socket://, sim://) go through pyserial, read by
the background thread.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
from collections.abc import Callable

import serial

from .timeouts import Deadline
from .transport import open_port
from .watch import PortWatch

__all__ = ["QUIET", "PortIO"]

QUIET = 0.05  # online, a line silent this long has sent all it had (see Framer.flush_idle)
_SETTLE = 0.2  # longest wait for the background reader to take bytes already received
# a pause between commands after which the background reader watches the port again
_REARM_AFTER = 0.002


def _posix_fd(port: serial.SerialBase) -> int | None:
    """The fd of a local POSIX serial port (a tty or pty); None for URL transports."""
    if os.name == "posix" and type(port).__module__ == "serial.serialposix" and port.is_open:
        fd = port.fileno()
        if os.get_blocking(fd):
            # With VMIN=0 a blocking read of an empty tty returns b"", which would look like
            # a vanished device; non-blocking it raises EAGAIN instead (pyserial selects first).
            os.set_blocking(fd, False)
        return fd
    return None


def _write_fd(fd: int, data: bytes, timeout: float = 10.0) -> None:
    view = memoryview(data)
    deadline: Deadline | None = None  # only a full output buffer starts the clock
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            deadline = deadline or Deadline(timeout)
            _, ready, _ = select.select([], [fd], [], deadline.remaining)
            if not ready:
                raise serial.SerialTimeoutException("write timeout") from None


class PortIO:
    def __init__(
        self,
        url: str,
        baudrate: int,
        on_data: Callable[[bytes], None],
        on_idle: Callable[[], None],
        on_lost: Callable[[BaseException], None],
    ) -> None:
        self.url, self.baudrate = url, baudrate
        self._on_data, self._on_idle, self._on_lost = on_data, on_idle, on_lost
        self._read_lock = threading.Lock()  # whoever reads a local port's fd holds it
        # a command starting and the reader re-arming its watch exclude each other
        self._arming = threading.Lock()
        self._caller_active = False
        self._quiet_since = 0.0  # when the last command stopped reading the port
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._port: serial.SerialBase | None = None
        self._fd: int | None = None
        self._watch: PortWatch | None = None
        self._reader: threading.Thread | None = None
        self._closing = False
        self._stopped = False  # lost: the reader has nothing more to read
        self._has_dcd = True  # until the port says it cannot report DCD

    @property
    def is_open(self) -> bool:
        return self._port is not None

    @property
    def local(self) -> bool:
        """Read on its file descriptor by whoever waits for bytes (a tty or pty)."""
        return self._fd is not None

    def open(self, deadline: Deadline) -> None:
        """Open the port, retrying until the deadline (a USB device re-enumerating)."""
        while True:
            try:
                port = open_port(self.url, self.baudrate)
                break
            except (serial.SerialException, OSError, ValueError) as exc:
                if deadline.expired:
                    raise ConnectionError(
                        f"cannot open {self.url} within {deadline.seconds:.1f} s: {exc}"
                    ) from exc
                # polling: a device node has no event to await
                time.sleep(min(0.01, deadline.remaining))
        # once per open: it costs syscalls, and commands need it often
        self._fd = _posix_fd(port)
        self._watch = PortWatch(self._fd, self._wake_r) if self._fd is not None else None
        self._port, self._closing, self._stopped = port, False, False
        self._has_dcd = True
        self._reader = threading.Thread(
            target=self._read_loop,
            args=(port, self._watch),
            name=f"atlink-reader {self.url}",
            daemon=True,
        )
        self._reader.start()

    def close(self) -> None:
        """Stop the reader and close the port; the channel may open it again."""
        self._closing = True
        port, self._port = self._port, None
        self._wake_reader()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=2.0)
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.close()
        self._fd = None
        if port is not None:
            with contextlib.suppress(Exception):  # closing a port that already vanished
                port.close()

    def dispose(self) -> None:
        """Close for good: the wake-up pipe too."""
        self.close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def carrier(self) -> bool | None:
        """DCD, where the port reports it at the cost of an ioctl: a local UART or USB ACM port
        with modem lines, or a URL handler that says it does (`reports_carrier`). None where it
        cannot: a pty, socket://, and rfc2217://, whose DCD is a network poll that may wait
        seconds (pyserial's get_modem_state), too slow to ask every QUIET."""
        port = self._port
        if port is None or not self._has_dcd:
            return None
        if self._fd is None and not getattr(port, "reports_carrier", False):
            self._has_dcd = False
            return None
        try:
            return bool(port.cd)
        except (OSError, AttributeError, NotImplementedError, ValueError, serial.SerialException):
            self._has_dcd = False
            return None

    def write(self, data: bytes) -> None:
        """Raises what the port raised: the channel calls that a lost port."""
        port = self._port
        if port is None:
            raise serial.SerialException(f"{self.url} is closed")
        if self._fd is None:
            port.write(data)
        else:
            _write_fd(self._fd, data)

    def _wake_reader(self) -> None:
        with contextlib.suppress(OSError):  # closed, or full of wake-ups already
            os.write(self._wake_w, b"x")

    def _lost(self, port: serial.SerialBase, exc: BaseException) -> None:
        if self._closing or port is not self._port or self._stopped:
            return
        self._stopped = True
        self._on_lost(exc)

    # ------------------------------------------------------------ the background reader
    def _read_loop(self, port: serial.SerialBase, watch: PortWatch | None) -> None:
        while True:
            if watch is not None:
                data = self._read_fd_idle(port, watch)
            else:
                try:
                    data = port.read(port.in_waiting or 1)
                except Exception as exc:  # SerialException, OSError, or a port closed under us
                    self._lost(port, exc)
                    return
            if self._closing or port is not self._port or self._stopped:
                return
            if data:
                self._on_data(data)
            else:
                self._on_idle()

    # A command reads a local port itself, between begin_reading and end_reading: it holds
    # the read lock from before its write, so its answer never pays for a hand-over between
    # threads. The background reader must not even be woken by that answer (it would take the
    # GIL from the command only to stand aside), so the command mutes the reader's watch, and
    # the reader re-arms it once commands have paused for _REARM_AFTER: back-to-back commands
    # pay for neither wake-ups nor re-arming. A URC in such a pause waits about that long.
    def begin_reading(self) -> None:
        with self._arming:
            self._caller_active = True
            if self._watch is not None and self._watch.mute():
                self._wake_reader()  # out of its (now muted) wait, into the re-arming loop
        self._read_lock.acquire()

    def end_reading(self) -> None:
        self._read_lock.release()
        self._quiet_since = time.monotonic()
        self._caller_active = False

    def _rearm(self, watch: PortWatch) -> bool:
        """True if the watch is armed, re-arming it if commands have paused long enough."""
        with self._arming:
            if watch.armed:
                return not self._caller_active
            if self._caller_active or time.monotonic() - self._quiet_since < _REARM_AFTER:
                return False
            watch.arm()
            return True

    def _read_fd_idle(self, port: serial.SerialBase, watch: PortWatch) -> bytes:
        """Background read of a local port, while no command is reading it."""
        if not self._rearm(watch):
            time.sleep(_REARM_AFTER)
            return b""
        try:
            readable, woken = watch.wait(QUIET)
        except (OSError, ValueError) as exc:
            self._lost(port, exc)
            return b""
        if woken:
            try:  # noqa: SIM105 -- on every wake-up: suppress() would cost a context manager each time
                os.read(self._wake_r, 4096)
            except BlockingIOError:
                pass
        if not readable or self._caller_active:
            return b""
        fd = watch.fd
        with self._read_lock:
            # Under the lock, ask again: a command may have taken the bytes meanwhile.
            try:
                still, _, _ = select.select([fd], [], [], 0)
            except (OSError, ValueError) as exc:
                self._lost(port, exc)
                return b""
            return self._read_fd(port, fd) if still else b""

    def _read_fd(self, port: serial.SerialBase, fd: int) -> bytes:
        """Read what select just reported, holding the read lock."""
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return b""  # the other reader took it first
        except OSError as exc:
            self._lost(port, exc)
            return b""
        if not data:  # readable but empty: the device is gone (USB unplugged, pty closed)
            self._lost(port, OSError("device reports readiness to read but returned no data"))
        return data

    # ------------------------------------------------------------ a caller reading
    def take_earlier_input(self) -> None:
        """Hand over the bytes received before a command is written (URCs, noise), so they are
        framed first. On a local port the caller holds the read lock and reads them itself; on
        other transports the background reader gets a moment (bounded) to empty the buffer."""
        port, fd = self._port, self._fd
        if port is None:
            return
        if fd is not None:
            while True:
                try:
                    ready, _, _ = select.select([fd], [], [], 0)
                except (OSError, ValueError):
                    return  # the loss shows on the write that follows
                data = self._read_fd(port, fd) if ready else b""
                if not data:
                    return
                self._on_data(data)
        deadline = Deadline(_SETTLE)
        try:
            while port.in_waiting and not deadline.expired:
                time.sleep(0.0005)
        except (serial.SerialException, OSError, ValueError):
            return

    def read_here(self, reached: Callable[[], bool], deadline: Deadline) -> None:
        """A waiter outside a command (an online reader) reads a local port itself until
        `reached()`, as a command does: the bytes skip a hand-over from the background reader.
        Elsewhere the background reader delivers and this returns at once."""
        if self._fd is None:
            return
        self.begin_reading()
        try:
            self.read_until(reached, deadline)
        finally:
            self.end_reading()

    def read_until(self, reached: Callable[[], bool], deadline: Deadline) -> None:
        """Read a local port here, between begin_reading and end_reading, until `reached()`,
        the deadline or the loss of the port."""
        port, fd = self._port, self._fd
        if port is None or fd is None:
            return
        while not reached():
            left = deadline.remaining
            if left <= 0 or self._stopped:
                return
            try:
                ready, _, _ = select.select([fd], [], [], min(left, QUIET))
            except (OSError, ValueError) as exc:
                self._lost(port, exc)
                return
            data = self._read_fd(port, fd) if ready else b""
            if data:
                self._on_data(data)
            else:
                self._on_idle()
