"""The simulation benchmark's naive baseline replays the engine's conversation exactly."""

import asyncio

import pandas as pd
import pytest

from backfire.llm import ChatRequest, ChatResponse, provider_model
from backfire.simulate import simulate_run
from backfire.spec import load_study
from backfire.transcripts import load_turns
from benchmarks.simulation import Rates, ReplayModel, naive_sample, token_accounting


class Recording:
    """Records what it is asked, answering from ``inner`` (or echoing the length asked)."""

    def __init__(self, inner=None):
        self.inner, self.requests = inner, []

    async def generate(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        if self.inner is not None:
            return await self.inner.generate(request)
        n = request.params["max_tokens"]
        return ChatResponse("not the engine's reply", request.model, 7, n)


def test_naive_sample_is_stratified_by_turn_and_rotates_through_agents():
    s = naive_sample(list(range(1, 11)), 10, 0.3)
    assert all(len(a) == 3 for a in s.values())
    counts = pd.Series([a for agents in s.values() for a in agents]).value_counts()
    assert set(counts.index) == set(range(10)) and set(counts) == {3}
    assert naive_sample([1, 2], 10, 1.0) == {1: set(range(10)), 2: set(range(10))}
    assert all(len(a) == 1 for a in naive_sample([1, 2, 3], 10, 0.01).values())


def test_replay_sends_the_engines_prompts_and_goes_on_with_its_replies(tmp_path):
    spec = load_study(
        "study1", "smoke", models=["synthetic"], languages=["en"], protocol={"turns": [1, 2, 3]}
    ).manifest()[0]
    inner, rm = provider_model(spec.model, spec.settings)
    engine = Recording(inner)
    asyncio.run(simulate_run(spec, engine, rm, tmp_path / "engine" / "a.jsonl"))
    recorded = load_turns(tmp_path / "engine")
    sample = naive_sample([1, 2, 3], 10, 0.2)

    server = Recording()
    replay = ReplayModel(server, recorded, sample)
    asyncio.run(simulate_run(spec, replay, rm, tmp_path / "naive" / "a.jsonl"))

    # only the sampled calls reach the server, each with the engine's exact prompt,
    # the cache off and the engine's reply length forced
    sent = {(r.tags["turn"], r.tags["agent"]): r for r in server.requests}
    by_role = dict(zip(recorded["agent_index"], recorded["agent"], strict=False))
    assert set(sent) == {(t, by_role[i]) for t, agents in sample.items() for i in agents}
    asked = {(r.tags["turn"], r.tags["agent"]): r for r in engine.requests}
    rec = recorded.set_index(["turn", "agent"])
    for key, r in sent.items():
        assert r.messages == asked[key].messages
        assert "response_format" not in r.params
        assert r.params["extra_body"] == {"cache_prompt": False, "id_slot": 0, "ignore_eos": True}
        assert r.params["max_tokens"] == max(1, rec.loc[key, "completion_tokens"])
    assert len(replay.timed) == len(sent)
    # the replayed transcript is the engine's conversation
    naive = load_turns(tmp_path / "naive").set_index(["turn", "agent"])
    pd.testing.assert_series_equal(naive["speech"], rec["speech"], check_like=True)


def test_token_accounting_new_tokens_and_time_at_depth():
    turns = pd.DataFrame(
        {
            "run_id": ["r"] * 3,
            "agent_index": [0] * 3,
            "turn": [1, 2, 3],
            "prompt_tokens": [100, 250, 400],
            "completion_tokens": [50, 50, 50],
            "cached_tokens": [0, 140, 290],
        }
    )
    rates = Rates(prompt_at0=2.0, prompt_per_depth=0.001, gen_at0=5.0, gen_per_depth=0.01)
    out = token_accounting(turns, rates)
    # new: 100, then 250 - (100 + 50) = 100, then 400 - (250 + 50) = 100
    assert out["new_prompt_tokens"] == 300 and out["processed_prompt_tokens"] == 320
    # new tokens at their middle depths 50, 200, 350; replies at 125, 275, 425
    assert out["new_prompt_s_at_depth"] == pytest.approx(100 * (6.0 + 0.6) / 1000)
    assert out["gen_s_at_depth"] == pytest.approx(50 * (15.0 + 0.01 * 825) / 1000)
    assert out["new_prompt_s_at_depth0"] == pytest.approx(0.6)
    assert out["gen_s_at_depth0"] == pytest.approx(0.75)


def test_naive_seconds_from_a_sample_of_calls():
    import numpy as np

    from benchmarks.simulation import naive_seconds

    rng = np.random.default_rng(0)
    turn = np.repeat(np.arange(1, 9), 10)
    p = 600 + 480 * (turn - 1) + rng.integers(0, 400, turn.size)  # longer later in a turn
    c = rng.integers(30, 90, turn.size)
    k, ck = p / 1000, c / 1000
    secs = 0.01 + 2.0 * k + 0.3 * k * k + 6.0 * ck + 5.0 * ck * k
    recorded = pd.DataFrame(
        {"turn": turn, "agent_index": np.tile(np.arange(10), 8), "prompt_tokens": p}
    ).assign(completion_tokens=c, wall_s=secs * rng.normal(1, 0.03, turn.size))
    truth = recorded["wall_s"].sum()
    assert naive_seconds(recorded, recorded)["s_per_sim"] == pytest.approx(truth)

    sample = naive_sample(list(range(1, 9)), 10, 0.2)
    sent = recorded[[a in sample[t] for t, a in zip(turn, recorded["agent_index"], strict=True)]]
    est = naive_seconds(sent, recorded)
    assert len(sent) == 16 and est["call_time_fit_r2"] > 0.99
    assert est["s_per_sim"] == pytest.approx(truth, rel=0.02)
    assert est["s_per_sim_stratified_se"] > 0
