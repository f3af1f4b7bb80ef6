"""A socket that waits for a peer (reference 6.12, MON 13.6-13.8): `AT+SQNSL` to listen,
`+SQNSRING: <connId>` when a peer connects, `AT+SQNSA` to take it (online: CONNECT; command
mode: OK), `AT+SQNSH` to refuse it. `+SQNSS` shows 4 (listening) and 5 (a peer waiting).

The listening socket is a real TCP socket on the module's side of the simulated PDN, which is
this machine's loopback (GUESSES.md); a listening socket takes one peer, and stops listening.
UDP listening (`AT+SQNSLUDP`) is not modelled.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from .engine import Pending, Spec
from .errors import CmeFail, SyntaxFail
from .lexer import Args
from .socket_state import INCOMING, LISTENING, Sock

if TYPE_CHECKING:
    from .sockets import Sockets

__all__ = ["Listening"]

NOT_ALLOWED = 3
PDN_SIDE = "127.0.0.1"  # where the simulated PDN's peers are: this machine's loopback


class Listening:
    def __init__(self, sockets: Sockets) -> None:
        self._sockets = sockets

    def specs(self) -> dict[str, Spec]:
        return {
            "+SQNSL": Spec(
                read=lambda: [
                    f"+SQNSL: {s.conn_id}"
                    for s in self._sockets.socks.values()
                    if s.state == LISTENING
                ],
                set=self._listen,
                test=lambda: ["+SQNSL: (1-6),(0,1),(1-65535),(0-65535)"],
            ),
            "+SQNSA": Spec(set=self._accept, test=lambda: ["+SQNSA: (1-6),(0,1)"]),
        }

    def _listen(self, args: Args) -> list[str]:
        args.at_most(4)
        conn_id = args.int(0, lo=1, hi=6)
        listen = args.int(1, choices=(0, 1)) == 1
        port = args.int(2, lo=1, hi=65535)
        args.int(3, default=0, lo=0, hi=65535)  # lingerT: how long a peer may wait, not modelled
        if not listen:
            s = self._sockets.socks[conn_id]
            if s.state != LISTENING:
                raise CmeFail(NOT_ALLOWED)
            self._sockets.close(s)
            return []
        s = self._sockets.closed_socket_on_a_pdn(conn_id)
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((PDN_SIDE, port))
            server.listen(1)
        except OSError:
            server.close()
            raise CmeFail(NOT_ALLOWED) from None  # the port is taken
        server.setblocking(False)
        s.sock, s.state, s.udp = server, LISTENING, False
        s.local, s.remote = ("0.0.0.0", port), ("", 0)  # the MON example's listening line
        s.generation += 1
        gen = s.generation
        self._sockets.module.loop.add_reader(server.fileno(), lambda: self._incoming(s, gen))
        return []

    def _incoming(self, s: Sock, gen: int) -> None:
        server = s.sock
        if s.generation != gen or s.state != LISTENING or server is None:
            return
        try:
            peer, address = server.accept()
        except (BlockingIOError, InterruptedError):
            return
        self._sockets.module.loop.forget(server.fileno())
        server.close()
        s.sock, s.state, s.remote = peer, INCOMING, address[:2]
        s.local = (self._sockets.pdn_address(), s.local[1])
        auto = self._sockets.ext(s.conn_id)[3] == 1  # listenAutoRsp: taken in command mode
        if auto:
            self._sockets.connected(s, gen, peer, False, Pending())
        self._sockets.module.urc(f"+SQNSRING: {s.conn_id}")

    def _accept(self, args: Args) -> Pending:
        args.at_most(2)
        s = self._sockets.socks[args.int(0, lo=1, hi=6)]
        online = args.int(1, default=0, choices=(0, 1)) == 0
        if s.state != INCOMING or s.sock is None:
            raise SyntaxFail("no incoming connection to accept")  # the reference: ERROR
        pending = Pending()
        self._sockets.connected(s, s.generation, s.sock, online, pending)
        return pending
