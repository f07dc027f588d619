"""power_g against power.t.test(strict = TRUE) values stored in reference/."""

from __future__ import annotations

import numpy as np
import pytest

from backfire.stats import power_g


def test_analytic_matches_power_t_test(ref):
    r = ref("power")
    for _, row in r.iterrows():
        got = power_g(int(row.n), row.delta, alpha=row.alpha, n_sim=1).power_analytic[0]
        # Measured agreement ~1e-12 (R pt(ncp) vs SciPy nct).
        assert got == pytest.approx(row.power, abs=1e-8), row.to_dict()


def test_simulation_agrees_with_analytic():
    res = power_g([5, 15], [0.0, 0.771, 1.844], n_sim=2000, seed=0)
    assert len(res) == 6
    assert list(res.columns) == [
        "n_per_group",
        "g",
        "alpha",
        "power_sim",
        "power_sim_se",
        "power_analytic",
        "n_sim",
    ]
    # Monte Carlo error: 4.5 SE (floor 0.01 for power near 0 or 1) is a 1e-5 false alarm rate.
    tol = np.maximum(4.5 * res.power_sim_se, 0.01)
    assert np.all(np.abs(res.power_sim - res.power_analytic) < tol)
    # Under the null the rejection rate is alpha.
    null = res[res.g == 0.0]
    assert np.allclose(null.power_analytic, 0.05)


def test_reproducible_and_seeded():
    a = power_g(10, 0.5, n_sim=500, seed=42)
    b = power_g(10, 0.5, n_sim=500, seed=42)
    c = power_g(10, 0.5, n_sim=500, seed=43)
    assert a.equals(b)
    assert not a.power_sim.equals(c.power_sim)


def test_sign_of_g_irrelevant():
    a = power_g(15, 0.771, n_sim=1).power_analytic[0]
    b = power_g(15, -0.771, n_sim=1).power_analytic[0]
    assert a == pytest.approx(b, abs=1e-12)


def test_errors():
    with pytest.raises(ValueError):
        power_g(1, 0.5)
    with pytest.raises(ValueError):
        power_g(10, 0.5, alpha=1.5)
    with pytest.raises(ValueError):
        power_g(10, 0.5, n_sim=0)
