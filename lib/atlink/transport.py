"""Open a pyserial URL: the only place atlink touches pyserial's constructors.

Packages can add URL schemes (pyserial's `protocol_<scheme>` modules) by declaring an
entry point in the group `atlink.url_handlers` whose value is the package name; the
simulator registers `sim://` that way, so atlink never imports it.
"""

from __future__ import annotations

import importlib.metadata

import serial

__all__ = ["open_port", "register_url_handlers", "url_scheme"]

_ENTRY_POINT_GROUP = "atlink.url_handlers"
# a port that takes no bytes for this long is stuck (flow control never released)
WRITE_TIMEOUT = 10.0
# pyserial's rfc2217 client refuses write_timeout; its socket writes are bounded by TCP itself
_NO_WRITE_TIMEOUT = {"rfc2217"}


def register_url_handlers() -> None:
    for ep in importlib.metadata.entry_points(group=_ENTRY_POINT_GROUP):
        if ep.value not in serial.protocol_handler_packages:
            serial.protocol_handler_packages.append(ep.value)


def url_scheme(url: str) -> str:
    """`sim://x` -> `sim`; a device path -> `` (empty)."""
    return url.split("://", 1)[0].lower() if "://" in url else ""


def open_port(url: str, baudrate: int = 115200, read_timeout: float = 0.05) -> serial.SerialBase:
    """Open `url`; a local device is opened exclusively (keeps ModemManager and others off it)."""
    register_url_handlers()
    kwargs: dict = {"baudrate": baudrate, "timeout": read_timeout}
    scheme = url_scheme(url)
    if scheme not in _NO_WRITE_TIMEOUT:
        kwargs["write_timeout"] = WRITE_TIMEOUT
    if not scheme:
        kwargs["exclusive"] = True
    return serial.serial_for_url(url, **kwargs)
