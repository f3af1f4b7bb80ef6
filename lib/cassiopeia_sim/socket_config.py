"""Socket configuration (reference 6.1, 6.2): +SQNSCFG and +SQNSCFGEXT, six sockets, kept in NV."""

from __future__ import annotations

from .engine import Spec
from .errors import SyntaxFail
from .lexer import Args
from .nvstore import NvStore

__all__ = ["SocketConfig"]

SOCKETS = range(1, 7)


class SocketConfig:
    def __init__(self, nv: NvStore) -> None:
        self._nv = nv

    def cfg(self, conn_id: int) -> list[int]:
        """cid, pktSz, maxTo, connTo, txTo."""
        return self._nv["sockets"][str(conn_id)]["cfg"]

    def ext(self, conn_id: int) -> list[int]:
        """srMode, recvDataMode, keepalive, listenAutoRsp, sendDataMode, two unused."""
        return self._nv["sockets"][str(conn_id)]["ext"]

    def specs(self) -> dict[str, Spec]:
        return {
            "+SQNSCFG": Spec(
                read=lambda: [f"+SQNSCFG: {i}," + ",".join(map(str, self.cfg(i))) for i in SOCKETS],
                set=self._scfg,
                test=lambda: ["+SQNSCFG: (1-6),(0-6),(0-1500),(0-65535),(0,10-1200),(0-255)"],
            ),
            "+SQNSCFGEXT": Spec(
                read=lambda: [
                    f"+SQNSCFGEXT: {i}," + ",".join(map(str, self.ext(i))) for i in SOCKETS
                ],
                set=self._scfgext,
                test=lambda: ["+SQNSCFGEXT: (1-6),(0-2),(0-1),(0-240),(0-1),(0-1),(0),(0)"],
            ),
        }

    def _scfg(self, args: Args) -> list[str]:
        args.at_most(6)
        conn_id = args.int(0, lo=1, hi=6)
        values = [
            args.int(1, lo=0, hi=6),
            args.int(2, lo=0, hi=1500),
            args.int(3, lo=0, hi=65535),
            args.int(4, lo=0, hi=1200),
            args.int(5, lo=0, hi=255),
        ]
        if 0 < values[3] < 10:
            raise SyntaxFail("connTo is 0 or 10 to 1200")
        self.cfg(conn_id)[:] = values  # in NV: kept across reboots (reference 6)
        return []

    def _scfgext(self, args: Args) -> list[str]:
        args.at_most(8)
        conn_id = args.int(0, lo=1, hi=6)
        values = [
            args.int(1, lo=0, hi=2),
            args.int(2, lo=0, hi=1),
            args.int(3, lo=0, hi=240),
            args.int(4, default=0, lo=0, hi=1),
            args.int(5, default=0, lo=0, hi=1),
            args.int(6, default=0, lo=0, hi=0),
            args.int(7, default=0, lo=0, hi=0),
        ]
        self.ext(conn_id)[:] = values
        return []
