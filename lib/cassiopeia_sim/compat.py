"""Commands of the 2G/3G era that third-party clients send (gammu, ModemManager, TinyGSM):
+CSQ, +CREG, +CGREG and +CBC. An LTE-only module answers them from its EPS state; how, the
public Sequans material does not say (27.007 supplement), so each answer is a row of
GUESSES.md. Formats: 3GPP 27.007 8.5 (+CSQ), 7.2 (+CREG), 10.1.20 (+CGREG), 8.4 (+CBC).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .engine import Spec
from .lexer import Args
from .network import Network

__all__ = ["Compat"]

# RSSI from RSRP over a 10 MHz carrier (50 resource blocks, 600 subcarriers): +10 log10(600)
_RSSI_OVER_RSRP = 27.8


def csq_rssi(rsrp_dbm: float) -> int:
    """27.007 8.5: 0 for -113 dBm or less, 2 dBm steps, 31 for -51 dBm or more."""
    return max(0, min(31, math.floor((rsrp_dbm + _RSSI_OVER_RSRP + 113) / 2)))


class Compat:
    def __init__(self, network: Network, urc: Callable[[str], None]) -> None:
        self._network = network
        self._urc = urc
        self.n = {"+CREG": 0, "+CGREG": 0}  # volatile, as +CEREG's <n>
        network.stat_listeners.append(self._stat_changed)

    def power_down(self) -> None:
        self.n = dict.fromkeys(self.n, 0)

    def specs(self) -> dict[str, Spec]:
        return {
            "+CSQ": Spec(exec=self._csq, test=lambda: ["+CSQ: (0-31,99),(0-7,99)"]),
            "+CREG": self._registration("+CREG"),
            "+CGREG": self._registration("+CGREG"),
            # a module on its board's supply: no battery connected (27.007 8.4 <bcs> 2)
            "+CBC": Spec(exec=lambda: ["+CBC: 2,0"], test=lambda: ["+CBC: (0-3),(0-100)"]),
        }

    def _csq(self) -> list[str]:
        net = self._network
        cell = net.serving if net.radio_on_now and net.coverage else None
        return [f"+CSQ: {csq_rssi(cell.rsrp_dbm)},99" if cell else "+CSQ: 99,99"]

    def _registration(self, prefix: str) -> Spec:
        def set_n(args: Args) -> list[str]:
            args.at_most(1)
            self.n[prefix] = args.int(0, default=0, lo=0, hi=3)
            return []

        return Spec(
            read=lambda: [f"{prefix}: {self.n[prefix]},{self._fields(prefix)}"],
            set=set_n,
            test=lambda: [f"{prefix}: (0-3)"],
        )

    def _fields(self, prefix: str) -> str:
        """<stat>[,"<lac>","<ci>",<AcT>] following EPS registration; +CGREG adds an empty <rac>."""
        net = self._network
        parts = [str(net.stat)]
        cell = net.serving
        if self.n[prefix] >= 2 and cell is not None and net.registered:
            parts += [f'"{cell.tac}"', f'"{cell.ci}"', str(cell.act)]
            if prefix == "+CGREG":
                parts.append("")
        return ",".join(parts)

    def _stat_changed(self) -> None:
        for prefix, n in self.n.items():
            if n:
                self._urc(f"{prefix}: {self._fields(prefix)}")
