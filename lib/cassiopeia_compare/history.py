"""Many runs over time, read at a glance: a page of pictures (inline SVG, nothing fetched).

- the verdict of each use case of the guide in each run (a grid, one column a run);
- the pass rate and the duration of each run;
- the median and worst latency of the slowest commands, run by run.
"""

from __future__ import annotations

import html
from typing import Any

from .render import STYLE
from .runs import Run

__all__ = ["history_data", "history_html"]

COLOURS = {
    "passed": "#2e7d32",
    "failed": "#c62828",
    "bench error": "#ef6c00",
    "skipped": "#9e9e9e",
    "not covered": "#6a1b9a",
    "absent": "#eeeeee",
}
SERIES = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")
SLOWEST = 5  # commands followed in the latency pictures


def history_data(runs: list[Run]) -> dict[str, Any]:
    keys = sorted({key for run in runs for key in run.verdicts()})
    verdicts = [run.verdicts() for run in runs]
    judged = [[v for v in run.values() if v in ("passed", "failed")] for run in verdicts]
    worst: dict[str, float] = {}
    for run in runs:
        for command, row in run.latency().items():
            worst[command] = max(worst.get(command, 0.0), row["median_ms"])
    slowest = sorted(worst, key=lambda c: -worst[c])[:SLOWEST]
    return {
        "runs": [
            {"name": r.name, "started": r.started, "firmware": r.identity.get("firmware", "")}
            for r in runs
        ],
        "use_cases": [
            {"clause": c, "title": t, "verdicts": [v.get((c, t), "absent") for v in verdicts]}
            for c, t in keys
        ],
        "pass_rate": [
            round(100 * sum(v == "passed" for v in j) / len(j), 1) if j else None for j in judged
        ],
        "duration_s": [r.duration_s for r in runs],
        "latency": {
            c: {
                "median_ms": [r.latency().get(c, {}).get("median_ms") for r in runs],
                "worst_ms": [r.latency().get(c, {}).get("worst_ms") for r in runs],
            }
            for c in slowest
        },
    }


def _grid(data: dict[str, Any]) -> str:
    cell, label_w, top = 22, 360, 30
    rows, runs = data["use_cases"], data["runs"]
    width, height = label_w + cell * len(runs) + 10, top + cell * len(rows) + 10
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"]
    out += [
        f"<text x='{label_w + j * cell + cell // 2}' y='20' font-size='11' "
        f"text-anchor='middle'>{j + 1}</text>"
        for j in range(len(runs))
    ]
    for i, row in enumerate(rows):
        y = top + i * cell
        label = html.escape(f"{row['clause']} {row['title']}"[:58])
        out.append(f"<text x='0' y='{y + 15}' font-size='12'>{label}</text>")
        for j, verdict in enumerate(row["verdicts"]):
            colour = COLOURS.get(verdict, "#000000")
            title = html.escape(f"{row['clause']} {row['title']}: {verdict} in run {j + 1}")
            out.append(
                f"<rect x='{label_w + j * cell}' y='{y}' width='{cell - 2}' height='{cell - 2}' "
                f"fill='{colour}'><title>{title}</title></rect>"
            )
    out.append("</svg>")
    return "".join(out)


def _lines(
    series: dict[str, list[float | None]], unit: str, runs: int, top: float | None = None
) -> str:
    """One line per series over the runs (1..N on the x axis), with its values as titles;
    the y axis from 0 to `top` (a percentage's 100), or a little above the highest value."""
    width, height, left, bottom = 640, 220, 60, 30
    values = [v for s in series.values() for v in s if v is not None]
    high = top or max(values, default=1.0) * 1.1 or 1.0
    step = (width - left - 20) / max(1, runs - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, height - bottom - (height - bottom - 10) * v / high

    axis = height - bottom
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' "
        f"height='{height + 20 * len(series)}'>",
        f"<line x1='{left}' y1='{axis}' x2='{width - 10}' y2='{axis}' stroke='#999'/>",
        f"<text x='0' y='14' font-size='11'>{high:.4g} {html.escape(unit)}</text>",
        f"<text x='0' y='{axis}' font-size='11'>0</text>",
    ]
    out += [
        f"<text x='{left + i * step:.1f}' y='{height - 12}' font-size='11' "
        f"text-anchor='middle'>{i + 1}</text>"
        for i in range(runs)
    ]
    for k, (name, points) in enumerate(series.items()):
        colour = SERIES[k % len(SERIES)]
        coords = [xy(i, v) for i, v in enumerate(points) if v is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        out.append(f"<polyline points='{path}' fill='none' stroke='{colour}' stroke-width='2'/>")
        for (x, y), v in zip(coords, [v for v in points if v is not None], strict=True):
            out.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{colour}'>"
                f"<title>{html.escape(name)}: {v} {html.escape(unit)}</title></circle>"
            )
        out.append(
            f"<text x='{left}' y='{height + 14 + 20 * k}' font-size='12' fill='{colour}'>"
            f"{html.escape(name)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def history_html(runs: list[Run]) -> str:
    data = history_data(runs)
    n = len(runs)
    legend = " ".join(
        f"<span style='background:{c};color:#fff;padding:2px 6px'>{v}</span>"
        for v, c in COLOURS.items()
        if v != "absent"
    )
    table = "".join(
        f"<tr><td>{i + 1}</td><td>{html.escape(r['name'])}</td><td>{html.escape(r['started'])}</td>"
        f"<td>{html.escape(r['firmware'])}</td></tr>"
        for i, r in enumerate(data["runs"])
    )
    latency: dict[str, list[float | None]] = {}
    for command, figures in data["latency"].items():
        latency[f"{command} median"] = figures["median_ms"]
        latency[f"{command} worst"] = figures["worst_ms"]
    return "\n".join(
        [
            f"<!doctype html><html><head><meta charset='utf-8'><title>Run history</title>"
            f"<style>{STYLE}</style></head><body><h1>Run history: {n} runs</h1>",
            f"<table><tr><th>run</th><th>folder</th><th>started</th><th>firmware</th></tr>{table}</table>",
            f"<h2>Verdict per use case</h2><p>{legend}</p>",
            _grid(data),
            "<h2>Pass rate (passed of judged use cases)</h2>",
            _lines({"pass rate": data["pass_rate"]}, "%", n, top=100.0),
            "<h2>Duration of the run</h2>",
            _lines({"duration": data["duration_s"]}, "s", n),
            f"<h2>Latency of the {len(data['latency'])} slowest commands</h2>",
            _lines(latency, "ms", n),
            "</body></html>",
        ]
    )
