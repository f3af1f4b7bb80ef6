"""The SIM card: presence, power, PIN/PUK lock and retry counters (guide 1.1).

The card keeps its own state (PIN, lock, counters) across module reboots, as a
real card does. Commands: +CPIN, +CPINR, +CLCK, +CPWD.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum

from .context import ServiceContext
from .engine import Spec
from .errors import CmeFail, SyntaxFail
from .lexer import Args

__all__ = ["SimCard", "SimState"]

PIN_TRIES, PUK_TRIES = 3, 10
_PIN = re.compile(r"^\d{4,8}$")
_PUK = re.compile(r"^\d{8}$")


class SimState(Enum):
    ABSENT = "absent"
    OFF = "off"  # CFUN=0: the SIM is powered down
    BUSY = "busy"  # initialising after power-up
    PIN = "SIM PIN"
    PUK = "SIM PUK"
    BLOCKED = "blocked"  # PUK exhausted
    READY = "READY"


# +CME ERROR code a command that needs the SIM gets in each state
_NOT_READY = {
    SimState.ABSENT: 10,
    SimState.OFF: 10,
    SimState.BUSY: 14,
    SimState.PIN: 11,
    SimState.PUK: 12,
    SimState.BLOCKED: 13,
}


class SimCard:
    def __init__(
        self,
        ctx: ServiceContext,
        pin: str,
        puk: str,
        locked: bool = True,
        present: bool = True,
    ) -> None:
        if not _PIN.match(pin) or not _PUK.match(puk):
            raise ValueError("PIN must be 4 to 8 digits and PUK 8 digits")
        self._ctx = ctx
        self.pin, self.puk = pin, puk
        self._fresh(locked, present)
        self.on_ready: Callable[[], None] = lambda: None  # the module's reaction to an unlocked SIM

    def _fresh(self, locked: bool, present: bool) -> None:
        self.lock_enabled = locked
        self.present = present
        self.pin_left, self.puk_left = PIN_TRIES, PUK_TRIES
        self.pin2_left, self.puk2_left = PIN_TRIES, PUK_TRIES
        self.powered = False
        self.initialising = False
        self.verified = False

    def replace(self) -> None:
        """A fresh card in the slot, with the same codes, locked (after a test blocked the old
        one). The slot's object stays: whoever reads the card reads the new one."""
        self._fresh(locked=True, present=True)

    # ------------------------------------------------------------ state
    @property
    def state(self) -> SimState:
        if not self.present:
            return SimState.ABSENT
        if not self.powered:
            return SimState.OFF
        if self.initialising:
            return SimState.BUSY
        if self.puk_left == 0:
            return SimState.BLOCKED
        if self.pin_left == 0:
            return SimState.PUK
        if self.lock_enabled and not self.verified:
            return SimState.PIN
        return SimState.READY

    def require_ready(self) -> None:
        state = self.state
        if state is not SimState.READY:
            raise CmeFail(_NOT_READY[state])

    def require_readable(self) -> None:
        """The card's own files (its ICCID) need it powered and initialised, not unlocked."""
        state = self.state
        if state in (SimState.ABSENT, SimState.OFF, SimState.BUSY):
            raise CmeFail(_NOT_READY[state])

    def power_on(self) -> None:
        if self.powered or not self.present:
            return
        self.powered, self.initialising, self.verified = True, True, False
        self._ctx.after(self._ctx.profile.sim_init, self._initialised)

    def _initialised(self) -> None:
        self.initialising = False
        if self.state is SimState.READY and self._ctx.powered():
            self.on_ready()

    def power_off(self) -> None:
        self.powered = self.initialising = self.verified = False

    def remove(self) -> None:
        self.present = False
        self.power_off()

    def insert(self) -> None:
        self.present = True

    # ------------------------------------------------------------ commands
    def specs(self) -> dict[str, Spec]:
        return {
            "+CPIN": Spec(read=self._cpin_read, set=self._cpin_set, test=list),
            "+CPINR": Spec(exec=self._cpinr, set=self._cpinr_set, test=list),
            "+CLCK": Spec(set=self._clck, test=lambda: ['+CLCK: ("SC")']),
            "+CPWD": Spec(set=self._cpwd, test=lambda: ['+CPWD: ("SC",8)']),
        }

    def _cpin_read(self) -> list[str]:
        state = self.state
        if state in (SimState.READY, SimState.PIN, SimState.PUK):
            return [f"+CPIN: {state.value}"]
        raise CmeFail(_NOT_READY[state])

    def _cpin_set(self, args: Args) -> list[str]:
        args.at_most(2)
        code = args.str(0)
        state = self.state
        if state is SimState.PIN:
            if args.present(1) or not _PIN.match(code):
                raise SyntaxFail("AT+CPIN=<pin> in SIM PIN state")
            self._verify_pin(code)
            return []
        if state is SimState.PUK:
            new_pin = args.str(1)  # mandatory with a PUK: it replaces the old PIN
            if not _PUK.match(code) or not _PIN.match(new_pin):
                raise SyntaxFail("AT+CPIN=<puk>,<newpin> needs an 8-digit PUK and a 4-8 digit PIN")
            if code != self.puk:
                self.puk_left -= 1
                raise CmeFail(16)
            self.pin, self.pin_left, self.puk_left, self.verified = (
                new_pin,
                PIN_TRIES,
                PUK_TRIES,
                True,
            )
            self.on_ready()
            return []
        if state is SimState.READY:
            raise CmeFail(3)  # no PIN pending (27.007: operation not allowed)
        raise CmeFail(_NOT_READY[state])

    def _verify_pin(self, code: str) -> None:
        """Check the PIN; a wrong one costs a retry, the last one leads to PUK."""
        if code != self.pin:
            self.pin_left -= 1
            raise CmeFail(16)
        self.pin_left = PIN_TRIES
        was_pending = self.state is SimState.PIN
        self.verified = True
        if was_pending:
            self.on_ready()

    def _cpinr_lines(self) -> dict[str, str]:
        return {
            "SIM PIN": f"+CPINR: SIM PIN,{self.pin_left},{PIN_TRIES}",
            "SIM PUK": f"+CPINR: SIM PUK,{self.puk_left},{PUK_TRIES}",
            "SIM PIN2": f"+CPINR: SIM PIN2,{self.pin2_left},{PIN_TRIES}",
            "SIM PUK2": f"+CPINR: SIM PUK2,{self.puk2_left},{PUK_TRIES}",
        }

    def _check_card(self) -> None:
        if self.state in (SimState.ABSENT, SimState.OFF, SimState.BUSY):
            raise CmeFail(_NOT_READY[self.state])

    def _cpinr(self) -> list[str]:
        self._check_card()
        return list(self._cpinr_lines().values())

    def _cpinr_set(self, args: Args) -> list[str]:
        args.at_most(1)
        selector = args.str(0)
        if selector not in ("SIM PIN", "SIM PUK"):  # Monarch: no PIN2/PUK2 selection, no wildcard
            raise SyntaxFail(f"unsupported <sel_code> {selector!r}")
        self._check_card()
        return [self._cpinr_lines()[selector]]

    def _clck(self, args: Args) -> list[str]:
        args.at_most(4)
        facility = args.str(0, quoted=True).upper()
        mode = args.int(1, choices=(0, 1, 2))
        if facility != "SC":
            raise CmeFail(4)
        self.require_ready()
        if mode == 2:
            return [f"+CLCK: {int(self.lock_enabled)}"]
        password = args.str(2)
        if args.present(3):
            args.int(3, lo=1, hi=255)
        self._verify_pin(password)
        self.lock_enabled = mode == 1
        return []

    def _cpwd(self, args: Args) -> list[str]:
        args.at_most(3)
        facility = args.str(0, quoted=True).upper()
        old, new = args.str(1), args.str(2)
        if facility != "SC":
            raise CmeFail(4)
        if not _PIN.match(new):
            raise SyntaxFail("the new PIN must be 4 to 8 digits")
        self.require_ready()
        if not self.lock_enabled:
            raise CmeFail(3)  # a disabled PIN cannot be changed (a documented guess)
        self._verify_pin(old)
        self.pin = new
        return []
