"""The module's real-time clock (guide 2.2): +CCLK read and set, +CTZU.

The RTC starts at the epoch-like time of an unsynchronised module (reference 4.7)
at every power-up and advances with the host's monotonic time.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from .engine import Spec
from .errors import SyntaxFail
from .lexer import Args
from .nvstore import NvStore

__all__ = ["RealTimeClock", "format_cclk", "parse_cclk"]

_CCLK = re.compile(r"^(\d{2})/(\d{2})/(\d{2}),(\d{2}):(\d{2}):(\d{2})([+-])(\d{2})$")
_POWER_UP = datetime(1970, 1, 1)


def parse_cclk(text: str) -> tuple[datetime, int]:
    """`yy/MM/dd,hh:mm:ss±zz` -> (local time, offset in quarter hours); SyntaxFail if invalid."""
    m = _CCLK.match(text)
    if not m:
        raise SyntaxFail(f"bad time {text!r}")
    yy, mo, dd, hh, mi, ss, sign, zz = m.groups()
    quarters = int(zz) * (1 if sign == "+" else -1)
    if not -96 <= quarters <= 96:
        raise SyntaxFail("time zone out of range")
    try:
        return datetime(2000 + int(yy), int(mo), int(dd), int(hh), int(mi), int(ss)), quarters
    except ValueError as exc:  # 30 February, hour 24...
        raise SyntaxFail(str(exc)) from exc


def format_cclk(moment: datetime, quarters: int) -> str:
    sign = "+" if quarters >= 0 else "-"
    return moment.strftime("%y/%m/%d,%H:%M:%S") + f"{sign}{abs(quarters):02d}"


class RealTimeClock:
    def __init__(self, nv: NvStore) -> None:
        self._nv = nv
        self.power_up()

    def power_up(self) -> None:
        self._base, self._quarters, self._at = _POWER_UP, 0, time.monotonic()

    def now(self) -> tuple[datetime, int]:
        return self._base + timedelta(seconds=time.monotonic() - self._at), self._quarters

    def set(self, moment: datetime, quarters: int) -> None:
        self._base, self._quarters, self._at = moment, quarters, time.monotonic()

    def specs(self) -> dict[str, Spec]:
        nv = self._nv
        return {
            "+CCLK": Spec(
                read=lambda: [f'+CCLK: "{format_cclk(*self.now())}"'],
                set=self._cclk_set,
                test=list,
            ),
            "+CTZU": Spec(
                read=lambda: [f"+CTZU: {nv['ctzu']}"],
                set=self._ctzu_set,
                test=lambda: ["+CTZU: (0,1)"],
            ),
        }

    def _cclk_set(self, args: Args) -> list[str]:
        args.at_most(1)
        self.set(*parse_cclk(args.str(0, quoted=True)))
        return []

    def _ctzu_set(self, args: Args) -> list[str]:
        args.at_most(1)
        self._nv["ctzu"] = args.int(0, choices=(0, 1))
        return []
