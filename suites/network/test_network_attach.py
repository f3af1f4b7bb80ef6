"""Guide 1.2: Connect to the network and check attach is done.

1.2.2 use cases, 1.2.4 error handling.
"""

import re

import pytest

from cassiopeia import PinState, parse_cereg
from fixtures.checks import check, observe

usecase = pytest.mark.usecase
REGISTERED = ("+CEREG: 1", "+CEREG: 5")


def unlock(modem, pin):
    if modem.sim.settled_state() is PinState.SIM_PIN:
        modem.sim.enter_pin(pin)


def reboot(modem):
    """AT^RESET and follow the module through its reboot; returns the URC mark from before."""
    mark = modem.at.urc_mark()
    modem.reset()
    modem.set_echo(False)
    return mark


def urcs_after(modem, mark):
    return [u.line for u in modem.at.urcs.since(mark)]


def wait_registered_urc(modem, after, timeout=180):
    for prefix in REGISTERED:
        urc = modem.at.urcs.wait(prefix, 0, after=after)
        if urc:
            return urc
    return modem.at.wait_urc(re.compile(r"^\+CEREG: [15](,|$)"), timeout, after=after)


@usecase("1.2.2", "Autoconnect and attach to the network")
def test_autoconnect_and_attach(modem, network_settings, sim_guard):
    net = network_settings
    net.set_autoconnect(True)
    net.set_auto_attach(True)
    assert modem.at.command("AT+SQNAUTOCONNECT?").lines == ["+SQNAUTOCONNECT: 1"]
    assert modem.at.command("AT^AUTOATT?").lines == ["^AUTOATT: 1"]
    mark = reboot(modem)
    # autoconnect: full functionality after the reboot, no host action
    assert modem.functionality() == 1
    net.set_registration_reports(2)
    unlock(modem, sim_guard.pin)
    urc = wait_registered_urc(modem, mark)
    reg = parse_cereg(urc.line, solicited=False)
    assert reg.registered and reg.tac and reg.ci and reg.act in (7, 9)
    seen = urcs_after(modem, mark)
    assert "+IMSSTATE: SIMSTORE,READY" in seen
    # the guide's order: +SYSSTART (the modem is ready), then ^MODE, then the registration
    assert "+SYSSTART" in seen, f"guide 1.2.2: +SYSSTART after the reboot: {seen}"
    mode = next(i for i, line in enumerate(seen) if line.startswith("^MODE: "))
    assert seen.index("+SYSSTART") < mode < seen.index(urc.line), f"guide 1.2.2 order: {seen}"


@usecase("1.2.2", "Manual connect and automatic attach to the network")
def test_manual_connect_automatic_attach(modem, network_settings, sim_guard):
    net = network_settings
    net.set_autoconnect(False)
    net.set_auto_attach(False)  # "Not persistent": the reboot must give 1 back
    reboot(modem)
    assert modem.at.command("AT+SQNAUTOCONNECT?").lines == ["+SQNAUTOCONNECT: 0"]
    assert modem.at.command("AT^AUTOATT?").lines == [
        "^AUTOATT: 1"
    ]  # enabled again after each reboot
    assert modem.functionality() == 0  # nothing happens until the host asks
    net.set_registration_reports(2)
    mark = modem.at.urc_mark()
    modem.at.command("AT+CFUN=1")
    modem.at.wait_urc("+IMSSTATE: SIMSTORE,WAIT_STORE", 30, after=mark)
    unlock(modem, sim_guard.pin)
    ready = modem.at.wait_urc("+IMSSTATE: SIMSTORE,READY", 30, after=mark)
    registered = wait_registered_urc(modem, ready.seq)
    assert parse_cereg(registered.line, solicited=False).registered
    mode = modem.at.urcs.since(ready.seq, "^MODE: ")
    assert mode and mode[0].seq < registered.seq  # ^MODE before +CEREG, as in the guide


@usecase("1.2.2", "Manual connect and manual attach to the network")
def test_manual_connect_manual_attach_with_plmn_selection(
    modem, network_settings, sim_guard, bench
):
    net = network_settings
    net.set_autoconnect(False)
    reboot(modem)
    net.set_auto_attach(False)
    modem.at.command("AT+CFUN=1")
    unlock(modem, sim_guard.pin)
    net.set_registration_reports(2)
    assert not net.registration().registered  # no attach on its own
    scan = net.scan_plmns()  # AT+BGLTEPLMN=? takes time; nothing else is sent meanwhile
    available = [op for op in scan.operators if op.stat == 1]
    assert available, f"no PLMN found: {scan}"
    plmn = bench.plmn if bench.plmn in [op.numeric for op in available] else available[0].numeric
    assert all(op.rsrp_dbm is None or -140 <= op.rsrp_dbm <= -44 for op in available)
    modem.at.command(f'AT+COPS=1,2,"{plmn}",7')
    mark = modem.at.urc_mark()
    modem.at.command("AT+CGATT=1")
    searching = modem.at.wait_urc("+CEREG: 2", 30, after=mark)
    registered = wait_registered_urc(modem, searching.seq)
    assert parse_cereg(registered.line, solicited=False).registered
    cops = net.operator()
    assert (cops.mode, cops.format, cops.oper) == (1, 2, plmn)


@usecase("1.2.2", "Detach from the network")
def test_detach(modem, attached):
    modem.at.command("AT+CGATT=0")
    assert modem.at.command("AT+CGATT?").lines == ["+CGATT: 0"]
    assert not modem.network.registration().registered
    assert modem.functionality() == 1  # still camped: RF on


@usecase("1.2.2", "Airplane mode")
def test_airplane_mode(modem, attached):
    modem.at.command("AT+CFUN=4")
    assert modem.at.command("AT+CFUN?").lines == ["+CFUN: 4"]
    assert not modem.network.registration().registered  # detached first
    assert modem.at.command("AT+CPIN?").lines == ["+CPIN: READY"]  # the USIM is still alive
    assert not modem.network.signal().detected  # RF off


@usecase("1.2.2", "Power off")
def test_power_off(modem, attached):
    modem.at.command("AT+CFUN=0")
    assert modem.at.command("AT+CFUN?").lines == ["+CFUN: 0"]
    assert not modem.network.registration().registered
    r = modem.at.command("AT+CPIN?", check=False)
    assert not r.ok  # RF and SIM both shut down


@usecase("1.2.2", "Check network registration status")
def test_check_network_registration_status(modem, attached, bench):
    modem.at.command("AT+CEREG=0")
    r = modem.at.command("AT+CEREG?")
    assert len(r.lines) == 1
    reg = parse_cereg(r.lines[0], solicited=True)
    home = 5 if bench.roaming else 1  # the bench file says which its SIM is
    check(
        r.lines[0] == f"+CEREG: 0,{home}",
        f"registered on the bench's {'visited' if bench.roaming else 'home'} network: stat {home}",
        "27.007 10.1.22 (1 home, 5 roaming)",
        got=r.lines[0],
    )
    assert reg.n == 0 and reg.registered
    cops = modem.at.command("AT+COPS?").one("+COPS:")
    check(
        re.fullmatch(r'[0-4](,[0-2],"[^"]*"(,\d+)?)?', cops) is not None,
        "+COPS: <mode>[,<format>,<oper>[,<AcT>]] with <oper> a quoted string",
        "27.007 7.3",
        got=f"+COPS: {cops}",
    )
    modem.at.command("AT+CEREG=2")
    located = modem.network.registration()
    assert located.n == 2 and located.tac and located.ci and located.act is not None
    modem.at.command("AT+CEREG=0")


@usecase("1.2.4", "If CEREG? returns status 0")
def test_status_0_recovered_by_forcing_attach(modem, attached):
    modem.at.command("AT+COPS=2")  # registration not started: the case the guide describes
    try:
        assert modem.network.registration().stat == 0
        assert modem.at.command("AT+CFUN?").lines == ["+CFUN: 1"]
        modem.at.command("AT+CGATT=1")  # force EPS attach
        # the guide's remedy: how the module gets there (its +COPS mode after) no source says
        assert modem.network.wait_registration().registered, "guide 1.2.4: CGATT=1 attaches"
        observe("+COPS after AT+CGATT=1", modem.at.command("AT+COPS?").one("+COPS:"))
    finally:
        if modem.network.operator().mode != 0:
            modem.at.command("AT+COPS=0")


@usecase("1.2.4", "If CEREG? returns status 4")
@pytest.mark.requires("rf-control")
def test_status_4_out_of_coverage(modem, attached, rf_control):
    modem.at.command("AT+CEREG=1")
    mark = modem.at.urc_mark()
    rf_control.do("rf_off")
    modem.at.wait_urc("^MODE: 0,0", 30, after=mark)
    modem.at.wait_urc("+CEREG: 4", 30, after=mark)
    assert modem.at.command("AT+CESQ").lines == ["+CESQ: 99,99,255,255,255,255"]
    rf_control.do("rf_on")
    modem.network.wait_registration()
    assert modem.network.signal().detected
    modem.at.command("AT+CEREG=0")


@usecase("1.2.2", "Functionality levels the reference defines")
def test_functionality_levels(modem, attached):
    for level in (2, 3):  # never 5: GM02S firmware takes it for its manufacturing mode
        r = modem.at.command(f"AT+CFUN={level}", check=False)
        check(
            not r.ok,
            f"AT+CFUN={level} is refused: the module accepts 0, 1 and 4",
            "reference 2.1 (MON 2.4)",
            got=r.final.line,
        )
    modem.at.command("AT+CFUN=4")  # airplane, then full functionality again: attached again
    modem.at.command("AT+CFUN=1")
    assert modem.network.wait_registration().registered, "guide 1.2.2: AT+CFUN=1 connects"
    mark = modem.at.urc_mark()
    modem.at.command("AT+CFUN=1,1")  # <rst> 1: reset first
    modem.after_reboot(mark)
    modem.set_echo(False)
    seen = [u.line for u in modem.at.urcs.since(mark)]
    check("+SYSSTART" in seen, "AT+CFUN=1,1 restarts: +SYSSTART", "reference 2.1", got=seen)


@usecase("1.2.4", "A denied registration reports its cause")
def test_a_denied_registration_reports_its_cause(modem, attached, network_control):
    modem.at.command("AT+CEREG=3")
    try:
        modem.at.command("AT+CGATT=0")
        network_control.do("network_reject", cause=15)  # EMM #15: no suitable cells in the TA
        mark = modem.at.urc_mark()
        modem.at.command("AT+CGATT=1", check=False)  # refused or not, the network says no
        denied = modem.at.wait_urc(re.compile(r"^\+CEREG: 3(,|$)"), 60, after=mark)
        check(
            denied.line.endswith(",0,15"),
            "with <n>=3 a denied registration ends in <cause_type> 0 (EMM) and the cause",
            "27.007 10.1.22",
            got=denied.line,
        )
        read = modem.at.command("AT+CEREG?").one("+CEREG:")
        check(
            read.startswith("3,3") and read.endswith(",0,15"),
            "AT+CEREG? reads <n>, stat 3 and the same cause",
            "27.007 10.1.22",
            got=read,
        )
    finally:
        network_control.do("network_accept")
        modem.at.command("AT+CEREG=0")
        modem.network.attach()


@usecase("1.2.2", "Check network registration status")
def test_registered_on_a_visited_network_is_roaming(modem, attached, visited_network):
    modem.at.command("AT+CGATT=0")
    modem.at.command("AT+CGATT=1")
    reg = modem.network.wait_registration()
    check(
        reg.stat == 5,
        "registered on a visited network: stat 5 (roaming)",
        "27.007 10.1.22",
        got=reg.stat,
    )
