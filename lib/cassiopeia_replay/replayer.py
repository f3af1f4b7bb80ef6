"""Replay a recording against a fresh simulated module, and compare what comes back.

Structure is compared, values are not: an answer differs when its information lines, their
prefixes, field counts, quoting, number-or-text, or the kind of its final result differ, or
when a prompt came on one side only; a URC differs when the module did not send one of that
shape where the recording has it. Values that depend on the unit or the network (identities,
cells, times, counters) are noted. So are outcomes of the moment rather than the module: a
command that timed out or lost its port, or found the SIM busy, on either side.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cassiopeia_sim
from atlink import AtError, AtTimeout, ChannelClosed, Deadline, OnlineClosed, PortLost
from cassiopeia import Cassiopeia
from cassiopeia_compare.shapes import answer_shape, line_shape, of_the_moment
from cassiopeia_sim.control import bench_actions, connect
from cassiopeia_sim.instances import discard

from .peers import UpgradePeer
from .plan import Block, Setup, blocks_of, codes_for, setup_of, upgrade_outcomes

__all__ = ["Finding", "Replay", "replay"]


# a corpus entry's "differs" names the row of the simulator's guesses that explains it
GUESSES = (
    (Path(cassiopeia_sim.__file__).parent / "GUESSES.md")
    .read_text(encoding="utf-8")
    .replace("`", "")
)
URC_WAIT = 10.0  # how long a recorded URC may take to come in the replay
REBOOT_WAIT = 30.0
SAME_GRACE = 1.0  # how long a URC of the right shape waits for the very line recorded
MAX_PAUSE = 60.0  # a longer pause in a recording (a person at the bench) is not replayed


@dataclass(frozen=True)
class Finding:
    test: str
    what: str  # the command, or "URC", or the action
    recorded: str
    replayed: str
    difference: bool  # False: a note (a value, a bench outcome, a known difference)
    source: str = ""  # where a hand-written entry was captured
    known: str = ""  # the GUESSES.md row that explains the difference


@dataclass
class Replay:
    name: str
    setup: Setup
    findings: list[Finding] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (test, why)
    commands: int = 0
    urcs: int = 0

    @property
    def differences(self) -> list[Finding]:
        return [f for f in self.findings if f.difference]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if not f.difference and not f.known]

    @property
    def known(self) -> list[Finding]:
        return [f for f in self.findings if f.known]


class _Replayer:
    def __init__(
        self, url: str, result: Replay, urc_wait: float, upgrades: dict[int, tuple[bool, str]]
    ) -> None:
        self.control = connect(url)
        self.upgrades = upgrades
        self.firmware_server = UpgradePeer(self.control)
        self.hands = bench_actions(self.control)
        self.module = Cassiopeia(url, open_timeout=REBOOT_WAIT)
        self.module.wait_ready(REBOOT_WAIT)
        self.result = result
        self.urc_wait = urc_wait
        self.compared = True  # False: what comes back depends on a peer, and is only noted
        # URCs since the block before began may answer a block's (a URC may come sooner in the
        # replay, while the test before still ran); those since its own start first
        self.window = 0
        self.taken: set[int] = set()  # URCs that matched a recorded one
        self.last: tuple[float, float] | None = None  # (recorded t, replay clock) of the last

    def close(self) -> None:
        self.module.close()
        self.firmware_server.close()

    def block(self, block: Block) -> None:
        window, start = self.window, self.module.at.urc_mark()
        self.window = start
        for index, entry in enumerate(block.entries):
            self.compared = block.peer_from is None or index < block.peer_from
            if entry["kind"] == "urc":
                if self.compared:  # after a peer's part, URCs are the peer's: not awaited
                    self._expect_urc(block.test, entry, window, start)
                continue
            self._keep_time(float(entry.get("t", 0.0)))
            if entry["kind"] == "action":
                self._act(block.test, entry)
            else:
                self._command(block.test, entry)

    def _keep_time(self, t: float) -> None:
        """At least the recording's pause before each command or action: a test that waited
        for the module (a SIM still busy after a reboot) waits in the replay too."""
        now = time.monotonic()
        if self.last is not None:
            pause = (t - self.last[0]) - (now - self.last[1])
            if pause > 0:
                time.sleep(min(pause, MAX_PAUSE))
        self.last = (t, time.monotonic())

    def _expect_urc(self, test: str, entry: dict[str, Any], window: int, start: int) -> None:
        """Wait for the recorded URC, not matched before, since the block before began: the
        same line, or failing that (after a short grace) one of its shape, whose values differ.
        `+CEREG: 2` has `+CEREG: 1`'s shape, and must not stand for it while it is on its way."""
        self.result.urcs += 1
        shape = line_shape(entry["line"])
        self._port_back()
        at = self.module.at
        deadline = Deadline(self.urc_wait)
        fallback = None
        while not deadline.expired:
            wait = deadline.remaining if fallback is None else min(deadline.remaining, SAME_GRACE)
            untaken = [u for u in at.urcs.since(window) if u.seq not in self.taken]
            fresh = [u for u in untaken if u.seq > start] + [u for u in untaken if u.seq <= start]
            same = next((u for u in fresh if u.line == entry["line"]), None)
            fallback = fallback or next((u for u in fresh if line_shape(u.line) == shape), None)
            if same is not None or (fallback is not None and wait <= 0):
                break
            last = max((u.seq for u in fresh), default=window)
            if at.urcs.wait(lambda _line: True, wait, last) is None and fallback is not None:
                break
        found = same if same is not None else fallback
        if found is not None:
            self.taken.add(found.seq)
            if found.line != entry["line"]:
                self._found(test, "URC", entry, entry["line"], found.line, False)
            return
        seen = [u.line for u in at.urcs.since(start)]
        got = "; ".join(seen[-5:]) if seen else "(none)"
        state = self.control.state()
        where = ", ".join(f"{k} {state[k]}" for k in ("cfun", "sim", "stat", "coverage"))
        self._found(
            test,
            "URC",
            entry,
            entry["line"],
            f"not sent in {self.urc_wait:g} s: {got} ({where})",
            True,
        )

    def _act(self, test: str, entry: dict[str, Any]) -> None:
        name = entry["action"]
        call = self.hands.get(name)
        if call is None:
            self._found(test, name, entry, "bench action", "the simulator cannot act it out", False)
            return
        call(**entry.get("values", {}))

    def _command(self, test: str, entry: dict[str, Any]) -> None:
        self.result.commands += 1
        command = codes_for(entry["command"])
        if id(entry) in self.upgrades:
            command = self.firmware_server.rewrite(command, *self.upgrades[id(entry)])
        lines, final, prompted = self._send(command, entry)
        recorded = answer_shape(entry["lines"], entry["final"])
        replayed = answer_shape(lines, final)
        shown_recorded = " | ".join([*entry["lines"], entry["final"]])
        shown_replayed = " | ".join([*lines, final])
        if of_the_moment(entry["final"]) or of_the_moment(final):
            if entry["final"] != final:
                self._found(test, entry["command"], entry, shown_recorded, shown_replayed, False)
        elif recorded != replayed:
            self._found(test, entry["command"], entry, recorded, replayed, True)
        elif entry.get("prompted") is not None and entry["prompted"] != prompted:
            self._found(
                test,
                entry["command"],
                entry,
                "prompt",
                "no prompt" if entry["prompted"] else "prompt",
                True,
            )
        elif shown_recorded != shown_replayed:
            self._found(test, entry["command"], entry, shown_recorded, shown_replayed, False)

    def _send(self, command: str, entry: dict[str, Any]) -> tuple[list[str], str, bool]:
        self._port_back()
        at = self.module.at
        payload, end = _payload(command, entry)
        timeout = max(1.0, float(entry.get("elapsed_ms", 0)) / 1000 * 3)
        if entry["final"] != "TIMEOUT":
            timeout = max(timeout, at.timeouts.for_command(command))
        try:
            r = at.command(command, timeout=timeout, payload=payload, payload_end=end, check=False)
        except AtTimeout as exc:
            return list(exc.lines), "TIMEOUT", False
        except PortLost:
            return [], "PORT LOST", False
        except ChannelClosed:
            return [], "CLOSED", False
        if r.final.line == "CONNECT":  # online mode: back to commands, as a test would
            with contextlib.suppress(AtError, OnlineClosed):
                self.module.leave_online(timeout=5.0)
        return list(r.lines), r.final.line, payload is not None and r.payload is None

    def _port_back(self) -> None:
        """After a reboot, the port again as soon as it is back (a bench's reconnect)."""
        at = self.module.at
        if at.lost is not None or not at.is_open:
            with contextlib.suppress(AtError, OSError):
                at.reopen(REBOOT_WAIT)

    def _found(
        self, test: str, what: str, entry: dict[str, Any], recorded: str, replayed: str, diff: bool
    ) -> None:
        source = str(entry.get("source", ""))
        diff = diff and self.compared
        known = str(entry.get("differs", "")) if diff else ""
        if known and known not in GUESSES:
            replayed += f" (said known, {known!r}, but GUESSES.md has no such row)"
            known = ""
        finding = Finding(test, what, recorded, replayed, diff and not known, source, known)
        self.result.findings.append(finding)


def _payload(command: str, entry: dict[str, Any]) -> tuple[bytes | None, bytes | None]:
    """The payload a prompted command sent: its size is recorded, not its bytes."""
    if entry.get("prompted") is None:
        return None, None
    size = int(entry.get("sent_bytes", 0))
    if command.upper().startswith("AT+SQNSSEND="):  # text mode: ended by Ctrl-Z
        return b"x" * max(0, size - 1), b"\x1a"
    return b"x" * size, None


def replay(entries: list[dict[str, Any]], name: str, urc_wait: float = URC_WAIT) -> Replay:
    """Replay one recording's entries on a simulated module of its own."""
    setup = setup_of(entries)
    result = Replay(name, setup)
    sim_name = f"replay-{uuid.uuid4().hex[:8]}"
    replayer = _Replayer(setup.url(sim_name), result, urc_wait, upgrade_outcomes(entries))
    try:
        for block in blocks_of(entries):
            replayer.block(block)
            if block.skipped:
                result.skipped.append((block.test, block.skipped))
    finally:
        replayer.close()
        discard(sim_name)
    return result
