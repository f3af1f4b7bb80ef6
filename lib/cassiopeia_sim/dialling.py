"""Dialling a socket (reference 6.3, guide 3): `AT+SQNSD` resolves the host by the module's
own names, connects without blocking the loop (a TCP connect may take connTo), and hands the
connection to the sockets; a dial that fails answers NO CARRIER.
"""

from __future__ import annotations

import errno
import socket
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
        self._connect(s, (address, port), local_port, timeout, online, pending)
        return pending

    def _connect(
        self,
        s: Sock,
        peer: tuple[str, int],
        local_port: int,
        timeout: float,
        online: bool,
        pending: Pending,
    ) -> None:
        """A non-blocking connect, settled on the loop by the first of: the socket writable (made
        or refused), or connTo gone by. Settled for a socket reopened meanwhile, it is dropped."""
        gen, loop = s.generation, self._ctx.loop
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if s.udp else socket.SOCK_STREAM)
        try:
            if s.udp and local_port:
                sock.bind(("127.0.0.1", local_port))
            sock.setblocking(False)
            error = sock.connect_ex(peer)
        except OSError as exc:
            error = exc.errno or errno.EIO
        if error not in (errno.EINPROGRESS, errno.EWOULDBLOCK):
            loop.call_soon(self._settle, s, gen, sock, error, online, pending)
            return
        fd = sock.fileno()

        def settle(error: int) -> None:
            loop.forget(fd)
            timer.cancel()
            self._settle(s, gen, sock, error, online, pending)

        # the loop's own timer, not the module's: a reset must not leave the attempt open
        timer = loop.call_later(timeout, settle, errno.ETIMEDOUT)
        loop.add_writer(fd, lambda: settle(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)))

    def _settle(
        self, s: Sock, gen: int, sock: socket.socket, error: int, online: bool, pending: Pending
    ) -> None:
        if error:
            sock.close()
            if s.generation == gen:
                s.state = CLOSED
                pending.resolve(final="NO CARRIER")  # as TinyGSM and the reference's tables expect
            return
        self._sockets.connected(s, gen, sock, online, pending)
