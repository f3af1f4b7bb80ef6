"""The URCs a Cassiopeia module sends, and how its solicited lines are told apart.

+CEREG is both a URC and a read reply (and so are +CREG and +CGREG, which clients such as
gammu enable). 27.007 gives both forms: the read reply puts `<n>` first, so it has one field
more than the URC of the same `<n>`. +CEREG (10.1.22): 2, 5, 7 or 9 fields (n = 0/1, 2, 3,
4/5) against 1, 4, 6 or 8; +CREG (7.2) the same without the timers; +CGREG (10.1.20), with
its `<rac>`: 2, 6, 8 against 1, 5, 7. The count decides; the guide's own URC,
`+CEREG: 1,0001,01A2D001,7`, starts with two bare integers like a read reply, and has four
fields. Any other count falls back to the shape: a read reply starts with two bare integers.
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
    "+CREG:",
    "+CGREG:",
    "+CGEV:",
    "+SQNSRING:",
    "+SQNSH:",
    "+SQNSLUDP:",
    "+SQNSUPGRADE:",
    "+CEDRXP:",
    "+CTZV:",
    "+CTZE:",
    "^EXIT:",
)


# prefix -> (field counts of the read reply, of the URC)
_FIELD_COUNTS = {
    "+CEREG:": ({2, 5, 7, 9}, {1, 4, 6, 8}),
    "+CREG:": ({2, 5, 7}, {1, 4, 6}),
    "+CGREG:": ({2, 6, 8}, {1, 5, 7}),
}


def registration_is_solicited(line: str, command: str) -> bool:
    """A +CEREG, +CREG or +CGREG line is a read reply (True) or a URC, by its field count."""
    prefix, _, rest = line.partition(":")
    read, urc = _FIELD_COUNTS[prefix + ":"]
    fields = split_fields(rest)
    if len(fields) in read | urc:
        return len(fields) in read
    return len(fields) >= 2 and fields[0].isdigit() and fields[1].isdigit()


def sqnsupgrade_is_solicited(line: str, command: str) -> bool:
    # AT+SQNSUPGRADE? answers the state, in one line (reference 5.1: one_reply below); a running
    # upgrade's progress is a URC, during any other command and after that line
    return command.strip().upper().endswith("?")


def sqnsludp_is_solicited(line: str, command: str) -> bool:
    # AT+SQNSLUDP? lists the UDP listeners; a listener the network dropped says ABORTED
    # (reference 6.12), whatever the command
    return line.partition(":")[2].strip() != "ABORTED"


def cassiopeia_urc_table() -> UrcTable:
    table = UrcTable()
    for prefix in URC_PREFIXES:
        table.register(prefix)
    for prefix in _FIELD_COUNTS:
        table.register(prefix, registration_is_solicited)
    table.register("+SQNSUPGRADE:", sqnsupgrade_is_solicited, one_reply=True)
    table.register("+SQNSLUDP:", sqnsludp_is_solicited)
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
