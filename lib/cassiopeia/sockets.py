"""Data over UART (guide 3): sockets in online, command-text and command-hex modes."""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atlink import CTRL_Z, OnlineSession, split_fields, unquote

from .errors import ParseError

if TYPE_CHECKING:
    from atlink import AtChannel

__all__ = [
    "MAX_DATA",
    "Ring",
    "SocketCommands",
    "SocketState",
    "parse_sqnsring",
    "parse_sqnss",
    "recv_header_rule",
]

MAX_DATA = 1500
STATES = {
    0: "closed",
    1: "online",
    2: "suspended",
    3: "suspended, data pending",
    4: "listening",
    5: "incoming connection",
    6: "opening",
}
_RECV = re.compile(rb"^\+SQNSRECV: ?(\d+),(\d+)$")


@dataclass(frozen=True)
class SocketState:
    conn_id: int
    state: int
    local_ip: str | None = None
    local_port: int | None = None
    remote_ip: str | None = None
    remote_port: int | None = None

    @property
    def meaning(self) -> str:
        return STATES.get(self.state, f"state {self.state}")


@dataclass(frozen=True)
class Ring:
    conn_id: int
    count: int | None = None  # srMode 1 and 2
    data: str | None = None  # srMode 2, as text or hex


def parse_sqnss(lines: list[str]) -> dict[int, SocketState]:
    """`+SQNSS: 1,2,"192.168.13.3",49165,"192.168.13.1",8008`.

    The guide quotes the addresses, Monarch does not.
    """
    out = {}
    for line in lines:
        if not line.upper().startswith("+SQNSS:"):
            raise ParseError("+SQNSS", line)
        f = split_fields(line[7:])
        try:
            conn, state = int(f[0]), int(f[1])
            if len(f) >= 6:
                out[conn] = SocketState(
                    conn,
                    state,
                    unquote(f[2]),
                    int(f[3]),
                    unquote(f[4]) or None,
                    int(f[5]) if f[5] else None,
                )
            else:
                out[conn] = SocketState(conn, state)
        except (ValueError, IndexError):
            raise ParseError("+SQNSS", line) from None
    return out


def parse_sqnsring(line: str) -> Ring:
    if not line.startswith("+SQNSRING:"):
        raise ParseError("+SQNSRING", line)
    parts = line[10:].strip().split(",", 2)
    try:
        return Ring(
            int(parts[0]),
            int(parts[1]) if len(parts) > 1 else None,
            parts[2] if len(parts) > 2 else None,
        )
    except ValueError:
        raise ParseError("+SQNSRING", line) from None


def recv_header_rule(hex_mode: bool):
    """For atlink: after `+SQNSRECV: <id>,<n>` come exactly n bytes (2n hex digits in hex mode)."""

    def rule(line: bytes) -> int | None:
        m = _RECV.match(line)
        return int(m.group(2)) * (2 if hex_mode else 1) if m else None

    return rule


class SocketCommands:
    def __init__(self, at: AtChannel) -> None:
        self._at = at

    def configure(
        self,
        conn_id: int,
        cid: int = 1,
        packet_size: int = 0,
        max_timeout: int = 0,
        connect_timeout: int = 600,
        tx_timeout: int = 50,
    ) -> None:
        self._at.command(
            f"AT+SQNSCFG={conn_id},{cid},{packet_size},{max_timeout},{connect_timeout},{tx_timeout}"
        )

    def configure_ext(
        self, conn_id: int, ring_mode: int = 0, recv_hex: bool = False, send_hex: bool = False
    ) -> None:
        self._at.command(f"AT+SQNSCFGEXT={conn_id},{ring_mode},{int(recv_hex)},0,0,{int(send_hex)}")

    def dial(
        self, conn_id: int, host: str, port: int, online: bool, udp: bool = False
    ) -> OnlineSession | None:
        """AT+SQNSD; online mode returns the data session the CONNECT opened."""
        self._at.command(f'AT+SQNSD={conn_id},{int(udp)},{port},"{host}",0,0,{0 if online else 1}')
        return self._at.online if online else None

    def resume(self, conn_id: int) -> OnlineSession:
        self._at.command(f"AT+SQNSO={conn_id}")
        return self._at.online

    def status(self) -> dict[int, SocketState]:
        return parse_sqnss(
            [ln for ln in self._at.command("AT+SQNSS").lines if ln.startswith("+SQNSS")]
        )

    def send(self, conn_id: int, data: bytes) -> None:
        """AT+SQNSSEND: text ended by Ctrl-Z, so the data may hold neither Ctrl-Z nor ESC."""
        if b"\x1a" in data or b"\x1b" in data or len(data) > MAX_DATA:
            raise ValueError(
                "AT+SQNSSEND carries at most 1500 bytes without 0x1A or 0x1B; use send_ext"
            )
        self._at.command(f"AT+SQNSSEND={conn_id}", payload=data, payload_end=CTRL_Z)

    def send_ext(self, conn_id: int, data: bytes, hex_mode: bool = False) -> None:
        """AT+SQNSSENDEXT: an exact count, so any byte may travel (as hex digits in hex mode)."""
        if not 1 <= len(data) <= MAX_DATA:
            raise ValueError("AT+SQNSSENDEXT carries 1 to 1500 bytes")
        wire = binascii.hexlify(data).upper() if hex_mode else data
        self._at.command(f"AT+SQNSSENDEXT={conn_id},{len(data)}", payload=wire, payload_end=None)

    def receive(self, conn_id: int, max_bytes: int = MAX_DATA, hex_mode: bool = False) -> bytes:
        r = self._at.command(
            f"AT+SQNSRECV={conn_id},{max_bytes}", counted=recv_header_rule(hex_mode)
        )
        data = r.payload or b""
        return binascii.unhexlify(data) if hex_mode else data

    def close(self, conn_id: int) -> None:
        self._at.command(f"AT+SQNSH={conn_id}")
