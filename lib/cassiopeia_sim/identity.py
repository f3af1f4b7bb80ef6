"""Who the module is (guide 2.1): +CGMI, +CGMM, +CGMR, +CGSN, +CIMI, +CNUM, ATI; and the
SIM's ICCID (+SQNCCID)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from .engine import Spec
from .errors import SyntaxFail
from .lexer import Args, Cmd
from .sim_card import SimCard
from .typecheck import build

__all__ = ["Identity", "IdentityService"]


@dataclass
class Identity:
    """Values from the guide's own captures, except where the guide disagrees with the
    reference on format (see GUESSES.md): the module prints 27.007 forms."""

    manufacturer: str = "SEQUANS Communications"
    model: str = "CB610L"
    revision: str = "UE4.2.2.0-46115"
    lr_revision: str = "LR4.2.2.0-46115"
    imei: str = "260531793113810"
    svn: str = "00"
    imsi: str = "001010000000219"
    msisdn: str = "11000000219"
    iccid: str = "8900101000000002190"  # the card's, 19 digits like a real capture's (GUESSES)

    def update(self, **values: str) -> None:
        """Change some fields: all checked first (names, types, formats), then all applied."""
        new = build(Identity, {**vars(self), **values})
        if not re.fullmatch(r"\d{15}", new.imei) or not re.fullmatch(r"\d{2}", new.svn):
            raise ValueError("IMEI must be 15 digits and SVN 2 digits")
        if not re.fullmatch(r"\d{6,15}", new.imsi):
            raise ValueError("IMSI must be 6 to 15 digits")
        if not re.fullmatch(r"\d{18,20}F?", new.iccid):
            raise ValueError("ICCID must be 18 to 20 digits")
        for f in fields(self):
            setattr(self, f.name, getattr(new, f.name))


class IdentityService:
    def __init__(self, sim: SimCard, identity: Identity) -> None:
        self._sim = sim  # the card in the module's slot (replace() keeps the object)
        self.identity = identity

    def specs(self) -> dict[str, Spec]:
        ident = self.identity

        def sim_gate(cmd: Cmd) -> None:
            self._sim.require_ready()

        return {
            "+CGMI": Spec(exec=lambda: [ident.manufacturer], test=list),
            "+CGMM": Spec(exec=lambda: [ident.model], test=list),
            "+CGMR": Spec(exec=lambda: [ident.revision], test=list),
            "+CGSN": Spec(exec=lambda: [ident.imei], set=self._cgsn, test=lambda: ["+CGSN: (0-3)"]),
            "+CIMI": Spec(exec=lambda: [ident.imsi], test=list, gate=sim_gate),
            # Sequans' own ICCID command, execute or read (drivers send both)
            "+SQNCCID": Spec(
                exec=lambda: [f'+SQNCCID: "{ident.iccid}",""'],
                read=lambda: [f'+SQNCCID: "{ident.iccid}",""'],
                test=list,
                gate=lambda cmd: self._sim.require_readable(),
            ),
            "+CNUM": Spec(
                exec=lambda: [f'+CNUM: ,"{ident.msisdn}",129'] if ident.msisdn else [],
                test=list,
                gate=sim_gate,
            ),
        }

    def _cgsn(self, args: Args) -> list[str]:
        args.at_most(1)
        ident = self.identity
        snt = args.int(0, default=0, lo=0, hi=3)
        if snt == 0:
            return [ident.imei]
        value = {1: ident.imei, 2: ident.imei[:14] + ident.svn, 3: ident.svn}[snt]
        return [f'+CGSN: "{value}"']

    def ati(self, cmd: Cmd) -> list[str]:
        ident = self.identity
        which = cmd.basic_value or "0"
        if which == "0":
            return [ident.manufacturer, ident.model, ident.revision]
        if which == "1":
            return [ident.revision, ident.lr_revision]
        raise SyntaxFail(f"ATI{which} not supported")
