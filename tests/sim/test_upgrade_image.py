"""The simulator's firmware image format and its name service (no real DNS query, ever)."""

import pytest

from cassiopeia_sim.firmware import CORRUPT, WRONG_MODEL, ImageError, build_image, parse_image


def test_good_image_parses():
    image = parse_image(build_image("CB610L", "UE4.2.2.0-46706", 1000), "CB610L")
    assert (image.model, image.version, image.payload_size) == ("CB610L", "UE4.2.2.0-46706", 1000)


@pytest.mark.parametrize(
    "mangle, code",
    [
        (lambda b: b[: len(b) // 2], CORRUPT),
        (lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:], CORRUPT),
        (lambda b: b"NOTANIMG" + b[8:], CORRUPT),
        (lambda b: b[:10], CORRUPT),
        (lambda b: b + b"x", CORRUPT),
    ],
)
def test_broken_images_are_refused(mangle, code):
    with pytest.raises(ImageError) as info:
        parse_image(mangle(build_image("CB610L", "v", 500)), "CB610L")
    assert info.value.code == code


def test_image_for_another_model():
    with pytest.raises(ImageError) as info:
        parse_image(build_image("GM02S", "v", 10), "CB610L")
    assert info.value.code == WRONG_MODEL


def test_names_resolve_only_from_the_module_table(simulator):
    _at, control = simulator()
    routing = control.module.routing
    assert routing.resolve("127.0.0.2") == "127.0.0.2"
    assert routing.resolve("localhost") == "127.0.0.1"
    with pytest.raises(OSError, match="unknown host"):
        routing.resolve("example.com")


def test_upgrade_syntax_and_state(simulator):
    at, _ = simulator()
    at.command("AT+CMEE=1")
    assert at.command("AT+SQNSUPGRADE?").lines == ['+SQNSUPGRADE: "idle"']
    assert at.command("AT+SQNSUPGRADE=?").lines == ["+SQNSUPGRADE: (256),(0,1),(0-100),(0-2)"]
    assert at.command('AT+SQNSUPGRADE="http://127.0.0.1/x",2', check=False).final.line == "ERROR"
    assert at.command('AT+SQNSUPGRADE="x",0,0,2', check=False).final.line == "+CME ERROR: 533"
    assert (
        at.command('AT+SQNSUPGRADE="file:///etc/passwd"', check=False).final.line
        == "+CME ERROR: 528"
    )
