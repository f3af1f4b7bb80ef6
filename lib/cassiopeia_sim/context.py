"""What a service of the simulated module may use of it: its context.

A service is handed a ServiceContext, never the module, so it can reach neither the module
nor, through it, its siblings. A sibling a service needs is given to it by name when it is built
(the sockets get the network and the routing); events between services (every bearer lost,
power down, a reset) are wired by the module, in module.py, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .loop import Loop
from .nvstore import NvStore
from .profiles import Profile

__all__ = ["ServiceContext"]


@dataclass(frozen=True)
class ServiceContext:
    profile: Profile  # how long things take
    nv: NvStore  # the settings that survive a reboot
    loop: Loop  # the module's one thread: call_soon, the sockets' readers and writers
    after: Callable[..., None]  # after(delay, fn, *args): a timer the next reset cancels
    # after_output(fn, *args): once the UART has sent what came before (a reset after OK)
    after_output: Callable[..., None]
    urc: Callable[[str], None]  # an unsolicited line, sent while the module is on
    hold_input: Callable[[bool, str], None]  # the module's CTS: (hold, holder)
    powered: Callable[[], bool]  # the module has booted: its AT task runs
