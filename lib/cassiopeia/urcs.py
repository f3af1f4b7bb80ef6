"""The URCs a Cassiopeia module sends, and how its solicited lines are told apart.

+CEREG is the one prefix that is both a URC and a read reply. A read reply
always starts with `<n>,<stat>` (two bare integers); a URC starts with `<stat>`
and continues, if at all, with a quoted TAC or empty fields.
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


def cereg_is_solicited(line: str, command: str) -> bool:
    fields = split_fields(line.split(":", 1)[1]) if ":" in line else []
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
