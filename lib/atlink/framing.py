"""Byte stream -> AT tokens. Pure code: no I/O, no threads, no clock.

The framer is fed whatever chunks the port returns (1 byte, 7 bytes, 4 KiB) and
emits the same tokens for any chunking. Every byte fed ends up in exactly one
token's `raw`, so a transcript built from tokens loses nothing.

Modes:
- lines: `\\r\\n`, bare `\\r` or bare `\\n` end a line; empty lines are dropped
  (their bytes go to the next token's `raw`).
- prompt: while armed, a line buffer holding `>` (optionally `> `, or the
  `>>>` of HTTP sends) is a PROMPT even though no line end follows.
- counted payload: while a rule is armed, a line it recognises (e.g.
  `+SQNSRECV: 1,24`) is followed by exactly N raw bytes, whatever they contain.
- raw (online data mode): entered on a CONNECT line; bytes are DATA until one of
  the terminators (`\\r\\nNO CARRIER\\r\\n`, and `\\r\\nOK\\r\\n` once an escape was
  sent) ends the mode.
- numeric (ATV0, V.250 6.2.6: a result code is its number and S3): `1` is CONNECT, and online
  mode ends on `3\\r` (NO CARRIER), or `0\\r` (OK) after an escape. Two bytes that binary data
  carries all the time, so they end the mode only as the last bytes before the line goes quiet
  (`flush_idle`): data that itself ends in `3\\r` before a pause is taken for NO CARRIER. That is
  the limit of numeric mode on a port without DCD; where the port reports DCD, the channel
  passes it to `flush_idle` and a carrier still present makes them data.

A line is at most MAX_LINE bytes: a module's longest is a few KiB (counted binary is
read by count, not by line). Beyond it, the line's bytes come out as OVERFLOW tokens,
to be recorded and never taken as a line, until its line end; framing resumes there.
How an overlong line is cut into OVERFLOW tokens depends on the chunking; their bytes,
joined, do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import NamedTuple

__all__ = ["MAX_LINE", "NO_CARRIER_TERMINATOR", "OK_TERMINATOR", "Framer", "Kind", "Token"]

MAX_LINE = 16 * 1024

NO_CARRIER_TERMINATOR = b"\r\nNO CARRIER\r\n"
OK_TERMINATOR = b"\r\nOK\r\n"
NUMERIC_NO_CARRIER = b"3\r"  # V.250 6.2.6, under ATV0
NUMERIC_OK = b"0\r"
_CONNECT = re.compile(rb"^CONNECT( .*)?$")
_PROMPT = re.compile(rb"^>+ ?")
_EOL = re.compile(rb"\r\n?|\n")  # \r\n in one match: half the iterations of one byte at a time
# A whole line with the empty lines before it. A \r that ends the chunk is left to the byte-wise
# path: its \n may come in the next chunk.
_WHOLE_LINE = re.compile(rb"(?:\r\n|\n|\r(?=[^\n]))*([^\r\n]+)(?:\r\n|\n|\r(?=[^\n]))")

# A rule looks at a completed line and returns how many raw bytes follow it, or None.
CountedRule = Callable[[bytes], int | None]


class Kind(Enum):
    LINE = "line"
    PROMPT = "prompt"
    PAYLOAD = "payload"
    DATA = "data"
    OVERFLOW = "overflow"  # bytes of a line longer than MAX_LINE


class Token(NamedTuple):
    kind: Kind
    data: bytes  # line text without line end / prompt / payload / online data
    raw: bytes  # every byte this token consumed, line ends included

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "backslashreplace")


class Framer:
    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        numeric = getattr(self, "numeric", False)  # a setting of the module, not partial input
        self._line = bytearray()
        self._lead = bytearray()  # consumed bytes not yet attributed to a token
        self._skip_lf = False  # a line ended on \r: one following \n belongs to it
        # after a prompt without its space: more ">" and one space are its own
        self._prompt_tail = False
        self._payload_left = 0
        self._payload = bytearray()
        self._raw = False
        self._raw_buf = bytearray()
        self._overflowing = False  # inside a line that went past MAX_LINE
        self.prompt_armed = False
        self.counted_rules: list[CountedRule] = []
        self.raw_terminators: list[bytes] = [NO_CARRIER_TERMINATOR]
        # online after a numeric CONNECT: these end it only when the line goes quiet after them
        self.quiet_terminators: list[bytes] = []
        self.numeric = numeric  # ATV0 in effect: result codes are numbers (set by the channel)

    # -- mode control (called by the channel, from the reader thread or under its lock)
    @property
    def online(self) -> bool:
        return self._raw

    @property
    def partial(self) -> bool:
        """Bytes of a line have arrived, and its line end has not."""
        return bool(self._line) or self._overflowing

    def arm_escape(self) -> None:
        """An escape (`+++`) was sent: `\\r\\nOK\\r\\n` (`0\\r` numeric) now ends online mode."""
        if self.quiet_terminators:
            if NUMERIC_OK not in self.quiet_terminators:
                self.quiet_terminators.append(NUMERIC_OK)
        elif OK_TERMINATOR not in self.raw_terminators:
            self.raw_terminators.append(OK_TERMINATOR)

    def flush_idle(self, carrier: bool | None = None) -> list[Token]:
        """The line went quiet while online: a held-back partial terminator is data after all,
        and a whole numeric one ends the mode, unless `carrier` (DCD, where the port reports
        it) says the connection is still there: then it was data too."""
        if not self._raw or not self._raw_buf:
            return []
        data = bytes(self._raw_buf)
        self._raw_buf.clear()
        if data in self.quiet_terminators and carrier is not True:
            self._leave_raw()
            return [self._token(Kind.LINE, data[:-1], data)]
        return [self._token(Kind.DATA, data, data)]

    def leave_online(self) -> list[Token]:
        """The connection is gone without a terminator (DCD dropped): what was held is data."""
        held = bytes(self._raw_buf)
        self._raw_buf.clear()
        self._leave_raw()
        return [self._token(Kind.DATA, held, held)] if held else []

    def _leave_raw(self) -> None:
        self._raw = False
        self.raw_terminators = [NO_CARRIER_TERMINATOR]
        self.quiet_terminators = []

    def reset(self) -> list[Token]:
        """Forget partial input (port reopened); returns what was pending as tokens."""
        leftover = bytes(self._lead + self._line + self._payload + self._raw_buf)
        self._start()
        return [Token(Kind.DATA, leftover, leftover)] if leftover else []

    # -- feeding
    def feed(self, chunk: bytes) -> list[Token]:
        out: list[Token] = []
        i = 0
        n = len(chunk)
        while i < n:
            if self._raw:
                self._raw_buf += chunk[i:]
                i = n
                out.extend(self._drain_raw())
                continue
            if self._skip_lf:
                self._skip_lf = False
                if chunk[i] == 0x0A:
                    self._lead.append(0x0A)
                    i += 1
                    continue
            if self._payload_left:
                take = chunk[i : i + self._payload_left]
                self._payload += take
                self._payload_left -= len(take)
                i += len(take)
                if not self._payload_left:
                    out.append(
                        self._token(Kind.PAYLOAD, bytes(self._payload), bytes(self._payload))
                    )
                    self._payload.clear()
                continue
            if self._prompt_tail:
                # ">>> " may arrive a byte at a time: the prompt was taken at its first ">".
                self._prompt_tail = chunk[i] == 0x3E
                if chunk[i] in b"> ":
                    self._lead.append(chunk[i])
                    i += 1
                    continue
            if not self._line and not self.prompt_armed and not self._overflowing:
                j = self._whole_lines(chunk, i, out)
                if j > i:
                    i = j
                    continue
            m = _EOL.search(chunk, i)
            end = m.start() if m else n
            if end > i:
                self._line += chunk[i:end]
                i = end
                if len(self._line) > MAX_LINE:
                    self._overflow(b"", out)
                elif self.prompt_armed and self._line[:1] == b">" and self._maybe_prompt(out):
                    continue  # a bare ">" prompt may own the space that follows it
            if m is None:
                break
            i = m.end()
            terminator = m.group()
            # A \r that ends the chunk may be followed by the \n of its line end in the next one.
            self._skip_lf = terminator == b"\r" and i == n
            self._end_line(terminator, out)
        return out

    def _whole_lines(self, chunk: bytes, i: int, out: list[Token]) -> int:
        """The fast path for what most chunks are: complete lines. Returns where it stopped:
        at a partial line, or after a line that changes the mode (CONNECT, a counted header)."""
        # Anchored at i, never finditer: a search would retry at every byte of a chunk with no
        # line end, quadratic in its length (a 4 KiB read of garbage took half a second).
        match = _WHOLE_LINE.match
        while (m := match(chunk, i)) is not None:
            i = m.end()
            data = m.group(1)
            if len(data) > MAX_LINE:
                out.append(self._token(Kind.OVERFLOW, data, m.group()))
                continue
            out.append(self._token(Kind.LINE, data, m.group()))
            if self._after_line(data):
                break
        return i

    def _maybe_prompt(self, out: list[Token]) -> bool:
        pm = _PROMPT.match(self._line)
        if not pm:
            return False
        self.prompt_armed = False
        raw = bytes(self._line[: pm.end()])
        self._prompt_tail = not raw.endswith(b" ")
        del self._line[: pm.end()]
        # ">" or ">>>": the same prompt, however it was split
        out.append(self._token(Kind.PROMPT, b">", raw))
        return True

    def _overflow(self, terminator: bytes, out: list[Token]) -> None:
        """Out with the line so far as OVERFLOW; the rest of it follows as OVERFLOW too."""
        data = bytes(self._line)
        self._line.clear()
        self._overflowing = not terminator
        if data or terminator:
            out.append(self._token(Kind.OVERFLOW, data, data + terminator))

    def _end_line(self, terminator: bytes, out: list[Token]) -> None:
        if self._overflowing:
            self._overflow(terminator, out)
            return
        if not self._line:
            self._lead += terminator
            return
        data = bytes(self._line)
        self._line.clear()
        out.append(self._token(Kind.LINE, data, data + terminator))
        self._after_line(data)

    def _after_line(self, data: bytes) -> bool:
        """Enter online or counted-payload mode if this line says so; True if it did."""
        if data[:7] == b"CONNECT" and _CONNECT.match(data):
            self._raw = True
            return True
        if data == b"1" and self.numeric:
            self._raw = True
            self.raw_terminators, self.quiet_terminators = [], [NUMERIC_NO_CARRIER]
            return True
        for rule in self.counted_rules:
            count = rule(data)
            if count:
                self._payload_left = count
                return True
        return False

    def _drain_raw(self) -> list[Token]:
        out: list[Token] = []
        buf = self._raw_buf
        if self._skip_lf and buf[:1] == b"\n":
            # The \n of "CONNECT\r\n" belongs to the CONNECT line, not to the data.
            self._lead += buf[:1]
            del buf[:1]
        self._skip_lf = False
        hits = [(buf.find(t), t) for t in self.raw_terminators]
        hits = [(pos, t) for pos, t in hits if pos >= 0]
        if hits:
            pos, term = min(hits)
            if pos:
                out.append(self._token(Kind.DATA, bytes(buf[:pos]), bytes(buf[:pos])))
            rest = bytes(buf[pos + len(term) :])
            buf.clear()
            self._leave_raw()
            out.append(self._token(Kind.LINE, term.strip(), term))
            if rest:
                out.extend(self.feed(rest))
            return out
        keep = self._partial_terminator_len(buf)
        if len(buf) > keep:
            data = bytes(buf[: len(buf) - keep])
            del buf[: len(buf) - keep]
            out.append(self._token(Kind.DATA, data, data))
        return out

    def _partial_terminator_len(self, buf: bytearray) -> int:
        """Length of the longest tail of buf that could start a terminator."""
        best = 0
        for term in self.quiet_terminators:  # held whole: only the quiet after them decides
            for k in range(min(len(term), len(buf)), 0, -1):
                if buf.endswith(term[:k]):
                    best = max(best, k)
                    break
        for term in self.raw_terminators:
            for k in range(min(len(term) - 1, len(buf)), 0, -1):
                if buf.endswith(term[:k]):
                    best = max(best, k)
                    break
        return best

    def _token(self, kind: Kind, data: bytes, raw: bytes) -> Token:
        if self._lead:
            raw = bytes(self._lead) + raw
            self._lead.clear()
        return Token(kind, data, raw)
