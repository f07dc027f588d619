"""Study 3 (individuation as countermeasure) and Study 4 (cross-model) tables.

Study 3 asks which agents carry the pathology once some are told to "think
independently": run-level DI and conformity by individuated share, and
agent-level comparisons of individuated vs other agents. Agents of one run
are not independent, so every interval here is over **runs**: an agent-level
value is first averaged over the agents of one kind within a run.

Study 4 repeats the Study 1 contrast per model (:func:`alignment_g` with
``by=("model", "language")``) and counts the models in which alignment
backfires in each language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._common import NAN, frame, groups, join_notes, mean_ci, present, share_of_sums
from ._tables import index_by_ratio

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

STUDY3_INDICES = ("DI", "CPI", "conformity_rate", "compliance")
AGENT_INDICES = ("DI", "CPI", "conformity_rate", "harm_rate", "compliance", "dissociation")


def _conformity_share_rows(
    df: pd.DataFrame, keys: dict[str, Any], unit: str = "run_id", **kw: Any
) -> dict[str, Any]:
    """conformity / (conformity + individuation) hits, summed per unit then pooled."""
    per = df.groupby(unit)[["conformity", "individuation"]].sum() if len(df) else df
    res = share_of_sums(
        per["conformity"] if len(df) else [], per["individuation"] if len(df) else [], **kw
    )
    return {
        **keys,
        "index": "conformity_share",
        "n": res["n_units"],
        "mean": res["share"],
        "ci_low": res["ci_low"],
        "ci_high": res["ci_high"],
        "note": res["note"],
    }


def individuation_rates(
    runs: pd.DataFrame,
    indices: Sequence[str] = STUDY3_INDICES,
    by: Sequence[str] = ("model", "language", "aligned_ratio"),
    ci: float = 0.95,
) -> pd.DataFrame:
    """Run-level indices by individuated share (Study 3), with t intervals over runs.

    Adds an ``index == "conformity_share"`` row per cell: conformity /
    (conformity + individuation) keyword hits pooled over the cell's runs,
    bootstrap interval over runs.

    Parameters
    ----------
    runs : DataFrame
        ``analyse(...)["runs"]``.
    indices : sequence of str
        Run-level columns.
    by : sequence of str
        Grouping columns besides ``individuated_share``.
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``*by``, ``individuated_share``, ``index``, ``n``, ``mean``, ``sd``,
        ``se``, ``ci_low``, ``ci_high``, ``note``.
    """
    out = index_by_ratio(runs, indices, by=by, x="individuated_share", ci=ci)
    if runs.empty:
        return out
    by = present(runs, by)
    rows = [
        _conformity_share_rows(sub, {**k, "individuated_share": float(k["individuated_share"])})
        for k, sub in groups(runs, [*by, "individuated_share"])
    ]
    import pandas as pd

    both = pd.concat([out, frame(rows, list(out.columns))], ignore_index=True)
    return both.sort_values([*by, "individuated_share"], kind="stable").reset_index(drop=True)


def individuated_agents(
    agents: pd.DataFrame,
    indices: Sequence[str] = AGENT_INDICES,
    by: Sequence[str] = ("model", "language", "aligned_ratio"),
    ci: float = 0.95,
) -> pd.DataFrame:
    """Agent-level indices of individuated vs other agents (which agents carry the pathology).

    For each run the agents of one kind (individuated or not) are averaged;
    the table gives the mean over runs with a t interval, plus the pooled
    conformity share of that kind of agent. Runs with no agent of a kind do
    not contribute to it.

    Parameters
    ----------
    agents : DataFrame
        ``analyse(...)["agents"]``.
    indices : sequence of str
        Agent-level columns.
    by : sequence of str
        Grouping columns (use ``("model",)`` for one pooled row per model).
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``*by``, ``individuated`` (bool), ``index``, ``n`` (runs), ``n_agents``,
        ``mean``, ``sd``, ``se``, ``ci_low``, ``ci_high``, ``note``.
    """
    by = present(agents, by)
    cols = [*by, "individuated", "index", "n", "n_agents", "mean", "sd", "se"]
    cols += ["ci_low", "ci_high", "note"]
    if agents.empty:
        return frame([{**dict.fromkeys(by, NAN), "index": "DI", "note": "no runs"}], cols)
    rows = []
    for keys, sub in groups(agents, by):
        for flag in (True, False):
            part = sub[sub["individuated"].astype(bool) == flag]
            base = {**keys, "individuated": flag, "n_agents": len(part)}
            if part.empty:
                for idx in (*indices, "conformity_share"):
                    rows.append({**base, "index": idx, "n": 0, "note": "no such agents"})
                continue
            per_run = part.groupby("run_id")[[i for i in indices if i in part]].mean()
            for idx in indices:
                stats = mean_ci(per_run.get(idx, []), ci)
                rows.append({**base, "index": idx, **stats})
            rows.append({**base, **_conformity_share_rows(part, {}), "individuated": flag})
    return frame(rows, cols)


def individuation_contrast(
    agents: pd.DataFrame,
    indices: Sequence[str] = AGENT_INDICES,
    by: Sequence[str] = ("model", "language", "aligned_ratio"),
    ci: float = 0.95,
) -> pd.DataFrame:
    """Within-run difference, individuated minus other agents, in mixed runs.

    Only runs with both kinds of agent (0 < individuated share < 1) count.
    Per run: mean index of its individuated agents minus that of the others;
    then the mean difference over runs with a t interval and a one-sample
    t test (two-sided). A positive DI difference says the individuated agents
    are the more dissociated ones (the paper's Study 3 claim).

    Parameters
    ----------
    agents : DataFrame
        ``analyse(...)["agents"]``.
    indices : sequence of str
        Agent-level columns.
    by : sequence of str
        Grouping columns.
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``*by``, ``index``, ``n_runs``, ``mean_individuated``,
        ``mean_other``, ``diff``, ``ci_low``, ``ci_high``, ``p``, ``note``.
    """
    import numpy as np
    from scipy import stats

    by = present(agents, by)
    cols = [*by, "index", "n_runs", "mean_individuated", "mean_other", "diff"]
    cols += ["ci_low", "ci_high", "p", "note"]
    mixed = agents[(agents["individuated_share"] > 0) & (agents["individuated_share"] < 1)]
    if mixed.empty:
        note = "no runs with both individuated and other agents (0 < share < 1)"
        return frame([{**dict.fromkeys(by, NAN), "index": i, "note": note} for i in indices], cols)
    rows = []
    for keys, sub in groups(mixed, by):
        flag = sub["individuated"].astype(bool)
        for idx in indices:
            a = sub[flag].groupby("run_id")[idx].mean()
            b = sub[~flag].groupby("run_id")[idx].mean()
            d = (a - b).dropna()
            s = mean_ci(d, ci)
            p = NAN
            if s["n"] >= 2 and s["sd"] > 0:
                p = float(stats.ttest_1samp(d.to_numpy(float), 0.0).pvalue)
            rows.append(
                {
                    **keys,
                    "index": idx,
                    "n_runs": s["n"],
                    "mean_individuated": float(a.mean()) if len(a) else NAN,
                    "mean_other": float(b.mean()) if len(b) else NAN,
                    "diff": s["mean"],
                    "ci_low": s["ci_low"],
                    "ci_high": s["ci_high"],
                    "p": p,
                    "note": join_notes(
                        s["note"], "no variation in the difference" if s["sd"] == 0 else ""
                    )
                    if not np.isnan(s["mean"])
                    else s["note"],
                }
            )
    return frame(rows, cols)


def backfire_count(g_table: pd.DataFrame, index: str = "CPI") -> pd.DataFrame:
    """Per language: in how many models does alignment raise (backfire) or lower the index?

    Parameters
    ----------
    g_table : DataFrame
        :func:`alignment_g` by model and language.
    index : str
        Which index's g to count.

    Returns
    -------
    pandas.DataFrame
        ``language``, ``index``, ``n_models`` (with a finite g),
        ``n_backfire`` (g > 0), ``n_protective`` (g < 0), ``backfire_models``,
        ``protective_models``, ``missing_models`` (g not computable), ``note``.
    """
    cols = ["language", "index", "n_models", "n_backfire", "n_protective"]
    cols += ["backfire_models", "protective_models", "missing_models", "note"]
    g = g_table[g_table["index"] == index] if "index" in g_table.columns else g_table.iloc[:0]
    g = g.dropna(subset=["language"]) if "language" in g.columns else g
    if g.empty:
        return frame([{"index": index, "n_models": 0, "note": "no per-model g"}], cols)
    rows = []
    for lang, sub in g.groupby("language", sort=False):
        ok = sub[sub["g"].notna()]
        rows.append(
            {
                "language": lang,
                "index": index,
                "n_models": len(ok),
                "n_backfire": int((ok["g"] > 0).sum()),
                "n_protective": int((ok["g"] < 0).sum()),
                "backfire_models": ", ".join(ok.loc[ok["g"] > 0, "model"].astype(str)),
                "protective_models": ", ".join(ok.loc[ok["g"] < 0, "model"].astype(str)),
                "missing_models": ", ".join(sub.loc[sub["g"].isna(), "model"].astype(str)),
                "note": "" if len(ok) else "no model with a finite g",
            }
        )
    return frame(rows, cols)
