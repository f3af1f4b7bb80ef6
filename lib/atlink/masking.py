"""Mask PINs, PUKs and passwords before any byte is stored, logged or printed.

Masking works on text in both directions, so the module's echo of
`AT+CPIN="0000"` is masked exactly like the command. Which parameters are
secret is fixed by 27.007 syntax:
  +CPIN=<pin>[,<newpin>]                 all parameters
  +CLCK=<fac>,<mode>[,<passwd>[,...]]    the 3rd
  +CPWD=<fac>,<oldpwd>,<newpwd>          the 2nd and 3rd
  +CGAUTH=<cid>,<prot>[,<user>[,<pwd>]]  the 4th (also in the +CGAUTH: read reply)
Spaces V.250 ignores (`AT + CPIN = "1234"`) do not hide a command from masking.

URLs carry secrets too: the password of their userinfo (`ftp://user:***@host/`) and
the values of query parameters named like secrets (`sim://b?pin=***&puk=***`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["MASK", "mask_secrets", "mask_url"]

MASK = "***"

# parameter positions (0-based) that hold secrets, per command
_SECRET_PARAMS = {"CPIN": None, "CLCK": {2}, "CPWD": {1, 2}, "CGAUTH": {3}}
# A set form anywhere, or the +CGAUTH read reply (which echoes the password back) anywhere:
# a transcript entry may hold several lines, and a line its predecessor's line end.
_SECRET = re.compile(r"\+\s*(CPIN|CLCK|CPWD|CGAUTH)\s*=|\+\s*CGAUTH\s*:\s*", re.IGNORECASE)
_CGAUTH_READ_SECRET = {3}


Label = Callable[[str], str]  # a secret's value -> what stands for it (MASK, or MASK + a role)


def _mask_params(
    text: str, start: int, secret: set[int] | None, label: Label | None
) -> tuple[str, int]:
    """Mask the parameters of one command starting at `start`; returns (text, end)."""
    out: list[str] = []
    index = 0
    param: list[str] = []
    in_quotes = False
    i = start

    def flush() -> None:
        value = "".join(param)
        core = value.strip()
        if core and (secret is None or index in secret):
            mask = label(core.strip('"')) if label is not None else MASK
            masked = f'"{mask}"' if core.startswith('"') else mask
            value = value[: value.index(core)] + masked + value[value.index(core) + len(core) :]
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


# userinfo's password: scheme://user:PASSWORD@ (user names stay: they tell who logged in)
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^/@\s:\"']*:)([^/@\s\"']*)(@)", re.IGNORECASE)
# query parameters named like secrets: ?pin=..&puk=..&password=..
_URL_PARAM = re.compile(
    r"([?&;](?:pin|puk|pin2|puk2|pass|passwd|password|pwd|secret|token|key)=)([^&#;\s\"']*)",
    re.IGNORECASE,
)


def mask_url(text: str) -> str:
    """`text` with the secrets of every URL in it masked (userinfo passwords, secret params)."""
    if "://" not in text:
        return text
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    return _URL_PARAM.sub(lambda m: m.group(1) + MASK if m.group(2) else m.group(0), text)


def mask_secrets(text: str, label: Label | None = None) -> str:
    """Return `text` with every secret parameter replaced by ***, and the URLs in it masked.

    `text` is as received or sent: a real line end (not an escaped one) ends the parameters.
    `label` may name a secret's role instead (`***(PIN)`: the bench's PIN, whatever it is), so
    a recording can be replayed with another SIM's codes; it must never return the value.
    """
    if "://" in text:
        text = mask_url(text)
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
        masked, pos = _mask_params(text, m.end(), secret, label)
        result.append(masked)
    result.append(text[pos:])
    return "".join(result)
