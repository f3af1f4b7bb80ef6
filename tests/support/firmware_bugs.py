"""Firmware bugs a module could have, put into the simulator: a pytest plugin for a suites run
(`-p support.firmware_bugs`, the bug named by $CASSIOPEIA_BUG). Each is a small patch of the
simulator's SIM card; tests/fidelity/test_firmware_bugs.py checks the suites fail on every one.
"""

from __future__ import annotations

import os
from collections.abc import Callable

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


BUGS: dict[str, Callable[[], None]] = {
    "clck-takes-any-password": clck_takes_any_password,
    "puk-alone-unblocks": puk_alone_unblocks,
    "pin-when-ready-is-ok": pin_when_ready_is_ok,
    "sim-commands-before-the-pin": sim_commands_before_the_pin,
}


def pytest_configure(config) -> None:
    BUGS[os.environ["CASSIOPEIA_BUG"]]()
