"""`sim://NAME?profile=fast&pin=0000&puk=42984776`: the simulated module, in process.

Behaves as the module's ACM port does: it cannot be opened while the module is
resetting, it is exclusive, and it vanishes (reads and writes raise) when the
module resets. Reads honour the port timeout; `in_waiting` is exact.

Flow control is that of a port with RTS/CTS: when WINDOW bytes wait unread, the module
is told the host is not reading (RTS); while the module holds its input (CTS), writes
wait, up to `write_timeout`.
"""

from __future__ import annotations

import threading
import time

import serial

from cassiopeia_sim.instances import module_for_url
from cassiopeia_sim.module import PortAbsent, PortBusy


class Serial(serial.SerialBase):
    WINDOW = 256 * 1024  # unread output beyond which the host's RTS goes off

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
        self._rts_off = False
        self._cts = threading.Event()  # set while the module takes the host's bytes
        self._cts.set()
        try:
            self._conn = self.module.connect(self._from_module, self._vanished, self._hold_input)
        except (PortAbsent, PortBusy) as exc:
            raise serial.SerialException(f"{self._port}: {exc}") from exc
        self.is_open = True

    def _from_module(self, data: bytes) -> None:
        with self._cond:
            self._buf += data
            self._cond.notify_all()
            if self._rts_off or len(self._buf) < self.WINDOW:
                return
            self._rts_off = True
        self._rts_changed()

    def _rts_changed(self) -> None:
        """Tell the module, on its loop, whether the host reads. The state is read there, not
        passed: the module's output (loop or line thread) and the host's reads race."""
        loop = self.module.loop
        if not loop.in_loop():
            loop.call_soon(self._rts_changed)
            return
        if not self.is_open or self._gone:
            return  # a new client starts with RTS on
        with self._cond:
            reading = not self._rts_off
        self.module.host_ready(reading)

    def _hold_input(self, hold: bool) -> None:
        if hold:
            self._cts.clear()
        else:
            self._cts.set()

    def _vanished(self) -> None:
        with self._cond:
            self._gone = True
            self._cond.notify_all()
        self._cts.set()  # a write held by CTS finds the port gone

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            if not self._gone:
                self.module.disconnect(self._conn)
            with self._cond:
                self._cond.notify_all()
            self._cts.set()

    def _reconfigure_port(self) -> None:
        pass  # a simulated port has no line settings to apply

    reports_carrier = True  # `cd` costs nothing here: atlink may follow DCD (its port_io.py)

    @property
    def cd(self) -> bool:
        """DCD: the module's carrier (an ACM port's serial-state notification)."""
        return self.module.carrier

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
            rts_on = self._rts_off and len(self._buf) < self.WINDOW // 2
            if rts_on:
                self._rts_off = False
        if rts_on:
            self._rts_changed()
        return data

    def _usable(self) -> None:
        if not self.is_open:
            raise serial.PortNotOpenError()
        if self._gone:
            raise serial.SerialException("the module's port vanished (module reset)")

    def write(self, data: bytes) -> int:
        self._usable()
        # CTS, then room in the module's buffer: both bounded by write_timeout, in pyserial's words
        end = None if self._write_timeout is None else time.monotonic() + self._write_timeout
        if not self._cts.wait(self._write_timeout):
            raise serial.SerialTimeoutException("Write timeout")
        self._usable()  # it may have vanished while CTS held the write
        left = None if end is None else max(0.0, end - time.monotonic())
        if not self.module.receive(self._conn, bytes(data), left):
            raise serial.SerialTimeoutException("Write timeout")
        self._usable()
        return len(data)

    def reset_input_buffer(self) -> None:
        with self._cond:
            self._buf.clear()
            rts_on, self._rts_off = self._rts_off, False
        if rts_on:
            self._rts_changed()

    def reset_output_buffer(self) -> None:
        pass
