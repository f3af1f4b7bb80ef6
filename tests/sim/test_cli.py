"""`cassiopeia-sim` as a lab starts it: its options, and what other users can see of them."""

import os
import subprocess
import sys
from pathlib import Path

from atlink import AtChannel
from support.benches import ROOT, stop
from support.processes import spawn


def test_sim_codes_from_the_environment_and_a_file_stay_off_the_process_list(tmp_path):
    puk_file = tmp_path / "puk"
    puk_file.write_text("55512345\n")
    command = [sys.executable, "-m", "cassiopeia_sim.cli", "--pty", "--profile", "fast"]
    proc = spawn(
        [*command, "--puk-file", str(puk_file)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "lib"), "CASSIOPEIA_SIM_PIN": "7391"},
    )
    try:
        device = proc.stdout.readline().strip()
        shown = Path(f"/proc/{proc.pid}/cmdline").read_bytes()  # what `ps` shows everyone
        assert b"7391" not in shown and b"55512345" not in shown
        with AtChannel(device) as at:
            at.command("ATE0", timeout=10)
            for _ in range(3):  # three wrong PINs: the card then asks for the file's PUK
                at.command('AT+CPIN="1111"', check=False)
            assert at.command('AT+CPIN="55512345","7391"').ok
            at.command('AT+CLCK="SC",0,"7391"')  # the environment's PIN is the card's
    finally:
        stop(proc)


def test_an_unreadable_code_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere"
    result = subprocess.run(
        [sys.executable, "-m", "cassiopeia_sim.cli", "--pty", "--pin-file", str(missing)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT / "lib")},
    )
    assert result.returncode == 2 and "cannot read a SIM code file" in result.stderr
    assert str(missing) in result.stderr
