"""The real litellm call path against a local OpenAI-compatible HTTP server."""

import asyncio

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
