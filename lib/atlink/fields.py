"""Quote-aware splitting of AT information text into fields.

`+COPS: (1,"T-Mobile USA, In","TMO","310260",7),,(0,1)` keeps the comma inside the
quotes; empty and trailing empty fields are kept as "" so positions never shift.
"""

from __future__ import annotations

__all__ = ["command_form", "split_fields", "strip_prefix", "unquote"]


def strip_prefix(line: str, prefix: str) -> str:
    """Return what follows `prefix` (e.g. "+CPIN:") with surrounding spaces removed.

    Raises ValueError when the line does not start with the prefix (case-insensitive).
    """
    if not line[: len(prefix)].upper() == prefix.upper():
        raise ValueError(f"{line!r} does not start with {prefix!r}")
    return line[len(prefix) :].strip()


def split_fields(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside double quotes and parentheses; strip spaces around fields.

    Quotes are kept on the fields (use `unquote`) so a caller can tell `"1"` from `1`.
    An unterminated quote runs to the end of the text instead of raising: real modules
    truncate lines, and a splitter must not be the thing that crashes.
    """
    fields: list[str] = []
    current: list[str] = []
    in_quotes = False
    depth = 0
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch == "(":
            depth += 1
        elif not in_quotes and ch == ")" and depth:
            depth -= 1
        elif ch == sep and not in_quotes and depth == 0:
            fields.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    fields.append("".join(current).strip())
    return fields


def unquote(field: str) -> str:
    """`"abc"` -> `abc`; an unquoted field is returned stripped and unchanged."""
    field = field.strip()
    if len(field) >= 2 and field[0] == field[-1] == '"':
        return field[1:-1]
    if field.startswith('"'):
        return field[1:]
    return field


def command_form(command: str) -> str:
    """`AT+CPIN="***"` -> `AT+CPIN=`, `AT+CEREG?` -> `AT+CEREG?`, `AT+CGMR` -> `AT+CGMR`: the
    command without its values (the first of a `;` chain), to group what runs repeatedly."""
    head = command.split(";")[0]
    for i, ch in enumerate(head):
        if ch in "=?" and i > 2:
            return head[: i + 1] + ("?" if head[i : i + 2] == "=?" else "")
    return head
