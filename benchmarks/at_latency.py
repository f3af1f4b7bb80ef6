"""Round trip of AT+CPIN? through a real pseudo-terminal, measured side by side:

  raw          write the command, os.read until OK\\r\\n (no parsing): the floor
  atlink       AtChannel.command("AT+CPIN?")
  pyatcommand  pyatcommand 0.5.3's AtClient.send_command("AT+CPIN?")
  pytest_embedded  pytest-embedded-serial's Dut as its users drive it, in a pytest run of its
               own: dut.write("AT+CPIN?\\r") then dut.expect_exact("OK")

against the same minimal scripted device, served by a separate process so the
client's interpreter does not share its GIL. raw and atlink take turns in short
rounds, so that a shared machine's slow spells weigh on both alike; atlink_vs_raw
is the median over the rounds of each round's ratio of medians (paired, so a slow
spell that spans one round cancels out). Prints the median microseconds per
command of each, the spread of the round ratios and, last,
`atlink_vs_raw=<ratio> pyatcommand_vs_atlink=<ratio> pytest_embedded_vs_atlink=<ratio>`.

    python benchmarks/at_latency.py [--count N]
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import statistics
import sys
import time
import tty
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
        results: dict[str, list[float]] = {"raw": [], "atlink": []}
        ratios = []
        per_round = max(1, args.count // ROUNDS)
        for _ in range(ROUNDS):  # one client at a time: both would read the same pty
            raw, atlink = bench_raw(path, per_round), bench_atlink(path, per_round)
            ratios.append(statistics.median(atlink) / statistics.median(raw))
            results["raw"] += raw
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
        f"atlink_vs_raw={statistics.median(ratios):.2f} "
        f"pyatcommand_vs_atlink={medians['pyatcommand'] / medians['atlink']:.1f} "
        f"pytest_embedded_vs_atlink={medians['pytest_embedded'] / medians['atlink']:.1f}"
    )


if __name__ == "__main__":
    main()
