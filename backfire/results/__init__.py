"""Results: transcripts -> the paper's tables, the comparison with the paper, figures.

Flat functions, DataFrames in and out. pandas, scipy, statsmodels and
matplotlib are imported inside the functions, so importing this package is
cheap.

Examples
--------
>>> import backfire.results as br
>>> res = br.analyse("data/runs/study1")                     # doctest: +SKIP
>>> tables = br.study1_tables(res)                           # doctest: +SKIP
>>> br.paper_comparison({"study1": tables})                  # doctest: +SKIP
>>> figs = br.study_figures("study1", tables, "figures")     # doctest: +SKIP
>>> br.summary_json("study1", res, tables, results_dir="results")  # doctest: +SKIP
"""

from ._analyse import (
    HEADER_COLUMNS,
    SIMULATE_MODES,
    analyse,
    cell_counts,
    prepare,
    project_paths,
    project_root,
    read_headers,
    study_spec,
)
from ._common import mean_ci, share_of_sums
from ._compare import COMPARISON_COLUMNS, PAPER_MODELS, paper, paper_comparison, verdict
from ._figures import (
    PALETTE,
    plot_forest,
    plot_index_by_ratio,
    plot_individuation,
    plot_models,
    plot_pdi,
    plot_shares,
    save_figure,
    show,
    study_figures,
)
from ._studies import (
    STUDIES,
    study1_tables,
    study2_tables,
    study3_tables,
    study4_tables,
    study_tables,
)
from ._study2 import (
    direction_table,
    mixed_table,
    pdi_correlation,
    pdi_mappings,
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
from ._summary import (
    ASSUMPTIONS,
    STUDY_KEYS,
    SUMMARY_KEYS,
    provenance,
    summary_json,
    update_comparison,
    write_tables,
)
from ._tables import alignment_g, conformity_ratios, harmony_share, index_by_ratio

__all__ = [
    "ASSUMPTIONS",
    "COMPARISON_COLUMNS",
    "HEADER_COLUMNS",
    "PALETTE",
    "PAPER_MODELS",
    "SIMULATE_MODES",
    "STUDIES",
    "STUDY_KEYS",
    "SUMMARY_KEYS",
    "alignment_g",
    "analyse",
    "backfire_count",
    "cell_counts",
    "conformity_ratios",
    "direction_table",
    "harmony_share",
    "index_by_ratio",
    "individuated_agents",
    "individuation_contrast",
    "individuation_rates",
    "mean_ci",
    "mixed_table",
    "paper",
    "paper_comparison",
    "pdi_correlation",
    "pdi_mappings",
    "pdi_sensitivity_table",
    "pdi_table",
    "plot_forest",
    "plot_index_by_ratio",
    "plot_individuation",
    "plot_models",
    "plot_pdi",
    "plot_shares",
    "prepare",
    "project_paths",
    "project_root",
    "provenance",
    "ratio_group_interaction",
    "ratio_slope",
    "read_headers",
    "save_figure",
    "share_of_sums",
    "show",
    "study1_tables",
    "study2_tables",
    "study3_tables",
    "study4_tables",
    "study_figures",
    "study_spec",
    "study_tables",
    "summary_json",
    "update_comparison",
    "verdict",
    "write_tables",
]
