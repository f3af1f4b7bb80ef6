"""The one error every parser in lib/cassiopeia raises on input it cannot read, and the field
readers that raise it."""

import re

__all__ = ["ParseError", "body", "int_field", "opt_int_field"]


class ParseError(ValueError):
    def __init__(self, what: str, text: str) -> None:
        super().__init__(f"cannot parse {what} from {text!r}")
        self.what, self.text = what, text


def body(line: str, prefix: str) -> str:
    """What follows `prefix` (case as the module wrote it); ParseError without it."""
    text = line.strip()
    if not text.upper().startswith(prefix.upper()):
        raise ParseError(prefix, line)
    return text[len(prefix) :].strip()


def int_field(field: str, what: str, line: str) -> int:
    field = field.strip()
    if not re.fullmatch(r"-?\d+", field):
        raise ParseError(what, line)
    return int(field)


def opt_int_field(field: str, what: str, line: str) -> int | None:
    return None if field.strip() == "" else int_field(field, what, line)
