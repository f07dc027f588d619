"""The analysis of a full-size study: classify, measures, statistics (issue 7).

The paper's Study 2 design is 16 languages x 5 aligned ratios x 15 replicates
= 1,200 runs of 15 turns x 10 agents: 180,000 turns. This benchmark builds a table of that size from the shipped
reference transcripts (``data/reference/study2``: every language, real model
output), each source run copied into new runs with new ids, ratios and
replicates and its two turns repeated over the fifteen, then times, in one
run, each stage the notebooks run after reading the transcripts:

1. ``classify_turns`` (the lexicon hits of every turn's speech and the length
   of its speech and private thought, every language);
2. ``run_measures`` and ``agent_measures`` with CPI and DI (``_indices``);
3. ``study_tables(..., "study2")``: every statistic of the study (ratio
   slopes, the mixed model, language groups, the PDI correlation and its
   sensitivity, ...).

The numbers in the tables are meaningless (copied runs); the work is that of
the full design. Falls back to the synthetic model's transcripts when the
reference data are absent.

    python -m benchmarks.analysis [--json] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._report import emit

RATIOS = (0.0, 0.3, 0.5, 0.7, 1.0)


def source_turns() -> tuple[pd.DataFrame, str]:
    from backfire.transcripts import load_turns

    ref = Path(__file__).resolve().parent.parent / "data" / "reference" / "study2"
    if any(ref.glob("*.jsonl*")):
        return load_turns(ref), str(ref)
    import asyncio

    from backfire.simulate import run_manifest
    from backfire.spec import load_study

    tmp = tempfile.mkdtemp()
    runs = load_study("study2", "smoke", models=["synthetic"], replicates=2).manifest()
    asyncio.run(run_manifest(runs, tmp, progress=False))
    return load_turns(tmp), "synthetic model (smoke preset)"


def full_design(src: pd.DataFrame, replicates: int, turns: int = 15) -> pd.DataFrame:
    """``languages x 5 ratios x replicates`` runs of ``turns`` turns, copied from ``src``."""
    src = src.sort_values(["run_id", "turn", "agent_index"])
    per_run = {rid: g for rid, g in src.groupby("run_id", sort=False)}
    by_lang: dict[str, list[pd.DataFrame]] = {}
    for g in per_run.values():
        by_lang.setdefault(g["language"].iat[0], []).append(g)
    parts = []
    for lang, runs in by_lang.items():
        k = 0
        for ratio in RATIOS:
            for rep in range(replicates):
                g = runs[k % len(runs)]
                k += 1
                src_turns = sorted(g["turn"].unique())
                t = pd.concat(
                    [g[g["turn"] == src_turns[i % len(src_turns)]] for i in range(turns)],
                    ignore_index=True,
                )
                t["turn"] = np.repeat(np.arange(1, turns + 1), len(t) // turns)
                t["aligned_ratio"] = ratio
                t["replicate"] = rep
                t["run_id"] = f"study2_{lang}_a{round(ratio * 100):03d}_r{rep:02d}"
                parts.append(t)
    return pd.concat(parts, ignore_index=True)


def run(replicates: int) -> dict:
    from backfire.measures import agent_measures, classify_turns, run_measures
    from backfire.results import study_tables
    from backfire.results._analyse import _indices
    from benchmarks.classify import snapshot

    src, where = source_turns()
    turns = full_design(src, replicates)
    tmp = tempfile.TemporaryDirectory()  # lexicons as they are now, even if being edited
    snapshot(Path(tmp.name))
    classify_turns(turns.groupby("language").head(50))  # build every matcher first
    t0 = time.perf_counter()
    classified = classify_turns(turns)
    t_classify = time.perf_counter() - t0
    t0 = time.perf_counter()
    runs, _ = _indices(run_measures(classified), "language")
    agents, _ = _indices(agent_measures(classified), "language")
    t_measures = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # copied runs make degenerate fits; only time matters
        tables = study_tables({"runs": runs, "agents": agents}, "study2")
    t_stats = time.perf_counter() - t0
    tmp.cleanup()
    speech = int(turns["speech"].notna().sum())
    total = t_classify + t_measures + t_stats
    return {
        "source": where,
        "design": f"{turns['language'].nunique()} languages x {len(RATIOS)} ratios x "
        f"{replicates} replicates x 15 turns x 10 agents",
        "runs": int(turns["run_id"].nunique()),
        "turns": len(turns),
        "speeches": speech,
        "classify_s": round(t_classify, 2),
        "turns_per_s": round(len(turns) / t_classify),
        "measures_s": round(t_measures, 2),
        "statistics_s": round(t_stats, 2),
        "tables": len(tables),
        "total_s": round(total, 2),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="3 replicates instead of 15")
    a = p.parse_args(argv)
    res = run(3 if a.quick else 15)
    emit(res, a.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
