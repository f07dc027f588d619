"""Write the four analysis notebooks (without outputs) from one template.

Run ``python notebooks/_make_notebooks.py`` after editing this file; the
notebooks are generated so that they stay identical in structure and hold no
logic: every cell calls a :mod:`backfire.results` function and displays what
it returns. Each notebook has exactly one cell tagged ``parameters`` for
papermill (``papermill nb.ipynb out.ipynb -p model synthetic ...``); run top to
bottom in Jupyter they use the defaults in that cell.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

STUDIES = {
    "study1": {
        "file": "study1_english_japanese.ipynb",
        "title": "Study 1: English vs Japanese, alignment ratio",
        "intro": (
            "Ten agents, fifteen turns of coercion; a share of them (the *aligned ratio*) "
            "carry the safety prefix. The paper reports that full alignment lowers the "
            "collective pathology index (CPI) in English (g = -1.844) and raises it in "
            "Japanese (g = +0.771). Here: CPI and DI by ratio, Hedges' g of ratio 1.0 vs 0.0 "
            "per language, the group-harmony share of protective speech and the "
            "conformity:individuation ratio, aligned vs unaligned."
        ),
        "extra_params": "",
        "tables": [
            ("Design cells (missing runs are flagged)", "cells"),
            ("CPI and DI by aligned ratio (mean, 95% CI over runs)", "index_by_ratio"),
            ("Hedges' g, ratio 1.0 vs 0.0, per language", "g"),
            ("Group-harmony share of protective speech", "harmony_share"),
            ("Conformity : individuation ratio", "conformity_ratio"),
        ],
    },
    "study2": {
        "file": "study2_sixteen_languages.ipynb",
        "title": "Study 2: sixteen languages",
        "intro": (
            "The alignment ratio in sixteen languages. The paper reports that DI rises with "
            "alignment (beta = 0.0667, 15 of 16 languages), a CPI ratio x language-group "
            "interaction (beta = 0.0684), 8 protective vs 8 amplifying languages and "
            "r(PDI, effect) = 0.474 (p = .064). The paper's *language group* is unknown: "
            "here it is high vs low Hofstede PDI, split at the median (docs/RESULTS.md)."
        ),
        "extra_params": "",
        "tables": [
            ("Design cells", "cells"),
            ("Hofstede PDI and the high/low group (assumption)", "pdi"),
            ("Per-language Hedges' g (forest data)", "g"),
            ("DI ~ ratio + (1 | language)", "di_slope"),
            ("CPI ~ ratio * PDI group + (1 | language)", "cpi_interaction"),
            ("Protective vs amplifying languages (CPI), sign test", "direction"),
            ("Languages where alignment raises DI", "di_direction"),
            ("PDI correlation of the per-language g", "pdi_correlation"),
            ("Sensitivity to the language -> country PDI mapping", "pdi_sensitivity"),
            ("CPI and DI by aligned ratio", "index_by_ratio"),
            ("Group-harmony share of protective speech", "harmony_share"),
            ("Conformity : individuation ratio", "conformity_ratio"),
        ],
        # Issue 5: the lexicons are validated where the language comparison is made.
        "extra_cells": [
            (
                "markdown",
                "## Lexicon validation\n\nEvery number above counts lexicon hits, so a lexicon "
                "that misses a register in one language would manufacture a language effect. "
                "Each language's lexicon is scored against its hand-labelled set "
                "(`annotated.yaml`, written independently of the lexicon; definitions in "
                "`docs/METHODS.md`): precision, recall and F1 per category, macro-F1, and a flag "
                "below 0.80 macro or 0.60 in any category. Same as `backfire lexicon-report`.",
            ),
            (
                "code",
                "import backfire.classify as bc\n\n"
                "lexicon = bc.lexicon_report(spec.languages)\n"
                'lexicon[lexicon["category"] == "macro"][["language", "n_items", "macro_f1", '
                '"flagged", "reason"]]',
            ),
            (
                "code",
                'lexicon[lexicon["category"] != "macro"].pivot(\n'
                '    index="language", columns="category", values="f1"\n'
                ").round(2)",
            ),
            (
                "markdown",
                "### Harmony vs principled protection\n\nHow the items labelled group harmony "
                "or principled protection were coded: the paper's Japanese finding rests on "
                "telling the two apart.",
            ),
            (
                "code",
                "pd.concat({lang: bc.harmony_principled_confusion(lang) for lang in spec.languages})",
            ),
        ],
    },
    "study3": {
        "file": "study3_individuation.ipynb",
        "title": "Study 3: individuation as countermeasure",
        "intro": (
            "A share of agents is told to *think independently*. The paper reports that "
            "individuated agents became the main source of pathology and dissociation "
            "(DI = +1.120) with conformity above 84%. Here: run-level DI, CPI, conformity "
            "and compliance by individuated share, and agent-level comparisons of "
            "individuated vs other agents (intervals over runs)."
        ),
        "extra_params": (
            "individuated_shares = None  # shares of individuated agents (None: as in the preset)\n"
        ),
        "tables": [
            ("Design cells", "cells"),
            ("Run-level indices by individuated share", "rates"),
            ("Individuated vs other agents, per language and ratio", "agents"),
            ("Individuated vs other agents, pooled per model", "agents_pooled"),
            ("Within-run difference, individuated minus other (mixed runs)", "contrast"),
        ],
    },
    "study4": {
        "file": "study4_cross_model.ipynb",
        "title": "Study 4: cross-model validation",
        "intro": (
            "The Study 1 contrast on several models. The paper: the English protective "
            "effect holds in Llama 3.3 70B, GPT-4o-mini and Qwen3-Next-80B-A3B; the Japanese "
            "backfire in only one of them. `model` takes a list here (None: the preset's "
            "models)."
        ),
        "extra_params": "",
        "tables": [
            ("Design cells", "cells"),
            ("Hedges' g per model and language", "g"),
            ("Models in which alignment backfires, per language", "backfire"),
            ("CPI and DI by aligned ratio", "index_by_ratio"),
        ],
    },
}

PARAMETERS = """\
# Parameters (papermill injects overrides after this cell).
model = None  # a model string, or a list for Study 4 (None: as in the preset)
languages = None  # e.g. ["en", "ja"] (None: as in the preset)
ratios = None  # aligned ratios, e.g. [0, 0.5, 1] (None: as in the preset)
replicates = None  # runs per cell (None: as in the preset)
preset = "smoke"  # a preset of backfire/spec/presets.yaml: default, smoke, ...
turns = None  # subset of the 15 scripted events (tiny test runs) (None: as in the preset)
{extra}data_dir = "data/runs"  # transcripts are read from data_dir/<study>/
simulate = "missing"  # "missing": run the runs not yet complete; "never": analyse what is there
seed = None  # study seed (None: as in the preset)
reference = "language"  # z reference set of CPI and DI: pooled | language | baseline
fig_format = ["png", "pdf"]
results_dir = "results"
figures_dir = "figures"
"""


def notebook(study: str) -> nbformat.NotebookNode:
    s = STUDIES[study]
    extra_kw = (
        ",\n                     individuated_shares=individuated_shares"
        if s["extra_params"]
        else ""
    )
    cells = [
        new_markdown_cell(
            f"# {s['title']}\n\n{s['intro']}\n\n"
            "Replication of Fukui (2026), *Alignment Backfire* (arXiv 2603.04904). "
            "Every assumption is listed in `docs/METHODS.md` and `docs/RESULTS.md`; this "
            "notebook only calls `backfire.results` functions. Run it top to bottom, or with "
            "papermill: `papermill notebooks/"
            f"{s['file']} out.ipynb -p preset smoke -p model synthetic`."
        ),
        new_code_cell(
            PARAMETERS.format(extra=s["extra_params"]), metadata={"tags": ["parameters"]}
        ),
        new_code_cell(
            "from pathlib import Path\n\n"
            "import pandas as pd\n\n"
            "import backfire.results as br\n\n"
            'pd.set_option("display.max_columns", 40)\n'
            'pd.set_option("display.width", 200)'
        ),
        new_markdown_cell(
            "## Design and data\n\nThe spec comes from the preset and the parameters; with "
            '`simulate="missing"` the runs not yet complete are simulated into `data_dir`. '
            "Relative paths are taken from the project root (the folder with `pyproject.toml`), "
            "so the notebook behaves the same in Jupyter (started in `notebooks/`) and papermill."
        ),
        new_code_cell(
            "data_dir, results_dir, figures_dir = br.project_paths(data_dir, results_dir, figures_dir)\n"
            f'spec = br.study_spec("{study}", preset, model=model, languages=languages,\n'
            f"                     ratios=ratios, replicates=replicates, seed=seed, turns=turns{extra_kw})\n"
            "br.prepare(spec, data_dir, simulate=simulate)"
        ),
        new_code_cell(
            f'results = br.analyse(Path(data_dir) / "{study}", reference=reference, spec=spec)\n'
            f'tables = br.study_tables(results, "{study}", spec=spec)\n'
            'results["runs"].attrs["z_reference"]'
        ),
        new_markdown_cell("## Tables"),
    ]
    for title, key in s["tables"]:
        cells.append(new_markdown_cell(f"### {title}"))
        cells.append(new_code_cell(f'tables["{key}"]'))
    for kind, text in s.get("extra_cells", []):
        cells.append(new_markdown_cell(text) if kind == "markdown" else new_code_cell(text))
    cells += [
        new_markdown_cell("## Figures\n\nSaved as PNG and PDF under `figures_dir/" + study + "/`."),
        new_code_cell(
            f'figures = br.study_figures("{study}", tables, figures_dir, formats=fig_format)\n'
            "br.show(figures)"
        ),
        new_markdown_cell(
            "## Comparison with the paper\n\nVerdict rule: `docs/RESULTS.md` (sign first; "
            '"paper inside our CI" where the paper gives a number).'
        ),
        new_code_cell(
            f'comparison = br.paper_comparison({{"{study}": tables}})\n'
            'comparison[["quantity", "model", "paper_text", "ours", "ci_low", "ci_high", "p", '
            '"ours_text", "verdict"]]'
        ),
        new_markdown_cell(
            "## Numbers and provenance\n\n`results_dir/summary.json` (this study's section: "
            "every number, model ids, versions, prompt and lexicon hashes, seeds, z reference) "
            "and `results_dir/" + study + "/*.csv`."
        ),
        new_code_cell(
            f'br.summary_json("{study}", results, tables, comparison, results_dir, spec=spec,\n'
            "                parameters=dict(model=model, languages=languages, ratios=ratios,\n"
            "                                replicates=replicates, preset=preset, turns=turns,\n"
            "                                data_dir=data_dir, simulate=simulate, seed=seed,\n"
            "                                reference=reference, fig_format=fig_format,\n"
            f"                                {'individuated_shares=individuated_shares, ' if s['extra_params'] else ''}"
            "results_dir=results_dir, figures_dir=figures_dir))"
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating gives the same file
        cell["id"] = f"{study}-{i:02d}"
    return nb


def main() -> None:
    for study, s in STUDIES.items():
        nb = notebook(study)
        nbformat.validate(nb)
        nbformat.write(nb, HERE / s["file"])
        print(HERE / s["file"])


if __name__ == "__main__":
    main()
