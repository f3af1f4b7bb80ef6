"""A recording made into what a replay does: in time order, test by test, with the simulated
SIM's codes where the bench's stood, and the tests a replay cannot redo set apart.

A replay talks to a fresh simulated module, so what a test did from the first command that
needed a peer beyond it (a TCP server it dialled, a firmware server it downloaded from) cannot
be compared: it is still sent, so that the module's state follows the recording (a reboot, a
setting; an upgrade downloads from the replay's own server what the recording says it got:
peers.py), but what comes back is only noted, and its URCs are not waited for. The bench's
actions (SIM out, coverage off, power cycle...) are acted out by the control plane.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SIM_PIN",
    "SIM_PUK",
    "Block",
    "Setup",
    "blocks_of",
    "codes_for",
    "setup_of",
    "upgrade_outcomes",
]

# the simulated SIM's codes: never a bench's, which recordings never hold
SIM_PIN, SIM_PUK = "2468", "13572468"
# commands whose answer depends on a peer beyond the module
_NEEDS_A_PEER = re.compile(
    r"^AT\+(SQNSD|SQNSL|SQNSLUDP|SQNSNTP|SQNSMTP)\s*=(?!\s*\?)|://", re.IGNORECASE
)
_INSTALLED = '+SQNSUPGRADE:"installed"'
_UPGRADE = re.compile(r'^AT\+SQNSUPGRADE\s*=\s*"[^"]', re.IGNORECASE)
_MASKED = re.compile(r"\*\*\*(?:\((\w+)\))?")
_CPIN_TWO = re.compile(r'^AT\+CPIN\s*=\s*"?\*\*\*[^,]*,', re.IGNORECASE)


@dataclass
class Setup:
    """The simulated module as the recording's bench was, where the recording tells."""

    locked: bool = False  # the SIM asked for its PIN when the run began
    profile: str = "fast"
    seen: list[str] = field(default_factory=list)  # what was inferred, and from what

    def url(self, name: str) -> str:
        lock = 1 if self.locked else 0
        return f"sim://{name}?profile={self.profile}&pin={SIM_PIN}&puk={SIM_PUK}&locked={lock}"


def setup_of(entries: list[dict[str, Any]]) -> Setup:
    setup = Setup()
    for entry in entries:
        for line in entry.get("lines", []) if entry["kind"] == "command" else []:
            if line.replace(" ", "").startswith("+CPIN:"):
                setup.locked = "SIM PIN" in line
                setup.seen.append(f"SIM {'locked' if setup.locked else 'unlocked'}: {line!r}")
                return setup
    setup.seen.append("SIM unlocked: no +CPIN answer recorded")
    return setup


def codes_for(command: str) -> str:
    """The command with the simulated SIM's codes where the recording masked the bench's.

    `***(PIN)` and `***(PUK)` are the bench's own codes; `***(CODE2)`... codes a test made up
    (each a code of its own); a bare `***` a code that was none of them: a wrong one, of a
    PUK's length where a PUK goes (the first of two CPIN parameters)."""
    puk_first = bool(_CPIN_TWO.match(command))

    def code(m: re.Match[str]) -> str:
        role = m.group(1)
        if role == "PIN":
            return SIM_PIN
        if role == "PUK":
            return SIM_PUK
        if role and role.startswith("CODE") and role[4:].isdigit():
            return f"{int(role[4:]) + 3000:04d}"
        return "00000000" if puk_first and m.start() == command.index("***") else "0000"

    return _MASKED.sub(code, command)


@dataclass
class Block:
    """One test's entries (or the session's, between tests), in time order."""

    test: str
    entries: list[dict[str, Any]]
    peer_from: int | None = None  # entries from here depend on a peer: noted, not compared
    skipped: str | None = None  # why

    @property
    def commands(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["kind"] == "command"]


def in_time_order(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """By `t`; at the same instant a command or an action before the URC it caused. Stable:
    hand-written entries (without `t`) keep their order."""
    return sorted(entries, key=lambda e: (float(e.get("t", 0.0)), "t" in e and e["kind"] == "urc"))


def blocks_of(entries: list[dict[str, Any]]) -> list[Block]:
    """Commands, URCs and actions, by when they happened, cut where the test changes."""
    timed = in_time_order(e for e in entries if e["kind"] in ("command", "urc", "action"))
    blocks: list[Block] = []
    for entry in timed:
        test = str(entry.get("test", ""))
        if not blocks or blocks[-1].test != test:
            blocks.append(Block(test, []))
        blocks[-1].entries.append(entry)
    for block in blocks:
        for index, entry in enumerate(block.entries):
            if entry["kind"] == "command" and _NEEDS_A_PEER.search(entry["command"]):
                block.peer_from = index
                block.skipped = (
                    f"{len(block.entries) - index} entries from {entry['command']} (it needs a "
                    "peer beyond the module): sent, answers noted, URCs not awaited"
                )
                break
    return blocks


def upgrade_outcomes(entries: list[dict[str, Any]]) -> dict[int, tuple[bool, str]]:
    """id() of each upgrade command -> (the recording shows it installed before the next
    upgrade command, the firmware the module reported after it)."""
    timed = in_time_order(e for e in entries if e["kind"] in ("command", "urc"))
    found: dict[int, tuple[bool, str]] = {}
    for index, entry in enumerate(timed):
        if entry["kind"] != "command" or not _UPGRADE.match(entry["command"]):
            continue
        installed, version = False, "UE0.0.0.0-0"
        for later in timed[index + 1 :]:
            if later["kind"] == "command" and _UPGRADE.match(later["command"]):
                break
            if later["kind"] == "urc" and later["line"].replace(" ", "") == _INSTALLED:
                installed = True
            if later["kind"] == "command" and later["command"].upper() == "AT+CGMR":
                version = (later["lines"] or [version])[0]
                if installed:
                    break
        found[id(entry)] = (installed, version)
    return found
