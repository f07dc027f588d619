"""Wrappers that compose around a :class:`Model`: retry, concurrency, ledger.

The response cache has its own module (``_cache.py``). Order matters and is
fixed by :func:`backfire.llm.build_model`::

    Ledger( Cache( Retry( Limit( provider ))))

so a cache hit is recorded in the ledger (at zero cost) but never waits for a
concurrency slot, and a slot is held only while a request is at the provider:
a retry gives its slot back while it backs off and queues for one again. The
limiter's slots then count requests in flight, which is what the provider's
rate and latency decide (Little's law, see :class:`AdaptiveLimiter`); a retry
that kept its slot while sleeping out a Retry-After would leave fewer slots
for the calls that may be sent.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Callable

from ._types import ChatRequest, ChatResponse, Model, TransientError


class RetryModel:
    """Bounded retries with exponential backoff and full jitter.

    This is the only retry layer: litellm's own retries are switched off
    (``num_retries=0``, ``max_retries=0``) so a 429 reaches us and the
    concurrency limiter can react to it. ``Retry-After`` is honoured as given
    (times 1 to 1.25 for jitter); without it, full-jitter exponential backoff.
    """

    def __init__(
        self,
        inner: Model,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        sleep: Callable[[float], object] = asyncio.sleep,
        on_transient: Callable[[TransientError], None] | None = None,
    ):
        self.inner, self.max_attempts = inner, max_attempts
        self.base_delay, self.max_delay = base_delay, max_delay
        self._sleep, self._on_transient = sleep, on_transient
        self._rng = random.Random()

    async def generate(self, request: ChatRequest) -> ChatResponse:
        for attempt in range(1, self.max_attempts + 1):
            try:
                resp = await self.inner.generate(request)
                resp.attempts = attempt
                return resp
            except TransientError as exc:
                if self._on_transient is not None:
                    self._on_transient(exc)
                if attempt == self.max_attempts:
                    raise
                if exc.retry_after is not None:
                    # The provider said when: waiting longer only loses throughput
                    # (a sliding-window limit frees a slot at exactly that time).
                    # A little jitter keeps the waiters from arriving as one burst.
                    # (max_delay bounds our own backoff, not the provider's word)
                    delay = exc.retry_after * self._rng.uniform(1.0, 1.25)
                else:
                    delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
                    delay = self._rng.uniform(0, delay)
                await self._sleep(delay)
        raise AssertionError("unreachable")


class AdaptiveLimiter:
    """Per-provider concurrency with additive increase, multiplicative decrease.

    Starts at ``initial`` concurrent calls, never exceeds ``maximum``; a 429
    cuts the limit by ``decrease`` (at most once per ``cooldown_s``), and every
    ``increase_every`` successes adds one slot back (after Inspect AI's adaptive
    connections). A 429's ``Retry-After`` also closes a gate for every caller:
    until it passes no new call is sent, since the provider would refuse it too
    (each refused call is a wasted round trip and a longer backoff).

    A cut never goes below what the provider has just been serving: by Little's
    law the requests in flight needed for a rate are rate x latency. So a 429
    lowers the limit to at most ``headroom`` times (successes per second over
    the last ``window_s``) x (their mean latency, from the slot's Retry-After
    gate to the answer), and never lower.
    A plain halving would drop below the rate limit's own capacity (30 calls a
    second at 0.3 s need 9 slots) and leave it idle until the limit grows back;
    the Retry-After gate, not the cut, is what keeps calls from arriving too
    early.
    """

    def __init__(
        self,
        maximum: int,
        initial: int | None = None,
        minimum: int = 1,
        decrease: float = 0.5,
        increase_every: int = 10,
        cooldown_s: float = 5.0,
        window_s: float = 5.0,
        headroom: float = 1.2,
    ):
        self.maximum, self.minimum = maximum, minimum
        self.limit = min(maximum, initial or maximum)
        self.decrease, self.increase_every, self.cooldown_s = decrease, increase_every, cooldown_s
        self.window_s, self.headroom = window_s, headroom
        self.in_flight = 0
        self._ok_streak = 0
        self._last_cut = -1e9
        self._gate = 0.0
        self._cond = asyncio.Condition()
        self._start = time.monotonic()
        self._done: deque[tuple[float, float]] = deque()  # (finished, held_s) of ok calls

    async def acquire(self) -> float:
        """Wait for a slot, then for any Retry-After gate; returns when the call may go."""
        async with self._cond:
            await self._cond.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1
        while (wait := self._gate - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        return time.monotonic()

    async def release(self, ok: bool, held_s: float | None = None) -> None:
        async with self._cond:
            self.in_flight -= 1
            if ok:
                if held_s is not None:
                    self._done.append((time.monotonic(), held_s))
                self._ok_streak += 1
                if self._ok_streak >= self.increase_every and self.limit < self.maximum:
                    self.limit += 1
                    self._ok_streak = 0
            self._cond.notify_all()

    def serving(self) -> float:
        """Slots the recent successes needed: rate x mean hold time (Little's law)."""
        now = time.monotonic()
        while self._done and now - self._done[0][0] > self.window_s:
            self._done.popleft()
        if len(self._done) < 2:
            return 0.0
        span = min(self.window_s, now - self._start)
        rate = len(self._done) / max(span, 1e-9)
        return rate * sum(h for _, h in self._done) / len(self._done)

    def on_rate_limited(self, retry_after: float | None = None) -> None:
        now = time.monotonic()
        if retry_after:
            self._gate = max(self._gate, now + retry_after)
        self._ok_streak = 0
        if now - self._last_cut >= self.cooldown_s:
            floor = math.ceil(self.headroom * self.serving())
            cut = max(int(self.limit * self.decrease), floor)
            self.limit = max(self.minimum, min(self.limit, cut))
            self._last_cut = now


_LIMITERS: dict[tuple[str, int], AdaptiveLimiter] = {}


def limiter_for(provider: str, maximum: int) -> AdaptiveLimiter:
    """One limiter per provider per event loop: every run of a manifest that calls
    one provider shares it, and a later ``asyncio.run`` (a second notebook cell)
    gets a fresh one, since asyncio primitives belong to the loop that made them."""
    try:
        loop_id = id(asyncio.get_running_loop())
    except RuntimeError:
        loop_id = 0
    key = (provider, loop_id)
    lim = _LIMITERS.get(key)
    if lim is None or lim.maximum != maximum:
        if len(_LIMITERS) > 64:  # forget limiters of finished loops
            _LIMITERS.clear()
        lim = _LIMITERS[key] = AdaptiveLimiter(maximum)
    return lim


class LimitedModel:
    """Holds a slot of a provider's :class:`AdaptiveLimiter` for each call."""

    def __init__(self, inner: Model, limiter: AdaptiveLimiter):
        self.inner, self.limiter = inner, limiter

    async def generate(self, request: ChatRequest) -> ChatResponse:
        sent = await self.limiter.acquire()
        ok = False
        try:
            resp = await self.inner.generate(request)
            ok = True
            return resp
        finally:
            await self.limiter.release(ok, time.monotonic() - sent)


class LedgerModel:
    """Records tokens, cost and latency of every call (cache hits included)."""

    def __init__(self, inner: Model, ledger):  # ledger: backfire.llm.Ledger
        self.inner, self.ledger = inner, ledger

    async def generate(self, request: ChatRequest) -> ChatResponse:
        t0 = time.perf_counter()
        resp = await self.inner.generate(request)
        if not resp.cache_hit and not resp.latency_s:
            resp.latency_s = time.perf_counter() - t0
        self.ledger.record(request, resp)
        return resp
