"""The AT channel: one port, one command at a time, URCs on the side.

    with AtChannel("sim://bench?profile=fast") as at:
        r = at.command("AT+CPIN?")           # Response(lines=['+CPIN: READY'], final=OK)
        urc = at.wait_urc("+CEREG: 1", 10)   # a URC, by literal prefix or regex

Three parts, each with one job: the port's bytes come from port_io.PortIO, framing.Framer
turns them into tokens, exchange.Router decides what each token is. The channel applies the
decisions: the transcript, the URC store, the online session, waking the caller. Every final
result is owed to the oldest command still waiting for one, including commands that timed out:
a late answer is recorded as late and never answers the next command.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from .exchange import SESSION_ENDS, Exchange, Route, Router
from .framing import CountedRule, Framer, Token
from .masking import Label
from .online import OnlineSession, SessionLink
from .port_io import QUIET, PortIO
from .response import ExchangeRecord, Response
from .results import AtError, AtTimeout, ChannelClosed, OnlineClosed, PortLost, error_for
from .timeouts import DEFAULT_TIMEOUTS, Deadline, TimeoutTable
from .transcript import RX, TX, URC, Transcript
from .urc import Urc, UrcPattern, UrcStore, UrcTable

__all__ = ["CTRL_Z", "ESC", "AtChannel"]

CTRL_Z = b"\x1a"
ESC = b"\x1b"


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
        self.secret_label: Label | None = None  # roles of secrets in exchange records
        self._framer = Framer()
        self._router = Router(self.urc_table)
        self._command_lock = threading.RLock()
        self._state = threading.RLock()  # the framer, the router and the session change under it
        self._owed_cond = threading.Condition(self._state)
        self._answered = threading.Condition(self._state)  # an exchange's flags changed
        # callers waiting on it (none while a command reads its own answer)
        self._answer_waiters = 0
        self._rx_run: list[bytes] = []  # raw lines of the answer not yet recorded (see _route)
        self._last_rx = 0.0  # when bytes were last received
        self._session: OnlineSession | None = None
        self._follow_dcd = False  # the online session follows the port's DCD
        self._io = PortIO(url, baudrate, self._feed, self._flush_if_quiet, self._port_lost)
        self._link = SessionLink(
            self._session_write,
            self._io.read_here,
            self._arm_escape,
            self.transcript.event,
            self.transcript.tail,
        )
        self._lost: PortLost | None = None
        self._open(Deadline(open_timeout))

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> AtChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._io.is_open and self._lost is None

    @property
    def lost(self) -> PortLost | None:
        return self._lost

    def _open(self, deadline: Deadline) -> None:
        self._lost = None
        try:
            self._io.open(deadline)
        except ConnectionError as exc:
            raise PortLost(str(exc)) from exc.__cause__
        self.transcript.event(f"port open {self.url}")

    def close(self) -> None:
        self._close()
        self._io.dispose()

    def _close(self) -> None:
        with self._state:
            self._fail_pending(ChannelClosed(f"{self.url} closed"))
        self._io.close()
        with self._state:
            for token in self._framer.reset():  # trailing bytes no token claimed yet
                self.transcript.record(RX, token.raw, bulk=True)
        self.transcript.event(f"port closed {self.url}")

    def reopen(self, timeout: float = 30.0) -> None:
        """Close and open again, waiting for the port to come back (a module reboots)."""
        with self._command_lock:
            self._close()
            with self._state:
                self._router.reset()
                self._framer.numeric = False
                self._session = None
            self._open(Deadline(timeout))

    # ------------------------------------------------------------ bytes in
    def _feed(self, data: bytes) -> None:
        with self._state:
            self._last_rx = time.monotonic()
            self._route(self._framer.feed(data))

    def _flush_if_quiet(self) -> None:
        """Online, once the line has been silent for QUIET, bytes held back as a possible
        terminator are decided (Framer.flush_idle). Not sooner: the rest may be on its way.
        Where the port reports DCD, the session follows it: a carrier still there makes a numeric
        terminator data, and a carrier gone ends the session, terminator or not."""
        if self._framer.online and time.monotonic() - self._last_rx >= QUIET:
            carrier = self._io.carrier() if self._follow_dcd else None  # an ioctl: outside the lock
            with self._state:
                self._route(self._framer.flush_idle(carrier))
                if carrier is False and self._framer.online:
                    self._route(self._framer.leave_online())
                    self._router.carrier_lost()
                    self.transcript.event("DCD off: the online session is over")
                    if self._session is not None:
                        self._session.end("NO CARRIER")

    def _route(self, tokens: list[Token]) -> None:
        """Apply the router's decisions, holding the state lock. The answer's lines of one read
        become one transcript entry: the bytes as they were read, one record for them all."""
        route = self._router.route
        for token in tokens:
            decided = route(token)
            if decided is Route.ANSWER or decided is Route.DROPPED:
                self._rx_run.append(token.raw)
            elif decided is Route.FINAL:
                self._rx_run.append(token.raw)
                self._announce()
            elif decided is Route.URC:
                self._flush_rx()
                self.transcript.record(URC, token.raw)
                self.urcs.add(token.text)
            elif decided is Route.DATA:
                self._flush_rx()
                self.transcript.record(RX, token.raw, bulk=True)
                if self._session is not None:
                    self._session.deliver(token.data)
            else:
                self._apply_rare(token, decided)
        self._flush_rx()

    def _apply_rare(self, token: Token, decided: Route) -> None:
        if decided is Route.PAYLOAD or decided is Route.OVERFLOW:
            self._flush_rx()
            self.transcript.record(RX, token.raw, bulk=True)
        elif decided is Route.PROMPT:
            self._rx_run.append(token.raw)
            self._announce()
        elif decided is Route.CONNECT:
            self._rx_run.append(token.raw)
            self._session = OnlineSession(self._link)
            # DCD on with the connection: the port reports it, and the session follows it
            self._follow_dcd = self._io.carrier() is True
            self._announce()
        elif decided is Route.SESSION_END:
            self._rx_run.append(token.raw)
            self._flush_rx()
            if self._session is not None and self._session.active:
                self._session.end(SESSION_ENDS[token.text])
        else:  # LATE, LATE_FINAL
            self.late_lines += 1
            self._rx_run.append(token.raw)
            self._flush_rx()
            self.transcript.event("late answer of a timed-out command (discarded)")
            if decided is Route.LATE_FINAL:
                self._owed_cond.notify_all()

    def _flush_rx(self) -> None:
        """Record the lines gathered so far: before any other entry, to keep the order."""
        if self._rx_run:
            self.transcript.record(RX, b"".join(self._rx_run))
            self._rx_run.clear()

    def _port_lost(self, exc: BaseException) -> None:
        with self._state:
            if self._lost is not None:
                return
            self._lost = PortLost(f"port {self.url} lost: {exc}")
            self.transcript.event(f"port lost: {exc}")
            self._fail_pending(self._lost)
            self._router.online = False
            if self._session is not None:
                self._session.end("port lost")
        self.urcs.wake()

    def _announce(self) -> None:
        if self._answer_waiters:
            self._answered.notify_all()

    def _fail_pending(self, error: Exception) -> None:
        ex = self._router.pending
        if ex is not None and not ex.done:
            ex.error = error
            ex.done = True
            self._announce()

    def _wait(self, reached: Callable[[], bool], deadline: Deadline, local: bool) -> bool:
        """Wait until the pending exchange (or online session) has `reached` a state; on a
        local port (read lock held) read the port in this thread."""
        if not local:
            with self._state:
                self._answer_waiters += 1
                try:
                    return self._answered.wait_for(reached, deadline.remaining)
                finally:
                    self._answer_waiters -= 1
        self._io.read_until(reached, deadline)
        return reached()

    # ------------------------------------------------------------ bytes out
    def _write(self, data: bytes, bulk: bool = False, reading_here: bool = False) -> None:
        """reading_here: this thread reads the answer itself, so nothing can be recorded before
        the write is: record it after, in the time the module takes to answer, not before."""
        if not self._io.is_open:
            raise ChannelClosed(f"{self.url} is closed")
        if self._lost is not None:
            raise self._lost
        if not reading_here:
            self.transcript.record(TX, data, bulk=bulk)
        try:
            self._io.write(data)
        except Exception as exc:
            if reading_here:
                # what was tried, before what became of it
                self.transcript.record(TX, data, bulk=bulk)
            with self._state:
                if self._lost is None:
                    self._lost = PortLost(f"port {self.url} lost on write: {exc}")
                    self.transcript.event(f"port lost: {exc}")
                lost = self._lost
            raise lost from exc
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
            if self._router.owed:
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
        ex = Exchange(line, wants_prompt=payload is not None)
        with self._state:
            if self._lost is not None:
                raise self._lost
            self._framer.numeric = self._router.begin(ex)
            self._framer.prompt_armed = payload is not None
            self._framer.counted_rules = [counted] if counted else []
        sent_at = time.monotonic()
        local = self._io.local
        try:
            # On a local port this thread reads the answer itself: it holds the read lock
            # from before the write, so the background reader cannot take the answer first.
            if local:
                self._io.begin_reading()
            try:
                self._io.take_earlier_input()
                with self._state:
                    # Nothing can answer before the terminating \r reaches the module, so the
                    # exchange counts as written from here; earlier lines were URCs.
                    self._router.written(ex, self._framer.partial)
                self._write(line.encode("utf-8") + b"\r", reading_here=local)
                if payload is not None:
                    self._send_payload(ex, payload, payload_end, deadline, local)
                answered = self._wait(ex.is_done, deadline, local)
            finally:
                if local:
                    self._io.end_reading()
            if not answered:
                with self._state:
                    if not ex.done:  # decided under the lock: a final now would be late
                        self._router.end(ex, timed_out=True)
                        self.transcript.event(f"timeout after {seconds:.1f} s: {line}")
                        raise AtTimeout(line, seconds, list(ex.lines), self.transcript.tail())
        finally:
            with self._state:
                if self._router.pending is ex:
                    self._router.end(ex, timed_out=False)
                self._framer.numeric = self._router.numeric
                self._framer.prompt_armed = False
                self._framer.counted_rules = []
            self._notify(ex, sent_at, len(payload or b"") + len(payload_end or b""))
        if ex.error is not None:
            raise ex.error
        assert ex.final is not None
        response = Response(line, ex.lines, ex.final, ex.payload, sent_at, time.monotonic())
        if check and not ex.final.kind.success:
            raise error_for(line, ex.final, ex.lines)
        return response

    def _notify(self, ex: Exchange, sent_at: float, sent_bytes: int) -> None:
        if self.exchange_listeners:
            now = time.monotonic()
            record = ExchangeRecord.of(ex, sent_at, now, sent_bytes, self.secret_label)
            for listener in list(self.exchange_listeners):
                listener(record)

    def _send_payload(
        self, ex: Exchange, payload: bytes, end: bytes | None, deadline: Deadline, local: bool
    ) -> None:
        if not self._wait(ex.may_send, deadline, local) or ex.done:
            return  # no prompt: the module answered (an error) or the deadline decides
        self._write(payload + (end or b""), bulk=True)

    def _resync(self, deadline: Deadline) -> None:
        """Before a new command, let answers owed by timed-out commands arrive.

        First a short wait; then an `AT` probe, whose own OK is owed after them. If
        even that does not settle, the owed answers are taken as lost.
        """
        owed = self._router.owed
        with self._state:
            if not owed:
                return
            self._owed_cond.wait_for(lambda: not owed, timeout=min(0.5, deadline.remaining))
            if not owed:
                return
        self.transcript.event("resync: probing with AT")
        with contextlib.suppress(AtTimeout):
            self._run("AT", 1.0, None, None, None, False)
        with self._state:
            if owed:
                self.transcript.event(f"resync: {len(owed)} answer(s) taken as lost")
                owed.clear()

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
        return self.urcs.expect(pattern, timeout, after or 0, abort, self.transcript.tail)

    @property
    def online(self) -> OnlineSession:
        """The online data session entered by the last CONNECT."""
        if self._session is None:
            raise OnlineClosed("no online data session: no CONNECT was received")
        return self._session

    # what the session is given (SessionLink): it never reaches into the channel
    def _session_write(self, data: bytes) -> None:
        with self._command_lock:
            self._write(data, bulk=True)

    def _arm_escape(self) -> None:
        with self._state:
            self._framer.arm_escape()
