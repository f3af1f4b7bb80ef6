"""atlink.AtChannel against a scripted device, over a pty and over chunked in-process ports."""

import re
import threading
import time

import pytest

from atlink import (
    CTRL_Z,
    ESC,
    AtChannel,
    AtError,
    AtTimeout,
    CallError,
    CmeError,
    CmsError,
    CommandError,
    FinalKind,
    OnlineClosed,
    PortLost,
    UrcTable,
)
from atlink.framing import MAX_LINE

OK = b"\r\nOK\r\n"
WALL_STAMP = re.compile(r"\d\d:\d\d:\d\d\.\d{6}")


# ---------------------------------------------------------------- 1. framing
def test_v1_framing_information_lines_and_final(connect):
    at, _ = connect({"AT+CPIN?": b"\r\n+CPIN: READY\r\n" + OK})
    r = at.command("AT+CPIN?")
    assert r.lines == ["+CPIN: READY"] and r.final.kind is FinalKind.OK
    assert r.one("+CPIN:") == "READY"


def test_bare_cr_and_bare_lf_framing(connect):
    at, _ = connect({"AT+CSQ": b"+CSQ: 17,99\rOK\r", "AT+CGMM": b"\nCB610L\n\nOK\n"})
    assert at.command("AT+CSQ").lines == ["+CSQ: 17,99"]
    assert at.command("AT+CGMM").lines == ["CB610L"]


def test_empty_lines_are_skipped(connect):
    at, _ = connect({"ATI": b"\r\n\r\n\r\nSequans\r\n\r\n\r\nCB610L\r\n\r\n" + OK})
    assert at.command("ATI").lines == ["Sequans", "CB610L"]


def test_bytes_that_are_not_utf8_never_crash(connect):
    at, _ = connect({"AT+X": b"\r\n\xff\xfe caf\xe9 \xc3\x28\r\n" + OK, "AT": OK})
    r = at.command("AT+X")
    assert r.lines == ["\\xff\\xfe caf\\xe9 \\xc3("]
    assert at.command("AT").ok  # the reader survived


# ---------------------------------------------------------------- 2. echo
def test_echo_on_is_never_part_of_the_response(connect):
    at, _ = connect({"AT+CGSN": b"\r\n260531793113810\r\n" + OK, "ATE0": OK}, echo=True)
    assert at.command("AT+CGSN").lines == ["260531793113810"]
    assert at.command("ATE0").lines == []  # ATE0 itself is still echoed


def test_echo_with_leading_noise_is_removed(connect):
    at, script = connect({"AT": OK})
    script.replies["AT"] = lambda line: b"\x1b\rAT\r" + OK  # gammu's ESC noise before the echo
    assert at.command("AT").lines == []


def test_echo_off_does_not_stall(connect):
    at, _ = connect({"AT+CGMR": b"\r\nUE4.2.2.0-46115\r\n" + OK})
    assert at.command("AT+CGMR").text() == "UE4.2.2.0-46115"


# ---------------------------------------------------------------- 3. final results
@pytest.mark.parametrize(
    "reply, error, code",
    [
        (b"\r\nERROR\r\n", CommandError, None),
        (b"\r\n+CME ERROR: 11\r\n", CmeError, 11),
        (b"\r\n+CME ERROR: SIM PIN required\r\n", CmeError, 11),
        (b"\r\n+CME ERROR: SIM not inserted\r\n", CmeError, 10),
        (b"\r\n+CMS ERROR: 310\r\n", CmsError, 310),
        (b"\r\nNO CARRIER\r\n", CallError, None),
        (b"\r\nBUSY\r\n", CallError, None),
        (b"\r\nNO ANSWER\r\n", CallError, None),
        (b"\r\nNO DIALTONE\r\n", CallError, None),
    ],
)
def test_failure_finals_raise_typed_errors(connect, reply, error, code):
    at, _ = connect({"AT+CPIN?": reply})
    with pytest.raises(error) as info:
        at.command("AT+CPIN?")
    assert type(info.value) is error
    assert info.value.command == "AT+CPIN?" and info.value.code == code
    assert info.value.final.line == reply.strip().decode()


def test_numeric_and_verbose_cme_carry_the_same_code_and_text(connect):
    at, _ = connect(
        {"AT+A": b"\r\n+CME ERROR: 16\r\n", "AT+B": b"\r\n+CME ERROR: incorrect password\r\n"}
    )
    with pytest.raises(CmeError) as a:
        at.command("AT+A")
    with pytest.raises(CmeError) as b:
        at.command("AT+B")
    a, b = a.value, b.value
    assert a.code == b.code == 16 and a.text == b.text == "incorrect password"


def test_check_false_returns_the_failure(connect):
    at, _ = connect({"AT+X": b"\r\n+CME ERROR: 3\r\n"})
    r = at.command("AT+X", check=False)
    assert not r.ok and r.final.kind is FinalKind.CME_ERROR


@pytest.mark.parametrize("line", [b"OKAY", b"+CME ERROR:", b"UNKNOWN COMMAND", b"ERRORS"])
def test_lines_that_only_look_like_finals_are_information(connect, line):
    at, _ = connect({"AT+X": b"\r\n" + line + b"\r\n" + OK})
    assert at.command("AT+X").lines == [line.decode()]


def test_connect_with_text_is_a_success_final(connect):
    at, _ = connect({"ATD*99#": b"\r\nCONNECT 150000000\r\n"})
    r = at.command("ATD*99#")
    assert r.final.kind is FinalKind.CONNECT and r.final.text == "150000000"


def test_numeric_result_codes_after_atv0(connect):
    at, _script = connect({"ATV0": b"0\r", "AT+CGSN=3": b"+CGSN: 00\r\n0\r", "AT+X": b"4\r"})
    at.command("ATV0")
    assert at.command("AT+CGSN=3").lines == ["+CGSN: 00"]
    with pytest.raises(CommandError):
        at.command("AT+X")


# ---------------------------------------------------------------- 4. URC routing
def test_urcs_before_inside_and_after_a_response_are_routed_not_mixed(connect):
    table = UrcTable()
    table.register("+CEREG:")
    table.register("+SQNSRING:")
    reply = (
        b"\r\n+SQNSRING: 1\r\n\r\n+CESQ: 99,99,255,255,13,35\r\n\r\n+CEREG: 5\r\n"
        + OK
        + b"\r\n+CEREG: 1\r\n"
    )
    at, _ = connect({"AT+CESQ": reply}, urc_table=table)
    mark = at.urc_mark()
    r = at.command("AT+CESQ")
    assert r.lines == ["+CESQ: 99,99,255,255,13,35"]
    at.wait_urc("+CEREG: 1", 5, after=mark)  # the one after OK
    assert [u.line for u in at.urcs.since(mark)] == ["+SQNSRING: 1", "+CEREG: 5", "+CEREG: 1"]


def test_unknown_unsolicited_line_with_no_command_pending_is_a_urc(connect):
    at, script = connect({"AT": OK})
    mark = at.urc_mark()
    script.output(b"\r\n+SYSSTART\r\n")
    assert at.wait_urc("+SYSSTART", 5, after=mark).line == "+SYSSTART"


def test_a_urc_right_after_back_to_back_commands_still_arrives_with_none_pending(connect):
    # While commands follow each other the background reader is kept from the port; it must
    # watch again once they pause, or this URC would wait for the next command to be seen.
    at, script = connect({"AT": OK})
    for _ in range(20):
        at.command("AT")
    mark = at.urc_mark()
    script.output(b"\r\n+CEREG: 1\r\n")
    assert at.wait_urc("+CEREG: 1", 5, after=mark).line == "+CEREG: 1"


def test_same_prefix_conflict_is_settled_by_the_discriminator(connect):
    # +CEREG read replies start with <n>,<stat>; URCs start with <stat> and a quoted TAC.
    def solicited(line, command):
        fields = line.split(":", 1)[1].split(",")
        return len(fields) >= 2 and fields[1].strip().isdigit()

    table = UrcTable()
    table.register("+CEREG:", solicited)
    reply = b'\r\n+CEREG: 1,"0001","01A2D001",7\r\n\r\n+CEREG: 2,1,"0001","01A2D001",7\r\n' + OK
    at, _ = connect({"AT+CEREG?": reply}, urc_table=table)
    mark = at.urc_mark()
    assert at.command("AT+CEREG?").lines == ['+CEREG: 2,1,"0001","01A2D001",7']
    assert [u.line for u in at.urcs.since(mark)] == ['+CEREG: 1,"0001","01A2D001",7']


def test_same_prefix_without_discriminator_goes_to_the_command(connect):
    table = UrcTable()
    table.register("+CFUN:")
    at, _ = connect({"AT+CFUN?": b"\r\n+CFUN: 1\r\n" + OK}, urc_table=table)
    assert at.command("AT+CFUN?").lines == ["+CFUN: 1"]


def test_wait_urc_times_out_with_what_arrived(connect):
    at, script = connect({})
    script.output(b"\r\n+CEREG: 2\r\n")
    with pytest.raises(AtTimeout) as info:
        at.wait_urc("+CEREG: 1", 0.2)
    assert "+CEREG: 2" in str(info.value)


def test_no_unexpected_urc_can_be_asserted(connect):
    at, _script = connect({"AT": OK})
    mark = at.urc_mark()
    at.command("AT")
    assert at.urcs.since(mark) == []


def test_regex_patterns_are_opt_in(connect):
    at, script = connect({})
    script.output(b'\r\n+CEREG: 1,"0001","01A2D001",7\r\n')
    assert at.wait_urc(re.compile(r"^\+CEREG: [15],"), 5)
    with pytest.raises(AtTimeout):
        at.wait_urc("+CEREG: [15]", 0.1)  # literal: brackets are not a class


# ---------------------------------------------------------------- 5. prompts and counted reads
def _collect_payload(script, until, reply):
    got = bytearray()

    def handler(data):
        got.extend(data)
        if until(got):
            script.raw_handler = None
            script.output(reply)

    return got, handler


@pytest.mark.parametrize("prompt", [b"\r\n> ", b"\r\n>", b"> "])
def test_prompt_then_payload_ended_by_ctrl_z(connect, prompt):
    at, script = connect()
    got, handler = _collect_payload(script, lambda b: b.endswith(CTRL_Z), OK)

    def start(line):
        script.raw_handler = handler
        return prompt

    script.replies["AT+SQNSSEND=1"] = start
    r = at.command("AT+SQNSSEND=1", payload=b"Hello from client")
    assert r.ok and bytes(got) == b"Hello from client\x1a"


def test_prompt_payload_cancelled_by_esc(connect):
    at, script = connect()
    got, handler = _collect_payload(script, lambda b: b.endswith(ESC), OK)
    script.replies["AT+SQNSSEND=1"] = lambda line: (
        setattr(script, "raw_handler", handler),
        b"\r\n> ",
    )[1]
    assert at.command("AT+SQNSSEND=1", payload=b"never sent", payload_end=ESC).ok
    assert bytes(got) == b"never sent\x1b"


def test_prompt_exact_byte_count_may_contain_control_bytes(connect):
    at, script = connect()
    data = bytes(range(256)) * 2
    got, handler = _collect_payload(script, lambda b: len(b) >= len(data), OK)
    script.replies["AT+SQNSSENDEXT=1,512"] = lambda line: (
        setattr(script, "raw_handler", handler),
        b"\r\n> ",
    )[1]
    assert at.command("AT+SQNSSENDEXT=1,512", payload=data, payload_end=None).ok
    assert bytes(got) == data


def test_prompt_refused_with_an_error_does_not_send_the_payload(connect):
    at, script = connect({"AT+SQNSSEND=7": b"\r\n+CME ERROR: 4\r\n"})
    with pytest.raises(CmeError):
        at.command("AT+SQNSSEND=7", payload=b"data")
    assert b"data" not in script.raw_received


def _sqnsrecv_count(line: bytes):
    m = re.match(rb"^\+SQNSRECV: *\d+,(\d+)$", line)
    return int(m.group(1)) if m else None


@pytest.mark.parametrize(
    "payload", [b"OK\r\nXY", b"\r\n+CME ERROR: 3\r\n", b"\r\nOK\r\n" * 4, bytes(range(24))]
)
def test_counted_binary_read(connect, payload):
    reply = b"\r\n+SQNSRECV: 1,%d\r\n" % len(payload) + payload + OK
    at, _ = connect({"AT+SQNSRECV=1,100": reply})
    r = at.command("AT+SQNSRECV=1,100", counted=_sqnsrecv_count)
    assert r.payload == payload and r.lines == [f"+SQNSRECV: 1,{len(payload)}"]


# ---------------------------------------------------------------- 6. online data mode
def _online_device(connect, guard_ok=True):
    at, script = connect()
    peer = bytearray()

    def online(data):
        if data.endswith(b"+++") and guard_ok:
            peer.extend(data[:-3])
            script.raw_handler = None
            script.output(OK)
        else:
            peer.extend(data)
            script.output(data.upper())  # a peer that answers

    def dial(line):
        script.raw_handler = online
        return b"\r\nCONNECT\r\n"

    script.replies['AT+SQNSD=1,0,8008,"127.0.0.1"'] = dial
    script.replies["AT+SQNSS"] = b"\r\n+SQNSS: 1,2\r\n" + OK
    return at, script, peer


def test_online_mode_carries_raw_bytes_both_ways_then_escape(connect):
    at, _script, peer = _online_device(connect)
    r = at.command('AT+SQNSD=1,0,8008,"127.0.0.1"')
    assert r.final.kind is FinalKind.CONNECT
    session = at.online
    session.write(b"hello\r\nOK\r\n")
    assert session.read_exactly(11, 5) == b"HELLO\r\nOK\r\n"
    session.escape(guard=0.05)
    assert not session.active and session.end_reason == "OK"
    assert at.command("AT+SQNSS").lines == ["+SQNSS: 1,2"]  # back in command mode
    assert bytes(peer) == b"hello\r\nOK\r\n"


def test_online_data_that_ends_like_the_start_of_no_carrier_is_delivered_once_the_line_is_quiet(
    connect,
):
    at, script, _ = _online_device(connect)
    at.command('AT+SQNSD=1,0,8008,"127.0.0.1"')
    # "\r\n" may begin "\r\nNO CARRIER\r\n": held back until the line is quiet
    script.output(b"line one\r\n")
    assert at.online.read_exactly(10, 5) == b"line one\r\n"


def test_no_carrier_split_across_reads_still_ends_the_mode_while_a_reader_waits(connect):
    at, script, _ = _online_device(connect)
    at.command('AT+SQNSD=1,0,8008,"127.0.0.1"')

    def peer_goes():  # the terminator arrives in two pieces, well within the line's quiet time
        script.output(b"bye\r\n")
        time.sleep(0.01)
        script.output(b"NO CARRIER\r\n")

    sender = threading.Timer(0.05, peer_goes)
    sender.start()
    with pytest.raises(OnlineClosed):  # the reader is waiting when the terminator comes
        at.online.read_exactly(100, 2)
    sender.join(5)
    assert at.online.end_reason == "NO CARRIER"
    assert at.online.pending() == b"bye"


def test_no_carrier_while_online_ends_the_mode(connect):
    at, script, _ = _online_device(connect)
    at.command('AT+SQNSD=1,0,8008,"127.0.0.1"')
    script.output(b"last words\r\nNO CARRIER\r\n")
    assert at.online.wait_closed(5) == "NO CARRIER"
    assert at.online.pending() == b"last words"
    with pytest.raises(OnlineClosed):
        at.online.write(b"more")


# a pty has no DCD line: there the session follows NO CARRIER and the quiet line (the heuristic)
WITH_DCD = pytest.mark.parametrize("transport", ["chunk1", "chunk2", "chunk7"])


@WITH_DCD
def test_a_dcd_drop_ends_the_session_and_the_no_carrier_after_it_is_not_a_urc(connect):
    """Issue 15 case 8: where the port reports DCD, the session follows it."""
    at, script, _ = _online_device(connect)
    script.carrier = True
    at.command('AT+SQNSD=1,0,8008,"127.0.0.1"')
    script.output(b"last words")
    script.carrier = False  # the connection is gone; the module has not said so yet
    assert at.online.wait_closed(5) == "NO CARRIER"
    assert at.online.pending() == b"last words"
    mark = at.urc_mark()
    script.raw_handler = None
    script.output(b"\r\nNO CARRIER\r\n")  # then it does
    assert at.command("AT+SQNSS").lines == ["+SQNSS: 1,2"]
    assert [u.line for u in at.urcs.since(mark)] == []


@WITH_DCD
def test_under_atv0_data_ending_in_3_before_a_pause_stays_data_while_dcd_is_on(connect):
    """A numeric NO CARRIER is two bytes data carries; DCD tells them apart (V.250 6.2.6)."""
    at, script, _ = _online_device(connect)
    script.replies["ATV0"] = b"0\r"
    at.command("ATV0")
    script.replies['AT+SQNSD=1,0,8008,"127.0.0.1"'] = lambda line: (
        setattr(script, "raw_handler", script.raw_handler or (lambda data: None)) or b"1\r"
    )
    script.carrier = True
    at.command('AT+SQNSD=1,0,8008,"127.0.0.1"')
    script.output(b"counter 3\r")
    assert at.online.read_exactly(10, 5) == b"counter 3\r"
    time.sleep(0.2)  # the line is quiet after the 3: with DCD on, that was data
    assert at.online.active
    script.carrier = False
    script.output(b"3\r")
    assert at.online.wait_closed(5) == "NO CARRIER"


def test_commands_are_refused_while_online(connect):
    at, _, _ = _online_device(connect)
    at.command('AT+SQNSD=1,0,8008,"127.0.0.1"')
    with pytest.raises(AtError, match="online"):
        at.command("AT")


# ---------------------------------------------------------------- 7. timeouts and late responses
def test_late_response_never_answers_the_next_command(connect):
    at, script = connect({"AT+CGMR": b"\r\nUE4.2.2.0-46115\r\n" + OK})
    pending = []
    script.replies["AT+COPS=?"] = lambda line: pending.append(line) or None  # silent for now
    with pytest.raises(AtTimeout) as info:
        at.command("AT+COPS=?", timeout=0.2)
    assert "no final result" in str(info.value)
    script.output(b'\r\n+COPS: (1,"Late","Late","00101",7)\r\n' + OK)  # the late answer
    r = at.command("AT+CGMR")
    assert r.lines == ["UE4.2.2.0-46115"]
    assert at.late_lines >= 1


def test_lost_late_response_is_recovered_with_a_probe(connect):
    at, script = connect({"AT": OK, "AT+CGMM": b"\r\nCB610L\r\n" + OK})
    script.replies["AT+SLOW"] = lambda line: None  # never answers
    with pytest.raises(AtTimeout):
        at.command("AT+SLOW", timeout=0.1)
    assert at.command("AT+CGMM").lines == ["CB610L"]
    assert "AT" in script.received


def test_default_timeouts_per_family():
    from atlink import DEFAULT_TIMEOUTS

    assert DEFAULT_TIMEOUTS.for_command("AT+COPS=?") >= 180
    assert DEFAULT_TIMEOUTS.for_command("at+cgatt=1") >= 60
    assert DEFAULT_TIMEOUTS.for_command("AT+CGMR") == DEFAULT_TIMEOUTS.default


# ---------------------------------------------------------------- 8. threads
def test_one_command_at_a_time_from_many_threads(connect):
    replies = {f"AT+N={i}": f"\r\n+N: {i}\r\n".encode() + OK for i in range(40)}
    at, _ = connect(replies)
    results, errors = {}, []

    def worker(ids):
        try:
            for i in ids:
                results[i] = at.command(f"AT+N={i}").one("+N:")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(range(k, 40, 4),)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and results == {i: str(i) for i in range(40)}


# ---------------------------------------------------------------- 9. transcript
def test_transcript_has_every_byte_with_direction_and_masks_secrets(connect):
    auth = b'\r\n+CGAUTH: 1,1,"user","pw8765"\r\n' + OK  # the read reply carries the password too
    at, _ = connect(
        {'AT+CPIN="0000"': OK, 'AT+CLCK="SC",1,"4321"': OK, "AT+CGAUTH?": auth}, echo=True
    )
    mark = at.transcript.mark()
    at.command('AT+CPIN="0000"')
    at.command('AT+CLCK="SC",1,"4321"')
    at.command("AT+CGAUTH?")
    entries = at.transcript.since(mark)
    recorded = "".join(e.text for e in entries)  # the bytes alone: a timestamp may well hold "0000"
    assert "0000" not in recorded and "4321" not in recorded and "8765" not in recorded
    text = at.transcript.render(entries)
    assert (
        'AT+CPIN="***"\\r' in text
        and 'AT+CLCK="SC",1,"***"' in text
        and '+CGAUTH: 1,1,"user","***"' in text
    )
    assert ">> " in text and "<< " in text
    at.close()  # a trailing line end no token claimed yet is flushed on close
    sizes = sum(e.size for e in at.transcript.since(mark) if e.direction == "<<")
    assert sizes == len(
        b'AT+CPIN="0000"\r' + OK + b'AT+CLCK="SC",1,"4321"\r' + OK + b"AT+CGAUTH?\r" + auth
    )


def test_errors_and_events_carry_no_secret(connect, monkeypatch):
    """A failed or timed-out command's error text, repr and attributes are masked, and so is
    the transcript's timeout event: they reach reports, junit and Allure."""
    # the wall clock pinned where its microseconds read like a PIN, as one run in ~10^3 did
    monkeypatch.setattr(time, "time", lambda: 1764708001.739119)
    cme = b"\r\n+CME ERROR: 16\r\n"
    auth = b'\r\n+CGAUTH: 1,1,"u","pw8765"\r\n'
    at, script = connect({'AT+CPIN="7391"': cme, 'AT + CPIN = "7392"': cme, "AT": OK})
    script.replies['AT+CPIN="8461"'] = lambda line: None  # never answers
    script.replies["AT+CGAUTH?"] = lambda line: auth  # the read reply, then silence
    mark = at.transcript.mark()
    with pytest.raises(CmeError) as failed:
        at.command('AT+CPIN="7391"')
    with pytest.raises(CmeError) as spaced:
        at.command('AT + CPIN = "7392"')
    with pytest.raises(AtTimeout) as silent:
        at.command('AT+CPIN="8461"', timeout=0.2)
    with pytest.raises(AtTimeout) as partial:
        at.command("AT+CGAUTH?", timeout=0.2)
    shown = [
        f"{e.value} {e.value!r} {vars(e.value)}" for e in (failed, spaced, silent, partial)
    ] + [entry.text for entry in at.transcript.since(mark)]
    # the wire tail's wall-clock stamps are digits too: 20:40:01.739119 holds "7391"
    shown = [WALL_STAMP.sub("hh:mm:ss.us", text) for text in shown]
    for secret in ("7391", "7392", "8461", "pw8765"):
        assert not [text for text in shown if secret in text], secret
    assert failed.value.code == 16 and "+CME ERROR: 16" in str(failed.value)


def test_the_port_url_is_shown_without_its_secrets():
    from support.fake_device import Script
    from support.urlhandler import protocol_fake

    protocol_fake.DEVICES["secretive"] = Script({})
    with AtChannel("fake://secretive?chunk=1&pin=7391&puk=55512345") as at:
        opened = at.transcript.since(0)[0].text
    assert "pin=***" in opened and "7391" not in opened and "55512345" not in opened


# ---------------------------------------------------------------- 10. a vanishing port
def test_port_vanishing_mid_command_raises_port_lost_and_can_reopen(connect):
    at, script = connect({"AT": OK})
    script.replies["AT+CFUN=1,1"] = lambda line: script.vanish() or None
    with pytest.raises(PortLost):
        at.command("AT+CFUN=1,1", timeout=10)
    assert at.lost is not None
    with pytest.raises(PortLost):
        at.command("AT")


def test_commands_reject_line_ends():
    from atlink.channel import AtChannel

    with pytest.raises(ValueError):
        AtChannel.command(None, "AT\rAT")  # validated before any I/O


def test_reopen_waits_for_the_port_to_come_back():
    from atlink import AtChannel
    from support.fake_device import Script
    from support.urlhandler import protocol_fake

    protocol_fake.DEVICES["reboots"] = Script({"AT": OK})
    at = AtChannel("fake://reboots?chunk=3")
    try:
        protocol_fake.DEVICES["reboots"].vanish()
        with pytest.raises(PortLost):
            at.command("AT")
        del protocol_fake.DEVICES["reboots"]  # the port is gone while the module boots
        threading.Timer(
            0.2, protocol_fake.DEVICES.__setitem__, ("reboots", Script({"AT": OK}))
        ).start()
        at.reopen(timeout=5)
        assert at.command("AT").ok and at.is_open
    finally:
        at.close()


def test_a_bare_v_is_v0_even_when_the_line_fails(connect):
    at, _script = connect({"ATVN": b"4\r", "AT+CGMM": b"CB610L\r\n0\r", "ATV1": b"\r\nOK\r\n"})
    with pytest.raises(CommandError):
        at.command("ATVN", timeout=2)  # V applied, then N unknown: the error comes numeric
    assert at.command("AT+CGMM", timeout=2).lines == ["CB610L"]
    at.command("ATV1", timeout=2)


def test_bytes_received_before_a_command_are_never_its_answer(connect):
    at, script = connect({"AT+CGMM": b"\r\nCB610L\r\n\r\nOK\r\n"})
    for i in range(20):  # the stray bytes are still in the buffer when the command goes out
        script.output(f"\r\nstray {i}\r\n".encode())
        assert at.command("AT+CGMM", timeout=2).lines == ["CB610L"]
    # kept, on the unsolicited side
    assert sum("stray" in e.text for e in at.transcript.since(0)) >= 20


# ---------------------------------------------------------------- issue 15: routing cases
def test_lines_after_the_final_in_the_same_read_are_not_the_answer(connect):
    """Case 1: after the final, a line is a URC or a late line, never the answer."""
    tail = b"\r\nUE8.0.5.3\r\n\r\nOK\r\n\r\n+CEREG: 5\r\n\r\nERROR\r\n"
    at, _ = connect({"AT+CGMR": tail}, urc_table=_cereg_table())
    mark = at.urc_mark()
    r = at.command("AT+CGMR")
    assert r.lines == ["UE8.0.5.3"] and r.final.line == "OK"  # the ERROR after OK changes nothing
    assert at.wait_urc("+CEREG: 5", 2, after=mark).line == "+CEREG: 5"


def test_a_cme_error_without_its_space_is_still_a_final(connect):
    """Case 5: `+CME ERROR:10` is parsed the tolerant way (ModemManager: \\+CME ERROR:\\s*)."""
    at, _ = connect({"AT+A": b"\r\n+CME ERROR:10\r\n", "AT+B": b"\r\n+CMS ERROR:500\r\n"})
    with pytest.raises(CmeError) as info:
        at.command("AT+A", timeout=2)
    assert info.value.code == 10
    with pytest.raises(CmsError):
        at.command("AT+B", timeout=2)


def test_a_late_read_reply_is_a_late_line_not_a_urc(connect):
    """Case 6: the answer of a command that timed out is late, even with a URC's prefix."""
    at, script = connect({"AT": OK}, urc_table=_cereg_table())
    script.replies["AT+CEREG?"] = lambda line: None  # silent for now
    with pytest.raises(AtTimeout):
        at.command("AT+CEREG?", timeout=0.2)
    mark = at.urc_mark()
    script.output(b'\r\n+CEREG: 2,1,"0001","01A2D001",7\r\n' + OK)  # the late read reply
    at.command("AT", timeout=5)
    assert at.urcs.since(mark) == [] and at.late_lines >= 2


def test_noise_before_a_command_never_becomes_its_first_line(connect):
    """Case 3: bytes with no line end that came before the command was sent."""
    at, script = connect({"AT+CGMM": b"\r\nCB610L\r\n" + OK})
    script.output(b"\xff\xfe\x00\xf0")
    time.sleep(0.1)  # the noise has arrived before the command is written
    assert at.command("AT+CGMM").lines == ["CB610L"]


def test_an_overlong_line_is_bounded_and_recorded_not_returned(connect):
    """Case 4: no line end for far longer than a module's longest line."""
    blob = b"Z" * (4 * MAX_LINE)  # 4 MiB came back as one line; four times the bound shows it
    at, _ = connect({"AT+BIG": b"\r\n" + blob + b"\r\nOK\r\n", "AT+CGMM": b"\r\nCB610L\r\n" + OK})
    r = at.command("AT+BIG", timeout=30)
    assert r.lines == [] and r.ok  # the overlong line is not an information line
    assert any("bytes" in e.text and e.size >= MAX_LINE for e in at.transcript.since(0))
    assert at.command("AT+CGMM").lines == ["CB610L"]  # framing resumed at the line end


def _cereg_table() -> UrcTable:
    from cassiopeia import cassiopeia_urc_table

    return cassiopeia_urc_table()


def test_the_guides_cereg_urc_during_a_cereg_read_is_a_urc(connect):
    """Case 2: `+CEREG: 1,0001,01A2D001,7` (four fields: the URC) while AT+CEREG? runs."""
    urc = b"\r\n+CEREG: 1,0001,01A2D001,7\r\n"
    read = b'\r\n+CEREG: 2,1,"0001","01A2D001",7\r\n' + OK
    at, _ = connect({"AT+CEREG?": urc + read}, urc_table=_cereg_table())
    mark = at.urc_mark()
    assert at.command("AT+CEREG?").lines == ['+CEREG: 2,1,"0001","01A2D001",7']
    assert at.wait_urc("+CEREG:", 2, after=mark).line == "+CEREG: 1,0001,01A2D001,7"
