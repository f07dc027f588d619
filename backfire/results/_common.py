"""Small helpers shared by the results tables: means with CIs, shares, NaN rows.

Every table function of :mod:`backfire.results` must survive a missing cell
(users run subsets): the helpers here turn "not enough data" into a row of
NaN with a ``note`` saying why, instead of an exception.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NAN = float("nan")

#: The aligned ratios contrasted by default: full alignment vs the unaligned baseline.
TREATED = 1.0
CONTROL = 0.0


def as_list(value: str | Iterable[str] | None) -> list[str]:
    """``None`` -> ``[]``, a string -> ``[string]``, an iterable -> list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def present(df: pd.DataFrame, cols: Iterable[str]) -> list[str]:
    """The columns of ``cols`` that ``df`` has, in order."""
    return [c for c in cols if c in df.columns]


def groups(df: pd.DataFrame, by: Sequence[str]) -> Iterable[tuple[dict[str, Any], pd.DataFrame]]:
    """Iterate ``(keys as dict, sub-frame)`` over ``by`` (all rows if ``by`` is empty)."""
    by = list(by)
    if not by:
        yield {}, df
        return
    if df.empty:
        return
    for key, sub in df.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(by, key, strict=True)), sub


def quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call ``fn`` and return ``(result, [warning messages])``; warnings are recorded, not shown."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    return out, [str(w.message) for w in caught]


def join_notes(*notes: str | None) -> str:
    """Join non-empty notes with '; ', dropping duplicates."""
    seen: list[str] = []
    for n in notes:
        if n and n not in seen:
            seen.append(n)
    return "; ".join(seen)


def mean_ci(values: Any, ci: float = 0.95) -> dict[str, Any]:
    """Mean with a Student-t interval over independent values (runs).

    Parameters
    ----------
    values : array-like
        One value per unit. NaN values are dropped (and counted in the note).
    ci : float
        Confidence level.

    Returns
    -------
    dict
        ``n``, ``mean``, ``sd``, ``se``, ``ci_low``, ``ci_high``, ``note``.
        With no value everything is NaN; with one value the interval is NaN.
    """
    import numpy as np
    from scipy import stats

    arr = np.asarray(values, dtype=float).ravel()
    n_nan = int(np.isnan(arr).sum())
    arr = arr[~np.isnan(arr)]
    n = int(arr.size)
    note = f"{n_nan} NaN value(s) dropped" if n_nan else ""
    if n == 0:
        return {
            "n": 0,
            "mean": NAN,
            "sd": NAN,
            "se": NAN,
            "ci_low": NAN,
            "ci_high": NAN,
            "note": join_notes("no data", note),
        }
    mean = float(arr.mean())
    if n == 1:
        return {
            "n": 1,
            "mean": mean,
            "sd": NAN,
            "se": NAN,
            "ci_low": NAN,
            "ci_high": NAN,
            "note": join_notes("one value: no interval", note),
        }
    sd = float(arr.std(ddof=1))
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.5 + ci / 2.0, n - 1)) * se
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "se": se,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "note": note,
    }


def share_of_sums(
    numerator: Any,
    other: Any,
    n_boot: int = 2000,
    seed: int = 0,
    ci: float = 0.95,
) -> dict[str, Any]:
    """``sum(num) / (sum(num) + sum(other))`` with a percentile bootstrap over units.

    Used for shares of keyword hits (group-harmony share of protective
    speech, conformity share of conformity + individuation speech): a ratio of
    sums over runs, with runs resampled so that the interval reflects
    between-run variability, as :func:`backfire.stats.conformity_ratio` does.

    Returns
    -------
    dict
        ``share``, ``ci_low``, ``ci_high``, ``numerator_total``,
        ``denominator_total``, ``n_units``, ``note``.
    """
    import numpy as np

    a = np.asarray(numerator, dtype=float).ravel()
    b = np.asarray(other, dtype=float).ravel()
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = int(a.size)
    den = a.sum() + b.sum()
    out = {
        "share": NAN,
        "ci_low": NAN,
        "ci_high": NAN,
        "numerator_total": float(a.sum()),
        "denominator_total": float(den),
        "n_units": n,
        "note": "",
    }
    if n == 0:
        out["note"] = "no data"
        return out
    if den == 0:
        out["note"] = "no hits in either category: share undefined"
        return out
    out["share"] = float(a.sum() / den)
    if n_boot > 0 and n > 1:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(n_boot, n))
        num_b = a[idx].sum(axis=1)
        den_b = num_b + b[idx].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = num_b / den_b
        boot = boot[np.isfinite(boot)]
        if boot.size:
            q = (1.0 - ci) / 2.0
            out["ci_low"], out["ci_high"] = (float(v) for v in np.quantile(boot, [q, 1 - q]))
    elif n == 1:
        out["note"] = "one unit: no interval"
    return out


def ratio_label(ratio: float) -> str:
    """0.0 -> 'unaligned', 1.0 -> 'aligned', otherwise 'ratio 0.5'."""
    if ratio == CONTROL:
        return "unaligned"
    if ratio == TREATED:
        return "aligned"
    return f"ratio {ratio:g}"


def frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame with at least ``columns`` (in that order, extra keys after)."""
    import pandas as pd

    df = pd.DataFrame(rows)
    for c in columns:
        if c not in df.columns:
            df[c] = pd.Series(dtype=float) if df.empty else NAN
    extra = [c for c in df.columns if c not in columns]
    out = df[list(columns) + extra]
    if "note" in out.columns:
        out = out.assign(note=out["note"].fillna("").astype(str))
    return out
