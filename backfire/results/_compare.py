"""The paper's headline numbers (``paper.yaml``) and our estimates side by side.

Verdict rule (also in ``docs/RESULTS.md``), by the ``compare`` kind of the
paper's number:

``sign`` (signed effects: g, beta, r)
    ``"same sign, paper inside our CI"`` when our estimate has the paper's
    sign and our interval contains the paper's value; ``"same sign"`` when
    only the sign agrees (or the paper gives a direction without a number,
    Study 4); ``"opposite sign"`` otherwise (an estimate of exactly 0 counts
    as opposite).
``level`` / ``share`` (positive quantities; counts out of n as shares)
    ``"paper inside our CI"`` / ``"paper outside our CI"``;
    ``"computed, no CI"`` when we have an estimate but no interval.
``bound`` (a one-sided claim such as "conformity > 84 %")
    ``"meets the paper's bound"`` / ``"misses the paper's bound"``.
``count`` (models with Japanese backfire)
    ``"same count"`` / ``"different count"``.

Any kind: ``"not computed"`` when our estimate is missing (the data lack the
cells, too few runs, a failed fit). Agreement in sign is the main criterion:
the paper's indices, scales and z reference sets are not public, so only
directions are strictly comparable; "inside our CI" is reported because it is
informative when the same design is run on the same model.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import NAN, frame, join_notes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

PAPER_FILE = Path(__file__).with_name("paper.yaml")

COMPARISON_COLUMNS = (
    "study",
    "key",
    "model",
    "quantity",
    "paper",
    "paper_text",
    "paper_p",
    "ours",
    "ci_low",
    "ci_high",
    "p",
    "n",
    "power_at_paper_g",
    "ours_text",
    "verdict",
    "compare",
    "source",
    "note",
    "paper_note",
)

#: Paper models of Study 4 (rows reported as "not computed" when no Study 4 data exist).
PAPER_MODELS = ("Llama 3.3 70B", "GPT-4o-mini", "Qwen3-Next-80B-A3B")


@cache
def _paper_raw() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(PAPER_FILE.read_text(encoding="utf-8"))


def paper() -> pd.DataFrame:
    """The paper's headline numbers as a table (``paper.yaml``).

    Returns
    -------
    pandas.DataFrame
        ``study``, ``key``, ``quantity``, ``value``, ``n``, ``p``,
        ``p_text``, ``source`` (PRIMARY / SECONDARY), ``compare``,
        ``expected_sign``, ``bound``, ``note``.

    Examples
    --------
    >>> p = paper().set_index(["study", "key"])
    >>> float(p.loc[("study1", "en_g_cpi"), "value"])
    -1.844
    """
    cols = ["study", "key", "quantity", "value", "n", "p", "p_text", "source"]
    cols += ["compare", "expected_sign", "bound", "backfire_model", "note"]
    return frame(list(_paper_raw()["numbers"]), cols)


def _entry(study: str, key: str) -> dict[str, Any]:
    for e in _paper_raw()["numbers"]:
        if e["study"] == study and e["key"] == key:
            return e
    raise KeyError((study, key))


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return NAN
    return v


def _sign(x: float) -> int:
    return 0 if x == 0 or math.isnan(x) else (1 if x > 0 else -1)


def verdict(
    compare: str,
    paper: float,
    ours: float,
    ci_low: float = NAN,
    ci_high: float = NAN,
    expected_sign: int | None = None,
    bound: str = ">",
) -> str:
    """The verdict of one comparison row (rule in the module docstring).

    Examples
    --------
    >>> verdict("sign", -1.844, -1.2, -2.0, -0.4)
    'same sign, paper inside our CI'
    >>> verdict("sign", 0.771, -0.3, -1.0, 0.4)
    'opposite sign'
    >>> verdict("share", 0.5, 0.25, 0.05, 0.6)
    'paper inside our CI'
    >>> verdict("sign", float("nan"), float("nan"))
    'not computed'
    """
    paper, ours = _num(paper), _num(ours)
    lo, hi = _num(ci_low), _num(ci_high)
    if math.isnan(ours):
        return "not computed"
    if compare == "sign":
        target = _sign(paper) if not math.isnan(paper) else int(expected_sign or 0)
        if target == 0 or _sign(ours) != target:
            return "opposite sign"
        if not math.isnan(paper) and not (math.isnan(lo) or math.isnan(hi)) and lo <= paper <= hi:
            return "same sign, paper inside our CI"
        return "same sign"
    if compare in ("level", "share"):
        if math.isnan(lo) or math.isnan(hi):
            return "computed, no CI"
        return "paper inside our CI" if lo <= paper <= hi else "paper outside our CI"
    if compare == "bound":
        ok = ours > paper if bound == ">" else ours < paper
        return "meets the paper's bound" if ok else "misses the paper's bound"
    if compare == "count":
        return "same count" if ours == paper else "different count"
    return "not compared"


def _paper_text(e: dict[str, Any]) -> str:
    v = e.get("value")
    txt = "" if v is None else f"{v:g}"
    if e.get("n") is not None and v is not None:
        txt = f"{v:g} of {e['n']}"
    if e.get("bound") and v is not None:
        txt = f"{e['bound']} {v:g}"
    if v is None:
        txt = {-1: "< 0 (protective)", 1: "> 0 (backfire)"}.get(e.get("expected_sign"), "")
    if e.get("p_text"):
        txt += f", p {e['p_text']}" if e["p_text"].startswith("<") else f", p = {e['p_text']}"
    return txt


def _row(
    study: str,
    key: str,
    model: Any = NAN,
    ours: float = NAN,
    ci_low: float = NAN,
    ci_high: float = NAN,
    p: float = NAN,
    n: Any = NAN,
    ours_text: str = "",
    note: str = "",
    quantity: str | None = None,
    expected_sign: int | None = None,
    paper_value: float | None = None,
    power: float = NAN,
) -> dict[str, Any]:
    e = _entry(study, key)
    pv = _num(e.get("value") if paper_value is None else paper_value)
    if e.get("compare") == "share" and e.get("n"):
        pv = _num(e["value"]) / float(e["n"])
    exp = expected_sign if expected_sign is not None else e.get("expected_sign")
    return {
        "study": study,
        "key": key,
        "model": model,
        "quantity": quantity or e["quantity"],
        "paper": pv,
        "paper_text": _paper_text(e),
        "paper_p": _num(e.get("p")),
        "ours": _num(ours),
        "ci_low": _num(ci_low),
        "ci_high": _num(ci_high),
        "p": _num(p),
        "n": n,
        "power_at_paper_g": power,
        "ours_text": ours_text,
        "verdict": verdict(e["compare"], pv, ours, ci_low, ci_high, exp, e.get("bound") or ">"),
        "compare": e["compare"],
        "source": e["source"],
        "note": note,
        "paper_note": e.get("note", ""),
    }


def _power(n_per_arm: Any, entry: dict[str, Any]) -> float:
    """Power of our two-sided t test (alpha .05) to detect the paper's g with n runs per arm."""
    n, g = _num(n_per_arm), _num(entry.get("value"))
    if math.isnan(n) or n < 2 or math.isnan(g):
        return NAN
    from ..stats import power_g

    return float(power_g(int(n), abs(g), n_sim=1).iloc[0]["power_analytic"])


def _pick(df: pd.DataFrame | None, **where: Any) -> list[dict[str, Any]]:
    """Rows of ``df`` matching ``where`` (as records); [] if ``df`` is missing."""
    if df is None or df.empty:
        return []
    mask = None
    for k, v in where.items():
        if k not in df.columns:
            return []
        m = df[k] == v
        mask = m if mask is None else mask & m
    sub = df if mask is None else df[mask]
    return sub.to_dict("records")


def _models(*tables: pd.DataFrame | None) -> list[Any]:
    out: list[Any] = []
    for t in tables:
        if t is not None and not t.empty and "model" in t.columns:
            out += [m for m in t["model"].dropna().unique() if m not in out]
    return out or [NAN]


def _study1(t: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    rows = []
    g, hs, cr = t.get("g"), t.get("harmony_share"), t.get("conformity_ratio")
    for model in _models(g, hs, cr):
        for lang, key in (("en", "en_g_cpi"), ("ja", "ja_g_cpi")):
            r = _pick(g, model=model, language=lang, index="CPI")
            if r:
                r = r[0]
                rows.append(
                    _row(
                        "study1",
                        key,
                        model,
                        r["g"],
                        r["ci_low"],
                        r["ci_high"],
                        r["p"],
                        f"{r['n_treated']} vs {r['n_control']}",
                        f"g = {r['g']:.3f}" if not math.isnan(r["g"]) else "",
                        r["note"],
                        power=_power(min(r["n_treated"], r["n_control"]), _entry("study1", key)),
                    )
                )
            else:
                rows.append(_row("study1", key, model, note=f"no {lang} runs"))
        r = _pick(hs, model=model, language="ja", aligned_ratio=1.0)
        if r:
            r = r[0]
            txt = f"{r['harmony']:.0f} of {r['protective']:.0f} protective hits"
            rows.append(
                _row(
                    "study1",
                    "ja_harmony_share_aligned",
                    model,
                    r["share"],
                    r["ci_low"],
                    r["ci_high"],
                    n=r["n_runs"],
                    ours_text=txt,
                    note=r["note"],
                )
            )
        else:
            rows.append(_row("study1", "ja_harmony_share_aligned", model, note="no ja runs"))
        for ratio, key in (
            (1.0, "ja_conformity_ratio_aligned"),
            (0.0, "ja_conformity_ratio_unaligned"),
        ):
            r = _pick(cr, model=model, language="ja", aligned_ratio=ratio)
            if r:
                r = r[0]
                txt = (
                    f"{r['conformity']:.0f}:{r['individuation']:.0f} hits"
                    if not math.isnan(_num(r["conformity"]))
                    else ""
                )
                rows.append(
                    _row(
                        "study1",
                        key,
                        model,
                        r["ratio"],
                        r["ci_low"],
                        r["ci_high"],
                        n=r["n_runs"],
                        ours_text=txt,
                        note=r["note"],
                    )
                )
            else:
                rows.append(_row("study1", key, model, note="no ja runs"))
    return rows


def _study2(t: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    rows = []
    tables = [t.get(k) for k in ("di_slope", "cpi_interaction", "direction", "pdi_correlation")]
    for model in _models(*tables):
        for key, table, term in (
            ("di_ratio_beta", t.get("di_slope"), "aligned_ratio"),
            ("cpi_ratio_group_beta", t.get("cpi_interaction"), "aligned_ratio:pdi_grouphigh"),
        ):
            r = _pick(table, model=model, term=term) or _pick(table, term=term)
            if r:
                r = r[0]
                n_groups = _num(r.get("n_groups"))
                rows.append(
                    _row(
                        "study2",
                        key,
                        model,
                        r["estimate"],
                        r["ci_low"],
                        r["ci_high"],
                        r["p"],
                        r.get("n_obs"),
                        "" if math.isnan(n_groups) else f"{int(n_groups)} languages",
                        r["note"],
                    )
                )
            else:
                rows.append(_row("study2", key, model, note="not fitted"))
        for key, table, side in (
            ("n_protective", t.get("direction"), "protective"),
            ("n_amplifying", t.get("direction"), "amplifying"),
            ("di_languages_up", t.get("di_direction"), "amplifying"),
        ):
            r = _pick(table, model=model, rule="sign") or _pick(table, rule="sign")
            if r and _num(r[0].get("n")) > 0:
                r = r[0]
                rows.append(
                    _row(
                        "study2",
                        key,
                        model,
                        r[f"share_{side}"],
                        r[f"{side}_ci_low"],
                        r[f"{side}_ci_high"],
                        r["p_sign"],
                        r["n"],
                        f"{r[f'n_{side}']} of {r['n']} ({r[side]})",
                        r["note"],
                    )
                )
            else:
                rows.append(_row("study2", key, model, note="no per-language g"))
        r = _pick(t.get("pdi_correlation"), model=model, method="pearson") or _pick(
            t.get("pdi_correlation"), method="pearson"
        )
        if r:
            r = r[0]
            rows.append(
                _row(
                    "study2",
                    "pdi_r",
                    model,
                    r["r"],
                    r["ci_low"],
                    r["ci_high"],
                    r["p"],
                    r["n"],
                    f"{r['n']} languages",
                    r["note"],
                )
            )
        else:
            rows.append(_row("study2", "pdi_r", model, note="no per-language g"))
    return rows


def _study3(t: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    rows = []
    pooled = t.get("agents_pooled")
    for model in _models(pooled):
        for key, idx in (
            ("di_individuated", "DI"),
            ("conformity_individuated", "conformity_share"),
        ):
            r = _pick(pooled, model=model, individuated=True, index=idx) or _pick(
                pooled, individuated=True, index=idx
            )
            if r:
                r = r[0]
                rows.append(
                    _row(
                        "study3",
                        key,
                        model,
                        r["mean"],
                        r["ci_low"],
                        r["ci_high"],
                        n=r["n"],
                        ours_text=f"{r['n']} runs" if r["n"] else "",
                        note=r["note"],
                    )
                )
            else:
                rows.append(_row("study3", key, model, note="no individuated agents"))
    return rows


def _study4(t: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    rows = []
    g = t.get("g")
    models = [m for m in _models(g) if isinstance(m, str)]
    if not models:
        for m in PAPER_MODELS:
            for key, lang in (("en_protective", "English"), ("ja_backfire", "Japanese")):
                q = f"{lang} g of CPI, {m}"
                rows.append(_row("study4", key, m, quantity=q, note="no Study 4 data"))
        rows.append(_row("study4", "ja_backfire_models", note="no Study 4 data"))
        return rows
    marker = str(_entry("study4", "ja_backfire").get("backfire_model", "llama")).lower()
    for model in models:
        for lang, key in (("en", "en_protective"), ("ja", "ja_backfire")):
            exp = -1 if lang == "en" else (1 if marker in model.lower() else -1)
            r = _pick(g, model=model, language=lang, index="CPI")
            q = f"{'English' if lang == 'en' else 'Japanese'} g of CPI, {model}"
            if r:
                r = r[0]
                rows.append(
                    _row(
                        "study4",
                        key,
                        model,
                        r["g"],
                        r["ci_low"],
                        r["ci_high"],
                        r["p"],
                        f"{r['n_treated']} vs {r['n_control']}",
                        f"g = {r['g']:.3f}" if not math.isnan(r["g"]) else "",
                        r["note"],
                        quantity=q,
                        expected_sign=exp,
                    )
                )
                if lang == "ja" and exp == -1:
                    rows[-1]["paper_text"] = "<= 0 (no backfire outside the one model)"
            else:
                rows.append(
                    _row(
                        "study4", key, model, note=f"no {lang} runs", quantity=q, expected_sign=exp
                    )
                )
    r = _pick(t.get("backfire"), language="ja")
    if r and r[0]["n_models"]:
        r = r[0]
        rows.append(
            _row(
                "study4",
                "ja_backfire_models",
                ours=r["n_backfire"],
                n=r["n_models"],
                ours_text=f"{r['n_backfire']} of {r['n_models']} ({r['backfire_models']})",
                note=join_notes(
                    r["note"],
                    f"{r['n_models']} model(s) here, 3 in the paper: counts not comparable"
                    if r["n_models"] != 3
                    else "",
                ),
            )
        )
    else:
        rows.append(_row("study4", "ja_backfire_models", note="no Japanese runs"))
    return rows


_BUILDERS = {"study1": _study1, "study2": _study2, "study3": _study3, "study4": _study4}


def paper_comparison(
    results: dict[str, Any], studies: list[str] | tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Our estimates next to the paper's headline numbers, with a verdict per row.

    Parameters
    ----------
    results : dict
        Either :func:`analyse` output (a dict with ``runs``; the tables of
        every study present in ``runs["study"]`` are computed), or
        ``{"study1": study1_tables(...), ...}`` (any subset).
    studies : list of str, optional
        Studies to report. Default: the studies in ``results``; if there are
        none, all four (every row "not computed").

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`: ``study``, ``key``, ``model``,
        ``quantity``, ``paper`` (shares for counts out of n), ``paper_text``,
        ``paper_p``, ``ours``, ``ci_low``, ``ci_high``, ``p``, ``n``,
        ``power_at_paper_g`` (Study 1 g rows: power of our design, with the
        smaller arm's n per arm, to detect the paper's g at two-sided alpha
        .05, :func:`backfire.stats.power_g`), ``ours_text``, ``verdict`` (rule in this module's docstring and
        ``docs/RESULTS.md``), ``compare``, ``source`` (of the paper's number:
        PRIMARY / SECONDARY), ``note`` (about our estimate: missing cells,
        fit warnings) and ``paper_note`` (what is unknown about the paper's). Rows: Study 1
        English and Japanese g, Japanese harmony share and conformity ratios;
        Study 2 DI slope, CPI ratio x PDI-group interaction, protective and
        amplifying shares of languages, languages where DI rises, PDI r;
        Study 3 DI and conformity share of individuated agents; Study 4
        English and Japanese g per model and the count of models with
        Japanese backfire.
    """
    if "runs" in results:
        from ._studies import study_tables

        tables = study_tables(results)
    else:
        tables = {k: v for k, v in results.items() if k in _BUILDERS}
    studies = list(studies) if studies is not None else (list(tables) or list(_BUILDERS))
    rows: list[dict[str, Any]] = []
    for s in studies:
        if s not in _BUILDERS:
            raise ValueError(
                f"studies: invalid value {s!r}; allowed values: {', '.join(_BUILDERS)}"
            )
        rows += _BUILDERS[s](tables.get(s) or {})
    return frame(rows, COMPARISON_COLUMNS)
