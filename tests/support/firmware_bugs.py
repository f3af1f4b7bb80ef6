"""Firmware bugs a module could have, put into the simulator: a pytest plugin for a suites run
(`-p support.firmware_bugs`, the bug named by $CASSIOPEIA_BUG). Each is a small patch of the
simulator; tests/fidelity/test_firmware_bugs.py checks the suites fail on every one.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cassiopeia_sim import network, pdp, sockets
from cassiopeia_sim.clock import RealTimeClock
from cassiopeia_sim.engine import Engine
from cassiopeia_sim.sim_card import PIN_TRIES, PUK_TRIES, SimCard, SimState


def clck_takes_any_password() -> None:
    """AT+CLCK="SC",1,<any> locks the SIM (reference 2.3: the password is the PIN)."""
    original = SimCard._clck

    def _clck(self, args):
        self._verify_pin = lambda code: None  # shadows the method for this call
        try:
            return original(self, args)
        finally:
            del self._verify_pin

    SimCard._clck = _clck


def puk_alone_unblocks() -> None:
    """AT+CPIN="<puk>" without the new PIN unblocks the card (guide 1.1.2: an error)."""
    original = SimCard._cpin_set

    def _cpin_set(self, args):
        if self.state is SimState.PUK and not args.present(1) and args.str(0) == self.puk:
            self.pin_left, self.puk_left, self.verified = PIN_TRIES, PUK_TRIES, True
            self.on_ready()
            return []
        return original(self, args)

    SimCard._cpin_set = _cpin_set


def pin_when_ready_is_ok() -> None:
    """AT+CPIN=<pin> with no PIN pending answers OK (reference 2.2: a +CME ERROR)."""
    original = SimCard._cpin_set

    def _cpin_set(self, args):
        if self.state is SimState.READY:
            return []
        return original(self, args)

    SimCard._cpin_set = _cpin_set


def sim_commands_before_the_pin() -> None:
    """The IMSI is given while the SIM asks for its PIN (reference 2.2: CME 11)."""
    original = SimCard.require_ready

    def require_ready(self):
        if self.state is not SimState.PIN:
            original(self)

    SimCard.require_ready = require_ready


def frozen_clock() -> None:
    """+CCLK? gives the time last set, forever (27.007 8.15: a real-time clock runs)."""
    RealTimeClock.now = lambda self: (self._base, self._quarters)


def home_as_roaming() -> None:
    """The SIM's home network reported as roaming, stat 5 (27.007 10.1.22)."""
    original = network.Network._set_stat

    def _set_stat(self, stat):
        original(self, network.ROAMING if stat == network.HOME else stat)

    network.Network._set_stat = _set_stat


def cops_unquoted() -> None:
    """+COPS: 0,2,00101,7: the operator without its quotes (27.007 7.3: a string)."""
    original = network.Network._cops_read
    network.Network._cops_read = lambda self: [ln.replace('"', "") for ln in original(self)]


def autoatt_persists() -> None:
    """^AUTOATT=0 survives a reboot (guide 1.2.2: "Not persistent")."""
    original = network.Network.power_down

    def power_down(self):
        kept = self.autoatt
        original(self)
        self.autoatt = kept

    network.Network.power_down = power_down


def ring_counts_one_more() -> None:
    """+SQNSRING: <connId>,<recData> one more than received (reference 6.9)."""
    original = sockets.Sockets._ring

    def _ring(self, s):
        urc = self._urc
        self._urc = lambda line: urc(
            f"{line.rsplit(',', 1)[0]},{int(line.rsplit(',', 1)[1]) + 1}"
            if line.count(",") == 1
            else line
        )
        try:
            original(self, s)
        finally:
            self._urc = urc

    sockets.Sockets._ring = _ring


def final_without_leading_crlf() -> None:
    """OK\\r\\n without the <CR><LF> before it (V.250 5.7.1)."""
    original = Engine.final

    def final(self, code):
        if self.verbose and not self.quiet:
            self._write(code.encode() + (chr(self.s3) + chr(self.s4)).encode())
            return
        original(self, code)

    Engine.final = final


def clck_read_inverted() -> None:
    """AT+CLCK="SC",2 reads the lock the other way round: the baseline's read-back sees it."""
    original = SimCard._clck

    def _clck(self, args):
        flipped = {"+CLCK: 0": "+CLCK: 1", "+CLCK: 1": "+CLCK: 0"}
        return [flipped.get(line, line) for line in original(self, args)]

    SimCard._clck = _clck


def rsrp_one_db_off() -> None:
    """<rsrp> one more than the level (guide 1.2.3; reference 3.5)."""
    original = network.rsrp_index
    network.rsrp_index = lambda dbm: min(97, original(dbm) + 1)


def last_pdn_disconnects() -> None:
    """AT+CGACT=0 on the last active PDN is done (reference 3.7: refused)."""
    original = pdp.PdpContexts._cgact_set

    class Unregistered:  # the network as the refusing check sees it: never registered
        def __init__(self, bearer):
            self._bearer = bearer
            self.registered = False

        def __getattr__(self, name):
            return getattr(self._bearer, name)

    def _cgact_set(self, args):
        bearer, self._bearer = self._bearer, Unregistered(self._bearer)
        try:
            return original(self, args)
        finally:
            self._bearer = bearer

    pdp.PdpContexts._cgact_set = _cgact_set


def denial_without_its_cause() -> None:
    """+CEREG: 3 with <n>=3 but no <cause_type>,<reject_cause> (27.007 10.1.22)."""
    original = network.Network._cereg_fields

    def _cereg_fields(self, urc):
        fields = original(self, urc)
        return (
            fields.rsplit(",", 2)[0]
            if self.stat == network.DENIED and self.cereg_n == 3
            else fields
        )

    network.Network._cereg_fields = _cereg_fields


BUGS: dict[str, Callable[[], None]] = {
    "denial-without-its-cause": denial_without_its_cause,
    "last-pdn-disconnects": last_pdn_disconnects,
    "rsrp-one-db-off": rsrp_one_db_off,
    "clck-read-inverted": clck_read_inverted,
    "frozen-clock": frozen_clock,
    "home-as-roaming": home_as_roaming,
    "cops-unquoted": cops_unquoted,
    "autoatt-persists": autoatt_persists,
    "ring-counts-one-more": ring_counts_one_more,
    "final-without-leading-crlf": final_without_leading_crlf,
    "clck-takes-any-password": clck_takes_any_password,
    "puk-alone-unblocks": puk_alone_unblocks,
    "pin-when-ready-is-ok": pin_when_ready_is_ok,
    "sim-commands-before-the-pin": sim_commands_before_the_pin,
}


def pytest_configure(config) -> None:
    BUGS[os.environ["CASSIOPEIA_BUG"]]()
