"""Online mode's escape (V.250 6.2.6, guide figure 3-1): `+++` framed by guard silence.

Knows nothing of sockets: it is given the guard time (S12), where data goes, what an escape
does, and the module's timer.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["EscapeDetector"]


class EscapeDetector:
    """`+++` is an escape only with S12 guard silence before and after (V.250 / guide figure 3-1).

    Bytes are forwarded to the peer at once, except up to three `+` that follow a
    silence: those wait until the silence after them decides what they were.
    """

    def __init__(
        self,
        guard: Callable[[], float],
        to_peer: Callable[[bytes], None],
        escaped: Callable[[], None],
        after: Callable[..., object],
    ) -> None:
        self._guard, self._to_peer, self._escaped, self._after = guard, to_peer, escaped, after
        self.reset()

    def reset(self) -> None:
        self.last = time.monotonic()
        self.held = 0
        self.generation = 0

    @property
    def guard(self) -> float:
        return self._guard()

    def feed(self, data: bytes) -> None:
        now = time.monotonic()
        if not self.held and (data[:1] != b"+" or now - self.last < self.guard):
            # Only a chunk that opens with "+" after silence can hold an escape: the rest is data.
            self.last = now
            self.generation += 1
            self._to_peer(data)
            return
        out = bytearray()
        for b in data:
            if b == 0x2B and self.held < 3 and (self.held or now - self.last >= self.guard):
                self.held += 1
                continue
            if self.held:
                out += b"+" * self.held
                self.held = 0
            out.append(b)
            self.last = now
        self.generation += 1
        if out:
            self._to_peer(bytes(out))
        if self.held:
            self._after(self.guard, self._check, self.generation)

    def _check(self, generation: int) -> None:
        """Guard time passed with nothing after the pluses: three are the escape, fewer are data."""
        if generation != self.generation or not self.held:
            return
        held, self.held = self.held, 0
        self.last = time.monotonic()
        if held == 3:
            self._escaped()
        else:
            self._to_peer(b"+" * held)
