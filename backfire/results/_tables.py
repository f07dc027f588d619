"""Tables shared by the studies: index by ratio, Hedges' g of alignment, speech shares.

Study 1 is made of these (CPI by aligned ratio per language, g of full
alignment vs none per language, group-harmony share of protective speech and
the conformity:individuation ratio, aligned vs unaligned); Studies 2 and 4 use
them per language and per model.

Conventions: one row per group (and per index, in long format); a group or a
cell without enough runs gives a row of NaN with a ``note``, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._common import (
    CONTROL,
    NAN,
    TREATED,
    frame,
    groups,
    join_notes,
    mean_ci,
    present,
    quiet,
    ratio_label,
    share_of_sums,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

BY = ("model", "language")


def _no_runs(by: Sequence[str], extra: dict[str, Any], columns: Sequence[str]) -> pd.DataFrame:
    row = {**dict.fromkeys(by, NAN), **extra, "note": "no runs"}
    return frame([row], columns)


def index_by_ratio(
    runs: pd.DataFrame,
    indices: Sequence[str] = ("CPI", "DI"),
    by: Sequence[str] = BY,
    x: str = "aligned_ratio",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Mean of each index per group and level of ``x``, with a t interval over runs.

    Parameters
    ----------
    runs : DataFrame
        ``analyse(...)["runs"]``.
    indices : sequence of str
        Run-level columns to summarise (``CPI``, ``DI``, ``compliance`` ...).
    by : sequence of str
        Grouping columns (default: model and language).
    x : str
        The design variable on the figure's x axis (``aligned_ratio``, or
        ``individuated_share`` for Study 3).
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Long format: ``*by``, ``x``, ``index``, ``n``, ``mean``, ``sd``,
        ``se``, ``ci_low``, ``ci_high``, ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"model": "m", "language": "en", "aligned_ratio": [0, 0, 1],
    ...                      "CPI": [1.0, 2.0, 0.5], "DI": [0.0, 1.0, 2.0]})
    >>> index_by_ratio(runs, ["CPI"])[["aligned_ratio", "n", "mean"]]
       aligned_ratio  n  mean
    0            0.0  2   1.5
    1            1.0  1   0.5
    """
    by = present(runs, by)
    cols = [*by, x, "index", "n", "mean", "sd", "se", "ci_low", "ci_high", "note"]
    if runs.empty:
        return _no_runs(by, {x: NAN, "index": indices[0] if indices else NAN}, cols)
    rows = []
    for keys, sub in groups(runs, [*by, x]):
        for idx in indices:
            vals = sub[idx] if idx in sub.columns else []
            stats = mean_ci(vals, ci)
            if idx not in sub.columns:
                stats["note"] = f"no column {idx!r}"
            rows.append({**keys, x: float(keys[x]), "index": idx, **stats})
    return frame(rows, cols)


def alignment_g(
    runs: pd.DataFrame,
    indices: Sequence[str] = ("CPI",),
    by: Sequence[str] = BY,
    treated: float = TREATED,
    control: float = CONTROL,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Hedges' g of ``treated`` vs ``control`` aligned ratio, per group and index.

    The paper's Study 1 contrast (full alignment vs the unaligned baseline),
    computed by :func:`backfire.stats.hedges_g` (pooled SD, exact J, Wald CI,
    Student t p-value). Positive g: the index is higher with alignment (for
    CPI: alignment amplifies pathology; negative: it protects).

    Parameters
    ----------
    runs : DataFrame
        ``analyse(...)["runs"]``.
    indices : sequence of str
        Run-level index columns.
    by : sequence of str
        Grouping columns (default: model and language).
    treated, control : float
        The two aligned ratios contrasted.
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``*by``, ``index``, ``treated``, ``control``, ``g``, ``se``,
        ``ci_low``, ``ci_high``, ``t``, ``df``, ``p``, ``p_holm`` (Holm over
        the groups of the same model and index), ``p_welch``, ``n_treated``,
        ``n_control``, ``mean_treated``, ``mean_control``, ``note``. A group
        with fewer than two runs in an arm (or a constant index) has NaN
        statistics and says so in ``note``.
    """
    import numpy as np

    from ..stats import hedges_g, holm

    by = present(runs, by)
    cols = [
        *by,
        "index",
        "treated",
        "control",
        "g",
        "se",
        "ci_low",
        "ci_high",
        "t",
        "df",
        "p",
        "p_holm",
        "p_welch",
        "n_treated",
        "n_control",
        "mean_treated",
        "mean_control",
        "note",
    ]
    if runs.empty:
        extra = {"index": indices[0] if indices else NAN, "treated": treated, "control": control}
        return _no_runs(by, extra, cols)
    rows = []
    for keys, sub in groups(runs, by):
        for idx in indices:
            t = sub.loc[np.isclose(sub["aligned_ratio"], treated), idx].astype(float)
            c = sub.loc[np.isclose(sub["aligned_ratio"], control), idx].astype(float)
            row: dict[str, Any] = {
                **keys,
                "index": idx,
                "treated": treated,
                "control": control,
                "n_treated": int(t.notna().sum()),
                "n_control": int(c.notna().sum()),
                "mean_treated": float(t.mean()) if t.notna().any() else NAN,
                "mean_control": float(c.mean()) if c.notna().any() else NAN,
            }
            if row["n_treated"] < 2 or row["n_control"] < 2:
                row["note"] = (
                    f"needs >= 2 runs per arm (ratio {treated:g}: {row['n_treated']}, "
                    f"ratio {control:g}: {row['n_control']})"
                )
            else:
                res, warns = quiet(hedges_g, t, c, ci=ci)
                r = res.iloc[0]
                row.update({k: float(r[k]) for k in ("g", "se", "ci_low", "ci_high", "t", "df")})
                row.update(p=float(r["p"]), p_welch=float(r["p_welch"]))
                row["note"] = join_notes(*warns)
            rows.append(row)
    out = frame(rows, cols)
    hold = [c for c in ("model",) if c in by] + ["index"]
    out["p_holm"] = NAN
    for _, sub in out.groupby(hold, dropna=False):
        out.loc[sub.index, "p_holm"] = holm(sub["p"].to_numpy(dtype=float))
    return out


def _ratio_rows(
    runs: pd.DataFrame, by: Sequence[str], ratios: Sequence[float]
) -> list[tuple[dict[str, Any], float, pd.DataFrame]]:
    import numpy as np

    out = []
    for keys, sub in groups(runs, by):
        for ratio in ratios:
            out.append((keys, ratio, sub[np.isclose(sub["aligned_ratio"], ratio)]))
    return out


def harmony_share(
    runs: pd.DataFrame,
    by: Sequence[str] = BY,
    ratios: Sequence[float] = (CONTROL, TREATED),
    n_boot: int = 2000,
    seed: int = 0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Group-harmony share of protective speech, per group and aligned ratio.

    ``harmony / (harmony + principled)`` keyword hits summed over the runs of
    a cell (the paper: 89.2 % of Japanese protective speech was group-harmony
    language), with a bootstrap interval that resamples runs.

    Parameters
    ----------
    runs : DataFrame
        ``analyse(...)["runs"]``.
    by : sequence of str
        Grouping columns (default: model and language).
    ratios : sequence of float
        Aligned ratios to report (default: 0.0 and 1.0).
    n_boot, seed : int
        Bootstrap resamples of runs and their seed.
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``*by``, ``aligned_ratio``, ``condition`` (``unaligned`` /
        ``aligned``), ``share``, ``ci_low``, ``ci_high``, ``harmony``,
        ``protective``, ``n_runs``, ``note``.
    """
    by = present(runs, by)
    cols = [*by, "aligned_ratio", "condition", "share", "ci_low", "ci_high"]
    cols += ["harmony", "protective", "n_runs", "note"]
    if runs.empty:
        return _no_runs(by, {"aligned_ratio": NAN}, cols)
    rows = []
    for keys, ratio, cell in _ratio_rows(runs, by, ratios):
        res = share_of_sums(
            cell["protective_harmony"], cell["protective_principled"], n_boot, seed, ci
        )
        rows.append(
            {
                **keys,
                "aligned_ratio": ratio,
                "condition": ratio_label(ratio),
                "share": res["share"],
                "ci_low": res["ci_low"],
                "ci_high": res["ci_high"],
                "harmony": res["numerator_total"],
                "protective": res["denominator_total"],
                "n_runs": res["n_units"],
                "note": res["note"] if len(cell) else f"no runs at ratio {ratio:g}",
            }
        )
    return frame(rows, cols)


def conformity_ratios(
    runs: pd.DataFrame,
    by: Sequence[str] = BY,
    ratios: Sequence[float] = (CONTROL, TREATED),
    zero_rule: str = "add_half",
    n_boot: int = 2000,
    seed: int = 0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Conformity:individuation ratio per group and aligned ratio.

    Ratio of summed conformity hits to summed individuation hits over the runs
    of a cell (:func:`backfire.stats.conformity_ratio`, bootstrap over runs;
    a zero total gets the 0.5 correction of ``zero_rule``). The paper reports
    180.6:1 (fully aligned Japanese) vs 27.1:1 (unaligned).

    Parameters
    ----------
    runs : DataFrame
        ``analyse(...)["runs"]``.
    by : sequence of str
        Grouping columns (default: model and language).
    ratios : sequence of float
        Aligned ratios to report (default: 0.0 and 1.0).
    zero_rule : {"add_half", "always_add_half", "nan"}
        See :func:`backfire.stats.conformity_ratio`.
    n_boot, seed : int
        Bootstrap resamples of runs and their seed.
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``*by``, ``aligned_ratio``, ``condition``, ``ratio``, ``ci_low``,
        ``ci_high``, ``conformity``, ``individuation``, ``n_runs``,
        ``zero_adjusted``, ``note``.
    """
    from ..stats import conformity_ratio

    by = present(runs, by)
    cols = [*by, "aligned_ratio", "condition", "ratio", "ci_low", "ci_high"]
    cols += ["conformity", "individuation", "n_runs", "zero_adjusted", "note"]
    if runs.empty:
        return _no_runs(by, {"aligned_ratio": NAN}, cols)
    rows = []
    for keys, ratio, cell in _ratio_rows(runs, by, ratios):
        row: dict[str, Any] = {
            **keys,
            "aligned_ratio": ratio,
            "condition": ratio_label(ratio),
            "n_runs": len(cell),
        }
        if cell.empty:
            row["note"] = f"no runs at ratio {ratio:g}"
        else:
            res, warns = quiet(
                conformity_ratio,
                cell["conformity"].to_numpy(float),
                cell["individuation"].to_numpy(float),
                zero_rule=zero_rule,
                n_boot=n_boot,
                seed=seed,
                ci=ci,
            )
            r = res.iloc[0]
            one = len(cell) == 1  # a bootstrap over one run is no interval
            row.update(
                ratio=float(r["ratio"]),
                ci_low=NAN if one else float(r["ci_low"]),
                ci_high=NAN if one else float(r["ci_high"]),
                conformity=float(r["conformity_total"]),
                individuation=float(r["individuation_total"]),
                zero_adjusted=bool(r["zero_adjusted"]),
                note=join_notes(
                    "0.5 added to both totals (a zero count)" if r["zero_adjusted"] else "",
                    "one run: no interval" if one else "",
                    *warns,
                ),
            )
        rows.append(row)
    return frame(rows, cols)
