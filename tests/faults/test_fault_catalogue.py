"""The fault catalogue: each fault gives a clear error, leaves a usable channel, and the
transcript keeps every byte of it."""

import http.server
import itertools
import socket
import struct
import threading
import time

import pytest

from atlink import AtChannel, AtTimeout, CmeError, PortLost
from cassiopeia import Cassiopeia
from cassiopeia_sim import discard
from cassiopeia_sim.control import SimControl
from cassiopeia_sim.firmware import build_image
from cassiopeia_sim.instances import module_for_url
from support.fake_device import Script
from support.urlhandler import protocol_fake
from support.waiting import eventually

_names = itertools.count()


@pytest.fixture
def sim():
    made = []

    def make(query="locked=0"):
        name = f"fault{next(_names)}"
        url = f"sim://{name}?profile=fast&{query}"
        module = Cassiopeia(url)
        module.wait_ready()
        module.at.command("ATE0;+CMEE=1")
        made.append((name, module))
        return module, SimControl(module_for_url(url))

    yield make
    for name, module in made:
        module.close()
        discard(name)


def wire(at):
    return "\n".join(f"{e.direction} {e.text}" for e in at.transcript.since(0))


def test_garbage_bytes_from_the_module(sim):
    module, control = sim()
    control.inject_bytes(b"\x00\xff\xfe noise \x1b\r\n\x07")
    assert module.info.model() == "CB610L"
    assert "\\xff\\xfe noise \\x1b" in wire(module.at)  # kept, escaped, in the transcript


def test_port_vanishing_mid_command(sim):
    module, control = sim()
    threading.Timer(0.02, control.reboot).start()
    with pytest.raises(PortLost, match="lost"):
        module.at.command("AT+COPS=?", timeout=10)  # a scan in flight when the USB port goes
    module.reconnect(10)
    assert module.info.model() == "CB610L"
    assert "port lost" in wire(module.at)


def test_response_after_its_timeout():
    protocol_fake.DEVICES["late"] = script = Script({"AT+CGMM": b"\r\nCB610L\r\n\r\nOK\r\n"})
    script.replies["AT+SLOW"] = lambda line: None
    with AtChannel("fake://late?chunk=3") as at:
        with pytest.raises(AtTimeout, match="no final result"):
            at.command("AT+SLOW", timeout=0.1)
        script.output(b"\r\n+SLOW: 1\r\n\r\nOK\r\n")  # the late answer
        assert at.command("AT+CGMM").lines == ["CB610L"]
        assert "+SLOW: 1" in wire(at) and "late answer" in wire(at)


def test_reboot_mid_test(sim):
    module, control = sim()
    control.reboot()  # nobody asked: a watchdog, a brown-out
    with pytest.raises(PortLost):
        for _ in range(200):
            module.at.command("AT", timeout=2)
            time.sleep(0.01)
    module.reconnect(10)
    assert control.state()["boots"] == 2 and module.sim.state().value == "READY"


def _router(module, control):
    module.at.command('AT+SQNBYPASS="disable"')
    module.reset()
    module.at.command("ATE0;+CMEE=1")
    module.network.wait_registration(timeout=10)


def _reset_peer():
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
    return server, accepted


def _online_with_a_peer(sim):
    """A module in router mode, online on connection 1 to a local peer.

    Returns (module, server, accepted, online).
    """
    module, control = sim()
    _router(module, control)
    server, accepted = _reset_peer()
    online = module.sockets.dial(1, "127.0.0.1", server.getsockname()[1], online=True)
    eventually(lambda: accepted, what="the peer accepted")
    return module, control, server, accepted, online


def _rst(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
    conn.close()


def test_tcp_peer_resetting(sim):
    module, _, server, accepted, online = _online_with_a_peer(sim)
    _rst(accepted[0])
    assert online.wait_closed(10) == "NO CARRIER"
    assert module.sockets.status()[1].state == 0
    threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
    mark = module.at.urc_mark()
    module.at.command(f'AT+SQNSD=2,0,{server.getsockname()[1]},"127.0.0.1",0,0,1')
    eventually(lambda: len(accepted) == 2, what="the peer accepted again")
    _rst(accepted[1])
    assert module.at.wait_urc("+SQNSH: 2", 10, after=mark)
    assert module.info.model() == "CB610L"
    server.close()


def test_download_server_dying_mid_transfer(sim, tmp_path):
    module, _ = sim()
    image = build_image("CB610L", "UE9.9.9.9-1", 200_000)

    class Dying(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(image)))
            self.end_headers()
            self.wfile.write(image[:50_000])  # then the server process "dies"
            self.connection.shutdown(socket.SHUT_RDWR)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Dying)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    try:
        with pytest.raises(CmeError) as failed:
            module.at.command(
                f'AT+SQNSUPGRADE="http://127.0.0.1:{server.server_address[1]}/fw",1,10'
            )
        assert failed.value.code == 531
        assert module.info.revision() == "UE4.2.2.0-46115"  # the old firmware runs on
        assert module.at.command("AT+SQNSUPGRADE?").lines == ['+SQNSUPGRADE: "idle"']
    finally:
        server.shutdown()
        server.server_close()


def test_a_test_that_ends_inside_online_mode_leaves_a_usable_module(sim):
    from cassiopeia_sim.control import bench_actions
    from fixtures.actions import ControlPlaneActions
    from fixtures.baseline import SimCodes, restore_baseline

    module, control, server, accepted, online = _online_with_a_peer(sim)
    accepted[0].sendall(b"data the test never read" * 100)
    assert online.active  # the test failed here, say, and never escaped
    hands = ControlPlaneActions(bench_actions(control))
    restore_baseline(module, SimCodes(pin="0000", bench_pin="0000"), lock=False, actions=hands)
    # escaped, not hung up: the connection is suspended
    assert module.sockets.status()[1].state != 0
    assert module.info.model() == "CB610L"
    server.close()
