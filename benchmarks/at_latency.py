"""Round trip of AT+CPIN? through a real pseudo-terminal, measured side by side:

  raw          write the command, os.read until OK\\r\\n (no parsing): the floor
  python_floor the least any Python AT client does: write, select, read, one regex for
               the lines (no transcript, URCs, routing or locks)
  atlink       AtChannel.command("AT+CPIN?")
  pyatcommand  pyatcommand 0.5.3's AtClient.send_command("AT+CPIN?")
  pytest_embedded  pytest-embedded-serial's Dut as its users drive it, in a pytest run of its
               own: dut.write("AT+CPIN?\\r") then dut.expect_exact("OK")

against the same minimal scripted device, served by a separate process so the
client's interpreter does not share its GIL. raw, the floor and atlink take turns in
short rounds, pinned to a CPU apart from the device's, so that a shared machine's slow
spells weigh on all alike; atlink_vs_raw is the median over the rounds of each round's
ratio of medians (paired, so a slow spell that spans one round cancels out). Prints the
median microseconds per command of each, the spread of the round ratios, atlink's own
microseconds beyond raw (a ratio moves with the pty's own speed, the microseconds less)
and, last, `atlink_vs_raw=<ratio> python_floor_vs_raw=<ratio> pyatcommand_vs_atlink=<ratio>
pytest_embedded_vs_atlink=<ratio>`.

    python benchmarks/at_latency.py [--count N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import select
import signal
import statistics
import sys
import time
import tty
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lib"))

from atlink import AtChannel

REPLY = b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
ROUNDS = 20
# commands per round before timing: thread start and first-call costs are not a round trip
WARMUP = 20


def serve_device(master: int) -> None:
    """Answer every command line: AT+CPIN? with the SIM state, anything else with OK."""
    buf = bytearray()
    while True:
        select.select([master], [], [])
        try:
            data = os.read(master, 4096)
        except OSError:
            return
        buf += data
        while b"\r" in buf:
            line, _, rest = bytes(buf).partition(b"\r")
            buf[:] = rest.lstrip(b"\n")
            os.write(master, REPLY if line.strip().upper() == b"AT+CPIN?" else b"\r\nOK\r\n")


@contextlib.contextmanager
def pinned_apart(device: int) -> Iterator[None]:
    """The device on one CPU and the client on another, where two are ours: the scheduler then
    never runs the client's work after a write and the device's answer on one CPU in turn,
    which made the figures wander from run to run. raw, the floor and atlink are pinned alike;
    the other clients run unpinned (they use processes and threads of their own)."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) < 2:
        yield
        return
    os.sched_setaffinity(device, {cpus[0]})
    os.sched_setaffinity(0, {cpus[1]})
    try:
        yield
    finally:
        os.sched_setaffinity(0, cpus)
        os.sched_setaffinity(device, cpus)


def start_device() -> tuple[int, str]:
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    pid = os.fork()
    if (
        pid == 0
    ):  # the device process keeps the slave open: with none open, reads of master fail (EIO)
        serve_device(master)
        os._exit(0)
    os.close(master)
    os.close(slave)  # the client opens the path itself
    return pid, path


def bench_raw(path: str, count: int) -> list[float]:
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        os.write(fd, b"AT+CPIN?\r")
        got = b""
        while not got.endswith(b"OK\r\n"):
            got += os.read(fd, 4096)
        times.append(time.perf_counter() - start)
    os.close(fd)
    return times


LINE = re.compile(rb"\r\n(.*?)\r\n")


def bench_python_floor(path: str, count: int) -> list[float]:
    """The least any Python AT client pays: write, wait with select, read until the final
    result, split the lines with one regex. No transcript, no URCs, no routing, no locks."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        os.write(fd, b"AT+CPIN?\r")
        got = b""
        while not got.endswith(b"OK\r\n"):
            select.select([fd], [], [], 5)
            got += os.read(fd, 4096)
        lines = [line.decode() for line in LINE.findall(got)]
        times.append(time.perf_counter() - start)
        assert lines == ["+CPIN: READY", "OK"]
    os.close(fd)
    return times


def bench_atlink(path: str, count: int) -> list[float]:
    times = []
    with AtChannel(path) as at:
        for _ in range(WARMUP):
            at.command("AT+CPIN?")
        for _ in range(count):
            start = time.perf_counter()
            r = at.command("AT+CPIN?")
            times.append(time.perf_counter() - start)
            assert r.lines == ["+CPIN: READY"]
    return times


def bench_pyatcommand(path: str, count: int) -> list[float]:
    from pyatcommand import AtClient

    client = AtClient()
    client.connect(port=path, baudrate=115200, autobaud=False, retry_timeout=10)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        client.send_command("AT+CPIN?", timeout=5)
        times.append(time.perf_counter() - start)
    client.disconnect()
    return times


EMBEDDED_TEST = """
import json, time

def test_round_trips(dut):
    times = []
    for _ in range({count}):
        start = time.perf_counter()
        dut.write("AT+CPIN?\\r")
        dut.expect_exact("OK", timeout=5)
        times.append(time.perf_counter() - start)
    with open({out!r}, "w") as out:
        json.dump(times, out)
"""


def bench_pytest_embedded(path: str, count: int) -> list[float]:
    """pytest-embedded's serial Dut, set up by its own fixtures in a pytest run of its own (the
    port is read by its redirect thread, queued to its listener process, expected by pexpect)."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/times.json"
        Path(tmp, "pytest.ini").write_text("[pytest]\n")
        Path(tmp, "test_embedded.py").write_text(EMBEDDED_TEST.format(count=count, out=out))
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:labgrid",
             "--embedded-services", "serial", "--port", path, "test_embedded.py"],
            cwd=tmp, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"the pytest-embedded run failed:\n{done.stdout[-2000:]}")
        return json.loads(Path(out).read_text())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--count", type=int, default=4000, help="commands per client (pyatcommand: a twentieth)"
    )
    args = parser.parse_args()
    pid, path = start_device()
    try:
        results: dict[str, list[float]] = {"raw": [], "python_floor": [], "atlink": []}
        ratios, floor_ratios = [], []
        per_round = max(1, args.count // ROUNDS)
        with pinned_apart(pid):
            for _ in range(ROUNDS):  # one client at a time: they would read the same pty
                raw, floor = bench_raw(path, per_round), bench_python_floor(path, per_round)
                atlink = bench_atlink(path, per_round)
                ratios.append(statistics.median(atlink) / statistics.median(raw))
                floor_ratios.append(statistics.median(floor) / statistics.median(raw))
                results["raw"] += raw
                results["python_floor"] += floor
                results["atlink"] += atlink
        # 0.2 s a command
        results["pyatcommand"] = bench_pyatcommand(path, max(20, args.count // 20))
        results["pytest_embedded"] = bench_pytest_embedded(path, max(20, args.count // 20))
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    medians = {name: statistics.median(times) * 1e6 for name, times in results.items()}
    print(
        f"AT+CPIN? round trip over a pty, median of {len(results['raw'])} in {ROUNDS} alternating "
        "rounds "
        f"({len(results['pyatcommand'])} for pyatcommand and pytest-embedded)"
    )
    for name, value in medians.items():
        print(f"  {name:12s} {value:10.1f} us/command")
    quartiles = statistics.quantiles(ratios, n=4)
    print(
        f"  atlink/raw by round: median {statistics.median(ratios):.2f}, quartiles "
        f"{quartiles[0]:.2f}-{quartiles[2]:.2f}, "
        f"overall medians {medians['atlink'] / medians['raw']:.2f}"
    )
    print(
        f"  atlink's own work {medians['atlink'] - medians['raw']:.1f} us/command beyond raw "
        f"({medians['atlink'] - medians['python_floor']:.1f} beyond the Python floor)"
    )
    print(
        f"atlink_vs_raw={statistics.median(ratios):.2f} "
        f"python_floor_vs_raw={statistics.median(floor_ratios):.2f} "
        f"pyatcommand_vs_atlink={medians['pyatcommand'] / medians['atlink']:.1f} "
        f"pytest_embedded_vs_atlink={medians['pytest_embedded'] / medians['atlink']:.1f}"
    )


if __name__ == "__main__":
    main()
