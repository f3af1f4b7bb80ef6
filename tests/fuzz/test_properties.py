"""Property-based robustness, bounded in examples and time (hypothesis)."""

import contextlib
import itertools
import logging
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cassiopeia
from atlink import AtChannel, Framer, Kind, PortLost, UrcTable
from cassiopeia import ParseError, cassiopeia_urc_table
from cassiopeia_sim import discard
from support.fake_device import Script
from support.urlhandler import protocol_fake

BOUNDED = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_names = itertools.count()

# ---------------------------------------------------------------- the simulator answers everything
NAMES = [
    "+CPIN",
    "+CPINR",
    "+CLCK",
    "+CPWD",
    "+CFUN",
    "+CMEE",
    "+CGSN",
    "+CGMM",
    "+CIMI",
    "+CNUM",
    "+CCLK",
    "+CTZU",
    "+CEREG",
    "+COPS",
    "+CESQ",
    "+CGATT",
    "+CGDCONT",
    "+CGACT",
    "+CGCONTRDP",
    "+CGAUTH",
    "^AUTOATT",
    "+SQNAUTOCONNECT",
    "+SQNBYPASS",
    "+SQNSCFG",
    "+SQNSCFGEXT",
    "+SQNSS",
    "+SQNSRECV",
    "+SQNSH",
    "+SQNSUPGRADE",
    "+BOGUS",
    "E",
    "V",
    "Q",
    "S3",
    "I",
    "Z",
    "&F",
    "",
]
# Commands that wait for a payload or take the line into data mode are driven by their own tests.
EXCLUDED = ("+SQNSSEND", "+SQNSD", "+SQNSO", "^RESET")
# Settings that rightly end the "final result" contract: Q1 suppresses result codes, S3 and S4
# change the characters that end lines. The engine tests check those on their own.
CONTRACT_CHANGES = re.compile(r"Q0*[1-9]|S0*[34]=", re.IGNORECASE)
params = st.lists(
    st.one_of(st.integers(-5, 70000).map(str), st.text('0123456789ABCDEF",. ', max_size=12)),
    max_size=5,
).map(",".join)
command = st.tuples(st.sampled_from(NAMES), st.sampled_from(["", "?", "=?", "="]), params).map(
    lambda t: t[0] + t[1] + (t[2] if t[1] == "=" else "")
)
line = st.lists(command, min_size=1, max_size=3).map(lambda cmds: "AT" + ";".join(cmds))
noise = st.text(string.printable.replace("\r", "").replace("\n", ""), max_size=40).map(
    lambda t: "AT" + t
)


class _Bugs(logging.Handler):
    """Collects what the simulator logs as its own failure.

    Answering ERROR to hide a crash passes no test.
    """

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def simulator_bugs():
    bugs = _Bugs()
    logger = logging.getLogger("cassiopeia_sim")
    logger.addHandler(bugs)
    yield bugs.records
    logger.removeHandler(bugs)


@pytest.fixture(scope="module")
def module_at(simulator_bugs):
    name = f"fuzz{next(_names)}"
    at = AtChannel(f"sim://{name}?profile=fast&locked=0", urc_table=cassiopeia_urc_table())
    at.command("AT", timeout=5)
    yield at
    at.close()
    discard(name)


@BOUNDED
@given(st.one_of(line, noise))
def test_simulator_answers_every_command_line_with_a_final_result(module_at, simulator_bugs, text):
    if (
        any(x in text.upper() for x in EXCLUDED)
        or CONTRACT_CHANGES.search(text)
        or "\x1a" in text
        or "\x1b" in text
    ):
        return
    try:
        r = module_at.command(text, timeout=10, check=False)
    except ValueError:
        return  # not a single command line (atlink refuses it before sending)
    except PortLost:  # +CFUN=..,1 resets the module: its port comes back
        module_at.reopen(timeout=10)
        module_at.command("AT", timeout=10)
        return
    assert r.final is not None
    assert not simulator_bugs, f"the simulator failed on {text!r}: {simulator_bugs[0].getMessage()}"
    # the module still answers, and its settings come back
    module_at.command("ATE0V1Q0", timeout=10)
    assert module_at.command("AT", timeout=10).ok


# ---------------------------------------------------------------- atlink loses nothing
info_line = st.text(string.ascii_letters + string.digits + ' ,:"+', min_size=1, max_size=30).filter(
    lambda t: (
        t.strip()
        and not t.startswith(
            ("+URC", "OK", "ERROR", "+CME", "+CMS", "CONNECT", "NO ", "BUSY", "AT")
        )
    )
)
urc_line = st.integers(0, 999).map(lambda i: f"+URC: {i}")


@pytest.mark.slow  # many hypothesis examples through a live channel
@BOUNDED
@given(
    infos=st.lists(info_line, max_size=6),
    urcs=st.lists(urc_line, max_size=6),
    data=st.data(),
    chunk=st.integers(1, 9),
)
def test_framing_never_loses_duplicates_or_misroutes_a_line(infos, urcs, data, chunk):
    infos = [i.strip() for i in infos]
    # URCs land at random points: before, between and after the information lines, and after OK
    slots = sorted(
        data.draw(st.lists(st.integers(0, len(infos) + 1), min_size=len(urcs), max_size=len(urcs)))
    )
    before_ok, after_ok = [], []
    out = b""
    k = 0
    for i in range(len(infos) + 2):
        while k < len(urcs) and slots[k] == i:
            if i <= len(infos):
                out += f"\r\n{urcs[k]}\r\n".encode()
                before_ok.append(urcs[k])
            else:
                after_ok.append(urcs[k])
            k += 1
        if i < len(infos):
            out += f"\r\n{infos[i]}\r\n".encode()
    out += b"\r\nOK\r\n" + b"".join(f"\r\n{u}\r\n".encode() for u in after_ok)
    table = UrcTable()
    table.register("+URC:")
    name = f"fz{next(_names)}"
    protocol_fake.DEVICES[name] = Script({"AT+X": out})
    with AtChannel(f"fake://{name}?chunk={chunk}", urc_table=table) as at:
        mark = at.urc_mark()
        assert at.command("AT+X", timeout=5).lines == infos
        if urcs:
            at.wait_urc(urcs[-1] if not after_ok else after_ok[-1], 5, after=mark)
        assert [u.line for u in at.urcs.since(mark)] == before_ok + after_ok


@BOUNDED
@given(
    prefixes=st.lists(st.text("+^ABC:12 ", min_size=1, max_size=6), min_size=1, max_size=12),
    line=st.text("+^ABC:12 ", max_size=10),
)
def test_a_lines_urc_prefix_is_the_longest_registered_one(prefixes, line):
    table = UrcTable()
    for prefix in prefixes:
        table.register(prefix)
    matching = [p for p in prefixes if line.startswith(p)]
    assert table.prefix_of(line) == (max(matching, key=len) if matching else None)


# Pieces that exercise every framer state: line ends of each kind, empty lines, prompts, a counted
# reply header with its payload, online mode entered and ended, bytes that are not text.
PIECES = [
    b"\r",
    b"\n",
    b"\r\n",
    b"OK",
    b"+CEREG: 1",
    b"> ",
    b">",
    b" ",
    b"+R: 3\r\nab\r",
    b"\r\nCONNECT\r\n",
    b"\r\nNO CARRIER\r\n",
    b"\r\nOK\r\n",
    b"+++",
    b"\x00\xff\x1a",
    b"AT+X?",
]


def _frame(stream: bytes, chunk: int, prompt: bool) -> tuple[list, bytes]:
    framer = Framer()
    framer.prompt_armed = prompt
    framer.counted_rules = [lambda line: 3 if line == b"+R: 3" else None]
    framer.arm_escape()
    tokens = []
    for i in range(0, len(stream), chunk):
        tokens += framer.feed(stream[i : i + chunk])
    tokens += framer.flush_idle()
    raw = b"".join(t.raw for t in tokens) + b"".join(t.raw for t in framer.reset())
    return [(t.kind, t.data) for t in tokens if t.kind is not Kind.DATA], raw


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=30),
    chunk=st.integers(1, 8),
    prompt=st.booleans(),
)
def test_framer_gives_the_same_tokens_for_any_chunking_and_accounts_for_every_byte(
    pieces, chunk, prompt
):
    stream = b"".join(pieces)
    whole, whole_raw = _frame(stream, max(1, len(stream)), prompt)
    chunked, chunked_raw = _frame(stream, chunk, prompt)
    assert chunked == whole
    assert whole_raw == stream and chunked_raw == stream


# ---------------------------------------------------------------- parsers raise only ParseError
PARSERS = [
    lambda s: cassiopeia.parse_cpin(s),
    lambda s: cassiopeia.parse_cpinr([s]),
    lambda s: cassiopeia.parse_clck(s),
    lambda s: cassiopeia.parse_cgsn([s]),
    lambda s: cassiopeia.parse_cnum([s]),
    lambda s: cassiopeia.parse_cclk(s),
    lambda s: cassiopeia.parse_cereg(s, True),
    lambda s: cassiopeia.parse_cereg(s, False),
    lambda s: cassiopeia.parse_cesq(s),
    lambda s: cassiopeia.parse_cops_read(s),
    lambda s: cassiopeia.parse_cops_test(s),
    lambda s: cassiopeia.parse_bgltplmn(s),
    lambda s: cassiopeia.parse_cgdcont([s]),
    lambda s: cassiopeia.parse_cgact([s]),
    lambda s: cassiopeia.parse_cgcontrdp([s]),
    lambda s: __import__("cassiopeia.sockets", fromlist=["x"]).parse_sqnss([s]),
    lambda s: __import__("cassiopeia.sockets", fromlist=["x"]).parse_sqnsring(s),
]
prefixed = st.tuples(
    st.sampled_from(
        [
            "+CPIN: ",
            "+CPINR: ",
            "+CLCK: ",
            "+CGSN: ",
            "+CNUM: ",
            "+CCLK: ",
            "+CEREG: ",
            "+CESQ: ",
            "+COPS: ",
            "+BGLTEPLMN: ",
            "+CGDCONT: ",
            "+CGACT: ",
            "+CGCONTRDP: ",
            "+SQNSS: ",
            "+SQNSRING: ",
            "",
        ]
    ),
    st.text(string.printable, max_size=60),
).map("".join)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.sampled_from(range(len(PARSERS))), st.one_of(prefixed, st.text(max_size=60)))
def test_parsers_raise_only_their_typed_error(index, text):
    with contextlib.suppress(ParseError):
        PARSERS[index](text)
