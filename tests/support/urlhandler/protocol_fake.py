"""`fake://NAME?chunk=N`: an in-process pyserial port onto a registered Script.

Reads hand out at most N bytes at a time, so every client test also runs with
input split at arbitrary byte boundaries (Zephyr's modem_backend_mock idea).
"""

from __future__ import annotations

import threading
import time
import urllib.parse

import serial

DEVICES: dict[str, object] = {}


class Serial(serial.SerialBase):
    def open(self) -> None:
        parts = urllib.parse.urlsplit(self._port)
        query = urllib.parse.parse_qs(parts.query)
        self._chunk = int(query.get("chunk", ["4096"])[0])
        script = DEVICES.get(parts.netloc)
        if script is None:
            raise serial.SerialException(f"no fake device {parts.netloc!r}")
        self._script = script
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._gone = False
        script.output = self._from_device
        script.vanish = self._vanish
        self.is_open = True

    def _from_device(self, data: bytes) -> None:
        with self._cond:
            self._buf += data
            self._cond.notify_all()

    def _vanish(self) -> None:
        with self._cond:
            self._gone = True
            self._cond.notify_all()

    def close(self) -> None:
        self.is_open = False
        with self._cond:
            self._cond.notify_all()

    def _reconfigure_port(self) -> None:
        pass

    reports_carrier = True

    @property
    def cd(self) -> bool:
        """DCD as the script sets it (Script.carrier); a script that does not has no DCD line."""
        carrier = getattr(self._script, "carrier", None)
        if carrier is None:
            raise OSError("no DCD line")
        return carrier

    @property
    def in_waiting(self) -> int:
        return min(len(self._buf), self._chunk)

    def read(self, size: int = 1) -> bytes:
        end = time.monotonic() + (self._timeout if self._timeout is not None else 1e9)
        with self._cond:
            while not self._buf:
                if self._gone:
                    raise serial.SerialException("device vanished")
                if not self.is_open:
                    raise serial.PortNotOpenError()
                left = end - time.monotonic()
                if left <= 0:
                    return b""
                self._cond.wait(left)
            n = min(size, self._chunk, len(self._buf))
            data = bytes(self._buf[:n])
            del self._buf[:n]
            return data

    def write(self, data: bytes) -> int:
        if self._gone:
            raise serial.SerialException("device vanished")
        self._script.feed(bytes(data))
        return len(data)

    def reset_input_buffer(self) -> None:
        with self._cond:
            self._buf.clear()

    def reset_output_buffer(self) -> None:
        pass
