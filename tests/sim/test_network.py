"""The simulated radio side: registration URCs per +CEREG mode, coverage, PDP rules."""

import re

import pytest
from sim_helpers import reboot

from atlink import CmeError, FinalKind
from support.waiting import eventually


def registered(at):
    eventually(
        lambda: re.match(r"\+CEREG: \d,[15]", at.command("AT+CEREG?").lines[0]), what="registered"
    )


def test_cereg_formats_per_n(simulator):
    at, _ = simulator("locked=0")
    registered(at)
    expected = {
        0: "+CEREG: 0,1",
        1: "+CEREG: 1,1",
        2: '+CEREG: 2,1,"0001","01A2D001",7',
        3: '+CEREG: 3,1,"0001","01A2D001",7',
        4: '+CEREG: 4,1,"0001","01A2D001",7',
        5: '+CEREG: 5,1,"0001","01A2D001",7',
    }
    for n, line in expected.items():
        at.command(f"AT+CEREG={n}")
        assert at.command("AT+CEREG?").lines == [line]
    assert at.command("AT+CEREG=6", check=False).final.kind is FinalKind.ERROR


def test_denied_registration_with_cause(simulator):
    at, control = simulator("locked=0")
    registered(at)
    control.deny_registration(15)
    at.command("AT+CEREG=3;+CGATT=0")
    mark = at.urc_mark()
    at.command("AT+CGATT=1")
    assert at.wait_urc("+CEREG: 3", 5, after=mark).line == "+CEREG: 3,,,,0,15"
    control.deny_registration(None)


def test_roaming_when_the_cell_is_not_home(simulator):
    at, control = simulator("locked=0")
    control.set_cells([{"plmn": "20801", "long_name": "Orange F", "short_name": "Orange"}])
    at.command("AT+CFUN=0;+CFUN=1")
    eventually(lambda: at.command("AT+CEREG?").lines == ["+CEREG: 0,5"], what="registered, roaming")
    at.command("AT+COPS=3,0")
    assert at.command("AT+COPS?").lines == ['+COPS: 0,0,"Orange F",7']


def test_coverage_loss_and_return(simulator):
    at, control = simulator("locked=0")
    registered(at)
    at.command("AT+CEREG=1")
    mark = at.urc_mark()
    control.set_coverage(False)
    at.wait_urc("+CEREG: 4", 5, after=mark)
    assert at.command("AT+CESQ").lines == ["+CESQ: 99,99,255,255,255,255"]
    assert at.command("AT+CGACT?").lines == ["+CGACT: 1,0"]
    at.command("AT+CMEE=1")
    with pytest.raises(CmeError) as no_service:
        at.command("AT+CGATT=1")
    assert no_service.value.code == 30
    control.set_coverage(True)
    at.wait_urc("+CEREG: 1", 5, after=mark)


def test_last_pdn_cannot_be_deactivated_and_contexts_persist(simulator):
    at, control = simulator("locked=0")
    registered(at)
    at.command("AT+CMEE=1")
    assert at.command("AT+CGACT=0,1", check=False).final.line == "+CME ERROR: 151"
    at.command('AT+CGDCONT=3,"IPV6","v6"')
    reboot(at, control)
    assert '+CGDCONT: 3,"IPV6","v6",,,,,0,0,0,0' in at.command("AT+CGDCONT?").lines
    at.command("AT+CGDCONT=3")
    assert len(at.command("AT+CGDCONT?").lines) == 1


def test_scans_need_the_radio(simulator):
    at, _ = simulator("locked=0")
    at.command("AT+CMEE=1;+CFUN=4")
    assert at.command("AT+BGLTEPLMN=?", check=False).final.line == "+CME ERROR: 3"
    assert at.command("AT+COPS=?", check=False).final.line == "+CME ERROR: 3"
    assert at.command("AT+CESQ").lines == ["+CESQ: 99,99,255,255,255,255"]


def test_autoatt_is_not_persistent(simulator):
    at, control = simulator("locked=0")
    at.command("AT^AUTOATT=0")
    reboot(at, control)
    assert at.command("AT^AUTOATT?").lines == ["^AUTOATT: 1"]


@pytest.mark.parametrize(
    "rsrp, rsrq, expected",
    [
        # the guide's own example (1.2.3), at levels inside the bands of 27.007 (reference 3.5)
        (-105.5, -13.25, "+CESQ: 99,99,255,255,13,35"),
        (-105, -13, "+CESQ: 99,99,255,255,14,36"),  # a band's lower edge belongs to it
        (-150, -25, "+CESQ: 99,99,255,255,0,0"),  # below the ranges
        (-30, 0, "+CESQ: 99,99,255,255,34,97"),  # above them
    ],
)
def test_cesq_reports_the_serving_cell_in_the_bands_of_27007(simulator, rsrp, rsrq, expected):
    at, control = simulator("locked=0")
    control.set_cells([{"rsrp_dbm": rsrp, "rsrq_db": rsrq}])
    at.command("AT+CFUN=0;+CFUN=1")
    registered(at)
    assert at.command("AT+CESQ").lines == [expected]


def test_the_2g_3g_era_commands_follow_the_eps_state(simulator):
    """+CSQ, +CREG, +CGREG, +CBC: the 27.007 supplement's forms, values per GUESSES.md."""
    at, _ = simulator("locked=0")
    registered(at)
    assert at.command("AT+CSQ").lines == ["+CSQ: 17,99"]  # -105.5 dBm RSRP: RSSI -77.7 dBm
    at.command("AT+CREG=2")
    assert at.command("AT+CREG?").lines == ['+CREG: 2,1,"0001","01A2D001",7']
    at.command("AT+CGREG=1")
    assert at.command("AT+CGREG?").lines == ["+CGREG: 1,1"]
    mark = at.urc_mark()
    at.command("AT+CGATT=0")
    assert at.wait_urc("+CREG: ", 5, after=mark).line == "+CREG: 0"
    assert at.wait_urc("+CGREG: ", 5, after=mark).line == "+CGREG: 0"
    assert at.command("AT+CBC").lines == ["+CBC: 2,0"]
    at.command("AT+CFUN=0")
    assert at.command("AT+CSQ").lines == ["+CSQ: 99,99"]
