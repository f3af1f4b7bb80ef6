"""V.250's basic commands on the engine's settings: E, V, Q (flags), Z and &F (reset the
settings), and the S registers 3, 4, 5 and 12."""

from __future__ import annotations

from collections.abc import Callable

from .engine import Engine
from .errors import SyntaxFail
from .lexer import Cmd

__all__ = ["basic_commands"]


def basic_commands(engine: Engine) -> dict[str, Callable[[Cmd], list[str]]]:
    return {
        "": lambda cmd: [],
        "E": lambda cmd: _flag(engine, cmd, "echo"),
        "V": lambda cmd: _flag(engine, cmd, "verbose"),
        "Q": lambda cmd: _flag(engine, cmd, "quiet"),
        "Z": lambda cmd: _atz(engine, cmd),
        "&F": lambda cmd: _atz(engine, cmd),
        "S": lambda cmd: _s_register(engine, cmd),
    }


def _flag(engine: Engine, cmd: Cmd, attr: str) -> list[str]:
    value = cmd.basic_value or "0"
    if value not in ("0", "1"):
        raise SyntaxFail(f"{cmd.name}{value}")
    setattr(engine, attr, value == "1")
    return []


def _atz(engine: Engine, cmd: Cmd) -> list[str]:
    if cmd.basic_value not in (None, "0"):
        raise SyntaxFail("ATZ takes no profile but 0")
    engine.reset_settings()
    return []


_S_REGISTERS = {3: "s3", 4: "s4", 5: "s5", 12: "s12"}


def _s_register(engine: Engine, cmd: Cmd) -> list[str]:
    number = int(cmd.name[1:])
    attr = _S_REGISTERS.get(number)
    if attr is None:
        raise SyntaxFail(f"S{number} not supported")
    if cmd.form == "read":
        return [f"{getattr(engine, attr):03d}"]
    value = int(cmd.basic_value or "0")
    if value > 255 or (number in (3, 4, 5) and value > 127):
        raise SyntaxFail(f"S{number}={value} out of range")
    setattr(engine, attr, value)
    return []
