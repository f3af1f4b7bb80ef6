"""cassiopeia_compare: what changed between two conformance runs, and over many.

    cassiopeia-compare OLD NEW             # reports folders (or acceptance.json files)
    cassiopeia-compare --history DIR...    # many nightly reports folders, oldest first

Reads only what a run wrote (acceptance.json, recording*.jsonl); imports nothing of the
test path, so it runs anywhere the reports are copied to.
"""

from .compare import Comparison, compare
from .runs import Run, load_run

__all__ = ["Comparison", "Run", "compare", "load_run"]
