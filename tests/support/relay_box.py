"""A lab's relay box on 127.0.0.1, wired to a simulated bench: a power port (labgrid's
`simplerest` PDU protocol) and two HTTP outputs (SIM switch, RF shield), each moving the
simulator through its control plane as the real relay would move the real module."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cassiopeia_sim.control import RemoteControl


@contextlib.contextmanager
def relay_box(control_address: str) -> Iterator[tuple[str, list[str]]]:
    """(base URL, the log of what the relays did)."""
    control = RemoteControl(control_address)
    lock = threading.Lock()
    state = {"power": "1", "sim": "1", "rf": "0"}
    log: list[str] = []

    def switch(output: str, value: str) -> None:
        with lock:
            before, state[output] = state[output], value
            log.append(f"{output}={value}")
            if output == "power" and before == "0" and value == "1":
                control.reboot()  # power back after a cut: the module boots
            elif output == "sim":
                control.insert_sim() if value == "1" else control.remove_sim()
            elif output == "rf":  # the shield closed (1) takes the coverage away
                control.set_coverage(value == "0")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, body: str) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def do_GET(self) -> None:  # simplerest: /power/INDEX/VALUE sets, /power/INDEX reads
            parts = self.path.strip("/").split("/")
            if parts[0] != "power":
                self.send_error(404)
                return
            if len(parts) == 3 and parts[2] in ("0", "1"):
                switch("power", parts[2])
            self._answer(state["power"])

        def do_PUT(self) -> None:  # labgrid's HttpDigitalOutput: the body is the level
            output = self.path.strip("/")
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            if output not in ("sim", "rf") or body not in ("0", "1"):
                self.send_error(400)
                return
            switch(output, body)
            self._answer(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        control.close()
