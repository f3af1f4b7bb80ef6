"""`cassiopeia-compare`: what changed between two runs, or over many.

    cassiopeia-compare OLD NEW [--out DIR]           # prints, writes DIR/compare.html, .json
    cassiopeia-compare --history DIR... [--out DIR]  # writes DIR/history.html, .json

OLD and NEW are reports folders (or their acceptance.json). Exit status: 0, or 1 when a
use case of the guide regressed (passed, now failed), so a release pipeline can gate on
it; 2 for unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .compare import compare
from .history import history_data, history_html
from .render import comparison_html, comparison_text
from .runs import RunError, load_run

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cassiopeia-compare",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="reports folders or acceptance.json")
    p.add_argument("--history", action="store_true", help="a history page over the runs given")
    p.add_argument("--out", default="reports", metavar="DIR", help="where to write (reports)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.history and len(args.runs) != 2:
        parser.error("give two runs, OLD and NEW (or --history with any number)")
    try:
        runs = [load_run(path) for path in args.runs]
    except RunError as exc:
        print(f"cassiopeia-compare: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.history:
        (out / "history.json").write_text(json.dumps(history_data(runs), indent=2))
        (out / "history.html").write_text(history_html(runs))
        print(f"history of {len(runs)} runs: {out / 'history.html'}")
        return 0
    comparison = compare(*runs)
    (out / "compare.json").write_text(json.dumps(comparison.as_dict(), indent=2))
    (out / "compare.html").write_text(comparison_html(comparison))
    print(comparison_text(comparison))
    print(f"written: {out / 'compare.html'}, {out / 'compare.json'}")
    return 1 if comparison.regressed else 0


if __name__ == "__main__":
    sys.exit(main())
