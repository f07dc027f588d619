"""Correlation of per-language effects with a cultural covariate (Hofstede PDI)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from backfire.stats._utils import ArrayLike, check_ci

__all__ = ["correlation", "pdi_sensitivity"]


def correlation(
    x: ArrayLike,
    y: ArrayLike,
    method: Literal["pearson", "spearman"] = "pearson",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Correlation coefficient with a Fisher-z confidence interval.

    The paper's cross-cultural claim is a single correlation over 16
    languages, so the interval matters as much as the p-value: with n = 16 a
    95 % interval on r = .47 runs from about 0 to .78.

    Parameters
    ----------
    x, y : array-like
        Paired values (e.g. PDI score and per-language Hedges' g). Pairs with
        a NaN in either member are dropped with a ``RuntimeWarning``.
    method : {"pearson", "spearman"}
        ``"pearson"`` matches ``cor.test(x, y)`` in R exactly (estimate, CI
        and p). ``"spearman"`` computes rho as the Pearson correlation of the
        ranks (average ranks for ties) and its p-value from the *t*
        approximation ``t = rho sqrt((n-2)/(1-rho^2))``, which is
        ``cor.test(method="spearman", exact=FALSE)``. R's default for n < 1290
        without ties is an exact/Edgeworth p-value (AS 89), which differs in
        the third decimal for n around 16 (see ``docs/stats.md``).
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``r`` (rho for Spearman), ``ci_low``, ``ci_high``, ``p``
        (two-sided), ``n``, ``method``. The interval is
        ``tanh(atanh(r) +/- z / sqrt(n - 3))`` for both methods; for Spearman
        this is the usual approximation (Fieller et al. 1957 suggest a
        slightly wider ``sqrt(1.06 / (n - 3))``), and R's ``cor.test`` gives
        no Spearman interval at all. With n <= 3 the interval is NaN.

    Examples
    --------
    >>> pdi = [54, 80, 60, 80, 77, 93, 57, 68, 35, 69, 50, 66, 78, 70, 31, 40]
    >>> eff = [0.1, 0.9, 0.3, 0.2, 0.8, 1.1, -0.2, 0.4, -0.5, 0.6, 0.0, 0.7, 0.2, 0.3, -0.1, 0.5]
    >>> res = correlation(pdi, eff)
    >>> print(res[["r", "ci_low", "ci_high", "p", "n"]].round(4).to_string(index=False))
         r  ci_low  ci_high      p  n
    0.7166  0.3425   0.8945 0.0018 16
    """
    ci = check_ci(ci)
    if method not in ("pearson", "spearman"):
        raise ValueError(f"`method` must be 'pearson' or 'spearman', got {method!r}.")
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    if xa.size != ya.size:
        raise ValueError(f"`x` and `y` differ in length ({xa.size} vs {ya.size}).")
    bad = np.isnan(xa) | np.isnan(ya)
    if bad.any():
        warnings.warn(
            f"correlation: dropped {int(bad.sum())} pair(s) with NaN of {xa.size}.",
            RuntimeWarning,
            stacklevel=2,
        )
        xa, ya = xa[~bad], ya[~bad]
    n = xa.size
    if n < 3:
        raise ValueError(f"correlation needs at least 3 complete pairs, got {n}.")
    if np.ptp(xa) == 0 or np.ptp(ya) == 0:
        raise ValueError("correlation is undefined when x or y is constant.")

    if method == "spearman":
        xa, ya = stats.rankdata(xa), stats.rankdata(ya)
    r = float(np.corrcoef(xa, ya)[0, 1])
    r = min(1.0, max(-1.0, r))
    if abs(r) == 1.0:
        p = 0.0
    else:
        t = r * math.sqrt((n - 2) / (1.0 - r * r))
        p = float(2.0 * stats.t.sf(abs(t), n - 2))
    if n > 3 and abs(r) < 1.0:
        half = stats.norm.ppf(0.5 + ci / 2.0) / math.sqrt(n - 3)
        lo, hi = math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)
    elif abs(r) == 1.0:
        lo = hi = r
    else:
        lo = hi = float("nan")
    return pd.DataFrame(
        {"r": [r], "ci_low": [lo], "ci_high": [hi], "p": [p], "n": [n], "method": [method]}
    )


def pdi_sensitivity(
    effects: Mapping[str, float] | pd.Series,
    mappings: Mapping[str, Mapping[str, float]],
    ci: float = 0.95,
) -> pd.DataFrame:
    """Recompute the effect-PDI Pearson correlation under alternative PDI mappings.

    A language is not a country: Spanish could be scored with Spain's PDI
    (57) or Mexico's (81), Arabic with the "Arab countries" aggregate or with
    Egypt. If the correlation only holds for one mapping, it is fragile. This
    runs :func:`correlation` once per mapping so the spread is visible.

    Parameters
    ----------
    effects : mapping or Series
        Language code -> per-language effect (e.g. Hedges' g of alignment).
    mappings : mapping
        Mapping name -> {language code -> PDI}. Languages missing from a
        mapping (or with a NaN effect) are left out of that mapping's
        correlation and listed in ``missing``.
    ci : float
        Confidence level for the Fisher-z interval.

    Returns
    -------
    pandas.DataFrame
        One row per mapping, in the given order, with columns ``mapping``,
        ``r``, ``ci_low``, ``ci_high``, ``p``, ``n`` and ``missing`` (comma
        separated language codes that were left out, "" if none).

    Examples
    --------
    >>> effects = {"ja": -0.4, "de": 0.5, "es": -0.1, "sv": 0.6, "ru": -0.9}
    >>> mappings = {
    ...     "primary": {"ja": 54, "de": 35, "es": 57, "sv": 31, "ru": 93},
    ...     "es=Mexico": {"ja": 54, "de": 35, "es": 81, "sv": 31, "ru": 93},
    ... }
    >>> res = pdi_sensitivity(effects, mappings)
    >>> print(res[["mapping", "r", "p", "n"]].round(3).to_string(index=False))
      mapping      r     p  n
      primary -0.952 0.013  5
    es=Mexico -0.865 0.058  5
    """
    eff = pd.Series(effects, dtype=float)
    rows = []
    for name, mapping in mappings.items():
        pdi = pd.Series(mapping, dtype=float)
        common = [
            lang
            for lang in eff.index
            if lang in pdi.index and not (np.isnan(eff[lang]) or np.isnan(pdi[lang]))
        ]
        missing = [str(lang) for lang in eff.index if lang not in common]
        res = correlation(pdi[common].to_numpy(), eff[common].to_numpy(), "pearson", ci)
        row = res.iloc[0]
        rows.append(
            {
                "mapping": name,
                "r": row["r"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "p": row["p"],
                "n": int(row["n"]),
                "missing": ",".join(missing),
            }
        )
    return pd.DataFrame(rows)
