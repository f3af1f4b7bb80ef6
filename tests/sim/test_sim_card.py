"""The simulated SIM card's state machine (guide 1.1, 27.007 error codes)."""

import pytest
from sim_helpers import reboot

from atlink import CmeError
from support.waiting import eventually


def settled(at):
    """+CPIN? once the SIM has initialised (SIM busy, 14, until then)."""

    def answer():
        r = at.command("AT+CPIN?", check=False)
        return r if r.final.line not in ("+CME ERROR: 14", "+CME ERROR: SIM busy") else None

    return eventually(answer, what="SIM initialised")


def cme(at, line):
    with pytest.raises(CmeError) as info:
        at.command(line)
    return info.value.code


@pytest.fixture
def locked(simulator):
    at, control = simulator()
    at.command("AT+CMEE=1")
    return at, control


def test_power_up_with_lock_asks_for_pin_and_gates_sim_commands(locked):
    at, _ = locked
    assert at.command("AT+CPIN?").lines == ["+CPIN: SIM PIN"]
    assert cme(at, "AT+CIMI") == 11
    assert cme(at, "AT+CNUM") == 11
    assert cme(at, 'AT+CLCK="SC",2') == 11
    assert at.command("AT+CGMM").lines == ["CB610L"]  # allowed while the PIN is pending
    assert at.command("AT+CGSN").lines == ["260531793113810"]


def test_pin_quoted_or_not(locked):
    at, _ = locked
    at.command("AT+CPIN=0000")
    assert at.command("AT+CPIN?").lines == ["+CPIN: READY"]
    assert cme(at, 'AT+CPIN="0000"') == 3  # nothing pending any more


def test_three_wrong_pins_lead_to_puk_and_a_puk_resets_both_counters(locked):
    at, _ = locked
    for left in (2, 1, 0):
        assert cme(at, 'AT+CPIN="1111"') == 16
        assert at.command('AT+CPINR="SIM PIN"').lines == [f"+CPINR: SIM PIN,{left},3"]
    assert at.command("AT+CPIN?").lines == ["+CPIN: SIM PUK"]
    assert cme(at, "AT+CIMI") == 12
    # new PIN is mandatory
    assert at.command('AT+CPIN="42984776"', check=False).final.line == "ERROR"
    assert cme(at, 'AT+CPIN="11111111","1234"') == 16
    assert at.command('AT+CPINR="SIM PUK"').lines == ["+CPINR: SIM PUK,9,10"]
    at.command('AT+CPIN="42984776","1234"')
    assert at.command("AT+CPINR").lines[:2] == ["+CPINR: SIM PIN,3,3", "+CPINR: SIM PUK,10,10"]
    at.command("AT+CFUN=0;+CFUN=1")
    assert settled(at).lines == ["+CPIN: SIM PIN"]
    at.command('AT+CPIN="1234"')  # the new PIN replaced the old one


def test_ten_wrong_puks_block_the_card(locked):
    at, control = locked
    for _ in range(3):
        cme(at, 'AT+CPIN="1111"')
    for _ in range(10):
        assert cme(at, 'AT+CPIN="11111111","1234"') == 16
    assert cme(at, "AT+CPIN?") == 13
    assert cme(at, 'AT+CPIN="42984776","1234"') == 13
    assert at.command("AT+CPINR").lines[1] == "+CPINR: SIM PUK,0,10"
    control.replace_sim()
    assert control.state()["puk_left"] == 10


def test_clck_wrong_password_costs_a_pin_retry(locked):
    at, _ = locked
    at.command('AT+CPIN="0000"')
    assert cme(at, 'AT+CLCK="SC",0,"9999"') == 16
    assert at.command('AT+CPINR="SIM PIN"').lines == ["+CPINR: SIM PIN,2,3"]
    at.command('AT+CLCK="SC",0,"0000"')
    assert at.command('AT+CLCK="SC",2').lines == ["+CLCK: 0"]
    assert cme(at, 'AT+CLCK="PN",2') == 4


def test_cpwd_changes_the_pin_only_with_the_lock_enabled(locked):
    at, _ = locked
    at.command('AT+CPIN="0000"')
    at.command('AT+CPWD="SC","0000","4321"')
    at.command('AT+CLCK="SC",0,"4321"')
    assert cme(at, 'AT+CPWD="SC","4321","0000"') == 3
    assert at.command('AT+CPWD="SC","4321","12"', check=False).final.line == "ERROR"  # too short


def test_cfun_levels_power_the_sim(locked):
    at, _ = locked
    at.command('AT+CPIN="0000"')
    at.command("AT+CFUN=4")
    assert at.command("AT+CFUN?").lines == ["+CFUN: 4"]
    assert at.command("AT+CPIN?").lines == ["+CPIN: READY"]  # airplane keeps the SIM alive
    at.command("AT+CFUN=0")
    assert cme(at, "AT+CPIN?") == 10  # SIM powered down (a documented guess)
    at.command("AT+CFUN=1")
    assert settled(at).lines == ["+CPIN: SIM PIN"]


def test_sim_removed_and_inserted(locked):
    at, control = locked
    control.remove_sim()
    assert cme(at, "AT+CPIN?") == 10
    assert cme(at, "AT+CPINR") == 10
    control.insert_sim()
    assert settled(at).lines == ["+CPIN: SIM PIN"]


def test_card_state_survives_a_module_reset(locked):
    at, control = locked
    cme(at, 'AT+CPIN="1111"')
    reboot(at, control)
    assert at.command('AT+CPINR="SIM PIN"').lines == ["+CPINR: SIM PIN,2,3"]
