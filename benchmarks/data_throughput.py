"""Online-mode throughput, measured side by side in one run:

  raw pty     the host writes through a pty to a process that echoes every byte back
  online      the host writes through a pty to `cassiopeia-sim`, in online mode on a
              TCP socket to an echo peer on 127.0.0.1, and reads the echo back
  sim alone   the same, but the host side is bare os.read/os.write instead of atlink:
              what the simulator allows, so that atlink's share is visible

Both move the same bytes both ways, taking turns in rounds on one open session, so
a shared machine's slow spells weigh on both alike; online_vs_raw_pty is the median
of the rounds' ratios. Prints MB/s of each and, last, `online_vs_raw_pty=<ratio>`.

    python benchmarks/data_throughput.py [--megabytes N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))

from cassiopeia import Cassiopeia

CHUNK = 16384


def pump(write, read_some, total: int) -> float:
    """Write `total` bytes in chunks while another thread reads the echo back; returns seconds.

    Reading runs beside writing, as on any full-duplex link: a single thread that
    writes until a buffer fills would deadlock against the echo."""
    payload = os.urandom(CHUNK)
    got = [0]

    def reader() -> None:
        while got[0] < total:
            got[0] += len(read_some(1.0))

    start = time.perf_counter()
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    for sent in range(0, total, CHUNK):
        write(payload[: min(CHUNK, total - sent)])
    thread.join(120)
    if got[0] < total:
        raise RuntimeError(f"only {got[0]} of {total} bytes came back")
    return time.perf_counter() - start


ROUNDS = 5


def fd_pump(fd: int) -> Callable[[int], float]:
    """Pumping through a pty with bare os.write and os.read: no AT stack at all."""

    def write(data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    def read_some(timeout: float) -> bytes:
        ready, _, _ = select.select([fd], [], [], timeout)
        return os.read(fd, 65536) if ready else b""

    return lambda total: pump(write, read_some, total)


@contextlib.contextmanager
def raw_pty() -> Iterator[Callable[[int], float]]:
    """An echo process behind a pty; yields a function that pumps N bytes and returns seconds."""
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    pid = os.fork()
    if pid == 0:  # the echo device
        while True:
            select.select([master], [], [])
            data = os.read(master, 65536)
            view = memoryview(data)
            while view:
                view = view[os.write(master, view) :]
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    try:
        yield fd_pump(fd)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        for f in (fd, master, slave):
            os.close(f)


def echo_peer() -> tuple[int, int]:
    """A TCP echo peer on 127.0.0.1 in a process of its own, like the raw pty's echo: the
    network is not the host, and a peer thread here would compete with atlink for the GIL."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    pid = os.fork()
    if pid == 0:
        conn, _ = server.accept()
        while True:
            data = conn.recv(65536)
            if not data:
                os._exit(0)
            conn.sendall(data)
    server.close()
    return pid, port


@contextlib.contextmanager
def online_through_simulator(bare: bool = False) -> Iterator[Callable[[int], float]]:
    """The simulator in online mode to an echo peer; yields a function that pumps N bytes,
    through atlink or (bare) with os.read and os.write once atlink has dialled."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cassiopeia_sim.cli", "--pty", "--profile", "fast", "--unlocked"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "lib")},
    )
    peer, port = echo_peer()
    try:
        path = proc.stdout.readline().strip()
        module = Cassiopeia(path)
        module.wait_ready()
        module.at.command('AT+SQNBYPASS="disable"')
        module.reset()
        module.network.wait_registration(timeout=30)
        online = module.sockets.dial(1, "127.0.0.1", port, online=True)
        if bare:
            module.close()  # the module stays online: the pty is now the data path
            fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
            tty.setraw(fd)
            try:
                yield fd_pump(fd)
            finally:
                os.close(fd)
        else:
            yield lambda total: pump(
                online.write, lambda timeout: online.read(65536, timeout), total
            )
            online.escape(guard=1.0)
            module.close()
    finally:
        os.kill(peer, signal.SIGKILL)
        os.waitpid(peer, 0)
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--megabytes", type=float, default=40.0, help="each way, over all rounds")
    args = parser.parse_args()
    per_round = int(args.megabytes * 1024 * 1024 / ROUNDS)
    raw, online, alone = [], [], []
    with (
        raw_pty() as raw_pump,
        online_through_simulator() as online_pump,
        online_through_simulator(bare=True) as alone_pump,
    ):
        for _ in range(ROUNDS):
            raw.append(per_round / raw_pump(per_round) / 1e6)
            online.append(per_round / online_pump(per_round) / 1e6)
            alone.append(per_round / alone_pump(per_round) / 1e6)
    ratios = [o / r for o, r in zip(online, raw, strict=True)]
    print(f"{args.megabytes:g} MB each way, echoed, in {ROUNDS} alternating rounds")
    print(f"  raw pty      {statistics.median(raw):8.1f} MB/s")
    print(
        f"  online mode  {statistics.median(online):8.1f} MB/s  (pty -> atlink -> simulator -> "
        "TCP peer -> back)"
    )
    print(
        f"  sim alone    {statistics.median(alone):8.1f} MB/s  (the same with bare "
        "os.read/os.write, no atlink)"
    )
    print(
        f"  online/raw by round: {' '.join(f'{r:.2f}' for r in ratios)}; "
        f"sim alone/raw: {' '.join(f'{a / r:.2f}' for a, r in zip(alone, raw, strict=True))}"
    )
    print(f"online_vs_raw_pty={statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
