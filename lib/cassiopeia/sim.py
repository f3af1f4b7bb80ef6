"""SIM commands (guide 1.1): +CPIN, +CPINR, +CLCK, +CPWD."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from atlink import CmeError, Deadline, split_fields, unquote

from .errors import ParseError

if TYPE_CHECKING:
    from atlink import AtChannel

SIM_BUSY = 14

__all__ = ["PinState", "Retries", "SimCommands", "parse_clck", "parse_cpin", "parse_cpinr"]


class PinState(Enum):
    READY = "READY"
    SIM_PIN = "SIM PIN"
    SIM_PUK = "SIM PUK"
    SIM_PIN2 = "SIM PIN2"
    SIM_PUK2 = "SIM PUK2"
    PH_SIM_PIN = "PH-SIM PIN"
    PH_NET_PIN = "PH-NET PIN"


@dataclass(frozen=True)
class Retries:
    code: str
    left: int
    maximum: int

    @property
    def full(self) -> bool:
        return self.left == self.maximum


def _after_colon(line: str, prefix: str, what: str) -> str:
    """Text after `prefix`; tolerates a missing space and a missing prefix (some modules)."""
    stripped = line.strip()
    if stripped.upper().startswith(prefix.upper()):
        return stripped[len(prefix) :].strip()
    if ":" not in stripped:
        return stripped
    raise ParseError(what, line)


def parse_cpin(line: str) -> PinState:
    """`+CPIN: READY`, `+CPIN: "SIM PIN"` (quoted, seen on some modules), `+CPIN:SIM PUK`."""
    value = unquote(_after_colon(line, "+CPIN:", "+CPIN"))
    try:
        return PinState(value.upper())
    except ValueError:
        raise ParseError("+CPIN", line) from None


def parse_cpinr(lines: list[str]) -> dict[str, Retries]:
    """`+CPINR: SIM PIN,3,3` lines -> {"SIM PIN": Retries(...)}."""
    out: dict[str, Retries] = {}
    for line in lines:
        fields = split_fields(_after_colon(line, "+CPINR:", "+CPINR"))
        if len(fields) != 3 or not fields[1].isdigit() or not fields[2].isdigit():
            raise ParseError("+CPINR", line)
        code = unquote(fields[0])
        out[code] = Retries(code, int(fields[1]), int(fields[2]))
    return out


def parse_clck(line: str) -> bool:
    """`+CLCK: 1` -> True (lock active)."""
    fields = split_fields(_after_colon(line, "+CLCK:", "+CLCK"))
    if fields[0] not in ("0", "1"):
        raise ParseError("+CLCK", line)
    return fields[0] == "1"


def _q(text: str) -> str:
    if '"' in text:
        raise ValueError("a code cannot contain a double quote")
    return f'"{text}"'


class SimCommands:
    def __init__(self, at: AtChannel) -> None:
        self._at = at

    def state(self) -> PinState:
        return parse_cpin(self._at.command("AT+CPIN?").one("+CPIN:"))

    def settled_state(self, timeout: float = 10.0) -> PinState:
        """+CPIN? once the SIM has finished initialising (it answers SIM busy until then)."""
        deadline = Deadline(timeout)
        while True:
            try:
                return self.state()
            except CmeError as exc:
                if exc.code != SIM_BUSY or deadline.expired:
                    raise
            time.sleep(0.05)  # polling: no URC announces the end of SIM initialisation

    def enter_pin(self, pin: str) -> None:
        self._at.command(f"AT+CPIN={_q(pin)}")

    def enter_puk(self, puk: str, new_pin: str) -> None:
        self._at.command(f"AT+CPIN={_q(puk)},{_q(new_pin)}")

    def retries(self, selector: str | None = None) -> dict[str, Retries]:
        line = "AT+CPINR" if selector is None else f"AT+CPINR={_q(selector)}"
        return parse_cpinr([ln for ln in self._at.command(line).lines if ln.startswith("+CPINR")])

    def lock_enabled(self) -> bool:
        return parse_clck(self._at.command('AT+CLCK="SC",2').one("+CLCK:"))

    def set_lock(self, enabled: bool, pin: str) -> None:
        self._at.command(f'AT+CLCK="SC",{int(enabled)},{_q(pin)}')

    def change_pin(self, old: str, new: str) -> None:
        self._at.command(f'AT+CPWD="SC",{_q(old)},{_q(new)}')
