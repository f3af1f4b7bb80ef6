"""Soak: many commands through a real pty to `cassiopeia-sim` while it injects URCs at random.

Prints commands sent, responses matched, URCs injected and received (they must match),
lines lost (must be 0), and memory at the start and the end (flat). Bounded in count
and in time; exits non-zero if anything was lost.

    python benchmarks/soak.py [--commands 100000] [--seconds 900]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))

from cassiopeia import Cassiopeia
from cassiopeia_sim.control import RemoteControl

# command -> the information lines it must answer with (an unlocked simulated module at rest)
COMMANDS = {
    "AT+CGMM": ["CB610L"],
    "AT+CGSN=1": ['+CGSN: "260531793113810"'],
    "AT+CPIN?": ["+CPIN: READY"],
    "AT+CMEE?": ["+CMEE: 2"],
    "AT+CFUN?": ["+CFUN: 1"],
    "AT": [],
}


def rss_kib() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commands", type=int, default=100_000)
    parser.add_argument(
        "--seconds", type=float, default=900.0, help="stop earlier if this runs out"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cassiopeia_sim.cli",
            "--pty",
            "--profile",
            "fast",
            "--unlocked",
            "--control",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "lib")},
    )
    try:
        device = sim.stdout.readline().strip()
        control = RemoteControl(sim.stdout.readline().split()[1])
        module = Cassiopeia(device)
        module.wait_ready()
        module.at.command("ATE0;+CMEE=2")
        mark = module.at.urc_mark()
        stop = threading.Event()
        injected = [0]

        def inject() -> None:  # URCs at random moments, numbered so none can hide behind another
            while not stop.is_set():
                injected[0] += 1
                control.inject_urc(f"+CEREG: {injected[0]}")
                stop.wait(rng.uniform(0.0005, 0.01))

        start_rss = rss_kib()
        injector = threading.Thread(target=inject, daemon=True)
        injector.start()
        deadline = time.monotonic() + args.seconds
        sent = matched = 0
        names = list(COMMANDS)
        started = time.monotonic()
        checkpoints: list[tuple[int, int]] = []
        while sent < args.commands and time.monotonic() < deadline:
            name = rng.choice(names)
            response = module.at.command(name, timeout=10)
            sent += 1
            matched += response.lines == COMMANDS[name]
            if sent % max(1, args.commands // 4) == 0:
                checkpoints.append((sent, rss_kib()))
        stop.set()
        injector.join(5)
        module.at.command("AT")  # everything injected before this has arrived
        received = [u.line for u in module.at.urcs.since(mark)]
        numbers = [int(line.split(": ")[1]) for line in received]
        elapsed = time.monotonic() - started
        lost = (sent - matched) + (injected[0] - len(received))
        print(f"commands sent       {sent} in {elapsed:.1f} s ({sent / elapsed:.0f}/s)")
        print(f"responses matched   {matched}")
        print(f"URCs injected       {injected[0]}")
        print(
            f"URCs received       {len(received)} (in order: {numbers == sorted(numbers)}, "
            f"distinct: {len(set(numbers)) == len(numbers)})"
        )
        print(f"late lines          {module.at.late_lines}")
        marks = ", ".join(f"{n}: {kib} KiB" for n, kib in checkpoints)
        print(f"memory (RSS)        start {start_rss} KiB; after {marks}; end {rss_kib()} KiB")
        transcript = module.at.transcript
        capacity = transcript.capacity
        # entries so far, one sequence number each
        fills_at = capacity * sent // max(1, transcript.mark())
        print(
            f"                    (the transcript ring, {capacity:,} entries, fills in the first "
            f"~{fills_at:,} commands)"
        )
        print(f"lines_lost={lost}")
        module.close()
        control.close()
        return 0 if lost == 0 and numbers == sorted(numbers) else 1
    finally:
        sim.terminate()
        sim.wait(10)


if __name__ == "__main__":
    sys.exit(main())
