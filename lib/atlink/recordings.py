"""The recording format: what a module was asked and what it answered, as JSON lines.

A run writes `reports/recording.jsonl` (`recording-gwN.jsonl` per pytest-xdist worker); the
fidelity corpus (tests/fidelity/corpus/) is written in it by hand. One object per line, in the
order things happened, each with `v` (this format's version: a new field keeps it, a changed
meaning raises it) and `kind`:

- `run`, first: `bench` (its name), `port` (masked), `simulated` (the bench is the simulator).
- `module`: what the module said it is (`module model`, `firmware`...), once it is known.
- `command`: `test`, `command` as sent and `lines` as received, `final` (the final result line,
  or TIMEOUT, PORT LOST, CLOSED), `t` (seconds since the run started, when it was sent),
  `elapsed_ms`; for a command that sends a payload after the `> ` prompt: `prompted` (did the
  prompt come) and `sent_bytes`; `received_bytes`: a counted payload after a header such as
  `+SQNSRECV: 1,24` (its bytes are not kept).
  A command's entry is written when its final result comes, so the file's order is not the
  order of events: `t` is (a URC that came while a command ran follows it in time).
- `urc`: `test`, `line`, `t`. Its place among the commands is its place in the file.
- `action`: `test`, `action` (a bench action: `sim_out`, `rf_off`, `power_cycle`, `signal`...),
  `values`, `t`.

Any entry may carry `source` (where a hand-written one was captured) and `note`.

Secrets are masked as in the reports. A secret the bench knows is masked with its role:
`AT+CPIN="***(PIN)"` was the bench's PIN, `"***(PUK)"` its PUK, `"***(CODE2)"` the second code
a test made up, and a bare `"***"` a code that was none of them (a wrong PIN, on purpose).
Version 1 files (commands only, without `kind`) read as commands.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .response import ExchangeRecord

__all__ = [
    "KINDS",
    "VERSION",
    "RecordingError",
    "action_entry",
    "command_entry",
    "parse_lines",
    "read_recording",
    "urc_entry",
]

VERSION = 2
KINDS = ("run", "module", "command", "urc", "action")


class RecordingError(ValueError):
    """A file that is not a recording: the message names the file and line."""


def command_entry(record: ExchangeRecord, test: str, origin: float) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "v": VERSION,
        "kind": "command",
        "test": test,
        "command": record.command,
        "lines": list(record.lines),
        "final": record.outcome,
        "t": round(record.sent_at - origin, 6),
        "elapsed_ms": round(record.elapsed * 1000, 3),
    }
    if record.prompted is not None:
        entry["prompted"] = record.prompted
        entry["sent_bytes"] = record.sent_bytes
    if record.received_bytes:
        entry["received_bytes"] = record.received_bytes
    return entry


def urc_entry(line: str, at: float, test: str, origin: float) -> dict[str, Any]:
    return {"v": VERSION, "kind": "urc", "test": test, "line": line, "t": round(at - origin, 6)}


def action_entry(
    action: str, values: dict[str, Any], at: float, test: str, origin: float
) -> dict[str, Any]:
    return {
        "v": VERSION,
        "kind": "action",
        "test": test,
        "action": action,
        "values": values,
        "t": round(at - origin, 6),
    }


def _normalised(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise RecordingError(f"{where}: not a JSON object")
    version = entry.get("v", 1)
    if not isinstance(version, int) or version > VERSION:
        raise RecordingError(f"{where}: format version {version!r}; this reader knows 1-{VERSION}")
    kind = entry.setdefault("kind", "command")
    if kind not in KINDS:
        raise RecordingError(f"{where}: unknown kind {kind!r} (known: {', '.join(KINDS)})")
    needed = {"command": ("command", "final"), "urc": ("line",), "action": ("action",)}
    missing = [key for key in needed.get(kind, ()) if not isinstance(entry.get(key), str)]
    if missing:
        raise RecordingError(f"{where}: a {kind} entry without {', '.join(missing)}")
    if kind == "command":
        entry.setdefault("lines", [])
    return entry


def read_recording(path: str | Path) -> list[dict[str, Any]]:
    """Every entry of a recording file, version 1 entries read as commands."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{path}: cannot read: {exc}") from None
    return list(parse_lines(text.splitlines(), str(path)))


def parse_lines(lines: Iterable[str], name: str) -> Iterable[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise RecordingError(f"{name}:{number}: not a JSON line ({exc})") from None
        yield _normalised(entry, f"{name}:{number}")
