"""Parsers on the guide's literal strings and on variants real modules print."""

from datetime import datetime

import pytest

from cassiopeia import (
    ParseError,
    PinState,
    parse_cclk,
    parse_cgsn,
    parse_clck,
    parse_cnum,
    parse_cpin,
    parse_cpinr,
)
from cassiopeia.urcs import registration_is_solicited


@pytest.mark.parametrize(
    "line, state",
    [
        ("+CPIN: READY", PinState.READY),
        ("+CPIN: SIM PIN", PinState.SIM_PIN),
        ("CPIN: SIM PIN", None),  # the guide's typo: not a +CPIN line
        ('+CPIN: "SIM PUK"', PinState.SIM_PUK),  # quoted (Motorola, seen by ModemManager)
        ("+CPIN:SIM PIN2", PinState.SIM_PIN2),
        ("   SIM PUK", PinState.SIM_PUK),  # no prefix at all
    ],
)
def test_parse_cpin(line, state):
    if state is None:
        with pytest.raises(ParseError):
            parse_cpin(line)
    else:
        assert parse_cpin(line) is state


def test_parse_cpinr_guide_capture():
    lines = [
        "+CPINR: SIM PIN,2,3",
        "+CPINR: SIM PUK,10,10",
        "+CPINR: SIM PIN2,3,3",
        "+CPINR: SIM PUK2,10,10",
    ]
    r = parse_cpinr(lines)
    assert (r["SIM PIN"].left, r["SIM PIN"].maximum, r["SIM PIN"].full) == (2, 3, False)
    assert r["SIM PUK2"].full
    assert parse_cpinr(['+CPINR: "SIM PIN",3,3'])["SIM PIN"].left == 3


@pytest.mark.parametrize("bad", ["+CPINR: SIM PIN,3", "+CPINR: SIM PIN,x,3", "+CPINR:"])
def test_parse_cpinr_rejects(bad):
    with pytest.raises(ParseError):
        parse_cpinr([bad])


def test_parse_clck():
    assert parse_clck("+CLCK: 1") is True and parse_clck("+CLCK: 0,7") is False
    with pytest.raises(ParseError):
        parse_clck("+CLCK: 2")


@pytest.mark.parametrize(
    "lines, value",
    [
        (["260531793113810"], "260531793113810"),
        (["+CGSN: 260531793113810"], "260531793113810"),  # the guide's form
        (['+CGSN: "490154203237518"'], "490154203237518"),  # the reference's (MON) form
        (['+CGSN: "00"'], "00"),
    ],
)
def test_parse_cgsn(lines, value):
    assert parse_cgsn(lines) == value


@pytest.mark.parametrize("bad", [[], ["a", "b"], ['+CGSN: "12a"']])
def test_parse_cgsn_rejects(bad):
    with pytest.raises(ParseError):
        parse_cgsn(bad)


def test_parse_cnum_both_forms():
    assert parse_cnum(["+CNUM: 11000000219,1"])[0].number == "11000000219"  # the guide
    sub = parse_cnum(['+CNUM: "Me","+33612345678",145'])[0]  # 27.007
    assert (sub.alpha, sub.number, sub.type) == ("Me", "+33612345678", 145)
    assert parse_cnum([]) == []
    with pytest.raises(ParseError):
        parse_cnum(["+CNUM: ,abc,129"])


@pytest.mark.parametrize(
    "line, local, quarters",
    [
        ("+CCLK: 19/10/22,10:06:03+04", datetime(2019, 10, 22, 10, 6, 3), 4),  # the guide, unquoted
        ('+CCLK: "94/05/06,22:10:00+08"', datetime(1994, 5, 6, 22, 10), 8),
        ('+CCLK: "70/01/01,00:07:30+00"', datetime(1970, 1, 1, 0, 7, 30), 0),  # unsynchronised
        ('+CCLK: "24/12/31,23:59:59-20"', datetime(2024, 12, 31, 23, 59, 59), -20),
    ],
)
def test_parse_cclk(line, local, quarters):
    clock = parse_cclk(line)
    assert (clock.local, clock.quarters) == (local, quarters)


@pytest.mark.parametrize(
    "bad", ['+CCLK: "19/13/22,10:06:03+04"', "+CCLK: 19/10/22 10:06:03", "+CCLK:"]
)
def test_parse_cclk_rejects(bad):
    with pytest.raises(ParseError):
        parse_cclk(bad)


@pytest.mark.parametrize(
    "line, solicited",
    [
        ("+CEREG: 0,1", True),  # read, n=0
        ('+CEREG: 2,1,"0001","01A2D001",7', True),  # read, n=2
        ("+CEREG: 1", False),  # URC, n=1
        ('+CEREG: 1,"0001","01A2D001",7', False),  # URC, n=2
        ("+CEREG: 3,,,,0,15", False),  # URC, n=3, denied
        ("+CEREG: 3,3,,,,0,15", True),  # read, n=3
    ],
)
def test_cereg_discriminator(line, solicited):
    assert registration_is_solicited(line, "AT+CEREG?") is solicited
