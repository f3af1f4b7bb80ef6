"""The radio side (guide 1.2): cells, registration, attach, signal; PDP contexts in pdp.py.

Commands: ^AUTOATT, +BGLTEPLMN, +COPS, +CEREG, +CESQ, +CGATT. URCs: ^MODE, +CEREG. The radio
environment is set through the control plane: one home cell of PLMN 00101 by default.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from .context import ServiceContext
from .engine import Pending, Spec
from .errors import CmeFail, SyntaxFail
from .lexer import Args, Cmd
from .pdp import Context, PdpContexts
from .sim_card import SimCard, SimState

__all__ = ["DEFAULT_CELL", "Cell", "Network", "rsrp_index", "rsrq_index"]

HOME, SEARCHING, NOT_REGISTERED, DENIED, UNKNOWN, ROAMING = 1, 2, 0, 3, 4, 5
CIDS = range(1, 17)
RADIO_OFF = 3  # +CME ERROR: operation not allowed (RF is off: CFUN 0 or 4)
NO_SERVICE = 30  # +CME ERROR: no network service
MODE_LTE = "^MODE: 17,25"
MODE_NONE = "^MODE: 0,0"


@dataclass
class Cell:
    plmn: str = "00101"
    long_name: str = "Amarisoft Network"
    short_name: str = "Amarisoft"
    act: int = 7  # E-UTRAN
    tac: str = "0001"
    ci: str = "01A2D001"
    rsrp_dbm: float = -105.5  # the guide's example, +CESQ: 99,99,255,255,13,35
    rsrq_db: float = -13.25
    forbidden: bool = False


DEFAULT_CELL = Cell()


def rsrp_index(dbm: float) -> int:
    """Reference 3.5 (27.007 bands): 0 below -140 dBm, N for -141+N <= RSRP < -140+N, 97 from
    -44 dBm (the guide's 1.2.3 "RSRP ~ -140 + N" is that band's upper edge)."""
    return max(0, min(97, math.floor(dbm + 141)))


def rsrq_index(db: float) -> int:
    """Reference 3.5 (27.007 bands): 0 below -19.5 dB, N for -20+N/2 <= RSRQ < -19.5+N/2, 34
    from -3 dB."""
    return max(0, min(34, math.floor((db + 20) * 2)))


@dataclass
class Network:
    ctx: ServiceContext
    sim: SimCard
    functionality: Callable[[], int]  # the module's +CFUN level
    cells: list[Cell] = field(default_factory=lambda: [Cell()])
    coverage: bool = True
    deny_cause: int | None = None  # EMM cause when registration is denied
    home_plmn: str = "00101"

    def __post_init__(self) -> None:
        self.autoatt = 1
        self.cereg_n = 0
        self.cops_mode, self.cops_format = 0, 2
        self.selected: str | None = None  # manual PLMN
        self.stat = NOT_REGISTERED
        self.stat_listeners: list[Callable[[], None]] = []
        self.bearer_lost: list[Callable[[], None]] = []  # every PDN gone (the sockets close)
        # (Active-Time, Periodic-TAU) granted, for +CEREG n=4/5: the power-saving room's
        self.psm_timers: Callable[[], tuple[str, str] | None] = lambda: None
        self.serving: Cell | None = None
        self.attach_wanted = False
        self.pdp = PdpContexts(self.ctx.nv, self, self.ctx.after, self._pdp_delay)

    # ------------------------------------------------------------ hooks from the module
    def power_down(self) -> None:
        self.autoatt = 1  # not persistent: back to enabled at every boot (guide 1.2.2)
        self.cereg_n = 0
        self.cops_mode, self.selected = 0, None
        self.stat, self.serving, self.attach_wanted = NOT_REGISTERED, None, False
        self.pdp.load()

    def radio_on(self) -> None:
        if self.autoatt and self.cops_mode != 2:
            self.attach_wanted = True
        self._try_register()

    def radio_off(self) -> None:
        self.attach_wanted = False
        if self.serving is not None:
            self.ctx.urc(MODE_NONE)
        self.serving = None
        self._deactivate_all()
        self._set_stat(NOT_REGISTERED)

    def sim_ready(self) -> None:
        self._try_register()

    # ------------------------------------------------------------ registration
    @property
    def radio_on_now(self) -> bool:
        return self.functionality() == 1 and self.ctx.powered()

    def _candidates(self) -> list[Cell]:
        if not self.coverage:
            return []
        cells = [c for c in self.cells if not c.forbidden]
        if self.cops_mode in (1, 4) and self.selected:
            chosen = [c for c in cells if c.plmn == self.selected]
            return chosen or (cells if self.cops_mode == 4 else [])
        return sorted(cells, key=lambda c: (c.plmn != self.home_plmn, -c.rsrp_dbm))

    def _camp(self) -> Cell | None:
        cells = self._candidates()
        cell = cells[0] if cells else None
        if cell is not self.serving:
            self.serving = cell
            self.ctx.urc(MODE_LTE if cell else MODE_NONE)
        return cell

    def _try_register(self) -> None:
        if not self.radio_on_now or self.sim.state is not SimState.READY:
            return
        cell = self._camp()
        if not self.attach_wanted or self.stat in (HOME, ROAMING):
            return
        if cell is None:
            self._set_stat(UNKNOWN if not self.coverage else SEARCHING)
            return
        self._set_stat(SEARCHING)
        self.ctx.after(self.ctx.profile.attach, self._attached, cell)

    def _attached(self, cell: Cell) -> None:
        if not self.attach_wanted or self.serving is not cell or not self.radio_on_now:
            return
        if self.deny_cause is not None:
            self._set_stat(DENIED)
            return
        self._set_stat(HOME if cell.plmn == self.home_plmn else ROAMING)
        self.pdp.attached()

    def _detach(self, stat: int = NOT_REGISTERED) -> None:
        self.attach_wanted = False
        self._deactivate_all()
        self._set_stat(stat)

    def _deactivate_all(self) -> None:
        self.pdp.deactivate_all()
        for listener in self.bearer_lost:
            listener()

    # ------------------------------------------------------------ what PDP contexts see
    @property
    def contexts(self) -> dict[int, Context]:
        return self.pdp.contexts

    def attach_for_pdp(self) -> bool:
        if self.functionality() != 1 or not self._candidates():
            return False
        self.attach_wanted = True
        self._try_register()
        return True

    def plmn(self) -> str:
        return self.serving.plmn if self.serving else self.home_plmn

    def _pdp_delay(self, registered: bool) -> float:
        return self.ctx.profile.pdp + (0 if registered else self.ctx.profile.attach)

    @property
    def registered(self) -> bool:
        return self.stat in (HOME, ROAMING)

    def pdn_up(self, cid: int) -> bool:
        """Registered, and context `cid` active: IP over that PDN works."""
        ctx = self.contexts.get(cid)
        return self.registered and ctx is not None and ctx.active

    def _set_stat(self, stat: int) -> None:
        changed = stat != self.stat
        self.stat = stat
        if changed and self.cereg_n:
            self.ctx.urc("+CEREG: " + self._cereg_fields(urc=True))
        if changed:
            for listener in self.stat_listeners:  # the +CREG/+CGREG of compat.py
                listener()

    def _cereg_fields(self, urc: bool) -> str:
        n, stat = self.cereg_n, self.stat
        parts = [str(stat)] if urc else [str(n), str(stat)]
        cell = self.serving
        if n >= 2 and cell is not None and self.registered:
            parts += [f'"{cell.tac}"', f'"{cell.ci}"', str(cell.act)]
            timers = self.psm_timers() if n >= 4 else None
            if timers is not None:  # 27.007 10.1.22: empty cause fields, then the PSM timers
                parts += ["", "", f'"{timers[0]}"', f'"{timers[1]}"']
        if n in (3, 5) and stat == DENIED:
            if n >= 2 and not self.registered:
                parts += ["", "", ""]
            parts += ["0", str(self.deny_cause)]
        return ",".join(parts)

    # ------------------------------------------------------------ control plane
    def set_cells(self, cells: list[Cell]) -> None:
        """The cells the module hears now. The serving cell, if still heard (same PLMN, TAC and
        cell id), is served at its new levels at once, as an attenuator changes a real one's."""
        self.cells = cells
        if self.serving is not None:
            same = (self.serving.plmn, self.serving.tac, self.serving.ci)
            self.serving = next((c for c in cells if (c.plmn, c.tac, c.ci) == same), self.serving)

    def set_coverage(self, present: bool) -> None:
        self.coverage = present
        if not self.radio_on_now:
            return
        if not present:
            self._camp()
            self._deactivate_all()
            if self.stat != NOT_REGISTERED or self.attach_wanted:
                self._set_stat(UNKNOWN)
        else:
            if self.stat == UNKNOWN:
                self.stat = SEARCHING if self.attach_wanted else NOT_REGISTERED
            self._try_register()

    # ------------------------------------------------------------ commands
    def specs(self) -> dict[str, Spec]:

        def sim_gate(cmd: Cmd) -> None:
            self.sim.require_ready()

        return {
            "^AUTOATT": Spec(
                read=lambda: [f"^AUTOATT: {self.autoatt}"],
                set=self._autoatt,
                test=lambda: ["^AUTOATT: (0,1)"],
            ),
            "+BGLTEPLMN": Spec(test=self._bgltplmn, gate=sim_gate),
            "+COPS": Spec(
                read=self._cops_read, set=self._cops_set, test=self._cops_test, gate=sim_gate
            ),
            "+CEREG": Spec(
                read=lambda: ["+CEREG: " + self._cereg_fields(urc=False)],
                set=self._cereg_set,
                test=lambda: ["+CEREG: (0-5)"],
            ),
            "+CESQ": Spec(
                exec=self._cesq,
                test=lambda: [
                    "+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)"
                ],
            ),
            "+CGATT": Spec(
                read=lambda: [f"+CGATT: {int(self.registered)}"],
                set=self._cgatt,
                test=lambda: ["+CGATT: (0,1)"],
                gate=sim_gate,
            ),
            **self.pdp.specs(sim_gate),
        }

    def _autoatt(self, args: Args) -> list[str]:
        args.at_most(1)
        self.autoatt = args.int(0, choices=(0, 1))
        return []

    def _scan(self, lines) -> Pending:
        """A PLMN scan: needs the RF on, and takes the profile's scan time."""
        if self.functionality() != 1:
            raise CmeFail(RADIO_OFF)
        pending = Pending()
        self.ctx.after(self.ctx.profile.scan, lambda: pending.resolve(lines()))
        return pending

    def _bgltplmn(self) -> Pending:
        def lines() -> list[str]:
            entries = (
                [
                    f'({3 if c.forbidden else 1},,,"{c.plmn}",{c.act},{round(c.rsrp_dbm * 100)})'
                    for c in self.cells
                ]
                if self.coverage
                else []
            )
            return ["+BGLTEPLMN: " + ",".join([*entries, "", "(0,1,2)"])]

        return self._scan(lines)

    def _cops_test(self) -> Pending:
        def lines() -> list[str]:
            entries = []
            for c in self.cells if self.coverage else []:
                stat = 3 if c.forbidden else (2 if c is self.serving and self.registered else 1)
                entries.append(f'({stat},"{c.long_name}","{c.short_name}","{c.plmn}",{c.act})')
            return ["+COPS: " + ",".join([*entries, "", "(0,1,2,3,4)", "(0,1,2)"])]

        return self._scan(lines)

    def _oper(self, cell: Cell) -> str:
        return {0: cell.long_name, 1: cell.short_name, 2: cell.plmn}[self.cops_format]

    def _cops_read(self) -> list[str]:
        cell = self.serving
        if self.registered and cell is not None:
            return [f'+COPS: {self.cops_mode},{self.cops_format},"{self._oper(cell)}",{cell.act}']
        return [f"+COPS: {self.cops_mode}"]

    def _cops_set(self, args: Args) -> list[str]:
        args.at_most(4)
        mode = args.int(0, choices=(0, 1, 2, 3, 4))
        fmt = args.int(1, default=self.cops_format, choices=(0, 1, 2))
        if mode == 3:
            self.cops_format = fmt
            return []
        if mode in (1, 4):
            oper = args.str(2)
            if args.present(3):
                args.int(3, choices=(7, 9))
            cell = next(
                (c for c in self.cells if oper in (c.long_name, c.short_name, c.plmn)), None
            )
            if cell is None and mode == 1:
                raise CmeFail(NO_SERVICE)
            self.selected = cell.plmn if cell else None
        elif args.present(2):
            raise SyntaxFail("+COPS=0/2 take no operator")
        if self.functionality() != 1 and mode != 2:
            raise CmeFail(RADIO_OFF)
        self.cops_mode, self.cops_format = mode, fmt
        if mode == 2:
            self._detach()
            return []
        if (
            self.registered
            and self.serving is not None
            and self.serving.plmn != (self.selected or self.serving.plmn)
        ):
            self._detach(SEARCHING)
            self.attach_wanted = True
        if self.autoatt:
            self.attach_wanted = True
        self._try_register()
        return []

    def _cereg_set(self, args: Args) -> list[str]:
        args.at_most(1)
        self.cereg_n = args.int(0, default=0, lo=0, hi=5)
        return []

    def _cesq(self) -> list[str]:
        cell = self.serving if self.radio_on_now else None
        if cell is None:
            return ["+CESQ: 99,99,255,255,255,255"]
        return [f"+CESQ: 99,99,255,255,{rsrq_index(cell.rsrq_db)},{rsrp_index(cell.rsrp_dbm)}"]

    def _cgatt(self, args: Args) -> list[str]:
        args.at_most(1)
        state = args.int(0, choices=(0, 1))
        if state == 0:
            if self.registered or self.attach_wanted:
                self._detach()
            return []
        if self.registered:
            return []
        if self.functionality() != 1:
            raise CmeFail(RADIO_OFF)
        if not self._candidates():
            raise CmeFail(NO_SERVICE)
        if self.cops_mode == 2:
            self.cops_mode = 0
        self.attach_wanted = True
        self._try_register()  # +CEREG: 2 now, +CEREG: 1 after the attach (guide 1.2.2)
        return []
