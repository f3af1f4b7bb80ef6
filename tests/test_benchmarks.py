"""The benchmarks still run, at a size too small to mean anything, and print their figures in
the shape benchmarks/run.py and the README quote. Their targets are read by people from full
runs, never checked here: these machines are shared and noisy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
FIGURE = r"(\d+(?:\.\d+)?)"

pytestmark = pytest.mark.slow


def last_line(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_the_latency_benchmark_prints_every_ratio():
    line = last_line("at_latency.py", "--count", "40")
    names = ["atlink_vs_raw", "python_floor_vs_raw", "pyatcommand_vs_atlink"]
    pattern = " ".join(f"{name}={FIGURE}" for name in [*names, "pytest_embedded_vs_atlink"])
    figures = re.fullmatch(pattern, line)
    assert figures, line
    assert all(float(value) > 0 for value in figures.groups())


def test_the_throughput_benchmark_prints_its_ratio():
    line = last_line("data_throughput.py", "--megabytes", "1")
    figure = re.fullmatch(f"online_vs_raw_pty={FIGURE}", line)
    assert figure and float(figure.group(1)) > 0, line


def test_the_soak_loses_no_line():
    assert last_line("soak.py", "--commands", "500") == "lines_lost=0"
