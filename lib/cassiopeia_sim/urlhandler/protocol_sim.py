"""`sim://NAME?profile=fast&pin=0000&puk=42984776`: the simulated module, in process.

Behaves as the module's ACM port does: it cannot be opened while the module is
resetting, it is exclusive, and it vanishes (reads and writes raise) when the
module resets. Reads honour the port timeout; `in_waiting` is exact.
"""

from __future__ import annotations

import threading
import time

import serial

from cassiopeia_sim.instances import module_for_url
from cassiopeia_sim.module import PortAbsent, PortBusy


class Serial(serial.SerialBase):
    def open(self) -> None:
        if self._port is None:
            raise serial.SerialException("a sim:// URL is needed")
        try:
            self.module = module_for_url(self._port)
        except ValueError as exc:
            raise serial.SerialException(f"{self._port}: {exc}") from exc
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._gone = False
        try:
            self._conn = self.module.connect(self._from_module, self._vanished)
        except (PortAbsent, PortBusy) as exc:
            raise serial.SerialException(f"{self._port}: {exc}") from exc
        self.is_open = True

    def _from_module(self, data: bytes) -> None:
        with self._cond:
            self._buf += data
            self._cond.notify_all()

    def _vanished(self) -> None:
        with self._cond:
            self._gone = True
            self._cond.notify_all()

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            if not self._gone:
                self.module.disconnect(self._conn)
            with self._cond:
                self._cond.notify_all()

    def _reconfigure_port(self) -> None:
        pass  # a simulated port has no line settings to apply

    @property
    def in_waiting(self) -> int:
        return len(self._buf)

    def read(self, size: int = 1) -> bytes:
        end = None if self._timeout is None else time.monotonic() + self._timeout
        with self._cond:
            while not self._buf:
                if self._gone:
                    raise serial.SerialException("the module's port vanished (module reset)")
                if not self.is_open:
                    raise serial.PortNotOpenError()
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return b""
                self._cond.wait(left)
            data = bytes(self._buf[:size])
            del self._buf[:size]
            return data

    def write(self, data: bytes) -> int:
        if not self.is_open:
            raise serial.PortNotOpenError()
        if self._gone:
            raise serial.SerialException("the module's port vanished (module reset)")
        self.module.receive(self._conn, bytes(data))
        return len(data)

    def reset_input_buffer(self) -> None:
        with self._cond:
            self._buf.clear()

    def reset_output_buffer(self) -> None:
        pass
