"""Clients written by others, against the simulator served as a real process."""

import os
import subprocess
import sys

import pytest

from atlink import AtChannel
from support.benches import require_tool, served_simulator, stop
from support.processes import spawn


@pytest.fixture
def served():
    """`cassiopeia-sim --pty` as a subprocess; yields (device path, control address)."""
    with served_simulator("--unlocked") as device_and_control:
        yield device_and_control


@pytest.mark.slow  # gammu probes the port at length
def test_gammu_identify(served, tmp_path):
    gammu = require_tool("gammu", "gammu")
    device, _ = served
    rc = tmp_path / "gammurc"
    rc.write_text(f"[gammu]\ndevice = {device}\nconnection = at\n")
    out = subprocess.run(
        [gammu, "-c", str(rc), "identify"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    fields = {
        k.strip(): v.strip()
        for k, _, v in (ln.partition(":") for ln in out.stdout.splitlines())
        if v
    }
    assert fields["Manufacturer"].lower().startswith("sequans")
    assert "CB610L" in fields["Model"]
    assert fields["Firmware"].startswith("UE4.2.2.0-46115")
    assert fields["IMEI"] == "260531793113810"


@pytest.mark.slow  # gammu probes the port at length, four times
def test_gammu_networkinfo_monitor_and_security_status(served, tmp_path):
    """What gammu asks beyond the guide (+CREG, +CGREG, +CSQ, +CBC) is answered: 27.007
    supplement; the values follow the EPS state (GUESSES.md)."""
    gammu = require_tool("gammu", "gammu")
    device, _ = served
    rc = tmp_path / "gammurc"
    rc.write_text(f"[gammu]\ndevice = {device}\nconnection = at\n")

    def run(*command: str) -> str:
        out = subprocess.run(
            [gammu, "-c", str(rc), *command], capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    assert "Nothing to enter" in run("getsecuritystatus")  # an unlocked SIM
    info = run("networkinfo")
    assert "Network state        : home network" in info
    assert "LAC 0001, CID 01A2D001" in info and "GPRS                 : attached" in info
    monitor = run("monitor", "1")
    assert "Signal strength      : -79 dBm" in monitor  # +CSQ: 17 for the default cell


def test_pty_survives_a_client_closing_and_reopening(served):
    device, _ = served
    for _ in range(3):
        with AtChannel(device) as at:
            assert at.command("AT+CGMM", timeout=10).lines[-1] == "CB610L"


def test_remote_control_plane(served):
    from cassiopeia_sim.control import RemoteControl

    device, control = served
    rc = RemoteControl(control)
    try:
        with AtChannel(device) as at:
            at.command("ATE0;+CMEE=1", timeout=10)
            rc.remove_sim()
            assert at.command("AT+CPIN?", check=False).final.line == "+CME ERROR: 10"
            rc.insert_sim()
            assert rc.state()["sim"] in ("busy", "READY")
            with pytest.raises(RuntimeError, match="unknown operation"):
                rc._call("shutdown_everything", {})
    finally:
        rc.close()


def test_served_on_tcp_as_socket_url():
    proc = spawn(
        [
            sys.executable,
            "-m",
            "cassiopeia_sim.cli",
            "--tcp",
            "0",
            "--profile",
            "fast",
            "--unlocked",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("socket://127.0.0.1:")
        for _ in range(2):  # a second client after the first leaves
            with AtChannel(url) as at:
                assert at.command("AT+CGMM", timeout=10).lines[-1] == "CB610L"
    finally:
        stop(proc)
