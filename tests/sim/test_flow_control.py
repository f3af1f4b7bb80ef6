"""Flow control end to end, as on a module: whoever does not read holds the sender back, and
no byte is lost or reordered. The module's buffers stay bounded meanwhile.

  - a host that does not read its port (a pty, socket://, sim://): the module stops reading the
    socket (RTS), TCP holds the peer;
  - a peer that does not read: the module holds the host's input (CTS), the host's writes wait;
  - a command-mode socket nobody reads: the module stops at its receive window;
  - a paced UART slower than the peer: the module stops reading the socket while its line is full.
"""

from __future__ import annotations

import itertools
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable, Iterator

import pytest
import serial
from sim_helpers import into_router_mode

from atlink import AtChannel
from atlink.transport import open_port
from cassiopeia import cassiopeia_urc_table
from cassiopeia.sockets import recv_header_rule
from cassiopeia_sim.instances import discard, module_for_url
from cassiopeia_sim.module import SimulatedModule
from cassiopeia_sim.serve import PtyServer, TcpServer
from cassiopeia_sim.sockets import RECEIVE_WINDOW, SEND_WINDOW
from cassiopeia_sim.uart import UartPacer
from cassiopeia_sim.urlhandler.protocol_sim import Serial as SimSerial
from support.waiting import eventually

# the most the module takes in one read, on either side: what a window may overshoot by
BATCH = 65536


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


def feed(write: Callable[[memoryview], int], payload: bytes) -> tuple[threading.Thread, list[int]]:
    """Write `payload` in pieces from a thread of its own: (the thread, [bytes written so far])."""
    done = [0]

    def run() -> None:
        view = memoryview(payload)
        while done[0] < len(payload):
            done[0] += write(view[done[0] : done[0] + BATCH])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


class Host:
    """The host's end of the module's port, used with no AT stack once the module is online."""

    def __init__(
        self,
        write: Callable[[bytes], int],
        read: Callable[[float], bytes],
        waiting: Callable[[], int],
        window: int,
    ) -> None:
        self.write, self._read = write, read
        self.waiting, self.window = (
            waiting,
            window,
        )  # output held for the host; how much the transport allows

    def read_exactly(self, count: int, timeout: float = 20.0) -> bytes:
        got = bytearray()
        end = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < end:
            got += self._read(0.5)
        return bytes(got)

    def escape(self) -> bytes:
        """`+++` framed by the guard silence; what the module answers."""
        time.sleep(0.15)
        self.write(b"+++")
        return self.read_exactly(6, timeout=5)


def fd_host(fd: int, server: PtyServer | TcpServer) -> Host:
    def read(timeout: float) -> bytes:
        ready, _, _ = select.select([fd], [], [], timeout)
        return os.read(fd, 65536) if ready else b""

    return Host(
        lambda data: os.write(fd, data),
        read,
        lambda: server.module.loop.run_sync(lambda: len(server._pending)),
        server.MAX_PENDING,
    )


_names = itertools.count()


@pytest.fixture(params=["pty", "tcp", "sim"])
def online_port(request) -> Iterator[tuple[SimulatedModule, Host, socket.socket]]:
    """A module online on socket 1 to a TCP peer, its port (a pty, socket://, sim://) used with
    no AT stack: (module, the host, the peer's connection). The escape guard is 100 ms."""
    kind = request.param
    if kind == "sim":
        url = f"sim://flow{next(_names)}?profile=fast&locked=0&usb=0"
        module = module_for_url(url)
        module.nv["bypass"] = "disable"  # as AT+SQNBYPASS does; effective after the reset
        module.reset()
        server = None
    else:
        module = SimulatedModule(
            profile="fast", usb=False, sim_locked=False, nv={"bypass": "disable"}
        )
        server = PtyServer(module) if kind == "pty" else TcpServer(module)
        url = server.path if kind == "pty" else server.url
    listener = socket.create_server(("127.0.0.1", 0))
    closers: list[Callable[[], None]] = []
    try:
        at = AtChannel(url, urc_table=cassiopeia_urc_table())
        try:
            at.command("AT", timeout=5)
            at.command("ATE0;S12=5")
            eventually(lambda: at.command("AT+CEREG?").lines == ["+CEREG: 0,1"], what="registered")
            at.command(f'AT+SQNSD=1,0,{listener.getsockname()[1]},"127.0.0.1",0,0,0')
        finally:
            at.close()  # the module stays online: the port is now the data path
        peer, _ = listener.accept()
        closers.append(peer.close)
        peer.settimeout(20)
        if kind == "sim":
            port = open_port(url, read_timeout=0.5)
            closers.append(port.close)
            host = Host(
                port.write,
                lambda timeout: port.read(65536),
                lambda: port.in_waiting,
                SimSerial.WINDOW,
            )
        else:
            if kind == "pty":
                fd = os.open(server.path, os.O_RDWR | os.O_NOCTTY)
                tty.setraw(fd)
                closers.append(lambda: os.close(fd))
            else:
                client = socket.create_connection(("127.0.0.1", server.port))
                closers.append(client.close)
                fd = client.fileno()
            host = fd_host(fd, server)
        yield module, host, peer
    finally:
        for close in reversed(closers):
            close()
        listener.close()
        if server is not None:
            server.close()
            module.shutdown()
        else:
            discard(url[len("sim://") :].split("?")[0])


def test_a_host_that_does_not_read_holds_the_peer_and_loses_nothing(online_port):
    _module, host, peer = online_port
    payload = os.urandom(24 * 1024 * 1024)  # far more than the module and both TCP buffers hold
    sender, sent = feed(peer.send, payload)
    assert settled(lambda: sent[0]) < len(payload)  # the host reads nothing: the peer is held back
    assert host.waiting() < host.window + BATCH  # bounded: the module stopped reading the socket
    assert host.read_exactly(len(payload)) == payload
    sender.join(20)
    assert host.escape() == b"\r\nOK\r\n"


def test_a_peer_that_does_not_read_holds_the_host_and_loses_nothing(online_port):
    module, host, peer = online_port
    payload = os.urandom(24 * 1024 * 1024)
    writer, written = feed(host.write, payload)
    # the peer reads nothing: the host's writes wait
    assert settled(lambda: written[0]) < len(payload)
    unsent = module.loop.run_sync(lambda: len(module.sockets.socks[1].out))
    # bounded: the module stopped reading the host (give or take
    assert unsent < SEND_WINDOW + 2 * BATCH
    # one read of the host's bytes, and what its port's buffer held)
    got = bytearray()
    while len(got) < len(payload):
        chunk = peer.recv(1 << 20)
        assert chunk, "the module closed the connection"
        got += chunk
    assert bytes(got) == payload
    writer.join(20)
    # and the host's input is read again once the peer has caught up
    assert host.escape() == b"\r\nOK\r\n"


def test_a_command_mode_socket_buffers_up_to_its_window_and_loses_nothing(router):
    at, _ = router
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
                reply = at.command(
                    "AT+SQNSRECV=1,1500", counted=recv_header_rule(False), check=False
                )
                if reply.final.line == "OK":
                    got += reply.payload
                else:
                    time.sleep(0.01)  # nothing buffered yet: the peer's bytes are still coming
            sender.join(10)
            assert bytes(got) == payload
            buffered = [int(u.line.rsplit(",", 1)[1]) for u in at.urcs.since(mark, "+SQNSRING: 1,")]
            # the module stopped reading at its window
            assert max(buffered) < RECEIVE_WINDOW + BATCH
        at.command("AT+SQNSH=1")


def test_a_paced_uart_buffers_up_to_its_limit_and_loses_nothing(simulator):
    at, control = simulator("locked=0&baud=4000000")  # 400 KB/s: slower than any peer on loopback
    into_router_mode(at, control)
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
            # the module stopped reading the socket at a full line
            assert waiting[0] < UartPacer.FULL + BATCH


def test_a_sim_write_held_by_cts_fails_at_once_when_the_port_vanishes():
    url = f"sim://flow{next(_names)}?profile=fast&locked=0"  # a USB port: it vanishes at a reset
    module = module_for_url(url)
    try:
        port = eventually(lambda: _open_or_none(url), what="the port is there")
        module.loop.run_sync(module.hold_input, True)  # the module's CTS goes off
        outcome: list[BaseException] = []
        writer = threading.Thread(target=lambda: _catch(outcome, port.write, b"AT\r"), daemon=True)
        writer.start()
        writer.join(0.2)
        assert writer.is_alive()  # held
        module.reset()
        writer.join(5)
        assert not writer.is_alive()
        assert isinstance(outcome[0], serial.SerialException) and "vanished" in str(outcome[0])
        port.close()
    finally:
        discard(url[len("sim://") :].split("?")[0])


def _open_or_none(url: str):
    try:
        return open_port(url, read_timeout=0.5)  # as atlink opens it: a 10 s write timeout
    except serial.SerialException:
        return None  # not there yet: the module is still booting


def _catch(outcome: list, fn, *args) -> None:
    try:
        fn(*args)
    except BaseException as exc:
        outcome.append(exc)
