"""The AT channel: one port, one reader thread, one command at a time.

    with AtChannel("sim://bench?profile=fast") as at:
        r = at.command("AT+CPIN?")           # Response(lines=['+CPIN: READY'], final=OK)
        urc = at.wait_urc("+CEREG: 1", 10)   # a URC, by literal prefix or regex

The reader thread turns bytes into tokens (framing.Framer) and routes each line
to the pending command or to the URC store (rules in urc.py). Every final result
is owed to the oldest command still waiting for one, including commands that
timed out: a late answer is recorded as late and never answers the next command.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import select
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import serial

from .framing import CountedRule, Framer, Kind, Token
from .masking import mask_secrets
from .online import OnlineSession
from .results import (
    AtError,
    AtTimeout,
    ChannelClosed,
    Final,
    FinalKind,
    OnlineClosed,
    PortLost,
    classify_final,
    error_for,
)
from .timeouts import DEFAULT_TIMEOUTS, Deadline, TimeoutTable
from .transcript import EVENT, RX, TX, URC, Transcript
from .transport import open_port
from .urc import Urc, UrcPattern, UrcStore, UrcTable
from .watch import PortWatch

__all__ = ["CTRL_Z", "ESC", "AtChannel", "ExchangeRecord", "Response", "expected_prefixes"]

CTRL_Z = b"\x1a"
ESC = b"\x1b"
_PREFIX = re.compile(r"([+^$%#][A-Z0-9]+)", re.IGNORECASE)
_V_SETTING = re.compile(r"^AT[A-Z0-9&]*?V([01]?)(?![0-9])", re.IGNORECASE)  # a bare V is V0
_SETTLE = 0.2  # longest wait for the background reader to take bytes already received
# a pause between commands after which the background reader watches the port again
_REARM_AFTER = 0.002
# what ends an online session, verbose or numeric (V.250 6.2.6), as the session reports it
_SESSION_ENDS = {"NO CARRIER": "NO CARRIER", "OK": "OK", "3": "NO CARRIER", "0": "OK"}
_QUIET = 0.05  # online, a line silent this long has sent all it had (see Framer.flush_idle)
_NOISE = re.compile(r"^[\x00-\x1f\x7f-\xff ]*$")


@functools.lru_cache(maxsize=512)
def _plan(command: str) -> tuple[tuple[str, ...], bool, bool, str]:
    """(expected prefixes, sets V, numeric from here, as its echo looks normalised): suites send
    the same lines again and again."""
    v = _V_SETTING.match(command)
    return (
        expected_prefixes(command),
        v is not None,
        bool(v and v.group(1) != "1"),
        _normalise(command),
    )


def expected_prefixes(command: str) -> tuple[str, ...]:
    """`AT+CMEE=2;+CEREG?` -> ("+CMEE:", "+CEREG:"): what solicited lines start with."""
    body = command[2:] if command[:2].upper() == "AT" else command
    out = []
    for part in body.split(";"):
        m = _PREFIX.match(part.strip())
        if m:
            out.append(m.group(1).upper() + ":")
    return tuple(out)


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


def _normalise(text: str) -> str:
    return "".join(text.split()).upper()


@dataclass
class Response:
    command: str
    lines: list[str]
    final: Final
    payload: bytes | None = None
    sent_at: float = 0.0
    finished_at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.final.kind.success

    @property
    def elapsed(self) -> float:
        return self.finished_at - self.sent_at

    def text(self) -> str:
        """The information text as one string (bare replies such as an IMEI)."""
        return "\n".join(self.lines)

    def with_prefix(self, prefix: str) -> list[str]:
        """Information lines starting with `prefix`, prefix and leading spaces removed."""
        return [ln[len(prefix) :].strip() for ln in self.lines if ln.startswith(prefix)]

    def one(self, prefix: str) -> str:
        found = self.with_prefix(prefix)
        if len(found) != 1:
            raise ValueError(f"{self.command!r}: expected one {prefix!r} line, got {self.lines!r}")
        return found[0]


@dataclass(frozen=True)
class ExchangeRecord:
    """One command as observers see it: secrets masked, outcome and timing."""

    command: str
    lines: tuple[str, ...]
    outcome: str  # the final result line, or "TIMEOUT" / "PORT LOST" / "CLOSED"
    sent_at: float
    finished_at: float

    @property
    def elapsed(self) -> float:
        return self.finished_at - self.sent_at


class _Exchange:
    """One command in flight. Its flags change under the channel's state lock, which
    `_answered` (a condition on that lock) announces to a caller waiting on them."""

    __slots__ = (
        "after_partial",
        "command",
        "done",
        "error",
        "expected",
        "final",
        "lines",
        "numeric",
        "payload",
        "prompted",
        "wants_prompt",
        "written",
    )

    def __init__(
        self, command: str, expected: tuple[str, ...], numeric: bool, wants_prompt: bool
    ) -> None:
        self.command = command
        self.expected = expected
        self.numeric = numeric
        self.wants_prompt = wants_prompt  # a command that sends a payload after the module's prompt
        self.written = False
        # a line had begun before the command was written: when it ends, it is not the answer
        self.after_partial = False
        self.lines: list[str] = []
        self.final: Final | None = None
        self.payload: bytes | None = None
        self.error: Exception | None = None
        self.done = False
        self.prompted = False

    def is_done(self) -> bool:
        return self.done

    def may_send(self) -> bool:
        return self.prompted or self.done


class AtChannel:
    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 115200,
        timeouts: TimeoutTable | None = None,
        urc_table: UrcTable | None = None,
        transcript: Transcript | None = None,
        open_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeouts = timeouts or DEFAULT_TIMEOUTS.copy()
        self.urc_table = urc_table or UrcTable()
        self.transcript = transcript or Transcript()
        self.urcs = UrcStore()
        self.late_lines = 0  # lines that answered a command which had already timed out
        self.exchange_listeners: list[Callable[[ExchangeRecord], None]] = []
        self._framer = Framer()
        self._command_lock = threading.RLock()
        self._read_lock = threading.Lock()  # whoever reads a local port's fd holds it
        # a command starting and the reader re-arming its watch exclude each other
        self._arming = threading.Lock()
        self._caller_active = False
        self._quiet_since = 0.0  # when the last command stopped reading the port
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._state = threading.RLock()
        self._owed_cond = threading.Condition(self._state)
        self._answered = threading.Condition(self._state)  # an exchange's flags changed
        # callers waiting on it (none while a command reads its own answer)
        self._answer_waiters = 0
        self._pending: _Exchange | None = None
        self._rx_run: list[bytes] = []  # raw lines of the answer not yet recorded (see _route)
        self._last_rx = 0.0  # when bytes were last received
        # (command, expected prefixes) of the commands that timed out and still owe a final,
        # oldest first: their late answers are told from URCs by a pending command's rule
        self._owed: deque[tuple[str, tuple[str, ...]]] = deque()
        self._numeric = False
        self._session: OnlineSession | None = None
        self._port: serial.SerialBase | None = None
        self._port_fd: int | None = None
        self._watch: PortWatch | None = None
        self._reader: threading.Thread | None = None
        self._lost: PortLost | None = None
        self._closing = False
        self._open(Deadline(open_timeout))

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> AtChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._port is not None and self._lost is None

    @property
    def lost(self) -> PortLost | None:
        return self._lost

    def _open(self, deadline: Deadline) -> None:
        last: Exception | None = None
        while True:
            try:
                port = open_port(self.url, self.baudrate)
                break
            except (serial.SerialException, OSError, ValueError) as exc:
                last = exc
                if deadline.expired:
                    raise PortLost(
                        f"cannot open {self.url} within {deadline.seconds:.1f} s: {last}"
                    ) from last
                # polling: a device node has no event to await
                time.sleep(min(0.01, deadline.remaining))
        # once per open: it costs syscalls, and commands need it often
        self._port_fd = _posix_fd(port)
        self._watch = PortWatch(self._port_fd, self._wake_r) if self._port_fd is not None else None
        self._port = port
        self._lost = None
        self._closing = False
        self.transcript.event(f"port open {self.url}")
        self._reader = threading.Thread(
            target=self._read_loop,
            args=(port, self._watch),
            name=f"atlink-reader {self.url}",
            daemon=True,
        )
        self._reader.start()

    def close(self) -> None:
        self._close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _close(self) -> None:
        with self._state:
            self._closing = True
            port, self._port = self._port, None
            self._fail_pending(ChannelClosed(f"{self.url} closed"))
        self._wake_reader()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=2.0)
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.close()
        if port is not None:
            with contextlib.suppress(Exception):  # closing a port that already vanished
                port.close()
        with self._state:
            for token in self._framer.reset():  # trailing bytes no token claimed yet
                self.transcript.record(RX, token.raw, bulk=True)
        self.transcript.event(f"port closed {self.url}")

    def _wake_reader(self) -> None:
        with contextlib.suppress(OSError):  # closed, or full of wake-ups already
            os.write(self._wake_w, b"x")

    def reopen(self, timeout: float = 30.0) -> None:
        """Close and open again, waiting for the port to come back (a module reboots)."""
        with self._command_lock:
            self._close()
            with self._state:
                self._owed.clear()
                self._numeric = self._framer.numeric = False
                self._session = None
            self._open(Deadline(timeout))

    def _fd(self, port: serial.SerialBase) -> int | None:
        return self._port_fd if port is self._port else _posix_fd(port)

    # ------------------------------------------------------------ reading
    def _read_loop(self, port: serial.SerialBase, watch: PortWatch | None) -> None:
        while True:
            if watch is not None:
                data = self._read_fd_idle(port, watch)
            else:
                try:
                    data = port.read(port.in_waiting or 1)
                except Exception as exc:  # SerialException, OSError, or a port closed under us
                    self._port_lost(port, exc)
                    return
            if self._closing or port is not self._port or self._lost is not None:
                return
            if data:
                self._feed(data)
            else:
                self._flush_if_quiet()

    # A command reads a local port itself, between _begin_reading and _end_reading: it holds
    # the read lock from before its write, so its answer never pays for a hand-over between
    # threads. The background reader must not even be woken by that answer (it would take the
    # GIL from the command only to stand aside), so the command mutes the reader's watch, and
    # the reader re-arms it once commands have paused for _REARM_AFTER: back-to-back commands
    # pay for neither wake-ups nor re-arming. A URC in such a pause waits about that long.
    def _begin_reading(self) -> None:
        with self._arming:
            self._caller_active = True
            if self._watch is not None and self._watch.mute():
                self._wake_reader()  # out of its (now muted) wait, into the re-arming loop
        self._read_lock.acquire()

    def _end_reading(self) -> None:
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
            readable, woken = watch.wait(_QUIET)
        except (OSError, ValueError) as exc:
            self._port_lost(port, exc)
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
                self._port_lost(port, exc)
                return b""
            return self._read_fd(port, fd) if still else b""

    def _read_fd(self, port: serial.SerialBase, fd: int) -> bytes:
        """Read what select just reported, holding the read lock."""
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return b""  # the other reader took it first
        except OSError as exc:
            self._port_lost(port, exc)
            return b""
        if not data:  # readable but empty: the device is gone (USB unplugged, pty closed)
            self._port_lost(port, OSError("device reports readiness to read but returned no data"))
        return data

    def _take_earlier_input(self, port: serial.SerialBase | None, local: bool) -> None:
        """Bytes received before a command is written are not its answer (URCs, noise): frame
        them first. On a local port the caller holds the read lock and reads them itself; on
        other transports the background reader gets a moment (bounded) to empty the buffer."""
        if port is None:
            return
        fd = self._fd(port) if local else None
        if fd is not None:
            while True:
                try:
                    ready, _, _ = select.select([fd], [], [], 0)
                except (OSError, ValueError):
                    return  # the loss shows on the write that follows
                data = self._read_fd(port, fd) if ready else b""
                if not data:
                    return
                self._feed(data)
        deadline = Deadline(_SETTLE)
        try:
            while port.in_waiting and not deadline.expired:
                time.sleep(0.0005)
        except (serial.SerialException, OSError, ValueError):
            return

    def _feed(self, data: bytes) -> None:
        with self._state:
            self._last_rx = time.monotonic()
            self._route(self._framer.feed(data))

    def _flush_if_quiet(self) -> None:
        """Online, once the line has been silent for _QUIET, bytes held back as a possible start
        of NO CARRIER are data after all. Not sooner: the rest of a terminator may be on its way."""
        if self._framer.online and time.monotonic() - self._last_rx >= _QUIET:
            with self._state:
                self._route(self._framer.flush_idle())

    def _route(self, tokens: list[Token]) -> None:
        """Route tokens, holding the state lock. The answer's lines of one read become one
        transcript entry: the bytes as they were read, and one record instead of one a line."""
        for token in tokens:
            self._on_token(token)
        self._flush_rx()

    def _rx(self, raw: bytes) -> None:
        self._rx_run.append(raw)

    def _flush_rx(self) -> None:
        """Record the lines gathered so far: before any other entry, to keep the order."""
        if self._rx_run:
            self.transcript.record(RX, b"".join(self._rx_run))
            self._rx_run.clear()

    def _port_lost(self, port: serial.SerialBase, exc: BaseException) -> None:
        with self._state:
            if self._closing or port is not self._port or self._lost is not None:
                return
            self._lost = PortLost(f"port {self.url} lost: {exc}")
            self.transcript.event(f"port lost: {exc}")
            self._fail_pending(self._lost)
            if self._session:
                self._session.end("port lost")
        self.urcs.wake()

    def _wait(self, reached: Callable[[], bool], deadline: Deadline, local: bool) -> bool:
        """Wait until the pending exchange (or online session) has `reached` a state; on a
        local port (read lock held) read the port ourselves."""
        port = self._port
        fd = self._fd(port) if local and port is not None else None
        if fd is None:
            with self._state:
                self._answer_waiters += 1
                try:
                    return self._answered.wait_for(reached, deadline.remaining)
                finally:
                    self._answer_waiters -= 1
        while not reached():
            left = deadline.remaining
            if left <= 0 or self._lost is not None:
                break
            try:
                ready, _, _ = select.select([fd], [], [], min(left, _QUIET))
            except (OSError, ValueError) as exc:
                self._port_lost(port, exc)
                break
            data = self._read_fd(port, fd) if ready else b""
            if data:
                self._feed(data)
            else:
                self._flush_if_quiet()
        return reached()

    def _on_token(self, token: Token) -> None:
        if token.kind is Kind.OVERFLOW:  # a line past MAX_LINE: kept as bytes, never routed
            self._flush_rx()
            self.transcript.record(RX, token.raw, bulk=True)
            return
        if token.kind is Kind.DATA:
            self._flush_rx()
            self.transcript.record(RX, token.raw, bulk=True)
            if self._session is not None:
                self._session.deliver(token.data)
            return
        ex = self._pending
        if token.kind is Kind.PROMPT:
            self._rx(token.raw)
            if ex is not None and ex.wants_prompt:
                ex.prompted = True
                self._announce()
            return
        if token.kind is Kind.PAYLOAD:
            self._flush_rx()
            self.transcript.record(RX, token.raw, bulk=True)
            if ex is not None:
                ex.payload = token.data
            return
        self._on_line(token, ex)

    def _on_line(self, token: Token, ex: _Exchange | None) -> None:
        line = token.text
        session = self._session
        if session is not None and session.active and line in _SESSION_ENDS:
            self._rx(token.raw)
            self._flush_rx()
            session.end(_SESSION_ENDS[line])
            return
        numeric = self._numeric or (ex is not None and ex.numeric)
        final = classify_final(line, numeric)
        if ex is not None and (ex.done or ex.after_partial):
            # after its final, or ending a line that began before it was sent: not its answer
            ex.after_partial = False
            ex = None
        if ex is None or not ex.written:
            if self._owed and (final is not None or self._owed_answer(line)):
                self._late(token, final)
                return
            self._to_urc(token)
            return
        if final is not None:
            if self._owed:
                self._late(token, final)
                return
            self._rx(token.raw)
            ex.final = final
            if final.kind is FinalKind.CONNECT:
                self._session = OnlineSession(self)
            # also ends a wait for the prompt: a final instead of it, nothing more to send
            ex.done = True
            self._announce()
            return
        if self.urc_table.is_urc(line, ex.command, ex.expected):
            self._to_urc(token)
            return
        self._rx(token.raw)
        if not ex.lines and self._is_echo(line, _plan(ex.command)[3]):
            return
        if _NOISE.match(line):
            return
        ex.lines.append(line)

    @staticmethod
    def _is_echo(line: str, sent: str) -> bool:
        """sent: the command line normalised. An echo ends as the command does (cheap test 1st)."""
        if not sent or line.rstrip()[-1:].upper() != sent[-1]:
            return False
        got = _normalise(line)
        return got == sent or (got.endswith(sent) and len(sent) >= 2)

    def _owed_answer(self, line: str) -> bool:
        """A line with no command pending that answers the oldest timed-out one."""
        if self.urc_table.prefix_of(line) is None:
            return True
        command, expected = self._owed[0] if self._owed else ("", ())
        return bool(command) and not self.urc_table.is_urc(line, command, expected)

    def _late(self, token: Token, final: Final | None) -> None:
        self.late_lines += 1
        self._rx(token.raw)
        self._flush_rx()
        self.transcript.event("late answer of a timed-out command (discarded)")
        if final is not None:
            if self._owed:
                self._owed.popleft()
            self._owed_cond.notify_all()

    def _to_urc(self, token: Token) -> None:
        self._flush_rx()
        self.transcript.record(URC, token.raw)
        self.urcs.add(token.text)

    def _announce(self) -> None:
        if self._answer_waiters:
            self._answered.notify_all()

    def _fail_pending(self, error: Exception) -> None:
        ex = self._pending
        if ex is not None and not ex.done:
            ex.error = error
            ex.done = True
            self._announce()

    # ------------------------------------------------------------ writing
    def _write(self, data: bytes, bulk: bool = False, reading_here: bool = False) -> None:
        """reading_here: this thread reads the answer itself, so nothing can be recorded before
        the write is: record it after, in the time the module takes to answer, not before."""
        port = self._port
        if port is None:
            raise ChannelClosed(f"{self.url} is closed")
        if self._lost is not None:
            raise self._lost
        if not reading_here:
            self.transcript.record(TX, data, bulk=bulk)
        try:
            fd = self._fd(port)
            if fd is None:
                port.write(data)
            else:
                _write_fd(fd, data)
        except Exception as exc:
            if reading_here:
                # what was tried, before what became of it
                self.transcript.record(TX, data, bulk=bulk)
            with self._state:
                if self._lost is None:
                    self._lost = PortLost(f"port {self.url} lost on write: {exc}")
                    self.transcript.event(f"port lost: {exc}")
            raise self._lost from exc
        if reading_here:
            self.transcript.record(TX, data, bulk=bulk)

    def send_raw(self, data: bytes) -> None:
        """Write bytes as they are (outside any command); for recovery and fault tests."""
        with self._command_lock:
            self._write(data, bulk=True)

    # ------------------------------------------------------------ commands
    def command(
        self,
        line: str,
        *,
        timeout: float | None = None,
        payload: bytes | None = None,
        payload_end: bytes | None = CTRL_Z,
        counted: CountedRule | None = None,
        check: bool = True,
    ) -> Response:
        """Send one command line and wait for its final result.

        payload: bytes to send after the module's `> ` prompt, followed by
        `payload_end` (Ctrl-Z; ESC to cancel; None for an exact byte count).
        counted: a rule that recognises a reply header followed by N raw bytes.
        check: raise the typed error for a failure final result (default).
        """
        if not line or "\r" in line or "\n" in line:
            raise ValueError(f"one command line without line ends, got {line!r}")
        seconds = timeout if timeout is not None else self.timeouts.for_command(line)
        with self._command_lock:
            if self._owed:
                self._resync(Deadline(seconds))
            return self._run(line, seconds, payload, payload_end, counted, check)

    def _run(
        self,
        line: str,
        seconds: float,
        payload: bytes | None,
        payload_end: bytes | None,
        counted: CountedRule | None,
        check: bool,
    ) -> Response:
        """One exchange; the caller holds the command lock."""
        deadline = Deadline(seconds)
        if self._session is not None and self._session.active:
            raise AtError("the channel is in online data mode: escape or end the session first")
        expected, sets_v, numeric, _ = _plan(line)
        ex = _Exchange(line, expected, numeric, wants_prompt=payload is not None)
        with self._state:
            if self._lost is not None:
                raise self._lost
            self._pending = ex
            self._framer.numeric = self._numeric or numeric
            self._framer.prompt_armed = payload is not None
            self._framer.counted_rules = [counted] if counted else []
        sent_at = time.monotonic()
        port = self._port
        local = port is not None and self._fd(port) is not None
        try:
            # On a local port this thread reads the answer itself: it holds the read lock
            # from before the write, so the background reader cannot take the answer first.
            if local:
                self._begin_reading()
            try:
                self._take_earlier_input(port, local)
                with self._state:
                    # Nothing can answer before the terminating \r reaches the module, so the
                    # exchange counts as written from here; earlier lines were URCs.
                    ex.written = True
                    ex.after_partial = self._framer.partial
                self._write(line.encode("utf-8") + b"\r", reading_here=local)
                if payload is not None:
                    self._send_payload(ex, payload, payload_end, deadline, local)
                answered = self._wait(ex.is_done, deadline, local)
            finally:
                if local:
                    self._end_reading()
            if not answered:
                with self._state:
                    if not ex.done:
                        self._owed.append((ex.command, ex.expected))
                        self.transcript.event(f"timeout after {seconds:.1f} s: {line}")
                        raise AtTimeout(line, seconds, list(ex.lines), self.transcript.tail())
        finally:
            with self._state:
                self._pending = None
                self._framer.prompt_armed = False
                self._framer.counted_rules = []
            self._notify(ex, sent_at)
        if ex.error is not None:
            raise ex.error
        assert ex.final is not None
        if (
            sets_v
        ):  # the setting holds even if a later command of the line failed: trust the final's form
            with self._state:
                self._numeric = self._framer.numeric = ex.final.line.isdigit()
        response = Response(line, ex.lines, ex.final, ex.payload, sent_at, time.monotonic())
        if check and not ex.final.kind.success:
            raise error_for(line, ex.final, ex.lines)
        return response

    def _notify(self, ex: _Exchange, sent_at: float) -> None:
        if not self.exchange_listeners:
            return
        if ex.final is not None:
            outcome = ex.final.line
        elif isinstance(ex.error, PortLost):
            outcome = "PORT LOST"
        elif ex.error is not None:
            outcome = "CLOSED"
        else:
            outcome = "TIMEOUT"
        record = ExchangeRecord(
            mask_secrets(ex.command),
            tuple(mask_secrets(ln) for ln in ex.lines),
            outcome,
            sent_at,
            time.monotonic(),
        )
        for listener in list(self.exchange_listeners):
            listener(record)

    def _send_payload(
        self, ex: _Exchange, payload: bytes, end: bytes | None, deadline: Deadline, local: bool
    ) -> None:
        if not self._wait(ex.may_send, deadline, local) or ex.done:
            return  # no prompt: the module answered (an error) or the deadline decides
        self._write(payload + (end or b""), bulk=True)

    def _resync(self, deadline: Deadline) -> None:
        """Before a new command, let answers owed by timed-out commands arrive.

        First a short wait; then an `AT` probe, whose own OK is owed after them. If
        even that does not settle, the owed answers are taken as lost.
        """
        with self._state:
            if not self._owed:
                return
            self._owed_cond.wait_for(lambda: not self._owed, timeout=min(0.5, deadline.remaining))
            if not self._owed:
                return
        self.transcript.event("resync: probing with AT")
        with contextlib.suppress(AtTimeout):
            self._run("AT", 1.0, None, None, None, False)
        with self._state:
            if self._owed:
                self.transcript.event(f"resync: {len(self._owed)} answer(s) taken as lost")
                self._owed.clear()

    # ------------------------------------------------------------ URCs and online mode
    def urc_mark(self) -> int:
        return self.urcs.mark()

    def wait_urc(
        self,
        pattern: UrcPattern,
        timeout: float,
        after: int | None = None,
        until_lost: bool = False,
    ) -> Urc | None:
        """Wait for a URC (a str is a literal prefix). Raises AtTimeout with the tail.

        until_lost: return None as soon as the port is lost instead of waiting on.
        """
        abort = (lambda: self._lost is not None) if until_lost else None
        urc = self.urcs.wait(pattern, timeout, 0 if after is None else after, abort)
        if urc is None and until_lost and self._lost is not None:
            return None
        if urc is None:
            shown = pattern if isinstance(pattern, str) else pattern.pattern
            raise AtTimeout(
                f"URC {shown}",
                timeout,
                [u.line for u in self.urcs.since(after or 0)],
                self.transcript.tail(),
            )
        return urc

    @property
    def online(self) -> OnlineSession:
        """The online data session entered by the last CONNECT."""
        if self._session is None:
            raise OnlineClosed("no online data session: no CONNECT was received")
        return self._session

    def _session_write(self, data: bytes) -> None:
        with self._command_lock:
            self._write(data, bulk=True)

    def _session_read(self, reached: Callable[[], bool], deadline: Deadline) -> None:
        """An online reader reads a local port itself until `reached()` (or the deadline), as a
        command does: the bytes skip a hand-over from the background reader to its thread.
        Elsewhere the background reader delivers and this returns at once."""
        port = self._port
        if port is None or self._fd(port) is None:
            return
        self._begin_reading()
        try:
            self._wait(reached, deadline, local=True)
        finally:
            self._end_reading()

    def _session_escape(self) -> None:
        with self._state:
            self._framer.arm_escape()

    def _session_event(self, text: str) -> None:
        self.transcript.record(EVENT, text)
