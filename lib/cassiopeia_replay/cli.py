"""`cassiopeia-replay`: replay recordings against the simulator and say where they part ways.

    cassiopeia-replay RECORDING... [--out DIR] [--notes] [--urc-wait SECONDS]

Each RECORDING (a run's reports/recording*.jsonl, or a corpus file) is replayed on a fresh
simulated module of its own. Prints the differences (with --notes, the values that differ too)
and writes DIR/replay.html. Exit status: 0 no difference, 1 a difference, 2 unusable input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from atlink.recordings import RecordingError, read_recording

from .render import replay_html, replay_text
from .replayer import URC_WAIT, replay

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cassiopeia-replay",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("recordings", nargs="+", metavar="RECORDING", help="recording files (.jsonl)")
    p.add_argument("--out", default="reports", metavar="DIR", help="where replay.html goes")
    p.add_argument("--notes", action="store_true", help="print the notes too (values that differ)")
    p.add_argument(
        "--urc-wait", type=float, default=URC_WAIT, metavar="S", help="how long a URC may take"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        loaded = [(path, read_recording(path)) for path in args.recordings]
    except RecordingError as exc:
        print(f"cassiopeia-replay: {exc}", file=sys.stderr)
        return 2
    replays = [replay(entries, str(path), args.urc_wait) for path, entries in loaded]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "replay.html").write_text(replay_html(replays), encoding="utf-8")
    print(replay_text(replays, notes=args.notes))
    print(f"written: {out / 'replay.html'}")
    return 1 if any(r.differences for r in replays) else 0


if __name__ == "__main__":
    sys.exit(main())
