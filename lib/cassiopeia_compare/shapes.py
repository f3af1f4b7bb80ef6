"""The shape of an answer: its structure without its values.

`+CEREG: 2,1,"0001","01A2D001",7` has the shape `+CEREG: n,n,q,q,n`: a field is n (a
number), q (quoted text), t (bare text) or e (empty). An answer's shape is its lines'
shapes and the kind of its final result (OK, ERROR, +CME ERROR, TIMEOUT...). Values that
depend on the unit or the network (identities, cells, times) never change a shape; a
changed field count, quoting or kind of final does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from atlink import command_form, split_fields

__all__ = ["answer_shape", "final_kind", "line_shape", "of_the_moment", "shapes_by_form"]

# outcomes of the bench, not answers of the module
BENCH_OUTCOMES = ("TIMEOUT", "PORT LOST", "CLOSED")
_SIM_BUSY = re.compile(r"^\+CME ERROR:\s*(14|SIM busy)\s*$", re.IGNORECASE)


def of_the_moment(final: str) -> bool:
    """An outcome that says when, not what: the bench's (a timeout, a lost port) or a moment's
    (27.007 9.2.1 code 14, SIM busy: try again later). Neither a shape nor a difference."""
    return final in BENCH_OUTCOMES or _SIM_BUSY.match(final) is not None


_PREFIX = re.compile(r"^([+^$%#][A-Za-z0-9]+:)\s*(.*)$")
# a number, masked or not: the reports show an IMEI as 260531******810
_NUMBER = re.compile(r"^-?\d[\d*]*(\.\d+)?$")


def _field(text: str) -> str:
    text = text.strip()
    if not text:
        return "e"
    if text.startswith('"'):
        return "q"
    return "n" if _NUMBER.match(text) else "t"


def line_shape(line: str) -> str:
    m = _PREFIX.match(line)
    if m is None:
        return _field(line)  # a bare line: an IMEI (n), a model name (t)
    return f"{m.group(1)} " + ",".join(_field(f) for f in split_fields(m.group(2)))


def final_kind(final: str) -> str:
    return final.split(":", 1)[0] if final.startswith("+") else final


def answer_shape(lines: Iterable[str], final: str) -> str:
    return " | ".join([*(line_shape(line) for line in lines), final_kind(final)])


def shapes_by_form(recording: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    """Command form -> every answer shape the run saw for it."""
    found: dict[str, set[str]] = {}
    for entry in recording:
        if entry.get("kind", "command") != "command" or of_the_moment(str(entry.get("final"))):
            continue
        shape = answer_shape(entry.get("lines", []), str(entry.get("final", "")))
        found.setdefault(command_form(str(entry.get("command", ""))), set()).add(shape)
    return found
