"""One table of the project's speed, measured in one run:

- the whole conformance run against the simulator: wall time and time per test,
  then the same run with pytest-xdist at 1 and 2 workers;
- AT round trip against the raw pty (benchmarks/at_latency.py);
- online throughput against the raw pty (benchmarks/data_throughput.py).

    python benchmarks/run.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def suite_run(extra: list[str]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                *extra,
                f"--html={tmp}/report.html",
                f"--junitxml={tmp}/junit.xml",
                f"--alluredir={tmp}/allure-results",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        wall = time.perf_counter() - start
    passed = re.search(r"(\d+) passed", out.stdout)
    if out.returncode != 0 or not passed:
        raise SystemExit(f"suite run {extra} failed:\n{out.stdout[-2000:]}")
    return wall, int(passed.group(1))


def last_line(script: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if out.returncode != 0:
        raise SystemExit(f"{script} failed:\n{out.stderr[-2000:]}")
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    rows = []
    for label, extra in [
        ("suites, plain", []),
        ("suites, xdist -n 1", ["-n", "1"]),
        ("suites, xdist -n 2", ["-n", "2"]),
    ]:
        wall, tests = suite_run(extra)
        rows.append(
            (label, f"{wall:.1f} s for {tests} tests", f"{wall / tests * 1000:.0f} ms per test")
        )
    latency_targets = "targets: atlink_vs_raw <= 1.5, pytest_embedded_vs_atlink >= 300"
    rows.append(("AT+CPIN? round trip", last_line("at_latency.py"), latency_targets))
    rows.append(("online throughput", last_line("data_throughput.py"), "target >= 0.5"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':{width}}  figure  |  note")
    for label, figure, note in rows:
        print(f"{label:{width}}  {figure}  |  {note}")


if __name__ == "__main__":
    main()
