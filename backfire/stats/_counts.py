"""Count-based summaries: sign tests, direction of per-language effects, conformity ratio."""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from backfire.stats._utils import ArrayLike, check_ci

__all__ = ["binomial_test", "conformity_ratio", "direction_count"]

_ALTERNATIVES = {
    "two-sided": "two-sided",
    "two.sided": "two-sided",
    "greater": "greater",
    "less": "less",
}


def binomial_test(
    k: int,
    n: int,
    p: float = 0.5,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Exact binomial test of ``k`` successes in ``n`` trials.

    Used as a sign test: are protective languages more common than
    amplifying ones than chance (p = 0.5) would give?

    Parameters
    ----------
    k, n : int
        Successes and trials, ``0 <= k <= n``, ``n >= 1``.
    p : float
        Success probability under the null hypothesis.
    alternative : {"two-sided", "greater", "less"}
        R's spelling ``"two.sided"`` is accepted too. The two-sided p-value
        sums the probabilities of all outcomes no more likely than ``k``
        (with R's relative tolerance 1e-7), as ``binom.test`` does.
    ci : float
        Level of the Clopper-Pearson interval (one-sided for one-sided
        alternatives, as in R).

    Returns
    -------
    pandas.DataFrame
        One row: ``k``, ``n``, ``p0``, ``estimate`` (k/n), ``p``, ``ci_low``,
        ``ci_high``, ``alternative``.

    Examples
    --------
    >>> res = binomial_test(12, 16)
    >>> print(res[["k", "n", "estimate", "p", "ci_low", "ci_high"]].round(4).to_string(index=False))
     k  n  estimate      p  ci_low  ci_high
    12 16      0.75 0.0768  0.4762   0.9273
    """
    ci = check_ci(ci)
    if alternative not in _ALTERNATIVES:
        raise ValueError(
            f"`alternative` must be 'two-sided', 'greater' or 'less', got {alternative!r}."
        )
    k, n = int(k), int(n)
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need n >= 1 and 0 <= k <= n, got k={k}, n={n}.")
    alt = _ALTERNATIVES[alternative]
    res = stats.binomtest(k, n, p=p, alternative=alt)
    lo, hi = res.proportion_ci(confidence_level=ci, method="exact")
    return pd.DataFrame(
        {
            "k": [k],
            "n": [n],
            "p0": [float(p)],
            "estimate": [k / n],
            "p": [float(res.pvalue)],
            "ci_low": [float(lo)],
            "ci_high": [float(hi)],
            "alternative": [alt],
        }
    )


def direction_count(
    effects: ArrayLike | pd.Series,
    ci_low: ArrayLike | None = None,
    ci_high: ArrayLike | None = None,
    rule: Literal["sign", "ci"] = "sign",
) -> pd.DataFrame:
    """Count protective (effect < 0) and amplifying (effect > 0) languages.

    The paper's headline is that alignment helps in some languages and
    backfires in others. Two readings of "helps" are supported:

    - ``rule="sign"``: classify by the sign of the point estimate. Every
      language counts; noise alone produces about half in each class.
    - ``rule="ci"``: only a confidence interval that excludes 0 counts
      (``ci_high < 0`` protective, ``ci_low > 0`` amplifying); the rest are
      ``null``. Conservative with 15 runs per arm.

    Parameters
    ----------
    effects : array-like or Series
        Per-language effect (negative = alignment lowers the pathology index).
        A Series index (language codes) is kept in ``attrs["classification"]``.
    ci_low, ci_high : array-like, optional
        Interval limits aligned with ``effects``; required for ``rule="ci"``.
    rule : {"sign", "ci"}
        Classification rule, see above.

    Returns
    -------
    pandas.DataFrame
        One row: ``rule``, ``n``, ``n_protective``, ``n_amplifying``,
        ``n_null`` (zero effect, or CI containing 0), ``share_protective``
        (among the classified ones) and ``p_sign`` (two-sided exact binomial
        test of protective vs amplifying at 0.5, ignoring nulls; NaN if none
        are classified). ``attrs["classification"]`` is a Series of labels
        ``"protective"``, ``"amplifying"``, ``"null"``. Languages with a NaN
        effect are dropped with a warning.

    Examples
    --------
    >>> eff = pd.Series({"ja": -0.8, "ko": -0.3, "de": 0.4, "sv": 0.2})
    >>> direction_count(eff)[["rule", "n_protective", "n_amplifying", "n_null"]]
       rule  n_protective  n_amplifying  n_null
    0  sign             2             2       0
    >>> res = direction_count(eff, [-1.5, -1.0, -0.3, -0.5], [-0.1, 0.4, 1.1, 0.9], rule="ci")
    >>> res[["n_protective", "n_amplifying", "n_null"]]
       n_protective  n_amplifying  n_null
    0             1             0       3
    >>> res.attrs["classification"].to_dict()
    {'ja': 'protective', 'ko': 'null', 'de': 'null', 'sv': 'null'}
    """
    if rule not in ("sign", "ci"):
        raise ValueError(f"`rule` must be 'sign' or 'ci', got {rule!r}.")
    index = effects.index if isinstance(effects, pd.Series) else None
    eff = np.asarray(effects, dtype=float).ravel()
    if index is None:
        index = pd.RangeIndex(eff.size)
    if rule == "ci":
        if ci_low is None or ci_high is None:
            raise ValueError("rule='ci' needs `ci_low` and `ci_high`.")
        lo = np.asarray(ci_low, dtype=float).ravel()
        hi = np.asarray(ci_high, dtype=float).ravel()
        if not lo.size == hi.size == eff.size:
            raise ValueError("`effects`, `ci_low` and `ci_high` must have the same length.")
        if np.any(lo > hi):
            raise ValueError("`ci_low` exceeds `ci_high` for some entries.")
    bad = np.isnan(eff)
    if rule == "ci":
        bad |= np.isnan(lo) | np.isnan(hi)
    if bad.any():
        warnings.warn(
            f"direction_count: dropped {int(bad.sum())} language(s) with NaN.",
            RuntimeWarning,
            stacklevel=2,
        )
    keep = ~bad
    if rule == "sign":
        prot, amp = eff < 0, eff > 0
    else:
        prot, amp = hi < 0, lo > 0
    labels = np.where(prot, "protective", np.where(amp, "amplifying", "null"))
    classification = pd.Series(labels[keep], index=index[keep], name="direction")
    n_p, n_a = int((prot & keep).sum()), int((amp & keep).sum())
    n = int(keep.sum())
    n_dir = n_p + n_a
    p_sign = float(stats.binomtest(n_p, n_dir, 0.5).pvalue) if n_dir else float("nan")
    out = pd.DataFrame(
        {
            "rule": [rule],
            "n": [n],
            "n_protective": [n_p],
            "n_amplifying": [n_a],
            "n_null": [n - n_dir],
            "share_protective": [n_p / n_dir if n_dir else float("nan")],
            "p_sign": [p_sign],
        }
    )
    out.attrs["classification"] = classification
    return out


_ZERO_RULES = ("add_half", "always_add_half", "nan")


def _ratio(num: np.ndarray, den: np.ndarray, zero_rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised ratio of sums under ``zero_rule``; returns (ratio, adjusted flag)."""
    num = num.astype(float)
    den = den.astype(float)
    if zero_rule == "always_add_half":
        return (num + 0.5) / (den + 0.5), np.ones(num.shape, bool)
    zero = (num == 0) | (den == 0)
    if zero_rule == "add_half":
        return np.where(zero, (num + 0.5) / (den + 0.5), num / np.where(den == 0, 1, den)), zero
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den == 0, np.nan, num / np.where(den == 0, 1, den))
    return r, np.zeros(num.shape, bool)


def conformity_ratio(
    conformity_counts: ArrayLike,
    individuation_counts: ArrayLike,
    zero_rule: Literal["add_half", "always_add_half", "nan"] = "add_half",
    n_boot: int = 2000,
    seed: int = 0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Ratio of total conformity to total individuation utterances, with a bootstrap CI.

    The ratio of sums (not the mean of per-run ratios) is used because many
    runs have few or no individuation utterances, which would make per-run
    ratios undefined or explosive. The interval resamples whole runs, so it
    reflects between-run variability, the unit of replication.

    Parameters
    ----------
    conformity_counts, individuation_counts : array-like of int
        One count per run, paired (same runs, same order).
    zero_rule : {"add_half", "always_add_half", "nan"}
        What to do with a zero total. ``"add_half"`` (default): if either
        summed count is 0, add 0.5 to both (the Haldane-Anscombe correction
        used for odds ratios), so the ratio is finite and positive; otherwise
        the plain ratio. ``"always_add_half"``: add 0.5 to both sums always
        (a slightly shrunk ratio, continuous across the zero boundary).
        ``"nan"``: no correction; a zero denominator gives NaN. The same rule
        is applied within every bootstrap resample.
    n_boot : int
        Bootstrap resamples of runs (0 to skip the interval).
    seed : int
        Seed for ``numpy.random.default_rng``.
    ci : float
        Level of the percentile interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``ratio``, ``ci_low``, ``ci_high`` (percentile bootstrap
        over runs; resamples with an undefined ratio are excluded and counted
        in ``n_boot_undefined``), ``conformity_total``,
        ``individuation_total``, ``n_runs``, ``zero_rule``, ``zero_adjusted``
        (whether 0.5 was added to the point estimate), ``n_boot``,
        ``n_boot_undefined``.

    Examples
    --------
    >>> res = conformity_ratio([3, 5, 2, 4], [1, 2, 0, 1], n_boot=500, seed=1)
    >>> print(res[["ratio", "conformity_total", "individuation_total"]].to_string(index=False))
     ratio  conformity_total  individuation_total
       3.5                14                    4
    >>> conformity_ratio([2, 1], [0, 0], n_boot=0)[["ratio", "zero_adjusted"]]
       ratio  zero_adjusted
    0    7.0           True
    """
    ci = check_ci(ci)
    if zero_rule not in _ZERO_RULES:
        raise ValueError(f"`zero_rule` must be one of {_ZERO_RULES}, got {zero_rule!r}.")
    c = np.asarray(conformity_counts, dtype=float).ravel()
    d = np.asarray(individuation_counts, dtype=float).ravel()
    if c.size != d.size:
        raise ValueError(
            f"count arrays differ in length ({c.size} vs {d.size}); they must be paired by run."
        )
    if c.size == 0:
        raise ValueError("no runs given.")
    if np.isnan(c).any() or np.isnan(d).any():
        raise ValueError("counts contain NaN; drop failed runs explicitly before calling.")
    if (c < 0).any() or (d < 0).any():
        raise ValueError("counts must be non-negative.")
    ratio, adjusted = _ratio(np.array([c.sum()]), np.array([d.sum()]), zero_rule)
    lo = hi = float("nan")
    n_undef = 0
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, c.size, size=(n_boot, c.size))
        boot, _ = _ratio(c[idx].sum(axis=1), d[idx].sum(axis=1), zero_rule)
        finite = np.isfinite(boot)
        n_undef = int((~finite).sum())
        if finite.any():
            a = (1.0 - ci) / 2.0
            lo, hi = (float(v) for v in np.quantile(boot[finite], [a, 1.0 - a]))
    return pd.DataFrame(
        {
            "ratio": [float(ratio[0])],
            "ci_low": [lo],
            "ci_high": [hi],
            "conformity_total": [int(c.sum()) if np.all(c == np.round(c)) else c.sum()],
            "individuation_total": [int(d.sum()) if np.all(d == np.round(d)) else d.sum()],
            "n_runs": [int(c.size)],
            "zero_rule": [zero_rule],
            "zero_adjusted": [bool(adjusted[0])],
            "n_boot": [int(n_boot)],
            "n_boot_undefined": [n_undef],
        }
    )
