"""A finished run, as its reports folder holds it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlink.recordings import RecordingError, read_recording

__all__ = ["IDENTITY_KEYS", "Run", "RunError", "load_run"]

# what names the module, its firmware, the bench and the suite; the state a module was found
# in at the start of a run (CFUN, SIM...) is not identity
IDENTITY_KEYS = (
    "module model",
    "module manufacturer",
    "firmware",
    "IMEI",
    "bench",
    "bench file",
    "port",
    "capabilities",
    "suite commit",
)


class RunError(ValueError):
    """Not a run's reports: the message says what is missing."""


@dataclass
class Run:
    path: Path
    acceptance: dict[str, Any]
    recording: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name if self.path.name != "acceptance.json" else self.path.parent.name

    @property
    def identity(self) -> dict[str, str]:
        found = self.acceptance.get("module_and_bench", {})
        return {key: str(found[key]) for key in IDENTITY_KEYS if key in found}

    @property
    def started(self) -> str:
        return str(self.acceptance.get("suite", {}).get("started", ""))

    @property
    def duration_s(self) -> float:
        return float(self.acceptance.get("suite", {}).get("duration_s", 0.0))

    def verdicts(self) -> dict[tuple[str, str], str]:
        """(clause, title) -> verdict, for the guide's use cases."""
        return {
            (row["clause"], row["title"]): row["verdict"]
            for row in self.acceptance.get("use_cases", [])
            if row.get("in_guide", True)
        }

    def latency(self) -> dict[str, dict[str, Any]]:
        return {row["command"]: row for row in self.acceptance.get("latency", [])}


def load_run(path: str | Path) -> Run:
    """A reports folder (acceptance.json and recordings beside it) or an acceptance.json."""
    path = Path(path)
    sheet = path / "acceptance.json" if path.is_dir() else path
    if not sheet.is_file():
        raise RunError(f"{path}: no acceptance.json (is it a reports folder of a run?)")
    try:
        acceptance = json.loads(sheet.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunError(f"{sheet}: not a readable acceptance sheet: {exc}") from None
    if not isinstance(acceptance, dict) or "use_cases" not in acceptance:
        raise RunError(f"{sheet}: not an acceptance sheet (no use_cases)")
    recording = []
    for file in sorted(sheet.parent.glob("recording*.jsonl")):
        try:
            recording += read_recording(file)
        except RecordingError as exc:
            raise RunError(str(exc)) from None
    return Run(path if path.is_dir() else sheet.parent, acceptance, recording)
