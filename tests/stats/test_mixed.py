"""mixed_model against lme4 / lmerTest values stored in reference/."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from backfire.stats import lme4_term, mixed_model, variance_components

# Estimates and SEs depend on where two optimisers stop (lme4: bobyqa on the
# profiled deviance; statsmodels: BFGS). Measured: 1.3e-7 (estimates),
# 5.5e-7 (SE), 3.8e-6 (group variance). Tolerances are ~100x that.
TOL_EST = 1e-4
TOL_SE = 1e-4
TOL_VAR = 1e-3
TOL_LOGLIK = 1e-5
# Our p is a Wald z test. Against the same z computed in R from lmer's
# estimate/SE it agrees to ~1e-7.
TOL_P_WALD = 1e-5
# lmerTest's p uses a t distribution with Satterthwaite df (~15 for 16
# languages), so it is always a little larger than the Wald z p; measured
# difference up to 2.8e-3. This tolerance documents that gap, not an error.
TOL_P_SATTERTHWAITE = 0.01

FITS = [
    (ds, formula, reml)
    for ds in ("mixed.csv", "mixed_unbalanced.csv")
    for formula in ("y ~ ratio", "y ~ ratio * condition")
    for reml in (True, False)
] + [("mixed_boundary.csv", "y ~ ratio", True), ("mixed_boundary.csv", "y ~ ratio", False)]


@pytest.fixture(scope="module")
def fits(fixture_data):
    out = {}
    for ds, formula, reml in FITS:
        data = fixture_data(ds.removesuffix(".csv"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = mixed_model(data, formula, group="language", reml=reml)
        # Only the boundary data set may warn.
        assert bool(caught) == ds.startswith("mixed_boundary"), [str(w.message) for w in caught]
        out[(ds, formula, reml)] = fit
    return out


@pytest.mark.parametrize(("ds", "formula", "reml"), FITS)
def test_fixed_effects_match_lmer(ref, fits, ds, formula, reml):
    fe = ref("mixed_fixef")
    r = fe[(fe.dataset == ds) & (fe.formula == formula) & (fe.reml == reml)].set_index("term")
    fit = fits[(ds, formula, reml)]
    # lme4 term names; the row order is patsy's (it puts factor main effects
    # before numeric ones), so align by name.
    assert sorted(fit.index) == sorted(r.index)
    fit = fit.loc[r.index]
    assert list(fit.columns) == ["estimate", "se", "z", "ci_low", "ci_high", "p"]
    np.testing.assert_allclose(fit.estimate, r.estimate, atol=TOL_EST)
    np.testing.assert_allclose(fit.se, r.se, atol=TOL_SE)
    np.testing.assert_allclose(fit.p, r.p_wald, atol=TOL_P_WALD)
    np.testing.assert_allclose(fit.p, r.p_satterthwaite, atol=TOL_P_SATTERTHWAITE)
    # Heavier t tail => Satterthwaite p >= Wald p (up to optimiser noise).
    assert np.all(r.p_satterthwaite.to_numpy() >= fit.p.to_numpy() - 1e-6)
    np.testing.assert_allclose(fit.ci_high - fit.estimate, 1.959963984540054 * fit.se)


@pytest.mark.parametrize(("ds", "formula", "reml"), FITS)
def test_variance_components_match_varcorr(ref, fits, ds, formula, reml):
    vc = ref("mixed_varcomp")
    r = vc[(vc.dataset == ds) & (vc.formula == formula) & (vc.reml == reml)].iloc[0]
    fit = fits[(ds, formula, reml)]
    assert fit.attrs["group_var"] == pytest.approx(r.group_var, abs=TOL_VAR)
    assert fit.attrs["residual_var"] == pytest.approx(r.residual_var, abs=TOL_VAR)
    assert fit.attrs["loglik"] == pytest.approx(r.loglik, abs=TOL_LOGLIK)
    assert fit.attrs["reml"] is reml
    assert fit.attrs["converged"] is True
    assert fit.attrs["singular"] is bool(r.singular)
    if r.singular:
        # lme4: "boundary (singular) fit"; statsmodels warns too, and we keep
        # the messages instead of raising.
        assert any("boundary" in m for m in fit.attrs["warnings"])
        assert fit.attrs["n_groups"] == 8
        return
    assert fit.attrs["warnings"] == []
    assert fit.attrs["n_groups"] == 16
    vcf = variance_components(fit)
    assert list(vcf.grp) == ["language", "Residual"]
    assert vcf.variance.iloc[0] == pytest.approx(r.group_var, abs=TOL_VAR)
    assert vcf.icc.iloc[0] == pytest.approx(
        r.group_var / (r.group_var + r.residual_var), abs=TOL_VAR
    )


@pytest.mark.parametrize(
    ("patsy", "lme4"),
    [
        ("Intercept", "(Intercept)"),
        ("ratio", "ratio"),
        ("condition[T.B]", "conditionB"),
        ("C(condition)[T.B]", "conditionB"),
        ("C(condition, Treatment(reference='B'))[T.A]", "conditionA"),
        ("ratio:condition[T.B]", "ratio:conditionB"),
        ("ratio:C(condition)[T.B]", "ratio:conditionB"),
        ("C(a)[T.x]:C(b)[T.y]", "ax:by"),
        ("aligned[T.True]", "alignedTRUE"),
        ("np.log(n)", "np.log(n)"),
        ("language[ja]", "languageja"),
    ],
)
def test_lme4_term(patsy, lme4):
    assert lme4_term(patsy) == lme4


def test_c_factor_and_reference_level(fixture_data):
    data = fixture_data("mixed")
    fit = mixed_model(data, "y ~ ratio * C(condition)", "language")
    assert list(fit.index) == ["(Intercept)", "conditionB", "ratio", "ratio:conditionB"]
    fit_b = mixed_model(data, "y ~ C(condition, Treatment('B'))", "language")
    assert list(fit_b.index) == ["(Intercept)", "conditionA"]


def test_missing_rows_dropped(fixture_data):
    data = fixture_data("mixed").copy()
    data.loc[[0, 5], "y"] = np.nan
    data.loc[7, "language"] = None
    fit = mixed_model(data, "y ~ ratio", "language")
    assert fit.attrs["n_dropped"] == 3
    assert fit.attrs["n_obs"] == len(data) - 3


def test_errors(fixture_data):
    data = fixture_data("mixed")
    with pytest.raises(KeyError):
        mixed_model(data, "y ~ ratio", "country")
    with pytest.raises(ValueError, match="random intercept"):
        mixed_model(data, "y ~ ratio + (1 | language)", "language")
    with pytest.raises(ValueError, match="attrs"):
        variance_components(pd.DataFrame())
