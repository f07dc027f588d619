"""binomial_test (vs binom.test), direction_count and conformity_ratio."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backfire.stats import binomial_test, conformity_ratio, direction_count


def test_binomial_matches_binom_test(ref):
    for _, b in ref("binom").iterrows():
        res = binomial_test(int(b.k), int(b.n), p=b.p0, alternative=b.alternative)
        row = res.iloc[0]
        # Measured agreement ~1e-13 (exact binomial sums / beta quantiles).
        assert row.p == pytest.approx(b.p, abs=1e-10), b.to_dict()
        assert row.ci_low == pytest.approx(b.ci_low, abs=1e-10), b.to_dict()
        assert row.ci_high == pytest.approx(b.ci_high, abs=1e-10), b.to_dict()
        assert row.estimate == pytest.approx(b.estimate)


def test_binomial_columns_and_errors():
    res = binomial_test(3, 10, alternative="two.sided")
    assert list(res.columns) == [
        "k",
        "n",
        "p0",
        "estimate",
        "p",
        "ci_low",
        "ci_high",
        "alternative",
    ]
    assert res.alternative[0] == "two-sided"
    with pytest.raises(ValueError):
        binomial_test(11, 10)
    with pytest.raises(ValueError):
        binomial_test(1, 10, alternative="both")


def test_direction_sign_rule():
    eff = pd.Series({"ja": -0.8, "ko": -0.3, "zh": -0.1, "de": 0.4, "sv": 0.0})
    res = direction_count(eff)
    row = res.iloc[0]
    assert (row.n, row.n_protective, row.n_amplifying, row.n_null) == (5, 3, 1, 1)
    assert row.share_protective == pytest.approx(0.75)
    assert row.p_sign == pytest.approx(binomial_test(3, 4).p[0])
    assert res.attrs["classification"]["sv"] == "null"


def test_direction_ci_rule_and_boundaries():
    eff = [-0.8, -0.3, 0.5, 0.9]
    lo = [-1.2, -0.9, 0.0, 0.1]  # third CI touches 0 -> null
    hi = [-0.4, 0.3, 1.0, 1.7]
    row = direction_count(eff, lo, hi, rule="ci").iloc[0]
    assert (row.n_protective, row.n_amplifying, row.n_null) == (1, 1, 2)
    with pytest.raises(ValueError, match="needs"):
        direction_count(eff, rule="ci")
    with pytest.raises(ValueError, match="rule"):
        direction_count(eff, rule="median")
    with pytest.raises(ValueError, match="exceeds"):
        direction_count([0.1], [0.5], [0.2], rule="ci")


def test_direction_nan_and_empty():
    with pytest.warns(RuntimeWarning, match="dropped 1"):
        row = direction_count([-1.0, np.nan, 2.0]).iloc[0]
    assert row.n == 2
    none = direction_count([0.0, 0.0]).iloc[0]
    assert np.isnan(none.p_sign) and np.isnan(none.share_protective)


def test_conformity_ratio_point_and_bootstrap():
    conf = [3, 5, 2, 4, 6, 1, 3, 4]
    ind = [1, 2, 0, 1, 2, 1, 1, 0]
    res = conformity_ratio(conf, ind, n_boot=2000, seed=0)
    row = res.iloc[0]
    assert row.ratio == pytest.approx(28 / 8)
    assert not row.zero_adjusted
    assert row.ci_low < row.ratio < row.ci_high
    # Percentile interval equals the quantiles of a by-hand bootstrap with the same stream.
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 8, size=(2000, 8))
    c, d = np.asarray(conf)[idx].sum(1), np.asarray(ind)[idx].sum(1)
    boot = np.where((c == 0) | (d == 0), (c + 0.5) / (d + 0.5), c / np.maximum(d, 1))
    assert row.ci_low == pytest.approx(np.quantile(boot, 0.025))
    assert row.ci_high == pytest.approx(np.quantile(boot, 0.975))
    assert res.equals(conformity_ratio(conf, ind, n_boot=2000, seed=0))


def test_conformity_zero_rules():
    add = conformity_ratio([2, 1], [0, 0], n_boot=100).iloc[0]
    assert add.ratio == pytest.approx(3.5 / 0.5) and add.zero_adjusted
    assert add.n_boot_undefined == 0
    always = conformity_ratio([2, 2], [1, 1], zero_rule="always_add_half", n_boot=0).iloc[0]
    assert always.ratio == pytest.approx(4.5 / 2.5) and np.isnan(always.ci_low)
    nan = conformity_ratio([2, 1], [0, 0], zero_rule="nan", n_boot=100).iloc[0]
    assert np.isnan(nan.ratio) and np.isnan(nan.ci_low) and nan.n_boot_undefined == 100
    mixed = conformity_ratio([2, 1, 3], [0, 0, 1], zero_rule="nan", n_boot=500, seed=1).iloc[0]
    assert mixed.ratio == pytest.approx(6.0)
    assert 0 < mixed.n_boot_undefined < 500  # resamples without run 3 are undefined


def test_conformity_errors():
    with pytest.raises(ValueError, match="paired"):
        conformity_ratio([1, 2], [1])
    with pytest.raises(ValueError, match="non-negative"):
        conformity_ratio([1, -2], [1, 1])
    with pytest.raises(ValueError, match="zero_rule"):
        conformity_ratio([1], [1], zero_rule="drop")
    with pytest.raises(ValueError, match="NaN"):
        conformity_ratio([1, np.nan], [1, 1])
