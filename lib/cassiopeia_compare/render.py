"""A comparison as people read it: printed text, and one self-contained HTML page."""

from __future__ import annotations

import html

from .compare import Comparison

__all__ = ["STYLE", "comparison_html", "comparison_text", "html_table"]

SECTIONS = (
    ("regressions", "Regressions (passed, now failed)"),
    ("fixes", "Fixes (failed, now passed)"),
    ("newly_covered", "Newly covered"),
    ("no_longer_run", "No longer run"),
    ("other", "Other verdict changes"),
)
STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
    "td,th{border:1px solid #999;padding:4px 8px;text-align:left}"
    ".warn{background:#fff3e0;border-left:6px solid #ef6c00;padding:8px 12px;margin:4px 0}"
    ".verdict{font-size:1.3em;font-weight:bold}.bad{color:#c62828}.good{color:#2e7d32}"
)


def _headline(c: Comparison) -> str:
    if c.regressed:
        return f"{len(c.regressions)} guide use case(s) regressed"
    return "no guide use case regressed"


def comparison_text(c: Comparison) -> str:
    out = [f"old: {c.old.path} ({c.old.started})", f"new: {c.new.path} ({c.new.started})"]
    out += [f"WARNING: {w}" for w in c.warnings]
    out.append(_headline(c).upper())
    for key, old, new in c.identity:
        out.append(f"  {key}: {old or '-'} -> {new or '-'}")
    for name, title in SECTIONS:
        rows = getattr(c, name)
        if rows:
            out.append(f"{title}:")
            out += [f"  {r['clause']} {r['title']}: {r['old']} -> {r['new']}" for r in rows]
    if c.latency:
        out.append("Latency beyond run-to-run noise:")
        out += [
            f"  {r['command']}: {r['old_ms']} -> {r['new_ms']} ms (noise {r['noise_ms']} ms)"
            for r in c.latency
        ]
    if c.shapes:
        out.append("Answers that changed shape:")
        for r in c.shapes:
            out.append(f"  {r['command']}:")
            out += [f"    - {s}" for s in r["only_old"]] + [f"    + {s}" for s in r["only_new"]]
    return "\n".join(out)


def html_table(head: list[str], rows: list[list[str]]) -> str:
    """A plain HTML table, every cell escaped."""
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def comparison_html(c: Comparison) -> str:
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Run comparison</title>"
        f"<style>{STYLE}</style></head><body><h1>Run comparison</h1>",
        html_table(
            ["", "run", "started"],
            [["old", str(c.old.path), c.old.started], ["new", str(c.new.path), c.new.started]],
        ),
        *(f"<div class='warn'>{html.escape(w)}</div>" for w in c.warnings),
        f"<p class='verdict {'bad' if c.regressed else 'good'}'>{html.escape(_headline(c))}</p>",
    ]
    if c.identity:
        parts += [
            "<h2>Identity and bench</h2>",
            html_table(["", "old", "new"], [list(r) for r in c.identity]),
        ]
    for name, title in SECTIONS:
        rows = getattr(c, name)
        if rows:
            parts += [
                f"<h2>{html.escape(title)}</h2>",
                html_table(
                    ["clause", "use case", "old", "new"],
                    [[r["clause"], r["title"], r["old"], r["new"]] for r in rows],
                ),
            ]
    if c.latency:
        parts += [
            "<h2>Latency beyond run-to-run noise</h2>",
            html_table(
                ["command", "old median ms", "new median ms", "noise ms", "new/old"],
                [
                    [r["command"], r["old_ms"], r["new_ms"], r["noise_ms"], r["ratio"]]
                    for r in c.latency
                ],
            ),
        ]
    if c.shapes:
        parts += [
            "<h2>Answers that changed shape</h2>",
            html_table(
                ["command", "only in old", "only in new"],
                [
                    [r["command"], "; ".join(r["only_old"]), "; ".join(r["only_new"])]
                    for r in c.shapes
                ],
            ),
        ]
    parts.append("</body></html>")
    return "\n".join(parts)
