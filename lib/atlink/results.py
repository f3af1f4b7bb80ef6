r"""Final result codes (V.250, 27.007, 27.005) and the typed errors they raise.

Classification matches whole lines, never substrings: `OKAY` is not OK. Error
finals are read the tolerant way ModemManager does (`\+CME ERROR:\s*`): `+CME
ERROR:10` is one, a bare `+CME ERROR:` with nothing after it is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from .masking import mask_secrets

__all__ = [
    "CME_ERRORS",
    "AtError",
    "AtTimeout",
    "CallError",
    "ChannelClosed",
    "CmeError",
    "CmsError",
    "CommandError",
    "Final",
    "FinalKind",
    "OnlineClosed",
    "PortLost",
    "classify_final",
    "cme_code_for",
]


class FinalKind(Enum):
    OK = "OK"
    CONNECT = "CONNECT"
    ERROR = "ERROR"
    CME_ERROR = "+CME ERROR"
    CMS_ERROR = "+CMS ERROR"
    NO_CARRIER = "NO CARRIER"
    BUSY = "BUSY"
    NO_ANSWER = "NO ANSWER"
    NO_DIALTONE = "NO DIALTONE"

    @property
    def success(self) -> bool:
        return self in (FinalKind.OK, FinalKind.CONNECT)


class Final(NamedTuple):
    kind: FinalKind
    line: str
    text: str = ""  # CONNECT text, or the +CME/+CMS error argument as received


# V.250 numeric result codes (ATV0).
_NUMERIC = {
    "0": FinalKind.OK,
    "1": FinalKind.CONNECT,
    "3": FinalKind.NO_CARRIER,
    "4": FinalKind.ERROR,
    "6": FinalKind.NO_DIALTONE,
    "7": FinalKind.BUSY,
    "8": FinalKind.NO_ANSWER,
}
_PLAIN = {
    k.value: k
    for k in (
        FinalKind.OK,
        FinalKind.ERROR,
        FinalKind.NO_CARRIER,
        FinalKind.BUSY,
        FinalKind.NO_ANSWER,
        FinalKind.NO_DIALTONE,
    )
}
_CONNECT = re.compile(r"^CONNECT(?: (.*))?$")
_CMX = re.compile(r"^\+(CME|CMS) ERROR: ?(.*)$")


def classify_final(line: str, numeric: bool = False) -> Final | None:
    """The final result this line is, or None for information text or a URC."""
    kind = _PLAIN.get(line)
    if kind:
        return Final(kind, line)
    # the cheap test first: most lines are text
    m = _CONNECT.match(line) if line[:7] == "CONNECT" else None
    if m:
        return Final(FinalKind.CONNECT, line, m.group(1) or "")
    m = _CMX.match(line) if line[:4] in ("+CME", "+CMS") else None
    # tolerant as ModemManager (\+CME ERROR:\s*): `+CME ERROR:10` is a final; a bare
    # `+CME ERROR:` with nothing after it is not
    if m and (line[11:12] == " " or m.group(2)):
        kind = FinalKind.CME_ERROR if m.group(1) == "CME" else FinalKind.CMS_ERROR
        return Final(kind, line, m.group(2).strip())
    if numeric and line in _NUMERIC:
        return Final(_NUMERIC[line], line)
    return None


# 3GPP TS 27.007 section 9.2: numeric <-> verbose, so that CMEE=1 and CMEE=2 raise the
# same typed error. Vendor codes are added by the layer that knows the vendor.
CME_ERRORS: dict[int, str] = {
    0: "phone failure",
    1: "no connection to phone",
    2: "phone adaptor link reserved",
    3: "operation not allowed",
    4: "operation not supported",
    5: "PH-SIM PIN required",
    6: "PH-FSIM PIN required",
    7: "PH-FSIM PUK required",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    15: "SIM wrong",
    16: "incorrect password",
    17: "SIM PIN2 required",
    18: "SIM PUK2 required",
    20: "memory full",
    21: "invalid index",
    22: "not found",
    23: "memory failure",
    24: "text string too long",
    25: "invalid characters in text string",
    26: "dial string too long",
    27: "invalid characters in dial string",
    30: "no network service",
    31: "network timeout",
    32: "network not allowed - emergency calls only",
    40: "network personalization PIN required",
    41: "network personalization PUK required",
    42: "network subset personalization PIN required",
    43: "network subset personalization PUK required",
    44: "service provider personalization PIN required",
    45: "service provider personalization PUK required",
    46: "corporate personalization PIN required",
    47: "corporate personalization PUK required",
    48: "hidden key required",
    49: "EAP method not supported",
    50: "Incorrect parameters",
    51: "command implemented but currently disabled",
    52: "command aborted by user",
    53: "not attached to network due to MT functionality restrictions",
    54: "modem not allowed - MT restricted to emergency calls only",
    55: "operation not allowed because of MT functionality restrictions",
    56: "fixed dial number only allowed - called number is not a fixed dial number",
    57: "temporarily out of service due to other MT usage",
    58: "language/alphabet not supported",
    59: "unexpected data value",
    60: "system failure",
    61: "data missing",
    62: "call barred",
    63: "message waiting indication subscription failure",
    100: "unknown",
    103: "Illegal MS",
    106: "Illegal ME",
    107: "GPRS services not allowed",
    111: "PLMN not allowed",
    112: "Location area not allowed",
    113: "Roaming not allowed in this location area",
    126: "insufficient resources",
    127: "missing or unknown APN",
    129: "user authentication failed",
    132: "service option not supported",
    133: "requested service option not subscribed",
    134: "service option temporarily out of order",
    148: "unspecified GPRS error",
    149: "PDP authentication failure",
    150: "invalid mobile class",
    171: "Last PDN disconnection not allowed",
}
_VERBOSE_TO_CODE = {text.lower(): code for code, text in CME_ERRORS.items()}


def cme_code_for(text: str) -> int | None:
    """Numeric code of a +CME ERROR argument given as a number or as 27.007 text."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    return _VERBOSE_TO_CODE.get(text.lower())


# ---------------------------------------------------------------- errors


class AtError(Exception):
    """Base of everything the channel raises."""


@dataclass
class CommandError(AtError):
    """The module answered with a failure final result."""

    command: str
    final: Final
    lines: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.command!r} failed: {self.final.line}"

    @property
    def code(self) -> int | None:
        return None


@dataclass
class CmeError(CommandError):
    @property
    def code(self) -> int | None:
        return cme_code_for(self.final.text)

    @property
    def text(self) -> str:
        if self.final.text.isdigit():
            return CME_ERRORS.get(int(self.final.text), self.final.text)
        return self.final.text


@dataclass
class CmsError(CommandError):
    @property
    def code(self) -> int | None:
        return int(self.final.text) if self.final.text.isdigit() else None


@dataclass
class CallError(CommandError):
    """NO CARRIER, BUSY, NO ANSWER or NO DIALTONE."""


def error_for(command: str, final: Final, lines: list[str]) -> CommandError:
    """The typed error of a failed command. Its text is masked: it reaches reports and logs."""
    command, lines = mask_secrets(command), [mask_secrets(line) for line in lines]
    if final.kind is FinalKind.CME_ERROR:
        return CmeError(command, final, lines)
    if final.kind is FinalKind.CMS_ERROR:
        return CmsError(command, final, lines)
    if final.kind is FinalKind.ERROR:
        return CommandError(command, final, lines)
    return CallError(command, final, lines)


class AtTimeout(AtError):
    """No final result in time. Carries what did arrive and the transcript tail."""

    def __init__(self, command: str, timeout: float, lines: list[str], tail: str) -> None:
        # masked here: the text reaches reports and logs, the attributes tracebacks
        command, lines, tail = mask_secrets(command), [mask_secrets(x) for x in lines], tail
        self.command, self.timeout, self.lines, self.tail = command, timeout, lines, tail
        got = "\n    ".join(lines) if lines else "(nothing)"
        super().__init__(
            f"{command!r}: no final result within {timeout:.1f} s\n  received:\n    {got}\n"
            f"  last bytes on the wire:\n{tail}"
        )


class PortLost(AtError):
    """The port vanished (USB re-enumeration, cable, remote server gone)."""


class ChannelClosed(AtError):
    """The channel was closed by its owner."""


class OnlineClosed(AtError):
    """Online data mode ended (NO CARRIER) or was never entered."""
