"""Family-wise error control across the paper's several outcome indices."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backfire.stats._utils import ArrayLike

__all__ = ["holm"]


def holm(pvalues: ArrayLike) -> np.ndarray | pd.Series:
    """Holm (1979) step-down adjusted p-values, in the input order.

    Each hypothesis (one per outcome index, or one per language) is tested at
    the same family-wise level without Bonferroni's loss of power: the i-th
    smallest of m p-values is multiplied by ``m - i + 1``, then a running
    maximum keeps the adjusted values monotone, and they are capped at 1.
    Identical to ``p.adjust(p, method = "holm")`` in R.

    Parameters
    ----------
    pvalues : array-like or Series
        Raw p-values in [0, 1]. NaN entries stay NaN and, as in R's
        ``p.adjust``, do not count towards m.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Adjusted p-values in the same order (and with the same index when a
        Series was passed).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, 0.005])
    array([0.03, 0.06, 0.06, 0.02])
    >>> holm(pd.Series({"CPI": 0.02, "conformity": 0.5}))
    CPI           0.04
    conformity    0.50
    dtype: float64
    """
    is_series = isinstance(pvalues, pd.Series)
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"`pvalues` must be one-dimensional, got shape {p.shape}.")
    ok = ~np.isnan(p)
    if np.any((p[ok] < 0) | (p[ok] > 1)):
        raise ValueError("p-values must lie in [0, 1].")
    out = np.full(p.shape, np.nan)
    pv = p[ok]
    m = pv.size
    if m:
        order = np.argsort(pv, kind="mergesort")
        adj = np.maximum.accumulate((m - np.arange(m)) * pv[order])
        adj = np.minimum(adj, 1.0)
        res = np.empty(m)
        res[order] = adj
        out[ok] = res
    if is_series:
        return pd.Series(out, index=pvalues.index, name=pvalues.name)
    return out
