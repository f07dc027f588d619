"""Statistics for the Alignment Backfire replication.

Flat functions that take arrays or DataFrames and return tidy
:class:`pandas.DataFrame` objects, checked against R (metafor, lme4/lmerTest,
``cor.test``, ``p.adjust``, ``binom.test``, ``power.t.test``); see
``docs/stats.md`` for formulas and measured agreement.

Examples
--------
>>> from backfire.stats import hedges_g, holm
>>> float(hedges_g([2.0, 3.0, 4.0], [1.0, 2.0, 3.0])["g"].iloc[0]) > 0
True
>>> holm([0.01, 0.02])
array([0.02, 0.02])
"""

from backfire.stats._agreement import cohen_kappa
from backfire.stats._correlation import correlation, pdi_sensitivity
from backfire.stats._counts import binomial_test, conformity_ratio, direction_count
from backfire.stats._effsize import hedges_g, hedges_j
from backfire.stats._mixed import lme4_term, mixed_model, variance_components
from backfire.stats._multicomp import holm
from backfire.stats._power import power_g

__all__ = [
    "binomial_test",
    "cohen_kappa",
    "conformity_ratio",
    "correlation",
    "direction_count",
    "hedges_g",
    "hedges_j",
    "holm",
    "lme4_term",
    "mixed_model",
    "pdi_sensitivity",
    "power_g",
    "variance_components",
]
