"""Record on a bench, replay anywhere: a run's recording, replayed against a fresh simulated
module, shows where the two part ways; the public corpus of real-module captures replays with
no difference that GUESSES.md does not explain."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import pytest
from cassiopeia_replay import replay
from cassiopeia_replay.cli import main
from cassiopeia_replay.plan import SIM_PIN, SIM_PUK, codes_for

from atlink.recordings import RecordingError, read_recording
from support.benches import assert_all_passed

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "fidelity" / "corpus").glob("*.jsonl"))
SIMULATOR = ROOT / "benches" / "simulator.toml"


def _run(reports: pathlib.Path, *suites: str) -> list[dict]:
    pytest_run = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    result = subprocess.run(
        [*pytest_run, f"--bench={SIMULATOR}", f"--html={reports / 'report.html'}", *suites],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert_all_passed(result)
    return read_recording(reports / "recording.jsonl")


@pytest.fixture(scope="module")
def suites_run(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """Every suite on the simulated bench: PIN codes, a blocked and replaced SIM, reboots,
    coverage and network actions, upgrades from the run's own servers, TCP peers."""
    return _run(tmp_path_factory.mktemp("reports"), "suites")


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_the_corpus_replays_with_no_difference_guesses_do_not_explain(path: pathlib.Path):
    entries = read_recording(path)
    captured = [e for e in entries if e["kind"] in ("command", "urc")]
    assert all(e.get("source") for e in captured), "each entry says where it was captured"
    result = replay(entries, path.name, urc_wait=5)
    assert not result.differences, [
        f"{f.what}: {f.recorded} / {f.replayed}" for f in result.findings
    ]
    assert {f.known for f in result.known} == {e["differs"] for e in entries if "differs" in e}


@pytest.mark.slow
def test_the_recording_holds_urcs_actions_and_codes_by_role(suites_run):
    kinds = {e["kind"] for e in suites_run}
    assert kinds == {"run", "module", "command", "urc", "action"}
    commands = " ".join(e["command"] for e in suites_run if e["kind"] == "command")
    assert '"***(PIN)"' in commands and '"***(PUK)"' in commands and '"***"' in commands
    # the bench's codes, as whole numbers: a loopback port such as 40000 holds "0000" too
    assert not re.search(r"\b(0000|42984776)\b", commands)


@pytest.mark.slow
def test_a_replay_of_the_simulators_own_recording_shows_no_difference(suites_run):
    result = replay(suites_run, "own recording", urc_wait=5)
    assert result.commands > 1000 and result.urcs > 50
    assert not result.differences, [
        f"{f.test} {f.what}: {f.recorded} / {f.replayed}" for f in result.differences
    ]


@pytest.mark.slow
def test_an_edited_recording_shows_the_edit(suites_run):
    edited = json.loads(json.dumps(suites_run))
    target = next(
        e for e in edited if e["kind"] == "command" and e["lines"][:1] == ["+CPINR: SIM PIN,3,3"]
    )
    target["lines"] = ['+CPINR: "SIM PIN",3,3']  # quoted, as some firmware might
    urc = next(e for e in edited if e["kind"] == "urc" and e["line"] == "+SYSSTART")
    urc["line"] = "+SYSSTART: 1"
    result = replay(edited, "edited", urc_wait=2)
    found = sorted((f.what, f.recorded) for f in result.differences)
    assert found == sorted([("URC", "+SYSSTART: 1"), (target["command"], "+CPINR: q,n,n | OK")])


def test_codes_stand_in_for_the_roles_the_recording_names():
    assert codes_for('AT+CPIN="***(PIN)"') == f'AT+CPIN="{SIM_PIN}"'
    assert codes_for('AT+CPIN="***(PUK)","***(PIN)"') == f'AT+CPIN="{SIM_PUK}","{SIM_PIN}"'
    assert codes_for('AT+CPIN="***","***(PIN)"') == f'AT+CPIN="00000000","{SIM_PIN}"'
    assert codes_for('AT+CLCK="SC",1,"***"') == 'AT+CLCK="SC",1,"0000"'
    assert codes_for('AT+CPWD="SC","***(PIN)","***(CODE2)"') == f'AT+CPWD="SC","{SIM_PIN}","3002"'


def test_the_cli_says_what_it_cannot_read(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"v": 2, "kind": "command", "command": "AT"}\nnot json\n')
    assert main([str(bad), "--out", str(tmp_path)]) == 2
    assert "bad.jsonl:1: a command entry without final" in capsys.readouterr().err
    with pytest.raises(RecordingError, match="format version 9"):
        bad.write_text('{"v": 9, "kind": "command", "command": "AT", "final": "OK"}\n')
        read_recording(bad)


def test_the_cli_exits_1_on_a_difference_and_writes_its_page(tmp_path, capsys):
    recording = tmp_path / "r.jsonl"
    recording.write_text(
        json.dumps({"v": 1, "command": "AT+CGMM", "lines": ["CB610L", "extra"], "final": "OK"})
        + "\n"
    )
    assert main([str(recording), "--out", str(tmp_path)]) == 1  # version 1: commands only
    out = capsys.readouterr().out
    assert "1 difference(s)" in out and "recorded: t | t | OK" in out
    assert "Differences" in (tmp_path / "replay.html").read_text()
