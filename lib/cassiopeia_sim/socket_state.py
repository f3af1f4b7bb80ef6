"""One socket's state (reference 6.4) and how +SQNSS and +SQNSI show it."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Protocol

from .engine import Pending

__all__ = [
    "CLOSED",
    "INCOMING",
    "LISTENING",
    "ONLINE",
    "OPENING",
    "SUSPENDED",
    "SUSPENDED_DATA",
    "Sock",
    "SocketTable",
]

# +SQNSS states (reference 6.4)
CLOSED, ONLINE, SUSPENDED, SUSPENDED_DATA, LISTENING, INCOMING, OPENING = range(7)


@dataclass
class Sock:
    conn_id: int
    state: int = CLOSED
    sock: socket.socket | None = None
    udp: bool = False
    local: tuple[str, int] = ("", 0)
    remote: tuple[str, int] = ("", 0)
    # received, not yet read by the host (command mode)
    buffer: bytearray = field(default_factory=bytearray)
    out: bytearray = field(default_factory=bytearray)  # for the peer, not yet taken by the socket
    generation: int = 0  # bumps at every open, so a stale dial or event is ignored
    reading: bool = False
    active_at: float = 0.0  # when data last went either way (maxTo counts from here)
    sent: int = 0  # bytes the host gave to send, since the dial (+SQNSI)
    received: int = 0  # bytes the peer sent, since the dial

    def open(self, state: int, udp: bool) -> None:
        """A new use of the socket (a dial, a listen): its counters and unread data start again."""
        self.state, self.udp = state, udp
        self.generation += 1
        self.sent = self.received = 0
        self.buffer.clear()

    def status_line(self) -> str:
        if self.state == CLOSED:
            return f"+SQNSS: {self.conn_id},0"
        return (
            f'+SQNSS: {self.conn_id},{self.state},"{self.local[0]}",{self.local[1]},'
            f'"{self.remote[0]}",{self.remote[1]}'
        )

    def info_line(self) -> str:
        """Reference 6.12: sent, received, buffered unread, and waiting for the peer's ACK (the
        bytes the kernel has not taken yet; always 0 for UDP)."""
        waiting = 0 if self.udp else len(self.out)
        return f"+SQNSI: {self.conn_id},{self.sent},{self.received},{len(self.buffer)},{waiting}"


class SocketTable(Protocol):
    """What dialling and listening need of the module's six sockets (sockets.py)."""

    socks: dict[int, Sock]

    def closed_socket_on_a_pdn(self, conn_id: int) -> Sock: ...
    def close(self, s: Sock) -> None: ...
    def cfg(self, conn_id: int) -> list[int]: ...
    def ext(self, conn_id: int) -> list[int]: ...
    def pdn_address(self) -> str: ...
    def connected(
        self, s: Sock, gen: int, sock: socket.socket, online: bool, pending: Pending
    ) -> None: ...
