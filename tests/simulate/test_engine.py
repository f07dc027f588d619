"""End-to-end runs on the synthetic model, through the real litellm call path."""

import asyncio
import json

import pytest

from backfire.llm import ChatResponse, ModelError
from backfire.simulate import make_agents, run_manifest
from backfire.spec import load_study
from backfire.transcripts import find_transcripts, read_transcript


def _runs(**kw):
    base = {"models": ["synthetic"], "languages": ["en"], "replicates": 1, "aligned_ratios": [0.5]}
    return load_study("study1", "default", **{**base, **kw}).manifest()


def test_full_simulation_ten_agents_fifteen_turns(out_dir):
    runs = _runs()
    summary = asyncio.run(run_manifest(runs, out_dir, progress=False))
    assert summary.runs_completed == 1 and summary.calls == 150
    (path,) = list(find_transcripts(out_dir))
    lines = read_transcript(path)
    head, turns, foot = lines[0], lines[1:-1], lines[-1]
    assert head["type"] == "header" and foot["type"] == "footer"
    for key in ("language", "aligned_ratio", "individuated_share", "model", "replicate", "seed"):
        assert key in head
    prov = head["provenance"]
    assert prov["spec_hash"] == runs[0].spec_hash
    assert prov["versions"]["litellm"] and "scenario.yaml" in prov["prompt_files_sha256"]
    assert foot["status"] == "complete" and foot["calls"] == 150
    assert len(turns) == 150 and all(t["type"] == "turn" for t in turns)
    assert {t["turn"] for t in turns} == set(range(1, 16))
    assert sum(t["aligned"] for t in turns if t["turn"] == 1) == 5
    votes = [t for t in turns if t["decision"]]
    assert len(votes) == 30 and all(t["vote"] in {"comply", "refuse", "abstain"} for t in votes)
    assert all(t["speech"] and t["thought"] and t["status"] == "ok" for t in turns)
    assert all(t["vote"] is None for t in turns if not t["decision"])


def test_agents_flags_follow_the_spec():
    from backfire.languages import load_language

    for ratio, share in [(0.0, 0.0), (0.3, 0.5), (1.0, 1.0)]:
        (r,) = load_study(
            "study3",
            models=["synthetic"],
            languages=["en"],
            replicates=1,
            aligned_ratios=[ratio],
            individuated_shares=[share],
        ).manifest()
        agents = make_agents(r, load_language("en"))
        assert sum(a.aligned for a in agents) == round(ratio * 10)
        assert sum(a.individuated for a in agents) == round(share * 10)
        assert [a.role for a in agents][-1] == "silent"


def test_prompts_carry_the_manipulation(out_dir):
    """The synthetic model reads the system prompt: aligned agents must show it."""
    from backfire.languages import load_language

    asyncio.run(run_manifest(_runs(aligned_ratios=[0.3]), out_dir, progress=False))
    store_rows = (
        __import__("sqlite3")
        .connect(out_dir / ".backfire" / "cache.sqlite")
        .execute("SELECT request FROM responses")
        .fetchall()
    )
    prefix = load_language("en").scenario.system.alignment_prefix.strip()
    systems = {json.loads(r[0])["messages"][0]["content"] for r in store_rows}
    assert len(systems) == 10  # one fixed system prompt per agent, all different
    assert sum(s.startswith(prefix) for s in systems) == 3


def test_second_identical_command_makes_no_call_and_resume_uses_cache(out_dir):
    runs = _runs(aligned_ratios=[0, 1])
    first = asyncio.run(run_manifest(runs, out_dir, progress=False))
    assert first.runs_completed == 2 and first.calls == 300
    second = asyncio.run(run_manifest(runs, out_dir, progress=False))
    assert second.runs_skipped == 2 and second.calls == 0 and second.cache_hits == 0
    # Delete one finished transcript: it is replayed entirely from the cache.
    victim = next(iter(find_transcripts(out_dir)))
    before = victim.read_text()
    victim.unlink()
    third = asyncio.run(run_manifest(runs, out_dir, progress=False))
    assert third.runs_completed == 1 and third.calls == 0 and third.cache_hits == 150
    assert victim.read_text().splitlines()[1:-1] != []
    strip = lambda text: [  # noqa: E731 - per-line fields that legitimately differ
        {
            k: v
            for k, v in json.loads(x).items()
            if k
            not in (
                "cache_hit",
                "latency_s",
                "provenance",
                "calls",
                "cache_hits",
                "seconds",
                "cost_usd",
            )
        }
        for x in text.splitlines()
    ]
    assert strip(victim.read_text()) == strip(before)


def test_killed_run_leaves_only_a_partial_file_and_resumes_without_paying_twice(
    out_dir, monkeypatch
):
    from backfire.simulate import _engine

    runs = _runs()
    real = _engine.Simulation.agent_turn
    calls = {"n": 0}

    async def dying(self, agent, turn, decision, probe):
        calls["n"] += 1
        if calls["n"] == 40:
            raise KeyboardInterrupt  # what Ctrl-C looks like inside the loop
        return await real(self, agent, turn, decision, probe)

    monkeypatch.setattr(_engine.Simulation, "agent_turn", dying)
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(run_manifest(runs, out_dir, progress=False))
    assert list(find_transcripts(out_dir)) == []
    assert len(list(out_dir.rglob("*.jsonl.partial"))) == 1
    monkeypatch.setattr(_engine.Simulation, "agent_turn", real)
    resumed = asyncio.run(run_manifest(runs, out_dir, progress=False))
    assert resumed.runs_completed == 1
    assert resumed.cache_hits == 39 and resumed.calls == 111  # nothing paid twice
    assert list(out_dir.rglob("*.jsonl.partial")) == []


def test_a_failing_model_publishes_a_failure_footer(out_dir, monkeypatch):
    from backfire.simulate import _engine

    async def broken(self, agent, turn, decision, probe):
        raise ModelError("context length exceeded")

    monkeypatch.setattr(_engine.Simulation, "agent_turn", broken)
    summary = asyncio.run(run_manifest(_runs(), out_dir, progress=False))
    assert summary.runs_failed == 1 and "context length" in summary.failures[0]
    (path,) = list(find_transcripts(out_dir))
    assert read_transcript(path)[-1]["status"].startswith("failed: ModelError")


def test_changed_settings_never_clobber_a_finished_run(out_dir):
    from backfire.spec import SpecError

    asyncio.run(run_manifest(_runs(), out_dir, progress=False))
    changed = _runs(settings={"temperature": 0.2})
    with pytest.raises(SpecError, match="different settings"):
        asyncio.run(run_manifest(changed, out_dir, progress=False))


def test_parse_failures_are_recorded_not_dropped(out_dir):
    runs = _runs(settings={"extra": {"synthetic": {"parse_failure_rate": 0.3}}})
    asyncio.run(run_manifest(runs, out_dir, progress=False))
    turns = read_transcript(next(iter(find_transcripts(out_dir))))[1:-1]
    bad = [t for t in turns if t["status"] == "parse_error"]
    assert len(turns) == 150 and 20 < len(bad) < 80
    assert all(t["speech"] is None and t["raw"] for t in bad)


def test_simultaneous_order(out_dir):
    runs = _runs(protocol={"order": "simultaneous", "turns": [1, 2]})
    summary = asyncio.run(run_manifest(runs, out_dir, progress=False))
    assert summary.runs_completed == 1 and summary.calls == 20


def test_response_type_roundtrip():
    r = ChatResponse(text="x", model="m", prompt_tokens=3)
    assert ChatResponse.from_json(r.to_json()) == r


def test_compressed_transcripts_are_resumed_like_plain_ones(out_dir):
    runs = _runs(aligned_ratios=[0, 1])
    first = asyncio.run(run_manifest(runs, out_dir, progress=False, compress=True))
    assert first.runs_completed == 2
    paths = list(find_transcripts(out_dir))
    assert len(paths) == 2 and all(p.name.endswith(".jsonl.gz") for p in paths)
    second = asyncio.run(run_manifest(runs, out_dir, progress=False))
    assert second.runs_skipped == 2 and second.calls == 0


def test_summarize_runs_counts_what_a_folder_holds(out_dir):
    from backfire.transcripts import summarize_runs

    asyncio.run(run_manifest(_runs(aligned_ratios=[0, 1]), out_dir, progress=False, compress=True))
    s = summarize_runs(out_dir)
    assert len(s) == 1
    row = s.iloc[0]
    assert (row.runs, row.complete, row.failed, row.languages) == (2, 2, 0, 1)
    assert row.calls == 300 and row.prompt_tokens > 0 and "litellm" in row.versions
