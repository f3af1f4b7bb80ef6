"""The router on its own, byte by byte through a Framer: the cases AT stacks get wrong.

Each test plays what a misbehaving (or merely real) module sends, in whatever chunks, and reads
back what the router made of it: the answer's lines and final, the URCs, the late lines.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlink import FinalKind, Framer, UrcTable
from atlink.exchange import Exchange, Route, Router
from atlink.framing import MAX_LINE
from cassiopeia import cassiopeia_urc_table


@dataclass
class Wire:
    """A framer and a router, fed as a channel feeds them."""

    table: UrcTable = field(default_factory=cassiopeia_urc_table)
    framer: Framer = field(default_factory=Framer)
    router: Router = field(init=False)
    routes: list[tuple[Route, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.router = Router(self.table)

    def feed(self, data: bytes, chunk: int = 4096) -> None:
        for i in range(0, len(data), chunk):
            for token in self.framer.feed(data[i : i + chunk]):
                self.routes.append((self.router.route(token), token.data))

    def send(self, command: str) -> Exchange:
        ex = Exchange(command)
        self.framer.numeric = self.router.begin(ex)
        self.router.written(ex, self.framer.partial)
        return ex

    def finish(self, ex: Exchange, timed_out: bool = False) -> None:
        self.router.end(ex, timed_out)
        self.framer.numeric = self.router.numeric

    def of(self, *kinds: Route) -> list[str]:
        return [data.decode("latin-1") for route, data in self.routes if route in kinds]


@pytest.mark.parametrize("chunk", [1, 3, 4096])
def test_lines_after_the_final_in_the_same_read_are_not_the_answer(chunk):
    """Issue 15 case 1: after the final, a line is a URC or a late line, never the answer."""
    wire = Wire()
    ex = wire.send("AT+CGMR")
    wire.feed(b"\r\nUE8.0.5.3\r\n\r\nOK\r\n\r\n+CEREG: 5\r\n\r\nERROR\r\n", chunk)
    assert ex.lines == ["UE8.0.5.3"] and ex.final.kind is FinalKind.OK
    assert wire.of(Route.URC) == ["+CEREG: 5", "ERROR"]  # the ERROR does not overwrite the OK


@pytest.mark.parametrize(
    ("line", "route"),
    [
        ("+CEREG: 2,1,0001,01A2D001,7", Route.ANSWER),  # <n> first: the read reply
        ('+CEREG: 2,1,"0001","01A2D001",7', Route.ANSWER),
        ("+CEREG: 0,1", Route.ANSWER),
        ("+CEREG: 1,0001,01A2D001,7", Route.URC),  # the guide's URC: no <n>
        ("+CEREG: 5", Route.URC),
    ],
)
def test_a_cereg_line_during_its_read_is_told_by_its_field_count(line, route):
    """Issue 15 case 2 (27.007 10.1.22; the rule is in lib/cassiopeia/urcs.py)."""
    wire = Wire()
    ex = wire.send("AT+CEREG?")
    wire.feed(f"\r\n{line}\r\n\r\nOK\r\n".encode())
    assert wire.routes[0][0] is route and ex.final.kind is FinalKind.OK


def test_progress_during_the_upgrade_read_is_a_urc_after_its_one_reply_line():
    """Reference 5.1: AT+SQNSUPGRADE? answers one state line; the running download's progress
    URCs have the same shape, so the first such line is the reply and the rest are URCs."""
    wire = Wire()
    ex = wire.send("AT+SQNSUPGRADE?")
    wire.feed(
        b'\r\n+SQNSUPGRADE: "downloading",10\r\n\r\n+SQNSUPGRADE: "downloading",20\r\n'
        b'\r\n+SQNSUPGRADE: "downloading",30\r\n\r\nOK\r\n'
    )
    assert ex.lines == ['+SQNSUPGRADE: "downloading",10'] and ex.final.kind is FinalKind.OK
    assert wire.of(Route.URC) == [
        '+SQNSUPGRADE: "downloading",20',
        '+SQNSUPGRADE: "downloading",30',
    ]


def test_noise_that_began_before_the_command_is_not_its_answer():
    """Issue 15 case 3: bytes with no line end received before the command was written."""
    wire = Wire()
    wire.feed(b"\xff\xfe\x00\xf0")
    ex = wire.send("AT+CGSN")
    wire.feed(b"\r\n356938035643809\r\n\r\nOK\r\n")
    assert ex.lines == ["356938035643809"] and ex.final.kind is FinalKind.OK
    assert wire.of(Route.URC) == ["\xff\xfe\x00\xf0"]


def test_a_line_past_max_line_is_never_a_line_of_the_answer():
    """Issue 15 case 4."""
    wire = Wire()
    ex = wire.send("AT+CGSN")
    wire.feed(b"\r\n" + b"9" * (MAX_LINE + 10) + b"\r\n\r\nOK\r\n", 1000)
    assert ex.lines == [] and ex.final.kind is FinalKind.OK
    assert sum(len(d) for r, d in wire.routes if r is Route.OVERFLOW) == MAX_LINE + 10


@pytest.mark.parametrize("final", [b"+CME ERROR:10", b"+CME ERROR: 10", b"+CME ERROR:  10"])
def test_a_cme_error_is_a_final_however_it_is_spaced(final):
    """Issue 15 case 5: the tolerant form (ModemManager: `\\+CME ERROR:\\s*`)."""
    wire = Wire()
    ex = wire.send("AT+CPIN?")
    wire.feed(b"\r\n" + final + b"\r\n")
    assert ex.final is not None and ex.final.kind is FinalKind.CME_ERROR and ex.final.text == "10"


def test_a_read_reply_after_its_command_timed_out_is_late_not_a_urc():
    """Issue 15 case 6: the owed command's reply, then its final, are late lines."""
    wire = Wire()
    slow = wire.send("AT+CEREG?")
    wire.finish(slow, timed_out=True)
    wire.feed(b"\r\n+CEREG: 2,1,0001,01A2D001,7\r\n\r\nOK\r\n")
    assert [r for r, _ in wire.routes] == [Route.LATE, Route.LATE_FINAL]
    assert not wire.router.owed
    ex = wire.send("AT")  # the next command gets its own OK, not the late one
    wire.feed(b"\r\nOK\r\n")
    assert ex.final.kind is FinalKind.OK and wire.of(Route.URC) == []


def test_under_atv0_a_numeric_connect_and_no_carrier_open_and_close_the_session():
    """Issue 15 case 7 (V.250 6.2.6)."""
    wire = Wire()
    v0 = wire.send("ATV0")
    wire.feed(b"0\r")
    wire.finish(v0)
    ex = wire.send('AT+SQNSD=1,0,80,"127.0.0.1",0,0,0')
    wire.feed(b"1\rpayload 3\r more")
    assert ex.final.kind is FinalKind.CONNECT and wire.router.online
    wire.feed(b"3\r")
    for token in wire.framer.flush_idle():  # the line went quiet after the 3
        wire.routes.append((wire.router.route(token), token.data))
    assert wire.routes[-1][0] is Route.SESSION_END and not wire.router.online
    assert b"".join(d for r, d in wire.routes if r is Route.DATA) == b"payload 3\r more"


# ---------------------------------------------------------------- any chunking, any interleaving
URCS = ["+CEREG: 5", "+SQNSRING: 1,20", "+SYSSTART", "+CEREG: 1,0001,01A2D001,7"]
ANSWERS = ['+CGDCONT: 1,"IP","internet"', '+CGDCONT: 2,"IPV6","ims"', "free text 1,2"]
FINALS = [("OK", FinalKind.OK), ("ERROR", FinalKind.ERROR), ("+CME ERROR: 3", FinalKind.CME_ERROR)]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    answer=st.lists(st.sampled_from(ANSWERS), max_size=4),
    final=st.sampled_from(FINALS),
    urcs=st.lists(st.tuples(st.integers(0, 6), st.sampled_from(URCS)), max_size=4),
    noise=st.sampled_from([b"", b"\xff\xfe", b"\x00\xf0\r\n"]),
    after=st.lists(st.sampled_from(URCS), max_size=2),
    chunks=st.lists(st.integers(1, 64), min_size=1, max_size=40),
    bare_cr=st.booleans(),
)
def test_any_chunking_and_interleaving_gives_the_same_answer_and_the_same_urcs(
    answer, final, urcs, noise, after, chunks, bare_cr
):
    wire = Wire()
    wire.feed(noise)
    ex = wire.send("AT+CGDCONT?")
    end = b"\r" if bare_cr else b"\r\n"
    lines: list[str] = list(answer)
    for position, urc in sorted(urcs, key=lambda u: u[0]):
        lines.insert(min(position, len(lines)), urc)
    expected_urcs = [line for line in lines if line in URCS]
    stream = b"".join(b"\r\n" + line.encode() + end for line in lines)
    stream += b"\r\n" + final[0].encode() + b"\r\n"
    stream += b"".join(b"\r\n" + urc.encode() + b"\r\n" for urc in after)
    position = 0
    for size in itertools.cycle(chunks):
        if position >= len(stream):
            break
        wire.feed(stream[position : position + size])
        position += size
    assert ex.lines == answer
    assert ex.final is not None and ex.final.kind is final[1]
    noise_urc = [noise.strip(b"\r\n").decode("latin-1")] if noise.strip(b"\r\n") else []
    assert wire.of(Route.URC) == noise_urc + expected_urcs + after
