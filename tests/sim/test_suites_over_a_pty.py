"""The conformance suites through real serial paths: `cassiopeia-sim --pty` in its own process,
driven like a bench (a device path, a remote control plane), not through the in-process sim://.

The wirings a lab has: a UART whose device stays through resets; a USB port that vanishes at
every reset behind a udev-like stable link; a UART paced at 921600 baud, as slow as the wire;
a remote module behind ser2net, reached as rfc2217://; and the rehearsal the README describes.
"""

import contextlib

import pytest

from support.benches import assert_all_passed, run_suites, ser2net, served_simulator, write_bench

pytestmark = pytest.mark.slow  # whole-suite rehearsals: 15 s to 4 min each

WIRINGS = {
    "uart": [],
    "usb": ["--usb", "--link", "{tmp}/ttyACM-link"],
    "uart-921600": ["--baud", "921600"],
    "ser2net-rfc2217": [],
    # the README's rehearsal: a module's own delays, on USB, paced at 115200 baud (about 4 minutes)
    "rehearsal-usb-115200-realistic": [
        "--usb",
        "--link",
        "{tmp}/ttyACM-link",
        "--baud",
        "115200",
        "--profile",
        "realistic",
    ],
}


@pytest.mark.parametrize("wiring", list(WIRINGS))
def test_all_suites_pass(tmp_path, wiring):
    args = [a.format(tmp=tmp_path) for a in WIRINGS[wiring]]
    with contextlib.ExitStack() as stack:
        device, control = stack.enter_context(served_simulator(*args))
        port = (
            stack.enter_context(ser2net(device, tmp_path))
            if wiring == "ser2net-rfc2217"
            else device
        )
        baudrate = 115200 if "115200" in wiring else 921600
        bench = write_bench(tmp_path / f"{wiring}.toml", port, control, baudrate=baudrate)
        assert_all_passed(run_suites(bench, tmp_path / "reports"))
