"""A Cassiopeia module behind an AT channel: the vocabulary the suites speak.

module = Cassiopeia("sim://bench?profile=fast")
module.wait_ready()
module.sim.state()            # PinState.SIM_PIN
module.info.identity()        # Identity(manufacturer=..., model='CB610L', ...)
"""

from __future__ import annotations

import contextlib

from atlink import AtChannel, AtTimeout, Deadline, OnlineClosed, PortLost, Transcript
from atlink.transcript import RX

from .errors import ParseError
from .info import InfoCommands
from .network import NetworkCommands
from .sim import SimCommands
from .sockets import SocketCommands
from .urcs import cassiopeia_timeouts, cassiopeia_urc_table

__all__ = ["FUNCTIONALITY", "REBOOT_WAIT", "Cassiopeia"]

# seconds a reboot may take, port back and AT answered, before the timeout multiplier
REBOOT_WAIT = 60.0

FUNCTIONALITY = {0: "minimum (RF and SIM off)", 1: "full", 4: "airplane (RF off, SIM on)"}


class Cassiopeia:
    def __init__(
        self,
        url: str,
        *,
        transcript: Transcript | None = None,
        timeout_multiplier: float = 1.0,
        open_timeout: float = 30.0,
    ) -> None:
        self.at = AtChannel(
            url,
            urc_table=cassiopeia_urc_table(),
            timeouts=cassiopeia_timeouts(timeout_multiplier),
            transcript=transcript,
            open_timeout=open_timeout,
        )
        # every reboot wait scales as the commands do: a bench that died must not cost a minute
        self.reboot_wait = REBOOT_WAIT * timeout_multiplier
        self.sim = SimCommands(self.at)
        self.info = InfoCommands(self.at)
        self.network = NetworkCommands(self.at)
        self.sockets = SocketCommands(self.at)

    @property
    def url(self) -> str:
        return self.at.url

    def close(self) -> None:
        self.at.close()

    # ------------------------------------------------------------ readiness and reboots
    def wait_ready(self, timeout: float | None = None) -> None:
        """Until the module answers `AT` (after +SYSSTART; a module answers nothing before)."""
        deadline = Deadline(self.reboot_wait if timeout is None else timeout)
        while True:
            try:
                self.at.command("AT", timeout=min(5.0, max(0.5, deadline.remaining)))
                return
            except AtTimeout:
                if deadline.expired:
                    raise

    def reconnect(self, timeout: float | None = None) -> None:
        """Reopen the port once it is back (USB re-enumeration) and wait until ready."""
        deadline = Deadline(self.reboot_wait if timeout is None else timeout)
        self.at.reopen(timeout=deadline.remaining)
        self.wait_ready(max(1.0, deadline.remaining))

    def reset(self, timeout: float | None = None) -> None:
        """AT^RESET, then follow the module through its reboot until it answers again.

        A USB module's port vanishes (reopen it); a UART module keeps its port and
        announces +SYSSTART.
        """
        deadline = Deadline(self.reboot_wait if timeout is None else timeout)
        mark = self.at.urc_mark()
        # a USB port may drop before its OK is read: the reset is under way all the same
        with contextlib.suppress(PortLost):
            self.at.command("AT^RESET")
        self.after_reboot(mark, deadline.remaining)

    def after_reboot(self, mark: int, timeout: float | None = None) -> None:
        deadline = Deadline(self.reboot_wait if timeout is None else timeout)
        urc = self.at.wait_urc("+SYSSTART", deadline.remaining, after=mark, until_lost=True)
        if urc is None:
            self.reconnect(deadline.remaining)
        else:
            self.wait_ready(deadline.remaining)

    def leave_online(self, guard: float = 1.0, timeout: float = 30.0) -> None:
        """Back to command mode if a data session is still open (a test ended inside one)."""
        try:
            session = self.at.online
        except OnlineClosed:
            return
        if session.active:
            session.escape(guard=guard, timeout=timeout)

    def received_since(self, mark: int) -> str:
        """The answers' bytes the module sent since the transcript's `mark` (URCs apart), as
        latin-1 text, masked: for checks of V.250 framing, which atlink reads tolerantly."""
        return "".join(e.masked for e in self.at.transcript.since(mark) if e.direction == RX)

    # ------------------------------------------------------------ settings
    def functionality(self) -> int:
        line = self.at.command("AT+CFUN?").one("+CFUN:")
        if not line.isdigit():
            raise ParseError("+CFUN", line)
        return int(line)

    def set_functionality(self, fun: int) -> None:
        self.at.command(f"AT+CFUN={fun}")

    def set_error_format(self, cmee: int) -> None:
        self.at.command(f"AT+CMEE={cmee}")

    def error_format(self) -> int:
        return int(self.at.command("AT+CMEE?").one("+CMEE:"))

    def set_echo(self, on: bool) -> None:
        self.at.command(f"ATE{int(on)}")
