"""The firmware servers a replay needs, on loopback: what the recording says they gave.

An upgrade the recording shows installed (`+SQNSUPGRADE: "installed"` after it) downloads a
good image of the version the module reported next; any other gets 404. Its URL is rewritten
to this server (plain HTTP; the recorded host where it is a loopback address, else 127.0.0.1):
the download is not what a replay compares, the state it leaves (the firmware, the settings
an upgrade resets, the reboot) is what the tests after it rely on.
"""

from __future__ import annotations

import http.server
import ipaddress
import re
import threading
from typing import Any

__all__ = ["UpgradePeer"]

_URL = re.compile(
    r'^(?P<head>AT\+SQNSUPGRADE\s*=\s*")(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^@/"]*@)?'
    r'(?P<host>[^/:"]+)(?::\d+)?(?P<path>/[^"]*)?"',
    re.IGNORECASE,
)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, fmt: str, *args: object) -> None:
        pass  # a replay prints its findings, not a server log

    def do_GET(self) -> None:
        image = self.server.images.get(self.path)
        if image is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(image)))
        self.end_headers()
        self.wfile.write(image)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    images: dict[str, bytes]


def _loopback(host: str) -> str:
    """The recorded host where it is a loopback address; else 127.0.0.1 (never another)."""
    try:
        return host if ipaddress.ip_address(host).is_loopback else "127.0.0.1"
    except ValueError:  # a name: never resolved, never reached
        return "127.0.0.1"


class UpgradePeer:
    def __init__(self, control: Any) -> None:
        self._control = control
        self._servers: dict[str, _Server] = {}
        self._count = 0

    def rewrite(self, command: str, installed: bool, version: str) -> str:
        """The upgrade command aimed at this server, which gives what the recording got."""
        m = _URL.match(command)
        if m is None:
            return command
        host = _loopback(m.group("host"))
        server = self._server(host)
        self._count += 1
        path = f"/{self._count}/firmware.sfp"
        if installed:
            server.images[path] = self._control.firmware_image(version, 64 * 1024)
        port = server.server_address[1]
        return f'{m.group("head")}http://{host}:{port}{path}"' + command[m.end() :]

    def _server(self, host: str) -> _Server:
        if host not in self._servers:
            server = _Server((host, 0), _Handler)
            server.images = {}
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers[host] = server
        return self._servers[host]

    def close(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
