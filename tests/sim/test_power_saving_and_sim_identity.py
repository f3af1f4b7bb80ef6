"""Commands third-party clients send that the simulator used to answer ERROR: power saving
(27.007 7.38, 7.40, 7.41; +CEREG n=4 and 5), the ICCID (+SQNCCID) and +CGPADDR."""

from __future__ import annotations

import re

from sim_helpers import reboot

from atlink import split_fields
from support.waiting import eventually


def _registered(at) -> None:
    eventually(lambda: at.command("AT+CEREG?").lines[0].split(",")[1] == "1", what="registered")


def test_psm_is_off_until_asked_and_its_timers_are_kept_as_given(simulator):
    at, _ = simulator("locked=0")
    assert at.command("AT+CPSMS?").lines == ["+CPSMS: 0,,,,"]
    at.command('AT+CPSMS=1,,,"00100100","00000101"')
    assert at.command("AT+CPSMS?").lines == ['+CPSMS: 1,,,"00100100","00000101"']
    at.command("AT+CPSMS=")  # 27.007 7.38: off, and the values removed
    assert at.command("AT+CPSMS?").lines == ["+CPSMS: 0,,,,"]
    assert not at.command('AT+CPSMS=1,,,"0010010"', check=False).ok  # seven bits


def test_cereg_4_and_5_carry_the_granted_timers_in_the_drivers_shape(simulator):
    """27.007 10.1.22: empty cause fields, then Active-Time and Periodic-TAU; the form Walter
    and the Renesas RYZ014A driver parse (reference 3.4)."""
    at, _ = simulator("locked=0")
    at.command('AT+CPSMS=1,,,"00100100","00000101"')
    for n in (4, 5):
        at.command(f"AT+CEREG={n}")
        _registered(at)
        (line,) = at.command("AT+CEREG?").lines
        assert re.fullmatch(rf'\+CEREG: {n},1,"\w{{4}}","\w{{8}}",7,,,"00000101","00100100"', line)
    at.command("AT+CPSMS=0")
    assert len(split_fields(at.command("AT+CEREG?").lines[0][8:])) == 5  # no timers granted


def test_edrx_set_read_and_the_network_parameters_after_registration(simulator):
    at, _ = simulator("locked=0")
    assert at.command("AT+CEDRXS?").lines == []
    at.command('AT+CEDRXS=2,4,"0101"')
    assert at.command("AT+CEDRXS?").lines == ['+CEDRXS: 4,"0101"']
    mark = at.urc_mark()
    at.command("AT+CFUN=0")
    at.command("AT+CFUN=1")
    urc = at.wait_urc("+CEDRXP:", 5, after=mark)
    assert urc.line == '+CEDRXP: 4,"0101","0101","0000"'
    _registered(at)
    assert at.command("AT+CEDRXRDP").lines == ['+CEDRXRDP: 4,"0101","0101","0000"']
    at.command("AT+CEDRXS=3")  # off, and the values discarded
    assert at.command("AT+CEDRXS?").lines == []
    assert at.command("AT+CEDRXRDP").lines == ["+CEDRXRDP: 0"]


def test_the_iccid_is_read_without_the_pin_but_not_with_the_sim_off(simulator):
    at, _ = simulator("locked=1")
    assert at.command("AT+CPIN?").lines == ["+CPIN: SIM PIN"]
    for form in ("AT+SQNCCID", "AT+SQNCCID?"):
        (line,) = at.command(form).lines
        assert re.fullmatch(r'\+SQNCCID: "\d{19}",""', line)
    at.command("AT+CMEE=1")
    at.command("AT+CFUN=0")
    assert at.command("AT+SQNCCID", check=False).final.line == "+CME ERROR: 10"


def test_cgpaddr_gives_an_active_contexts_address_and_an_inactive_ones_cid(simulator):
    at, _ = simulator("locked=0")
    _registered(at)
    at.command('AT+CGDCONT=2,"IP","custom"')
    assert at.command("AT+CGPADDR").lines == ['+CGPADDR: 1,"192.168.3.2"', "+CGPADDR: 2"]
    assert at.command("AT+CGPADDR=2").lines == ["+CGPADDR: 2"]
    assert at.command("AT+CGPADDR=?").lines == ["+CGPADDR: (1,2)"]
    assert not at.command("AT+CGPADDR=9", check=False).ok


def test_a_factory_reset_takes_effect_at_the_next_reboot(simulator):
    """Reference 5.4: OK, and a reboot finalises it."""
    at, control = simulator("locked=0")
    at.command("AT+SQNAUTOCONNECT=0")
    at.command('AT+CGDCONT=3,"IP","mine"')
    at.command("AT+SQNSFACTORYRESET")
    assert at.command("AT+SQNAUTOCONNECT?").lines == ["+SQNAUTOCONNECT: 0"]  # not yet
    reboot(at, control)
    assert at.command("AT+SQNAUTOCONNECT?").lines == ["+SQNAUTOCONNECT: 1"]
    assert '+CGDCONT: 3,"IP","mine",,,,,0,0,0,0' not in at.command("AT+CGDCONT?").lines
