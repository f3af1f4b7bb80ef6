"""Who owns the module's IP side (guide 2.3.1, 3): bypass mode (`+SQNBYPASS`) and the module's
own name service. Sockets and upgrades ask here; neither reaches into the other.

With bypass on, the IP stack belongs to the USB/ECM host: only the host's side of that link
is reachable, and the UART's sockets are refused. A change of `+SQNBYPASS` takes effect at the
next reboot.
"""

from __future__ import annotations

import socket

from .engine import Spec
from .errors import CmeFail
from .lexer import Args
from .nvstore import NvStore

__all__ = ["IpRouting"]


class IpRouting:
    def __init__(self, nv: NvStore) -> None:
        self._nv = nv
        self.effective = nv["bypass"]  # "enable" or "disable", as the module booted
        self.host_addresses = {"127.0.0.1"}  # the host's side of the USB ECM link
        self.hosts = {"localhost": "127.0.0.1"}  # the module's name service: never a real DNS

    def on_reset(self) -> None:
        """At boot: the bypass setting saved in NV is the one in force."""
        self.effective = self._nv["bypass"]

    @property
    def bypass_on(self) -> bool:
        return self.effective != "disable"

    def is_host_side(self, address: str) -> bool:
        return address in self.host_addresses

    def resolve(self, name: str) -> str:
        """IP literals as they are, names from the module's own table; anything else is unknown."""
        try:
            socket.inet_aton(name)
            if name.count(".") == 3:
                return name
        except OSError:
            pass
        if name.lower() not in self.hosts:
            raise OSError(f"unknown host {name!r}")
        return self.hosts[name.lower()]

    def specs(self) -> dict[str, Spec]:
        return {
            "+SQNBYPASS": Spec(
                # the guide's own words
                read=lambda: [
                    "+SQNBYPASS: " + ("enable" if self._nv["bypass"] == "enable" else "disabled")
                ],
                set=self._bypass,
                test=lambda: ['+SQNBYPASS: ("enable","disable")'],
            ),
        }

    def _bypass(self, args: Args) -> list[str]:
        args.at_most(1)
        value = args.str(0, quoted=True).lower()
        if value not in ("enable", "disable"):
            raise CmeFail(50)
        self._nv["bypass"] = value  # effective after the next reboot
        return []
