"""Network parsers on the guide's strings and on variants from real modules.

Sources: reference 3, survey 4b.
"""

import pytest

from cassiopeia import (
    ParseError,
    parse_bgltplmn,
    parse_cereg,
    parse_cesq,
    parse_cgact,
    parse_cgcontrdp,
    parse_cgdcont,
    parse_cops_read,
    parse_cops_test,
    rsrp_dbm,
    rsrq_db,
)
from cassiopeia.urcs import registration_is_solicited


@pytest.mark.parametrize(
    "line, solicited, stat, tac, ci, act",
    [
        ("+CEREG: 0,1", True, 1, None, None, None),  # guide 1.2.2
        ('+CEREG: 2,1,"0001","01A2D001",7', True, 1, "0001", "01A2D001", 7),  # Pycom capture
        ("+CEREG: 1,0001,01A2D001,7", False, 1, "0001", "01A2D001", 7),  # the guide's unquoted URC
        ('+CEREG: 5,"2E1D","01905667",9', False, 5, "2E1D", "01905667", 9),  # NB-IoT roaming
        (
            "+CEREG: 2,1, 1F00, 79D903 ,7",
            True,
            1,
            "1F00",
            "79D903",
            7,
        ),  # spaces (ModemManager corpus)
        ("+CEREG: 2", False, 2, None, None, None),
        ("+CEREG:2,2", True, 2, None, None, None),  # no space
        (
            '+CEREG: 4,1,"00C3","0012AB45",7,,,"00100100","01000111"',
            True,
            1,
            "00C3",
            "0012AB45",
            7,
        ),  # PSM
    ],
)
def test_parse_cereg(line, solicited, stat, tac, ci, act):
    reg = parse_cereg(line, solicited)
    assert (reg.stat, reg.tac, reg.ci, reg.act) == (stat, tac, ci, act)


def test_parse_cereg_psm_and_denial_fields():
    psm = parse_cereg('+CEREG: 4,1,"00C3","0012AB45",7,,,"00100100","01000111"', True)
    assert (psm.active_time, psm.periodic_tau) == ("00100100", "01000111")
    denied = parse_cereg("+CEREG: 3,,,,0,15", False)
    assert (denied.stat, denied.cause_type, denied.reject_cause) == (3, 0, 15)


@pytest.mark.parametrize("bad", ["+CEREG: x", '+CEREG: 1,"ZZZZ","1",7', "+CREG: 1"])
def test_parse_cereg_rejects(bad):
    with pytest.raises(ParseError):
        parse_cereg(bad, False)


@pytest.mark.parametrize(
    "index, dbm", [(0, -140.0), (35, -105.0), (96, -44.0), (97, -44.0), (255, None)]
)
def test_rsrp_conversion(index, dbm):
    assert rsrp_dbm(index) == dbm


@pytest.mark.parametrize(
    "index, db", [(0, -19.5), (13, -13.0), (33, -3.0), (34, -3.0), (255, None)]
)
def test_rsrq_conversion(index, db):
    assert rsrq_db(index) == db


@pytest.mark.parametrize(
    "line",
    [
        "+CESQ: 99,99,255,255,13,98",
        "+CESQ: 99,99,255,255,35,35",
        "+CESQ: 1,2,3",
        "+CESQ: a,99,255,255,13,35",
    ],
)
def test_parse_cesq_rejects(line):
    with pytest.raises(ParseError):
        parse_cesq(line)


def test_parse_cesq_variants():
    assert parse_cesq("+CESQ:10,6,255,255,255,255").rxlev == 10  # no space
    assert parse_cesq("+CESQ: 99,99,255,255,16,51").rsrp_dbm == -89.0  # Pycom capture


def test_parse_cops():
    assert parse_cops_read('+COPS: 0,2,"20404",9').oper == "20404"
    assert parse_cops_read("+COPS: 2").format is None
    scan = parse_cops_test(
        '+COPS: (2,"Amarisoft Network","Amarisoft","00101",7),'
        '(1,"NL KPN","NL KPN","20408",7),,(0,1,2,3,4),(0,1,2)'
    )
    assert [o.numeric for o in scan.operators] == ["00101", "20408"] and scan.modes == "(0,1,2,3,4)"
    samsung = parse_cops_test('+COPS: (1,"T-Mobile USA, In","TMO","310260",0),,(0,1,3),(0,2)')
    assert samsung.operators[0].long_name == "T-Mobile USA, In"
    assert parse_cops_test("+COPS: ,,(0,1,2,3,4),(0,1,2)").operators == []
    with pytest.raises(ParseError):
        parse_cops_test("+COPS: garbage")


def test_parse_bgltplmn_guide():
    scan = parse_bgltplmn('+BGLTEPLMN: (1,,,"00101",7,-8950),,(0,1,2)')
    op = scan.operators[0]
    assert (op.stat, op.numeric, op.act, op.rsrp_dbm, scan.formats) == (
        1,
        "00101",
        7,
        -89.5,
        "(0,1,2)",
    )


def test_parse_pdp():
    ctx = parse_cgdcont(
        [
            '+CGDCONT: 1,"IP","test123",,,,,0,0,0,0',
            '+CGDCONT: 1,"IP","spe.inetd.vodafone.nbiot",,,,0,0,0,0,0,0,1,,0',
        ]
    )
    assert ctx[1].apn == "spe.inetd.vodafone.nbiot"
    assert parse_cgact(["+CGACT: 1,1", "+CGACT: 2,0"]) == {1: True, 2: False}
    with pytest.raises(ParseError):
        parse_cgact(["+CGACT: 1,2"])
    rdp = parse_cgcontrdp(
        [
            "+CGCONTRDP: "
            '1,5,"spe.mnc028.mcc901.gprs","10.175.213.177.255.255.255.255","","10.105.16.254","10.105.144.254","","",,,1430',
        ]
    )[0]
    assert (rdp.address, rdp.mask, rdp.gateway, rdp.dns_primary) == (
        "10.175.213.177",
        "255.255.255.255",
        None,
        "10.105.16.254",
    )
    v6 = parse_cgcontrdp(['+CGCONTRDP: 1,5,"a",' + '"' + ".".join(["1"] * 32) + '"'])[0]
    assert v6.address == ".".join(["1"] * 16)


@pytest.mark.parametrize(
    "line, solicited",
    [
        ("+CEREG: 0,1", True),  # read, n=0/1: <n>,<stat>
        ('+CEREG: 2,1,"0001","01A2D001",7', True),  # read, n=2
        ('+CEREG: 3,0,"0001","01A2D001",7,0,15', True),  # read, n=3 with the reject cause
        ('+CEREG: 4,1,"00C3","0012AB45",7,,,"00100100","01000111"', True),  # read, n=4
        ("+CEREG: 1", False),  # URC, n=1
        ("+CEREG: 1,0001,01A2D001,7", False),  # URC, n=2: the guide's own, unquoted
        ('+CEREG: 1,"0001","01A2D001",7', False),  # URC, n=2, quoted
        ("+CEREG: 3,,,,0,15", False),  # URC, n=3: denied with its cause
        ('+CEREG: 1,"00C3","0012AB45",7,,,"00100100","01000111"', False),  # URC, n=4
        ('+CREG: 2,1,"0001","01A2D001",7', True),  # 27.007 7.2: read, n=2
        ('+CREG: 1,"0001","01A2D001",7', False),  # its URC
        ('+CGREG: 2,1,"0001","01A2D001",7,', True),  # 10.1.20: read, n=2, an empty <rac>
        ('+CGREG: 1,"0001","01A2D001",7,', False),  # its URC
        ("+CGREG: 0", False),
    ],
)
def test_a_cereg_line_is_told_by_its_field_count(line, solicited):
    """27.007 10.1.22: the read reply puts <n> first, so it has one field more than the URC:
    2, 5, 7 or 9 fields against 1, 4, 6 or 8."""
    assert registration_is_solicited(line, "AT+CEREG?") is solicited
