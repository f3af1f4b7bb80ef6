"""Two runs side by side: what changed in verdicts, latency, identity and answer shapes.

Verdict changes, per use case of the guide, in this order:
- regression: passed before, failed now (the module's answer broke a check);
- fix: failed before, passed now;
- newly covered: not judged before (not covered, skipped, absent), passed or failed now;
- no longer run: passed or failed before, not judged now;
- other: anything else, such as a bench error appearing or going.

A latency change counts when both runs timed the command at least MIN_SAMPLES times and
the medians differ by more than the run-to-run noise: the larger of the two runs' own
spreads (interquartile range), 25 % of the old median, and 1 ms (a simulator's sub-
millisecond round trips jitter by more than their size; a module's take tens of ms).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .runs import Run
from .shapes import shapes_by_form

__all__ = ["MIN_SAMPLES", "Comparison", "compare", "latency_noise"]

MIN_SAMPLES = 3
JUDGED = ("passed", "failed")


@dataclass
class Comparison:
    old: Run
    new: Run
    warnings: list[str] = field(default_factory=list)  # shown at the top: other bench, suite...
    identity: list[tuple[str, str, str]] = field(default_factory=list)  # key, old, new
    regressions: list[dict[str, str]] = field(default_factory=list)
    fixes: list[dict[str, str]] = field(default_factory=list)
    newly_covered: list[dict[str, str]] = field(default_factory=list)
    no_longer_run: list[dict[str, str]] = field(default_factory=list)
    other: list[dict[str, str]] = field(default_factory=list)
    latency: list[dict[str, Any]] = field(default_factory=list)
    shapes: list[dict[str, Any]] = field(default_factory=list)
    shapes_compared: bool = False

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": {"path": str(self.old.path), "started": self.old.started},
            "new": {"path": str(self.new.path), "started": self.new.started},
            "warnings": self.warnings,
            "identity": [{"key": k, "old": o, "new": n} for k, o, n in self.identity],
            "regressions": self.regressions,
            "fixes": self.fixes,
            "newly_covered": self.newly_covered,
            "no_longer_run": self.no_longer_run,
            "other": self.other,
            "latency": self.latency,
            "shapes": self.shapes if self.shapes_compared else None,
            "regressed": self.regressed,
        }


def latency_noise(old: dict[str, Any], new: dict[str, Any]) -> float:
    """How far apart two medians (ms) may be by chance alone."""
    spread = max(
        old.get("p75_ms", old["median_ms"]) - old.get("p25_ms", old["median_ms"]),
        new.get("p75_ms", new["median_ms"]) - new.get("p25_ms", new["median_ms"]),
    )
    return max(spread, 0.25 * old["median_ms"], 1.0)


def _verdicts(comparison: Comparison) -> None:
    old, new = comparison.old.verdicts(), comparison.new.verdicts()
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, "absent"), new.get(key, "absent")
        if before == after:
            continue
        row = {"clause": key[0], "title": key[1], "old": before, "new": after}
        if before == "passed" and after == "failed":
            comparison.regressions.append(row)
        elif before == "failed" and after == "passed":
            comparison.fixes.append(row)
        elif before not in JUDGED and after in JUDGED:
            comparison.newly_covered.append(row)
        elif before in JUDGED and after not in JUDGED:
            comparison.no_longer_run.append(row)
        else:
            comparison.other.append(row)


def _latency(comparison: Comparison) -> None:
    old, new = comparison.old.latency(), comparison.new.latency()
    for command in sorted(set(old) & set(new)):
        a, b = old[command], new[command]
        if min(a["count"], b["count"]) < MIN_SAMPLES:
            continue
        noise = latency_noise(a, b)
        if abs(b["median_ms"] - a["median_ms"]) > noise:
            comparison.latency.append(
                {
                    "command": command,
                    "old_ms": a["median_ms"],
                    "new_ms": b["median_ms"],
                    "noise_ms": round(noise, 3),
                    "ratio": round(b["median_ms"] / a["median_ms"], 2) if a["median_ms"] else None,
                }
            )
    comparison.latency.sort(key=lambda row: -(row["ratio"] or 0))  # slower first


def _shapes(comparison: Comparison) -> None:
    if not (comparison.old.recording and comparison.new.recording):
        return
    comparison.shapes_compared = True
    old, new = shapes_by_form(comparison.old.recording), shapes_by_form(comparison.new.recording)
    for form in sorted(set(old) & set(new)):
        if old[form] != new[form]:
            comparison.shapes.append(
                {
                    "command": form,
                    "only_old": sorted(old[form] - new[form]),
                    "only_new": sorted(new[form] - old[form]),
                }
            )


def compare(old: Run, new: Run) -> Comparison:
    comparison = Comparison(old, new)
    a, b = old.identity, new.identity
    comparison.identity = [(k, a.get(k, ""), b.get(k, "")) for k in a | b if a.get(k) != b.get(k)]
    for key, what in (("bench", "benches"), ("suite commit", "suite versions")):
        if a.get(key) != b.get(key):
            comparison.warnings.append(
                f"different {what}: {a.get(key, '?')} then {b.get(key, '?')}; "
                "a change may come from that, not from the module"
            )
    _verdicts(comparison)
    _latency(comparison)
    _shapes(comparison)
    if not comparison.shapes_compared:
        comparison.warnings.append("answer shapes not compared: a run carries no recording")
    return comparison
