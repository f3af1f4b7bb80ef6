"""V.250 command-line lexing: `AT+CMEE=2;+CPIN?`, `ATE0V1Q0`, `at +cpin = "0000"`.

A line (without its `AT` prefix) becomes a list of Cmd. Spaces outside quotes are
ignored, names are case-insensitive, `;` separates extended commands, and basic
commands chain without it. Anything that does not lex raises SyntaxFail.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any

from .errors import SyntaxFail

__all__ = ["MAX_LINE", "Args", "Cmd", "lex"]

MAX_LINE = 512  # longer command lines are refused with ERROR (a documented choice)
_MISSING = object()


@dataclass(frozen=True)
class Param:
    value: str
    quoted: bool


class Args:
    """The parameters of a set command; omitted ones are None."""

    def __init__(self, params: list[Param | None]) -> None:
        self._params = params

    def __len__(self) -> int:
        return len(self._params)

    def present(self, i: int) -> bool:
        return i < len(self._params) and self._params[i] is not None

    def int(
        self,
        i: int,
        default=_MISSING,
        lo: int | None = None,
        hi: int | None = None,
        choices: tuple[int, ...] | None = None,
    ) -> int:
        p = self._params[i] if i < len(self._params) else None
        if p is None:
            if default is _MISSING:
                raise SyntaxFail(f"parameter {i + 1} missing")
            return default
        if p.quoted or not p.value.lstrip("-").isdigit():
            raise SyntaxFail(f"parameter {i + 1} is not a number: {p.value!r}")
        value = int(p.value)
        if (
            (lo is not None and value < lo)
            or (hi is not None and value > hi)
            or (choices and value not in choices)
        ):
            raise SyntaxFail(f"parameter {i + 1} out of range: {value}")
        return value

    def str(
        self,
        i: builtins.int,
        default: Any = _MISSING,
        quoted: bool = False,
        max_len: builtins.int = 255,
    ) -> builtins.str:
        p = self._params[i] if i < len(self._params) else None
        if p is None:
            if default is _MISSING:
                raise SyntaxFail(f"parameter {i + 1} missing")
            return default
        if quoted and not p.quoted:
            raise SyntaxFail(f"parameter {i + 1} must be quoted")
        if len(p.value) > max_len:
            raise SyntaxFail(f"parameter {i + 1} too long")
        return p.value

    def at_most(self, n: builtins.int) -> None:
        if len(self._params) > n:
            raise SyntaxFail(f"at most {n} parameters")


@dataclass
class Cmd:
    name: str  # "+CPIN", "^RESET", "E", "S3", "&F"
    form: str  # "exec", "read", "test", "set"
    args: Args = field(default_factory=lambda: Args([]))
    basic_value: str | None = None  # the digits after a basic command (E0 -> "0")


def _strip_spaces(text: str) -> str:
    out, quoted = [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == " " and not quoted:
            continue
        out.append(ch)
    if quoted:
        raise SyntaxFail("unterminated string")
    return "".join(out)


def _params(text: str) -> list[Param | None]:
    params: list[Param | None] = []
    current: list[str] = []
    quoted_param = False
    in_quotes = False
    for ch in text + ",":
        if ch == '"':
            if in_quotes:
                in_quotes = False
            elif not current:
                in_quotes = quoted_param = True
            else:
                raise SyntaxFail("quote inside a parameter")
            continue
        if ch == "," and not in_quotes:
            value = "".join(current)
            params.append(
                Param(value, True) if quoted_param else (Param(value, False) if value else None)
            )
            current, quoted_param = [], False
            continue
        if quoted_param and not in_quotes:
            raise SyntaxFail("text after a closing quote")
        current.append(ch)
    return params


def _ext_end(text: str, pos: int) -> int:
    """Index of the `;` ending the extended command at pos (outside quotes), or len."""
    quoted = False
    for i in range(pos, len(text)):
        if text[i] == '"':
            quoted = not quoted
        elif text[i] == ";" and not quoted:
            return i
    return len(text)


def lex(body: str) -> list[Cmd]:
    """Lex the part of a command line after `AT`. An empty body is the bare `AT`."""
    if len(body) > MAX_LINE:
        raise SyntaxFail("command line too long")
    text = _strip_spaces(body)
    cmds: list[Cmd] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == ";":
            pos += 1
            continue
        if ch in "+^":
            end = pos + 1
            while end < len(text) and text[end].isalnum():
                end += 1
            name = text[pos:end].upper()
            if len(name) < 2:
                raise SyntaxFail("empty extended command name")
            stop = _ext_end(text, end)
            rest = text[end:stop]
            if rest == "":
                cmds.append(Cmd(name, "exec"))
            elif rest == "?":
                cmds.append(Cmd(name, "read"))
            elif rest == "=?":
                cmds.append(Cmd(name, "test"))
            elif rest.startswith("="):
                cmds.append(Cmd(name, "set", Args(_params(rest[1:]))))
            else:
                raise SyntaxFail(f"unexpected {rest!r} after {name}")
            pos = stop
            continue
        upper = ch.upper()
        if upper == "S" and pos + 1 < len(text) and text[pos + 1].isdigit():
            end = pos + 1
            while end < len(text) and text[end].isdigit():
                end += 1
            name = "S" + str(int(text[pos + 1 : end]))
            if text[end : end + 1] == "?":
                cmds.append(Cmd(name, "read"))
                pos = end + 1
            elif text[end : end + 1] == "=":
                vend = end + 1
                while vend < len(text) and text[vend].isdigit():
                    vend += 1
                if vend == end + 1:
                    raise SyntaxFail("S-register value missing")
                cmds.append(Cmd(name, "set", basic_value=text[end + 1 : vend]))
                pos = vend
            else:
                raise SyntaxFail("S-register needs ? or =")
            continue
        if upper == "S":
            raise SyntaxFail("S needs a register number")
        if upper == "&" and pos + 1 < len(text) and text[pos + 1].isalpha():
            name, pos = "&" + text[pos + 1].upper(), pos + 2
        elif upper.isalpha():
            name, pos = upper, pos + 1
        else:
            raise SyntaxFail(f"unexpected character {ch!r}")
        end = pos
        while end < len(text) and text[end].isdigit():
            end += 1
        cmds.append(Cmd(name, "exec", basic_value=text[pos:end] or None))
        pos = end
    return cmds
