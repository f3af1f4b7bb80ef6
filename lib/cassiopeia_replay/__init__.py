"""cassiopeia_replay: a bench's recording, replayed against the simulator, compared by shape.

    cassiopeia-replay reports/recording.jsonl [--out DIR]

This is how a lab tells us, with one file, where the simulator and its module part ways;
CI replays the fidelity corpus (tests/fidelity/corpus/) the same way.
"""

from .plan import Setup
from .replayer import Finding, Replay, replay

__all__ = ["Finding", "Replay", "Setup", "replay"]
