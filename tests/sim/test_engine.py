"""The simulator's V.250 command-line engine, seen from a client."""

import pytest
from sim_helpers import reboot

from atlink import AtTimeout, CommandError, FinalKind
from cassiopeia_sim.engine import Engine, Pending, Spec
from support.waiting import eventually


def test_case_spaces_and_chains(simulator):
    at, _ = simulator()
    r = at.command("at + cgmm ; +CGMR;+cmee=1;+CMEE?")
    assert r.lines == ["CB610L", "UE4.2.2.0-46115", "+CMEE: 1"]


def test_first_error_aborts_the_rest_of_the_chain(simulator):
    at, _ = simulator()
    at.command("AT+CMEE=0")
    with pytest.raises(CommandError):
        at.command("AT+CMEE=1;+NOSUCH;+CMEE=2")
    assert at.command("AT+CMEE?").lines == ["+CMEE: 1"]


def test_basic_commands_chain_without_separator(simulator):
    at, _ = simulator(echo=True)
    at.command("ATE0V1Q0")
    assert at.command("ATS3?").lines == ["013"]


def test_echo_is_on_after_boot_and_off_after_ate0(simulator):
    at, _ = simulator(echo=True)
    mark = at.transcript.mark()
    at.command("AT+CGMI")
    assert any("AT+CGMI\\r" in e.text and e.direction == "<<" for e in at.transcript.since(mark))
    at.command("ATE0")
    mark = at.transcript.mark()
    at.command("AT+CGMI")
    assert not any("AT+CGMI" in e.text and e.direction == "<<" for e in at.transcript.since(mark))


def test_numeric_results_with_v0(simulator):
    at, _ = simulator()
    at.command("ATV0")
    mark = at.transcript.mark()
    r = at.command("AT+CGMM")
    assert r.lines == ["CB610L"]
    raw = "".join(e.text for e in at.transcript.since(mark) if e.direction == "<<")
    assert raw == "CB610L\\r\\n0\\r"
    with pytest.raises(CommandError):
        at.command("AT+NOSUCH")
    at.command("ATV1")


def test_quiet_mode_suppresses_result_codes(simulator):
    at, _ = simulator()
    at.send_raw(b"ATQ1\r")  # no result code, not even for ATQ1 itself
    with pytest.raises(AtTimeout) as info:
        at.command("AT+CGMM", timeout=0.5)
    assert info.value.lines == ["CB610L"]  # information text, but no OK ever comes
    at.send_raw(b"ATQ0\r")
    assert at.command("AT+CGMM", timeout=5).lines == ["CB610L"]


def test_s3_changes_the_line_terminator(simulator):
    at, _ = simulator()
    mark = at.urc_mark()
    at.send_raw(b"ATS3=10\r")
    at.send_raw(b"AT+CGMM\n")
    at.send_raw(b"ATS3=13\n")
    # no command pending: the answers land as unsolicited
    answer = at.wait_urc("CB610L", 5, after=mark)
    at.wait_urc("OK", 5, after=answer.seq)
    assert at.command("AT+CGMM").lines == ["CB610L"]


def test_atz_restores_v250_defaults(simulator):
    at, _ = simulator()
    at.command("ATS12=100")
    at.command("ATZ")
    assert at.command("ATS12?").lines == ["050"]


def test_a_slash_repeats_the_last_line(simulator):
    at, _ = simulator()
    at.command("AT+CGSN=3")
    assert at.command("A/").lines == ['+CGSN: "00"']


@pytest.mark.parametrize(
    "line",
    [
        "AT+CPIN",
        "AT+CGSN=4",
        "AT+CGSN=x",
        'AT+CCLK="',
        "AT+CFUN=2",
        "AT+",
        "AT#",
        "AT+CLCK=SC,2",
        "AT" + "E" * 600,
        "AT+CMEE=1,2",
        "ATS3=200",
        "ATS",
        "ATS?",
        "ATS=3",
    ],
)
def test_bad_syntax_answers_error_not_cme(simulator, line):
    at, _ = simulator()
    at.command("AT+CMEE=2")
    r = at.command(line, check=False)
    assert r.final.kind is FinalKind.ERROR, r.final
    assert at.command("AT").ok


def test_lines_without_at_prefix_are_ignored_and_garbage_never_hangs(simulator):
    at, _ = simulator()
    at.send_raw(b"hello\r\x00\xff\xfe\r+++\r")
    assert at.command("AT+CGMM").lines == ["CB610L"]


@pytest.mark.parametrize(
    "command, expected",
    [
        ("AT+CFUN=?", ["+CFUN: (0,1,4),(0,1)"]),
        ("AT+CMEE=?", ["+CMEE: (0-2)"]),
        ("AT+CGSN=?", ["+CGSN: (0-3)"]),
        ("AT+CLCK=?", ['+CLCK: ("SC")']),
        ("AT+CPWD=?", ['+CPWD: ("SC",8)']),
        ("AT+CTZU=?", ["+CTZU: (0,1)"]),
        ("AT+CPIN=?", []),
        ("AT+CPINR=?", []),
        ("AT+SQNAUTOCONNECT=?", ["+SQNAUTOCONNECT: (0,1),(0,1)"]),
    ],
)
def test_test_forms(simulator, command, expected):
    at, _ = simulator()
    assert at.command(command).lines == expected


def test_cme_formats_follow_cmee(simulator):
    at, control = simulator()
    control.remove_sim()
    for cmee, final in [(0, "ERROR"), (1, "+CME ERROR: 10"), (2, "+CME ERROR: SIM not inserted")]:
        at.command(f"AT+CMEE={cmee}")
        assert at.command("AT+CPIN?", check=False).final.line == final


def test_commands_sent_during_boot_are_answered_after_sysstart(simulator):
    at, control = simulator()
    mark = at.urc_mark()
    control.reboot()
    at.reopen(timeout=5)
    assert at.command("AT+CGMM", timeout=5).lines == ["CB610L"]
    assert [u.line for u in at.urcs.since(mark)][-1:] == ["+SYSSTART"]


def test_cmee_survives_reset_but_echo_does_not(simulator):
    at, control = simulator()
    at.command("AT+CMEE=2")
    reboot(at, control)
    assert at.command("AT+CMEE?").lines == ["+CMEE: 2"]
    mark = at.transcript.mark()
    at.command("AT")
    received = "".join(e.text for e in at.transcript.since(mark) if e.direction == "<<")
    assert received.startswith("AT\\r")  # echo back on


def test_lines_queued_behind_a_slow_command_all_run_without_recursion(simulator):
    """ATE0, then AT+CFUN=1 and 400 AT in one write: 401 OKs, and the port still answers
    (the queue ran by recursion: 328 OKs, a RecursionError, and a port that never answered)."""
    at, _ = simulator("locked=0")
    at.command("AT+CFUN=0")
    mark = at.urc_mark()
    at.send_raw(b"AT+CFUN=1\r" + b"AT\r" * 400)  # CFUN=1 takes a while: the ATs queue up
    oks = eventually(lambda: sum(u.line == "OK" for u in at.urcs.since(mark)) == 401 or None)
    assert oks and at.command("AT+CGMM", timeout=5).lines == ["CB610L"]


def test_queued_input_is_bounded_by_holding_the_host_not_by_dropping():
    """While a command runs, input waits in a bounded queue; beyond it the module's CTS goes
    off (the host's writes wait), and every queued line still runs once the command ends."""
    written, holds = bytearray(), []
    engine = Engine(written.extend, cmee=lambda: 2, hold_input=holds.append)
    slow = Pending()
    engine.register("+SLOW", Spec(exec=lambda: slow))
    engine.receive(b"AT+SLOW\r")
    lines = b"AT\r" * 5000  # 15,000 bytes: several times what the module buffers
    engine.receive(lines)
    assert holds == [True]  # held once the queue reached its bound, not before the end
    assert engine.queued_bytes <= Engine.QUEUE_LIMIT + len(lines)  # bounded by one delivery
    slow.resolve()
    assert written.count(b"OK\r\n") == 1 + 5000  # SLOW, and every queued AT
    assert holds == [True, False] and engine.queued_bytes == 0
