"""Guide 1.1: Check that the SIM card is ready (1.1.2 use cases, 1.1.3 error handling).

Every test starts at the baseline: SIM unlocked with the bench PIN, PIN lock as the
bench declares, CFUN=1, CMEE=2. Wrong codes go through `sim_guard` only.
"""

import pytest

from cassiopeia import CmeError, PinState
from fixtures.checks import check, observe

usecase = pytest.mark.usecase

WRONG_PASSWORD = 16  # 27.007: incorrect password
SIM_PIN_REQUIRED = 11  # 27.007 9.2.1


def power_cycle_sim(modem):
    """Guide 1.1.2 'Set the initial conditions': AT+CFUN=0 then AT+CFUN=1."""
    modem.set_functionality(0)
    modem.set_functionality(1)
    return modem.sim.settled_state()


def lock_and_require_pin(modem, pin):
    """Enable the PIN lock, then power the SIM down and up: it asks for its PIN."""
    if not modem.sim.lock_enabled():
        modem.sim.set_lock(True, pin)
    assert power_cycle_sim(modem) is PinState.SIM_PIN


def assert_wrong_code_refused(r):
    """The guide shows plain ERROR (CMEE=0); with CMEE=2 27.007 says 'incorrect password'."""
    check(
        r.final.line
        in ("ERROR", f"+CME ERROR: {WRONG_PASSWORD}", "+CME ERROR: incorrect password"),
        "a wrong PIN or password is refused: ERROR, or +CME ERROR: 16 (incorrect password)",
        "27.007 9.2.1",
        got=r.final.line,
    )


@usecase("1.1.2", "Power on the SIM slot")
def test_power_on_the_sim_slot(modem):
    modem.set_functionality(0)
    assert modem.at.command("AT+CFUN?").lines == ["+CFUN: 0"]
    modem.set_functionality(4)  # airplane: RF off, SIM powered
    assert modem.at.command("AT+CFUN?").lines == ["+CFUN: 4"]
    assert modem.sim.settled_state() in (PinState.READY, PinState.SIM_PIN)
    modem.set_functionality(1)
    assert modem.at.command("AT+CFUN?").lines == ["+CFUN: 1"]


@usecase("1.1.2", "Check the SIM card status after power on SIM slot")
def test_check_sim_status_after_power_on(modem):
    r = modem.at.command("AT+CPIN?")
    assert r.lines == ["+CPIN: READY"] and r.ok


@usecase("1.1.2", "Enable SIM lock with PIN code")
def test_enable_sim_lock_with_pin(modem, sim_guard):
    if modem.sim.lock_enabled():
        modem.sim.set_lock(False, sim_guard.pin)
    assert modem.at.command('AT+CLCK="SC",2').lines == ["+CLCK: 0"]
    refused = modem.at.command(
        f'AT+CLCK="SC",1,"{sim_guard.wrong_pin()}"', check=False
    )  # the lock needs the PIN, not any code
    assert_wrong_code_refused(refused)
    assert modem.at.command('AT+CLCK="SC",2').lines == ["+CLCK: 0"]
    modem.at.command(f'AT+CLCK="SC",1,"{sim_guard.pin}"')
    assert modem.at.command('AT+CLCK="SC",2').lines == ["+CLCK: 1"]
    assert power_cycle_sim(modem) is PinState.SIM_PIN  # the lock asks at power-up


@usecase("1.1.2", "Disable SIM lock with PIN code")
def test_disable_sim_lock_with_pin(modem, sim_guard):
    lock_and_require_pin(modem, sim_guard.pin)
    modem.at.command(f'AT+CPIN="{sim_guard.pin}"')  # unlock with the correct PIN
    modem.at.command(f'AT+CLCK="SC",0,"{sim_guard.pin}"')
    assert modem.at.command('AT+CLCK="SC",2').lines == ["+CLCK: 0"]
    assert power_cycle_sim(modem) is PinState.READY  # no PIN asked any more


@usecase("1.1.2", "Enter PIN code to unlock SIM")
def test_enter_pin_to_unlock_sim(modem, sim_guard):
    lock_and_require_pin(modem, sim_guard.pin)
    assert modem.at.command("AT+CPIN?").lines == ["+CPIN: SIM PIN"]
    wrong = sim_guard.wrong_pin()
    refused = modem.at.command(f'AT+CPIN="{wrong}"', check=False)
    assert_wrong_code_refused(refused)
    assert modem.sim.state() is PinState.SIM_PIN  # still locked
    modem.at.command(f'AT+CPIN="{sim_guard.pin}"')
    assert modem.at.command("AT+CPIN?").lines == ["+CPIN: READY"]


@usecase("1.1.2", "Enter PUK code to unlock SIM")
@pytest.mark.requires("puk-entry")
def test_enter_puk_to_unlock_sim(modem, sim_guard):
    lock_and_require_pin(modem, sim_guard.pin)
    sim_guard.exhaust_pin()
    assert modem.at.command("AT+CPIN?").lines == ["+CPIN: SIM PUK"]
    refused = modem.at.command(f'AT+CPIN="{sim_guard.wrong_puk()}","{sim_guard.pin}"', check=False)
    assert_wrong_code_refused(refused)
    assert modem.sim.state() is PinState.SIM_PUK
    assert modem.sim.retries()["SIM PUK"].left == modem.sim.retries()["SIM PUK"].maximum - 1
    # "the current PIN code which must be present, or you got an error even if PUK is correct"
    alone = modem.at.command(f'AT+CPIN="{sim_guard.puk}"', check=False)
    assert not alone.ok, f"guide 1.1.2: a PUK without the new PIN is an error: {alone.final.line}"
    assert modem.sim.state() is PinState.SIM_PUK
    modem.at.command(f'AT+CPIN="{sim_guard.puk}","{sim_guard.pin}"')
    assert modem.at.command("AT+CPIN?").lines == ["+CPIN: READY"]
    assert modem.at.command('AT+CLCK="SC",2').lines == ["+CLCK: 1"]
    retries = modem.sim.retries()
    assert retries["SIM PIN"].full and retries["SIM PUK"].full  # a correct PUK resets both


@usecase("1.1.2", "Check remaining PIN retries")
def test_check_remaining_pin_retries(modem, sim_guard):
    lock_and_require_pin(modem, sim_guard.pin)
    assert modem.at.command("AT+CPIN?").lines == ["+CPIN: SIM PIN"]
    before = modem.at.command("AT+CPINR").lines
    assert before == [
        "+CPINR: SIM PIN,3,3",
        "+CPINR: SIM PUK,10,10",
        "+CPINR: SIM PIN2,3,3",
        "+CPINR: SIM PUK2,10,10",
    ]
    refused = modem.at.command(f'AT+CPIN="{sim_guard.wrong_pin()}"', check=False)
    assert_wrong_code_refused(refused)
    after = modem.sim.retries()
    assert (after["SIM PIN"].left, after["SIM PIN"].maximum) == (2, 3)
    assert after["SIM PUK"].full
    modem.at.command(f'AT+CPIN="{sim_guard.pin}"')
    assert modem.sim.retries()["SIM PIN"].left == 3  # back to 3 after the correct PIN


@usecase("1.1.2", "Change Password")
def test_change_password(modem, sim_guard):
    assert modem.at.command("AT+CPIN?").lines == ["+CPIN: READY"]
    if not modem.sim.lock_enabled():
        modem.sim.set_lock(True, sim_guard.pin)
    assert modem.at.command('AT+CLCK="SC",2').lines == ["+CLCK: 1"]
    old = sim_guard.pin
    new = sim_guard.new_pin()
    # the old PIN must be the PIN (costs one retry, given back by the correct one below)
    refused = modem.at.command(f'AT+CPWD="SC","{sim_guard.wrong_pin()}","{new}"', check=False)
    assert_wrong_code_refused(refused)
    modem.at.command(f'AT+CPWD="SC","{old}","{new}"')
    sim_guard.pin_changed(new)  # from here on the baseline knows to change it back
    assert power_cycle_sim(modem) is PinState.SIM_PIN
    modem.sim.enter_pin(new)  # the new PIN unlocks the SIM
    assert modem.sim.state() is PinState.READY


@usecase("1.1.3", "SIM card is not present or not detected")
@pytest.mark.requires("sim-switch")
def test_sim_not_inserted(modem, sim_switch):
    modem.at.command("AT+CMEE=2")
    sim_switch.do("sim_out")
    with pytest.raises(CmeError) as error:
        modem.at.command("AT+CPIN?")
    assert error.value.final.line == "+CME ERROR: SIM not inserted"
    modem.at.command("AT+CMEE=1")
    with pytest.raises(CmeError) as numeric:
        modem.at.command("AT+CPIN?")
    assert numeric.value.final.line == "+CME ERROR: 10"


@usecase("1.1.2", "Enter PUK code to unlock SIM")
@pytest.mark.requires("sim-destructive")
def test_wrong_puks_block_the_sim_for_good(modem, sim_guard):
    """Beyond the guide: the full PIN -> PUK -> blocked path, on a SIM that may be lost."""
    sim_guard.prepare_to_block()  # before anything: this bench must be able to replace the SIM
    lock_and_require_pin(modem, sim_guard.pin)
    sim_guard.exhaust_pin()
    for _ in range(modem.sim.retries()["SIM PUK"].left):
        with pytest.raises(CmeError) as refused:
            modem.sim.enter_puk(sim_guard.wrong_puk(), sim_guard.pin)  # checked before each
        assert refused.value.code == WRONG_PASSWORD
    with pytest.raises(CmeError) as blocked:
        modem.at.command("AT+CPIN?")
    assert blocked.value.code == 13  # SIM failure: the card is blocked
    with pytest.raises(CmeError):
        modem.sim.enter_puk(sim_guard.puk, sim_guard.pin)  # even the right PUK is too late
    sim_guard.replace_card()


@usecase("1.1.2", "Enter PIN code to unlock SIM")
def test_a_pin_entered_when_none_is_asked_is_refused(modem, sim_guard):
    assert modem.sim.state() is PinState.READY
    r = modem.at.command(f'AT+CPIN="{sim_guard.pin}"', check=False)
    check(
        r.final.line.startswith("+CME ERROR"),
        "AT+CPIN=<pin> with no PIN pending is refused with a +CME ERROR",
        "reference 2.2",
        got=r.final.line,
    )
    observe("AT+CPIN=<pin> when READY", r.final.line)  # the code: 3 by 27.007's convention
    assert modem.sim.state() is PinState.READY


@usecase("1.1.2", "Commands refused while the SIM asks for its PIN")
def test_commands_while_the_pin_is_pending(modem, sim_guard):
    lock_and_require_pin(modem, sim_guard.pin)
    refused = modem.at.command("AT+CIMI", check=False)
    check(
        refused.final.line in ("+CME ERROR: 11", "+CME ERROR: SIM PIN required"),
        "a SIM command while the PIN is pending is refused with CME 11 (SIM PIN required)",
        "reference 2.2; 27.007 9.2.1",
        got=refused.final.line,
    )
    for allowed in ("AT+CGMM", "AT+CGSN", "AT+CPINR", "AT+CFUN?"):  # MON's list (reference 2.2)
        r = modem.at.command(allowed, check=False)
        check(r.ok, f"{allowed} answers while the PIN is pending", "reference 2.2", r.final.line)
    modem.sim.enter_pin(sim_guard.pin)
    assert modem.sim.state() is PinState.READY


@usecase("1.1.2", "Error results follow +CMEE")
def test_error_results_follow_cmee(modem, sim_guard):
    """No PIN pending, so the refused AT+CPIN costs no retry; AT+CMEE=7 is a bad parameter."""
    refused_pin = f'AT+CPIN="{sim_guard.pin}"'
    try:
        modem.at.command("AT+CMEE=0")
        got = modem.at.command(refused_pin, check=False).final.line
        check(got == "ERROR", "CMEE=0: a failure is plain ERROR", "reference 2.6", got)
        modem.at.command("AT+CMEE=1")
        got = modem.at.command(refused_pin, check=False).final.line
        code = got.removeprefix("+CME ERROR: ")
        check(code.isdigit(), "CMEE=1: +CME ERROR: <number>", "reference 2.6", got)
        modem.at.command("AT+CMEE=2")
        got = modem.at.command(refused_pin, check=False).final.line
        text = got.removeprefix("+CME ERROR: ")
        check(
            got.startswith("+CME ERROR: ") and not text.isdigit(),
            "CMEE=2: +CME ERROR: <text>",
            "reference 2.6; 27.007 9.1",
            got,
        )
        observe("the verbose text", text)  # reference 8.4: no public capture of Sequans' texts
        for cmee in (1, 2):
            modem.at.command(f"AT+CMEE={cmee}")
            got = modem.at.command("AT+CMEE=7", check=False).final.line
            check(
                got == "ERROR",
                f"CMEE={cmee}: an invalid parameter is still plain ERROR",
                "reference 1 (MON 2.9)",
                got,
            )
    finally:
        modem.at.command("AT+CMEE=2")  # the baseline's
