import asyncio

from backfire.simulate import estimate, run_manifest
from backfire.spec import load_study


def test_estimate_matches_a_synthetic_run_of_the_same_design(out_dir):
    study = load_study("study1", "smoke", models=["synthetic"], replicates=2)
    est = estimate(study)
    summary = asyncio.run(run_manifest(study.manifest(), out_dir, progress=False))
    assert int(est["calls"].sum()) == summary.calls == 8 * 20
    for key in ("prompt_tokens", "completion_tokens"):
        ours, actual = est[key].sum(), getattr(summary, key)
        assert abs(ours - actual) / actual < 0.25, (key, ours, actual)


def test_estimate_prices_api_models_offline():
    study = load_study("study1", "smoke", models=["openai/gpt-4o-mini"], languages=["en"])
    est = estimate(study)
    row = est.iloc[0]
    assert row["calls"] == 40 and row["prompt_tokens"] > 10_000
    assert 0 < row["cost_usd"] < 1
