"""Guide 1.2.2 'Query extended signal quality' and 1.2.3 'Processing signal quality responses'."""

import pytest

from cassiopeia import parse_cesq
from fixtures.checks import check, observe

usecase = pytest.mark.usecase


@usecase("1.2.2", "Query extended signal quality")
def test_query_extended_signal_quality(modem, attached):
    r = modem.at.command("AT+CESQ")
    cesq = parse_cesq(r.one("+CESQ:") and r.lines[0])
    assert (cesq.rxlev, cesq.ber, cesq.rscp, cesq.ecno) == (
        99,
        99,
        255,
        255,
    )  # LTE only: no GSM/UMTS figures
    assert 0 <= cesq.rsrq <= 34 and 0 <= cesq.rsrp <= 97  # an attached module measures its cell


@usecase("1.2.3", "Processing signal quality responses")
def test_signal_quality_conversion(modem, attached):
    """The numbers the module reports convert as the guide's 1.2.3 says: within range."""
    cesq = modem.network.signal()
    assert 0 <= cesq.rsrq <= 34 and 0 <= cesq.rsrp <= 97, cesq
    observe("RSRP, RSRQ of the bench's cell", f"{cesq.rsrp_dbm} dBm, {cesq.rsrq_db} dB")


# (RSRP dBm, RSRQ dB) the bench sets -> the numbers the module must report. Half-dB levels sit
# inside one band of 27.007 and match the guide's "~ -140 + N" too; the ends are the guide's.
KNOWN_LEVELS = [
    ((-100.5, -10.25), (19, 40)),
    ((-140.5, -19.75), (0, 0)),  # below the range: 0
    ((-40.0, -2.0), (34, 97)),  # at or above its top
]


@usecase("1.2.3", "Processing signal quality responses")
@pytest.mark.parametrize(("levels", "numbers"), KNOWN_LEVELS)
def test_the_module_reports_known_levels(modem, attached, signal_control, levels, numbers):
    rsrp, rsrq = levels
    signal_control.do("signal", rsrp=rsrp, rsrq=rsrq)
    cesq = modem.network.signal()  # AT+CESQ, read back typed
    check(
        (cesq.rsrq, cesq.rsrp) == numbers,
        f"RSRP {rsrp} dBm and RSRQ {rsrq} dB are reported as <rsrq>,<rsrp> = {numbers}",
        "guide 1.2.3; reference 3.5 (27.007 bands)",
        got=f"{cesq.rsrq},{cesq.rsrp}",
    )
