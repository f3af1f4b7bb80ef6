"""The simulated module: services, power and boot, functionality levels, the port.

One SimulatedModule is one physical module. Transports (the in-process `sim://`
port, a pty, a TCP socket) connect to its port; the control plane acts on it as
a lab would on a bench (pull the SIM, power-cycle). Everything runs on its loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .clock import RealTimeClock
from .compat import Compat
from .connection import Connection, PortAbsent, PortBusy
from .context import ServiceContext
from .engine import Engine, Pending, Spec
from .factory import FactoryReset
from .identity import Identity, IdentityService
from .lexer import Args
from .loop import Inbox, Loop
from .network import Network
from .nvstore import NvStore
from .profiles import PROFILES, Profile
from .psm import PowerSaving
from .routing import IpRouting
from .sim_card import SimCard, SimState
from .sockets import Sockets
from .upgrade import Upgrade
from .v250 import basic_commands

__all__ = ["Connection", "PortAbsent", "PortBusy", "SimulatedModule"]


class SimulatedModule:
    PORT_BUFFER = 16 * 1024  # the port's receive buffer, for a client on another thread (sim://)

    def __init__(
        self,
        *,
        profile: str | Profile = "fast",
        pin: str = "0000",
        puk: str = "42984776",
        sim_locked: bool = True,
        sim_present: bool = True,
        usb: bool = True,
        nv: dict[str, Any] | None = None,
        identity: dict[str, str] | None = None,
        local_hosts: list[str] | None = None,
        baud: int | None = None,
    ) -> None:
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self.usb = usb  # True: the port vanishes during a reset, like a USB ACM port
        self.baud = baud  # None: output as fast as the host reads it (USB); else paced like a UART
        self.loop = Loop()
        self.nv = NvStore(**(nv or {}))
        self.identity = Identity()
        if identity:
            self.identity.update(**identity)
        self._input_holds: set[str] = set()  # who holds the client's input (the module's CTS)
        self.engine = Engine(
            self._output,
            cmee=lambda: self.nv["cmee"],
            hold_input=lambda hold: self.hold_input(hold, "command queue"),
        )
        # what each service may use of the module: it never sees the module itself
        ctx = ServiceContext(
            profile=self.profile,
            nv=self.nv,
            loop=self.loop,
            after=self.after,
            after_output=self.after_output,
            urc=self.urc,
            hold_input=self.hold_input,
            powered=lambda: self.power == "on",
        )
        self.sim = SimCard(ctx, pin, puk, locked=sim_locked, present=sim_present)
        self.sim.on_ready = self._sim_unlocked
        self.identity_service = IdentityService(self.sim, self.identity)
        self.rtc = RealTimeClock(self.nv)
        self.network = Network(ctx, self.sim, functionality=lambda: self.cfun)
        self.compat = Compat(self.network, self.urc)  # +CSQ, +CREG, +CGREG, +CBC, EPS-derived
        self.psm = PowerSaving(self.urc, lambda: self.network.registered)
        self.network.stat_listeners.append(self.psm.registration_changed)
        self.network.psm_timers = self.psm.granted_timers
        self.routing = IpRouting(self.nv)  # bypass and the module's names
        self.factory = FactoryReset(self.nv)
        self.upgrade = Upgrade(ctx, self.identity, self.network, self.routing, reboot=self._reset)
        self.sockets = Sockets(ctx, self.engine, self.network, self.routing)
        self.network.bearer_lost.append(self.sockets.network_lost)
        if local_hosts:
            self.routing.host_addresses = set(local_hosts)
        self.cfun = 0
        self.power = "off"  # off -> booting -> on
        self.boots = 0
        self.port_present = False
        self._client: Connection | None = None
        self._host_reading = True  # the client's RTS (see host_ready)
        self._line_busy = False  # a paced UART's buffer is full
        self._generation = 0
        self._boot_input = bytearray()
        self._port_changed = threading.Condition()
        self._register()
        self.loop.call_soon(self._reset)

    # ------------------------------------------------------------ scheduling
    def after(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        """Run fn after delay on the loop, unless the module resets in between."""
        generation = self._generation

        def guarded() -> None:
            if generation == self._generation:
                fn(*args)

        self.loop.call_later(delay, guarded)

    def after_output(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run fn once what the module sent has left its UART: a reset after OK does not cut it."""
        generation = self._generation

        def run() -> None:
            if generation == self._generation:  # unless the module reset meanwhile, like after()
                fn(*args)

        client = self._client
        if client is None:
            self.loop.call_later(0.001, run)
        else:  # the line's thread calls back: the timer puts fn back on the loop
            client.when_sent(lambda: self._after_sent(run))

    def _after_sent(self, run: Callable[[], None]) -> None:
        self.loop.call_later(0.001, run)

    def urc(self, line: str) -> None:
        if self.power == "on":
            self.engine.urc(line)

    # ------------------------------------------------------------ the port
    @property
    def carrier(self) -> bool:
        """DCD as the port shows it: on while the UART carries a data connection (V.250 &C1;
        the reference is silent, GUESSES.md)."""
        return self.sockets.online is not None

    def connect(
        self,
        sink: Callable[[bytes], None],
        on_lost: Callable[[], None],
        hold_input: Callable[[bool], None] | None = None,
    ) -> Connection:
        """Attach a client: the module's output goes to `sink`, from the loop's thread (or a paced
        UART's). `hold_input`, if given, is the module's CTS (see Connection)."""

        def attach() -> Connection:
            if not self.port_present:
                raise PortAbsent("the module's port is not present (resetting)")
            if self._client is not None:
                raise PortBusy("the module's port is already open")
            conn = self._client = Connection(
                sink, on_lost, self.baud, hold_input, line_changed=lambda: self._line_changed(conn)
            )
            conn.inbox = Inbox(self.loop, lambda data: self._receive(conn, data), self.PORT_BUFFER)
            self._host_reading, self._line_busy = True, False  # a new client reads, and is read
            self._flow()
            return conn

        return self.loop.run_sync(attach)

    def disconnect(self, conn: Connection) -> None:
        def detach() -> None:
            if self._client is conn:
                self._client = None
            conn.close()

        self.loop.run_sync(detach)

    def receive(self, conn: Connection, data: bytes, timeout: float | None = None) -> bool:
        """The client's bytes. From another thread this waits while the port's buffer is full
        (PORT_BUFFER), up to `timeout`: False if the bytes could not be taken."""
        assert conn.inbox is not None, "receive() on a connection this module did not make"
        return conn.inbox.put(data, timeout)

    def _receive(self, conn: Connection, data: bytes) -> None:
        if conn is not self._client:
            return
        if self.power == "on":
            self.engine.receive(data)
        elif len(self._boot_input) < 4096:
            # The port is up but the AT task is not: the bytes wait in the ACM buffer
            # and are answered after +SYSSTART (a documented choice).
            self._boot_input += data

    def host_ready(self, ready: bool) -> None:
        """The client's RTS, from the transport (loop thread): off while the client is not
        reading the module's output, so the module stops producing it (its sockets' peers wait)."""
        self._host_reading = ready
        self._flow()

    def _line_changed(self, conn: Connection) -> None:
        """A paced UART's buffer filled (from the loop) or emptied (from the line's thread).
        Its state is read here, not passed: signals from two threads may arrive in any order."""
        if not self.loop.in_loop():
            self.loop.call_soon(self._line_changed, conn)
        elif conn is self._client:
            self._line_busy = conn.line_full()
            self._flow()

    def _flow(self) -> None:
        self.sockets.host_ready(self._host_reading and not self._line_busy)

    def hold_input(self, hold: bool, holder: str = "sockets") -> None:
        """The module's CTS, from its services: hold the client's input while one of them has
        nowhere to put it. Each holder holds and releases on its own; CTS is off while any holds."""
        was = bool(self._input_holds)
        if hold:
            self._input_holds.add(holder)
        else:
            self._input_holds.discard(holder)
        if bool(self._input_holds) != was and self._client is not None:
            self._client.hold_input(not was)

    def _output(self, data: bytes) -> None:
        if self._client is not None:
            self._client.sink(data)

    def wait_port(self, present: bool, timeout: float) -> bool:
        with self._port_changed:
            return self._port_changed.wait_for(lambda: self.port_present == present, timeout)

    def _set_port(self, present: bool) -> None:
        with self._port_changed:
            self.port_present = present
            self._port_changed.notify_all()

    # ------------------------------------------------------------ power and boot
    def reset(self) -> None:
        """A hardware reset (AT^RESET, AT+CFUN=1,1, the control plane)."""
        self.loop.run_sync(self._reset)

    def _reset(self) -> None:
        self.upgrade.on_reset()  # may install an image, which resets the NV settings
        self.factory.on_reset()
        self.routing.on_reset()
        self._generation += 1
        self.engine.abort()
        self._boot_input.clear()
        self.power = "booting"
        self.cfun = 0
        self.sim.power_off()
        self.on_power_down()
        if self.usb and self._client is not None:
            client, self._client = self._client, None
            client.on_lost()
        if self.usb:
            self._set_port(False)
        self.after(self.profile.usb_down, self._port_up)

    def _port_up(self) -> None:
        self._set_port(True)
        self.engine.reset_settings()
        self.rtc.power_up()
        if self.nv["autoconnect"] and self.sim.present:
            self.sim.power_on()  # the SIM initialises while the module boots
        self.after(self.profile.boot, self._booted)

    def _booted(self) -> None:
        self.power = "on"
        self.boots += 1
        if self.nv["autoconnect"]:
            # guide 1.2.2: +IMSSTATE: SIMSTORE,READY then +SYSSTART, when the SIM needs no PIN
            self.cfun = 1
            self.urc(
                "+IMSSTATE: SIMSTORE,WAIT_STORE"
                if self.sim.present
                else "+IMSSTATE: SIMSTORE,WAIT_SIM"
            )
            if self.sim.state is SimState.READY:
                self.urc("+IMSSTATE: SIMSTORE,READY")
        self.urc("+SYSSTART")
        if self.cfun == 1:
            self.on_radio_on()
        pending, self._boot_input = bytes(self._boot_input), bytearray()
        if pending:
            self.engine.receive(pending)

    def shutdown(self) -> None:
        # Sockets first: their peers see the connection end, and their readers stop waiting on
        # the loop.
        if not self.loop.stopped:
            self.loop.run_sync(self.sockets.power_down)
        self.loop.stop()

    # ------------------------------------------------------------ the SIM slot
    def insert_sim(self) -> None:
        self.sim.insert()
        if self.cfun in (1, 4):
            self.power_sim()

    def replace_sim(self) -> None:
        """A fresh card with the same codes, locked (after a test blocked the old one)."""
        self.sim.replace()
        if self.cfun in (1, 4):
            self.power_sim()

    # ------------------------------------------------------------ functionality
    def power_sim(self) -> None:
        """Power the SIM if the functionality level has it on (a card put in, or CFUN)."""
        if self.sim.powered:
            return
        if not self.sim.present:
            self.urc("+IMSSTATE: SIMSTORE,WAIT_SIM")
            return
        self.urc("+IMSSTATE: SIMSTORE,WAIT_STORE")
        self.sim.power_on()

    def _sim_unlocked(self) -> None:
        if self.sim.powered:
            self.after(self.profile.sim_store, self._sim_store_ready)

    def _sim_store_ready(self) -> None:
        if self.sim.state is SimState.READY:
            self.urc("+IMSSTATE: SIMSTORE,READY")
            self.on_sim_ready()

    def set_cfun(self, fun: int) -> None:
        previous, self.cfun = self.cfun, fun
        if fun == 0:
            self.on_radio_off()
            self.sim.power_off()
            return
        self.power_sim()
        if fun == 1 and previous != 1:
            self.on_radio_on()
        elif fun == 4 and previous == 1:
            self.on_radio_off()

    # what the radio side hears of power, functionality and the SIM
    def on_radio_on(self) -> None:
        self.network.radio_on()

    def on_radio_off(self) -> None:
        self.network.radio_off()

    def on_sim_ready(self) -> None:
        self.network.sim_ready()

    def on_power_down(self) -> None:
        self.sockets.power_down()
        self.network.power_down()
        self.compat.power_down()
        self.psm.power_down()

    # ------------------------------------------------------------ commands
    def _register(self) -> None:
        eng = self.engine
        for service in (
            self.sim,
            self.identity_service,
            self.rtc,
            self.network,
            self.upgrade,
            self.routing,
            self.factory,
            self.sockets,
            self.compat,
            self.psm,
        ):
            for name, spec in service.specs().items():
                eng.register(name, spec)
        eng.register(
            "+CMEE",
            Spec(
                read=lambda: [f"+CMEE: {self.nv['cmee']}"],
                set=self._cmee,
                test=lambda: ["+CMEE: (0-2)"],
            ),
        )
        eng.register(
            "+CFUN",
            Spec(
                read=lambda: [f"+CFUN: {self.cfun}"],
                set=self._cfun,
                test=lambda: ["+CFUN: (0,1,4),(0,1)"],
            ),
        )
        eng.register("^RESET", Spec(exec=self._at_reset))
        eng.register(
            "+SQNAUTOCONNECT",
            Spec(
                read=lambda: [f"+SQNAUTOCONNECT: {self.nv['autoconnect']}"],
                set=self._autoconnect,
                test=lambda: ["+SQNAUTOCONNECT: (0,1),(0,1)"],
            ),
        )
        eng.basic.update({**basic_commands(eng), "I": self.identity_service.ati})

    def _cmee(self, args: Args) -> list[str]:
        args.at_most(1)
        self.nv["cmee"] = args.int(0, default=0, lo=0, hi=2)
        return []

    def _autoconnect(self, args: Args) -> list[str]:
        args.at_most(2)
        self.nv["autoconnect"] = args.int(0, choices=(0, 1))
        if args.present(1):
            args.int(1, choices=(0, 1))
        return []

    def _cfun(self, args: Args) -> Pending:
        args.at_most(2)
        fun = args.int(0, choices=(0, 1, 4))
        rst = args.int(1, default=0, choices=(0, 1))
        pending = Pending()

        def apply() -> None:
            pending.resolve()
            if rst:
                self.after_output(self._reset_then_cfun, fun)
            else:
                self.set_cfun(fun)

        self.after(self.profile.command, apply)
        return pending

    def _reset_then_cfun(self, fun: int) -> None:
        autoconnect = self.nv["autoconnect"]
        self._reset()
        if fun == 1 and not autoconnect:
            self.after(self.profile.usb_down + self.profile.boot, self.set_cfun, 1)

    def _at_reset(self) -> Pending:
        pending = Pending()

        def answer_then_reset() -> None:
            pending.resolve()
            self.after_output(self._reset)

        self.after(self.profile.command, answer_then_reset)
        return pending
