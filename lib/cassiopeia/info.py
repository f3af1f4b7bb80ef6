"""Modem and system information (guide 2.1, 2.2): identities, +CCLK, +CTZU, +CFUN."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from atlink import split_fields, unquote

from .errors import ParseError

if TYPE_CHECKING:
    from atlink import AtChannel

__all__ = [
    "Clock",
    "Identity",
    "InfoCommands",
    "Subscriber",
    "format_cclk",
    "parse_cclk",
    "parse_cgsn",
    "parse_cnum",
]

_CCLK = re.compile(r"^(\d{2})/(\d{2})/(\d{2}),(\d{2}):(\d{2}):(\d{2})([+-]\d{1,2})$")


@dataclass(frozen=True)
class Identity:
    manufacturer: str
    model: str
    revision: str
    imei: str


@dataclass(frozen=True)
class Subscriber:
    number: str
    type: int | None  # 129 national/unknown, 145 international; None if the module omits it
    alpha: str = ""


@dataclass(frozen=True)
class Clock:
    local: datetime  # the module's local time
    quarters: int  # time zone offset in quarter hours

    @property
    def aware(self) -> datetime:
        return self.local.replace(tzinfo=timezone(timedelta(minutes=15 * self.quarters)))


def parse_cgsn(lines: list[str]) -> str:
    """`260531793113810`, `+CGSN: 260531793113810` or `+CGSN: "2605..."` -> the digits."""
    texts = [ln for ln in lines if ln.strip()]
    if len(texts) != 1:
        raise ParseError("+CGSN", "\n".join(lines))
    text = texts[0].strip()
    if text.upper().startswith("+CGSN:"):
        text = text[6:].strip()
    value = unquote(text)
    if not value.isdigit():
        raise ParseError("+CGSN", lines[0])
    return value


def parse_cnum(lines: list[str]) -> list[Subscriber]:
    """27.007 `+CNUM: [<alpha>],<number>,<type>` and the guide's `+CNUM: <number>,<n>` form."""
    out = []
    for line in lines:
        if not line.upper().startswith("+CNUM:"):
            raise ParseError("+CNUM", line)
        fields = split_fields(line[6:])
        if len(fields) >= 3 and fields[2].isdigit():
            alpha, number, kind = unquote(fields[0]), unquote(fields[1]), int(fields[2])
        elif len(fields) == 2 and fields[1].isdigit():
            alpha, number, kind = "", unquote(fields[0]), None
        else:
            raise ParseError("+CNUM", line)
        if not re.fullmatch(r"\+?\d+", number):
            raise ParseError("+CNUM", line)
        out.append(Subscriber(number, kind, alpha))
    return out


def parse_cclk(line: str) -> Clock:
    """`+CCLK: "19/10/22,10:06:03+04"` (quoted per 27.007, unquoted in the guide)."""
    text = line.strip()
    if text.upper().startswith("+CCLK:"):
        text = text[6:].strip()
    m = _CCLK.match(unquote(text))
    if not m:
        raise ParseError("+CCLK", line)
    yy, mo, dd, hh, mi, ss, tz = m.groups()
    try:
        century = 1900 if int(yy) >= 70 else 2000  # the pivot of strptime's %y: 70 is 1970
        local = datetime(century + int(yy), int(mo), int(dd), int(hh), int(mi), int(ss))
    except ValueError:
        raise ParseError("+CCLK", line) from None
    return Clock(local, int(tz))


def format_cclk(local: datetime, quarters: int) -> str:
    sign = "+" if quarters >= 0 else "-"
    return local.strftime("%y/%m/%d,%H:%M:%S") + f"{sign}{abs(quarters):02d}"


def _single_int(line: str, prefix: str) -> int:
    text = line.strip()
    if not text.upper().startswith(prefix) or not text[len(prefix) :].strip().isdigit():
        raise ParseError(prefix, line)
    return int(text[len(prefix) :])


class InfoCommands:
    def __init__(self, at: AtChannel) -> None:
        self._at = at

    def identity(self) -> Identity:
        return Identity(self.manufacturer(), self.model(), self.revision(), self.imei())

    def manufacturer(self) -> str:
        return self._at.command("AT+CGMI").text()

    def model(self) -> str:
        return self._at.command("AT+CGMM").text()

    def revision(self) -> str:
        """The firmware revision: the first line of AT+CGMR, which "returns one or more lines"
        (guide 2.1.2); the whole answer is `revision_lines()`."""
        lines = self.revision_lines()
        if not lines:
            raise ParseError("+CGMR", "")
        return lines[0]

    def revision_lines(self) -> list[str]:
        return self._at.command("AT+CGMR").lines

    def imei(self) -> str:
        return parse_cgsn(self._at.command("AT+CGSN").lines)

    def serial(self, snt: int) -> str:
        """AT+CGSN=<snt>: 1 IMEI, 2 IMEISV, 3 SVN."""
        return parse_cgsn(self._at.command(f"AT+CGSN={snt}").lines)

    def imsi(self) -> str:
        value = self._at.command("AT+CIMI").text().strip()
        if not re.fullmatch(r"\d{6,15}", value):
            raise ParseError("+CIMI", value)
        return value

    def subscriber_numbers(self) -> list[Subscriber]:
        return parse_cnum(self._at.command("AT+CNUM").lines)

    def clock(self) -> Clock:
        return parse_cclk(self._at.command("AT+CCLK?").one("+CCLK:"))

    def set_clock(self, local: datetime, quarters: int) -> None:
        self._at.command(f'AT+CCLK="{format_cclk(local, quarters)}"')

    def time_zone_update(self) -> bool:
        return _single_int(self._at.command("AT+CTZU?").lines[0], "+CTZU:") == 1

    def set_time_zone_update(self, enabled: bool) -> None:
        self._at.command(f"AT+CTZU={int(enabled)}")
