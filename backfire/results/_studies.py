"""One call per study: every table of that study from :func:`analyse` output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._analyse import cell_counts
from ._study2 import (
    direction_table,
    pdi_correlation,
    pdi_sensitivity_table,
    pdi_table,
    ratio_group_interaction,
    ratio_slope,
)
from ._study34 import (
    backfire_count,
    individuated_agents,
    individuation_contrast,
    individuation_rates,
)
from ._tables import alignment_g, conformity_ratios, harmony_share, index_by_ratio

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..spec import StudySpec

STUDIES = ("study1", "study2", "study3", "study4")


def _runs(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return results["runs"]


def study1_tables(
    results: dict[str, pd.DataFrame], spec: StudySpec | None = None
) -> dict[str, pd.DataFrame]:
    """Study 1 (English vs Japanese x aligned ratio).
    Parameters
    ----------
    results : dict of DataFrame
        :func:`analyse` output.
    spec : StudySpec, optional
        The design, so that :func:`cell_counts` can flag missing runs.

    Returns
    -------
    dict of DataFrame
        ``cells`` (:func:`cell_counts`), ``index_by_ratio`` (CPI and DI mean
        and CI per language and ratio), ``g`` (Hedges' g of CPI and DI, ratio
        1.0 vs 0.0, per language), ``harmony_share`` and ``conformity_ratio``
        (aligned vs unaligned).
    """
    runs = _runs(results)
    return {
        "cells": cell_counts(runs, spec),
        "index_by_ratio": index_by_ratio(runs, ("CPI", "DI")),
        "g": alignment_g(runs, ("CPI", "DI")),
        "harmony_share": harmony_share(runs),
        "conformity_ratio": conformity_ratios(runs),
    }


def study2_tables(
    results: dict[str, pd.DataFrame], spec: StudySpec | None = None
) -> dict[str, pd.DataFrame]:
    """Study 2 (sixteen languages x aligned ratio).
    Parameters
    ----------
    results : dict of DataFrame
        :func:`analyse` output.
    spec : StudySpec, optional
        The design, so that :func:`cell_counts` can flag missing runs.

    Returns
    -------
    dict of DataFrame
        ``cells``, ``index_by_ratio``, ``g`` (per-language g of CPI and DI:
        the forest plot's data), ``pdi`` (PDI and the high/low group, the
        documented stand-in for the paper's language group), ``di_slope``
        (DI ~ ratio + (1 | language)), ``cpi_interaction`` (CPI ~ ratio *
        pdi_group + (1 | language)), ``direction`` (protective vs amplifying
        languages on CPI, binomial test), ``di_direction`` (languages where
        alignment raises DI), ``pdi_correlation`` (Pearson and Spearman),
        ``pdi_sensitivity`` (alternative PDI mappings), ``harmony_share``,
        ``conformity_ratio``.
    """
    runs = _runs(results)
    g = alignment_g(runs, ("CPI", "DI"))
    langs = list(runs["language"].dropna().unique()) if not runs.empty else []
    return {
        "cells": cell_counts(runs, spec),
        "index_by_ratio": index_by_ratio(runs, ("CPI", "DI")),
        "g": g,
        "pdi": pdi_table(langs),
        "di_slope": ratio_slope(runs, "DI"),
        "cpi_interaction": ratio_group_interaction(runs, "CPI"),
        "direction": direction_table(g, "CPI"),
        "di_direction": direction_table(g, "DI"),
        "pdi_correlation": pdi_correlation(g, "CPI"),
        "pdi_sensitivity": pdi_sensitivity_table(g, "CPI"),
        "harmony_share": harmony_share(runs),
        "conformity_ratio": conformity_ratios(runs),
    }


def study3_tables(
    results: dict[str, pd.DataFrame], spec: StudySpec | None = None
) -> dict[str, pd.DataFrame]:
    """Study 3 (individuation as countermeasure).
    Parameters
    ----------
    results : dict of DataFrame
        :func:`analyse` output.
    spec : StudySpec, optional
        The design, so that :func:`cell_counts` can flag missing runs.

    Returns
    -------
    dict of DataFrame
        ``cells``, ``rates`` (run-level DI, CPI, conformity rate and share,
        compliance by individuated share), ``agents`` (individuated vs other
        agents per language and ratio), ``agents_pooled`` (the same per
        model, pooled: the paper's single DI number), ``contrast``
        (within-run individuated minus other, mixed runs only).
    """
    runs, agents = _runs(results), results["agents"]
    return {
        "cells": cell_counts(runs, spec),
        "rates": individuation_rates(runs),
        "agents": individuated_agents(agents),
        "agents_pooled": individuated_agents(agents, by=("model",)),
        "contrast": individuation_contrast(agents),
    }


def study4_tables(
    results: dict[str, pd.DataFrame], spec: StudySpec | None = None
) -> dict[str, pd.DataFrame]:
    """Study 4 (cross-model validation).
    Parameters
    ----------
    results : dict of DataFrame
        :func:`analyse` output.
    spec : StudySpec, optional
        The design, so that :func:`cell_counts` can flag missing runs.

    Returns
    -------
    dict of DataFrame
        ``cells``, ``index_by_ratio``, ``g`` (g of CPI and DI per model and
        language), ``backfire`` (models in which alignment raises CPI, per
        language).
    """
    runs = _runs(results)
    g = alignment_g(runs, ("CPI", "DI"))
    return {
        "cells": cell_counts(runs, spec),
        "index_by_ratio": index_by_ratio(runs, ("CPI", "DI")),
        "g": g,
        "backfire": backfire_count(g, "CPI"),
    }


_TABLES = {
    "study1": study1_tables,
    "study2": study2_tables,
    "study3": study3_tables,
    "study4": study4_tables,
}


def study_tables(
    results: dict[str, pd.DataFrame],
    study: str | None = None,
    spec: StudySpec | None = None,
) -> dict[str, Any]:
    """Tables of one study, or of every study present in the data.

    Parameters
    ----------
    results : dict of DataFrame
        :func:`analyse` output.
    study : str, optional
        ``study1`` .. ``study4``: return that study's tables (computed from
        all of ``results``). ``None``: ``{study: tables}`` for each value of
        ``runs["study"]``, each on its own runs.
    spec : StudySpec, optional
        The design, for :func:`cell_counts`.

    Returns
    -------
    dict
        A table dict, or a dict of them keyed by study.
    """
    if study is not None:
        if study not in _TABLES:
            raise ValueError(
                f"study: invalid value {study!r}; allowed values: {', '.join(STUDIES)}"
            )
        return _TABLES[study](results, spec)
    runs = results["runs"]
    out: dict[str, Any] = {}
    for name in STUDIES:
        if runs.empty or name not in set(runs["study"]):
            continue
        ids = set(runs.loc[runs["study"] == name, "run_id"])
        sub = {
            k: (v[v["run_id"].isin(ids)] if "run_id" in v.columns else v)
            for k, v in results.items()
        }
        for k in sub:
            sub[k].attrs = dict(results[k].attrs)
        out[name] = _TABLES[name](sub, spec if spec is not None and spec.name == name else None)
    return out
