"""Data over UART (guide 3): six sockets over real TCP (or UDP) connections.

Commands: +SQNSCFG, +SQNSCFGEXT, +SQNSS, +SQNSO, +SQNSSEND, +SQNSSENDEXT, +SQNSRECV,
+SQNSH, +SQNSI; a socket opens by dialling (+SQNSD, dialling.py) or listening (+SQNSL,
+SQNSLUDP, +SQNSA, listening.py). URCs: +SQNSRING, +SQNSH. Online mode hands the UART to the
socket until `+++` framed by guard silence (S12) suspends it.

The module's loop reads and writes the sockets (non-blocking). A socket is read only
while its data has somewhere to go, and a slow peer holds the host's input, so TCP's
windows and the UART's RTS/CTS push back end to end as they do on a real module.
"""

from __future__ import annotations

import binascii
import contextlib
import socket
import time

from .context import ServiceContext
from .dialling import Dialling
from .engine import Engine, Pending, Prompt, Reply, Spec
from .errors import CmeFail
from .escape import EscapeDetector
from .lexer import Args
from .listening import Listening
from .network import Network
from .routing import IpRouting
from .socket_config import SocketConfig
from .socket_state import CLOSED, ONLINE, SUSPENDED, SUSPENDED_DATA, Sock

__all__ = ["Sockets"]

MAX_DATA = 1500
# bytes from a peer buffered in command mode; beyond it the socket is not read
RECEIVE_WINDOW = 256 * 1024
# bytes for a peer its TCP window has not taken; beyond it the host's input is held
SEND_WINDOW = 256 * 1024
NOT_ALLOWED, NO_SERVICE = 3, 30
CTRL_Z, ESC, BACKSPACE = 0x1A, 0x1B, 0x08


class Sockets:
    def __init__(
        self, ctx: ServiceContext, engine: Engine, network: Network, routing: IpRouting
    ) -> None:
        self._ctx = ctx
        self._urc = ctx.urc
        self._engine = engine  # the UART's command side: online mode takes it over
        self._network = network  # a socket opens on an active PDN
        self._routing = routing  # bypass and the module's names
        self.socks = {i: Sock(i) for i in range(1, 7)}
        self.online: Sock | None = None
        self._escape = EscapeDetector(
            lambda: self._engine.s12 * 0.02,  # S12 counts fiftieths of a second
            self.to_peer,
            self.escaped,
            self._ctx.after,
        )
        self.dialling = Dialling(ctx, self, routing.resolve)  # +SQNSD
        self.listening = Listening(ctx, self)  # +SQNSL, +SQNSLUDP, +SQNSA
        self.config = SocketConfig(ctx.nv)  # +SQNSCFG, +SQNSCFGEXT
        self._host_ready = True  # the client reads what the module sends (its RTS)
        self._input_held = False  # the module holds the client's input (its CTS)

    # ------------------------------------------------------------ settings
    def cfg(self, conn_id: int) -> list[int]:
        return self.config.cfg(conn_id)

    def ext(self, conn_id: int) -> list[int]:
        return self.config.ext(conn_id)

    def specs(self) -> dict[str, Spec]:
        def status() -> list[str]:
            return [s.status_line() for s in self.socks.values()]

        return {
            **self.config.specs(),
            **self.dialling.specs(),
            **self.listening.specs(),
            "+SQNSS": Spec(exec=status, read=status, test=list),
            "+SQNSI": Spec(
                exec=lambda: [s.info_line() for s in self.socks.values()],
                set=lambda args: [self.socks[args.int(0, lo=1, hi=6)].info_line()],
                test=lambda: ["+SQNSI: (1-6)"],
            ),
            "+SQNSO": Spec(set=self._resume, test=lambda: ["+SQNSO: (1-6)"]),
            "+SQNSSEND": Spec(set=self._send, test=lambda: ["+SQNSSEND: (1-6)"]),
            "+SQNSSENDEXT": Spec(set=self._send_ext, test=lambda: ["+SQNSSENDEXT: (1-6),(1-1500)"]),
            "+SQNSRECV": Spec(set=self._recv, test=lambda: ["+SQNSRECV: (1-6),(1-1500)"]),
            "+SQNSH": Spec(set=self._shutdown, test=lambda: ["+SQNSH: (1-6)"]),
        }

    # ------------------------------------------------ opening: dialling.py, listening.py
    def closed_socket_on_a_pdn(self, conn_id: int) -> Sock:
        """The socket, if it may open now: closed, bypass off, its context's PDN up."""
        s = self.socks[conn_id]
        if s.state != CLOSED:
            raise CmeFail(NOT_ALLOWED)
        if self._routing.bypass_on:
            raise CmeFail(NOT_ALLOWED)  # bypass: IP belongs to the USB/ECM host, not to the UART
        if not self._network.pdn_up(self.cfg(conn_id)[0]):
            raise CmeFail(NO_SERVICE)
        return s

    def connected(
        self, s: Sock, gen: int, sock: socket.socket, online: bool, pending: Pending
    ) -> None:
        """A connection made (dialled, or accepted on a listening socket) becomes the socket's."""
        if s.generation != gen:
            sock.close()
            return
        sock.setblocking(False)
        s.sock = sock
        s.local = (self.pdn_address(), sock.getsockname()[1])
        s.remote = sock.getpeername()[:2]
        s.active_at = time.monotonic()
        self._watch_inactivity(s, gen)
        if online:
            self._go_online(s, pending.resolve)
        else:
            # a command-mode socket shows 2 (reference 6.4); 3 with a UDP peer's first datagram
            s.state = SUSPENDED_DATA if s.buffer else SUSPENDED
            pending.resolve()
            self._update_reading(s)

    def pdn_address(self) -> str:
        return "192.168.3.2"  # the module's address on its PDN (see network._address)

    def _go_online(self, s: Sock, resolve) -> None:
        s.state = ONLINE
        self.online = s
        self._escape.reset()
        # before CONNECT: nothing queued runs as AT
        self._engine.online_sink = self._escape.feed
        resolve(final="CONNECT")
        if s.buffer:
            data, s.buffer[:] = bytes(s.buffer), b""
            self._engine.raw(data)
        self._update_reading(s)

    # ------------------------------------------------------------ traffic
    def _update_reading(self, s: Sock) -> None:
        """Read a socket only while its data has somewhere to go: the client (online, while it
        reads) or the module's buffer (command mode, below its window). Otherwise TCP holds it."""
        if s.sock is None:
            return
        want = self._host_ready if s.state == ONLINE else len(s.buffer) < RECEIVE_WINDOW
        if want == s.reading:
            return
        s.reading = want
        if want:
            gen = s.generation
            self._ctx.loop.add_reader(s.sock.fileno(), lambda: self._readable(s, gen))
        else:
            self._ctx.loop.remove_reader(s.sock.fileno())

    def host_ready(self, ready: bool) -> None:
        self._host_ready = ready
        if self.online is not None:
            self._update_reading(self.online)

    def _readable(self, s: Sock, gen: int) -> None:
        if s.generation != gen or s.sock is None:
            return
        try:
            data = s.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""  # reset, or an ICMP refusal on UDP: the connection is gone
        self._received(s, data)

    def _watch_inactivity(self, s: Sock, gen: int) -> None:
        """maxTo (reference 6.1): a socket with no data either way for that long is closed, as
        a peer's close is reported (GUESSES.md)."""
        max_to = self.cfg(s.conn_id)[2]
        if not max_to or s.generation != gen or s.state == CLOSED:
            return
        idle = time.monotonic() - s.active_at
        if idle >= max_to:
            self._peer_closed(s)
        else:
            self._ctx.after(max_to - idle, self._watch_inactivity, s, gen)

    def _received(self, s: Sock, data: bytes) -> None:
        if not data:
            self._peer_closed(s)
            return
        s.active_at = time.monotonic()
        s.received += len(data)
        if s.state == ONLINE:
            self._engine.raw(data)
            return
        s.buffer += data
        s.state = SUSPENDED_DATA
        self._ring(s)
        self._update_reading(s)

    def _ring(self, s: Sock) -> None:
        sr_mode, hex_mode = self.ext(s.conn_id)[0], self.ext(s.conn_id)[1]
        if sr_mode == 0:
            self._urc(f"+SQNSRING: {s.conn_id}")
        elif sr_mode == 1:
            self._urc(f"+SQNSRING: {s.conn_id},{len(s.buffer)}")
        else:
            data, s.buffer[:] = bytes(s.buffer[:MAX_DATA]), s.buffer[MAX_DATA:]
            view = binascii.hexlify(data).decode().upper() if hex_mode else data.decode("latin-1")
            self._urc(f"+SQNSRING: {s.conn_id},{len(data)},{view}")
            s.state = SUSPENDED_DATA if s.buffer else SUSPENDED

    def _peer_closed(self, s: Sock) -> None:
        was_online = s.state == ONLINE
        self.close(s)
        if was_online:
            self.leave_online()
            self._engine.final("NO CARRIER")
        else:
            self._urc(f"+SQNSH: {s.conn_id}")

    def to_peer(self, data: bytes) -> None:
        s = self.online
        if s is not None and s.sock is not None and not self._push(s, data):
            self._peer_closed(s)

    def _push(self, s: Sock, data: bytes) -> bool:
        """Send now what the socket takes and queue the rest; False if the connection is gone."""
        s.active_at = time.monotonic()
        sock = s.sock
        if sock is None:
            return False
        s.sent += len(data)
        if not s.out:
            try:
                data = data[sock.send(data) :]
            except (BlockingIOError, InterruptedError):
                if s.udp:
                    return True  # a datagram with no room is lost, as UDP's are
            except OSError:
                return False
            if not data:
                return True
            gen = s.generation
            self._ctx.loop.add_writer(sock.fileno(), lambda: self._writable(s, gen))
        s.out += data
        if s is self.online and len(s.out) >= SEND_WINDOW:
            self._hold_input(True)  # the peer is slower than the client: the client waits
        return True

    def _writable(self, s: Sock, gen: int) -> None:
        if s.generation != gen or s.sock is None:
            return
        try:
            del s.out[: s.sock.send(s.out)]
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._peer_closed(s)
            return
        if not s.out:
            self._ctx.loop.remove_writer(s.sock.fileno())
        if self._input_held and len(s.out) < SEND_WINDOW // 2:
            self._hold_input(False)

    def _hold_input(self, hold: bool) -> None:
        if hold != self._input_held:
            self._input_held = hold
            self._ctx.hold_input(hold, "sockets")

    def escaped(self) -> None:
        s = self.online
        if s is not None:
            s.state = SUSPENDED_DATA if s.buffer else SUSPENDED
        self.leave_online()
        self._engine.final("OK")
        if s is not None:
            self._update_reading(s)

    def leave_online(self) -> None:
        self.online = None
        self._hold_input(False)  # AT commands come next: the client is read again
        self._engine.online_sink = None
        self._engine.resume()

    def close(self, s: Sock) -> None:
        """Close the socket (a connection, a listener, a peer waiting to be taken)."""
        if s.sock is not None:
            if not self._ctx.loop.stopped:
                self._ctx.loop.forget(s.sock.fileno())
            if s.out and not s.udp:
                # What the module accepted goes out before the FIN, as a real stack sends it;
                # bounded, for a peer that reads nothing.
                s.sock.settimeout(1.0)
                with contextlib.suppress(OSError):
                    s.sock.sendall(s.out)
            s.sock.close()
        s.out.clear()
        s.sock, s.state, s.reading = None, CLOSED, False
        s.generation += 1

    def network_lost(self) -> None:
        """The PDN or the radio went away: every socket is closed by the network."""
        for s in self.socks.values():
            if s.state != CLOSED and not self.listening.network_lost(s):
                self._peer_closed(s)

    def power_down(self) -> None:
        for s in self.socks.values():
            s.out.clear()  # unsent data is lost with the power
            self.close(s)
            s.buffer.clear()
        self.online = None
        self._hold_input(False)  # a UART client stays through a reset, and is read again

    # ------------------------------------------------------------ command-mode data
    def _connected_sock(self, conn_id: int) -> Sock:
        s = self.socks[conn_id]
        if s.state not in (SUSPENDED, SUSPENDED_DATA):
            raise CmeFail(NOT_ALLOWED)
        return s

    def _resume(self, args: Args) -> Pending:
        args.at_most(1)
        s = self._connected_sock(args.int(0, lo=1, hi=6))
        pending = Pending()
        self._ctx.after(self._ctx.profile.command, self._go_online, s, pending.resolve)
        return pending

    def _send(self, args: Args) -> Prompt:
        args.at_most(1)
        s = self._connected_sock(args.int(0, lo=1, hi=6))
        hex_mode = self.ext(s.conn_id)[4] == 1
        typed = bytearray()

        def consume(data: bytes) -> Reply | None:
            for b in data:
                if b == ESC:
                    return Reply()
                if b == CTRL_Z:
                    return self._transmit(s, bytes(typed), hex_mode)
                if b == BACKSPACE:
                    if typed:
                        typed.pop()
                elif len(typed) < MAX_DATA * (2 if hex_mode else 1):
                    typed.append(b)
            return None

        return Prompt(consume)

    def _send_ext(self, args: Args) -> Prompt:
        args.at_most(3)
        s = self._connected_sock(args.int(0, lo=1, hi=6))
        count = args.int(1, lo=1, hi=MAX_DATA)
        hex_mode = self.ext(s.conn_id)[4] == 1
        want = count * 2 if hex_mode else count
        typed = bytearray()

        def consume(data: bytes) -> Reply | None:
            typed.extend(data[: want - len(typed)])
            return self._transmit(s, bytes(typed), hex_mode) if len(typed) >= want else None

        return Prompt(consume)

    def _transmit(self, s: Sock, data: bytes, hex_mode: bool) -> Reply:
        if hex_mode:
            try:
                data = binascii.unhexlify(data)
            except (binascii.Error, ValueError):
                return Reply(error=CmeFail(NOT_ALLOWED))
        if s.sock is None or not self._push(s, data):
            return Reply(final="NO CARRIER")
        return Reply()

    def _recv(self, args: Args) -> list:
        args.at_most(2)
        conn_id = args.int(0, lo=1, hi=6)
        limit = args.int(1, lo=1, hi=MAX_DATA)
        s = self.socks[conn_id]
        if not s.buffer:
            raise CmeFail(NOT_ALLOWED)  # nothing buffered is an error (reference 6.8)
        data, s.buffer[:] = bytes(s.buffer[:limit]), s.buffer[limit:]
        if s.state == SUSPENDED_DATA and not s.buffer:
            s.state = SUSPENDED
        self._update_reading(s)
        payload = binascii.hexlify(data).upper() if self.ext(conn_id)[1] else data
        return [
            f"+SQNSRECV: {conn_id},{len(data)}",
            payload,
        ]  # the header line, then exactly the bytes

    def _shutdown(self, args: Args) -> list[str]:
        args.at_most(1)
        s = self.socks[args.int(0, lo=1, hi=6)]
        self.close(s)
        s.buffer.clear()
        return []
