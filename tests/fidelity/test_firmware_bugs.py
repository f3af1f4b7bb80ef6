"""A suite is only as good as the bugs it catches: each firmware bug here, put into the
simulator, must fail the suites, on the use case it breaks and by a check that names its
source. (Each of them passed every suite test before the checks that catch it were added.)"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from support.firmware_bugs import BUGS

ROOT = pathlib.Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"

# bug -> (the suites to run, the use case it must fail, what the failing check cites)
CAUGHT_BY = {
    # in the baseline: the module's own answers disagree, a module failure, not a bench error
    "clck-read-inverted": ("suites/sim", "1.1.2 Power on the SIM slot", "27.007 7.4"),
    "clck-takes-any-password": (
        "suites/sim",
        "1.1.2 Enable SIM lock with PIN code",
        "27.007 9.2.1",
    ),
    "puk-alone-unblocks": ("suites/sim", "1.1.2 Enter PUK code to unlock SIM", "guide 1.1.2"),
    "pin-when-ready-is-ok": ("suites/sim", "1.1.2 Enter PIN code to unlock SIM", "reference 2.2"),
    "sim-commands-before-the-pin": (
        "suites/sim",
        "1.1.2 Commands refused while the SIM asks for its PIN",
        "reference 2.2",
    ),
    "rsrp-one-db-off": (
        "suites/network/test_signal_quality.py",
        "1.2.3 Processing signal quality responses",
        "reference 3.5",
    ),
    "last-pdn-disconnects": (
        "suites/network/test_pdp_contexts.py",
        "1.2.2 The last PDN cannot be disconnected",
        "reference 3.7",
    ),
    "denial-without-its-cause": (
        "suites/network/test_network_attach.py",
        "1.2.4 A denied registration reports its cause",
        "27.007 10.1.22",
    ),
    "frozen-clock": ("suites/system/test_system_information.py", "2.2.2 Clock", "27.007 8.15"),
    "home-as-roaming": (
        "suites/network/test_network_attach.py",
        "1.2.2 Check network registration status",
        "27.007 10.1.22",
    ),
    "cops-unquoted": (
        "suites/network/test_network_attach.py",
        "1.2.2 Check network registration status",
        "27.007 7.3",
    ),
    "autoatt-persists": (
        "suites/network/test_network_attach.py",
        "1.2.2 Manual connect and automatic attach to the network",
        "guide 1.2.2",
    ),
    "ring-counts-one-more": (
        "suites/data/test_tcp_command_mode.py",
        "3.1.3 Use cases in command mode with text data",
        "reference 6.9",
    ),
    "final-without-leading-crlf": (
        "suites/system/test_modem_information.py",
        "2.1.2 Answers framed as V.250 says",
        "V.250 5.7.1",
    ),
}


def test_every_bug_has_a_catch():
    assert set(CAUGHT_BY) == set(BUGS)


@pytest.mark.slow  # a suites run per bug
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_the_suites_catch_the_bug(bug, tmp_path):
    reports = tmp_path / "reports"
    env = {**os.environ, "CASSIOPEIA_BUG": bug}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "support.firmware_bugs", f"--html={reports / 'report.html'}", CAUGHT_BY[bug][0]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:]  # tests failed: the bug was seen
    rows = json.loads((reports / "acceptance.json").read_text())["use_cases"]
    _, usecase, source = CAUGHT_BY[bug]
    [row] = [r for r in rows if f"{r['clause']} {r['title']}" == usecase]
    assert row["verdict"] == "failed", row
    reasons = " ".join(t["reason"] for t in row["tests"] if t["verdict"] == "failed")
    assert source in reasons, reasons
