"""A timestamped record of every byte in and out of a channel, secrets masked.

Entries are kept in a bounded ring (memory stays flat in a soak) and also go to
the `atlink.wire` logger, so pytest's captured logs carry them with no extra work.
Readers slice by sequence number: `mark = t.mark(); ...; t.since(mark)`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import NamedTuple

from .masking import mask_secrets

__all__ = ["EVENT", "RX", "TX", "URC", "Entry", "Transcript", "escape_bytes", "escape_text"]

TX, RX, URC, EVENT = ">>", "<<", "<~", "--"
_BULK_SHOWN = 96  # bytes of a long data/payload block written out; the rest is counted

log = logging.getLogger("atlink.wire")


_ESCAPES = {b: f"\\x{b:02x}" for b in range(256) if not 0x20 <= b < 0x7F}
_ESCAPES.update({0x0D: "\\r", 0x0A: "\\n", 0x5C: "\\\\"})
_TABLE = str.maketrans({chr(b): text for b, text in _ESCAPES.items()})
_PLAIN = re.compile(r"[\x20-\x5b\x5d-\x7e\r\n]*")  # the characters of nearly every AT line


def escape_text(text: str) -> str:
    """Bytes decoded as latin-1 -> printable ASCII as is, everything else as an escape."""
    if _PLAIN.fullmatch(text):  # a plain line: two replaces beat a per-character translate
        return text.replace("\r", "\\r").replace("\n", "\\n")
    return text.translate(_TABLE)


def escape_bytes(data: bytes) -> str:
    """Printable ASCII as is, everything else as an escape; line ends stay visible."""
    return escape_text(data.decode("latin-1"))


class Entry(NamedTuple):
    """One record. Bytes are masked when recorded, and escaped only when someone reads them."""

    seq: int
    monotonic: float
    wall: float
    direction: str
    size: int  # bytes on the wire (0 for events)
    masked: str  # bytes as latin-1 text with secrets masked, or an event's text
    suffix: str = ""  # how much of a long block was left out
    is_bytes: bool = True

    @property
    def text(self) -> str:
        """Masked and escaped (an event's text as it is)."""
        return escape_text(self.masked) + self.suffix if self.is_bytes else self.masked

    def render(self, origin: float | None = None) -> str:
        stamp = (
            time.strftime("%H:%M:%S", time.localtime(self.wall))
            + f".{int(self.wall * 1e6) % 1000000:06d}"
        )
        rel = f" +{self.monotonic - origin:9.3f}s" if origin is not None else ""
        return f"{stamp}{rel} {self.direction} {self.text}"


class Transcript:
    def __init__(self, capacity: int = 50_000) -> None:
        self._entries: deque[Entry] = deque(maxlen=capacity)
        self._seq = 0
        self._lock = threading.Lock()
        # replaced, never mutated: no copy per record
        self._listeners: tuple[Callable[[Entry], None], ...] = ()

    def add_listener(self, listener: Callable[[Entry], None]) -> None:
        self._listeners += (listener,)

    def remove_listener(self, listener: Callable[[Entry], None]) -> None:
        if listener in self._listeners:
            listeners = list(self._listeners)
            listeners.remove(listener)
            self._listeners = tuple(listeners)

    def record(self, direction: str, data: bytes | str, bulk: bool = False) -> Entry:
        """Record bytes (or an event text). `bulk` data is shortened for readability."""
        with self._lock:
            self._seq += 1
            if isinstance(data, str):  # an event: masked too (it may quote a command or a URL)
                size, text, suffix = 0, data, ""
            elif bulk and len(data) > _BULK_SHOWN:
                size, text = len(data), data[:_BULK_SHOWN].decode("latin-1")
                suffix = f" ... ({len(data)} bytes)"
            else:
                size, text, suffix = len(data), data.decode("latin-1"), ""
            entry = Entry(
                self._seq,
                time.monotonic(),
                time.time(),
                direction,
                size,
                mask_secrets(text),
                suffix,
                not isinstance(data, str),
            )
            self._entries.append(entry)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", direction, entry.text)
        for listener in self._listeners:
            listener(entry)
        return entry

    def event(self, text: str) -> Entry:
        return self.record(EVENT, text)

    @property
    def capacity(self) -> int:
        """Entries kept: older ones are dropped (memory stays flat in a soak)."""
        return self._entries.maxlen or 0

    def mark(self) -> int:
        return self._seq

    def since(self, mark: int = 0) -> list[Entry]:
        with self._lock:
            return [e for e in self._entries if e.seq > mark]

    def render(self, entries: Iterable[Entry] | None = None) -> str:
        entries = list(self._entries if entries is None else entries)
        origin = entries[0].monotonic if entries else None
        return "\n".join(e.render(origin) for e in entries)

    def tail(self, count: int = 12) -> str:
        with self._lock:
            entries = list(self._entries)[-count:]
        return "\n".join("    " + e.render() for e in entries)
