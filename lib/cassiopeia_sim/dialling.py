"""Dialling a socket (reference 6.3, guide 3): `AT+SQNSD` resolves the host by the module's
own names, connects on a worker thread (a TCP connect may take connTo), and hands the
connection to the sockets; a dial that fails answers NO CARRIER.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from .context import ServiceContext
from .engine import Pending, Spec
from .errors import CmeFail
from .lexer import Args
from .socket_state import CLOSED, OPENING, Sock, SocketTable

__all__ = ["Dialling"]

NO_SERVICE = 30


class Dialling:
    def __init__(
        self, ctx: ServiceContext, sockets: SocketTable, resolve: Callable[[str], str]
    ) -> None:
        self._ctx = ctx
        self._sockets = sockets
        self._resolve = resolve  # a name by the module's own table (routing.py)

    def specs(self) -> dict[str, Spec]:
        return {
            "+SQNSD": Spec(
                set=self._dial,
                test=lambda: ["+SQNSD: (1-6),(0-1),(0-65535),,(0,255),(0-65535),(0-1)"],
            ),
        }

    def _dial(self, args: Args) -> Pending:
        args.at_most(8)
        conn_id = args.int(0, lo=1, hi=6)
        udp = args.int(1, choices=(0, 1)) == 1
        port = args.int(2, lo=0, hi=65535)
        host = args.str(3, quoted=True, max_len=253)
        args.int(4, default=0, choices=(0, 255))
        local_port = args.int(5, default=0, lo=0, hi=65535)
        online = args.int(6, default=0, choices=(0, 1)) == 0
        if args.present(7):
            args.int(7, choices=(0, 1))
        s = self._sockets.closed_socket_on_a_pdn(conn_id)
        try:
            address = self._resolve(host)
        except OSError:
            raise CmeFail(NO_SERVICE) from None
        s.open(OPENING, udp)
        pending = Pending()
        timeout = self._sockets.cfg(conn_id)[3] / 10 or 60.0
        threading.Thread(
            target=self._connect,
            args=(s, s.generation, address, port, local_port, timeout, online, pending),
            daemon=True,
        ).start()
        return pending

    def _connect(
        self,
        s: Sock,
        gen: int,
        address: str,
        port: int,
        local_port: int,
        timeout: float,
        online: bool,
        pending: Pending,
    ) -> None:
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if s.udp else socket.SOCK_STREAM)
            if s.udp and local_port:
                sock.bind(("127.0.0.1", local_port))
            sock.settimeout(timeout)
            sock.connect((address, port))
            sock.settimeout(None)
        except OSError:
            self._ctx.loop.call_soon(self._dial_failed, s, gen, pending)
            return
        self._ctx.loop.call_soon(self._sockets.connected, s, gen, sock, online, pending)

    def _dial_failed(self, s: Sock, gen: int, pending: Pending) -> None:
        if s.generation == gen:
            s.state = CLOSED
            pending.resolve(final="NO CARRIER")  # as TinyGSM and the reference's tables expect
