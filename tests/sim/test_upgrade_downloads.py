"""The simulated module's firmware downloads against real servers on 127.0.0.x: it checks
the server's certificate, follows redirects only where it could reach, resolves names
itself, and gives up on a server that trickles."""

from __future__ import annotations

import contextlib
import datetime
import http.server
import ssl
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest
import trustme

from cassiopeia_sim.firmware import build_image
from cassiopeia_sim.instances import module_for_url

IMAGE = build_image("CB610L", "UE4.2.2.1-99999", 64 * 1024)
NETWORK_ERROR = "+CME ERROR: 531"


class _Handler(http.server.BaseHTTPRequestHandler):
    redirects: ClassVar[dict[str, str]] = {}

    def log_message(self, fmt: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.end_headers()
        elif self.path == "/trickle.bin":  # a byte at a time: no single read ever times out
            self.send_response(200)
            self.send_header("Content-Length", str(len(IMAGE)))
            self.end_headers()
            with contextlib.suppress(OSError):
                for byte in IMAGE[:400]:  # bounded: 400 bytes over 20 s at most
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(IMAGE)))
            self.end_headers()
            self.wfile.write(IMAGE)


@contextlib.contextmanager
def serve(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Iterator[int]:
    server = http.server.ThreadingHTTPServer((host, 0), _Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def upgrade(at, url: str) -> str:
    """The final result of a synchronous download with no reboot."""
    return at.command(f'AT+SQNSUPGRADE="{url}",0,0,0', timeout=15, check=False).final.line


def tls_server(ca: trustme.CA, *names: str, **validity) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names, **validity).configure_cert(context)
    return context


@pytest.fixture
def module(simulator):
    """(at, control) of a module whose SIM is unlocked; its downloads are local (USB)."""
    at, control = simulator("locked=0")
    at.command("AT+CMEE=1")  # numeric codes: 531 is the reference's network error
    return at, control


def test_https_checks_the_server_against_the_cas_the_module_trusts(module):
    at, control = module
    trusted, stranger = trustme.CA(), trustme.CA()
    control.trust_ca(trusted.cert_pem.bytes().decode())
    now = datetime.datetime.now(datetime.UTC)
    cases = {
        "a CA the module trusts": (tls_server(trusted, "127.0.0.1"), "OK"),
        "a CA it does not trust": (tls_server(stranger, "127.0.0.1"), NETWORK_ERROR),
        "an expired certificate": (
            tls_server(trusted, "127.0.0.1", not_after=now - datetime.timedelta(days=1)),
            NETWORK_ERROR,
        ),
        "another host's certificate": (tls_server(trusted, "fw.example"), NETWORK_ERROR),
    }
    results = {}
    for case, (context, _) in cases.items():
        with serve(tls=context) as port:
            results[case] = upgrade(at, f"https://127.0.0.1:{port}/fw.bin")
    assert results == {case: expected for case, (_, expected) in cases.items()}


def test_a_redirect_is_held_to_the_reachability_rule(module):
    at, _ = module  # not attached: only the host's USB network (127.0.0.1) is reachable
    with serve("127.0.0.2") as ota_port, serve() as port:
        _Handler.redirects = {"/away.bin": f"http://127.0.0.2:{ota_port}/fw.bin"}
        assert upgrade(at, f"http://127.0.0.1:{port}/away.bin") == NETWORK_ERROR
        assert upgrade(at, f"http://127.0.0.2:{ota_port}/fw.bin") == NETWORK_ERROR  # as directly


def test_names_are_resolved_by_the_module_on_every_hop(module):
    at, _ = module
    with serve() as port:
        _Handler.redirects = {"/named.bin": f"http://fw.sim.invalid:{port}/fw.bin"}
        assert upgrade(at, f"http://127.0.0.1:{port}/named.bin") == NETWORK_ERROR  # unknown name
        module_for_url(at.url).routing.hosts["fw.sim.invalid"] = "127.0.0.1"  # its own table
        assert upgrade(at, f"http://127.0.0.1:{port}/named.bin") == "OK"  # no system resolver


def test_a_trickling_server_fails_at_the_whole_transfer_deadline(module):
    at, _ = module
    with serve() as port:
        started = time.monotonic()
        assert upgrade(at, f"http://127.0.0.1:{port}/trickle.bin") == NETWORK_ERROR
    profile = module_for_url(at.url).profile
    assert time.monotonic() - started < profile.download_deadline + 5
