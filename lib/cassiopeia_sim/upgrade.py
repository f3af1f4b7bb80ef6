"""Firmware upgrade (guide 2.3): AT+SQNSUPGRADE with real downloads over HTTP, HTTPS and FTP,
and AT+SQNBYPASS, which decides whether the module routes IP itself (needed for OTA).

The download runs on a worker thread; progress, results and every state change are
posted back to the module's loop. A server "on the host's USB network" (by default
127.0.0.1) is reachable without attach; any other only when attached with an active
PDN and bypass disabled (guide 2.3.1). Every hop of a redirect is held to that rule,
and every name is resolved by the module's own table, never by the host's resolver.
HTTPS servers are checked against the CAs the module trusts (GUESSES.md).
"""

from __future__ import annotations

import ftplib
import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable

from .context import ServiceContext
from .engine import Pending, Spec
from .errors import CmeFail
from .firmware import FirmwareImage, ImageError, parse_image
from .identity import Identity
from .lexer import Args
from .network import Network
from .routing import IpRouting

__all__ = ["Canceled", "Upgrade"]

GENERAL, NETWORK, IN_PROGRESS, NOTHING_TO_CANCEL = 528, 531, 532, 533
SCHEMES = ("http", "https", "ftp")
MAX_IMAGE = 64 * 1024 * 1024
MAX_REDIRECTS = 5


class Canceled(Exception):
    pass


class _Connection(http.client.HTTPConnection):
    """HTTP to an address the module resolved itself; the Host header keeps the name."""

    def __init__(self, name: str, address: str, port: int | None, timeout: float) -> None:
        super().__init__(name, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _TlsConnection(_Connection):
    """HTTPS likewise: the server's certificate is checked for the name, against `context`."""

    default_port = 443

    def __init__(
        self, name: str, address: str, port: int | None, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(name, address, port, timeout)
        self._context = context

    def connect(self) -> None:
        super().connect()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


class _Download(threading.Thread):
    """Fetch a URL; report (received, total) as it goes; hand the bytes or an error back."""

    def __init__(
        self,
        url: str,
        timeout: float,
        deadline: float,
        on_progress: Callable[[int, int | None], None],
        on_done: Callable[[bytes | None, BaseException | None], None],
        allowed: Callable[[str], bool],
        step_delay: float,
        resolve: Callable[[str], str],
        tls: ssl.SSLContext,
    ) -> None:
        super().__init__(name="sim-download", daemon=True)
        self.url, self.timeout, self.deadline = url, timeout, time.monotonic() + deadline
        self.on_progress, self.on_done, self.allowed = on_progress, on_done, allowed
        self.step_delay, self.resolve, self.tls = step_delay, resolve, tls
        self.cancel = threading.Event()

    def run(self) -> None:
        try:
            parts = urllib.parse.urlsplit(self.url)
            data = self._ftp(parts) if parts.scheme == "ftp" else self._http()
        except BaseException as exc:  # every failure becomes the module's error code
            self.on_done(None, exc)
            return
        self.on_done(data, None)

    def _reach(self, host: str) -> str:
        """The address of `host` by the module's own table, if the module can reach it."""
        address = self.resolve(host)
        if not self.allowed(address):
            raise OSError(f"{address} is not reachable: not on the USB network, and no PDN for OTA")
        return address

    def _chunks(self, read: Callable[[int], bytes], total: int | None) -> bytes:
        data = bytearray()
        while True:
            if self.cancel.is_set():
                raise Canceled()
            if time.monotonic() > self.deadline:  # a trickle never trips a per-read timeout
                raise OSError(f"download not done by its deadline ({len(data)} bytes received)")
            chunk = read(16384)
            if not chunk:
                break
            data += chunk
            if len(data) > MAX_IMAGE:
                raise ImageError(529, "image too large")
            self.on_progress(len(data), total)
            if self.step_delay:
                self.cancel.wait(self.step_delay)
        if total is not None and len(data) != total:
            raise OSError(f"transfer ended after {len(data)} of {total} bytes")
        return bytes(data)

    def _http(self) -> bytes:
        url = self.url
        for _ in range(MAX_REDIRECTS + 1):
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https"):
                raise OSError(f"cannot download from a {parts.scheme!r} URL")
            name = parts.hostname or ""
            address = self._reach(name)  # every hop, the first and each redirect alike
            conn: _Connection = (
                _TlsConnection(name, address, parts.port, self.timeout, self.tls)
                if parts.scheme == "https"
                else _Connection(name, address, parts.port, self.timeout)
            )
            try:
                conn.request(
                    "GET", urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
                )
                response = conn.getresponse()
                location = response.getheader("Location")
                if response.status in (301, 302, 303, 307, 308) and location:
                    url = urllib.parse.urljoin(url, location)
                    continue
                if response.status != 200:
                    raise OSError(f"HTTP {response.status} {response.reason}")
                length = response.getheader("Content-Length")
                total = int(length) if length and length.isdigit() else None
                return self._chunks(response.read1, total)  # what has come: a check per read
            finally:
                conn.close()
        raise OSError(f"more than {MAX_REDIRECTS} redirects")

    def _ftp(self, parts: urllib.parse.SplitResult) -> bytes:
        address = self._reach(parts.hostname or "")
        ftp = ftplib.FTP(timeout=self.timeout)  # data connections go to the same address
        try:
            ftp.connect(address, parts.port or 21)
            ftp.login(
                urllib.parse.unquote(parts.username or "anonymous"),
                urllib.parse.unquote(parts.password or ""),
            )
            path = urllib.parse.unquote(parts.path)
            ftp.voidcmd("TYPE I")
            total = ftp.size(path)
            conn = ftp.transfercmd(f"RETR {path}")
            with conn:
                data = self._chunks(conn.recv, total)
            ftp.voidresp()
            return data
        finally:
            ftp.close()


class Upgrade:
    def __init__(
        self,
        ctx: ServiceContext,
        identity: Identity,
        network: Network,
        routing: IpRouting,
        reboot: Callable[[], None],
    ) -> None:
        self._ctx = ctx
        self._identity = identity  # the model an image must be built for; the revision it sets
        self._network = network  # a server beyond the USB network needs a PDN
        self.routing = routing  # bypass and names: a room of their own
        self._reboot = reboot
        self.state = "idle"
        self.percent: int | None = None
        self._job: _Download | None = None
        self.pending_firmware: FirmwareImage | None = None
        self.trusted_cas: list[str] = []  # PEM: the CAs provisioned in the module (GUESSES.md)

    def trust(self, pem: str) -> None:
        """Provision a CA certificate the module checks HTTPS servers against."""
        ssl.create_default_context(cadata=pem)  # refuses what is not a certificate
        self.trusted_cas.append(pem)

    def _tls(self) -> ssl.SSLContext:
        """The module's own trust: its provisioned CAs, never the host's."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # checks chain, dates and host name
        for pem in self.trusted_cas:
            context.load_verify_locations(cadata=pem)
        return context

    # ------------------------------------------------------------ module hooks
    def on_reset(self) -> None:
        """Before a reset: stop a download; install a validated image (new firmware boots)."""
        if self._job is not None:
            self._job.cancel.set()
            self._job = None
        if self.pending_firmware is not None:
            self._identity.revision = self.pending_firmware.version
            self._ctx.nv.factory_reset()  # guide 2.3.1: every setting is reset by an upgrade
            self.pending_firmware = None
        self.state, self.percent = "idle", None

    # ------------------------------------------------------------ commands
    def specs(self) -> dict[str, Spec]:
        return {
            "+SQNSUPGRADE": Spec(
                read=self._read,
                set=self._set,
                test=lambda: ["+SQNSUPGRADE: (256),(0,1),(0-100),(0-2)"],
            ),
        }

    def _read(self) -> list[str]:
        if self.state == "downloading" and self.percent is not None:
            return [f'+SQNSUPGRADE: "downloading",{self.percent}']
        return [f'+SQNSUPGRADE: "{self.state}"']

    def _reachable(self, address: str) -> bool:
        if self.routing.is_host_side(address):
            return True
        return self._network.pdn_up(1) and not self.routing.bypass_on

    def _set(self, args: Args) -> list[str] | Pending:
        args.at_most(5)
        url = args.str(0, quoted=True, max_len=256)
        reboot = args.int(1, default=1, choices=(0, 1))
        step = args.int(2, default=0, lo=0, hi=100)
        command = args.int(3, default=0, choices=(0, 1, 2))
        if args.present(4):
            args.int(4, lo=0, hi=6)
        if command == 2:
            if self._job is None:
                raise CmeFail(NOTHING_TO_CANCEL)
            self._job.cancel.set()
            self._job = None
            self._set_state("canceled")
            return []
        if self._job is not None:
            raise CmeFail(IN_PROGRESS)
        if (
            urllib.parse.urlsplit(url).scheme.lower() not in SCHEMES
            or not urllib.parse.urlsplit(url).hostname
        ):
            raise CmeFail(GENERAL)
        pending = Pending() if command == 0 else None
        self._start(url, reboot, step, pending)
        return pending if pending is not None else []

    def _start(self, url: str, reboot: int, step: int, pending: Pending | None) -> None:
        # every <step> percent, 0 and 100 included (guide 2.3.2: 0, 11, ..., 99, 100)
        marks = sorted(set(range(0, 101, step)) | {100}) if step else []

        def progress(received: int, total: int | None) -> None:
            self._ctx.loop.call_soon(on_progress, 100 * received // total if total else None)

        def on_progress(percent: int | None) -> None:
            if self._job is not job or percent is None:
                return
            self.percent = percent
            while marks and marks[0] <= percent:
                self._ctx.urc(f'+SQNSUPGRADE: "downloading",{marks.pop(0)}')

        def done(data: bytes | None, error: BaseException | None) -> None:
            self._ctx.loop.call_soon(on_done, data, error)

        def on_done(data: bytes | None, error: BaseException | None) -> None:
            if self._job is not job:
                return  # canceled, or the module reset meanwhile
            if error is None:
                try:
                    image = parse_image(data or b"", self._identity.model)
                except ImageError as exc:
                    error = exc
            if error is not None:
                self._fail(error, pending)
                return
            on_progress(100)
            self._ctx.after(self._ctx.profile.install, installed, image)

        def installed(image: FirmwareImage) -> None:
            if self._job is not job:
                return
            self._job = None
            self.pending_firmware = image
            self._set_state("installed")
            if reboot:
                self._set_state("rebooting")
            if pending is not None:
                pending.resolve()
            if reboot:
                self._ctx.after_output(self._reboot)

        job = _Download(
            url,
            self._ctx.profile.download_timeout,
            self._ctx.profile.download_deadline,
            progress,
            done,
            self._reachable,
            self._ctx.profile.download_step,
            self.routing.resolve,
            self._tls(),
        )
        self._job = job
        self.state, self.percent = "downloading", 0
        if step:
            on_progress(0)
        job.start()

    def _fail(self, error: BaseException, pending: Pending | None) -> None:
        self._job = None
        code = error.code if isinstance(error, ImageError) else NETWORK
        if pending is not None:
            self.state, self.percent = "idle", None
            pending.reject(CmeFail(code))
        else:
            self._set_state("canceled")  # an asynchronous failure has no error URC (GUESSES.md)

    def _set_state(self, state: str) -> None:
        self.state, self.percent = state, None
        self._ctx.urc(f'+SQNSUPGRADE: "{state}"')
