"""Settings the module keeps across AT^RESET, in one place.

A firmware upgrade erases them back to factory values (guide 2.3.1: "all the
previous settings ... will be reset").
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["FACTORY", "NvStore"]

FACTORY: dict[str, Any] = {
    "autoconnect": 1,  # +SQNAUTOCONNECT, guide 1.2.2: enabled by default, persistent
    "bypass": "enable",  # +SQNBYPASS, guide 3: bypass by default, effective after reboot
    "cmee": 0,  # +CMEE, persistent on Sequans (reference 2.6); default a guess
    "ctzu": 0,  # +CTZU
    # +CGDCONT contexts (persistent, reference 3.9); the guide's test network APN at the factory
    "pdp": [{"cid": 1, "type": "IP", "apn": "test123", "auth": [0, "", ""]}],
    # +SQNSCFG (cid, pktSz, maxTo, connTo, txTo) and +SQNSCFGEXT (srMode, recvDataMode, keepalive,
    # listenAutoRsp, sendDataMode, 2 unused) per socket: NV on Sequans (reference 6)
    "sockets": {
        str(i): {"cfg": [1, 300, 90, 600, 50], "ext": [0, 0, 0, 0, 0, 0, 0]} for i in range(1, 7)
    },
}


class NvStore:
    def __init__(self, **overrides: Any) -> None:
        self._values = copy.deepcopy(FACTORY)
        self._values.update(overrides)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._values and key not in FACTORY:
            self._values.setdefault(key, value)
        self._values[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def setdefault(self, key: str, value: Any) -> Any:
        return self._values.setdefault(key, value)

    def factory_reset(self) -> None:
        self._values = copy.deepcopy(FACTORY)

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self._values)
