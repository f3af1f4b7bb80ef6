"""The URCs a Cassiopeia module sends, and how its solicited lines are told apart.

+CEREG is the one prefix that is both a URC and a read reply. 27.007 (10.1.22) gives
both forms: the read reply puts `<n>` first, so it has one field more than the URC of
the same `<n>`: 2, 5, 7 or 9 fields (n = 0/1, 2, 3, 4/5) against 1, 4, 6 or 8. The
count decides; the guide's own URC, `+CEREG: 1,0001,01A2D001,7`, starts with two bare
integers like a read reply, and has four fields. Any other count falls back to the
shape: a read reply starts with two bare integers.
"""

from __future__ import annotations

from atlink import DEFAULT_TIMEOUTS, TimeoutTable, UrcTable, split_fields

__all__ = ["URC_PREFIXES", "cassiopeia_timeouts", "cassiopeia_urc_table"]

URC_PREFIXES = (
    "+SYSSTART",
    "+SYSSHDN",
    "+SHUTDOWN",
    "+IMSSTATE:",
    "^MODE:",
    "+CEREG:",
    "+CGEV:",
    "+SQNSRING:",
    "+SQNSH:",
    "+SQNSUPGRADE:",
    "+CTZV:",
    "+CTZE:",
    "^EXIT:",
)


_CEREG_READ_FIELDS = {2, 5, 7, 9}
_CEREG_URC_FIELDS = {1, 4, 6, 8}


def cereg_is_solicited(line: str, command: str) -> bool:
    fields = split_fields(line.split(":", 1)[1]) if ":" in line else []
    if len(fields) in _CEREG_READ_FIELDS | _CEREG_URC_FIELDS:
        return len(fields) in _CEREG_READ_FIELDS
    return len(fields) >= 2 and fields[0].isdigit() and fields[1].isdigit()


def sqnsupgrade_is_solicited(line: str, command: str) -> bool:
    # AT+SQNSUPGRADE? answers the state; a running upgrade's progress is a URC
    return command.strip().upper().endswith("?")


def cassiopeia_urc_table() -> UrcTable:
    table = UrcTable()
    for prefix in URC_PREFIXES:
        table.register(prefix)
    table.register("+CEREG:", cereg_is_solicited)
    table.register("+SQNSUPGRADE:", sqnsupgrade_is_solicited)
    return table


def cassiopeia_timeouts(multiplier: float = 1.0) -> TimeoutTable:
    table = DEFAULT_TIMEOUTS.copy()
    table.multiplier = multiplier
    # Sequans families (reference 1, ST driver figures; upgrades take minutes)
    table.extend(
        [
            (r"\^RESET", 20.0),
            (r"\+BGLTEPLMN", 180.0),
            (r"\+SQNSD|\+SQNSH|\+SQNSO", 150.0),
            (r"\+SQNSUPGRADE", 1800.0),
        ]
    )
    return table
