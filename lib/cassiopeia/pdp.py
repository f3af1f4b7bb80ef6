"""PDP contexts (guide 1.2.2): +CGDCONT, +CGACT and +CGCONTRDP as the module answers them."""

from __future__ import annotations

from dataclasses import dataclass

from atlink import split_fields, unquote

from .errors import ParseError, body, int_field

__all__ = ["DynamicParams", "PdpContext", "parse_cgact", "parse_cgcontrdp", "parse_cgdcont"]


# ---------------------------------------------------------------- PDP contexts
@dataclass(frozen=True)
class PdpContext:
    cid: int
    pdp_type: str
    apn: str


@dataclass(frozen=True)
class DynamicParams:
    cid: int
    bearer_id: int
    apn: str
    address: str | None
    mask: str | None
    gateway: str | None
    dns_primary: str | None
    dns_secondary: str | None


def parse_cgdcont(lines: list[str]) -> dict[int, PdpContext]:
    out = {}
    for line in lines:
        fields = split_fields(body(line, "+CGDCONT:"))
        if len(fields) < 3:
            raise ParseError("+CGDCONT", line)
        cid = int_field(fields[0], "+CGDCONT", line)
        out[cid] = PdpContext(cid, unquote(fields[1]), unquote(fields[2]))
    return out


def parse_cgact(lines: list[str]) -> dict[int, bool]:
    out = {}
    for line in lines:
        fields = split_fields(body(line, "+CGACT:"))
        if len(fields) != 2 or fields[1] not in ("0", "1"):
            raise ParseError("+CGACT", line)
        out[int_field(fields[0], "+CGACT", line)] = fields[1] == "1"
    return out


def _split_address(value: str, line: str) -> tuple[str | None, str | None]:
    """`a1.a2.a3.a4.m1.m2.m3.m4` (27.007 before +CGPIAF) -> (address, mask); IPv6 has 32 bytes."""
    if not value:
        return None, None
    parts = value.split(".")
    if len(parts) in (8, 32) and all(p.isdigit() and int(p) < 256 for p in parts):
        half = len(parts) // 2
        return ".".join(parts[:half]), ".".join(parts[half:])
    if len(parts) in (4, 16):
        return value, None
    raise ParseError("+CGCONTRDP", line)


def parse_cgcontrdp(lines: list[str]) -> list[DynamicParams]:
    """Both the older 7-field form and newer firmware's trailing fields.

    An empty gateway means point to point.
    """
    out = []
    for line in lines:
        fields = split_fields(body(line, "+CGCONTRDP:")) + [""] * 4
        if not fields[0] or not fields[1]:
            raise ParseError("+CGCONTRDP", line)
        address, mask = _split_address(unquote(fields[3]), line)
        out.append(
            DynamicParams(
                int_field(fields[0], "+CGCONTRDP", line),
                int_field(fields[1], "+CGCONTRDP", line),
                unquote(fields[2]),
                address,
                mask,
                unquote(fields[4]) or None,
                unquote(fields[5]) or None,
                unquote(fields[6]) or None,
            )
        )
    return out
