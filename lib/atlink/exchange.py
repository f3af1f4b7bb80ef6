"""Tokens -> routing decisions. Pure code: no I/O, no threads, no clock.

The router decides what each token of the framer is: a line of the pending command's answer,
its final result, an echo or noise to drop, a URC, a late line of a command that timed out, or
the end of an online session. The channel applies the decisions (transcript, URC store, waking
the caller); tests drive the router byte by byte through a Framer, as framing.py is tested.

The rules, in the order they apply to a line:
1. While an online session is active, NO CARRIER / OK (3 / 0 under ATV0) end it; after DCD
   ended it, the NO CARRIER that may follow is its end too.
2. After the pending command's final, or ending a line that began before the command was
   written, a line is not its answer: it is a URC or a late line.
3. With no command written, a line is a URC, unless commands that timed out still owe a final
   and the line is one (or cannot be a URC, or is the read reply of the oldest of them): late.
4. A final answers the oldest command waiting for one: a timed-out command's first (late), then
   the pending command's.
5. A line the URC table calls unsolicited during this command is a URC (urc.py has the rules,
   such as +CEREG told read reply or URC by its field count).
6. The first line that repeats the command is its echo; a line of control bytes is noise.
   Everything else is an information line of the answer.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from enum import Enum

from .framing import Kind, Token
from .results import Final, FinalKind, classify_final
from .urc import UrcTable

__all__ = ["Exchange", "Route", "Router", "expected_prefixes", "plan"]

_PREFIX = re.compile(r"([+^$%#][A-Z0-9]+)", re.IGNORECASE)
_V_SETTING = re.compile(r"^AT[A-Z0-9&]*?V([01]?)(?![0-9])", re.IGNORECASE)  # a bare V is V0
_NOISE = re.compile(r"^[\x00-\x1f\x7f-\xff ]*$")
# what ends an online session, verbose or numeric (V.250 6.2.6), as the session reports it
SESSION_ENDS = {"NO CARRIER": "NO CARRIER", "OK": "OK", "3": "NO CARRIER", "0": "OK"}


class Route(Enum):
    DATA = "online data, for the session"
    PAYLOAD = "counted bytes of the pending command's answer"
    PROMPT = "the module's prompt for the payload"
    OVERFLOW = "bytes of a line past MAX_LINE: recorded, never routed"
    ANSWER = "an information line of the pending command"
    DROPPED = "the command's echo, or a line of noise"
    FINAL = "the pending command's final result"
    CONNECT = "the pending command's final, CONNECT: an online session begins"
    SESSION_END = "the online session ends (NO CARRIER, or OK after an escape)"
    URC = "an unsolicited result code"
    LATE = "a line owed to a command that timed out"
    LATE_FINAL = "the final owed to the oldest command that timed out"


def _normalise(text: str) -> str:
    return "".join(text.split()).upper()


def expected_prefixes(command: str) -> tuple[str, ...]:
    """`AT+CMEE=2;+CEREG?` -> ("+CMEE:", "+CEREG:"): what solicited lines start with."""
    body = command[2:] if command[:2].upper() == "AT" else command
    out = []
    for part in body.split(";"):
        m = _PREFIX.match(part.strip())
        if m:
            out.append(m.group(1).upper() + ":")
    return tuple(out)


@functools.lru_cache(maxsize=512)
def plan(command: str) -> tuple[tuple[str, ...], bool, bool, str]:
    """(expected prefixes, sets V, numeric from here, as its echo looks normalised): suites send
    the same lines again and again."""
    v = _V_SETTING.match(command)
    return (
        expected_prefixes(command),
        v is not None,
        bool(v and v.group(1) != "1"),
        _normalise(command),
    )


class Exchange:
    """One command in flight: what the router has given it so far."""

    __slots__ = (
        "after_partial",
        "command",
        "done",
        "echo",
        "error",
        "expected",
        "final",
        "lines",
        "numeric",
        "payload",
        "prompted",
        "sets_v",
        "wants_prompt",
        "written",
    )

    def __init__(self, command: str, wants_prompt: bool = False) -> None:
        self.command = command
        self.expected, self.sets_v, self.numeric, self.echo = plan(command)
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


class Router:
    """The routing state of one channel: the pending command, the commands that owe a final,
    the module's result form (V0/V1) and whether an online session is active."""

    def __init__(self, urc_table: UrcTable) -> None:
        self.urc_table = urc_table
        self.pending: Exchange | None = None
        # (command, expected prefixes) of the commands that timed out and still owe a final,
        # oldest first: their late answers are told from URCs by a pending command's rule
        self.owed: deque[tuple[str, tuple[str, ...]]] = deque()
        self.numeric = False  # ATV0 in effect
        self.online = False
        # the session ended on DCD: the module's NO CARRIER may still follow, and is not a URC
        self.trailing_end = False

    # -- the channel tells the router what it did
    def begin(self, ex: Exchange) -> bool:
        """ex is pending now; returns whether its result codes are numeric (for the framer)."""
        self.pending = ex
        return self.numeric or ex.numeric

    def written(self, ex: Exchange, line_begun: bool) -> None:
        """ex's line went out; `line_begun`: a line had begun arriving before it did."""
        ex.written = True
        ex.after_partial = line_begun
        self.trailing_end = False  # from here a NO CARRIER is this command's

    def end(self, ex: Exchange, timed_out: bool) -> None:
        """ex is no longer pending; a timed-out one owes its final to whatever comes next."""
        if self.pending is ex:
            self.pending = None
        if timed_out:
            self.owed.append((ex.command, ex.expected))
        elif ex.sets_v and ex.final is not None:
            # the setting holds even if a later command of the line failed: trust the final's form
            self.numeric = ex.final.line.isdigit()

    def carrier_lost(self) -> None:
        """DCD dropped: the session is over, whether or not its NO CARRIER comes."""
        self.online = False
        self.trailing_end = True

    def reset(self) -> None:
        """The port was reopened: a new boot owes nothing and speaks V1."""
        self.pending = None
        self.owed.clear()
        self.numeric = False
        self.online = False
        self.trailing_end = False

    # -- tokens in, decisions out
    def route(self, token: Token) -> Route:
        kind = token.kind
        if kind is Kind.LINE:
            return self._line(token.text)
        if kind is Kind.DATA:
            return Route.DATA
        if kind is Kind.OVERFLOW:
            return Route.OVERFLOW
        ex = self.pending
        if kind is Kind.PROMPT:
            if ex is not None and ex.wants_prompt:
                ex.prompted = True
            return Route.PROMPT
        if ex is not None:
            ex.payload = token.data
        return Route.PAYLOAD

    def _line(self, line: str) -> Route:
        if (self.online or self.trailing_end) and line in SESSION_ENDS:
            self.online = self.trailing_end = False
            return Route.SESSION_END
        ex = self.pending
        final = classify_final(line, self.numeric or (ex is not None and ex.numeric))
        if ex is not None and (ex.done or ex.after_partial):
            ex.after_partial = False
            ex = None
        if ex is None or not ex.written:
            if self.owed and (final is not None or self._owed_answer(line)):
                return self._late(final)
            return Route.URC
        if final is not None:
            if self.owed:
                return self._late(final)
            ex.final = final
            ex.done = True  # also ends a wait for the prompt: a final instead of it
            if final.kind is FinalKind.CONNECT:
                self.online = True
                return Route.CONNECT
            return Route.FINAL
        if self.urc_table.is_urc(line, ex.command, ex.expected, ex.lines):
            return Route.URC
        if not ex.lines and _is_echo(line, ex.echo):
            return Route.DROPPED
        if _NOISE.match(line):
            return Route.DROPPED
        ex.lines.append(line)
        return Route.ANSWER

    def _owed_answer(self, line: str) -> bool:
        """A line with no command pending that answers the oldest timed-out one."""
        if self.urc_table.prefix_of(line) is None:
            return True
        command, expected = self.owed[0]
        return bool(command) and not self.urc_table.is_urc(line, command, expected)

    def _late(self, final: Final | None) -> Route:
        if final is None:
            return Route.LATE
        self.owed.popleft()
        return Route.LATE_FINAL


def _is_echo(line: str, sent: str) -> bool:
    """sent: the command line normalised. An echo ends as the command does (cheap test first)."""
    if not sent or line.rstrip()[-1:].upper() != sent[-1]:
        return False
    got = _normalise(line)
    return got == sent or (got.endswith(sent) and len(sent) >= 2)
