"""Transcripts as tidy DataFrames (pandas imported only when called)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._io import find_transcripts, read_transcript

RUN_COLUMNS = (
    "run_id",
    "study",
    "language",
    "aligned_ratio",
    "individuated_share",
    "model",
    "condition",
    "replicate",
    "seed",
)


def load_turns(root: str | Path, complete_only: bool = True) -> Any:
    """One row per agent turn across every transcript under ``root``.

    Columns: the run's spec (``run_id``, ``language``, ``aligned_ratio``, ...),
    then the turn fields (``agent``, ``turn``, ``speech``, ``thought``, ``vote``,
    ``aligned``, ``individuated``, ``status``, tokens, ``cache_hit``, ...).
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for path in find_transcripts(root):
        lines = read_transcript(path)
        head, foot = lines[0], lines[-1]
        if complete_only and foot.get("status") != "complete":
            continue
        run = {k: head.get(k) for k in RUN_COLUMNS if k != "run_id"}
        run["run_id"] = head.get("run_id") or path.name.split(".")[0]
        for line in lines[1:-1]:
            if line.get("type") == "turn":
                rows.append({**run, **{k: v for k, v in line.items() if k != "type"}})
    return pd.DataFrame(rows)


def load_runs(root: str | Path) -> Any:
    """One row per transcript: spec, footer status and totals."""
    import pandas as pd

    rows = []
    for path in find_transcripts(root):
        lines = read_transcript(path)
        head, foot = lines[0], lines[-1]
        row = {k: head.get(k) for k in RUN_COLUMNS}
        row.update({f"footer_{k}": v for k, v in foot.items() if k != "type"})
        row["path"] = str(path)
        rows.append(row)
    return pd.DataFrame(rows)
