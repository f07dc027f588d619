"""correlation / pdi_sensitivity against cor.test values stored in reference/."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backfire.stats import correlation, pdi_sensitivity

# Closed form; measured agreement with cor.test ~1e-15.
TOL = 1e-10
# R's default Spearman p for n < 1290 without ties is exact/Edgeworth (AS 89);
# we use the t approximation (= exact=FALSE). Measured gap up to 1.8e-3 on the
# fixtures (n = 10, 16, 30); the bound documents it.
TOL_SPEARMAN_EXACT = 5e-3

CASES = ["pdi_like", "n30", "negative10"]


def _xy(fixture_data, case):
    d = fixture_data("correlation")
    d = d[d.case == case]
    return d.x.to_numpy(), d.y.to_numpy()


@pytest.mark.parametrize("case", CASES)
def test_pearson_matches_cor_test(ref, fixture_data, case):
    r = ref("correlation").set_index("case").loc[case]
    res = correlation(*_xy(fixture_data, case))
    assert list(res.columns) == ["r", "ci_low", "ci_high", "p", "n", "method"]
    row = res.iloc[0]
    assert row.r == pytest.approx(r.r, abs=TOL)
    assert row.ci_low == pytest.approx(r.r_ci_low, abs=TOL)
    assert row.ci_high == pytest.approx(r.r_ci_high, abs=TOL)
    assert row.p == pytest.approx(r.r_p, abs=TOL)
    assert row.n == r.n


@pytest.mark.parametrize("case", CASES)
def test_spearman_matches_cor_test(ref, fixture_data, case):
    r = ref("correlation").set_index("case").loc[case]
    row = correlation(*_xy(fixture_data, case), method="spearman").iloc[0]
    assert row.method == "spearman"
    assert row.r == pytest.approx(r.rho, abs=TOL)
    assert row.ci_low == pytest.approx(r.rho_ci_low, abs=TOL)
    assert row.ci_high == pytest.approx(r.rho_ci_high, abs=TOL)
    assert row.p == pytest.approx(r.rho_p_t, abs=TOL)
    assert row.p == pytest.approx(r.rho_p_exact, abs=TOL_SPEARMAN_EXACT)


def test_spearman_is_pearson_of_ranks_with_ties():
    x = [1, 2, 2, 3, 4, 5, 5, 6]
    y = [2, 1, 4, 3, 6, 5, 8, 7]
    from scipy import stats

    row = correlation(x, y, method="spearman").iloc[0]
    ref = stats.spearmanr(x, y)
    assert row.r == pytest.approx(ref.statistic, abs=1e-12)
    assert row.p == pytest.approx(ref.pvalue, abs=1e-12)


def test_nan_pairs_dropped():
    x = [1.0, 2.0, 3.0, np.nan, 5.0, 6.0]
    y = [1.0, 3.0, 2.0, 4.0, np.nan, 7.0]
    with pytest.warns(RuntimeWarning, match="dropped 2 pair"):
        row = correlation(x, y).iloc[0]
    assert row.n == 4


def test_small_n_and_errors():
    row = correlation([1.0, 2.0, 4.0], [1.0, 3.0, 2.0]).iloc[0]
    assert row.n == 3 and np.isnan(row.ci_low)  # no Fisher-z interval for n = 3
    perfect = correlation([1, 2, 3, 4], [2, 4, 6, 8]).iloc[0]
    assert perfect.r == 1.0 and perfect.p == 0.0 and perfect.ci_low == 1.0
    with pytest.raises(ValueError, match="at least 3"):
        correlation([1, 2], [1, 2])
    with pytest.raises(ValueError, match="differ in length"):
        correlation([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="constant"):
        correlation([1, 1, 1, 1], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="method"):
        correlation([1, 2, 3, 4], [1, 2, 3, 5], method="kendall")


def test_pdi_sensitivity(fixture_data):
    x, y = _xy(fixture_data, "pdi_like")
    langs = [f"l{i}" for i in range(len(x))]
    effects = pd.Series(y, index=langs)
    primary = dict(zip(langs, x, strict=True))
    shifted = dict(primary, l0=primary["l0"] + 20.0)
    partial = {k: v for k, v in primary.items() if k not in ("l3", "l7")}
    res = pdi_sensitivity(effects, {"primary": primary, "shifted": shifted, "partial": partial})
    assert list(res.columns) == ["mapping", "r", "ci_low", "ci_high", "p", "n", "missing"]
    assert list(res.mapping) == ["primary", "shifted", "partial"]
    base = correlation(x, y).iloc[0]
    assert res.r[0] == pytest.approx(base.r, abs=1e-12)
    assert res.p[0] == pytest.approx(base.p, abs=1e-12)
    assert res.missing[0] == ""
    assert res.r[1] != pytest.approx(base.r, abs=1e-6)
    assert res.n[2] == len(x) - 2 and res.missing[2] == "l3,l7"
    keep = [i for i, k in enumerate(langs) if k not in ("l3", "l7")]
    assert res.r[2] == pytest.approx(correlation(x[keep], y[keep]).r[0], abs=1e-12)


def test_pdi_sensitivity_accepts_dict_and_nan_effect():
    effects = {"ja": -0.4, "de": 0.5, "es": np.nan, "sv": 0.6, "ru": -0.9}
    mapping = {"ja": 54, "de": 35, "es": 57, "sv": 31, "ru": 93}
    res = pdi_sensitivity(effects, {"primary": mapping})
    assert res.n[0] == 4 and res.missing[0] == "es"
