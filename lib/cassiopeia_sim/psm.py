"""Power saving (27.007 7.38, 7.40, 7.41): +CPSMS, +CEDRXS, +CEDRXRDP and the +CEDRXP URC;
the PSM timers the network granted, which +CEREG shows with n=4 and n=5 (10.1.22).

A room of its own: it hears registration changes and says URCs through what the module hands
it, and the network reads its granted timers through `granted_timers`. What a network grants
is the bench's; the simulated one grants what was asked (GUESSES.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .engine import Spec
from .errors import SyntaxFail
from .lexer import Args

__all__ = ["PowerSaving"]

_BYTE = re.compile(r"^[01]{8}$")  # a GPRS Timer 2/3 value (24.008), one byte as bits
_HALF_BYTE = re.compile(r"^[01]{4}$")  # an eDRX cycle or paging time window (24.008)
ACTS = (4, 5)  # E-UTRAN WB-S1 (Cat-M) and NB-S1
PAGING_WINDOW = "0000"  # the simulated network's paging time window: 1.28 s (GUESSES)


class PowerSaving:
    def __init__(self, urc: Callable[[str], None], registered: Callable[[], bool]) -> None:
        self._urc, self._registered = urc, registered
        self.power_down()

    def power_down(self) -> None:
        """+CPSMS and +CEDRXS settings are the host's to make after each boot (GUESSES)."""
        self.psm = 0
        self.timers: list[str | None] = [None, None, None, None]  # RAU, READY, TAU, Active
        self.edrx: dict[int, tuple[int, str]] = {}  # AcT -> (mode, requested value)

    def registration_changed(self) -> None:
        """A network stat listener: the network's eDRX parameters come with a registration."""
        if self._registered():
            for act, (mode, value) in sorted(self.edrx.items()):
                if mode == 2:
                    self._urc(f'+CEDRXP: {act},"{value}","{value}","{PAGING_WINDOW}"')

    def granted_timers(self) -> tuple[str, str] | None:
        """(Active-Time, Periodic-TAU) the network granted: what was asked, while PSM is on."""
        active, tau = self.timers[3], self.timers[2]
        if not self.psm or not self._registered() or active is None or tau is None:
            return None
        return active, tau

    def specs(self) -> dict[str, Spec]:
        return {
            "+CPSMS": Spec(
                read=self._cpsms_read,
                set=self._cpsms_set,
                test=lambda: ['+CPSMS: (0-2),,,("00000000"-"11111111"),("00000000"-"11111111")'],
            ),
            "+CEDRXS": Spec(
                read=lambda: [f'+CEDRXS: {a},"{v}"' for a, (m, v) in sorted(self.edrx.items())],
                set=self._cedrxs_set,
                test=lambda: ['+CEDRXS: (0-3),(4,5),("0000"-"1111")'],
            ),
            "+CEDRXRDP": Spec(exec=self._cedrxrdp, test=list),
        }

    def _cpsms_read(self) -> list[str]:
        shown = ",".join(f'"{t}"' if t is not None else "" for t in self.timers)
        return [f"+CPSMS: {self.psm},{shown}"]

    def _cpsms_set(self, args: Args) -> list[str]:
        args.at_most(5)
        mode = args.int(0, default=0, choices=(0, 1, 2))
        timers = [args.str(i, default="") or None for i in range(1, 5)]
        if any(t is not None and not _BYTE.match(t) for t in timers):
            raise SyntaxFail('a PSM timer is one byte of bits, such as "00100100"')
        bare = all(args.str(i, default="") == "" for i in range(len(args)))  # AT+CPSMS=
        if mode == 2 or bare:  # 27.007: off, and the values removed
            self.psm, self.timers = 0, [None, None, None, None]
            return []
        self.psm = mode
        self.timers = [
            new if new is not None else old for new, old in zip(timers, self.timers, strict=True)
        ]
        return []

    def _cedrxs_set(self, args: Args) -> list[str]:
        args.at_most(3)
        mode = args.int(0, default=0, choices=(0, 1, 2, 3))
        act = args.int(1, default=4, choices=ACTS)
        value = args.str(2, default="") or self.edrx.get(act, (0, "0010"))[1]
        if not _HALF_BYTE.match(value):
            raise SyntaxFail('an eDRX value is four bits, such as "0101"')
        if mode in (0, 3) or len(args) == 0:
            if len(args) == 0 or mode == 3:
                self.edrx.clear()
            else:
                self.edrx.pop(act, None)
            return []
        self.edrx[act] = (mode, value)
        return []

    def _cedrxrdp(self) -> list[str]:
        if not self._registered() or 4 not in self.edrx:  # the simulated cell is Cat-M (AcT 7)
            return ["+CEDRXRDP: 0"]  # the network does not use eDRX
        value = self.edrx[4][1]
        return [f'+CEDRXRDP: 4,"{value}","{value}","{PAGING_WINDOW}"']
