"""Sockets that wait for a peer (reference 6.12, MON 13.6-13.8).

TCP: `AT+SQNSL` to listen, `+SQNSRING: <connId>` when a peer connects, `AT+SQNSA` to take it
(online: CONNECT; command mode: OK), `AT+SQNSH` to refuse it. UDP: `AT+SQNSLUDP` to listen;
the first datagram is a peer knocking, taken or refused the same way, and a UDP listener the
network drops ends with `+SQNSLUDP: ABORTED` (the reference's one line on it; the rest is
GUESSES.md). `+SQNSS` shows 4 (listening) and 5 (a peer waiting).

A listener is a real socket on the module's side of the simulated PDN, which is this
machine's loopback (GUESSES.md); it takes one peer, and stops listening.
"""

from __future__ import annotations

import socket

from .context import ServiceContext
from .engine import Pending, Spec
from .errors import CmeFail, SyntaxFail
from .lexer import Args
from .socket_state import INCOMING, LISTENING, Sock, SocketTable

__all__ = ["Listening"]

NOT_ALLOWED = 3
PDN_SIDE = "127.0.0.1"  # where the simulated PDN's peers are: this machine's loopback
UDP_ABORTED = "+SQNSLUDP: ABORTED"


class Listening:
    def __init__(self, ctx: ServiceContext, sockets: SocketTable) -> None:
        self._ctx = ctx
        self._sockets = sockets

    def specs(self) -> dict[str, Spec]:
        def listeners(prefix: str, udp: bool) -> list[str]:
            return [
                f"{prefix}: {s.conn_id}"
                for s in self._sockets.socks.values()
                if s.state == LISTENING and s.udp == udp
            ]

        return {
            "+SQNSL": Spec(
                read=lambda: listeners("+SQNSL", udp=False),
                set=self._listen_tcp,
                test=lambda: ["+SQNSL: (1-6),(0,1),(1-65535),(0-65535)"],
            ),
            "+SQNSLUDP": Spec(
                read=lambda: listeners("+SQNSLUDP", udp=True),
                set=self._listen_udp,
                test=lambda: ["+SQNSLUDP: (1-6),(0,1),(1-65535)"],
            ),
            "+SQNSA": Spec(set=self._accept, test=lambda: ["+SQNSA: (1-6),(0,1)"]),
        }

    def _listen_tcp(self, args: Args) -> list[str]:
        args.at_most(4)
        conn_id = args.int(0, lo=1, hi=6)
        listen = args.int(1, choices=(0, 1)) == 1
        port = args.int(2, lo=1, hi=65535)
        args.int(3, default=0, lo=0, hi=65535)  # lingerT: how long a peer may wait, not modelled
        return self._listen(conn_id, port, udp=False) if listen else self._stop(conn_id, False)

    def _listen_udp(self, args: Args) -> list[str]:
        args.at_most(3)
        conn_id = args.int(0, lo=1, hi=6)
        if args.int(1, choices=(0, 1)) == 0:
            if args.present(2):
                args.int(2, lo=1, hi=65535)
            return self._stop(conn_id, True)
        return self._listen(conn_id, args.int(2, lo=1, hi=65535), udp=True)

    def _stop(self, conn_id: int, udp: bool) -> list[str]:
        s = self._sockets.socks[conn_id]
        if s.state != LISTENING or s.udp != udp:
            raise CmeFail(NOT_ALLOWED)
        self._sockets.close(s)
        return []

    def _listen(self, conn_id: int, port: int, udp: bool) -> list[str]:
        s = self._sockets.closed_socket_on_a_pdn(conn_id)
        server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
        try:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((PDN_SIDE, port))
            if not udp:
                server.listen(1)
        except OSError:
            server.close()
            raise CmeFail(NOT_ALLOWED) from None  # the port is taken
        server.setblocking(False)
        s.open(LISTENING, udp)
        s.sock = server
        s.local, s.remote = ("0.0.0.0", port), ("", 0)  # the MON example's listening line
        gen = s.generation
        incoming = self._datagram if udp else self._peer
        self._ctx.loop.add_reader(server.fileno(), lambda: incoming(s, gen))
        return []

    def _peer(self, s: Sock, gen: int) -> None:
        server = s.sock
        if s.generation != gen or s.state != LISTENING or server is None:
            return
        try:
            peer, address = server.accept()
        except (BlockingIOError, InterruptedError):
            return
        self._ctx.loop.forget(server.fileno())
        server.close()
        s.sock = peer
        self._knocked(s, gen, address)

    def _datagram(self, s: Sock, gen: int) -> None:
        """The first datagram: the listener becomes a socket bound to its sender, holding it."""
        sock = s.sock
        if s.generation != gen or s.state != LISTENING or sock is None:
            return
        try:
            data, address = sock.recvfrom(65536)
            sock.connect(address)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return  # an ICMP error from an earlier send: still listening
        self._ctx.loop.forget(sock.fileno())
        s.buffer += data
        s.received += len(data)
        self._knocked(s, gen, address)

    def _knocked(self, s: Sock, gen: int, address: tuple[str, int]) -> None:
        s.state, s.remote = INCOMING, address[:2]
        s.local = (self._sockets.pdn_address(), s.local[1])
        assert s.sock is not None
        if self._sockets.ext(s.conn_id)[3] == 1:  # listenAutoRsp: taken in command mode
            self._sockets.connected(s, gen, s.sock, False, Pending())
        self._ctx.urc(f"+SQNSRING: {s.conn_id}")

    def _accept(self, args: Args) -> Pending:
        args.at_most(2)
        s = self._sockets.socks[args.int(0, lo=1, hi=6)]
        online = args.int(1, default=0, choices=(0, 1)) == 0
        if s.state != INCOMING or s.sock is None:
            raise SyntaxFail("no incoming connection to accept")  # the reference: ERROR
        pending = Pending()
        # after the command returns, as AT+SQNSO does: CONNECT goes out before any data held
        self._ctx.after(
            self._ctx.profile.command,
            self._sockets.connected,
            s,
            s.generation,
            s.sock,
            online,
            pending,
        )
        return pending

    def network_lost(self, s: Sock) -> bool:
        """A UDP listener the network dropped says so in its own words; True if `s` was one."""
        if s.state != LISTENING or not s.udp:
            return False
        self._sockets.close(s)
        self._ctx.urc(UDP_ABORTED)
        return True
