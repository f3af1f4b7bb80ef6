"""A replay as people read it: printed text, and one self-contained HTML page."""

from __future__ import annotations

import html
from collections.abc import Iterable

from cassiopeia_compare.render import STYLE as COMPARE_STYLE
from cassiopeia_compare.render import html_table

from .replayer import Finding, Replay

__all__ = ["replay_html", "replay_text"]

STYLE = COMPARE_STYLE + "td{font-family:monospace;vertical-align:top}"


def headline(r: Replay) -> str:
    found = len(r.differences)
    state = f"{found} difference(s)" if found else "no difference"
    return (
        f"{r.name}: {state} in {r.commands} command(s) and {r.urcs} URC(s) replayed; "
        f"{len(r.known)} known (GUESSES.md), {len(r.notes)} note(s), "
        f"{len(r.skipped)} test(s) partly replayed"
    )


def _finding_text(f: Finding) -> list[str]:
    where = f" [{f.source}]" if f.source else ""
    known = [f"    known: GUESSES.md, {f.known}"] if f.known else []
    return [
        f"  {f.test}: {f.what}{where}",
        *known,
        f"    recorded: {f.recorded}",
        f"    replayed: {f.replayed}",
    ]


def replay_text(replays: Iterable[Replay], notes: bool = False) -> str:
    out: list[str] = []
    for r in replays:
        out.append(headline(r))
        out += [f"  setup: {seen}" for seen in r.setup.seen]
        if r.differences:
            out.append(" Differences:")
            out += [line for f in r.differences for line in _finding_text(f)]
        if r.known:
            out.append(" Known differences (GUESSES.md):")
            out += [line for f in r.known for line in _finding_text(f)]
        if notes and r.notes:
            out.append(" Notes (values, bench outcomes):")
            out += [line for f in r.notes for line in _finding_text(f)]
        if r.skipped:
            out.append(" Partly replayed (answers after this only noted):")
            out += [f"  {test}: {why}" for test, why in r.skipped]
    return "\n".join(out)


def _findings(findings: list[Finding]) -> str:
    rows = [[f.test, f.what, f.recorded, f.replayed, f.source, f.known] for f in findings]
    return html_table(["test", "command or URC", "recorded", "replayed", "source", "known"], rows)


def replay_html(replays: list[Replay]) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Replay against the simulator"
        f"</title><style>{STYLE}</style></head><body><h1>Replay against the simulator</h1>"
    ]
    for r in replays:
        good = "bad" if r.differences else "good"
        parts += [
            f"<h2>{html.escape(r.name)}</h2>",
            f"<p class='verdict {good}'>{html.escape(headline(r))}</p>",
            "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in r.setup.seen) + "</ul>",
        ]
        if r.differences:
            parts += ["<h3>Differences</h3>", _findings(r.differences)]
        if r.notes:
            parts += ["<h3>Notes: values and bench outcomes</h3>", _findings(r.notes)]
        if r.skipped:
            parts += [
                "<h3>Partly replayed</h3>",
                html_table(["test", "why"], [list(s) for s in r.skipped]),
            ]
    parts.append("</body></html>")
    return "\n".join(parts)
