"""Hedges' g against metafor::escalc / t.test / effectsize values stored in reference/."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from backfire.stats import hedges_g, hedges_j

# Closed-form statistics: measured agreement with R is ~1e-14; 1e-9 leaves room
# for BLAS / libm differences across platforms.
TOL_CLOSED = 1e-9
# The nct interval is a root of a noncentral-t CDF; R (pt) and SciPy (nct.cdf,
# Boost) agree to ~4e-12 at the roots.
TOL_NCT = 1e-8
# effectsize::hedges_g finds the nct limits with optim(abstol = 1e-9), which is
# only accurate to ~3e-7 in g.
TOL_EFFECTSIZE = 1e-6

COLUMNS = ["g", "se", "ci_low", "ci_high", "t", "df", "p", "p_welch"]


def _groups(fixture_data, case):
    d = fixture_data("two_groups")
    d = d[d.case == case]
    return d.value[d.group == "treated"].to_numpy(), d.value[d.group == "control"].to_numpy()


def _cases(ref):
    return list(ref("hedges").case)


CASES = ["paper_like", "negative", "unequal", "small", "no_effect"]


def test_reference_cases_present(ref):
    assert _cases(ref) == CASES


@pytest.mark.parametrize("case", CASES)
def test_exact_matches_escalc_and_t_test(ref, fixture_data, case):
    r = ref("hedges").set_index("case").loc[case]
    res = hedges_g(*_groups(fixture_data, case))
    assert list(res.columns[:8]) == COLUMNS
    row = res.iloc[0]
    assert row.g == pytest.approx(r.g_exact, abs=TOL_CLOSED)
    assert row.se == pytest.approx(math.sqrt(r.vi_exact), abs=TOL_CLOSED)
    assert row.ci_low == pytest.approx(r.ci_low_exact, abs=TOL_CLOSED)
    assert row.ci_high == pytest.approx(r.ci_high_exact, abs=TOL_CLOSED)
    assert pytest.approx(r.J_exact, abs=TOL_CLOSED) == row.J
    assert row.d == pytest.approx(r.d, abs=TOL_CLOSED)
    assert row.t == pytest.approx(r.t, abs=TOL_CLOSED)
    assert row.df == r.df
    assert row.p == pytest.approx(r.p, abs=TOL_CLOSED)
    assert row.t_welch == pytest.approx(r.t_welch, abs=TOL_CLOSED)
    assert row.df_welch == pytest.approx(r.df_welch, abs=TOL_CLOSED)
    assert row.p_welch == pytest.approx(r.p_welch, abs=TOL_CLOSED)


@pytest.mark.parametrize("case", CASES)
def test_approx_correction(ref, fixture_data, case):
    r = ref("hedges").set_index("case").loc[case]
    row = hedges_g(*_groups(fixture_data, case), correction="approx").iloc[0]
    assert row.g == pytest.approx(r.g_approx, abs=TOL_CLOSED)
    assert row.se == pytest.approx(r.se_approx, abs=TOL_CLOSED)
    assert row.ci_low == pytest.approx(r.ci_low_approx, abs=TOL_CLOSED)
    assert row.ci_high == pytest.approx(r.ci_high_approx, abs=TOL_CLOSED)


@pytest.mark.parametrize("case", CASES)
def test_nct_interval(ref, fixture_data, case):
    r = ref("hedges").set_index("case").loc[case]
    x, y = _groups(fixture_data, case)
    row = hedges_g(x, y, ci_method="nct").iloc[0]
    assert row.ci_low == pytest.approx(r.nct_ci_low, abs=TOL_NCT)
    assert row.ci_high == pytest.approx(r.nct_ci_high, abs=TOL_NCT)
    assert row.ci_low == pytest.approx(r.effectsize_ci_low, abs=TOL_EFFECTSIZE)
    assert row.ci_high == pytest.approx(r.effectsize_ci_high, abs=TOL_EFFECTSIZE)
    row90 = hedges_g(x, y, ci_method="nct", ci=0.90).iloc[0]
    assert row90.ci_low == pytest.approx(r.nct90_ci_low, abs=TOL_NCT)
    assert row90.ci_high == pytest.approx(r.nct90_ci_high, abs=TOL_NCT)
    # g is the same whichever interval is asked for.
    assert row.g == pytest.approx(r.g_exact, abs=TOL_CLOSED)


def test_j_values():
    # Exact J against the gamma-function definition without logs (small df).
    for df in (2, 5, 10, 28):
        direct = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
        assert hedges_j(df) == pytest.approx(direct, rel=1e-12)
        assert abs(hedges_j(df, "approx") - direct) < 0.01
    assert hedges_j(28, "none") == 1.0
    # gammaln keeps huge df finite and tends to 1.
    assert hedges_j(1e7) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError):
        hedges_j(1)
    with pytest.raises(ValueError):
        hedges_j(10, "bogus")


def test_no_correction_is_cohens_d():
    x, y = [1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 1.0, 2.0]
    row = hedges_g(x, y, correction="none").iloc[0]
    assert row.g == row.d
    assert row.J == 1.0


def test_sign_convention():
    hi, lo = [5.0, 6.0, 7.0], [1.0, 2.0, 3.0]
    assert hedges_g(hi, lo).g.iloc[0] > 0
    assert hedges_g(lo, hi).g.iloc[0] < 0
    a, b = hedges_g(hi, lo).iloc[0], hedges_g(lo, hi).iloc[0]
    assert a.g == pytest.approx(-b.g)
    assert a.p == pytest.approx(b.p)
    assert a.ci_low == pytest.approx(-b.ci_high)


def test_nan_dropped_with_warning():
    x = [1.0, 2.0, np.nan, 3.0]
    with pytest.warns(RuntimeWarning, match="treated.*dropped 1 NaN"):
        res = hedges_g(x, [0.0, 1.0, 2.0])
    assert res.n_treated.iloc[0] == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert res.g.iloc[0] == pytest.approx(hedges_g([1.0, 2.0, 3.0], [0.0, 1.0, 2.0]).g[0])


def test_too_few_values():
    with pytest.raises(ValueError, match="at least 2"):
        hedges_g([1.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="at least 2"), pytest.warns(RuntimeWarning):
        hedges_g([1.0, np.nan], [1.0, 2.0, 3.0])


def test_zero_pooled_sd_gives_nan():
    with pytest.warns(RuntimeWarning, match="Pooled standard deviation is zero"):
        res = hedges_g([1.0, 1.0], [1.0, 1.0])
    assert np.isnan(res.g.iloc[0])


def test_bad_arguments():
    with pytest.raises(ValueError):
        hedges_g([1, 2], [3, 4], ci=95)
    with pytest.raises(ValueError):
        hedges_g([1, 2], [3, 4], ci_method="boot")
    with pytest.raises(ValueError):
        hedges_g([1, 2], [3, 4], correction="hedges")


def test_accepts_series_and_returns_one_row():
    res = hedges_g(pd.Series([1.0, 2.0, 4.0]), np.array([0.5, 1.0, 1.5]))
    assert isinstance(res, pd.DataFrame) and len(res) == 1


def test_nct_interval_extreme_effect():
    # Large |t| needs the bracket expansion in the root finder.
    x = np.array([10.0, 10.2, 9.9, 10.1])
    y = np.array([0.0, 0.1, -0.1, 0.05])
    row = hedges_g(x, y, ci_method="nct").iloc[0]
    assert row.ci_low < row.g < row.ci_high
    # The limits are where the nct CDF of the observed t hits 0.975 / 0.025.
    scale = math.sqrt(1 / 4 + 1 / 4)
    ncp_lo = row.ci_low / row.J / scale
    assert stats.nct.cdf(row.t, row.df, ncp_lo) == pytest.approx(0.975, abs=1e-8)
