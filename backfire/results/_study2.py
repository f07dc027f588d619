"""Study 2 (sixteen languages): mixed models, direction counts, the PDI correlation.

**Assumption (the paper's "language group" is unknown).** The CPI interaction
of the paper (ratio x language group, beta = 0.0684) is modelled here as
``CPI ~ aligned_ratio * pdi_group + (1 | language)`` where ``pdi_group`` is
``high`` when the language's Hofstede Power Distance Index (primary country,
``languages/data/<code>/meta.yaml: pdi.value``) is above the median PDI of the
languages analysed, ``low`` otherwise (ties go low). ``low`` is the reference
level, so the interaction term ``aligned_ratio:pdi_grouphigh`` is positive
when alignment raises CPI more in high-PDI languages, the direction of the
paper's PDI correlation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._common import NAN, frame, groups, join_notes, present, quiet

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MIXED_COLUMNS = (
    "model",
    "index",
    "formula",
    "term",
    "estimate",
    "se",
    "z",
    "ci_low",
    "ci_high",
    "p",
    "n_obs",
    "n_groups",
    "group_var",
    "residual_var",
    "converged",
    "singular",
    "method",
    "note",
)


def pdi_table(languages: Iterable[str]) -> pd.DataFrame:
    """Hofstede PDI of each language and its high/low group (median split).

    Parameters
    ----------
    languages : iterable of str
        Language codes (those analysed: the median is over them).

    Returns
    -------
    pandas.DataFrame
        ``language``, ``country``, ``pdi``, ``pdi_group`` (``high`` above the
        median, else ``low``), ``pdi_median``, ``alternatives`` (``Country=PDI``
        pairs from ``meta.yaml: pdi_alternatives``), ``note``.

    Examples
    --------
    >>> pdi_table(["en", "ja"])[["language", "pdi", "pdi_group"]]
      language   pdi pdi_group
    0       en  40.0       low
    1       ja  54.0      high
    """
    import numpy as np

    from ..languages import LanguageError, load_language

    rows = []
    for code in dict.fromkeys(languages):
        try:
            meta = load_language(code).meta
            rows.append(
                {
                    "language": code,
                    "country": meta.pdi.country,
                    "pdi": float(meta.pdi.value),
                    "alternatives": ", ".join(
                        f"{a.country}={a.value:g}" for a in meta.pdi_alternatives
                    ),
                    "note": "",
                }
            )
        except LanguageError as exc:
            rows.append({"language": code, "pdi": NAN, "note": f"unknown language: {exc}"})
    cols = ["language", "country", "pdi", "pdi_group", "pdi_median", "alternatives", "note"]
    out = frame(rows, cols)
    if out.empty:
        return out
    median = float(np.nanmedian(out["pdi"])) if out["pdi"].notna().any() else NAN
    out["pdi_median"] = median
    out["pdi_group"] = [
        NAN if np.isnan(p) else ("high" if p > median else "low") for p in out["pdi"]
    ]
    return out


def pdi_mappings(languages: Iterable[str]) -> dict[str, dict[str, float]]:
    """Alternative language -> PDI mappings for the sensitivity analysis.

    ``primary`` (each language's primary country), one mapping per single
    swap (``"es=Mexico"``: Spanish scored with Mexico, all else primary), and
    ``first alternatives`` (every language that has alternatives scored with
    its first one).
    """
    from ..languages import LanguageError, load_language

    metas = {}
    for code in dict.fromkeys(languages):
        try:
            metas[code] = load_language(code).meta
        except LanguageError:
            continue
    primary = {c: float(m.pdi.value) for c, m in metas.items()}
    out = {"primary": primary}
    first = dict(primary)
    for code, m in metas.items():
        for i, alt in enumerate(m.pdi_alternatives):
            out[f"{code}={alt.country}"] = {**primary, code: float(alt.value)}
            if i == 0:
                first[code] = float(alt.value)
    if first != primary:
        out["first alternatives"] = first
    return out


def mixed_table(
    runs: pd.DataFrame,
    formula: str,
    group: str = "language",
    index: str | None = None,
    terms: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Fit ``formula`` + ``(1 | group)`` per model and tidy the fixed effects.

    A wrapper of :func:`backfire.stats.mixed_model` that never raises: too
    few groups, a missing column or a failed fit give a NaN row whose
    ``note`` says why; convergence and boundary messages go in ``note`` too.

    Parameters
    ----------
    runs : DataFrame
        One row per run.
    formula : str
        Fixed effects, e.g. ``"DI ~ aligned_ratio"``.
    group : str
        Random-intercept grouping column.
    index : str, optional
        Label of the response for the ``index`` column (default: the
        formula's left-hand side).
    terms : sequence of str, optional
        Keep only these terms (lme4 spelling); a term absent from the fit
        gets a NaN row.

    Returns
    -------
    pandas.DataFrame
        :data:`MIXED_COLUMNS`: ``model``, ``index``, ``formula``, ``term``,
        ``estimate``, ``se``, ``z``, ``ci_low``, ``ci_high``, ``p``,
        ``n_obs``, ``n_groups``, ``group_var``, ``residual_var``,
        ``converged``, ``singular``, ``method``, ``note``.
    """
    from ..stats import mixed_model

    index = index or formula.split("~")[0].strip()
    rows: list[dict[str, Any]] = []
    by = present(runs, ["model"])
    if runs.empty:
        for term in terms or ["(Intercept)"]:
            rows.append({"model": NAN, "index": index, "formula": formula, "term": term})
            rows[-1]["note"] = "no runs"
        return frame(rows, MIXED_COLUMNS)
    for keys, sub in groups(runs, by):
        base = {**keys, "index": index, "formula": formula}
        n_groups = sub[group].nunique() if group in sub.columns else 0
        problem = ""
        if n_groups < 2:
            problem = f"needs >= 2 levels of {group!r} for a random intercept (got {n_groups})"
        else:
            try:
                fit, warns = quiet(mixed_model, sub, formula, group=group)
            except Exception as exc:  # noqa: BLE001 (a failed fit becomes a NaN row)
                problem = f"fit failed: {type(exc).__name__}: {exc}"
        if problem:
            for term in terms or ["(Intercept)"]:
                rows.append({**base, "term": term, "n_groups": n_groups, "note": problem})
            continue
        a = fit.attrs
        info = {
            "n_obs": a.get("n_obs"),
            "n_groups": a.get("n_groups"),
            "group_var": a.get("group_var"),
            "residual_var": a.get("residual_var"),
            "converged": a.get("converged"),
            "singular": a.get("singular"),
            "method": a.get("method"),
        }
        earlier = a.get("warnings", [])
        note = join_notes(
            "singular fit (language variance ~ 0)" if a.get("singular") else "",
            f"kept optimiser {a.get('method')} after: {'; '.join(earlier)}" if earlier else "",
            *[w for w in warns if "converged cleanly" not in w],
        )
        wanted = list(terms) if terms else list(fit.index)
        for term in wanted:
            if term in fit.index:
                r = fit.loc[term]
                rows.append(
                    {
                        **base,
                        "term": term,
                        **{k: float(r[k]) for k in ("estimate", "se", "z", "ci_low", "ci_high")},
                        "p": float(r["p"]),
                        **info,
                        "note": note,
                    }
                )
            else:
                rows.append(
                    {**base, "term": term, **info, "note": join_notes("term not estimable", note)}
                )
    return frame(rows, MIXED_COLUMNS)


def ratio_slope(runs: pd.DataFrame, index: str = "DI") -> pd.DataFrame:
    """``index ~ aligned_ratio + (1 | language)``, per model (the paper's DI beta = 0.0667).

    The ratio is on its 0-1 scale (0 = no aligned agent, 1 = all ten), so
    the slope is the change from none to all aligned.

    Parameters
    ----------
    runs : DataFrame
        ``analyse(...)["runs"]`` (several languages).
    index : str
        Response column.

    Returns
    -------
    pandas.DataFrame
        The :func:`mixed_table` rows of ``(Intercept)`` and ``aligned_ratio``.
    """
    return mixed_table(
        runs, f"{index} ~ aligned_ratio", index=index, terms=["(Intercept)", "aligned_ratio"]
    )


def ratio_group_interaction(
    runs: pd.DataFrame, index: str = "CPI", pdi: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``index ~ aligned_ratio * pdi_group + (1 | language)`` per model.

    ``pdi_group`` is the documented stand-in for the paper's unknown
    "language group" (module docstring): high vs low Hofstede PDI, median
    split over the languages in ``runs``. Both groups must be present.

    Parameters
    ----------
    runs : DataFrame
        One row per run.
    index : str
        Response column.
    pdi : DataFrame, optional
        :func:`pdi_table` output to use instead of the default split.

    Returns
    -------
    pandas.DataFrame
        :func:`mixed_table` rows for ``(Intercept)``, ``aligned_ratio``,
        ``pdi_grouphigh`` and ``aligned_ratio:pdi_grouphigh``.
    """
    terms = ["(Intercept)", "aligned_ratio", "pdi_grouphigh", "aligned_ratio:pdi_grouphigh"]
    formula = f"{index} ~ aligned_ratio * C(pdi_group, Treatment('low'))"
    if runs.empty:
        return mixed_table(runs, formula, index=index, terms=terms)
    pdi = pdi if pdi is not None else pdi_table(runs["language"].unique())
    data = runs.merge(pdi[["language", "pdi_group"]], on="language", how="left")
    present_groups = set(data["pdi_group"].dropna())
    if present_groups != {"high", "low"}:
        out = mixed_table(runs.iloc[:0], formula, index=index, terms=terms)
        out["model"] = ", ".join(map(str, runs["model"].unique())) if "model" in runs else NAN
        out["note"] = "needs languages in both PDI groups (high and low)"
        return out
    return mixed_table(data, formula, index=index, terms=terms)


def direction_table(g_table: pd.DataFrame, index: str = "CPI", ci: float = 0.95) -> pd.DataFrame:
    """Languages where alignment lowers (protective) vs raises (amplifying) an index.

    Counts per model from a per-language g table (:func:`alignment_g`) with
    :func:`backfire.stats.direction_count` under both rules (``sign`` of the
    point estimate; ``ci``: interval excludes 0) and a two-sided exact
    binomial (sign) test of protective vs amplifying at 0.5. For DI,
    "amplifying" means alignment raises DI (the paper: 15 of 16 languages).

    Parameters
    ----------
    g_table : DataFrame
        :func:`alignment_g` output by model and language.
    index : str
        Which index's effects to use (``CPI`` or ``DI``).
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``model``, ``index``, ``rule``, ``n``, ``n_protective``,
        ``n_amplifying``, ``n_null``, ``share_protective``,
        ``share_amplifying`` (of ``n``) with Clopper-Pearson limits
        ``amplifying_ci_low``/``_high`` and ``protective_ci_low``/``_high``,
        ``p_sign``, ``protective`` and ``amplifying`` (language codes),
        ``note``.
    """
    from ..stats import binomial_test, direction_count

    cols = [
        "model",
        "index",
        "rule",
        "n",
        "n_protective",
        "n_amplifying",
        "n_null",
        "share_protective",
        "share_amplifying",
        "protective_ci_low",
        "protective_ci_high",
        "amplifying_ci_low",
        "amplifying_ci_high",
        "p_sign",
        "protective",
        "amplifying",
        "note",
    ]
    rows = []
    g = g_table[g_table["index"] == index] if "index" in g_table.columns else g_table.iloc[:0]
    by = present(g, ["model"])
    if g.empty:
        return frame([{"index": index, "rule": "sign", "n": 0, "note": "no per-language g"}], cols)
    for keys, sub in groups(g, by):
        sub = sub.dropna(subset=["language"]).set_index("language")
        for rule in ("sign", "ci"):
            row: dict[str, Any] = {**keys, "index": index, "rule": rule}
            ok = sub["g"].notna() & (
                sub["ci_low"].notna() & sub["ci_high"].notna() if rule == "ci" else True
            )
            if not ok.any():
                rows.append({**row, "n": 0, "note": "no language with a finite g"})
                continue
            dc, warns = quiet(
                direction_count,
                sub.loc[ok, "g"],
                sub.loc[ok, "ci_low"] if rule == "ci" else None,
                sub.loc[ok, "ci_high"] if rule == "ci" else None,
                rule=rule,
            )
            r = dc.iloc[0]
            n = int(r["n"])
            cls = dc.attrs["classification"]
            row.update(
                n=n,
                n_protective=int(r["n_protective"]),
                n_amplifying=int(r["n_amplifying"]),
                n_null=int(r["n_null"]),
                p_sign=float(r["p_sign"]),
                protective=", ".join(map(str, cls[cls == "protective"].index)),
                amplifying=", ".join(map(str, cls[cls == "amplifying"].index)),
            )
            for side in ("protective", "amplifying"):
                bt = binomial_test(row[f"n_{side}"], n, ci=ci).iloc[0]
                row[f"share_{side}"] = float(bt["estimate"])
                row[f"{side}_ci_low"] = float(bt["ci_low"])
                row[f"{side}_ci_high"] = float(bt["ci_high"])
            skipped = int((~ok).sum())
            row["note"] = join_notes(
                f"{skipped} language(s) without a finite g left out" if skipped else "", *warns
            )
            rows.append(row)
    return frame(rows, cols)


def pdi_correlation(
    g_table: pd.DataFrame, index: str = "CPI", value: str = "g", ci: float = 0.95
) -> pd.DataFrame:
    """Correlation of Hofstede PDI with the per-language alignment effect, per model.

    Pearson (the paper: r = 0.474, p = .064 over 16 languages) and Spearman,
    both with Fisher-z intervals (:func:`backfire.stats.correlation`).

    Parameters
    ----------
    g_table : DataFrame
        :func:`alignment_g` output by model and language.
    index : str
        Which index's effects to use (``CPI`` or ``DI``).
    value : str
        The effect column (``g``).
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``model``, ``index``, ``method``, ``r``, ``ci_low``, ``ci_high``,
        ``p``, ``n``, ``languages``, ``note``. Fewer than three languages with
        a finite effect (or a constant one) gives NaN with a note.
    """
    from ..stats import correlation

    cols = ["model", "index", "method", "r", "ci_low", "ci_high", "p", "n", "languages", "note"]
    g = g_table[g_table["index"] == index] if "index" in g_table.columns else g_table.iloc[:0]
    g = g.dropna(subset=["language"])
    if g.empty:
        return frame(
            [{"index": index, "method": m, "n": 0, "note": "no per-language g"} for m in _METHODS],
            cols,
        )
    rows = []
    for keys, sub in groups(g, present(g, ["model"])):
        pdi = pdi_table(sub["language"]).set_index("language")["pdi"]
        d = sub.assign(pdi=sub["language"].map(pdi)).dropna(subset=[value, "pdi"])
        for method in _METHODS:
            row: dict[str, Any] = {
                **keys,
                "index": index,
                "method": method,
                "n": len(d),
                "languages": ", ".join(d["language"]),
            }
            try:
                res, warns = quiet(correlation, d["pdi"], d[value], method, ci)
                r = res.iloc[0]
                row.update({k: float(r[k]) for k in ("r", "ci_low", "ci_high", "p")})
                row["note"] = join_notes(*warns)
            except ValueError as exc:
                row["note"] = str(exc)
            rows.append(row)
    return frame(rows, cols)


_METHODS = ("pearson", "spearman")


def pdi_sensitivity_table(
    g_table: pd.DataFrame, index: str = "CPI", value: str = "g", ci: float = 0.95
) -> pd.DataFrame:
    """The Pearson PDI correlation under every alternative language -> country mapping.

    Uses :func:`pdi_mappings` (primary, single swaps such as ``es=Mexico``,
    all first alternatives) and :func:`backfire.stats.pdi_sensitivity`.

    Parameters
    ----------
    g_table : DataFrame
        :func:`alignment_g` output by model and language.
    index : str
        Which index's effects to use (``CPI`` or ``DI``).
    value : str
        The effect column (``g``).
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``model``, ``index``, ``mapping``, ``r``, ``ci_low``, ``ci_high``,
        ``p``, ``n``, ``missing``, ``note``.
    """
    from ..stats import pdi_sensitivity

    cols = ["model", "index", "mapping", "r", "ci_low", "ci_high", "p", "n", "missing", "note"]
    g = g_table[g_table["index"] == index] if "index" in g_table.columns else g_table.iloc[:0]
    g = g.dropna(subset=["language"])
    if g.empty:
        return frame([{"index": index, "mapping": "primary", "note": "no per-language g"}], cols)
    rows = []
    for keys, sub in groups(g, present(g, ["model"])):
        effects = sub.set_index("language")[value].astype(float)
        for name, mapping in pdi_mappings(effects.index).items():
            row: dict[str, Any] = {**keys, "index": index, "mapping": name}
            try:
                res, warns = quiet(pdi_sensitivity, effects, {name: mapping}, ci)
                r = res.iloc[0]
                row.update({k: r[k] for k in ("r", "ci_low", "ci_high", "p", "n", "missing")})
                row["note"] = join_notes(*warns)
            except ValueError as exc:
                row.update(n=int(effects.notna().sum()), note=str(exc))
            rows.append(row)
    return frame(rows, cols)
