"""Unsolicited result codes: which lines are URCs, where they go, how tests wait on them.

The routing rule (applied by the channel to every line while a command is pending):

1. A final result line belongs to the command.
2. A line that starts with a registered URC prefix is a URC, unless it also starts
   with the pending command's expected prefix. In that conflict (`+CEREG: ...`
   while `AT+CEREG?` runs) the prefix's discriminator decides (for +CEREG: the
   field count, lib/cassiopeia/urcs.py); a prefix registered without one gives the
   line to the command (the response wins). A prefix registered `one_reply` is answered
   by one line: once the command has it, a later line of that prefix is a URC (the progress
   of `+SQNSUPGRADE` while `AT+SQNSUPGRADE?` runs).
3. Any other line is information text of the command.
With no command pending, or before the command is fully written, every line is a URC.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from re import Pattern

from .results import AtTimeout

__all__ = ["Urc", "UrcPattern", "UrcStore", "UrcTable", "matches"]

# Given the line and the pending command line, True if the line is the command's answer.
Discriminator = Callable[[str, str], bool]
# a literal prefix, a regex, or a predicate on the line
UrcPattern = str | Pattern[str] | Callable[[str], bool]


@dataclass(frozen=True)
class Urc:
    seq: int
    line: str
    monotonic: float
    payload: bytes = b""  # a second, prefix-less line some URCs carry


def matches(pattern: UrcPattern, line: str) -> bool:
    """A str pattern is a literal prefix (AT text is full of regex metacharacters)."""
    if isinstance(pattern, str):
        return line.startswith(pattern)
    if isinstance(pattern, Pattern):
        return pattern.search(line) is not None
    return pattern(line)


class UrcTable:
    def __init__(self) -> None:
        self._prefixes: dict[str, Discriminator | None] = {}
        self._one_reply: set[str] = set()
        self._first: set[str] = set()
        self._longest: Callable[[str], re.Match[str] | None] = lambda line: None

    def register(
        self, prefix: str, solicited: Discriminator | None = None, *, one_reply: bool = False
    ) -> None:
        """one_reply: the command sharing this prefix answers one line of it, no more."""
        if not prefix:
            raise ValueError("a URC prefix cannot be empty")
        self._prefixes[prefix] = solicited
        if one_reply:
            self._one_reply.add(prefix)
        else:
            self._one_reply.discard(prefix)
        self._first = {p[:1] for p in self._prefixes}
        # one anchored alternation, longest first: the longest registered prefix of a line in one
        # match (a loop over twenty prefixes cost every line of every answer 2 us)
        by_length = sorted(self._prefixes, key=len, reverse=True)
        self._longest = re.compile("|".join(map(re.escape, by_length))).match

    def prefixes(self) -> list[str]:
        return list(self._prefixes)

    def prefix_of(self, line: str) -> str | None:
        if line[:1] not in self._first:
            return None
        m = self._longest(line)
        return m.group() if m else None

    def is_urc(
        self,
        line: str,
        command: str | None,
        expected: str | tuple[str, ...] | None,
        answered: Sequence[str] = (),
    ) -> bool:
        """expected: the prefix (or prefixes) the pending command's own lines start with;
        answered: the lines it has already been given."""
        prefix = self.prefix_of(line)
        if prefix is None:
            return False
        if command is None or not expected or not line.startswith(expected):
            return True
        if prefix in self._one_reply and any(a.startswith(prefix) for a in answered):
            return True
        solicited = self._prefixes[prefix]
        return solicited is not None and not solicited(line, command)


class UrcStore:
    """Every URC received, with a sequence number; waiting never consumes."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._items: deque[Urc] = deque(maxlen=capacity)
        self._seq = 0
        self._cond = threading.Condition()
        self.total = 0

    def add(self, line: str, payload: bytes = b"") -> Urc:
        with self._cond:
            self._seq += 1
            self.total += 1
            urc = Urc(self._seq, line, time.monotonic(), payload)
            self._items.append(urc)
            self._cond.notify_all()
            return urc

    def mark(self) -> int:
        with self._cond:
            return self._seq

    def since(self, mark: int = 0, pattern: UrcPattern | None = None) -> list[Urc]:
        with self._cond:
            return [
                u
                for u in self._items
                if u.seq > mark and (pattern is None or matches(pattern, u.line))
            ]

    def wait(
        self,
        pattern: UrcPattern,
        timeout: float,
        after: int = 0,
        abort: Callable[[], bool] | None = None,
    ) -> Urc | None:
        """First URC after sequence `after` matching `pattern`; None on timeout or abort()."""
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                for urc in self._items:
                    if urc.seq > after and matches(pattern, urc.line):
                        return urc
                left = end - time.monotonic()
                if left <= 0 or (abort is not None and abort()):
                    return None
                self._cond.wait(left)

    def expect(
        self,
        pattern: UrcPattern,
        timeout: float,
        after: int = 0,
        abort: Callable[[], bool] | None = None,
        tail: Callable[[], str] = str,
    ) -> Urc | None:
        """wait(), but a timeout raises AtTimeout with the URCs seen since `after` and `tail()`
        (a transcript's); None only when abort() ended the wait."""
        urc = self.wait(pattern, timeout, after, abort)
        if urc is not None or (abort is not None and abort()):
            return urc
        shown = pattern if isinstance(pattern, str) else getattr(pattern, "pattern", "a URC")
        seen = [u.line for u in self.since(after)]
        raise AtTimeout(f"URC {shown}", timeout, seen, tail())

    def wake(self) -> None:
        """Make waiters re-check their abort condition (the port was lost)."""
        with self._cond:
            self._cond.notify_all()


def literal(text: str) -> Pattern[str]:
    """A regex that matches `text` literally anywhere in the line."""
    return re.compile(re.escape(text))
