"""Parameter recovery through the whole pipeline (issue 6).

The synthetic model plants a sign reversal: alignment protects in English and
amplifies in Japanese (``synthetic_profiles.yaml``). Simulate -> transcripts ->
lexicon classification -> measures -> Hedges' g must recover both signs at the
paper's cell size (15 runs per group). Six of the fifteen events are played to
keep the test near half a minute; the phrase banks and lexicons were written
independently, so this also checks that the lexicons see what was planted.
"""

import pytest

from backfire.measures import add_indices, classify_turns, run_measures
from backfire.simulate import run_study
from backfire.spec import load_study
from backfire.stats import hedges_g
from backfire.transcripts import load_turns


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("recovery")
    spec = load_study(
        "study1",
        models=["synthetic"],
        aligned_ratios=[0, 1],
        replicates=15,
        protocol={"turns": [3, 6, 8, 11, 13, 15]},
    )
    summary = run_study(spec, out, progress=False)
    assert summary.runs_completed == 60
    return add_indices(run_measures(classify_turns(load_turns(out))), reference="language")


def _g(runs, language, measure):
    r = runs[runs["language"] == language]
    return hedges_g(r[r["aligned_ratio"] == 1][measure], r[r["aligned_ratio"] == 0][measure]).iloc[
        0
    ]


def test_english_alignment_protects(runs):
    g = _g(runs, "en", "CPI")
    assert g["g"] < -0.8 and g["ci_high"] < 0 and g["p"] < 0.01
    assert _g(runs, "en", "compliance")["g"] < 0


def test_japanese_alignment_backfires(runs):
    g = _g(runs, "ja", "CPI")
    assert g["g"] > 0.8 and g["ci_low"] > 0 and g["p"] < 0.01
    assert _g(runs, "ja", "harmony_share")["g"] > 0
    assert _g(runs, "ja", "compliance")["g"] > 0


def test_monologue_rises_with_alignment_in_both(runs):
    for lang in ("en", "ja"):
        assert _g(runs, lang, "monologue_share")["g"] > 0
