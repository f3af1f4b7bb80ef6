"""The simulator's loop: file descriptors it watches, bytes from other threads through inboxes,
and its pty, which passes on output of any size without losing a byte."""

import os
import select
import threading
from collections.abc import Iterator

import pytest

from cassiopeia_sim.loop import Inbox, Loop
from cassiopeia_sim.module import SimulatedModule
from cassiopeia_sim.serve import PtyServer
from support.waiting import eventually


@pytest.fixture
def loop() -> Iterator[Loop]:
    loop = Loop("test-loop")
    yield loop
    loop.stop()


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    yield r, w
    os.close(r)
    os.close(w)


def busy(loop: Loop) -> threading.Event:
    """Keep the loop in a callback until the returned event is set."""
    release, entered = threading.Event(), threading.Event()
    loop.call_soon(lambda: (entered.set(), release.wait(10)))
    assert entered.wait(5)
    return release


def caught_up(loop: Loop, delay: float = 0.0) -> None:
    """Return once the loop has run everything posted before (and `delay` has passed)."""
    done = threading.Event()
    loop.call_later(delay, done.set)
    assert done.wait(5)


def test_chunks_that_arrive_while_the_loop_is_busy_are_delivered_as_one_in_order(loop):
    got: list[bytes] = []
    after = threading.Event()
    inbox = Inbox(loop, got.append)
    release = busy(loop)
    for chunk in (b"ab", b"cd", b"ef"):
        inbox.put(chunk)
    loop.call_soon(lambda: after.set() if got else None)  # posted after the bytes: runs after them
    release.set()
    assert after.wait(5)
    assert got == [b"abcdef"]


def test_a_limited_inbox_holds_its_producer_until_the_loop_takes_what_waits(loop):
    got: list[bytes] = []
    inbox = Inbox(loop, got.append, limit=4)
    release = busy(loop)
    inbox.put(b"12345")  # room for it: nothing was waiting
    producer = threading.Thread(target=inbox.put, args=(b"678",))
    producer.start()
    producer.join(0.2)
    assert producer.is_alive()  # the buffer is full: the producer waits, as a port's write does
    release.set()
    producer.join(5)
    assert not producer.is_alive()
    caught_up(loop)
    assert b"".join(got) == b"12345678"


def test_closing_an_inbox_releases_a_producer_waiting_for_room(loop):
    inbox = Inbox(loop, lambda data: None, limit=1)
    release = busy(loop)
    inbox.put(b"x")
    producer = threading.Thread(target=inbox.put, args=(b"y",))
    producer.start()
    inbox.close()
    producer.join(5)
    assert not producer.is_alive()
    release.set()


def test_a_limited_inbox_gives_up_after_the_producers_timeout_and_takes_nothing(loop):
    got: list[bytes] = []
    inbox = Inbox(loop, got.append, limit=1)
    release = busy(loop)
    assert inbox.put(b"x")
    assert inbox.put(b"y", timeout=0.05) is False  # a write timeout: nothing half-taken
    release.set()
    caught_up(loop)
    assert got == [b"x"]


def test_bytes_put_from_the_loop_thread_are_delivered_at_once(loop):
    got: list[bytes] = []
    inbox = Inbox(loop, got.append)
    assert loop.run_sync(lambda: (inbox.put(b"now"), list(got))[1]) == [
        b"now"
    ]  # no hop through the queue


def test_the_loop_calls_a_reader_while_its_fd_is_readable_and_no_longer_once_removed(loop, pipe):
    r, w = pipe
    got: list[bytes] = []
    second = threading.Event()

    def readable() -> None:
        got.append(os.read(r, 100))
        if len(got) == 2:
            loop.remove_reader(r)
            second.set()

    loop.run_sync(loop.add_reader, r, readable)
    os.write(w, b"one")
    assert eventually(lambda: got == [b"one"])
    os.write(w, b"two")
    assert second.wait(5)
    os.write(w, b"three")  # nobody watches the fd now: the bytes stay in the pipe
    caught_up(loop, 0.1)
    assert got == [b"one", b"two"]
    assert os.read(r, 100) == b"three"


def test_a_post_from_another_thread_wakes_a_loop_waiting_on_its_fds_alone(loop, pipe):
    # then no timer: the loop sleeps in select
    loop.run_sync(loop.add_reader, pipe[0], lambda: None)
    for _ in range(3):
        caught_up(loop)


def test_output_larger_than_the_ptys_pending_limit_reaches_the_host_whole():
    module = SimulatedModule(profile="fast", usb=False)
    server = PtyServer(module)
    fd = os.open(server.path, os.O_RDWR | os.O_NOCTTY)
    # one write, several times what may wait
    payload = os.urandom(3 * PtyServer.MAX_PENDING + 12345)
    received = bytearray()

    def read_all() -> None:
        while len(received) < len(payload):
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                return
            received.extend(os.read(fd, 65536))

    reader = threading.Thread(target=read_all)
    try:
        while b"+SYSSTART\r\n" not in received:  # booted: nothing more of its own will come
            ready, _, _ = select.select([fd], [], [], 10)
            assert ready, "the module never announced itself"
            received.extend(os.read(fd, 65536))
        received.clear()
        reader.start()
        module.loop.run_sync(module.engine.raw, payload, timeout=30)
        reader.join(30)
        assert bytes(received) == payload
    finally:
        server.close()
        module.shutdown()
        os.close(fd)
