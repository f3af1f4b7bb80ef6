"""Guide 3.1.3 (command mode, text data) and 3.1.4 (command mode, hex data)."""

import contextlib
import os

import pytest

from cassiopeia.sockets import parse_sqnsring, recv_header_rule
from fixtures.checks import check, observe

pytestmark = pytest.mark.supports("+SQNSCFG", "+SQNSD", "+SQNSSENDEXT", "+SQNSRECV")

usecase = pytest.mark.usecase


def dial_command_mode(m, peer, conn_id=1):
    m.at.command(f"AT+SQNSCFG={conn_id},1,0,0,600,50")
    m.at.command(f'AT+SQNSD={conn_id},0,{peer.port},"{peer.host}",0,8000,1')  # OK, not CONNECT


def dial_own_peer(m, tcp_peer, conn_id=1):
    """Dial the suites' own peer; its side of the connection."""
    dial_command_mode(m, tcp_peer, conn_id)
    return tcp_peer.connection(conn_id - 1 if conn_id > 1 else -1)


@usecase("3.1.3", "Use cases in command mode with text data")
def test_command_mode_text(data_modem, tcp_peer):
    m = data_modem
    m.at.command("AT+SQNSCFGEXT=1,0,0,0")
    peer = dial_own_peer(m, tcp_peer)
    m.at.command("AT+SQNSSEND=1", payload=b"Hello extend from client")  # > then Ctrl-Z
    assert peer.wait_received(24) == b"Hello extend from client"
    m.at.command("AT+SQNSSENDEXT=1,24", payload=b"Hello extend from client", payload_end=None)
    assert peer.wait_received(48)[24:] == b"Hello extend from client"
    m.at.command("AT+SQNSSEND=1", payload=b"never sent", payload_end=b"\x1b")  # ESC cancels
    mark = m.at.urc_mark()
    peer.send(b"Hello extend from client")
    m.at.wait_urc("+SQNSRING: 1", 10, after=mark)
    r = m.at.command("AT+SQNSRECV=1,100", counted=recv_header_rule(False))
    assert r.lines[0] == "+SQNSRECV: 1,24" and r.payload == b"Hello extend from client"
    m.at.command("AT+SQNSH=1")
    peer.wait_closed()
    assert peer.received == b"Hello extend from client" * 2


@usecase("3.1.4", "Use cases in command mode with hex data")
def test_command_mode_hex(data_modem, tcp_peer):
    m = data_modem
    m.at.command("AT+SQNSCFGEXT=1,0,0,0,0,1")  # sendDataMode: hex
    peer = dial_own_peer(m, tcp_peer)
    m.at.command("AT+SQNSSENDEXT=1,10", payload=b"7D000015116000050010", payload_end=None)
    assert peer.wait_received(10) == bytes.fromhex("7D000015116000050010")
    m.at.command("AT+SQNSH=1")
    m.at.command("AT+SQNSCFGEXT=1,0,0,0,0,0")


@usecase("3.1.4", "Use cases in command mode with hex data")
@pytest.mark.parametrize("ring_mode", [0, 1, 2])
def test_binary_integrity_in_command_modes(data_modem, echo_peer, ring_mode):
    m = data_modem
    payload = os.urandom(700) + b"\x00\x1a\x1b+++\r\nOK\r\n+CME ERROR: 3\r\n"
    m.at.command(f"AT+SQNSCFGEXT=1,{ring_mode},1,0,0,1")  # hex both ways
    dial_command_mode(m, echo_peer)
    mark = m.at.urc_mark()
    m.sockets.send_ext(1, payload, hex_mode=True)
    echoed = bytearray()
    while len(echoed) < len(payload):
        ring = parse_sqnsring(m.at.wait_urc("+SQNSRING: 1", 10, after=mark).line)
        mark = m.at.urc_mark()
        if ring_mode == 2:
            echoed += bytes.fromhex(ring.data)  # the data travels in the URC
        elif ring_mode == 1:  # the URC counts the bytes waiting: exactly that many are there
            got = m.sockets.receive(1, ring.count, hex_mode=True)
            check(
                len(got) == ring.count,
                "+SQNSRING: <connId>,<recData> counts the bytes received",
                "reference 6.9",
                got=f"{ring.count} announced, {len(got)} read",
            )
            echoed += got
        else:
            echoed += m.sockets.receive(1, 1500, hex_mode=True)
    assert bytes(echoed) == payload
    m.at.command("AT+SQNSH=1")
    m.at.command("AT+SQNSCFGEXT=1,0,0,0,0,0")


@usecase("3.1.3", "Use cases in command mode with text data")
def test_the_ring_counts_the_bytes_received(data_modem, tcp_peer):
    m = data_modem
    m.at.command("AT+SQNSCFGEXT=1,1,0,0")  # srMode 1: +SQNSRING: <connId>,<recData>
    peer = dial_own_peer(m, tcp_peer)
    mark = m.at.urc_mark()
    peer.send(b"Hello extend from client")
    ring = parse_sqnsring(m.at.wait_urc("+SQNSRING: 1", 10, after=mark).line)
    check(
        ring.count == 24,
        "+SQNSRING: <connId>,<recData> counts the bytes received",
        "reference 6.9",
        got=ring.count,
    )
    assert m.sockets.receive(1, 100) == b"Hello extend from client"
    m.at.command("AT+SQNSH=1")
    m.at.command("AT+SQNSCFGEXT=1,0,0,0")


@usecase("3.1.3", "Use cases in command mode with text data")
def test_peer_close_in_command_mode_gives_sqnsh_urc(data_modem, tcp_peer):
    m = data_modem
    peer = dial_own_peer(m, tcp_peer)
    mark = m.at.urc_mark()
    peer.close()
    assert m.at.wait_urc("+SQNSH: ", 10, after=mark).line == "+SQNSH: 1"
    assert m.sockets.status()[1].state == 0


@usecase("3.1.3", "Use cases in command mode with text data")
def test_six_sockets_at_once(data_modem, tcp_peer):
    m = data_modem
    for conn_id in range(1, 7):
        m.at.command(f"AT+SQNSCFGEXT={conn_id},1,0,0")
        m.at.command(f'AT+SQNSD={conn_id},0,{tcp_peer.port},"{tcp_peer.host}",0,0,1')
    peers = {c.sock.getpeername()[1]: c for c in (tcp_peer.connection(i) for i in range(6))}
    status = m.sockets.status()
    assert sorted(status) == [1, 2, 3, 4, 5, 6] and all(s.state == 2 for s in status.values())
    for conn_id in range(1, 7):
        m.sockets.send_ext(conn_id, f"socket {conn_id}".encode())
    for conn_id, state in status.items():
        assert peers[state.local_port].wait_received(8) == f"socket {conn_id}".encode()
    for conn_id in range(1, 7):
        m.sockets.close(conn_id)


@usecase("3", "Data over UART needs bypass mode disabled")
def test_bypass_enabled_refuses_sockets(data_modem, tcp_peer, sim_guard):
    m = data_modem
    m.at.command('AT+SQNBYPASS="enable"')
    m.reset()  # effective after the reboot
    m.set_echo(False)
    m.set_error_format(1)
    if m.sim.settled_state().value == "SIM PIN":
        m.sim.enter_pin(sim_guard.pin)
    m.network.wait_registration()
    try:
        # the guide's 2.3.2 table reads the setting back after the reboot
        assert m.at.command("AT+SQNBYPASS?").lines == ["+SQNBYPASS: enable"]
        r = m.at.command(f'AT+SQNSD=1,0,{tcp_peer.port},"{tcp_peer.host}",0,0,1', check=False)
        # "Data over UART will then not be possible": how it is refused, no source says
        assert not r.ok and r.final.line != "CONNECT", f"guide 3: refused, not {r.final.line}"
        observe("AT+SQNSD in bypass mode", r.final.line)
        assert not tcp_peer.connections
    finally:
        m.at.command('AT+SQNBYPASS="disable"')
        m.reset()
        m.set_echo(False)
    assert m.at.command("AT+SQNBYPASS?").lines == ["+SQNBYPASS: disabled"]


@usecase("3.1.3", "Use cases in command mode with text data")
def test_an_idle_socket_is_closed_after_its_inactivity_timeout(data_modem, tcp_peer):
    m = data_modem
    mark = m.at.urc_mark()
    m.at.command("AT+SQNSCFG=1,1,0,1,600,50")  # maxTo 1 s
    try:
        m.at.command(f'AT+SQNSD=1,0,{tcp_peer.port},"{tcp_peer.host}",0,8000,1')
        peer = tcp_peer.connection()
        with contextlib.suppress(TimeoutError):  # the check below says what the module did
            peer.wait_closed(10)  # nothing either way: the module closes it
        check(
            m.sockets.status()[1].state == 0 and peer.closed_by_module,
            "a socket idle for maxTo seconds is closed",
            "reference 6.1 (maxTo)",
            got=m.sockets.status()[1],
        )
        observe("URCs at the close", [u.line for u in m.at.urcs.since(mark, "+SQNSH")])
    finally:
        m.at.command("AT+SQNSCFG=1,1,0,0,600,50")  # the guide's: no inactivity timeout


@usecase("3.1.3", "Use cases in command mode with text data")
def test_a_socket_when_the_coverage_goes(data_modem, tcp_peer, coverage_control):
    """What becomes of an open socket when the coverage goes, no source says: recorded."""
    m = data_modem
    dial_own_peer(m, tcp_peer)
    mark = m.at.urc_mark()
    coverage_control.do("rf_off")
    observe("socket 1 without coverage", m.sockets.status()[1])
    coverage_control.do("rf_on")
    m.network.wait_registration()
    observe("socket 1 with coverage back", m.sockets.status()[1])
    observe("URCs meanwhile", [u.line for u in m.at.urcs.since(mark)])
    if m.sockets.status()[1].state != 0:
        m.at.command("AT+SQNSH=1")


@usecase("3.1.3", "Socket commands refuse what the reference rules out")
def test_socket_commands_refuse_what_the_reference_rules_out(data_modem, tcp_peer):
    m = data_modem

    def refused(line, claim, source):
        r = m.at.command(line, check=False)
        check(not r.ok and r.final.line != "CONNECT", claim, source, got=r.final.line)

    refused("AT+SQNSCFG=0,1,0,90,600,50", "connId 0 is refused (1-6)", "reference 6.1")
    refused("AT+SQNSCFG=7,1,0,90,600,50", "connId 7 is refused (1-6)", "reference 6.1")
    refused("AT+SQNSSEND=2", "SQNSSEND on a socket SQNSD never opened is refused", "reference 6.6")
    dial_own_peer(m, tcp_peer)
    refused("AT+SQNSRECV=1,100", "SQNSRECV with nothing buffered is refused", "reference 6.8")
    refused("AT+SQNSSENDEXT=1,0", "SQNSSENDEXT of 0 bytes is refused (1-1500)", "reference 6.7")
    refused("AT+SQNSSENDEXT=1,1501", "SQNSSENDEXT of 1501 bytes is refused", "reference 6.7")
    m.at.command("AT+SQNSH=1")
