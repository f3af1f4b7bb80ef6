"""`cassiopeia-sim control ADDR OPERATION [NAME=VALUE ...]`: the control plane from a shell.

    cassiopeia-sim control tcp://127.0.0.1:5001 remove_sim
    cassiopeia-sim control tcp://127.0.0.1:5001 set_coverage present=false
    cassiopeia-sim control tcp://127.0.0.1:5001 state

A bench file's shell actions drive a simulated bench with it exactly as they drive a lab's
relay or attenuator. A VALUE is read as JSON where it parses (false, 7, [..]), else as text.
Prints the operation's result as JSON; exit 0, or 1 when the operation failed, 2 on usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from .control import OPERATIONS, RemoteControl

__all__ = ["main"]


def _value(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="cassiopeia-sim control",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("address", help="the control plane: tcp://127.0.0.1:PORT")
    parser.add_argument(
        "operation", choices=OPERATIONS, metavar="OPERATION", help=", ".join(OPERATIONS)
    )
    parser.add_argument("values", nargs="*", metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    kwargs = {}
    for item in args.values:
        name, sep, text = item.partition("=")
        if not sep or not name:
            parser.error(f"{item!r}: arguments are NAME=VALUE")
        kwargs[name] = _value(text)
    try:
        remote = RemoteControl(args.address)
    except (OSError, ValueError) as exc:
        print(f"cassiopeia-sim control: cannot reach {args.address}: {exc}", file=sys.stderr)
        return 1
    try:
        result = getattr(remote, args.operation)(**kwargs)
    except (RuntimeError, TypeError, OSError) as exc:
        print(f"cassiopeia-sim control: {args.operation} failed: {exc}", file=sys.stderr)
        return 1
    finally:
        remote.close()
    print(json.dumps(result))
    return 0
