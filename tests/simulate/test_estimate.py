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


def test_estimate_counts_what_a_prefix_caching_provider_reads_from_its_cache(out_dir):
    from backfire.testing import FakeOpenAIServer
    from backfire.transcripts import load_turns

    # replies as long as the estimate assumes (80% of the smoke preset's 25-word caps)
    words = (
        "we must refuse this order because it is wrong and we owe each other care " * 2
    ).split()
    reply = {"speech": " ".join(words[:20]), "thought": " ".join(words[-20:])}
    with FakeOpenAIServer(prefix_cache=True, reply=reply) as srv:
        study = load_study(
            "study1",
            "smoke",
            models=["openai/gpt-4o-mini"],
            languages=["en"],
            replicates=1,
            protocol={"turns": [1, 2, 3, 4, 5]},
            settings={"api_base": srv.base_url, "extra": {"api_key": "sk-test"}},
        )
        asyncio.run(run_manifest(study.manifest(), out_dir, progress=False))
    turns = load_turns(out_dir)
    actual = turns["cached_tokens"].sum() / turns["prompt_tokens"].sum()
    est = estimate(study)
    share = est["cached_prompt_tokens"].sum() / est["prompt_tokens"].sum()
    assert actual > 0.3 and abs(share - actual) / actual < 0.25, (share, actual)
    assert (est["cost_usd_cached"] < est["cost_usd"]).all()
