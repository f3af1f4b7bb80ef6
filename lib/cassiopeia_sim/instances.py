"""Simulated modules by name, so that reopening `sim://NAME` finds the same module.

A module outlives its port: closing and reopening the port (a reconnect after a
reboot) must not reset the SIM counters or the NV settings.
"""

from __future__ import annotations

import threading
import urllib.parse
from typing import Any

from .module import SimulatedModule
from .profiles import PROFILES

__all__ = ["discard", "get", "module_for_url", "params_from_query"]

_MODULES: dict[str, SimulatedModule] = {}
_LOCK = threading.Lock()
_BOOL = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def params_from_query(query: str) -> dict[str, Any]:
    """`profile=fast&pin=1234&locked=0` -> SimulatedModule keyword arguments."""
    params: dict[str, Any] = {}
    for key, values in urllib.parse.parse_qs(query, keep_blank_values=True).items():
        value = values[-1]
        if key == "profile" and value not in PROFILES:
            raise ValueError(f"profile={value!r}: expected one of {', '.join(sorted(PROFILES))}")
        if key in ("profile", "pin", "puk"):
            params[key] = value
        elif key in ("locked", "sim", "usb"):
            if value.lower() not in _BOOL:
                raise ValueError(f"{key}={value!r}: expected 0 or 1")
            params[{"locked": "sim_locked", "sim": "sim_present", "usb": "usb"}[key]] = _BOOL[
                value.lower()
            ]
        elif key == "baud":
            if not value.isdigit() or int(value) == 0:
                raise ValueError(f"baud={value!r}: expected a line rate such as 115200")
            params["baud"] = int(value)
        elif key == "local":
            params["local_hosts"] = [h for h in value.split(",") if h]
        elif key in ("imei", "imsi", "iccid", "model", "revision", "msisdn", "manufacturer"):
            params.setdefault("identity", {})[key] = value
        else:
            raise ValueError(f"unknown sim:// parameter {key!r}")
    return params


def module_for_url(url: str) -> SimulatedModule:
    """`sim://bench1?profile=fast` -> the module named bench1, created on first use."""
    parts = urllib.parse.urlsplit(url)
    name = parts.netloc or "default"
    params = params_from_query(parts.query)
    with _LOCK:
        module = _MODULES.get(name)
        if module is None:
            module = _MODULES[name] = SimulatedModule(**params)
        return module


def get(name: str) -> SimulatedModule:
    return _MODULES[name]


def discard(name: str) -> None:
    with _LOCK:
        module = _MODULES.pop(name, None)
    if module is not None:
        module.shutdown()
