"""Each analysis notebook runs under papermill on the tiny synthetic dataset.

Kernel: ``python3``, which jupyter_client maps to the interpreter running the
tests (``.venv/bin/python``); if it is missing, install it into the venv with
``.venv/bin/python -m ipykernel install --sys-prefix --name python3``.
Studies 1, 2 and 4 find every run already simulated (``simulate="missing"``
skips them); Study 3 starts from an empty folder, so its notebook simulates
inside the kernel (the path Jupyter users take).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import backfire.results as br

from .conftest import PARAMS

papermill = pytest.importorskip("papermill")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = {
    "study1": "study1_english_japanese.ipynb",
    "study2": "study2_sixteen_languages.ipynb",
    "study3": "study3_individuation.ipynb",
    "study4": "study4_cross_model.ipynb",
}
COMPARISON = {"study", "quantity", "paper", "ours", "ci_low", "ci_high", "verdict"}


@pytest.mark.parametrize("study", list(NOTEBOOKS))
def test_notebook_runs(study, data_root, tmp_path):
    import pandas as pd

    data = tmp_path / "runs" if study == "study3" else data_root
    params = dict(
        PARAMS[study],
        preset="default",
        data_dir=str(data),
        simulate="missing",
        results_dir=str(tmp_path / "results"),
        figures_dir=str(tmp_path / "figures"),
        fig_format=["png", "pdf"] if study == "study1" else ["png"],
    )
    papermill.execute_notebook(
        str(ROOT / "notebooks" / NOTEBOOKS[study]),
        str(tmp_path / "out.ipynb"),
        parameters=params,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    doc = json.loads((tmp_path / "results" / "summary.json").read_text(encoding="utf-8"))
    assert set(br.SUMMARY_KEYS) <= set(doc)
    section = doc["studies"][study]
    assert set(br.STUDY_KEYS) <= set(section)
    assert section["data"]["n_runs"] == section["design"]["n_runs"] > 0
    assert section["parameters"]["model"] == PARAMS[study]["model"]
    cmp = pd.read_csv(tmp_path / "results" / study / "paper_comparison.csv")
    assert set(cmp.columns) >= COMPARISON and len(cmp) > 0
    assert (cmp["study"] == study).all()
    assert any((tmp_path / "figures" / study).glob("*.png"))
    if study == "study1":
        assert any((tmp_path / "figures" / study).glob("*.pdf"))
