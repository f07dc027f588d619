"""Print the largest absolute difference between backfire.stats and the stored R values.

Run with ``PYTHONPATH=. .venv/bin/python tests/stats/measure_r_diffs.py``; the
table in ``docs/stats.md`` is this script's output. The tests assert looser
tolerances than these measured values.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from conftest import load_fixture, load_reference

from backfire.stats import (
    binomial_test,
    correlation,
    hedges_g,
    holm,
    mixed_model,
    power_g,
)


def two_group_results(correction: str, ci_method: str = "normal", ci: float = 0.95):
    tg = load_fixture("two_groups")
    out = {}
    for case, d in tg.groupby("case", sort=False):
        out[case] = hedges_g(
            d.value[d.group == "treated"],
            d.value[d.group == "control"],
            correction=correction,
            ci_method=ci_method,
            ci=ci,
        ).iloc[0]
    return out


def mixed_results():
    rows = []
    for ds in ("mixed.csv", "mixed_unbalanced.csv"):
        data = load_fixture(ds.removesuffix(".csv"))
        for formula in ("y ~ ratio", "y ~ ratio * condition"):
            for reml in (True, False):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit = mixed_model(data, formula, "language", reml=reml)
                rows.append((ds, formula, reml, fit))
    data = load_fixture("mixed_boundary")
    for reml in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = mixed_model(data, "y ~ ratio", "language", reml=reml)
        rows.append(("mixed_boundary.csv", "y ~ ratio", reml, fit))
    return rows


def measure() -> pd.DataFrame:
    res: list[tuple[str, str, str, float]] = []

    def add(stat, r_fn, diffs):
        res.append((stat, r_fn, float(np.nanmax(np.abs(np.asarray(diffs, float))))))

    h = load_reference("hedges").set_index("case")
    ex, ap = two_group_results("exact"), two_group_results("approx")
    nct, nct90 = two_group_results("exact", "nct"), two_group_results("exact", "nct", 0.90)
    cases = list(h.index)
    esc = "metafor::escalc(SMD)"
    add("g (exact J)", esc, [ex[c].g - h.g_exact[c] for c in cases])
    add("se (exact J)", esc, [ex[c].se - np.sqrt(h.vi_exact[c]) for c in cases])
    add(
        "normal CI limits",
        "summary(escalc)",
        [
            v
            for c in cases
            for v in (ex[c].ci_low - h.ci_low_exact[c], ex[c].ci_high - h.ci_high_exact[c])
        ],
    )
    add(
        "g, se (approx J)",
        "by hand in R",
        [v for c in cases for v in (ap[c].g - h.g_approx[c], ap[c].se - h.se_approx[c])],
    )
    add(
        "nct CI limits (95 %, 90 %)",
        "uniroot on pt(ncp)",
        [
            v
            for c in cases
            for v in (
                nct[c].ci_low - h.nct_ci_low[c],
                nct[c].ci_high - h.nct_ci_high[c],
                nct90[c].ci_low - h.nct90_ci_low[c],
                nct90[c].ci_high - h.nct90_ci_high[c],
            )
        ],
    )
    add(
        "nct CI limits vs effectsize",
        "effectsize::hedges_g",
        [
            v
            for c in cases
            for v in (
                nct[c].ci_low - h.effectsize_ci_low[c],
                nct[c].ci_high - h.effectsize_ci_high[c],
            )
        ],
    )
    add(
        "t, df (pooled)",
        "t.test(var.equal=TRUE)",
        [v for c in cases for v in (ex[c].t - h.t[c], ex[c].df - h.df[c])],
    )
    add("p (pooled)", "t.test(var.equal=TRUE)", [ex[c].p - h.p[c] for c in cases])
    add(
        "t_welch, df_welch",
        "t.test()",
        [v for c in cases for v in (ex[c].t_welch - h.t_welch[c], ex[c].df_welch - h.df_welch[c])],
    )
    add("p_welch", "t.test()", [ex[c].p_welch - h.p_welch[c] for c in cases])

    fe = load_reference("mixed_fixef")
    vc = load_reference("mixed_varcomp")
    est, se, pw, ps, gv, rv, ll = [], [], [], [], [], [], []
    for ds, formula, reml, fit in mixed_results():
        r = fe[(fe.dataset == ds) & (fe.formula == formula) & (fe.reml == reml)].set_index("term")
        f = fit.loc[r.index]
        est += list(f.estimate - r.estimate)
        se += list(f.se - r.se)
        pw += list(f.p - r.p_wald)
        ps += list(f.p - r.p_satterthwaite)
        v = vc[(vc.dataset == ds) & (vc.formula == formula) & (vc.reml == reml)].iloc[0]
        gv.append(fit.attrs["group_var"] - v.group_var)
        rv.append(fit.attrs["residual_var"] - v.residual_var)
        ll.append(fit.attrs["loglik"] - v.loglik)
    lm = "lmerTest::lmer (REML & ML, 10 fits)"
    add("fixed-effect estimate", lm, est)
    add("fixed-effect se", lm, se)
    add("p vs Wald z from lmer est/se", "2*pnorm(-|t|)", pw)
    add("p vs Satterthwaite p", "summary(lmerTest)", ps)
    add("group variance", "VarCorr", gv)
    add("residual variance", "VarCorr / sigma^2", rv)
    add("log-likelihood", "logLik", ll)

    cr = load_reference("correlation").set_index("case")
    cd = load_fixture("correlation")
    pe, sp, spp, spx = [], [], [], []
    for case, d in cd.groupby("case", sort=False):
        a = correlation(d.x, d.y).iloc[0]
        b = correlation(d.x, d.y, method="spearman").iloc[0]
        r = cr.loc[case]
        pe += [a.r - r.r, a.ci_low - r.r_ci_low, a.ci_high - r.r_ci_high, a.p - r.r_p]
        sp += [b.r - r.rho, b.ci_low - r.rho_ci_low, b.ci_high - r.rho_ci_high]
        spp.append(b.p - r.rho_p_t)
        spx.append(b.p - r.rho_p_exact)
    add("Pearson r, CI, p", "cor.test()", pe)
    add("Spearman rho, Fisher-z CI", "cor.test(method='spearman') + atanh", sp)
    add("Spearman p (t approx.)", "cor.test(..., exact=FALSE)", spp)
    add("Spearman p vs R default", "cor.test(method='spearman') (exact)", spx)

    hr = load_reference("holm")
    hd = []
    for _case, d in hr.groupby("case", sort=False):
        hd += list(np.nan_to_num(holm(d.p.to_numpy()) - d.holm.to_numpy()))
    add("Holm adjusted p", "p.adjust(method='holm')", hd)

    br = load_reference("binom")
    bd = []
    for _, b in br.iterrows():
        o = binomial_test(b.k, b.n, b.p0, b.alternative).iloc[0]
        bd += [o.p - b.p, o.ci_low - b.ci_low, o.ci_high - b.ci_high]
    add("binomial p, Clopper-Pearson CI", "binom.test()", bd)

    pr = load_reference("power")
    pd_ = []
    for _, r in pr.iterrows():
        o = power_g(int(r.n), r.delta, alpha=r.alpha, n_sim=1).iloc[0]
        pd_.append(o.power_analytic - r.power)
    add("analytic power", "power.t.test(strict=TRUE)", pd_)

    return pd.DataFrame(res, columns=["statistic", "R reference", "max_abs_diff"])


if __name__ == "__main__":
    table = measure()
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table.to_string(index=False, formatters={"max_abs_diff": "{:.1e}".format}))
