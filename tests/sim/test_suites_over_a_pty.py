"""The conformance suites through a real serial path: `cassiopeia-sim --pty` in its own process,
driven like a bench (a device path, a remote control plane), not through the in-process sim://.

Three wirings: a UART whose device stays through resets; a USB port that vanishes at every
reset behind a udev-like stable link; a UART paced at 921600 baud, as slow as the wire.
"""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("wiring", ["uart", "usb", "uart-921600"])
def test_all_suites_pass_over_a_pty(tmp_path, wiring):
    extra = {"uart": [], "usb": ["--usb", "--link", str(tmp_path / "ttyACM-link")],
             "uart-921600": ["--baud", "921600"]}[wiring]
    sim = subprocess.Popen([sys.executable, "-m", "cassiopeia_sim.cli", "--pty", "--profile", "fast", "--control", "0",
                            *extra], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "lib")})
    try:
        device = sim.stdout.readline().strip()
        control = sim.stdout.readline().split()[1]
        bench = tmp_path / "bench.toml"
        bench.write_text(
            f'[bench]\nname = "pty"\nport = "{device}"\ncontrol = "{control}"\nbaudrate = 921600\n'
            'capabilities = ["sim-switch", "puk-entry", "sim-destructive", "destructive", "rf-control"]\n'
            '[module]\nmodel = "CB610L"\n[sim]\npin = "0000"\npuk = "42984776"\nlock = true\nplmn = "00101"\n'
            '[upgrade]\nlocal_host = "127.0.0.1"\nota_host = "127.0.0.2"\n')
        reports = tmp_path / "reports"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--bench={bench}",
             f"--html={reports / 'report.html'}", f"--junitxml={reports / 'junit.xml'}",
             f"--alluredir={reports / 'allure-results'}"],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout[-4000:]
        assert " passed" in result.stdout and "skipped" not in result.stdout.splitlines()[-1]
    finally:
        sim.terminate()
        sim.wait(10)
