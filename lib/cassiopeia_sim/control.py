"""The control plane: what a lab does to a bench by hand, done to the simulated module.

`SimControl` acts in process; `ControlServer` serves the same calls as JSON lines
on 127.0.0.1 for a simulator running in another process, and `RemoteControl`
is its client. Only the names in OPERATIONS can be called remotely.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from typing import Any, Optional

from .module import SimulatedModule
from .sim_card import SimCard

__all__ = ["SimControl", "ControlServer", "RemoteControl", "OPERATIONS"]

OPERATIONS = ("remove_sim", "insert_sim", "replace_sim", "reboot", "set_identity", "state", "inject_urc",
              "inject_bytes", "nv", "set_coverage", "set_cells", "deny_registration")


class SimControl:
    def __init__(self, module: SimulatedModule) -> None:
        self.module = module

    def _run(self, fn, *args):
        return self.module.loop.run_sync(fn, *args)

    def remove_sim(self) -> None:
        """Pull the SIM out (the module notices at once: a hot-plug detect line)."""
        self._run(self.module.sim.remove)

    def insert_sim(self) -> None:
        def insert() -> None:
            self.module.sim.insert()
            if self.module.cfun in (1, 4):
                self.module._power_sim()

        self._run(insert)

    def replace_sim(self) -> None:
        """A fresh card with the same codes and lock state (after a test blocked the old one)."""
        def replace() -> None:
            old = self.module.sim
            card = SimCard(self.module, old.pin, old.puk, locked=True)
            card.on_ready = old.on_ready
            self.module.sim = card
            for name, spec in card.specs().items():
                self.module.engine.register(name, spec)
            if self.module.cfun in (1, 4):
                self.module._power_sim()

        self._run(replace)

    def reboot(self) -> None:
        self.module.reset()

    def set_coverage(self, present: bool) -> None:
        """Take the radio coverage away (a shield box) or give it back."""
        self._run(self.module.network.set_coverage, bool(present))

    def set_cells(self, cells: list[dict[str, Any]]) -> None:
        """The cells the module can hear, e.g. [{"plmn": "00101", "rsrp_dbm": -95}]."""
        from .network import Cell

        self._run(lambda: setattr(self.module.network, "cells", [Cell(**c) for c in cells]))

    def deny_registration(self, cause: Optional[int]) -> None:
        """Make the network reject attach with an EMM cause (None: accept again)."""
        self._run(lambda: setattr(self.module.network, "deny_cause", cause))

    def set_identity(self, **values: str) -> None:
        self._run(lambda: self.module.identity.update(**values))

    def inject_urc(self, line: str) -> None:
        self._run(self.module.engine.urc, line)

    def inject_bytes(self, data: bytes | str) -> None:
        raw = data.encode("latin-1") if isinstance(data, str) else data
        self._run(self.module.engine.raw, raw)

    def nv(self) -> dict[str, Any]:
        return self._run(self.module.nv.snapshot)

    def state(self) -> dict[str, Any]:
        def snapshot() -> dict[str, Any]:
            m = self.module
            return {"power": m.power, "cfun": m.cfun, "boots": m.boots, "port_present": m.port_present,
                    "sim": m.sim.state.value, "pin_left": m.sim.pin_left, "puk_left": m.sim.puk_left,
                    "lock": m.sim.lock_enabled, "nv": m.nv.snapshot(), "stat": m.network.stat,
                    "coverage": m.network.coverage}

        return self._run(snapshot)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        control: SimControl = self.server.control  # type: ignore[attr-defined]
        for raw in self.rfile:
            try:
                request = json.loads(raw)
                op, kwargs = request["op"], request.get("args", {})
                if op not in OPERATIONS:
                    raise ValueError(f"unknown operation {op!r}")
                if op == "inject_bytes":
                    kwargs = {"data": bytes.fromhex(kwargs["hex"])}
                reply = {"ok": True, "result": getattr(control, op)(**kwargs)}
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
        host, port = self.server_address[:2]
        return f"tcp://{host}:{port}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class RemoteControl:
    """The same calls as SimControl, over a control server's socket."""

    def __init__(self, address: str, timeout: float = 10.0) -> None:
        host, port = address.removeprefix("tcp://").rsplit(":", 1)
        self._sock = socket.create_connection((host, int(port)), timeout=timeout)
        self._file = self._sock.makefile("rwb")

    def _call(self, op: str, **kwargs: Any) -> Any:
        self._file.write(json.dumps({"op": op, "args": kwargs}).encode() + b"\n")
        self._file.flush()
        line = self._file.readline()
        if not line:
            raise ConnectionError("control server closed the connection")
        reply = json.loads(line)
        if not reply["ok"]:
            raise RuntimeError(reply["error"])
        return reply["result"]

    def remove_sim(self) -> None:
        self._call("remove_sim")

    def insert_sim(self) -> None:
        self._call("insert_sim")

    def replace_sim(self) -> None:
        self._call("replace_sim")

    def reboot(self) -> None:
        self._call("reboot")

    def set_identity(self, **values: str) -> None:
        self._call("set_identity", **values)

    def inject_urc(self, line: str) -> None:
        self._call("inject_urc", line=line)

    def inject_bytes(self, data: bytes) -> None:
        self._call("inject_bytes", hex=data.hex())

    def nv(self) -> dict[str, Any]:
        return self._call("nv")

    def set_coverage(self, present: bool) -> None:
        self._call("set_coverage", present=present)

    def set_cells(self, cells: list[dict[str, Any]]) -> None:
        self._call("set_cells", cells=cells)

    def deny_registration(self, cause: Optional[int]) -> None:
        self._call("deny_registration", cause=cause)

    def state(self) -> dict[str, Any]:
        return self._call("state")

    def close(self) -> None:
        self._file.close()
        self._sock.close()
