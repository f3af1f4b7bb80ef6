"""The control plane: operations declared once on SimControl, served and called remotely."""

import contextlib
import socket

import pytest

from cassiopeia_sim.control import (
    OPERATIONS,
    ControlServer,
    RemoteControl,
    SimControl,
    connect,
)
from cassiopeia_sim.firmware import ImageError, parse_image


@pytest.fixture
def remote(simulator):
    """(AtChannel, RemoteControl) for a fresh module behind a control server on 127.0.0.1."""
    at, control = simulator("locked=0")
    server = ControlServer(control)
    rc = RemoteControl(server.address)
    yield at, rc
    rc.close()
    server.close()


def test_every_declared_operation_is_callable_remotely(remote):
    _, rc = remote
    public = {n for n in vars(SimControl) if not n.startswith("_")}
    assert set(OPERATIONS) == public  # nothing public escapes the declaration
    for name in OPERATIONS:
        assert callable(getattr(rc, name))
    with pytest.raises(AttributeError, match="not a control-plane operation"):
        rc.module  # noqa: B018 -- SimControl's attributes are not operations


def test_remote_arguments_bind_to_the_operations_signature(remote):
    at, rc = remote
    with pytest.raises(TypeError):
        rc.set_coverage(present=False, extra=1)  # refused before anything is sent
    with pytest.raises(RuntimeError, match="TypeError"):
        rc._call("set_coverage", {"bogus": True})  # the server checks names too
    rc.set_coverage(False)  # positional arguments travel as keywords
    assert rc.state()["coverage"] is False
    rc.set_identity(model="CB610L-R")  # a **values operation
    assert at.command("AT+CGMM").lines[-1] == "CB610L-R"


def test_bytes_travel_to_the_module_unchanged(remote):
    at, rc = remote
    mark = at.urc_mark()
    rc.inject_bytes(b"\r\n+RAW: \x01\xff\r\n")
    # atlink shows a byte that is not text as a backslash escape
    assert at.wait_urc("+RAW:", 5, after=mark).line == "+RAW: \x01\\xff"


def test_bytes_come_back_from_the_module_unchanged(remote):
    _, rc = remote
    image = rc.firmware_image("UE4.2.2.0-46706", 4096)
    assert isinstance(image, bytes)
    assert parse_image(image, "CB610L").version == "UE4.2.2.0-46706"
    other = rc.firmware_image("UE4.2.2.0-46706", 4096, other_model=True)
    with pytest.raises(ImageError):
        parse_image(other, "CB610L")


def test_connect_reaches_an_in_process_bench_by_its_url_and_a_served_one_by_its_address(remote):
    _, rc = remote
    local = connect("sim://control-connect-test?profile=fast")
    assert isinstance(local, SimControl) and local.state()["power"]
    server_address = rc._sock.getpeername()
    served = connect(f"tcp://{server_address[0]}:{server_address[1]}")
    assert isinstance(served, RemoteControl) and served.state()["power"]
    served.close()


def test_wrongly_typed_values_are_refused_before_anything_changes(simulator):
    at, control = simulator("locked=0")
    before = at.command("AT+BGLTEPLMN=?", timeout=5).lines
    with pytest.raises(TypeError, match="rsrp_dbm"):
        control.set_cells([{"rsrp_dbm": "x"}])  # accepted once, then wedged the AT port
    with pytest.raises(TypeError, match="present"):
        control.set_coverage("no")
    with pytest.raises(TypeError, match="cause"):
        control.deny_registration("15")
    assert at.command("AT+BGLTEPLMN=?", timeout=5).lines == before


def test_an_identity_is_changed_whole_or_not_at_all(simulator):
    at, control = simulator("locked=0")
    with pytest.raises(ValueError, match="IMEI"):
        control.set_identity(model="CB610L-X", imei="1")  # refused, but the model was kept
    assert at.command("AT+CGMM").lines == ["CB610L"]
    with pytest.raises(TypeError, match="update"):
        control.set_identity(update="x")  # replaced the method
    with pytest.raises(TypeError, match="model"):
        control.set_identity(model=7)
    control.set_identity(model="CB610L-Y")  # update is still a method
    assert at.command("AT+CGMM").lines == ["CB610L-Y"]


def test_an_overlong_request_is_refused_without_being_read_whole(remote):
    _, rc = remote
    host, port = rc._sock.getpeername()[:2]
    with socket.create_connection((host, port), timeout=10) as raw:
        with contextlib.suppress(OSError):  # the server may close before all of it is sent
            raw.sendall(b'{"op": "state", "args": {"x": "' + b"y" * (4 << 20))
        reply = raw.makefile("rb").readline()
    assert b"longer than" in reply
    assert rc.state()["power"] == "on"  # the server still serves its other clients
