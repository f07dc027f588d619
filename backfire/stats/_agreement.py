"""Agreement between two binary codings of the same items (Cohen's kappa)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from backfire.stats._utils import ArrayLike, check_ci

__all__ = ["cohen_kappa"]


def _binary(values: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D sequence, got shape {arr.shape}")
    if arr.dtype == bool:
        return arr
    if not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name}: values must be 0/1 or booleans")
    return arr.astype(bool)


def cohen_kappa(x: ArrayLike, y: ArrayLike, ci: float = 0.95) -> pd.DataFrame:
    """Cohen's kappa of two binary codings of the same items.

    Used to compare the lexicon with a human-style coding (and two annotators
    with each other): F1 rewards agreeing on positives only, kappa corrects
    agreement for what the two base rates would give by chance, so a category
    that is rare in one language is not flattered.

    Parameters
    ----------
    x, y : array-like of bool or 0/1
        The two codings, same length, at least one item.
    ci : float
        Level of the confidence interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``both`` (coded positive by both), ``x_only``,
        ``y_only``, ``neither``, ``agreement`` (observed proportion),
        ``expected`` (chance agreement from the marginals), ``kappa``,
        ``se`` and ``ci_low``/``ci_high`` (large-sample standard error
        ``sqrt(po (1 - po) / (n (1 - pe)^2))``, Cohen 1960; clipped to
        [-1, 1]). ``kappa`` is NaN when chance agreement is 1 (both codings
        constant and equal), where it is undefined.

    Examples
    --------
    >>> x = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    >>> y = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    >>> res = cohen_kappa(x, y)
    >>> print(res[["n", "agreement", "expected", "kappa"]].round(3).to_string(index=False))
     n  agreement  expected  kappa
    50        0.7       0.5    0.4
    """
    level = check_ci(ci)
    a, b = _binary(x, "x"), _binary(y, "y")
    if a.shape != b.shape:
        raise ValueError(f"x and y: lengths differ ({a.size} vs {b.size})")
    n = int(a.size)
    if n == 0:
        raise ValueError("x: at least one item is needed")
    both = int((a & b).sum())
    x_only = int((a & ~b).sum())
    y_only = int((~a & b).sum())
    neither = n - both - x_only - y_only
    po = (both + neither) / n
    pa, pb = a.mean(), b.mean()
    pe = float(pa * pb + (1 - pa) * (1 - pb))
    nan = float("nan")
    if math.isclose(pe, 1.0):
        kappa = se = lo = hi = nan
    else:
        kappa = (po - pe) / (1 - pe)
        se = math.sqrt(po * (1 - po) / (n * (1 - pe) ** 2))
        z = stats.norm.ppf(0.5 + level / 2)
        lo, hi = max(-1.0, kappa - z * se), min(1.0, kappa + z * se)
    return pd.DataFrame(
        [
            {
                "n": n,
                "both": both,
                "x_only": x_only,
                "y_only": y_only,
                "neither": neither,
                "agreement": po,
                "expected": pe,
                "kappa": kappa,
                "se": se,
                "ci_low": lo,
                "ci_high": hi,
            }
        ]
    )
