"""The simulated sockets: configuration forms, UDP, escape timing, bypass."""

import gc
import socket
import threading
import time
import warnings

import pytest
from sim_helpers import reboot

from atlink import CommandError
from cassiopeia.sockets import recv_header_rule


def test_socket_configuration_forms_and_persistence(router):
    at, control = router
    assert at.command("AT+SQNSCFG?").lines[0] == "+SQNSCFG: 1,1,300,90,600,50"
    at.command("AT+SQNSCFG=2,1,1000,60,100,10")
    at.command("AT+SQNSCFGEXT=2,1,1,0,0,1")
    assert at.command("AT+SQNSCFG=2,1,0,0,5,0", check=False).final.line == "ERROR"  # connTo 1..9
    reboot(at, control)
    assert "+SQNSCFG: 2,1,1000,60,100,10" in at.command("AT+SQNSCFG?").lines
    assert "+SQNSCFGEXT: 2,1,1,0,0,1,0,0" in at.command("AT+SQNSCFGEXT?").lines


def _udp_ping(at, conn_id: int, peer: socket.socket):
    """A UDP socket dialled to `peer`, "ping!" sent through it: the module's source address."""
    peer.bind(("127.0.0.1", 0))
    peer.settimeout(5)
    at.command(f'AT+SQNSD={conn_id},1,{peer.getsockname()[1]},"127.0.0.1",0,0,1')
    at.command(f"AT+SQNSSENDEXT={conn_id},5", payload=b"ping!", payload_end=None)
    data, source = peer.recvfrom(100)
    assert data == b"ping!"
    return source


def test_udp_socket(router):
    at, _ = router
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        source = _udp_ping(at, 3, peer)
        mark = at.urc_mark()
        peer.sendto(b"pong", source)
        at.wait_urc("+SQNSRING: 3", 5, after=mark)
        assert at.command("AT+SQNSRECV=3,100", counted=recv_header_rule(False)).payload == b"pong"
        at.command("AT+SQNSH=3")


def test_errors(router):
    at, control = router
    # nothing to read
    assert at.command("AT+SQNSRECV=1,10", check=False).final.line == "+CME ERROR: 3"
    assert at.command("AT+SQNSSEND=1", check=False).final.line == "+CME ERROR: 3"  # not open
    assert at.command('AT+SQNSD=1,0,1,"no.such.host"', check=False).final.line == "+CME ERROR: 30"
    control.set_coverage(False)
    assert at.command('AT+SQNSD=1,0,1,"127.0.0.1"', check=False).final.line == "+CME ERROR: 30"
    control.set_coverage(True)


def test_a_refused_dial_answers_no_carrier_and_leaves_nothing_behind(router):
    """A dial that fails answers NO CARRIER (dialling.py); its socket is closed there and then,
    and no thread is left connecting: nothing for the garbage collector to find open."""
    at, _ = router
    with socket.socket() as idle:  # bound, never listening: a connect to it is refused
        idle.bind(("127.0.0.1", 0))
        threads = threading.active_count()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            line = f'AT+SQNSD=1,0,{idle.getsockname()[1]},"127.0.0.1",0,0,1'
            assert at.command(line, check=False).final.line == "NO CARRIER"
            # a connecting thread, had there been one, is over within this bounded wait
            deadline = time.monotonic() + 2
            while threading.active_count() > threads and time.monotonic() < deadline:
                time.sleep(0.01)
            gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert at.command("AT+SQNSS?").lines[0] == "+SQNSS: 1,0"


def test_a_dial_nobody_answers_gives_up_after_conn_to(router):
    """connTo (reference 6.1, tenths of a second) bounds a dial: a peer whose backlog is full
    drops the SYN, and the module answers NO CARRIER once connTo has gone by."""
    at, _ = router
    at.command("AT+SQNSCFG=1,1,300,90,10,50")  # connTo 1 s
    with socket.socket() as full, socket.socket() as first:
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        first.connect(full.getsockname())  # the one connection the backlog holds
        started = time.monotonic()
        line = f'AT+SQNSD=1,0,{full.getsockname()[1]},"127.0.0.1",0,0,1'
        assert at.command(line, timeout=10, check=False).final.line == "NO CARRIER"
        assert time.monotonic() - started >= 1.0
    assert at.command("AT+SQNSS?").lines[0] == "+SQNSS: 1,0"


def test_bypass_mode_refuses_sockets(simulator):
    at, _ = simulator("locked=0")
    at.command("AT+CMEE=1")
    assert at.command("AT+SQNBYPASS?").lines == ["+SQNBYPASS: enable"]
    with pytest.raises(CommandError) as refused:
        at.command('AT+SQNSD=1,0,80,"127.0.0.1",0,0,1')
    assert refused.value.final.line == "+CME ERROR: 3"


def test_escape_needs_silence_after_too(router):
    at, _ = router
    with socket.create_server(("127.0.0.1", 0)) as server:
        at.command("ATS12=5")  # 100 ms guard
        at.command(f'AT+SQNSD=1,0,{server.getsockname()[1]},"127.0.0.1",0,0,0')
        conn, _ = server.accept()
        conn.settimeout(5)
        online = at.online
        time.sleep(0.15)  # silence before: the pluses open a possible escape
        online.write(b"+++")
        online.write(b"more")  # but bytes follow within the guard: the pluses were data
        got = b""
        while len(got) < 7:
            got += conn.recv(100)
        assert got == b"+++more"
        online.escape(guard=0.1)
        at.command("AT+SQNSH=1")
        conn.close()


def test_under_atv0_a_numeric_connect_carries_data_and_a_numeric_no_carrier_ends_it(router):
    """V.250 6.2.6: under ATV0 CONNECT is `1\\r` and NO CARRIER `3\\r` (issue 15, case 7)."""
    at, _ = router
    with socket.create_server(("127.0.0.1", 0)) as server:
        at.command("ATV0")
        r = at.command(f'AT+SQNSD=1,0,{server.getsockname()[1]},"127.0.0.1",0,0,0')
        assert r.final.line == "1"
        conn, _ = server.accept()
        conn.settimeout(5)
        online = at.online
        conn.sendall(b"binary 3\r and 0\r inside")
        assert online.read_exactly(23, 5) == b"binary 3\r and 0\r inside"
        online.write(b"up")
        assert conn.recv(10) == b"up"
        conn.close()  # the peer goes: the module says 3
        assert online.wait_closed(5) == "NO CARRIER"
        assert at.command("AT+SQNSS").final.line == "0"  # command mode, still numeric
        at.command("ATV1")


def test_the_port_shows_dcd_with_the_data_connection_and_the_session_follows_it(router):
    """sim:// reports DCD (on with the online connection: GUESSES.md), so under ATV0 data that
    ends in `3\\r` before a pause stays data, and the peer's close still ends the session."""
    at, control = router
    with socket.create_server(("127.0.0.1", 0)) as server:
        at.command("ATV0")
        at.command(f'AT+SQNSD=1,0,{server.getsockname()[1]},"127.0.0.1",0,0,0')
        conn, _ = server.accept()
        assert control.module.carrier
        conn.sendall(b"counter 3\r")
        assert at.online.read_exactly(10, 5) == b"counter 3\r"
        time.sleep(0.3)  # quiet after the 3: DCD is on, so it was data
        assert at.online.active
        conn.close()
        assert at.online.wait_closed(5) == "NO CARRIER"
        assert not control.module.carrier
        at.command("ATV1")


def test_socket_information_counts_each_way_and_what_waits_unread(router):
    """Reference 6.12: +SQNSI: <connId>,<sent>,<received>,<buff_in>,<ack_waiting> (0 for UDP)."""
    at, _ = router
    assert "+SQNSI: 2,0,0,0,0" in at.command("AT+SQNSI").lines  # one line per socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        source = _udp_ping(at, 3, peer)
        mark = at.urc_mark()
        peer.sendto(b"pong!!", source)
        at.wait_urc("+SQNSRING: 3", 5, after=mark)
        assert at.command("AT+SQNSI=3").lines == ["+SQNSI: 3,5,6,6,0"]
        at.command("AT+SQNSRECV=3,4", counted=recv_header_rule(False))
        assert at.command("AT+SQNSI=3").lines == ["+SQNSI: 3,5,6,2,0"]
        at.command("AT+SQNSH=3")
    assert not at.command("AT+SQNSI=7", check=False).ok
