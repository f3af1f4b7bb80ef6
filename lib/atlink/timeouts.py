"""Deadlines and per-command default timeouts.

One deadline per operation, checked by every wait inside it, instead of
timeouts stacked on timeouts (labgrid's util/timeout.py).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

__all__ = ["DEFAULT_TIMEOUTS", "Deadline", "TimeoutTable"]


class Deadline:
    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a deadline cannot be in the past")
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    @property
    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._end


@dataclass
class TimeoutTable:
    """Default timeout of a command line, by the first command in it.

    Patterns are matched against the upper-cased command line without the `AT`
    prefix (`+COPS=?`, `+CGATT=1`). The first match wins; `default` otherwise.
    `multiplier` scales everything (a slow bench, a UART paced at 9600 baud).
    """

    default: float = 15.0
    rules: list[tuple[re.Pattern[str], float]] = field(default_factory=list)
    multiplier: float = 1.0
    # command line -> the rule that matched it (None: the default). Rules change only through add().
    _found: dict[str, tuple[re.Pattern[str], float] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def add(self, pattern: str, seconds: float) -> None:
        """Rules added later take precedence over earlier ones."""
        self.rules.insert(0, (re.compile(pattern), seconds))
        self._found.clear()

    def extend(self, rules: list[tuple[str, float]]) -> None:
        for pattern, seconds in rules:
            self.add(pattern, seconds)

    def for_command(self, command: str) -> float:
        try:
            rule = self._found[command]
        except KeyError:
            if len(self._found) > 1024:  # commands with ever-new arguments: keep the memo small
                self._found.clear()
            rule = self._found[command] = self._rule_for(command)
        return (self.default if rule is None else rule[1]) * self.multiplier

    def _rule_for(self, command: str) -> tuple[re.Pattern[str], float] | None:
        body = command.strip().upper()
        if body.startswith("AT"):
            body = body[2:]
        return next((rule for rule in self.rules if rule[0].match(body)), None)

    def copy(self) -> TimeoutTable:
        return TimeoutTable(self.default, list(self.rules), self.multiplier)


def _defaults() -> TimeoutTable:
    # Generic 27.007 families; figures from a vendor-grade driver (ST X-CUBE-CELLULAR)
    # and the 3GPP worst cases: scans and attach take minutes on a real network.
    table = TimeoutTable(default=15.0)
    table.extend(
        [
            (r"\+CFUN", 40.0),
            (r"\+CGATT", 110.0),
            (r"\+CGACT", 150.0),
            (r"\+COPS", 180.0),
            (r"\+CPIN|\+CLCK|\+CPWD", 20.0),
        ]
    )
    return table


DEFAULT_TIMEOUTS = _defaults()
