"""Guide 1.2.2 'Query extended signal quality' and 1.2.3 'Processing signal quality responses'."""

import pytest

from cassiopeia import parse_cesq, rsrp_dbm, rsrq_db

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
    cesq = modem.network.signal()
    assert -140 <= cesq.rsrp_dbm <= -44 and -19.5 <= cesq.rsrq_db <= -3
    if cesq.rsrp_bound == "=":
        assert cesq.rsrp_dbm == -140 + cesq.rsrp
    if cesq.rsrq_bound == "=":
        assert cesq.rsrq_db == -19.5 + 0.5 * cesq.rsrq
    # the guide's own example: +CESQ: 99,99,255,255,13,35 -> RSRQ -13 dB, RSRP -105 dBm
    example = parse_cesq("+CESQ: 99,99,255,255,13,35")
    assert (example.rsrq_db, example.rsrp_dbm) == (-13.0, -105.0)
    # its boundary examples: 0 is below the range, the top index is "at least", 255 unknown
    assert (rsrp_dbm(0), parse_cesq("+CESQ: 99,99,255,255,0,0").rsrp_bound) == (-140.0, "<")
    assert (rsrp_dbm(97), parse_cesq("+CESQ: 99,99,255,255,34,97").rsrp_bound) == (-44.0, ">=")
    assert (rsrq_db(0), rsrq_db(34)) == (-19.5, -3.0)
    assert rsrp_dbm(255) is None and rsrq_db(255) is None
    assert not parse_cesq("+CESQ: 99,99,255,255,255,255").detected
