"""`cassiopeia-sim`: serve a simulated Cassiopeia module on a pty or on TCP.

cassiopeia-sim --pty                 # first line printed: the device path
cassiopeia-sim --pty --usb --link /tmp/ttyCassiopeia   # the port vanishes at resets
cassiopeia-sim --pty --baud 115200   # output paced like a UART
cassiopeia-sim --tcp 5000 --control 5001
cassiopeia-sim control tcp://127.0.0.1:5001 remove_sim   # the control plane, from a shell

The SIM's codes: CASSIOPEIA_SIM_PIN and CASSIOPEIA_SIM_PUK in the environment, or
--pin-file/--puk-file; --pin/--puk work too but show on every process list.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .control import ControlServer, SimControl
from .module import SimulatedModule
from .profiles import PROFILES
from .serve import PtyServer, TcpServer

ENV = {"pin": "CASSIOPEIA_SIM_PIN", "puk": "CASSIOPEIA_SIM_PUK"}
DEFAULTS = {"pin": "0000", "puk": "42984776"}  # the correct codes of the guide's examples


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cassiopeia-sim",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true", help="serve on a new pseudo-terminal")
    where.add_argument(
        "--tcp", type=int, metavar="PORT", help="serve on 127.0.0.1:PORT (0 picks one)"
    )
    p.add_argument(
        "--control",
        type=int,
        metavar="PORT",
        help="also serve the control plane on 127.0.0.1:PORT (0 picks one)",
    )
    p.add_argument("--profile", choices=sorted(PROFILES), default="realistic")
    for code, default in DEFAULTS.items():
        given = p.add_mutually_exclusive_group()
        given.add_argument(
            f"--{code}",
            help=f"the SIM's {code.upper()} (default: ${ENV[code]}, else {default}); "
            "visible on process lists: prefer the environment or a file",
        )
        given.add_argument(
            f"--{code}-file", metavar="FILE", help=f"read the SIM's {code.upper()} from FILE"
        )
    p.add_argument("--unlocked", action="store_true", help="SIM PIN lock disabled")
    p.add_argument("--no-sim", action="store_true", help="start with no SIM inserted")
    p.add_argument(
        "--usb",
        action="store_true",
        help="the AT port vanishes at every reset and comes back, like the module's USB port "
        "(with --pty, give --link for a stable name)",
    )
    p.add_argument(
        "--link", metavar="PATH", help="with --pty: a symlink kept pointing at the current pty"
    )
    p.add_argument(
        "--baud", type=int, metavar="RATE", help="pace the module's output at this UART line rate"
    )
    return p


def _code(args: argparse.Namespace, code: str) -> str:
    """The code from --CODE, --CODE-file, the environment, or the guide's default."""
    path = getattr(args, f"{code}_file")
    if path is not None:
        with open(path) as fh:
            return fh.read().strip()
    given = getattr(args, code)
    return given if given is not None else os.environ.get(ENV[code], DEFAULTS[code]).strip()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["control"]:  # the control plane's client
        from .control_cli import main as control_client

        return control_client(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        pin, puk = _code(args, "pin"), _code(args, "puk")
    except OSError as exc:
        parser.error(f"cannot read a SIM code file: {exc.strerror}: {exc.filename}")
    if args.link and not args.pty:
        parser.error("--link needs --pty")
    if args.usb and args.pty and not args.link:
        parser.error("--usb with --pty needs --link: the pty's own name changes at every reset")
    if args.baud is not None and args.baud <= 0:
        parser.error("--baud must be a positive line rate")
    try:
        module = SimulatedModule(
            profile=args.profile,
            pin=pin,
            puk=puk,
            sim_locked=not args.unlocked,
            sim_present=not args.no_sim,
            usb=args.usb,
            baud=args.baud,
        )
    except ValueError as exc:
        print(f"cassiopeia-sim: {exc}", file=sys.stderr)
        return 2
    server: PtyServer | TcpServer
    if args.pty:
        server = PtyServer(module, args.link)
        print(server.device, flush=True)
    else:
        server = TcpServer(module, args.tcp)
        print(server.url, flush=True)
    control = None
    if args.control is not None:
        control = ControlServer(SimControl(module), args.control)
        print(f"control {control.address}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    if control is not None:
        control.close()
    server.close()
    module.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
