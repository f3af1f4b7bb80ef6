import pytest
from sim_helpers import reboot

from atlink import FinalKind


def test_identity_commands(simulator):
    at, control = simulator("locked=0")
    assert at.command("ATI").lines == ["SEQUANS Communications", "CB610L", "UE4.2.2.0-46115"]
    assert at.command("AT+CGSN=1;+CGSN=2;+CGSN=3").lines == [
        '+CGSN: "260531793113810"',
        '+CGSN: "2605317931138100"',
        '+CGSN: "00"',
    ]
    assert at.command("AT+CIMI").lines == ["001010000000219"]
    assert at.command("AT+CNUM").lines == ['+CNUM: ,"11000000219",129']
    control.set_identity(model="CB610L-X", imei="123456789012345")
    assert at.command("AT+CGMM;+CGSN").lines == ["CB610L-X", "123456789012345"]
    with pytest.raises(ValueError):
        control.set_identity(imei="12")


def test_clock_starts_unsynchronised_and_keeps_a_set_time(simulator):
    at, _ = simulator()
    assert at.command("AT+CCLK?").lines[0].startswith('+CCLK: "70/01/01,00:00:')
    at.command('AT+CCLK="24/02/29,23:59:59-20"')
    assert at.command("AT+CCLK?").lines[0] in (
        '+CCLK: "24/02/29,23:59:59-20"',
        '+CCLK: "24/03/01,00:00:00-20"',
    )


@pytest.mark.parametrize(
    "value",
    [
        '"23/02/29,10:00:00+00"',
        '"24/01/01,10:00:00+97"',
        "24/01/01,10:00:00+00",
        '"24/1/01,10:00:00+00"',
    ],
)
def test_clock_rejects_invalid_times(simulator, value):
    at, _ = simulator()
    assert at.command(f"AT+CCLK={value}", check=False).final.kind is FinalKind.ERROR


def test_ctzu_is_persistent(simulator):
    at, control = simulator()
    at.command("AT+CTZU=1")
    reboot(at, control)
    assert at.command("AT+CTZU?").lines == ["+CTZU: 1"]
