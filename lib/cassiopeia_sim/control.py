"""The control plane: what a lab does to a bench by hand, done to the simulated module.

`SimControl` acts in process; `ControlServer` serves the same calls as JSON lines
on 127.0.0.1 for a simulator running in another process, and `RemoteControl`
is its client. The operations are declared once, by `@operation` on SimControl's
methods: OPERATIONS, the server and the client all derive from those methods and
their signatures.
"""

from __future__ import annotations

import functools
import inspect
import json
import socket
import socketserver
import threading
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from .module import SimulatedModule
from .typecheck import build, conforms

__all__ = [
    "OPERATIONS",
    "ControlServer",
    "RemoteControl",
    "SimControl",
    "bench_actions",
    "connect",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def operation(fn: _F) -> _F:
    """Mark a SimControl method as a control-plane operation (callable remotely too).

    Its arguments are checked against its type hints before its body runs: a wrongly typed
    value is refused with nothing changed, in process and remotely alike."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        hints = typing.get_type_hints(fn)
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            param = signature.parameters[name]
            if name not in hints:
                continue
            named = value.items() if param.kind is param.VAR_KEYWORD else [(name, value)]
            for key, each in named:
                if not conforms(each, hints[name]):
                    raise TypeError(f"{fn.__name__}: {key} must be {hints[name]}, not {each!r}")
        return fn(*args, **kwargs)

    checked.__dict__["control_operation"] = True
    return typing.cast(_F, checked)


class SimControl:
    def __init__(self, module: SimulatedModule) -> None:
        self.module = module

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.module.loop.run_sync(fn, *args)

    @operation
    def remove_sim(self) -> None:
        """Pull the SIM out (the module notices at once: a hot-plug detect line)."""
        self._run(self.module.sim.remove)

    @operation
    def insert_sim(self) -> None:
        self._run(self.module.insert_sim)

    @operation
    def replace_sim(self) -> None:
        """A fresh card with the same codes, locked (after a test blocked the old one)."""
        self._run(self.module.replace_sim)

    @operation
    def reboot(self) -> None:
        self.module.reset()

    @operation
    def set_coverage(self, present: bool) -> None:
        """Take the radio coverage away (a shield box) or give it back."""
        self._run(self.module.network.set_coverage, bool(present))

    @operation
    def set_cells(self, cells: list[dict[str, Any]]) -> None:
        """The cells the module can hear, e.g. [{"plmn": "00101", "rsrp_dbm": -95}]."""
        from .network import Cell

        made = [build(Cell, c) for c in cells]  # every value checked before any is used
        self._run(self.module.network.set_cells, made)

    @operation
    def trust_ca(self, pem: str) -> None:
        """Provision a CA certificate (PEM) the module checks HTTPS download servers against,
        as a lab provisions its modules."""
        self._run(self.module.upgrade.trust, pem)

    @operation
    def deny_registration(self, cause: int | None) -> None:
        """Make the network reject attach with an EMM cause (None: accept again)."""
        self._run(lambda: setattr(self.module.network, "deny_cause", cause))

    @operation
    def set_identity(self, **values: str) -> None:
        """Change identities (model, imei...): all of them, checked, or none."""
        self._run(lambda: self.module.identity.update(**values))

    @operation
    def inject_urc(self, line: str) -> None:
        self._run(self.module.engine.urc, line)

    @operation
    def inject_bytes(self, data: bytes | str) -> None:
        raw = data.encode("latin-1") if isinstance(data, str) else data
        self._run(self.module.engine.raw, raw)

    @operation
    def firmware_image(self, version: str, size: int, other_model: bool = False) -> bytes:
        """An upgrade image this module accepts (its model, the given version), or one built for
        another model: the bench hands out its images, as a real bench's file names them."""
        from .firmware import build_image

        model = self.module.identity.model + ("-OTHER" if other_model else "")
        return build_image(model, version, size)

    @operation
    def nv(self) -> dict[str, Any]:
        return self._run(self.module.nv.snapshot)

    @operation
    def state(self) -> dict[str, Any]:
        def snapshot() -> dict[str, Any]:
            m = self.module
            return {
                "power": m.power,
                "revision": m.identity.revision,
                "cfun": m.cfun,
                "boots": m.boots,
                "port_present": m.port_present,
                "sim": m.sim.state.value,
                "pin_left": m.sim.pin_left,
                "puk_left": m.sim.puk_left,
                "lock": m.sim.lock_enabled,
                "nv": m.nv.snapshot(),
                "stat": m.network.stat,
                "coverage": m.network.coverage,
            }

        return self._run(snapshot)


# the longest request line read; a longer one is refused, not read whole
MAX_REQUEST = 1 << 20


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, ControlServer)
        control = server.control
        while True:
            raw = self.rfile.readline(MAX_REQUEST + 1)
            if not raw:
                return
            if len(raw) > MAX_REQUEST:
                error = f"ValueError: request longer than {MAX_REQUEST} bytes; closing"
                self.wfile.write(json.dumps({"ok": False, "error": error}).encode() + b"\n")
                return  # the rest of that line cannot be told from a next request
            try:
                request = json.loads(raw)
                op, kwargs = request["op"], request.get("args", {})
                if op not in OPERATIONS:
                    raise ValueError(f"unknown operation {op!r}")
                kwargs = {k: _from_wire(v) for k, v in kwargs.items()}
                _SIGNATURES[op].bind(**kwargs)  # names checked before anything runs
                reply = {"ok": True, "result": _to_wire(getattr(control, op)(**kwargs))}
            except Exception as exc:  # the error goes back to the client, the server stays up
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            self.wfile.write(json.dumps(reply).encode() + b"\n")


class ControlServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, control: SimControl, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.control = control
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"tcp://{host}:{port}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class RemoteControl:
    """The same operations as SimControl, over a control server's socket."""

    def __init__(self, address: str, timeout: float = 10.0) -> None:
        host, port = address.removeprefix("tcp://").rsplit(":", 1)
        self._sock = socket.create_connection((host, int(port)), timeout=timeout)
        self._file = self._sock.makefile("rwb")

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in OPERATIONS:
            raise AttributeError(f"{name!r} is not a control-plane operation")
        signature = _SIGNATURES[name]

        def call(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)  # a wrong call fails here, not remotely
            return self._call(name, _keywords(bound))

        return call

    def _call(self, op: str, kwargs: dict[str, Any]) -> Any:
        args = {k: _to_wire(v) for k, v in kwargs.items()}
        self._file.write(json.dumps({"op": op, "args": args}).encode() + b"\n")
        self._file.flush()
        line = self._file.readline()
        if not line:
            raise ConnectionError("control server closed the connection")
        reply = json.loads(line)
        if not reply["ok"]:
            raise RuntimeError(reply["error"])
        return _from_wire(reply["result"])

    def close(self) -> None:
        self._file.close()
        self._sock.close()


def connect(address: str) -> SimControl | RemoteControl:
    """The control plane of a simulated bench: `sim://name...` in this process, `tcp://host:port`
    (or `host:port`) a simulator serving it elsewhere."""
    if address.startswith("sim://"):
        from .instances import module_for_url

        return SimControl(module_for_url(address))
    return RemoteControl(address)


def bench_actions(control: SimControl | RemoteControl) -> dict[str, Callable[..., Any]]:
    """A bench's hands (the actions benches/README.md names), acted out by the control plane:
    for the suites' fixtures and for replaying a bench's recording."""
    return {
        "sim_out": control.remove_sim,
        "sim_in": control.insert_sim,
        "sim_replace": control.replace_sim,
        "rf_off": lambda: control.set_coverage(False),
        "rf_on": lambda: control.set_coverage(True),
        "power_cycle": control.reboot,
        # the home cell at the levels asked for; then the default cell again
        "signal": lambda rsrp, rsrq: control.set_cells([{"rsrp_dbm": rsrp, "rsrq_db": rsrq}]),
        "signal_reset": lambda: control.set_cells([{}]),
        "network_reject": lambda cause: control.deny_registration(cause),
        "network_accept": lambda: control.deny_registration(None),
        # a PLMN that is not the SIM's: the simulated SIM's home is 00101
        "visited_network": lambda: control.set_cells([{"plmn": "00102"}]),
        "home_network": lambda: control.set_cells([{}]),
    }


OPERATIONS: tuple[str, ...] = tuple(
    name for name, fn in vars(SimControl).items() if getattr(fn, "control_operation", False)
)


def _without_self(fn: Callable[..., Any]) -> inspect.Signature:
    signature = inspect.signature(fn)
    return signature.replace(parameters=list(signature.parameters.values())[1:])


# each operation's parameters: the client binds its arguments to them, the server checks names
_SIGNATURES = {name: _without_self(getattr(SimControl, name)) for name in OPERATIONS}


def _keywords(bound: inspect.BoundArguments) -> dict[str, Any]:
    """Bound arguments as keywords, a **values parameter spread out."""
    out: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        if bound.signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        else:
            out[name] = value
    return out


def _to_wire(value: Any) -> Any:
    # JSON has no bytes: they travel as {"hex": ...}
    return {"hex": value.hex()} if isinstance(value, bytes | bytearray) else value


def _from_wire(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"hex"}:
        return bytes.fromhex(value["hex"])
    return value
