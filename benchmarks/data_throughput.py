"""Online-mode throughput, measured side by side in one run:

  raw pty     the host writes through a pty to a process that echoes every byte back
  online      the host writes through a pty to `cassiopeia-sim`, in online mode on a
              TCP socket to an echo peer on 127.0.0.1, and reads the echo back

Both move the same bytes both ways. Prints MB/s of each and, last,
`online_vs_raw_pty=<ratio>`.

    python benchmarks/data_throughput.py [--megabytes N]
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))

from cassiopeia import Cassiopeia  # noqa: E402

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


def raw_pty(total: int) -> float:
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
                view = view[os.write(master, view):]
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)

    def write(data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    def read_some(timeout: float) -> bytes:
        ready, _, _ = select.select([fd], [], [], timeout)
        return os.read(fd, 65536) if ready else b""

    try:
        return pump(write, read_some, total)
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


def online_through_simulator(total: int) -> float:
    proc = subprocess.Popen([sys.executable, "-m", "cassiopeia_sim.cli", "--pty", "--profile", "fast", "--unlocked"],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "lib")})
    peer, port = echo_peer()
    try:
        module = Cassiopeia(proc.stdout.readline().strip())
        module.wait_ready()
        module.at.command('AT+SQNBYPASS="disable"')
        module.reset()
        module.network.wait_registration(timeout=30)
        online = module.sockets.dial(1, "127.0.0.1", port, online=True)
        seconds = pump(online.write, lambda timeout: online.read(65536, timeout), total)
        online.escape(guard=1.0)
        module.close()
        return seconds
    finally:
        os.kill(peer, signal.SIGKILL)
        os.waitpid(peer, 0)
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=8.0)
    args = parser.parse_args()
    total = int(args.megabytes * 1024 * 1024)
    raw = total / raw_pty(total) / 1e6
    online = total / online_through_simulator(total) / 1e6
    print(f"{args.megabytes:g} MB each way, echoed")
    print(f"  raw pty      {raw:8.1f} MB/s")
    print(f"  online mode  {online:8.1f} MB/s  (pty -> atlink -> simulator -> TCP peer -> back)")
    print(f"online_vs_raw_pty={online / raw:.2f}")


if __name__ == "__main__":
    main()
