"""The command-line engine: bytes from the host in, V.250-formatted bytes out.

It owns what V.250 defines for every command line (echo, S3/S4/S5, V0/V1, Q0/Q1,
`A/`, `;` chains, +CMEE formatting) and dispatches each command to the handler a
service registered. All of it runs on the module's loop thread.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import CME_TEXT, CmeFail, SyntaxFail
from .lexer import MAX_LINE, Cmd, lex

log = logging.getLogger("cassiopeia_sim")

__all__ = ["Engine", "Pending", "Prompt", "Reply", "Spec"]

_NUMERIC = {"OK": "0", "CONNECT": "1", "NO CARRIER": "3", "ERROR": "4"}


class Pending:
    """A command whose final result comes later (a delay, a download, a scan).

    The handler returns it and later calls `resolve(lines)` or `reject(error)`.
    Information lines may be sent meanwhile with `info(line)`.
    """

    def __init__(self) -> None:
        self._done: Callable[[list[str], BaseException | None, str], None] | None = None
        self._outcome: tuple[list[str], BaseException | None, str] | None = None
        self.settled = False
        self.info: Callable[[str], None] = lambda line: None

    def attach(
        self,
        info: Callable[[str], None],
        done: Callable[[list[str], BaseException | None, str], None],
    ) -> None:
        """The engine takes the command's outcome: at once if the handler already settled it
        (a connection accepted in the handler itself)."""
        self.info, self._done = info, done
        if self._outcome is not None:
            done(*self._outcome)

    def resolve(self, lines: list[str] | None = None, final: str = "OK") -> None:
        self._settle((lines or [], None, final))

    def reject(self, error: BaseException) -> None:
        self._settle(([], error, ""))

    def _settle(self, outcome: tuple[list[str], BaseException | None, str]) -> None:
        if not self.settled:
            self.settled = True
            if self._done:
                self._done(*outcome)
            else:
                self._outcome = outcome


@dataclass
class Prompt:
    """Show `> ` and hand the following bytes to `consume` until it returns a Reply."""

    consume: Callable[[bytes], Reply | None]


@dataclass
class Reply:
    lines: list[str] = field(default_factory=list)
    final: str = "OK"
    error: BaseException | None = None


Result = None | list[str] | Pending | Prompt | Reply
Handler = Callable[..., Result]


@dataclass
class Spec:
    """How one command answers each of its forms; None = that form is an error."""

    exec: Handler | None = None
    read: Handler | None = None
    test: Handler | None = None
    set: Handler | None = None
    gate: Callable[[Cmd], None] | None = None  # raises CmeFail when not allowed now


class Engine:
    # Input that arrives while a command runs waits, as in the module's UART buffer; beyond
    # this many bytes the module's CTS goes off until half has run (GUESSES.md).
    QUEUE_LIMIT = 4096

    def __init__(
        self,
        write: Callable[[bytes], None],
        cmee: Callable[[], int],
        hold_input: Callable[[bool], None] | None = None,
    ) -> None:
        self._write = write
        self._cmee = cmee
        self._hold_input = hold_input or (lambda hold: None)
        self._held = False
        self._draining = False
        self.queued_bytes = 0
        self.specs: dict[str, Spec] = {}
        self.basic: dict[str, Callable[[Cmd], Result]] = {}
        self.online_sink: Callable[[bytes], None] | None = None  # bytes go here in data mode
        self._line = bytearray()
        self._last_line = ""
        self._queue: deque[str] = deque()
        self._busy = False
        self._prompt: Prompt | None = None
        self._chain: list[Cmd] = []
        self._text_open = False  # an information line of this answer has been sent
        self.reset_settings()

    # ------------------------------------------------------------ settings
    def reset_settings(self) -> None:
        """ATZ / AT&F / power-up: V.250 defaults."""
        self.echo = True
        self.verbose = True
        self.quiet = False
        self.s3, self.s4, self.s5 = 13, 10, 8
        self.s12 = 50  # escape guard time, in 20 ms units (1 s)

    def register(self, name: str, spec: Spec) -> None:
        self.specs[name.upper()] = spec

    # ------------------------------------------------------------ output
    def _frame(self, text: str) -> bytes:
        cr, lf = chr(self.s3), chr(self.s4)
        body = text.encode("latin-1", "replace")
        if self.verbose:
            return (cr + lf).encode() + body + (cr + lf).encode()
        return body + (cr + lf).encode()

    def info(self, line: str) -> None:
        """Information text: its first line after <CR><LF>, the next ones only ending with one,
        as a real module's multi-line answer reads (`\\r\\nSEQUANS Communications\\r\\nVZM20Q
        \\r\\nUE6.0.0.0\\r\\n\\r\\nOK\\r\\n`, an ATI capture; V.250 5.7.1)."""
        if self._text_open and self.verbose:
            self._write(line.encode("latin-1", "replace") + bytes((self.s3, self.s4)))
        else:
            self._write(self._frame(line))
        self._text_open = True

    def urc(self, line: str) -> None:
        if self._prompt is None and self.online_sink is None:
            self._write(self._frame(line))

    def raw(self, data: bytes) -> None:
        self._write(data)
        self._text_open = False  # counted bytes end anywhere: the next line is framed anew

    def final(self, code: str) -> None:
        self._text_open = False
        if self.quiet:
            return
        if self.verbose:
            self._write(self._frame(code))
        else:
            numeric = _NUMERIC.get(code)
            self._write((numeric + chr(self.s3)).encode() if numeric else self._frame(code))

    def error(self, exc: BaseException) -> None:
        if isinstance(exc, CmeFail) and self._cmee():
            text = str(exc.code) if self._cmee() == 1 else CME_TEXT.get(exc.code, "unknown")
            self.final(f"+CME ERROR: {text}")
        else:
            self.final("ERROR")

    # ------------------------------------------------------------ input
    def receive(self, data: bytes) -> None:
        for i, b in enumerate(data):
            if self.online_sink is not None:
                self.online_sink(data[i:])
                return
            if self._prompt is not None:
                self._feed_prompt(data[i:])
                return
            self._feed_byte(b)

    def _feed_byte(self, b: int) -> None:
        if self.echo:
            self._write(bytes([b]))
        if b == self.s3:
            line = self._line.decode("latin-1")
            self._line.clear()
            self._line_done(line)
        elif b == self.s5:
            if self._line:
                self._line.pop()
        elif b == 0x0A and not self._line:
            pass  # the LF of a CR LF terminator
        elif len(self._line) <= MAX_LINE * 2:  # an overlong line is refused, not stored
            self._line.append(b)

    def _feed_prompt(self, data: bytes) -> None:
        prompt = self._prompt
        assert prompt is not None
        reply = prompt.consume(data)
        if reply is not None:
            self._prompt = None
            self._finish(reply.lines, reply.error, reply.final)

    def _line_done(self, line: str) -> None:
        if self._busy or self._prompt is not None:
            self._queue.append(line)
            self.queued_bytes += len(line) + 1
            if not self._held and self.queued_bytes >= self.QUEUE_LIMIT:
                self._held = True
                self._hold_input(True)
            return
        stripped = line.strip()
        if stripped.upper() == "A/":
            stripped = self._last_line
        idx = stripped.upper().find("AT")
        if idx < 0:
            return  # V.250: a line without the AT prefix is ignored
        self._last_line = stripped[idx:]
        try:
            self._chain = lex(stripped[idx + 2 :])
        except SyntaxFail as exc:
            self.error(exc)
            return
        self._busy = True
        self._next()

    def _next(self) -> None:
        while self._chain:
            cmd = self._chain.pop(0)
            try:
                result = self._dispatch(cmd)
            except (CmeFail, SyntaxFail) as exc:
                self._finish([], exc)
                return
            except (
                Exception
            ) as exc:  # a simulator bug: say so loudly, answer like a module, stay usable
                log.exception("simulator bug while running %s", cmd.name)
                self._finish([], exc)
                return
            if isinstance(result, Pending):
                result.attach(self.info, self._settled)
                return
            if isinstance(result, Prompt):
                self._prompt = result
                self._text_open = False
                self._write(b"\r\n> ")
                return
            if isinstance(result, Reply):
                for line in result.lines:
                    self.info(line)
                if result.error or result.final != "OK":
                    self._finish([], result.error, result.final)
                    return
                continue
            self._emit(result or [])
        self._finish([])

    def _emit(self, items: list) -> None:
        """Information lines, and raw bytes (a counted payload) where a handler gives bytes."""
        for item in items:
            if isinstance(item, bytes):
                self.raw(item)
            else:
                self.info(item)

    def resume(self) -> None:
        """Back in command mode after online data: run what was queued meanwhile."""
        self._run_queued()

    def _run_queued(self) -> None:
        """Run queued lines one after the other: iteratively, never by recursion (a line that
        finishes at once would otherwise start the next from inside its own _finish)."""
        if self._draining:
            return  # the loop below, further up the stack, takes the next line
        self._draining = True
        try:
            while (
                self._queue and not self._busy and self._prompt is None and self.online_sink is None
            ):
                line = self._queue.popleft()
                self.queued_bytes -= len(line) + 1
                if self._held and self.queued_bytes <= self.QUEUE_LIMIT // 2:
                    self._held = False
                    self._hold_input(False)
                self._line_done(line)
        finally:
            self._draining = False

    def _settled(self, lines: list[str], error: BaseException | None, final: str) -> None:
        self._emit(lines)
        if error is None and final == "OK":
            self._next()
        else:
            self._finish([], error, final)

    def _finish(
        self, lines: list[str], error: BaseException | None = None, final: str = "OK"
    ) -> None:
        for line in lines:
            self.info(line)
        self._chain = []
        if error is not None:
            self.error(error)
        else:
            self.final(final)
        self._busy = False
        self._run_queued()

    def abort(self) -> None:
        """Forget everything in flight (the module resets)."""
        self._line.clear()
        self._queue.clear()
        self.queued_bytes = 0
        if self._held:
            self._held = False
            self._hold_input(False)
        self._chain = []
        self._busy = False
        self._prompt = None
        self.online_sink = None

    def _dispatch(self, cmd: Cmd) -> Result:
        if cmd.name in self.basic or cmd.name[0] not in "+^":
            handler = self.basic.get(cmd.name)
            if handler is None and cmd.name[0] == "S" and cmd.name[1:].isdigit():
                handler = self.basic.get("S")
            if handler is None:
                raise SyntaxFail(f"unknown basic command {cmd.name}")
            return handler(cmd)
        spec = self.specs.get(cmd.name)
        if spec is None:
            raise SyntaxFail(f"unknown command {cmd.name}")
        handler = getattr(spec, cmd.form)
        if handler is None:
            raise SyntaxFail(f"{cmd.name} has no {cmd.form} form")
        if spec.gate is not None and cmd.form != "test":
            spec.gate(cmd)
        return handler(cmd.args) if cmd.form == "set" else handler()
