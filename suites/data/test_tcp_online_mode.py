"""Guide 3.1.2: TCP in online mode, plus the escape sequence and binary integrity."""

import os
import socket

import pytest

from cassiopeia.sockets import parse_sqnsring
from fixtures.checks import check, observe

pytestmark = pytest.mark.supports("+SQNSCFG", "+SQNSD", "+SQNSO")

usecase = pytest.mark.usecase


@usecase("3.1.2", "Use cases in online mode")
def test_tcp_online_mode(data_modem, tcp_peer):
    m = data_modem
    m.at.command("AT+SQNSCFG=1,1,0,0,600,50")
    m.at.command("AT+SQNSCFGEXT=1,0,0,0")
    r = m.at.command(f'AT+SQNSD=1,0,{tcp_peer.port},"{tcp_peer.host}",0,8000,0')
    assert r.final.line.startswith("CONNECT")
    peer = tcp_peer.connection()
    online = m.at.online
    online.write(b"Hello this is from client\r")
    assert peer.wait_received(26) == b"Hello this is from client\r"
    peer.send(b"echo from server")
    assert online.read_exactly(16, 10) == b"echo from server"
    online.escape(guard=m.escape_guard)  # +++ -> OK: back to AT, socket suspended
    status = m.sockets.status()
    assert status[1].state == 2 and status[1].remote_port == tcp_peer.port
    assert all(status[i].state == 0 for i in range(2, 7))
    m.at.command("AT+SQNSO=1")  # restore online mode
    assert m.at.online.active
    m.at.online.escape(guard=m.escape_guard)
    mark = m.at.urc_mark()
    peer.send(b"Got again")
    ring = parse_sqnsring(m.at.wait_urc("+SQNSRING: 1", 10, after=mark).line)
    assert ring.conn_id == 1
    assert m.sockets.receive(1, 1500) == b"Got again"
    m.at.command("AT+SQNSH=1")
    peer.wait_closed()


@usecase("3.1.2", "Use cases in online mode")
def test_plus_signs_without_guard_time_are_data(data_modem, tcp_peer):
    m = data_modem
    online = m.sockets.dial(1, tcp_peer.host, tcp_peer.port, online=True)
    peer = tcp_peer.connection()
    online.write(b"a+++b")  # no silence around: payload
    online.write(b"+++x")
    assert peer.wait_received(9) == b"a+++b+++x"
    online.escape(guard=m.escape_guard)
    m.sockets.close(1)


@usecase("3.1.2", "Use cases in online mode")
@pytest.mark.parametrize("size", [4096, 1024 * 1024])
def test_online_binary_integrity_both_ways(data_modem, echo_peer, bench, size):
    m = data_modem
    payload = (os.urandom(size // 2) + b"\x00\x1a\x1b+++\r\nOK\r\n" * 16 + os.urandom(size))[:size]
    online = m.sockets.dial(1, echo_peer.host, echo_peer.port, online=True)
    received = bytearray()
    for i in range(0, size, 16384):
        online.write(payload[i : i + 16384])
        received += online.read(65536, timeout=0.0)
    received += online.read_exactly(size - len(received), 30 + 3 * bench.wire_time(size))
    assert bytes(received) == payload  # byte for byte, both ways
    online.escape(guard=m.escape_guard)
    m.sockets.close(1)


@usecase("3.1.2", "Use cases in online mode")
def test_peer_close_in_online_mode_gives_no_carrier(data_modem, tcp_peer):
    m = data_modem
    online = m.sockets.dial(1, tcp_peer.host, tcp_peer.port, online=True)
    tcp_peer.connection().close()
    assert online.wait_closed(10) == "NO CARRIER"
    assert m.sockets.status()[1].state == 0


@usecase("3.1.2", "Use cases in online mode")
def test_dial_refused_gives_no_carrier(data_modem, tcp_peer):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind((tcp_peer.host, 0))
        port = closed.getsockname()[1]
        r = data_modem.at.command(f'AT+SQNSD=1,0,{port},"{tcp_peer.host}",0,0,0', check=False)
    check(
        r.final.line == "NO CARRIER" or r.final.line.startswith(("ERROR", "+CME ERROR")),
        "a refused dial ends in NO CARRIER, ERROR or a +CME ERROR, never CONNECT",
        "reference 6.3",
        got=r.final.line,
    )
    observe("a refused dial", r.final.line)


@usecase("3.1.2", "Use cases in online mode")
def test_escape_at_the_modules_own_guard_time(online_ready, tcp_peer):
    """The escape as the guide's Figure 3-1 times it, with the module's own guard (the other
    tests shorten it with ATS12); the data written just before the guard arrives whole."""
    m = online_ready
    online = m.sockets.dial(1, tcp_peer.host, tcp_peer.port, online=True)
    peer = tcp_peer.connection()
    online.write(b"last bytes before the guard")
    online.escape(guard=m.escape_guard)
    assert peer.wait_received(27) == b"last bytes before the guard"
    assert m.sockets.status()[1].state == 2  # suspended, not closed
    m.sockets.close(1)
