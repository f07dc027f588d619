import asyncio

from backfire.llm import CachedModel, ChatRequest, ChatResponse, LedgerModel, Store, cache_key


def req(replicate=0, content="hi", run_id="run", **params):
    return ChatRequest(
        "m",
        ({"role": "user", "content": content},),
        {"temperature": 0.9, **params},
        run_id,
        replicate,
    )


def test_cache_key_distinguishes_replicates_runs_messages_and_params():
    base = cache_key(req())
    assert base == cache_key(req())
    assert base != cache_key(req(replicate=1))
    assert base != cache_key(req(run_id="other"))
    assert base != cache_key(req(content="hello"))
    assert base != cache_key(req(temperature=0.1))
    # non-semantic parameters do not invalidate the cache
    assert base == cache_key(req(timeout=5))


class Counting:
    def __init__(self, delay=0.0):
        self.calls = 0
        self.delay = delay

    async def generate(self, request):
        self.calls += 1
        await asyncio.sleep(self.delay)
        return ChatResponse(
            text=f"answer {self.calls}",
            model="m-resolved",
            prompt_tokens=5,
            completion_tokens=2,
            cost_usd=0.01,
        )


def test_identical_request_hits_and_costs_nothing(tmp_path):
    store = Store(tmp_path / "c.sqlite")
    inner = Counting()
    model = LedgerModel(CachedModel(inner, store), store)

    async def go():
        a = await model.generate(req())
        b = await model.generate(req())
        c = await model.generate(req(replicate=1))
        return a, b, c

    a, b, c = asyncio.run(go())
    assert inner.calls == 2
    assert not a.cache_hit and b.cache_hit and not c.cache_hit
    assert b.text == a.text and b.cost_usd == 0.0 and c.text != a.text
    t = store.totals()
    assert t["calls"] == 2 and t["cache_hits"] == 1
    assert abs(t["cost_usd"] - 0.02) < 1e-12


def test_cache_survives_reopen(tmp_path):
    path = tmp_path / "c.sqlite"
    inner = Counting()
    asyncio.run(CachedModel(inner, Store(path)).generate(req()))
    again = asyncio.run(CachedModel(inner, Store(path)).generate(req()))
    assert inner.calls == 1 and again.cache_hit


def test_concurrent_duplicates_share_one_call(tmp_path):
    inner = Counting(delay=0.05)
    model = CachedModel(inner, Store(tmp_path / "c.sqlite"))

    async def go():
        return await asyncio.gather(*(model.generate(req()) for _ in range(5)))

    out = asyncio.run(go())
    assert inner.calls == 1
    assert len({r.text for r in out}) == 1
    assert sum(r.cache_hit for r in out) == 4
