"""Linear mixed model with a random intercept per group (language)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import patsy
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from backfire.stats._utils import check_ci

__all__ = ["lme4_term", "mixed_model", "variance_components"]

# Optimisers tried in order; the first fit that reports convergence without a
# warning wins. BFGS then L-BFGS then CG is statsmodels' own default order (L-BFGS
# alone can step into a singular X'V^-1X); Powell and Nelder-Mead are
# derivative-free fallbacks for a flat likelihood.
_METHODS = ("bfgs", "lbfgs", "cg", "powell", "nm")

_C_TERM = re.compile(r"^C\(\s*([^,()]+?)\s*(?:,.*)?\)\[(?:T\.)?(.*)\]$")
_BRACKET_TERM = re.compile(r"^(.+?)\[(?:T\.)?(.*)\]$")


def _split_interaction(name: str) -> list[str]:
    """Split on ``:`` outside parentheses and brackets."""
    parts, depth, cur = [], 0, []
    for ch in name:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == ":" and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def lme4_term(name: str) -> str:
    """Translate a patsy/formulaic column name to the name lme4 prints.

    R names a treatment-coded factor column ``<variable><level>`` and the
    intercept ``(Intercept)``; patsy writes ``Intercept``, ``group[T.B]`` or
    ``C(group)[T.B]``. Using R's names lets results be compared row by row with
    ``summary(lmer(...))`` and with the paper's tables.

    Examples
    --------
    >>> lme4_term("Intercept")
    '(Intercept)'
    >>> lme4_term("ratio:C(condition, Treatment('A'))[T.B]")
    'ratio:conditionB'
    >>> lme4_term("aligned[T.True]")
    'alignedTRUE'
    """
    if name == "Intercept":
        return "(Intercept)"
    out = []
    for part in _split_interaction(name):
        m = _C_TERM.match(part) or _BRACKET_TERM.match(part)
        if m:
            var, level = m.group(1).strip(), m.group(2)
            level = {"True": "TRUE", "False": "FALSE"}.get(level, level)
            out.append(f"{var}{level}")
        else:
            out.append(part)
    return ":".join(out)


def _fit_once(model: MixedLM, reml: bool, method: str):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = model.fit(reml=reml, method=method)
        except (np.linalg.LinAlgError, ValueError) as exc:  # e.g. L-BFGS: singular X'V^-1X
            return None, [f"{method}: fit failed: {exc}"]
    msgs = [
        f"{method}: {w.message}"
        for w in caught
        if issubclass(w.category, (ConvergenceWarning, RuntimeWarning, UserWarning))
    ]
    if not res.converged:
        msgs.append(f"{method}: optimiser did not report convergence")
    return res, msgs


def _lme4_cov_fe(model: MixedLM, group_var: float, resid_var: float) -> np.ndarray:
    """Covariance of the fixed effects as lme4's ``vcov()``: ``(X' V^-1 X)^-1``.

    With a random intercept, ``V_i = s2 I + t2 11'`` for group i, whose inverse
    is ``(I - c_i 11') / s2`` with ``c_i = t2 / (s2 + n_i t2)``. statsmodels'
    ``bse_fe`` instead inverts the observed Hessian of all parameters
    (fixed effects and variance components jointly), which differs from lme4
    by about 1e-4 relative; this keeps the SE (and hence z, p, CI) on R's
    definition.
    """
    k = model.exog.shape[1]
    xtvx = np.zeros((k, k))
    for x in model.exog_li:
        x = np.asarray(x)
        colsum = x.sum(axis=0)
        c = group_var / (resid_var + x.shape[0] * group_var)
        xtvx += (x.T @ x - c * np.outer(colsum, colsum)) / resid_var
    return np.linalg.inv(xtvx)


def _usable(res) -> bool:
    return bool(
        np.isfinite(res.llf)
        and np.all(np.isfinite(res.fe_params))
        and np.all(np.isfinite(np.asarray(res.cov_re)))
        and np.isfinite(res.scale)
    )


def mixed_model(
    data: pd.DataFrame,
    formula: str,
    group: str,
    reml: bool = True,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Fit ``formula`` with a random intercept per ``group`` and tidy the fixed effects.

    This is the Python counterpart of ``lmer(y ~ ... + (1 | group))``: the
    paper pools runs across languages and lets each language have its own
    baseline, so a fixed effect such as ``ratio`` is a within-language slope
    rather than a between-language confound.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per run (or per run x condition). Rows with a
        missing value in the response, a predictor or ``group`` are dropped
        (the number is recorded in ``attrs["n_dropped"]``).
    formula : str
        Fixed-effects part in patsy syntax, e.g. ``"y ~ ratio * condition"``.
        Do not add the random term; it is given by ``group``.
    group : str
        Column holding the grouping factor (e.g. ``"language"``).
    reml : bool
        REML (the ``lmer`` default) or maximum likelihood. Use ML when comparing
        models with different fixed effects by likelihood ratio.
    ci : float
        Level of the Wald interval ``estimate +/- z * se``.

    Returns
    -------
    pandas.DataFrame
        Indexed by the fixed-effect term in lme4 spelling (``(Intercept)``,
        ``ratio``, ``conditionB``, ``ratio:conditionB``; see :func:`lme4_term`)
        with columns ``estimate``, ``se``, ``z``, ``ci_low``, ``ci_high``, ``p``.
        Rows follow patsy's term order (factor main effects before numeric
        ones), which can differ from R's; select rows by name.
        ``p`` is the two-sided Wald z p-value of statsmodels ``MixedLM``.
        lmerTest reports a Satterthwaite-df *t* test instead, so its p is a
        little larger (the t tail is heavier); with 16 languages the
        difference is typically in the third decimal. ``se`` is lme4's
        ``sqrt(diag(vcov(fit)))``, i.e. ``(X' V^-1 X)^-1`` at the estimated
        variance components (not statsmodels' ``bse_fe``, which comes from
        the joint Hessian); estimates and SEs agree with lme4 up to optimiser
        tolerance.

        ``attrs`` holds the variance components and fit diagnostics:
        ``group_var`` (random-intercept variance, ``VarCorr`` of lme4),
        ``residual_var`` (``sigma(fit)^2``), ``icc`` (their ratio to the
        total), ``loglik``, ``reml``, ``method`` (optimiser that was kept),
        ``converged``, ``singular`` (group SD below 1e-4 residual SDs, lme4's
        ``isSingular`` rule), ``warnings`` (list of convergence / boundary messages;
        empty when the first optimiser converged cleanly), ``n_obs``,
        ``n_groups``, ``n_dropped``, ``formula`` and ``group``.
        :func:`variance_components` turns these into a tidy frame.

    Notes
    -----
    Optimisers are tried in the order BFGS, L-BFGS, CG, Powell, Nelder-Mead; the
    first one that converges without a warning is kept. If none does, the fit
    with the highest log-likelihood is kept and all messages are recorded in
    ``attrs["warnings"]`` (a warning is also emitted). A group variance on the
    boundary (zero) is reported the same way; lme4 calls this a singular fit.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> lang = np.repeat([f"L{i}" for i in range(8)], 10)
    >>> ratio = np.tile(np.linspace(0, 1, 10), 8)
    >>> y = 0.5 * ratio + np.repeat(rng.normal(0, 0.5, 8), 10) + rng.normal(0, 0.3, 80)
    >>> df = pd.DataFrame({"language": lang, "ratio": ratio, "y": y})
    >>> fit = mixed_model(df, "y ~ ratio", group="language")
    >>> list(fit.index)
    ['(Intercept)', 'ratio']
    >>> list(fit.columns)
    ['estimate', 'se', 'z', 'ci_low', 'ci_high', 'p']
    >>> bool(fit.attrs["converged"]), fit.attrs["n_groups"]
    (True, 8)
    """
    ci = check_ci(ci)
    if group not in data.columns:
        raise KeyError(f"group column {group!r} not in data.")
    if "|" in formula:
        raise ValueError(
            "Give only the fixed-effects formula; the random intercept comes from `group`."
        )
    # Drop incomplete rows once, with patsy's own notion of 'used variables'.
    work = data.dropna(subset=[group])
    _, x_mat = patsy.dmatrices(formula, work, return_type="dataframe", NA_action="drop")
    kept = work.loc[x_mat.index]
    n_dropped = len(data) - len(kept)
    model = MixedLM.from_formula(formula, data=kept, groups=kept[group].to_numpy())

    fits = []
    for method in _METHODS:
        res, msgs = _fit_once(model, reml, method)
        if res is not None and not _usable(res):
            # e.g. L-BFGS landing exactly on a zero variance reports llf = inf
            # and meaningless fixed effects; never keep such a fit.
            msgs.append(f"{method}: discarded (non-finite log-likelihood or estimates)")
            res = None
        fits.append((res, msgs, method))
        if res is not None and not msgs:
            break
    all_msgs = list(dict.fromkeys(m for f in fits for m in f[1]))  # dedupe, keep order
    usable = [f for f in fits if f[0] is not None]
    if not usable:
        raise RuntimeError("MixedLM failed with every optimiser: " + "; ".join(all_msgs))
    clean = [f for f in usable if not f[1]]
    if clean:
        res, _, method = clean[0]
    else:
        res, _, method = max(usable, key=lambda f: f[0].llf)
        warnings.warn(
            "mixed_model: no optimiser converged cleanly; kept "
            f"{method!r} (highest log-likelihood). See attrs['warnings'].",
            RuntimeWarning,
            stacklevel=2,
        )

    names = list(res.fe_params.index)
    est = res.fe_params.to_numpy()
    group_var = float(np.asarray(res.cov_re)[0, 0])
    resid_var = float(res.scale)
    se = np.sqrt(np.diag(_lme4_cov_fe(res.model, group_var, resid_var)))
    z = est / se
    zc = stats.norm.ppf(0.5 + ci / 2.0)
    out = pd.DataFrame(
        {
            "estimate": est,
            "se": se,
            "z": z,
            "ci_low": est - zc * se,
            "ci_high": est + zc * se,
            "p": 2.0 * stats.norm.sf(np.abs(z)),
        },
        index=pd.Index([lme4_term(n) for n in names], name="term"),
    )
    out.attrs.update(
        {
            "group_var": group_var,
            "residual_var": resid_var,
            "icc": group_var / (group_var + resid_var),
            "loglik": float(res.llf),
            "reml": bool(reml),
            "method": method,
            "converged": bool(res.converged),
            "singular": bool(group_var <= 1e-8 * resid_var),
            "warnings": all_msgs,
            "n_obs": int(res.nobs),
            "n_groups": len(res.model.group_labels),
            "n_dropped": int(n_dropped),
            "formula": formula,
            "group": group,
        }
    )
    return out


def variance_components(fit: pd.DataFrame) -> pd.DataFrame:
    """Tidy variance components of a :func:`mixed_model` result.

    ``DataFrame.attrs`` does not survive every pandas operation, so call this
    right after fitting when the components are to be reported or saved.

    Parameters
    ----------
    fit : pandas.DataFrame
        The frame returned by :func:`mixed_model`.

    Returns
    -------
    pandas.DataFrame
        Rows ``group`` (named after the grouping column in ``grp``) and
        ``Residual`` with columns ``grp``, ``variance``, ``sd`` (like
        ``as.data.frame(VarCorr(fit))`` in lme4), plus ``icc`` on both rows.

    Examples
    --------
    >>> fit = pd.DataFrame(index=["(Intercept)"])
    >>> fit.attrs.update(group_var=0.25, residual_var=0.75, group="language")
    >>> variance_components(fit)
            grp  variance        sd   icc
    0  language      0.25  0.500000  0.25
    1  Residual      0.75  0.866025  0.25
    """
    try:
        gv, rv = fit.attrs["group_var"], fit.attrs["residual_var"]
    except KeyError as exc:
        raise ValueError(
            "`fit` has no variance components in attrs; pass the frame "
            "returned by mixed_model() before transforming it."
        ) from exc
    icc = gv / (gv + rv)
    return pd.DataFrame(
        {
            "grp": [fit.attrs.get("group", "group"), "Residual"],
            "variance": [gv, rv],
            "sd": [np.sqrt(gv), np.sqrt(rv)],
            "icc": [icc, icc],
        }
    )
