"""The radio side (guide 1.2): cells, registration, attach, PDP contexts, signal.

Commands: ^AUTOATT, +BGLTEPLMN, +COPS, +CEREG, +CESQ, +CGATT, +CGDCONT, +CGACT,
+CGCONTRDP, +CGAUTH. URCs: ^MODE, +CEREG. The radio environment is set through
the control plane: one home cell of PLMN 00101 by default.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .engine import Pending, Spec
from .errors import CmeFail, SyntaxFail
from .lexer import Args, Cmd
from .sim_card import SimState

if TYPE_CHECKING:
    from .module import SimulatedModule

__all__ = ["DEFAULT_CELL", "Cell", "Network", "rsrp_index", "rsrq_index"]

HOME, SEARCHING, NOT_REGISTERED, DENIED, UNKNOWN, ROAMING = 1, 2, 0, 3, 4, 5
CIDS = range(1, 17)
PDP_TYPES = ("IP", "IPV6", "IPV4V6")
RADIO_OFF = 3  # +CME ERROR: operation not allowed (RF is off: CFUN 0 or 4)
NO_SERVICE = 30  # +CME ERROR: no network service
LAST_PDN = 151  # Sequans (MON) code for "Last PDN disconnection not allowed"
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
class Context:
    cid: int
    pdp_type: str
    apn: str
    active: bool = False
    auth: tuple[int, str, str] = (0, "", "")

    def to_nv(self) -> dict:
        return {"cid": self.cid, "type": self.pdp_type, "apn": self.apn, "auth": list(self.auth)}


@dataclass
class Network:
    module: SimulatedModule
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
        self.serving: Cell | None = None
        self.attach_wanted = False
        self.contexts: dict[int, Context] = {}
        self._load_contexts()

    # ------------------------------------------------------------ NV
    def _load_contexts(self) -> None:
        self.contexts = {
            c["cid"]: Context(c["cid"], c["type"], c["apn"], auth=tuple(c["auth"]))
            for c in self.module.nv["pdp"]
        }

    def _save_contexts(self) -> None:
        self.module.nv["pdp"] = [
            c.to_nv() for c in sorted(self.contexts.values(), key=lambda c: c.cid)
        ]

    # ------------------------------------------------------------ hooks from the module
    def power_down(self) -> None:
        self.autoatt = 1  # not persistent: back to enabled at every boot (guide 1.2.2)
        self.cereg_n = 0
        self.cops_mode, self.selected = 0, None
        self.stat, self.serving, self.attach_wanted = NOT_REGISTERED, None, False
        self._load_contexts()

    def radio_on(self) -> None:
        if self.autoatt and self.cops_mode != 2:
            self.attach_wanted = True
        self._try_register()

    def radio_off(self) -> None:
        self.attach_wanted = False
        if self.serving is not None:
            self.module.urc(MODE_NONE)
        self.serving = None
        self._deactivate_all()
        self._set_stat(NOT_REGISTERED)

    def sim_ready(self) -> None:
        self._try_register()

    # ------------------------------------------------------------ registration
    @property
    def radio_on_now(self) -> bool:
        return self.module.cfun == 1 and self.module.power == "on"

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
            self.module.urc(MODE_LTE if cell else MODE_NONE)
        return cell

    def _try_register(self) -> None:
        if not self.radio_on_now or self.module.sim.state is not SimState.READY:
            return
        cell = self._camp()
        if not self.attach_wanted or self.stat in (HOME, ROAMING):
            return
        if cell is None:
            self._set_stat(UNKNOWN if not self.coverage else SEARCHING)
            return
        self._set_stat(SEARCHING)
        self.module.after(self.module.profile.attach, self._attached, cell)

    def _attached(self, cell: Cell) -> None:
        if not self.attach_wanted or self.serving is not cell or not self.radio_on_now:
            return
        if self.deny_cause is not None:
            self._set_stat(DENIED)
            return
        self._set_stat(HOME if cell.plmn == self.home_plmn else ROAMING)
        default = self.contexts.get(1)
        if default is not None:
            default.active = True  # LTE attaches with its default bearer

    def _detach(self, stat: int = NOT_REGISTERED) -> None:
        self.attach_wanted = False
        self._deactivate_all()
        self._set_stat(stat)

    def _deactivate_all(self) -> None:
        for ctx in self.contexts.values():
            ctx.active = False
        self.module.sockets.network_lost()

    @property
    def registered(self) -> bool:
        return self.stat in (HOME, ROAMING)

    def _set_stat(self, stat: int) -> None:
        changed = stat != self.stat
        self.stat = stat
        if changed and self.cereg_n:
            self.module.urc("+CEREG: " + self._cereg_fields(urc=True))
        if changed:
            for listener in self.stat_listeners:  # the +CREG/+CGREG of compat.py
                listener()

    def _cereg_fields(self, urc: bool) -> str:
        n, stat = self.cereg_n, self.stat
        parts = [str(stat)] if urc else [str(n), str(stat)]
        cell = self.serving
        if n >= 2 and cell is not None and self.registered:
            parts += [f'"{cell.tac}"', f'"{cell.ci}"', str(cell.act)]
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
            self.module.sim.require_ready()

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
            "+CGDCONT": Spec(
                read=self._cgdcont_read,
                set=self._cgdcont_set,
                test=lambda: [
                    f'+CGDCONT: (1-16),"{t}",,,(0),(0),(0,1),(0,1),(0-2),(0,1)' for t in PDP_TYPES
                ],
            ),
            "+CGACT": Spec(
                read=lambda: [f"+CGACT: {c.cid},{int(c.active)}" for c in self._sorted()],
                set=self._cgact_set,
                test=lambda: ["+CGACT: (0,1)"],
                gate=sim_gate,
            ),
            "+CGCONTRDP": Spec(
                exec=lambda: self._contrdp(None),
                set=self._contrdp_set,
                test=lambda: [
                    "+CGCONTRDP: (" + ",".join(str(c.cid) for c in self._sorted() if c.active) + ")"
                ],
            ),
            "+CGAUTH": Spec(
                read=lambda: [
                    f'+CGAUTH: {c.cid},{c.auth[0]},"{c.auth[1]}","{c.auth[2]}"'
                    for c in self._sorted()
                ],
                set=self._cgauth_set,
                test=lambda: ["+CGAUTH: (1-16),(0-2),,"],
            ),
        }

    def _sorted(self) -> list[Context]:
        return sorted(self.contexts.values(), key=lambda c: c.cid)

    def _autoatt(self, args: Args) -> list[str]:
        args.at_most(1)
        self.autoatt = args.int(0, choices=(0, 1))
        return []

    def _scan(self, lines) -> Pending:
        """A PLMN scan: needs the RF on, and takes the profile's scan time."""
        if self.module.cfun != 1:
            raise CmeFail(RADIO_OFF)
        pending = Pending()
        self.module.after(self.module.profile.scan, lambda: pending.resolve(lines()))
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
        if self.module.cfun != 1 and mode != 2:
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
        if self.module.cfun != 1:
            raise CmeFail(RADIO_OFF)
        if not self._candidates():
            raise CmeFail(NO_SERVICE)
        if self.cops_mode == 2:
            self.cops_mode = 0
        self.attach_wanted = True
        self._try_register()  # +CEREG: 2 now, +CEREG: 1 after the attach (guide 1.2.2)
        return []

    def _cgdcont_read(self) -> list[str]:
        return [f'+CGDCONT: {c.cid},"{c.pdp_type}","{c.apn}",,,,,0,0,0,0' for c in self._sorted()]

    def _cgdcont_set(self, args: Args) -> list[str]:
        args.at_most(10)
        cid = args.int(0, lo=1, hi=16)
        existing = self.contexts.get(cid)
        if existing is not None and existing.active:
            raise CmeFail(3)  # guide 1.2.2: deactivate a context before configuring it
        if len(args) == 1:
            self.contexts.pop(cid, None)  # AT+CGDCONT=<cid> undefines it
        else:
            pdp_type = args.str(1, quoted=True).upper()
            if pdp_type not in PDP_TYPES:
                raise SyntaxFail(f"PDP type {pdp_type}")
            apn = args.str(2, default="", max_len=100)
            auth = existing.auth if existing else (0, "", "")
            self.contexts[cid] = Context(cid, pdp_type, apn, auth=auth)
        self._save_contexts()
        return []

    def _cgact_set(self, args: Args) -> Pending | list[str]:
        state = args.int(0, choices=(0, 1))
        cids = [args.int(i, lo=1, hi=16) for i in range(1, len(args))] or [
            c.cid for c in self._sorted()
        ]
        for cid in cids:
            if cid not in self.contexts:
                raise CmeFail(21 if state else 3)  # invalid index
        if state == 0:
            remaining = {c.cid for c in self.contexts.values() if c.active} - set(cids)
            if self.registered and not remaining:
                raise CmeFail(LAST_PDN)
            for cid in cids:
                self.contexts[cid].active = False
            return []
        if not self.registered:
            if self.module.cfun != 1 or not self._candidates():
                raise CmeFail(NO_SERVICE)
            self.attach_wanted = True
            self._try_register()
        pending = Pending()

        def activate() -> None:
            if not self.registered:
                pending.reject(CmeFail(NO_SERVICE))
                return
            for cid in cids:
                self.contexts[cid].active = True
            pending.resolve()

        self.module.after(
            self.module.profile.pdp + (0 if self.registered else self.module.profile.attach),
            activate,
        )
        return pending

    @staticmethod
    def _address(ctx: Context) -> list[str]:
        subnet = {1: 3, 2: 18}.get(ctx.cid, 20 + ctx.cid)
        v4 = f'"192.168.{subnet}.2.255.255.255.255"'
        v6 = (
            '"'
            + ".".join(["253", "0"] + ["0"] * 12 + ["0", str(ctx.cid)] + ["255"] * 8 + ["0"] * 8)
            + '"'
        )
        return {"IP": [v4], "IPV6": [v6], "IPV4V6": [v4, v6]}[ctx.pdp_type]

    def _contrdp(self, cid: int | None) -> list[str]:
        lines: list[str] = []
        plmn = self.serving.plmn if self.serving else self.home_plmn
        dns = '"172.16.66.1","172.16.66.1"'
        for ctx in self._sorted():
            if not ctx.active or (cid is not None and ctx.cid != cid):
                continue
            apn = f"{ctx.apn}.mnc{plmn[3:].zfill(3)}.mcc{plmn[:3]}.gprs"
            lines.extend(
                f'+CGCONTRDP: {ctx.cid},{4 + ctx.cid},"{apn}",{addr},"",{dns}'
                for addr in self._address(ctx)
            )
        return lines

    def _contrdp_set(self, args: Args) -> list[str]:
        args.at_most(1)
        cid = args.int(0, lo=1, hi=16)
        lines = self._contrdp(cid)
        if not lines:
            raise SyntaxFail("no active context with that cid")  # observed: plain ERROR
        return lines

    def _cgauth_set(self, args: Args) -> list[str]:
        args.at_most(4)
        cid = args.int(0, lo=1, hi=16)
        prot = args.int(1, default=0, choices=(0, 1, 2))
        user, password = args.str(2, default="", max_len=64), args.str(3, default="", max_len=64)
        ctx = self.contexts.get(cid)
        if ctx is None:
            raise CmeFail(21)
        ctx.auth = (0, "", "") if prot == 0 else (prot, user, password)
        self._save_contexts()
        return []
