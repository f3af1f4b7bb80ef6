"""Guide 2.1: How to get modem information (2.1.2 use cases)."""

import re

import pytest

from fixtures.checks import check

usecase = pytest.mark.usecase


@usecase("2.1.2", "Subscriber number")
def test_subscriber_number(modem):
    r = modem.at.command("AT+CNUM")
    assert r.lines, "AT+CNUM returned no MSISDN: the test SIM of guide 2.1.2 has one"
    for line in r.lines:
        check(
            re.fullmatch(r'\+CNUM: ("[^"]*")?,"\+?\d{3,15}",(129|145)(,.*)?', line) is not None,
            "+CNUM: [<alpha>],<number>,<type>: the number quoted, its type 129 or 145",
            "27.007 7.1",
            got=line,
        )
    for number in modem.info.subscriber_numbers():
        assert re.fullmatch(r"\+?\d{3,15}", number.number), number
        assert number.type in (None, 129, 145)


@usecase("2.1.2", "IMSI")
def test_imsi(modem, bench):
    r = modem.at.command("AT+CIMI")
    assert len(r.lines) == 1 and re.fullmatch(r"\d{15}", r.lines[0]), r.lines
    if bench.plmn:
        assert r.lines[0].startswith(bench.plmn), f"IMSI not from the bench's PLMN {bench.plmn}"


@usecase("2.1.2", "IMEI")
def test_imei(modem):
    bare = modem.at.command("AT+CGSN")
    assert len(bare.lines) == 1 and re.fullmatch(r"\d{15}", bare.lines[0]), bare.lines
    imei = bare.lines[0]
    assert modem.info.serial(1) == imei  # +CGSN: <imei>
    imeisv = modem.info.serial(2)
    svn = modem.info.serial(3)
    assert re.fullmatch(r"\d{16}", imeisv) and re.fullmatch(r"\d{2}", svn)
    assert imeisv == imei[:14] + svn  # IMEISV = TAC + SNR (14 digits) + SVN
    assert modem.at.command("AT+CGSN=1").lines[0].startswith("+CGSN: ")


@usecase("2.1.2", "Model identification")
def test_model_identification(modem, bench):
    r = modem.at.command("AT+CGMM")
    assert len(r.lines) == 1 and r.lines[0].strip(), r.lines
    if bench.model:
        assert r.lines[0] == bench.model


@usecase("2.1.2", "Revision identification")
def test_revision_identification(modem, bench):
    r = modem.at.command("AT+CGMR")
    assert r.lines and all(line.strip() for line in r.lines), r.lines
    if bench.firmware:
        assert r.lines[0] == bench.firmware
    else:
        assert re.fullmatch(r"[A-Z]{2}\d+(\.\d+)+(-\d+)?.*", r.lines[0]), r.lines[0]


@usecase("2.1.2", "Answers framed as V.250 says")
@pytest.mark.parametrize("command", ["AT+CGMI", "AT+CGMM", "AT+CGMR", "AT+CGSN", "AT+CPINR"])
def test_answers_are_framed_as_v250_says(modem, command):
    """atlink reads any line end; this looks at the bytes the module sent (the transcript)."""
    mark = modem.at.transcript.mark()
    r = modem.at.command(command)
    sent = modem.received_since(mark)
    shown = sent.encode("latin-1").decode("ascii", "backslashreplace")
    check(
        re.search(r"\r(?!\n)|(?<!\r)\n", sent) is None and sent.startswith("\r\n"),
        "every line ends <CR><LF>, and the answer starts with one",
        "V.250 5.7.1 (S3, S4 defaults)",
        got=repr(shown),
    )
    ending = f"\r\n{r.final.line}\r\n"
    before = sent[: -len(ending)]
    check(
        sent.endswith(ending) and (before == "" or before.endswith("\r\n")),
        "the result code is framed by its own <CR><LF> before and after",
        "V.250 5.7.1",
        got=repr(shown),
    )
