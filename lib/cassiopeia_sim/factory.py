"""`AT+SQNSFACTORYRESET` (reference 5.4): the settings the module keeps go back to the
factory's, finalised by the next reboot ("reboot needed to finalise"); until then the module
runs on as it was."""

from __future__ import annotations

from .engine import Spec
from .nvstore import NvStore

__all__ = ["FactoryReset"]


class FactoryReset:
    def __init__(self, nv: NvStore) -> None:
        self._nv = nv
        self.pending = False

    def specs(self) -> dict[str, Spec]:
        return {"+SQNSFACTORYRESET": Spec(exec=self._request, test=list)}

    def _request(self) -> list[str]:
        self.pending = True
        return []

    def on_reset(self) -> None:
        """At the reboot: the factory's settings, if they were asked for."""
        if self.pending:
            self._nv.factory_reset()
            self.pending = False
