"""Figures of the four studies (matplotlib, Agg canvas, Okabe-Ito colours).

Every plotting function takes a results table and returns a
:class:`matplotlib.figure.Figure` drawn on an Agg canvas (no pyplot, no global
state, no display needed); rows with NaN are left out, and a panel with
nothing to draw says "no data" instead of failing. :func:`save_figure`
writes PNG and PDF; :func:`study_figures` makes and saves every figure of a
study under ``figures/<study>/``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe & Ito (2008) colour-blind-safe palette (black last).
PALETTE = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
PROTECTIVE, AMPLIFYING, NEUTRAL = "#0072B2", "#D55E00", "#999999"

LABELS = {
    "aligned_ratio": "Aligned agents (share of the 10 agents)",
    "individuated_share": "Individuated agents (share of the 10 agents)",
    "CPI": "CPI (sum of z-scores, SD units)",
    "DI": "DI (sum of z-scores, SD units)",
    "conformity_rate": "Conformity hits per utterance",
    "conformity_share": "Conformity share\n(of conformity + individuation hits)",
    "compliance": "Share of votes complying",
    "harm_rate": "Harmful hits per utterance",
    "dissociation": "Dissociated votes per vote cast",
    "g": "Hedges' g, ratio 1.0 vs 0.0 (SD units)",
    "pdi": "Hofstede Power Distance Index (points)",
}

DEFAULT_FORMATS = ("png", "pdf")


def _figure(
    width: float = 6.4, height: float = 4.2, nrows: int = 1, ncols: int = 1
) -> tuple[Figure, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _no_data(ax: Axes, what: str = "no data") -> None:
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def _finite(df: pd.DataFrame, cols: Iterable[str]) -> pd.DataFrame:
    cols = [c for c in cols if c in df.columns]
    if df.empty or not cols:
        return df.iloc[:0]
    return df.dropna(subset=cols)


def _label_col(df: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    """'ja' or 'model / ja' when more than one model is present."""
    by = [b for b in by if b in df.columns]
    multi = [b for b in by if df[b].nunique() > 1] or by[-1:]
    return df[multi].astype(str).agg(" / ".join, axis=1)


def save_figure(
    fig: Figure, folder: str | Path, name: str, formats: Sequence[str] | str = DEFAULT_FORMATS
) -> list[Path]:
    """Save ``fig`` as ``folder/name.<fmt>`` for each format (PNG at 200 dpi).

    Parameters
    ----------
    fig : Figure
    folder : path
        Created if needed (e.g. ``figures/study1``).
    name : str
        File stem.
    formats : sequence of str or str
        ``("png", "pdf")`` by default; a comma-separated string works too.

    Returns
    -------
    list of pathlib.Path
    """
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        fig.savefig(path, format=fmt, dpi=200, metadata=_metadata(fmt))
        paths.append(path)
    return paths


def _metadata(fmt: str) -> dict[str, Any] | None:
    # No creation date: the same numbers give the same PDF bytes.
    if fmt == "pdf":
        return {"CreationDate": None, "Creator": "backfire"}
    if fmt == "png":
        return {"Software": "backfire"}
    return None


def plot_index_by_ratio(
    table: pd.DataFrame,
    index: str = "CPI",
    x: str = "aligned_ratio",
    by: Sequence[str] = ("model", "language"),
    title: str | None = None,
    max_lines: int = 8,
) -> Figure:
    """Mean index by design level with 95 % CIs, one line per language (and model).

    With more than ``max_lines`` lines the languages get one small panel each.

    Parameters
    ----------
    table : DataFrame
        :func:`index_by_ratio` (or :func:`individuation_rates`) output.
    index : str
        Which index to draw.
    x : str
        The design variable (``aligned_ratio`` or ``individuated_share``).
    by : sequence of str
        Columns naming a line.
    title : str, optional
    max_lines : int
        Above this, small multiples.

    Returns
    -------
    matplotlib.figure.Figure
    """
    d = _finite(table[table["index"] == index] if "index" in table else table, [x, "mean"])
    extra = [b for b in by if b in d.columns and b != "language"]
    label = _label_col(d, [*extra, "language"]) if not d.empty else d.get("language")
    d = d.assign(_label=label) if not d.empty else d
    labels = list(dict.fromkeys(d["_label"])) if not d.empty else []
    ylab = LABELS.get(index, index)
    if len(labels) <= max_lines:
        fig, axes = _figure()
        ax = axes[0, 0]
        if not labels:
            _no_data(ax)
        for i, lab in enumerate(labels):
            s = d[d["_label"] == lab].sort_values(x)
            xs = s[x].to_numpy(float) + (i - (len(labels) - 1) / 2) * 0.008
            err = [s["mean"] - s["ci_low"], s["ci_high"] - s["mean"]]
            ax.errorbar(
                xs,
                s["mean"],
                yerr=[e.fillna(0).to_numpy() for e in err],
                color=PALETTE[i % len(PALETTE)],
                marker=MARKERS[i % len(MARKERS)],
                capsize=3,
                lw=1.5,
                label=lab,
            )
        if labels:
            ax.axhline(0, color="0.6", lw=0.8, ls=":")
            ax.legend(title="language", frameon=False, fontsize="small")
        ax.set_xlabel(LABELS.get(x, x))
        ax.set_ylabel(ylab)
    else:
        ncols = 4
        nrows = math.ceil(len(labels) / ncols)
        fig, axes = _figure(10, 2.2 * nrows, nrows, ncols)
        for ax in axes.ravel()[len(labels) :]:
            ax.set_visible(False)
        for i, lab in enumerate(labels):
            ax = axes.ravel()[i]
            s = d[d["_label"] == lab].sort_values(x)
            ax.fill_between(s[x], s["ci_low"], s["ci_high"], color=PALETTE[3], alpha=0.2, lw=0)
            ax.plot(s[x], s["mean"], color=PALETTE[3], marker="o", ms=3)
            ax.axhline(0, color="0.6", lw=0.8, ls=":")
            ax.set_title(lab, fontsize="small")
        fig.supxlabel(LABELS.get(x, x))
        fig.supylabel(ylab)
    fig.suptitle(title or f"{index} by {LABELS.get(x, x).split(' (')[0].lower()} (mean, 95% CI)")
    return fig


def plot_forest(g_table: pd.DataFrame, index: str = "CPI", title: str | None = None) -> Figure:
    """Forest plot of per-language (and per-model) Hedges' g with 95 % CIs.

    Protective effects (g < 0) are blue, amplifying (g > 0) vermillion; rows
    are sorted by g; languages without a finite g are listed as "n/a".

    Parameters
    ----------
    g_table : DataFrame
        :func:`alignment_g` output.
    index : str
        ``CPI`` or ``DI``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    g = g_table[g_table["index"] == index] if "index" in g_table.columns else g_table
    g = g.dropna(subset=["language"]) if "language" in g.columns else g.iloc[:0]
    n = max(len(g), 1)
    fig, axes = _figure(6.0, 1.2 + 0.32 * n)
    ax = axes[0, 0]
    if g.empty:
        _no_data(ax)
    else:
        g = g.assign(_label=_label_col(g, ["model", "language"]))
        g = g.assign(_order=g["g"].fillna(float("inf"))).sort_values("_order", ascending=False)
        ys = range(len(g))
        for y, (_, r) in zip(ys, g.iterrows(), strict=True):
            if math.isnan(r["g"]):
                ax.text(0, y, "n/a", ha="center", va="center", color="0.5", fontsize="small")
                continue
            color = PROTECTIVE if r["g"] < 0 else AMPLIFYING
            if not (math.isnan(r["ci_low"]) or math.isnan(r["ci_high"])):
                ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=color, lw=1.5)
            ax.plot(r["g"], y, "s" if r["g"] < 0 else "o", color=color, ms=6)
        ax.set_yticks(list(ys), list(g["_label"]))
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_ylim(-0.7, len(g) - 0.3)
    ax.set_xlabel(LABELS["g"] + f" of {index}")
    ax.set_title(
        title or f"Alignment effect on {index}: blue protective, vermillion amplifying",
        fontsize="medium",
    )
    return fig


def plot_pdi(
    g_table: pd.DataFrame,
    correlation: pd.DataFrame | None = None,
    index: str = "CPI",
    title: str | None = None,
) -> Figure:
    """Per-language g against Hofstede PDI, with the OLS line and r, p in the title.

    Parameters
    ----------
    g_table : DataFrame
        :func:`alignment_g` output (per language).
    correlation : DataFrame, optional
        :func:`pdi_correlation` output, for the Pearson and Spearman values.
    index : str
        ``CPI`` or ``DI``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np

    from ._study2 import pdi_table

    g = g_table[g_table["index"] == index] if "index" in g_table.columns else g_table
    g = _finite(g, ["language", "g"])
    fig, axes = _figure(6.0, 4.4)
    ax = axes[0, 0]
    if g.empty:
        _no_data(ax)
    else:
        pdi = pdi_table(g["language"].unique()).set_index("language")["pdi"]
        g = g.assign(pdi=g["language"].map(pdi)).dropna(subset=["pdi"])
        models = list(dict.fromkeys(g["model"])) if "model" in g else [None]
        for i, m in enumerate(models):
            s = g[g["model"] == m] if m is not None else g
            colors = [PROTECTIVE if v < 0 else AMPLIFYING for v in s["g"]]
            ax.errorbar(
                s["pdi"],
                s["g"],
                yerr=[(s["g"] - s["ci_low"]).fillna(0), (s["ci_high"] - s["g"]).fillna(0)],
                fmt="none",
                ecolor="0.75",
                lw=1,
            )
            ax.scatter(s["pdi"], s["g"], c=colors, marker=MARKERS[i % len(MARKERS)], zorder=3)
            for _, r in s.iterrows():
                ax.annotate(
                    r["language"], (r["pdi"], r["g"]), xytext=(4, 3), textcoords="offset points"
                )
        if len(g) >= 2 and g["pdi"].nunique() > 1:
            slope, icpt = np.polyfit(g["pdi"], g["g"], 1)
            xs = np.linspace(g["pdi"].min(), g["pdi"].max(), 50)
            ax.plot(xs, icpt + slope * xs, color="0.3", lw=1, ls="--")
        ax.axhline(0, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel(LABELS["pdi"])
    ax.set_ylabel(LABELS["g"] + f" of {index}")
    sub = ""
    if correlation is not None and not correlation.empty:
        parts = []
        for method, sym in (("pearson", "r"), ("spearman", "rho")):
            r = correlation[correlation["method"] == method]
            if not r.empty and not math.isnan(r["r"].iloc[0]):
                parts.append(
                    f"{sym} = {r['r'].iloc[0]:.2f}, p = {r['p'].iloc[0]:.3f} (n = {int(r['n'].iloc[0])})"
                )
        sub = "; ".join(parts) if parts else "correlation: n/a"
    ax.set_title(title or f"Alignment effect vs power distance\n{sub}", fontsize="medium")
    return fig


def plot_shares(harmony: pd.DataFrame, conformity: pd.DataFrame) -> Figure:
    """Study 1 speech shares, aligned vs unaligned per language.

    Parameters
    ----------
    harmony : DataFrame
        :func:`harmony_share` output.
    conformity : DataFrame
        :func:`conformity_ratios` output (log scale).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = _figure(9.0, 3.8, 1, 2)
    for ax, df, col, ylab, log in (
        (axes[0, 0], harmony, "share", "Group-harmony share of protective hits", False),
        (axes[0, 1], conformity, "ratio", "Conformity : individuation hits (ratio)", True),
    ):
        d = _finite(df, [col, "language"])
        if d.empty:
            _no_data(ax)
            ax.set_ylabel(ylab)
            continue
        d = d.assign(_label=_label_col(d, ["model", "language"]))
        labels = list(dict.fromkeys(d["_label"]))
        for j, cond in enumerate(("unaligned", "aligned")):
            s = d[d["condition"] == cond].set_index("_label").reindex(labels)
            xs = [i + (j - 0.5) * 0.35 for i in range(len(labels))]
            err = [(s[col] - s["ci_low"]).fillna(0), (s["ci_high"] - s[col]).fillna(0)]
            ax.bar(xs, s[col], width=0.35, color=PALETTE[1] if j == 0 else PALETTE[4], label=cond)
            ax.errorbar(xs, s[col], yerr=err, fmt="none", ecolor="0.2", capsize=3, lw=1)
            for x, v in zip(xs, s[col], strict=True):
                if v != v:  # no such speech in that cell: say so instead of an empty slot
                    ax.annotate(
                        "n/a",
                        (x, 0),
                        xycoords=("data", "axes fraction"),
                        xytext=(0, 3),
                        textcoords="offset points",
                        ha="center",
                        fontsize="small",
                        color="0.3",
                    )
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel("Language")
        ax.set_ylabel(ylab)
        if log:
            ax.set_yscale("log")
        ax.legend(frameon=False, fontsize="small")
    fig.suptitle("Protective and conformity speech, aligned (1.0) vs unaligned (0.0); 95% CI")
    return fig


def _study3_label(d: pd.DataFrame) -> pd.Series:
    """'ja, ratio 1' (prefixed by the model when there are several)."""
    lab = d["language"].astype(str)
    if "aligned_ratio" in d:
        lab = lab + ", ratio " + d["aligned_ratio"].map("{:g}".format)
    if "model" in d and d["model"].nunique() > 1:
        lab = d["model"].astype(str) + " / " + lab
    return lab


def plot_individuation(rates: pd.DataFrame, agents: pd.DataFrame | None = None) -> Figure:
    """Study 3: DI and conformity share by individuated share; individuated vs other agents.

    Parameters
    ----------
    rates : DataFrame
        :func:`individuation_rates` output.
    agents : DataFrame, optional
        :func:`individuated_agents` output (third panel).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = _figure(12.0, 3.9, 1, 3)
    for ax, idx in ((axes[0, 0], "DI"), (axes[0, 1], "conformity_share")):
        d = _finite(
            rates[rates["index"] == idx] if "index" in rates else rates,
            ["mean", "individuated_share"],
        )
        if d.empty:
            _no_data(ax)
        else:
            d = d.assign(_label=_study3_label(d))
            for i, lab in enumerate(dict.fromkeys(d["_label"])):
                s = d[d["_label"] == lab].sort_values("individuated_share")
                ax.errorbar(
                    s["individuated_share"] + i * 0.01,
                    s["mean"],
                    yerr=[
                        (s["mean"] - s["ci_low"]).fillna(0),
                        (s["ci_high"] - s["mean"]).fillna(0),
                    ],
                    color=PALETTE[i % len(PALETTE)],
                    marker=MARKERS[i % len(MARKERS)],
                    capsize=3,
                    label=lab,
                )
            ax.legend(frameon=False, fontsize="x-small")
        ax.set_xlabel(LABELS["individuated_share"])
        ax.set_ylabel(LABELS[idx])
    ax = axes[0, 2]
    d = None
    if agents is not None and not agents.empty:
        d = _finite(agents[agents["index"] == "DI"], ["mean"])
    if d is None or d.empty:
        _no_data(ax)
    else:
        d = d.assign(_label=_study3_label(d))
        labels = list(dict.fromkeys(d["_label"]))
        for j, flag in enumerate((False, True)):
            s = d[d["individuated"] == flag].set_index("_label").reindex(labels)
            xs = [i + (j - 0.5) * 0.35 for i in range(len(labels))]
            ax.bar(
                xs,
                s["mean"],
                width=0.35,
                color=PALETTE[1] if not flag else PALETTE[4],
                label="individuated" if flag else "other agents",
            )
            ax.errorbar(
                xs,
                s["mean"],
                yerr=[(s["mean"] - s["ci_low"]).fillna(0), (s["ci_high"] - s["mean"]).fillna(0)],
                fmt="none",
                ecolor="0.2",
                capsize=3,
            )
        ax.set_xticks(range(len(labels)), labels, fontsize="small")
        ax.axhline(0, color="0.6", lw=0.8)
        ax.legend(frameon=False, fontsize="small")
        ax.set_xlabel("Language, aligned ratio")
    ax.set_ylabel("Agent-level " + LABELS["DI"])
    fig.suptitle("Study 3: individuation (mean, 95% CI over runs)")
    return fig


def plot_models(g_table: pd.DataFrame, index: str = "CPI") -> Figure:
    """Study 4: g of alignment per model, one marker per language, with 95 % CIs.

    Parameters
    ----------
    g_table : DataFrame
        :func:`alignment_g` by model and language.
    index : str
        ``CPI`` or ``DI``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    g = g_table[g_table["index"] == index] if "index" in g_table.columns else g_table
    g = (
        g.dropna(subset=["model", "language"])
        if {"model", "language"} <= set(g.columns)
        else g.iloc[:0]
    )
    models = list(dict.fromkeys(g["model"])) if not g.empty else []
    fig, axes = _figure(max(5.0, 1.8 * len(models) + 2), 4.2)
    ax = axes[0, 0]
    if not models:
        _no_data(ax)
    langs = list(dict.fromkeys(g["language"])) if not g.empty else []
    width = 0.8 / max(len(langs), 1)
    for j, lang in enumerate(langs):
        s = g[g["language"] == lang].set_index("model").reindex(models)
        xs = [i + (j - (len(langs) - 1) / 2) * width for i in range(len(models))]
        ax.errorbar(
            xs,
            s["g"],
            yerr=[(s["g"] - s["ci_low"]).fillna(0), (s["ci_high"] - s["g"]).fillna(0)],
            fmt=MARKERS[j % len(MARKERS)],
            color=PALETTE[(3, 4, 2, 5)[j % 4]],
            capsize=4,
            ms=7,
            label=lang,
        )
    if models:
        ax.set_xticks(range(len(models)), [str(m) for m in models], rotation=15, ha="right")
        ax.axhline(0, color="0.3", lw=0.8)
        ax.legend(title="language", frameon=False)
    ax.set_xlabel("Model")
    ax.set_ylabel(LABELS["g"] + f" of {index}")
    ax.set_title("Study 4: alignment effect by model (below 0: protective)", fontsize="medium")
    return fig


def study_figures(
    study: str,
    tables: Mapping[str, pd.DataFrame],
    figures_dir: str | Path = "figures",
    formats: Sequence[str] | str = DEFAULT_FORMATS,
) -> dict[str, Figure]:
    """Draw and save every figure of a study under ``figures_dir/<study>/``.

    Parameters
    ----------
    study : str
        ``study1`` .. ``study4``.
    tables : mapping
        The study's tables (``studyN_tables``).
    figures_dir : path
        Root folder.
    formats : sequence of str or str
        File formats (PNG and PDF by default).

    Returns
    -------
    dict of str to Figure
        Figure name -> figure (already saved as ``<name>.<fmt>``); the
        paths are in ``fig.saved_paths``.
    """
    figs: dict[str, Figure] = {}
    t = tables
    if study in ("study1", "study2", "study4"):
        figs["cpi_by_ratio"] = plot_index_by_ratio(t["index_by_ratio"], "CPI")
        figs["di_by_ratio"] = plot_index_by_ratio(t["index_by_ratio"], "DI")
    if study in ("study1", "study2"):
        figs["forest_cpi"] = plot_forest(t["g"], "CPI")
        figs["shares"] = plot_shares(t["harmony_share"], t["conformity_ratio"])
    if study == "study2":
        figs["forest_di"] = plot_forest(t["g"], "DI")
        figs["pdi_scatter"] = plot_pdi(t["g"], t.get("pdi_correlation"), "CPI")
    if study == "study3":
        figs["individuation"] = plot_individuation(t["rates"], t.get("agents"))
    if study == "study4":
        figs["models_cpi"] = plot_models(t["g"], "CPI")
        figs["models_di"] = plot_models(t["g"], "DI")
    folder = Path(figures_dir) / study
    for name, fig in figs.items():
        fig.saved_paths = save_figure(fig, folder, name, formats)
    return figs


def show(figures: Mapping[str, Figure] | Figure) -> None:
    """Display figures in Jupyter as PNG (the saved PNG when there is one).

    Parameters
    ----------
    figures : mapping of str to Figure, or Figure
        :func:`study_figures` output or one figure.
    """
    try:
        from IPython.display import Image, Markdown, display
    except ImportError:  # pragma: no cover
        return
    import io

    items = figures.items() if isinstance(figures, Mapping) else [("", figures)]
    for name, fig in items:
        saved = [p for p in getattr(fig, "saved_paths", []) if p.suffix == ".png"]
        if saved:  # already rendered by save_figure: show that file
            data = saved[0].read_bytes()
        else:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=110)
            data = buf.getvalue()
        if name:
            display(Markdown(f"**{name}**"))
        display(Image(data, width=min(900, int(fig.get_figwidth() * 110))))
