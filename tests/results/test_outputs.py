"""summary.json, CSVs, figures, and the shape of the notebooks (no kernel needed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import backfire.results as br

from .conftest import spec_for

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = {
    "study1": "study1_english_japanese.ipynb",
    "study2": "study2_sixteen_languages.ipynb",
    "study3": "study3_individuation.ipynb",
    "study4": "study4_cross_model.ipynb",
}
PARAMETERS = {
    "model",
    "languages",
    "ratios",
    "replicates",
    "preset",
    "data_dir",
    "simulate",
    "seed",
    "fig_format",
    "results_dir",
    "figures_dir",
}


def test_summary_json_and_csvs(tmp_path, analysed, tables):
    for study in ("study1", "study4"):
        cmp = br.paper_comparison({study: tables[study]})
        path = br.summary_json(
            study,
            analysed[study],
            tables[study],
            cmp,
            tmp_path,
            spec=spec_for(study),
            parameters={"model": "synthetic"},
        )
    doc = json.loads(path.read_text(encoding="utf-8"))  # strict JSON: no NaN
    assert set(br.SUMMARY_KEYS) <= set(doc) and set(doc["studies"]) == {"study1", "study4"}
    s1 = doc["studies"]["study1"]
    assert set(br.STUDY_KEYS) <= set(s1)
    prov = s1["provenance"]
    assert prov["versions"]["litellm"] and prov["versions"]["backfire"]
    assert prov["models"]["requested"] == ["synthetic"]
    assert set(prov["prompt_hashes"]) == {"en", "ja"}
    assert "harmful.yaml" in prov["lexicon_hashes"]["ja"]
    assert prov["seeds"]["study_seed"] == spec_for("study1").seed
    assert len(prov["seeds"]["runs"]) == 24
    assert "same language" in prov["z_reference"]["description"]
    assert s1["design"]["n_runs"] == 24 and s1["data"]["n_runs"] == 24
    g = {(r["language"], r["index"]): r for r in s1["tables"]["g"]}
    assert g[("en", "CPI")]["g"] < 0
    keys = {r["key"] for r in s1["paper_comparison"]}
    assert {"en_g_cpi", "ja_g_cpi"} <= keys
    for name in ("g", "index_by_ratio", "paper_comparison", "runs", "headers"):
        assert (tmp_path / "study1" / f"{name}.csv").is_file()
    # One file gathers every study's rows; rerunning a study replaces only its rows.
    import pandas as pd

    both = pd.read_csv(tmp_path / "paper_comparison.csv")
    assert list(dict.fromkeys(both["study"])) == ["study1", "study4"]
    n1 = (both["study"] == "study1").sum()
    br.update_comparison("study1", br.paper_comparison({"study1": tables["study1"]}), tmp_path)
    again = pd.read_csv(tmp_path / "paper_comparison.csv")
    assert len(again) == len(both) and (again["study"] == "study1").sum() == n1
    assert {"study", "quantity", "paper", "ours", "ci_low", "ci_high", "verdict"} <= set(again)
    out = subprocess.run(
        [sys.executable, "-m", "backfire", "compare", str(tmp_path / "paper_comparison.csv")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "verdict" in out.splitlines()[0] and "English: Hedges' g of CPI" in out


def test_figures_png_and_pdf(tmp_path, tables):
    # Study 2 has the most figures; the notebook tests draw the other studies'.
    figs = br.study_figures("study2", tables["study2"], tmp_path)
    expected = {"cpi_by_ratio", "di_by_ratio", "forest_cpi", "forest_di", "pdi_scatter", "shares"}
    assert set(figs) == expected
    for name in figs:
        for ext in ("png", "pdf"):
            f = tmp_path / "study2" / f"{name}.{ext}"
            assert f.is_file() and f.stat().st_size > 1000, f
    one = br.plot_individuation(tables["study3"]["rates"], tables["study3"]["agents"])
    assert len(one.axes) == 3
    assert br.save_figure(one, tmp_path, "s3", "png")[0].is_file()


def test_import_stays_light():
    code = "import sys, backfire.results; print(any(m in sys.modules for m in ('pandas', 'matplotlib', 'scipy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("study", list(NOTEBOOKS))
def test_notebook_is_clean_and_parametrised(study):
    nb = nbformat.read(ROOT / "notebooks" / NOTEBOOKS[study], as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code[0] is tagged[0]
    names = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line}
    assert names >= PARAMETERS
    for c in code:
        assert c.get("outputs") == [] and c.get("execution_count") is None
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebooks_match_their_generator():
    sys.path.insert(0, str(ROOT / "notebooks"))
    try:
        import _make_notebooks as gen
    finally:
        sys.path.pop(0)
    for study, name in NOTEBOOKS.items():
        on_disk = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        assert on_disk == gen.notebook(study), (
            f"regenerate: python notebooks/_make_notebooks.py ({name})"
        )
