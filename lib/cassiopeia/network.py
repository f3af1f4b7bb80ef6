"""Network commands (guide 1.2): registration, operators, attach, signal; PDP contexts' parsers
are in pdp.py."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atlink import Deadline, split_fields, unquote

from .errors import ParseError, body, int_field, opt_int_field
from .pdp import DynamicParams, PdpContext, parse_cgact, parse_cgcontrdp, parse_cgdcont

if TYPE_CHECKING:
    from atlink import AtChannel

__all__ = [
    "REGISTERED",
    "Cereg",
    "Cesq",
    "CopsState",
    "NetworkCommands",
    "Operator",
    "ScanResult",
    "parse_bgltplmn",
    "parse_cereg",
    "parse_cesq",
    "parse_cops_read",
    "parse_cops_test",
    "rsrp_dbm",
    "rsrq_db",
]

REGISTERED = (1, 5)  # home, roaming
STAT_TEXT = {
    0: "not registered, not searching",
    1: "registered, home network",
    2: "searching",
    3: "registration denied",
    4: "unknown (e.g. out of E-UTRAN coverage)",
    5: "registered, roaming",
}


# ---------------------------------------------------------------- +CEREG
@dataclass(frozen=True)
class Cereg:
    stat: int
    n: int | None = None  # present in read replies, absent in URCs
    tac: str | None = None
    ci: str | None = None
    act: int | None = None
    cause_type: int | None = None
    reject_cause: int | None = None
    active_time: str | None = None
    periodic_tau: str | None = None

    @property
    def registered(self) -> bool:
        return self.stat in REGISTERED

    @property
    def meaning(self) -> str:
        return STAT_TEXT.get(self.stat, f"stat {self.stat}")


def parse_cereg(line: str, solicited: bool) -> Cereg:
    """A read reply (`+CEREG: <n>,<stat>[,...]`) or a URC (`+CEREG: <stat>[,...]`).

    Tolerates quoted or bare hexadecimal TAC and CI, spaces, and missing trailing fields.
    """
    fields = split_fields(body(line, "+CEREG:"))
    n = None
    if solicited:
        if len(fields) < 2:
            raise ParseError("+CEREG", line)
        n = int_field(fields[0], "+CEREG", line)
        fields = fields[1:]
    stat = int_field(fields[0], "+CEREG", line)
    rest = fields[1:] + [""] * 8
    tac, ci = unquote(rest[0]) or None, unquote(rest[1]) or None
    for value in (tac, ci):
        if value is not None and not re.fullmatch(r"[0-9A-Fa-f]+", value):
            raise ParseError("+CEREG", line)
    return Cereg(
        stat,
        n,
        tac,
        ci,
        opt_int_field(rest[2], "+CEREG", line),
        opt_int_field(rest[3], "+CEREG", line),
        opt_int_field(rest[4], "+CEREG", line),
        unquote(rest[5]) or None,
        unquote(rest[6]) or None,
    )


# ---------------------------------------------------------------- +CESQ
def rsrp_dbm(index: int) -> float | None:
    """Guide 1.2.3: RSRP ~ (-140 + N) dBm. The ends are bounds: 0 is "< -140 dBm", 97 is
    ">= -44 dBm" (the guide's words, one step short of the formula); 255 is unknown."""
    if index == 255:
        return None
    if not 0 <= index <= 97:
        raise ValueError(f"RSRP index {index} out of range")
    return -44.0 if index == 97 else float(-140 + index)


def rsrq_db(index: int) -> float | None:
    """Guide 1.2.3: RSRQ ~ (-19.5 + 0.5 N) dB. The ends are bounds: 0 is "< -19.5 dB", 34 is
    ">= -3 dB"; 255 is unknown."""
    if index == 255:
        return None
    if not 0 <= index <= 34:
        raise ValueError(f"RSRQ index {index} out of range")
    return -3.0 if index == 34 else -19.5 + 0.5 * index


def bound(index: int, top: int) -> str:
    """How to read a converted figure: "<" at index 0, ">=" at the top index, "=" between."""
    return "<" if index == 0 else (">=" if index == top else "=")


@dataclass(frozen=True)
class Cesq:
    rxlev: int
    ber: int
    rscp: int
    ecno: int
    rsrq: int
    rsrp: int

    @property
    def rsrp_dbm(self) -> float | None:
        return rsrp_dbm(self.rsrp)

    @property
    def rsrq_db(self) -> float | None:
        return rsrq_db(self.rsrq)

    @property
    def rsrp_bound(self) -> str:
        return bound(self.rsrp, 97)

    @property
    def rsrq_bound(self) -> str:
        return bound(self.rsrq, 34)

    @property
    def detected(self) -> bool:
        return self.rsrp != 255 and self.rsrq != 255


def parse_cesq(line: str) -> Cesq:
    fields = split_fields(body(line, "+CESQ:"))
    if len(fields) != 6:
        raise ParseError("+CESQ", line)
    values = [int_field(f, "+CESQ", line) for f in fields]
    try:
        rsrp_dbm(values[5]), rsrq_db(values[4])
    except ValueError:
        raise ParseError("+CESQ", line) from None
    return Cesq(*values)


# ---------------------------------------------------------------- +COPS, +BGLTEPLMN
@dataclass(frozen=True)
class Operator:
    stat: int
    long_name: str
    short_name: str
    numeric: str
    act: int | None
    rsrp_dbm: float | None = None  # +BGLTEPLMN only


@dataclass(frozen=True)
class CopsState:
    mode: int
    format: int | None = None
    oper: str | None = None
    act: int | None = None


@dataclass(frozen=True)
class ScanResult:
    operators: list[Operator]
    modes: str  # "(0,1,2,3,4)"
    formats: str  # "(0,1,2)"


def parse_cops_read(line: str) -> CopsState:
    fields = split_fields(body(line, "+COPS:"))
    mode = int_field(fields[0], "+COPS", line)
    rest = [*fields[1:], "", "", ""]
    return CopsState(
        mode,
        opt_int_field(rest[0], "+COPS", line),
        unquote(rest[1]) or None,
        opt_int_field(rest[2], "+COPS", line),
    )


def _tuples(body: str, line: str, what: str) -> list[list[str]]:
    """The parenthesised groups of a test-form reply; empty fields between them are skipped."""
    groups = []
    for field in split_fields(body):
        if field.startswith("(") and field.endswith(")"):
            groups.append(split_fields(field[1:-1]))
        elif field:
            raise ParseError(what, line)
    return groups


def parse_cops_test(line: str) -> ScanResult:
    """`+COPS: (2,"T-Mobile USA, In","TMO","310260",7),,(0,1,2,3,4),(0,1,2)`."""
    groups = _tuples(body(line, "+COPS:"), line, "+COPS=?")
    ops, lists = [], []
    for g in groups:
        if len(g) >= 4 and any(f.startswith('"') for f in g):
            act = opt_int_field(g[4], "+COPS=?", line) if len(g) > 4 else None
            ops.append(
                Operator(
                    int_field(g[0], "+COPS=?", line),
                    unquote(g[1]),
                    unquote(g[2]),
                    unquote(g[3]),
                    act,
                )
            )
        else:
            lists.append("(" + ",".join(g) + ")")
    if len(lists) < 2:
        raise ParseError("+COPS=?", line)
    return ScanResult(ops, lists[-2], lists[-1])


def parse_bgltplmn(line: str) -> ScanResult:
    """`+BGLTEPLMN: (1,,,"00101",7,-8950),,(0,1,2)`: RSRP in hundredths of dBm (guide 1.2.2)."""
    groups = _tuples(body(line, "+BGLTEPLMN:"), line, "+BGLTEPLMN")
    ops, lists = [], []
    for g in groups:
        if len(g) == 6:
            ops.append(
                Operator(
                    int_field(g[0], "+BGLTEPLMN", line),
                    unquote(g[1]),
                    unquote(g[2]),
                    unquote(g[3]),
                    opt_int_field(g[4], "+BGLTEPLMN", line),
                    int_field(g[5], "+BGLTEPLMN", line) / 100,
                )
            )
        else:
            lists.append("(" + ",".join(g) + ")")
    if not lists:
        raise ParseError("+BGLTEPLMN", line)
    return ScanResult(ops, "", lists[-1])


# ---------------------------------------------------------------- calls
def _the_line(response, prefix: str) -> str:
    """The one information line starting with prefix, prefix included (the parsers want it)."""
    found = [ln for ln in response.lines if ln.startswith(prefix)]
    if len(found) != 1:
        raise ParseError(prefix, "\n".join(response.lines))
    return found[0]


class NetworkCommands:
    def __init__(self, at: AtChannel) -> None:
        self._at = at

    def registration(self) -> Cereg:
        return parse_cereg(_the_line(self._at.command("AT+CEREG?"), "+CEREG:"), solicited=True)

    def set_registration_reports(self, n: int) -> None:
        self._at.command(f"AT+CEREG={n}")

    def wait_registration(
        self, stats: tuple[int, ...] = REGISTERED, timeout: float = 180.0
    ) -> Cereg:
        """Poll AT+CEREG? until <stat> is one of `stats` (the URCs may be disabled)."""
        deadline = Deadline(timeout)
        while True:
            reg = self.registration()
            if reg.stat in stats or deadline.expired:
                if reg.stat not in stats:
                    raise TimeoutError(
                        f"registration still {reg.stat} ({reg.meaning}) after {timeout:.0f} s"
                    )
                return reg
            time.sleep(min(0.05, deadline.remaining))  # polling: the read form has no event

    def signal(self) -> Cesq:
        return parse_cesq(_the_line(self._at.command("AT+CESQ"), "+CESQ:"))

    def operator(self) -> CopsState:
        return parse_cops_read(_the_line(self._at.command("AT+COPS?"), "+COPS:"))

    def scan_operators(self) -> ScanResult:
        return parse_cops_test(_the_line(self._at.command("AT+COPS=?"), "+COPS:"))

    def scan_plmns(self) -> ScanResult:
        return parse_bgltplmn(_the_line(self._at.command("AT+BGLTEPLMN=?"), "+BGLTEPLMN:"))

    def select_operator(
        self,
        mode: int,
        fmt: int | None = None,
        oper: str | None = None,
        act: int | None = None,
    ) -> None:
        parts = [str(mode)] + ([str(fmt)] if fmt is not None else [])
        if oper is not None:
            parts.append(f'"{oper}"')
        if act is not None:
            parts.append(str(act))
        self._at.command("AT+COPS=" + ",".join(parts))

    def attached(self) -> bool:
        return self._at.command("AT+CGATT?").one("+CGATT:") == "1"

    def attach(self, on: bool = True) -> None:
        self._at.command(f"AT+CGATT={int(on)}")

    def autoconnect(self) -> int:
        return int_field(
            self._at.command("AT+SQNAUTOCONNECT?").one("+SQNAUTOCONNECT:"), "+SQNAUTOCONNECT", ""
        )

    def set_autoconnect(self, on: bool) -> None:
        self._at.command(f"AT+SQNAUTOCONNECT={int(on)}")

    def auto_attach(self) -> int:
        return int_field(self._at.command("AT^AUTOATT?").one("^AUTOATT:"), "^AUTOATT", "")

    def set_auto_attach(self, on: bool) -> None:
        self._at.command(f"AT^AUTOATT={int(on)}")

    # PDP
    def contexts(self) -> dict[int, PdpContext]:
        return parse_cgdcont(
            [ln for ln in self._at.command("AT+CGDCONT?").lines if ln.startswith("+CGDCONT:")]
        )

    def define_context(self, cid: int, pdp_type: str, apn: str) -> None:
        self._at.command(f'AT+CGDCONT={cid},"{pdp_type}","{apn}"')

    def undefine_context(self, cid: int) -> None:
        self._at.command(f"AT+CGDCONT={cid}")

    def activation(self) -> dict[int, bool]:
        return parse_cgact(
            [ln for ln in self._at.command("AT+CGACT?").lines if ln.startswith("+CGACT:")]
        )

    def activate(self, cid: int, on: bool = True) -> None:
        self._at.command(f"AT+CGACT={int(on)},{cid}")

    def dynamic_params(self, cid: int | None = None) -> list[DynamicParams]:
        line = "AT+CGCONTRDP" if cid is None else f"AT+CGCONTRDP={cid}"
        return parse_cgcontrdp(
            [ln for ln in self._at.command(line).lines if ln.startswith("+CGCONTRDP")]
        )
