"""PDP contexts (guide 1.2.2): +CGDCONT, +CGACT, +CGCONTRDP, +CGAUTH, +CGPADDR; kept in NV.

A room of its own, with a narrow view of the network (`Bearer`): whether the module is
registered, an attach asked for on behalf of an activation, and the serving PLMN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .engine import Pending, Spec
from .errors import CmeFail, SyntaxFail
from .lexer import Args, Cmd
from .nvstore import NvStore

__all__ = ["PDP_TYPES", "Bearer", "Context", "PdpContexts"]

PDP_TYPES = ("IP", "IPV6", "IPV4V6")
NO_SERVICE = 30  # +CME ERROR: no network service
LAST_PDN = 151  # Sequans (MON) code for "Last PDN disconnection not allowed"
DNS = '"172.16.66.1","172.16.66.1"'  # the guide's +CGCONTRDP example


@dataclass
class Context:
    cid: int
    pdp_type: str
    apn: str
    active: bool = False
    auth: tuple[int, str, str] = (0, "", "")

    def to_nv(self) -> dict[str, Any]:
        return {"cid": self.cid, "type": self.pdp_type, "apn": self.apn, "auth": list(self.auth)}


class Bearer(Protocol):
    """What PDP contexts need of the network."""

    @property
    def registered(self) -> bool: ...

    def attach_for_pdp(self) -> bool:
        """Ask for an attach (an activation while detached); False: no service to attach to."""
        ...

    def plmn(self) -> str: ...


class PdpContexts:
    def __init__(
        self,
        nv: NvStore,
        bearer: Bearer,
        after: Callable[..., Any],
        delay: Callable[[bool], float],
    ) -> None:
        self._nv, self._bearer, self._after, self._delay = nv, bearer, after, delay
        self.contexts: dict[int, Context] = {}
        self.load()

    def load(self) -> None:
        """The contexts as NV keeps them, none active (at boot)."""
        self.contexts = {
            c["cid"]: Context(c["cid"], c["type"], c["apn"], auth=tuple(c["auth"]))
            for c in self._nv["pdp"]
        }

    def _save(self) -> None:
        self._nv["pdp"] = [c.to_nv() for c in self.sorted()]

    def sorted(self) -> list[Context]:
        return sorted(self.contexts.values(), key=lambda c: c.cid)

    def attached(self) -> None:
        default = self.contexts.get(1)
        if default is not None:
            default.active = True  # LTE attaches with its default bearer

    def deactivate_all(self) -> None:
        for ctx in self.contexts.values():
            ctx.active = False

    def specs(self, sim_gate: Callable[[Cmd], None]) -> dict[str, Spec]:
        return {
            "+CGDCONT": Spec(
                read=self._cgdcont_read,
                set=self._cgdcont_set,
                test=lambda: [
                    f'+CGDCONT: (1-16),"{t}",,,(0),(0),(0,1),(0,1),(0-2),(0,1)' for t in PDP_TYPES
                ],
            ),
            "+CGACT": Spec(
                read=lambda: [f"+CGACT: {c.cid},{int(c.active)}" for c in self.sorted()],
                set=self._cgact_set,
                test=lambda: ["+CGACT: (0,1)"],
                gate=sim_gate,
            ),
            "+CGCONTRDP": Spec(
                exec=lambda: self._contrdp(None),
                set=self._contrdp_set,
                test=lambda: [
                    "+CGCONTRDP: (" + ",".join(str(c.cid) for c in self.sorted() if c.active) + ")"
                ],
            ),
            "+CGAUTH": Spec(
                read=lambda: [
                    f'+CGAUTH: {c.cid},{c.auth[0]},"{c.auth[1]}","{c.auth[2]}"'
                    for c in self.sorted()
                ],
                set=self._cgauth_set,
                test=lambda: ["+CGAUTH: (1-16),(0-2),,"],
            ),
            "+CGPADDR": Spec(
                exec=lambda: self._cgpaddr([c.cid for c in self.sorted()]),
                set=self._cgpaddr_set,
                test=lambda: ["+CGPADDR: (" + ",".join(str(c.cid) for c in self.sorted()) + ")"],
            ),
        }

    def _cgdcont_read(self) -> list[str]:
        return [f'+CGDCONT: {c.cid},"{c.pdp_type}","{c.apn}",,,,,0,0,0,0' for c in self.sorted()]

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
        self._save()
        return []

    def _cgact_set(self, args: Args) -> Pending | list[str]:
        state = args.int(0, choices=(0, 1))
        cids = [args.int(i, lo=1, hi=16) for i in range(1, len(args))] or [
            c.cid for c in self.sorted()
        ]
        for cid in cids:
            if cid not in self.contexts:
                raise CmeFail(21 if state else 3)  # invalid index
        if state == 0:
            remaining = {c.cid for c in self.contexts.values() if c.active} - set(cids)
            if self._bearer.registered and not remaining:
                raise CmeFail(LAST_PDN)
            for cid in cids:
                self.contexts[cid].active = False
            return []
        was_registered = self._bearer.registered
        if not was_registered and not self._bearer.attach_for_pdp():
            raise CmeFail(NO_SERVICE)
        pending = Pending()

        def activate() -> None:
            if not self._bearer.registered:
                pending.reject(CmeFail(NO_SERVICE))
                return
            for cid in cids:
                self.contexts[cid].active = True
            pending.resolve()

        self._after(self._delay(was_registered), activate)
        return pending

    @staticmethod
    def _addresses(ctx: Context) -> list[str]:
        """The context's addresses, each as +CGCONTRDP gives it (address and mask, dotted)."""
        subnet = {1: 3, 2: 18}.get(ctx.cid, 20 + ctx.cid)
        v4 = f"192.168.{subnet}.2.255.255.255.255"
        v6 = ".".join(["253", "0"] + ["0"] * 12 + ["0", str(ctx.cid)] + ["255"] * 8 + ["0"] * 8)
        return {"IP": [v4], "IPV6": [v6], "IPV4V6": [v4, v6]}[ctx.pdp_type]

    def _contrdp(self, cid: int | None) -> list[str]:
        plmn = self._bearer.plmn()
        lines: list[str] = []
        for ctx in self.sorted():
            if not ctx.active or (cid is not None and ctx.cid != cid):
                continue
            apn = f"{ctx.apn}.mnc{plmn[3:].zfill(3)}.mcc{plmn[:3]}.gprs"
            # empty gateway (point to point) and P-CSCF fields: a real Monarch capture's nine
            # fields, which the guide's example (ending in a comma after the DNS) agrees with
            lines.extend(
                f'+CGCONTRDP: {ctx.cid},{4 + ctx.cid},"{apn}","{addr}","",{DNS},"",""'
                for addr in self._addresses(ctx)
            )
        return lines

    def _contrdp_set(self, args: Args) -> list[str]:
        args.at_most(1)
        cid = args.int(0, lo=1, hi=16)
        lines = self._contrdp(cid)
        if not lines:
            raise SyntaxFail("no active context with that cid")  # observed: plain ERROR
        return lines

    def _cgpaddr(self, cids: list[int]) -> list[str]:
        """27.007 10.1.14: the addresses of an active context, none of an inactive one."""
        lines = []
        for cid in cids:
            ctx = self.contexts[cid]
            addresses = self._addresses(ctx) if ctx.active else []
            shown = [".".join(a.split(".")[: len(a.split(".")) // 2]) for a in addresses]
            lines.append(f"+CGPADDR: {cid}" + "".join(f',"{a}"' for a in shown))
        return lines

    def _cgpaddr_set(self, args: Args) -> list[str]:
        cids = [args.int(i, lo=1, hi=16) for i in range(len(args))]
        if any(cid not in self.contexts for cid in cids):
            raise CmeFail(21)  # invalid index
        return self._cgpaddr(cids)

    def _cgauth_set(self, args: Args) -> list[str]:
        args.at_most(4)
        cid = args.int(0, lo=1, hi=16)
        prot = args.int(1, default=0, choices=(0, 1, 2))
        user, password = args.str(2, default="", max_len=64), args.str(3, default="", max_len=64)
        ctx = self.contexts.get(cid)
        if ctx is None:
            raise CmeFail(21)
        ctx.auth = (0, "", "") if prot == 0 else (prot, user, password)
        self._save()
        return []
