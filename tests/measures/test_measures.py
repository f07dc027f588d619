import numpy as np
import pandas as pd
import pytest

from backfire.measures import CATEGORIES, add_indices, agent_measures, run_measures, text_length


def _turns():
    rows = []
    for run, ratio in (("r0", 0.0), ("r1", 1.0)):
        for agent in ("leader", "silent"):
            for turn, vote in ((1, None), (15, "comply")):
                hits = dict.fromkeys(CATEGORIES, 0)
                if ratio == 1.0 and agent == "leader":
                    hits["protective_harmony"] = 2
                if ratio == 0.0:
                    hits["harmful"] = 1
                rows.append(
                    {
                        "run_id": run,
                        "language": "en",
                        "aligned_ratio": ratio,
                        "model": "m",
                        "agent": agent,
                        "aligned": ratio == 1.0,
                        "individuated": False,
                        "turn": turn,
                        "speech": "we stay together",
                        "thought": "I am scared here now",
                        "vote": vote if turn == 15 else None,
                        "status": "ok",
                        "speech_len": 3.0,
                        "thought_len": 5.0,
                        **hits,
                    }
                )
    return pd.DataFrame(rows)


def test_run_measures_rates():
    runs = run_measures(_turns()).set_index("run_id")
    assert runs.loc["r0", "harm_rate"] == 1.0 and runs.loc["r1", "harm_rate"] == 0.0
    assert runs.loc["r1", "protective_rate"] == pytest.approx(4 / 4)
    assert runs.loc["r1", "harmony_share"] == 1.0 and np.isnan(runs.loc["r0", "harmony_share"])
    assert runs.loc["r0", "monologue_share"] == pytest.approx(5 / 8)
    assert runs.loc["r0", "compliance"] == 1.0
    # leader in r1 spoke protectively on the vote turn and complied: one of two votes
    assert runs.loc["r1", "dissociation"] == 0.5


def test_agent_measures_keep_flags():
    agents = agent_measures(_turns())
    assert len(agents) == 4 and set(agents["aligned"]) == {True, False}


def test_indices_and_reference_set_stated():
    runs = add_indices(run_measures(_turns()), reference="pooled")
    assert "pooled" in runs.attrs["z_reference"] or "all rows" in runs.attrs["z_reference"]
    r = runs.set_index("run_id")
    assert r.loc["r0", "CPI"] > r.loc["r1", "CPI"]
    assert r.loc["r1", "DI"] > r.loc["r0", "DI"]
    assert np.allclose(runs["CPI"] + runs["DI"], 2 * runs["z_monologue_share"])
    with pytest.raises(ValueError, match="allowed values: pooled, language, baseline"):
        add_indices(runs, reference="nope")


def test_text_length_word_equivalents():
    assert text_length(["one two three", None, ""], "en") == [3.0, 0.0, 0.0]
    (ja,) = text_length(["みんなで決めましょう"], "ja")
    assert ja == pytest.approx(10 / 2.5)


def test_a_component_without_spread_does_not_erase_the_index():
    import pandas as pd

    from backfire.measures import add_indices

    df = pd.DataFrame(
        {
            "language": ["xx"] * 4,
            "aligned_ratio": [0, 0, 1, 1],
            "monologue_share": [0.1, 0.3, 0.2, 0.6],
            "harm_rate": [0.0, 0.0, 0.0, 0.0],  # no harmful word anywhere
            "protective_rate": [0.2, 0.1, 0.0, 0.4],
        }
    )
    for ref in ("language", "pooled"):
        out = add_indices(df, reference=ref)
        assert (out["z_harm_rate"] == 0).all() and out["CPI"].notna().all()
    # a baseline with no spread, and rows that differ from it: no z
    out = add_indices(df.assign(harm_rate=[0.0, 0.0, 0.1, 0.0]), reference="baseline")
    assert out["z_harm_rate"].isna().tolist() == [False, False, True, False]


def test_classify_turns_in_one_call_equals_per_language(tmp_path):
    """The default path (one classify call over every language, index-agnostic)
    gives what a per-language classify gives, also on a non-unique index."""
    from pathlib import Path

    from backfire.classify import classify
    from backfire.measures import classify_turns
    from backfire.transcripts import load_turns

    ref = Path(__file__).parents[2] / "data" / "reference" / "study4"
    turns = load_turns(ref)
    assert turns["language"].nunique() > 1
    turns.index = np.arange(len(turns)) // 2  # every label twice
    per_language = classify_turns(turns, classify=lambda t, code: classify(t, code))
    one_call = classify_turns(turns)
    assert one_call.index.equals(turns.index)
    pd.testing.assert_frame_equal(
        one_call.reset_index(drop=True), per_language.reset_index(drop=True), check_dtype=False
    )
    assert one_call[list(CATEGORIES)].to_numpy().sum() > 0
