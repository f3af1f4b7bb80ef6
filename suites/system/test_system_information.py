"""Guide 2.2: How to get system information (2.2.2 use cases)."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from cassiopeia import CommandError, parse_cclk
from fixtures.checks import check, observe

usecase = pytest.mark.usecase


@pytest.fixture
def restore_clock(modem):
    yield
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    modem.info.set_clock(now, 0)  # leave the module on UTC, not on the guide's 2019


@pytest.fixture
def restore_ctzu(modem):
    before = modem.info.time_zone_update()
    yield
    modem.info.set_time_zone_update(before)


@usecase("2.2.2", "Time zone update")
def test_time_zone_update(modem, restore_ctzu):
    modem.at.command("AT+CTZU=1")
    assert modem.at.command("AT+CTZU?").lines == ["+CTZU: 1"]
    modem.at.command("AT+CTZU=0")
    assert modem.at.command("AT+CTZU?").lines == ["+CTZU: 0"]


@usecase("2.2.2", "Clock")
def test_clock_read_and_set(modem, restore_clock):
    first = modem.info.clock()  # AT+CCLK? parses as yy/MM/dd,hh:mm:ss±zz
    assert -96 <= first.quarters <= 96
    started = time.monotonic()
    modem.at.command('AT+CCLK="19/05/20,22:10:00+08"')
    back = parse_cclk(modem.at.command("AT+CCLK?").one("+CCLK:"))
    elapsed = time.monotonic() - started
    assert back.quarters == 8
    set_at = datetime(2019, 5, 20, 22, 10, 0)
    assert set_at <= back.local <= set_at + timedelta(seconds=elapsed + 1)
    time.sleep(1.2)  # the clock counts seconds: more than one of them
    later = modem.info.clock()
    check(
        later.local > back.local,
        "the clock runs on from the time set",
        "27.007 8.15 (+CCLK: the real-time clock)",
        got=f"{back.local} then {later.local}, 1.2 s apart",
    )


@usecase("2.2.2", "Clock")
@pytest.mark.parametrize(
    "bad",
    [
        '"19/13/20,22:10:00+08"',  # month 13
        '"19/02/30,22:10:00+08"',  # 30 February
        '"19/05/20,24:00:00+08"',  # hour 24
        '"19/05/20 22:10:00+08"',  # no comma
    ],
)
def test_clock_set_rejects_malformed_time(modem, restore_clock, bad):
    before = modem.info.clock()
    with pytest.raises(CommandError):  # reference 4.7: <time> is "yy/MM/dd,hh:mm:ss±zz"
        modem.at.command(f"AT+CCLK={bad}")
    after = modem.info.clock()
    # unchanged, still running
    assert after.quarters == before.quarters and after.local >= before.local


@usecase("2.2.2", "Clock")
def test_clock_set_without_a_time_zone(modem, restore_clock):
    """27.007 8.15 lets a module without time zone support leave ±zz out: either answer is
    allowed, and what this one does is recorded."""
    r = modem.at.command('AT+CCLK="19/05/20,22:10:00"', check=False)
    observe("AT+CCLK= without a time zone", r.final.line)
    observe("AT+CCLK? after it", modem.at.command("AT+CCLK?").one("+CCLK:"))
