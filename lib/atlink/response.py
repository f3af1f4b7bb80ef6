"""What a command gives back: its Response, and the ExchangeRecord observers are told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .masking import Label, mask_secrets
from .results import Final, PortLost

if TYPE_CHECKING:
    from .exchange import Exchange

__all__ = ["ExchangeRecord", "Response"]


@dataclass
class Response:
    command: str
    lines: list[str]
    final: Final
    payload: bytes | None = None
    sent_at: float = 0.0
    finished_at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.final.kind.success

    @property
    def elapsed(self) -> float:
        return self.finished_at - self.sent_at

    def text(self) -> str:
        """The information text as one string (bare replies such as an IMEI)."""
        return "\n".join(self.lines)

    def with_prefix(self, prefix: str) -> list[str]:
        """Information lines starting with `prefix`, prefix and leading spaces removed."""
        return [ln[len(prefix) :].strip() for ln in self.lines if ln.startswith(prefix)]

    def one(self, prefix: str) -> str:
        found = self.with_prefix(prefix)
        if len(found) != 1:
            raise ValueError(f"{self.command!r}: expected one {prefix!r} line, got {self.lines!r}")
        return found[0]


@dataclass(frozen=True)
class ExchangeRecord:
    """One command as observers see it: secrets masked, outcome and timing."""

    command: str
    lines: tuple[str, ...]
    outcome: str  # the final result line, or "TIMEOUT" / "PORT LOST" / "CLOSED"
    sent_at: float
    finished_at: float
    prompted: bool | None = None  # for a command that sends a payload: did the prompt come
    sent_bytes: int = 0  # payload written after the prompt
    received_bytes: int = 0  # counted payload read after a header such as +SQNSRECV

    @property
    def elapsed(self) -> float:
        return self.finished_at - self.sent_at

    @classmethod
    def of(
        cls,
        ex: Exchange,
        sent_at: float,
        finished_at: float,
        sent_bytes: int = 0,
        label: Label | None = None,
    ) -> ExchangeRecord:
        if ex.final is not None:
            outcome = ex.final.line
        elif isinstance(ex.error, PortLost):
            outcome = "PORT LOST"
        elif ex.error is not None:
            outcome = "CLOSED"
        else:
            outcome = "TIMEOUT"
        lines = tuple(mask_secrets(ln, label) for ln in ex.lines)
        return cls(
            mask_secrets(ex.command, label),
            lines,
            outcome,
            sent_at,
            finished_at,
            ex.prompted if ex.wants_prompt else None,
            sent_bytes if ex.prompted else 0,
            len(ex.payload or b""),
        )
