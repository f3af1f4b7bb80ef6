"""Mask PINs, PUKs and passwords before any byte is stored, logged or printed.

Masking works on text in both directions, so the module's echo of
`AT+CPIN="0000"` is masked exactly like the command. Which parameters are
secret is fixed by 27.007 syntax:
  +CPIN=<pin>[,<newpin>]                 all parameters
  +CLCK=<fac>,<mode>[,<passwd>[,...]]    the 3rd
  +CPWD=<fac>,<oldpwd>,<newpwd>          the 2nd and 3rd
  +CGAUTH=<cid>,<prot>[,<user>[,<pwd>]]  the 4th (also in the +CGAUTH: read reply)
"""

from __future__ import annotations

import re

__all__ = ["MASK", "mask_secrets"]

MASK = "***"

# parameter positions (0-based) that hold secrets, per command
_SECRET_PARAMS = {"CPIN": None, "CLCK": {2}, "CPWD": {1, 2}, "CGAUTH": {3}}
# A set form anywhere, or the +CGAUTH read reply (which echoes the password back) anywhere:
# a transcript entry may hold several lines, and a line its predecessor's line end.
_SECRET = re.compile(r"\+(CPIN|CLCK|CPWD|CGAUTH)=|\+CGAUTH: ?", re.IGNORECASE)
_CGAUTH_READ_SECRET = {3}


def _mask_params(text: str, start: int, secret: set[int] | None) -> tuple[str, int]:
    """Mask the parameters of one command starting at `start`; returns (text, end)."""
    out: list[str] = []
    index = 0
    param: list[str] = []
    in_quotes = False
    i = start

    def flush() -> None:
        value = "".join(param)
        if value and (secret is None or index in secret):
            quoted = value.startswith('"')
            value = f'"{MASK}"' if quoted else MASK
        out.append(value)

    while i < len(text):
        ch = text[i]
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in ";\r\n":
            break
        elif not in_quotes and ch == ",":
            flush()
            out.append(",")
            index += 1
            param = []
            i += 1
            continue
        param.append(ch)
        i += 1
    flush()
    return "".join(out), i


def mask_secrets(text: str) -> str:
    """Return `text` with every secret parameter replaced by ***.

    `text` is as received or sent: a real line end (not an escaped one) ends the parameters.
    """
    first = _SECRET.search(text)
    if first is None:
        return text
    result: list[str] = []
    pos = 0
    for m in _SECRET.finditer(text, first.start()):
        if m.start() < pos:
            continue
        result.append(text[pos : m.end()])
        secret = _SECRET_PARAMS[m.group(1).upper()] if m.group(1) else _CGAUTH_READ_SECRET
        masked, pos = _mask_params(text, m.end(), secret)
        result.append(masked)
    result.append(text[pos:])
    return "".join(result)
