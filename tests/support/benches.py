"""Benches made of real processes on 127.0.0.1: the simulator served on a pty, ser2net in
front of it, a bench file naming the result, and a conformance run against it."""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import pytest

from support.processes import spawn

ROOT = pathlib.Path(__file__).resolve().parents[2]
SIM_CAPABILITIES = (
    '["sim-switch", "puk-entry", "sim-destructive", "destructive", "rf-control", "network-control"]'
)


def require_tool(name: str, package: str) -> str:
    """The tool's path; a missing tool skips the test on a desk and fails it in CI."""
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.path.exists(p)), None
    )
    if path is None:
        message = f"{name} is not installed (apt-get install {package})"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must install it")
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{proc.args[0]} exited with {proc.returncode} before listening on {port}"
            )
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.5),
        ):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    """End the child, and close its pipes: left to the garbage collector, they warn."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


@contextlib.contextmanager
def served_simulator(*args: str, stable_name: bool = True) -> Iterator[tuple[str, str]]:
    """`cassiopeia-sim --pty --control 0 ARGS` in its own process: (device, control address).

    The device is a stable link in a folder of its own (as udev's by-id names are), unless ARGS
    name one: a freed /dev/pts/N is soon another process's, and a client reopening the number
    after this simulator ended would talk to whatever module holds it now. (labgrid's exporter
    wants the pty itself: stable_name=False.)"""
    with tempfile.TemporaryDirectory(prefix="served-") as folder:
        wanted = stable_name and "--link" not in args
        link = ["--link", f"{folder}/ttyModule"] if wanted else []
        proc = spawn(
            [
                sys.executable,
                "-m",
                "cassiopeia_sim.cli",
                "--pty",
                "--profile",
                "fast",
                "--control",
                "0",
                *link,
                *args,
            ],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "lib")},
        )
        try:
            device = proc.stdout.readline().strip()
            control = proc.stdout.readline().split()[1]
            yield device, control
        finally:
            stop(proc)


@contextlib.contextmanager
def ser2net(device: str, workdir: pathlib.Path, baud: int = 115200) -> Iterator[str]:
    """ser2net 4 serving `device` as RFC 2217 on 127.0.0.1; yields the rfc2217:// URL."""
    binary = require_tool("ser2net", "ser2net")
    port = free_port()
    config = workdir / "ser2net.yaml"
    config.write_text(
        "%YAML 1.1\n---\n"
        "connection: &module\n"
        f"    accepter: telnet(rfc2217),tcp,127.0.0.1,{port}\n"
        f"    connector: serialdev,{device},{baud}n81,local\n"
        "    options:\n      kickolduser: true\n"
    )
    proc = spawn(
        [binary, "-n", "-u", "-c", str(config), "-P", str(workdir / "ser2net.pid")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_listening(port, proc)
        # A pty has no modem lines: ser2net never acknowledges DTR/RTS, and pyserial is told so.
        yield f"rfc2217://127.0.0.1:{port}?ign_set_control"
    finally:
        stop(proc)


def write_bench(
    path: pathlib.Path,
    port: str | None,
    control: str | None = None,
    baudrate: int = 115200,
    tables: str = "",
) -> pathlib.Path:
    """A bench file for a served simulator: the simulator's own SIM codes and capabilities."""
    port_line = f'port = "{port}"\n' if port else ""
    control_line = f'control = "{control}"\n' if control else ""
    path.write_text(
        f'[bench]\nname = "{path.stem}"\n{port_line}{control_line}baudrate = {baudrate}\n'
        f"capabilities = {SIM_CAPABILITIES}\n"
        '[module]\nmodel = "CB610L"\n[sim]\npin = "0000"\npuk = "42984776"\nlock = true\nplmn = '
        '"00101"\n'
        f'[upgrade]\nlocal_host = "127.0.0.1"\nota_host = "127.0.0.2"\n'
        f'[peers]\nhost = "127.0.0.1"\n{tables}'
    )
    return path


def run_suites(
    bench: pathlib.Path, reports: pathlib.Path, *args: str, timeout: float = 600
) -> subprocess.CompletedProcess:
    """A conformance run as a lab starts it, with the three reports."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--bench={bench}",
            f"--html={reports / 'report.html'}",
            f"--junitxml={reports / 'junit.xml'}",
            f"--alluredir={reports / 'allure-results'}",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_all_passed(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary and "error" not in summary, summary
