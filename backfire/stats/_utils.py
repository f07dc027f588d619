"""Small input helpers shared by the statistics modules."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

ArrayLike = Sequence[float] | np.ndarray | pd.Series


def as_clean_1d(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a float 1-D array with NaN removed.

    Dropping is never silent: a :class:`RuntimeWarning` names the argument and
    the number of values removed, so a run that failed to produce an index is
    visible in the log rather than quietly shrinking a group.
    """
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional, got shape {arr.shape}.")
    mask = np.isnan(arr)
    if mask.any():
        warnings.warn(
            f"`{name}`: dropped {int(mask.sum())} NaN value(s) of {arr.size}.",
            RuntimeWarning,
            stacklevel=3,
        )
        arr = arr[~mask]
    if np.isinf(arr).any():
        raise ValueError(f"`{name}` contains infinite values.")
    return arr


def check_ci(ci: float) -> float:
    """Validate a confidence level given as a fraction in (0, 1)."""
    ci = float(ci)
    if not 0.0 < ci < 1.0:
        raise ValueError(f"`ci` must be strictly between 0 and 1, got {ci}.")
    return ci
