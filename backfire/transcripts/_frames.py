"""Transcripts as tidy DataFrames (pandas imported only when called)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._io import find_transcripts, read_ends, read_transcript

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
        head, foot = read_ends(path)  # the turns are streamed past, not parsed
        row = {k: head.get(k) for k in RUN_COLUMNS}
        row.update({f"footer_{k}": v for k, v in foot.items() if k != "type"})
        row["path"] = str(path)
        rows.append(row)
    return pd.DataFrame(rows)


def summarize_runs(root: str | Path) -> Any:
    """What a folder of transcripts holds, per study and model: for a data README.

    Columns: ``study``, ``model``, ``runs`` (whole transcripts), ``complete``,
    ``failed``, ``languages``, ``calls``, ``prompt_tokens``,
    ``completion_tokens``, ``run_seconds`` (sum of each run's own wall time;
    runs overlap, so this is not the elapsed time), ``first_started`` /
    ``last_started`` (UTC), ``gguf_sha256`` (embedded models) and
    ``versions`` (backfire, litellm, llama.cpp of the first run).
    """
    import pandas as pd

    rows = []
    for path in find_transcripts(root):
        head, foot = read_ends(path)
        prov = head.get("provenance") or {}
        rows.append(
            {
                "study": head.get("study"),
                "model": head.get("model"),
                "language": head.get("language"),
                "complete": foot.get("status") == "complete",
                "calls": foot.get("calls") or 0,
                "prompt_tokens": foot.get("prompt_tokens") or 0,
                "completion_tokens": foot.get("completion_tokens") or 0,
                "seconds": foot.get("seconds") or 0.0,
                "started": prov.get("started_at"),
                "gguf_sha256": prov.get("gguf_sha256"),
                "versions": ", ".join(f"{k} {v}" for k, v in (prov.get("versions") or {}).items()),
            }
        )
    cols = [
        "study",
        "model",
        "runs",
        "complete",
        "failed",
        "languages",
        "calls",
        "prompt_tokens",
        "completion_tokens",
        "run_seconds",
        "first_started",
        "last_started",
        "gguf_sha256",
        "versions",
    ]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows)
    out = (
        df.groupby(["study", "model"], sort=True)
        .agg(
            runs=("complete", "size"),
            complete=("complete", "sum"),
            languages=("language", "nunique"),
            calls=("calls", "sum"),
            prompt_tokens=("prompt_tokens", "sum"),
            completion_tokens=("completion_tokens", "sum"),
            run_seconds=("seconds", "sum"),
            first_started=("started", "min"),
            last_started=("started", "max"),
            gguf_sha256=("gguf_sha256", "first"),
            versions=("versions", "first"),
        )
        .reset_index()
    )
    out["failed"] = out["runs"] - out["complete"]
    out["run_seconds"] = out["run_seconds"].round(0)
    return out[cols]
