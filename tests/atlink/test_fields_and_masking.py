import pytest

from atlink import mask_secrets, split_fields, strip_prefix, unquote
from atlink.results import FinalKind, classify_final


@pytest.mark.parametrize(
    "text, fields",
    [
        (
            '1,"T-Mobile USA, In","TMO","310260",7',
            ["1", '"T-Mobile USA, In"', '"TMO"', '"310260"', "7"],
        ),
        ("2,,", ["2", "", ""]),
        (
            '1,"IP","test123",,,,,0,0,0,0',
            ["1", '"IP"', '"test123"', "", "", "", "", "0", "0", "0", "0"],
        ),
        (" 2,1, 1F00, 79D903 ,7", ["2", "1", "1F00", "79D903", "7"]),
        ('(1,,,"00101",7,-8950),,(0,1,2)', ['(1,,,"00101",7,-8950)', "", "(0,1,2)"]),
        ('"unterminated, still one', ['"unterminated, still one']),
        ("", [""]),
    ],
)
def test_split_fields(text, fields):
    assert split_fields(text) == fields


def test_unquote_and_strip_prefix():
    assert unquote('"abc"') == "abc" and unquote("7") == "7" and unquote('"') == ""
    assert strip_prefix("+CPIN: READY", "+CPIN:") == "READY"
    assert strip_prefix("+cpin:READY", "+CPIN:") == "READY"
    with pytest.raises(ValueError):
        strip_prefix("+CPINR: SIM PIN,3,3", "+CPIN: ")


@pytest.mark.parametrize(
    "text, masked",
    [
        ('AT+CPIN="0000"', 'AT+CPIN="***"'),
        ("AT+CPIN=0000", "AT+CPIN=***"),
        ('AT+CPIN="42984776","1234"', 'AT+CPIN="***","***"'),
        ('at+clck="SC",1,"0000"', 'at+clck="SC",1,"***"'),
        ('AT+CLCK="SC",2', 'AT+CLCK="SC",2'),
        ('AT+CPWD="SC","0000","1234"', 'AT+CPWD="SC","***","***"'),
        ('AT+CGAUTH=1,1,"user","s3cr,et"', 'AT+CGAUTH=1,1,"user","***"'),
        ('+CGAUTH: 1,1,"user","s3cret"', '+CGAUTH: 1,1,"user","***"'),
        ('AT+CMEE=2;+CPIN="0000";+CPIN?', 'AT+CMEE=2;+CPIN="***";+CPIN?'),
        ("+CPINR: SIM PIN,3,3", "+CPINR: SIM PIN,3,3"),
        ('AT+CPIN="00', 'AT+CPIN="***"'),  # a truncated secret is still masked
        # raw text as the transcript holds it: line ends, a read reply after them, the next
        # line kept
        ('\r\n+CGAUTH: 1,1,"u","pw"\r\n\r\nOK\r\n', '\r\n+CGAUTH: 1,1,"u","***"\r\n\r\nOK\r\n'),
        ('AT+CPIN="1234"\r\r\nOK\r\n', 'AT+CPIN="***"\r\r\nOK\r\n'),
        # spaces V.250 ignores
        ('AT+CPIN ="7391"', 'AT+CPIN ="***"'),
        ('AT + CPIN = "7391"', 'AT + CPIN = "***"'),
        ('AT+CGAUTH = 1,1,"user","pw"', 'AT+CGAUTH = 1,1,"user","***"'),
        ('AT+CPWD = "SC", "7391", "1234"', 'AT+CPWD = "SC", "***", "***"'),
        ('+CGAUTH : 1,1,"user","pw"', '+CGAUTH : 1,1,"user","***"'),
        # URLs: the userinfo's password, query parameters named like secrets
        (
            'AT+SQNSUPGRADE="ftp://user:pa55@127.0.0.1:2121/fw.bin",1',
            'AT+SQNSUPGRADE="ftp://user:***@127.0.0.1:2121/fw.bin",1',
        ),
        (
            "port open sim://b?profile=fast&pin=7391&puk=55512345",
            "port open sim://b?profile=fast&pin=***&puk=***",
        ),
        ("https://h/x?Password=a&n=1", "https://h/x?Password=***&n=1"),
        ("sim://b?profile=fast&locked=0", "sim://b?profile=fast&locked=0"),
    ],
)
def test_mask_secrets(text, masked):
    assert mask_secrets(text) == masked


@pytest.mark.parametrize(
    "line, kind",
    [
        ("OK", FinalKind.OK),
        ("CONNECT", FinalKind.CONNECT),
        ("CONNECT 9600", FinalKind.CONNECT),
        ("+CME ERROR: 10", FinalKind.CME_ERROR),
        ("+CMS ERROR: 500", FinalKind.CMS_ERROR),
        ("+CME ERROR: ", FinalKind.CME_ERROR),
        ("+CME ERROR:", None),
        ("+CME ERROR:10", FinalKind.CME_ERROR),  # no space: still a final (ModemManager)
        ("OK ", None),
        ("0", None),
    ],
)
def test_classify_final(line, kind):
    final = classify_final(line)
    assert (final.kind if final else None) is kind
