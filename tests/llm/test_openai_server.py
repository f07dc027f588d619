"""The real litellm call path against a local OpenAI-compatible HTTP server."""

import asyncio
from itertools import pairwise

from backfire.llm import ChatRequest, Store, build_model
from backfire.spec import ModelSettings
from backfire.testing import FakeOpenAIServer


def _settings(srv, **kw):
    return ModelSettings(api_base=srv.base_url, extra={"api_key": "sk-test"}, **kw)


def _req(i, replicate=0):
    return ChatRequest(
        "openai/gpt-4o-mini",
        ({"role": "user", "content": f"hello {i}"},),
        {"temperature": 0.9, "max_tokens": 50},
        "run",
        replicate,
    )


def test_litellm_reaches_the_server_and_records_usage_and_cost(tmp_path):
    with FakeOpenAIServer() as srv:
        model, rm = build_model("openai/gpt-4o-mini", _settings(srv), Store(tmp_path / "s.sqlite"))
        resp = asyncio.run(model.generate(_req(0)))
    assert rm.kind == "litellm" and rm.provider == "openai"
    assert '"speech"' in resp.text
    assert resp.model == "fake-model-2026-01-01"  # the id the provider resolved
    assert resp.prompt_tokens > 0 and resp.completion_tokens > 0
    assert resp.cost_usd > 0  # priced from litellm's offline cost map
    assert sum(srv.accepted.values()) == 1


def test_429_and_5xx_are_retried_by_our_layer_only(tmp_path):
    with FakeOpenAIServer(rpm=2, window_s=0.5, fail_first=1) as srv:
        model, _ = build_model(
            "openai/gpt-4o-mini",
            _settings(srv, max_attempts=8),
            Store(tmp_path / "s.sqlite"),
            retry_kwargs={"base_delay": 0.01, "max_delay": 0.05},
        )

        async def go():
            return await asyncio.gather(*(model.generate(_req(i)) for i in range(5)))

        out = asyncio.run(go())
    assert len(out) == 5 and all(r.text for r in out)
    assert srv.failed_500 == 1 and srv.rejected_429 >= 1
    assert srv.duplicate_calls == 0
    assert sum(srv.accepted.values()) == 5


def test_second_identical_request_is_not_sent(tmp_path):
    with FakeOpenAIServer() as srv:
        model, _ = build_model("openai/gpt-4o-mini", _settings(srv), Store(tmp_path / "s.sqlite"))

        async def go():
            a = await model.generate(_req(0))
            b = await model.generate(_req(0))
            c = await model.generate(_req(0, replicate=1))
            return a, b, c

        a, b, c = asyncio.run(go())
    assert b.cache_hit and not c.cache_hit
    assert sum(srv.accepted.values()) == 2


def _conversation(model, name, turns):
    """One agent's growing conversation, as the engine sends it: messages only grow."""
    msgs = [{"role": "system", "content": "You are Anna, a resident. " * 200}]
    out = []
    for t in range(turns):
        msgs.append({"role": "user", "content": f"Turn {t}: the facility announces. " * 40})
        r = asyncio.run(model.generate(ChatRequest(name, tuple(msgs), {}, "run", 0)))
        msgs.append({"role": "assistant", "content": r.text})
        out.append(r)
    return out


def test_openai_prefix_cache_is_read_and_recorded_in_the_ledger(tmp_path):
    with FakeOpenAIServer(prefix_cache=True) as srv:
        store = Store(tmp_path / "s.sqlite")
        model, _ = build_model("openai/gpt-4o-mini", _settings(srv), store)
        rs = _conversation(model, "openai/gpt-4o-mini", 3)
    assert rs[0].cached_tokens == 0
    # each later call reads the previous prompt back from the provider's cache
    assert all(r.cached_tokens >= p.prompt_tokens - 128 for p, r in pairwise(rs))
    assert store.totals()["cached_tokens"] == sum(r.cached_tokens for r in rs) > 0


def test_claude_gets_cache_breakpoints_so_each_call_reads_the_previous_one(tmp_path):
    with FakeOpenAIServer(prefix_cache=True, model_id="claude-haiku-4-5-20251001") as srv:
        base = srv.base_url.rsplit("/v1", 1)[0]  # litellm adds /v1/messages
        settings = ModelSettings(api_base=base, extra={"api_key": "sk-ant-test"})
        model, rm = build_model(
            "anthropic/claude-haiku-4-5-20251001", settings, Store(tmp_path / "s.sqlite")
        )
        rs = _conversation(model, rm.requested, 3)
        body = srv.last_body
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" in rm.provenance["prompt_cache"]
    assert rs[0].cached_tokens == 0
    assert all(r.cached_tokens >= p.prompt_tokens - 1 for p, r in pairwise(rs))
    assert all(r.cost_usd > 0 for r in rs)


def test_without_breakpoints_claude_caches_nothing(tmp_path):
    # the fake provider honours only marked prefixes, as Anthropic does
    with FakeOpenAIServer(prefix_cache=True, model_id="claude-haiku-4-5-20251001") as srv:
        base = srv.base_url.rsplit("/v1", 1)[0]
        settings = ModelSettings(
            api_base=base,
            extra={"api_key": "sk-ant-test", "cache_control_injection_points": []},
        )
        model, rm = build_model(
            "anthropic/claude-haiku-4-5-20251001", settings, Store(tmp_path / "s.sqlite")
        )
        rs = _conversation(model, rm.requested, 2)
    assert [r.cached_tokens for r in rs] == [0, 0]
