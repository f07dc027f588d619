import asyncio
import time

import pytest

from backfire.llm import AdaptiveLimiter, ChatRequest, ChatResponse, RetryModel, TransientError

REQ = ChatRequest("m", ({"role": "user", "content": "x"},), {})


class Flaky:
    def __init__(self, failures, retry_after=None):
        self.failures, self.calls, self.retry_after = failures, 0, retry_after

    async def generate(self, request):
        self.calls += 1
        if self.calls <= self.failures:
            raise TransientError("429", retry_after=self.retry_after, status=429)
        return ChatResponse(text="ok", model="m")


def test_retry_until_success_with_backoff_and_retry_after():
    slept = []

    async def sleep(s):
        slept.append(s)

    inner = Flaky(2, retry_after=3.0)
    resp = asyncio.run(RetryModel(inner, max_attempts=5, sleep=sleep).generate(REQ))
    assert resp.text == "ok" and resp.attempts == 3 and inner.calls == 3
    # Retry-After is honoured as given (plus up to 25% jitter), not stretched by backoff.
    assert len(slept) == 2 and all(3.0 <= s <= 3.75 for s in slept)


def test_retry_gives_up_after_max_attempts():
    async def sleep(s):
        pass

    inner = Flaky(10)
    with pytest.raises(TransientError):
        asyncio.run(RetryModel(inner, max_attempts=3, sleep=sleep).generate(REQ))
    assert inner.calls == 3


def test_adaptive_limiter_cuts_on_429_and_grows_back():
    lim = AdaptiveLimiter(maximum=8, increase_every=2, cooldown_s=0)
    assert lim.limit == 8
    lim.on_rate_limited()
    assert lim.limit == 4

    async def cycle(n):
        for _ in range(n):
            await lim.acquire()
            await lim.release(ok=True)

    asyncio.run(cycle(4))
    assert lim.limit == 6


def test_a_429_does_not_cut_below_what_the_provider_is_serving():
    # 40 successes in the last second, each holding its slot 0.3 s: 12 slots in
    # use (Little's law). A halving would leave 10 and idle the provider's
    # capacity; the cut stops at 1.2 x 12 = 15 (rounded up), and a later 429
    # never raises the limit.
    async def go():
        lim = AdaptiveLimiter(maximum=64, cooldown_s=0, window_s=1.0)
        lim._start -= 10  # the limiter has been running for a while
        for _ in range(40):
            await lim.acquire()
            await lim.release(ok=True, held_s=0.3)
        assert lim.serving() == pytest.approx(12.0)
        lim.limit = 20
        lim.on_rate_limited(0.1)
        first = lim.limit
        lim.limit = 10
        lim.on_rate_limited(0.1)
        return first, lim.limit

    assert asyncio.run(go()) == (15, 10)


def test_the_floor_forgets_old_successes():
    async def go():
        lim = AdaptiveLimiter(maximum=64, cooldown_s=0, window_s=0.05)
        for _ in range(40):
            await lim.acquire()
            await lim.release(ok=True, held_s=0.3)
        await asyncio.sleep(0.1)
        lim.on_rate_limited()
        return lim.limit

    assert asyncio.run(go()) == 32  # a plain halving: nothing recent to serve


def test_retry_after_holds_back_every_new_call():
    # The provider said "not before 0.3 s": no caller is let through earlier
    # (each would be refused too and pay a longer backoff).
    async def go():
        lim = AdaptiveLimiter(maximum=8, cooldown_s=0)
        lim.on_rate_limited(0.3)  # also halves the limit, to 4
        t0 = time.monotonic()
        await asyncio.gather(*(lim.acquire() for _ in range(3)))
        return time.monotonic() - t0, lim.in_flight

    waited, in_flight = asyncio.run(go())
    assert waited >= 0.29
    assert in_flight == 3


def test_limiter_bounds_concurrency():
    lim = AdaptiveLimiter(maximum=2)
    peak = 0

    async def task():
        nonlocal peak
        await lim.acquire()
        peak = max(peak, lim.in_flight)
        await asyncio.sleep(0.01)
        await lim.release(ok=True)

    async def go():
        await asyncio.gather(*(task() for _ in range(10)))

    asyncio.run(go())
    assert peak == 2


def test_a_retry_gives_its_slot_back_while_it_waits():
    # Retry(Limit(provider)), as build_model composes them: with one slot, a call
    # sleeping out its backoff does not hold the slot, so another call goes
    # first (a slot-holding sleeper would starve the calls that may be sent).
    from backfire.llm import LimitedModel, build_model
    from backfire.spec import ModelSettings

    sent = []

    class FirstCallRefused:
        async def generate(self, request):
            sent.append(request.messages[0]["content"])
            if sent == ["a"]:
                raise TransientError("429", retry_after=0.05, status=429)
            await asyncio.sleep(0.01)
            return ChatResponse(text="ok", model="m")

    model = RetryModel(LimitedModel(FirstCallRefused(), AdaptiveLimiter(maximum=1)))

    async def go():
        a = ChatRequest("m", ({"role": "user", "content": "a"},), {})
        b = ChatRequest("m", ({"role": "user", "content": "b"},), {})
        first = asyncio.create_task(model.generate(a))
        await asyncio.sleep(0)  # "a" takes the slot first
        await asyncio.gather(first, model.generate(b))

    asyncio.run(go())
    assert sent == ["a", "b", "a"]
    built, _ = build_model("openai/gpt-4o-mini", ModelSettings(api_base="http://127.0.0.1:9"))
    assert isinstance(built, RetryModel) and isinstance(built.inner, LimitedModel)
