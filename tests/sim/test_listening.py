"""The simulated listening sockets (reference 6.12): TCP (+SQNSL) and UDP (+SQNSLUDP), a peer
taken with +SQNSA in command mode or online."""

import socket

import pytest

from cassiopeia.sockets import recv_header_rule


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_listening_socket_rings_and_is_taken_in_command_mode(router):
    """Reference 6.12: AT+SQNSL listens, +SQNSRING: <id> says a peer came, AT+SQNSA takes it;
    +SQNSS shows 4 then 5 (reference 6.4)."""
    at, _ = router
    port = free_port()
    at.command(f"AT+SQNSL=2,1,{port}")
    assert at.command("AT+SQNSL?").lines == ["+SQNSL: 2"]
    assert f'+SQNSS: 2,4,"0.0.0.0",{port},"",0' in at.command("AT+SQNSS").lines
    assert at.command("AT+SQNSA=2", check=False).final.line == "ERROR"  # nobody came yet
    mark = at.urc_mark()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as peer:
        at.wait_urc("+SQNSRING: 2", 5, after=mark)
        assert any(line.startswith("+SQNSS: 2,5,") for line in at.command("AT+SQNSS").lines)
        at.command("AT+SQNSA=2,1")  # command mode: OK
        assert any(line.startswith("+SQNSS: 2,2,") for line in at.command("AT+SQNSS").lines)
        peer.sendall(b"hello")
        at.wait_urc("+SQNSRING: 2", 5, after=at.urc_mark() - 1)
        data = at.command("AT+SQNSRECV=2,100", counted=recv_header_rule(False)).payload
        assert data == b"hello"
        at.command("AT+SQNSSENDEXT=2,3", payload=b"hi!", payload_end=None)
        assert peer.recv(10) == b"hi!"
    at.command("AT+SQNSH=2")


def test_an_accepted_peer_online_and_a_listener_closed(router):
    at, _ = router
    port = free_port()
    at.command(f"AT+SQNSL=1,1,{port}")
    mark = at.urc_mark()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as peer:
        at.wait_urc("+SQNSRING: 1", 5, after=mark)
        assert at.command("AT+SQNSA=1").final.line == "CONNECT"
        session = at.online
        peer.sendall(b"online data")
        assert session.read_exactly(11, 5) == b"online data"
        session.escape(guard=1.0)
        at.command("AT+SQNSH=1")
    at.command(f"AT+SQNSL=3,1,{port}")
    at.command(f"AT+SQNSL=3,0,{port}")  # stop listening
    assert at.command("AT+SQNSL?").lines == []
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def _udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_udp_listener_holds_the_first_datagram_until_taken(router):
    """Reference 6.12: AT+SQNSLUDP=<connId>,1,<port> listens; the first datagram rings like a
    TCP peer and, taken with AT+SQNSA in command mode, is read with AT+SQNSRECV (GUESSES.md)."""
    at, _ = router
    port = _udp_port()
    at.command(f"AT+SQNSLUDP=4,1,{port}")
    assert at.command("AT+SQNSLUDP?").lines == ["+SQNSLUDP: 4"]
    assert at.command("AT+SQNSL?").lines == []  # TCP listeners only
    assert f'+SQNSS: 4,4,"0.0.0.0",{port},"",0' in at.command("AT+SQNSS").lines
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        mark = at.urc_mark()
        peer.sendto(b"knock", ("127.0.0.1", port))
        at.wait_urc("+SQNSRING: 4", 5, after=mark)
        where = f',"127.0.0.1",{peer.getsockname()[1]}'
        assert any(
            line.startswith("+SQNSS: 4,5,") and line.endswith(where)
            for line in at.command("AT+SQNSS").lines
        )
        at.command("AT+SQNSA=4,1")
        assert any(line.startswith("+SQNSS: 4,3,") for line in at.command("AT+SQNSS").lines)
        assert at.command("AT+SQNSI=4").lines == ["+SQNSI: 4,0,5,5,0"]
        data = at.command("AT+SQNSRECV=4,100", counted=recv_header_rule(False)).payload
        assert data == b"knock"
        at.command("AT+SQNSSENDEXT=4,5", payload=b"reply", payload_end=None)
        assert peer.recvfrom(100) == (b"reply", ("127.0.0.1", port))
    at.command("AT+SQNSH=4")


def test_a_udp_peer_taken_online_gets_its_first_datagram_through(router):
    at, _ = router
    port = _udp_port()
    at.command(f"AT+SQNSLUDP=5,1,{port}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        mark = at.urc_mark()
        peer.sendto(b"first", ("127.0.0.1", port))
        at.wait_urc("+SQNSRING: 5", 5, after=mark)
        assert at.command("AT+SQNSA=5").final.line == "CONNECT"
        session = at.online
        assert session.read_exactly(5, 5) == b"first"
        session.escape(guard=1.0)
    at.command("AT+SQNSH=5")


def test_a_udp_listener_stops_and_frees_its_port(router):
    at, _ = router
    port = _udp_port()
    at.command(f"AT+SQNSLUDP=6,1,{port}")
    assert at.command("AT+SQNSL=6,0,1", check=False).final.line.startswith("+CME ERROR")
    at.command("AT+SQNSLUDP=6,0")
    assert at.command("AT+SQNSLUDP?").lines == []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", port))  # nobody holds it any more


def test_the_network_going_aborts_a_udp_listener_and_closes_a_tcp_one(router):
    """Reference 6.12: a UDP listener the network closes reports +SQNSLUDP: ABORTED; a TCP
    listener is closed by the network as any socket is (+SQNSH, reference 6.10)."""
    at, control = router
    at.command(f"AT+SQNSLUDP=1,1,{_udp_port()}")
    at.command(f"AT+SQNSL=2,1,{free_port()}")
    mark = at.urc_mark()
    control.set_coverage(False)
    at.wait_urc("+SQNSLUDP: ABORTED", 10, after=mark)
    at.wait_urc("+SQNSH: 2", 10, after=mark)
    assert at.command("AT+SQNSLUDP?").lines == []
    control.set_coverage(True)


def test_a_listener_counts_from_zero(router):
    """+SQNSI (reference 6.12) counts a connection's bytes: a peer taken on a socket that
    carried another connection before starts at 0."""
    at, _ = router
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        at.command(f'AT+SQNSD=3,1,{peer.getsockname()[1]},"127.0.0.1",0,0,1')
        at.command("AT+SQNSSENDEXT=3,5", payload=b"ping!", payload_end=None)
    at.command("AT+SQNSH=3")
    port = free_port()
    at.command(f"AT+SQNSL=3,1,{port}")
    mark = at.urc_mark()
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        at.wait_urc("+SQNSRING: 3", 5, after=mark)
        at.command("AT+SQNSA=3,1")
        assert at.command("AT+SQNSI=3").lines == ["+SQNSI: 3,0,0,0,0"]
    at.command("AT+SQNSH=3")
