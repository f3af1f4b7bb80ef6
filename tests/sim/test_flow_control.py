"""Flow control end to end, as on a module: whoever does not read holds the sender back, and
no byte is lost or reordered. The module's buffers stay bounded meanwhile.

  - a host that does not read its port (a pty, socket://): the module stops reading the socket
    (RTS), TCP holds the peer;
  - a peer that does not read: the module holds the host's input (CTS), the host's writes wait;
  - a command-mode socket nobody reads: the module stops at its receive window;
  - a paced UART slower than the peer: the module stops reading the socket while its line is full.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
import tty
from typing import Callable, Iterator

import pytest
from sim_helpers import reboot

from atlink import AtChannel
from cassiopeia import cassiopeia_urc_table
from cassiopeia.sockets import recv_header_rule
from cassiopeia_sim.module import SimulatedModule
from cassiopeia_sim.serve import PtyServer, TcpServer, _LoopPort
from cassiopeia_sim.sockets import RECEIVE_WINDOW, SEND_WINDOW
from cassiopeia_sim.uart import UartPacer
from support.waiting import eventually

BATCH = 65536  # the most the module takes in one read, on either side: what a window may overshoot by


def settled(value: Callable[[], int], quiet: float = 0.3, timeout: float = 20.0) -> int:
    """value() once it has stopped changing for `quiet` seconds: a sender has been held back."""
    end = time.monotonic() + timeout
    last, since = value(), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.05)
        now = value()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise AssertionError(f"still moving after {timeout} s")


@pytest.fixture(params=["pty", "tcp"])
def online_port(request) -> Iterator[tuple[SimulatedModule, _LoopPort, int, socket.socket]]:
    """A module online on socket 1 to a TCP peer, its port (a pty, or socket://) held by bare
    os.read/os.write: (module, server, the host's fd, the peer's connection). Guard: 100 ms."""
    module = SimulatedModule(profile="fast", usb=False, sim_locked=False, nv={"bypass": "disable"})
    server = PtyServer(module) if request.param == "pty" else TcpServer(module)
    listener = socket.create_server(("127.0.0.1", 0))
    host = None
    try:
        at = AtChannel(server.path if request.param == "pty" else server.url, urc_table=cassiopeia_urc_table())
        try:
            at.command("AT", timeout=5)
            at.command("ATE0;S12=5")
            eventually(lambda: at.command("AT+CEREG?").lines == ["+CEREG: 0,1"], what="registered")
            at.command(f'AT+SQNSD=1,0,{listener.getsockname()[1]},"127.0.0.1",0,0,0')
        finally:
            at.close()  # the module stays online: the port is now the data path
        peer, _ = listener.accept()
        peer.settimeout(20)
        if request.param == "pty":
            host = os.open(server.path, os.O_RDWR | os.O_NOCTTY)
            tty.setraw(host)
        else:
            host = socket.create_connection(("127.0.0.1", server.port))
        yield module, server, host if isinstance(host, int) else host.fileno(), peer
        peer.close()
    finally:
        if isinstance(host, int):
            os.close(host)
        elif host is not None:
            host.close()
        listener.close()
        server.close()
        module.shutdown()


def read_exactly(fd: int, count: int, timeout: float = 20.0) -> bytes:
    got = bytearray()
    end = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            got += os.read(fd, 65536)
    return bytes(got)


def escape(fd: int) -> bytes:
    """`+++` framed by the guard silence; what the module answers."""
    time.sleep(0.15)
    os.write(fd, b"+++")
    return read_exactly(fd, 6, timeout=5)


def test_a_host_that_does_not_read_holds_the_peer_and_loses_nothing(online_port):
    module, server, fd, peer = online_port
    payload = os.urandom(24 * 1024 * 1024)  # far more than the module and both TCP buffers hold
    sent = [0]

    def send() -> None:
        view = memoryview(payload)
        while sent[0] < len(payload):
            sent[0] += peer.send(view[sent[0]:sent[0] + BATCH])

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    settled(lambda: sent[0])  # the host reads nothing: the peer is held back
    assert sent[0] < len(payload)
    waiting = module.loop.run_sync(lambda: len(server._pending))
    assert waiting < server.MAX_PENDING + BATCH  # bounded: the module stopped reading the socket
    assert read_exactly(fd, len(payload)) == payload
    sender.join(20)
    assert escape(fd) == b"\r\nOK\r\n"


def test_a_peer_that_does_not_read_holds_the_host_and_loses_nothing(online_port):
    module, server, fd, peer = online_port
    payload = os.urandom(24 * 1024 * 1024)
    written = [0]

    def write() -> None:
        view = memoryview(payload)
        while written[0] < len(payload):
            written[0] += os.write(fd, view[written[0]:written[0] + BATCH])

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    settled(lambda: written[0])  # the peer reads nothing: the host's writes wait
    assert written[0] < len(payload)
    unsent = module.loop.run_sync(lambda: len(module.sockets.socks[1].out))
    assert unsent < SEND_WINDOW + BATCH  # bounded: the module stopped reading the host
    got = bytearray()
    while len(got) < len(payload):
        chunk = peer.recv(1 << 20)
        assert chunk, "the module closed the connection"
        got += chunk
    assert bytes(got) == payload
    writer.join(20)
    assert escape(fd) == b"\r\nOK\r\n"  # and the host's input is read again once the peer has caught up


def test_a_command_mode_socket_buffers_up_to_its_window_and_loses_nothing(simulator):
    at, control = simulator("locked=0")
    at.command('AT+SQNBYPASS="disable"')
    reboot(at, control)
    at.command("ATE0;+CMEE=1")
    eventually(lambda: at.command("AT+CEREG?").lines == ["+CEREG: 0,1"], what="registered")
    at.command("AT+SQNSCFGEXT=1,1,0,0")  # srMode 1: each ring says how many bytes are buffered
    payload = os.urandom(2 * RECEIVE_WINDOW + 12345)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        mark = at.urc_mark()
        at.command(f'AT+SQNSD=1,0,{listener.getsockname()[1]},"127.0.0.1",0,0,1')
        peer, _ = listener.accept()
        with peer:
            sender = threading.Thread(target=peer.sendall, args=(payload,), daemon=True)
            sender.start()
            at.wait_urc("+SQNSRING: 1", 10, after=mark)
            got = bytearray()
            while len(got) < len(payload):
                reply = at.command("AT+SQNSRECV=1,1500", counted=recv_header_rule(False), check=False)
                if reply.final.line == "OK":
                    got += reply.payload
                else:
                    time.sleep(0.01)  # nothing buffered yet: the peer's bytes are still coming
            sender.join(10)
            assert bytes(got) == payload
            buffered = [int(u.line.rsplit(",", 1)[1]) for u in at.urcs.since(mark, "+SQNSRING: 1,")]
            assert max(buffered) < RECEIVE_WINDOW + BATCH  # the module stopped reading at its window
        at.command("AT+SQNSH=1")


def test_a_paced_uart_buffers_up_to_its_limit_and_loses_nothing(simulator):
    at, control = simulator("locked=0&baud=4000000")  # 400 KB/s: slower than any peer on loopback
    at.command('AT+SQNBYPASS="disable"')
    reboot(at, control)
    eventually(lambda: at.command("AT+CEREG?").lines == ["+CEREG: 0,1"], what="registered")
    module = control.module
    payload = os.urandom(1024 * 1024)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        at.command(f'AT+SQNSD=1,0,{listener.getsockname()[1]},"127.0.0.1",0,0,0')
        peer, _ = listener.accept()
        with peer:
            waiting, done = [0], threading.Event()

            def watch_the_line() -> None:
                while not done.wait(0.005):
                    pacer = module._client._pacer if module._client else None
                    waiting[0] = max(waiting[0], len(pacer._pending) if pacer else 0)

            watcher = threading.Thread(target=watch_the_line, daemon=True)
            watcher.start()
            peer.sendall(payload)  # the kernel's buffers take it: the module must not
            assert at.online.read_exactly(len(payload), timeout=30) == payload
            done.set()
            watcher.join(5)
            assert waiting[0] < UartPacer.FULL + BATCH  # the module stopped reading the socket at a full line
