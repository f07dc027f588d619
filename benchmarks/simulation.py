"""Simulations on the embedded model: the engine as built vs a naive baseline.

Measured in one process, one run, on the same llama.cpp server:

1. the machine's limit: prompt-processing and generation tokens/s at depth 0
   (generation at batch 1, at the engine's batch and at batch 10), and the
   time per token of both at three context depths (llama.cpp's own timings,
   fitted as lines): every token attends to all the tokens before it, so on
   two cores SmolLM2 processes prompts at about 480 tokens/s at depth 0 and
   250 at depth 3,300, and generates at about 160 tokens/s at depth 0 but 45
   at depth 3,000;
2. the engine as built: ``--sims`` simulations at once, each agent pinned to
   its own llama.cpp slot so that, of its growing conversation, only what the
   slot has not seen is processed;
3. the naive baseline: the engine's first simulation replayed one call at a
   time with the prompt cache off. Each call sends the engine's prompt whole
   and generates exactly as many tokens as the engine's reply had, and the
   engine's reply text is what the simulation goes on with, so both sides do
   the same conversation token for token (``prompts_identical``: the share of
   sent calls whose prompt the server counted as long as the engine's). Left to
   sample its own replies, the baseline would play a different conversation
   (llama.cpp's output depends on the batch), and the comparison would measure
   the replies' lengths as much as the engine.

The naive baseline's work grows with the square of the number of turns (it
re-reads a conversation that grows every turn), so a long design takes it
hours. ``--naive-share`` sends only that share of its calls, a stratified
sample (per turn, agents in rotation), and estimates its seconds per
simulation from them: with the cache off, each call costs the same whether its
neighbours are sent or not, and its time is set by its prompt's and reply's
lengths, which are known for every call (see ``_naive``).

Tokens are counted three ways: *sent* (the prompts as sent; what the naive
baseline processes), *processed* (what the server ran: sent minus its cached
prefix) and *genuinely new* (sent minus the agent's previous prompt and reply:
what no engine can avoid). The lower bound of a simulation is the time to
process its genuinely new tokens plus generate its replies, each at the rate
the machine has at the depth where it sits (``lower_bound_at_depth0_s``: both
at the depth-0 rates, for comparison). Reported: seconds per simulation,
simulations per hour, the three token counts, ``speedup_vs_naive``
(throughput ratio) and ``fraction_of_lower_bound`` (lower bound / measured
wall time).

The speedup depends on how many turns are played; the full benchmark plays
ten of the protocol's fifteen events on the smallest embedded model (one
simulation, 20% of the baseline's calls) so that it finishes in under ten
minutes on two idle cores (8.5 minutes on 2026-11-25); ``--turns N``,
``--sims N`` and ``--model local`` measure a longer protocol, more simulations
at once or the default model.

    python -m benchmarks.simulation [--json] [--quick] [--model M] [--sims N]
        [--turns N] [--naive-share S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from backfire.llm import ChatRequest, ChatResponse, Model, provider_model, resolve
from backfire.simulate import run_manifest, simulate_run
from backfire.simulate._context import plan_context
from backfire.spec import ModelSettings, load_study
from backfire.transcripts import load_turns


async def _machine_limit(
    model: str, n_parallel: int, batch: int, n_ctx: int | None = None
) -> dict[str, float]:
    """Prompt and generation rates of the server the simulations will use.

    A warm-up call comes first (model load, first-call allocation), then each
    rate is the mean of two measurements. Generation is measured at batch 1,
    at ``batch`` (the number of simulations the engine runs at once: the rate
    that design can reach) and at batch 10 (for reference).
    """
    settings = ModelSettings(max_tokens=64, temperature=0.0)
    inner, _ = provider_model(model, settings, n_parallel=n_parallel, n_ctx_per_slot=n_ctx)
    words = ("the residents of the facility discuss the rules of the programme " * 60).strip()

    def req(i: int, content: str, max_tokens: int, slot: int) -> ChatRequest:
        return ChatRequest(
            model,
            ({"role": "user", "content": f"{i} {content}"},),
            {
                "max_tokens": max_tokens,
                "temperature": 0.0,
                "extra_body": {"cache_prompt": False, "id_slot": slot, "ignore_eos": True},
            },
        )

    await inner.generate(req(-1, words, 4, 0))  # warm-up
    pp = []
    for i in range(2):
        t = time.perf_counter()
        r = await inner.generate(req(i, words, 1, 0))
        pp.append(r.prompt_tokens / (time.perf_counter() - t))

    # Prompt processing slows down as the context fills (every new token attends
    # to all before it): time per new token at depth 0 and two deeper points (up
    # to about 4,800), from llama.cpp's own timings, fitted as ms = a + b * depth.
    def cached(i: int, content: str, slot: int) -> ChatRequest:
        r = req(i, content, 1, slot)
        r.params["extra_body"]["cache_prompt"] = True
        return r

    depth_pts: list[tuple[float, float]] = []
    gen_pts: list[tuple[float, float]] = []  # generation slows with depth too
    chunk = words[: len(words) // 2]
    # depths in units of ``words`` (about 600 tokens), as deep as the slots allow
    k = max(1, min(8, ((n_ctx or 4096) - 1200) // 700))
    for d, reps in ((r * 600, r) for r in sorted({0, k // 2, k})):
        prefix = f"depth {d} " + " ".join([words] * reps)
        pp_ms, gen_ms = [], []
        for rep in range(2):  # the faster of two: the machine's limit, not its noise
            if reps:
                await inner.generate(cached(900 + d, prefix, 1))  # fills slot 1
            tail = f"{prefix} {rep} {chunk}"
            r = await inner.generate(cached(900 + d, tail, 1))
            t = r.extra.get("timings") or {}
            if t.get("prompt_n"):
                depth = float(r.prompt_tokens - t["prompt_n"])
                pp_ms.append(t["prompt_ms"] / t["prompt_n"])
            g = cached(900 + d, tail, 1)
            g.params["max_tokens"] = 48
            r = await inner.generate(g)  # the prompt is cached: its time is generation
            t = r.extra.get("timings") or {}
            if t.get("predicted_n"):
                gen_ms.append(t["predicted_ms"] / t["predicted_n"])
        if pp_ms:
            depth_pts.append((depth, min(pp_ms)))
        if gen_ms:
            gen_pts.append((float(r.prompt_tokens), min(gen_ms)))

    async def gen(k: int, base: int) -> float:
        t = time.perf_counter()
        rs = await asyncio.gather(
            *(inner.generate(req(base + i, "Say hello.", 64, i)) for i in range(k))
        )
        return sum(x.completion_tokens for x in rs) / (time.perf_counter() - t)

    k = min(n_parallel, 10)
    out = {
        "prompt_tok_s": sum(pp) / len(pp),
        "gen_tok_s_batch1": (await gen(1, 100) + await gen(1, 110)) / 2,
        f"gen_tok_s_batch{batch}": (await gen(batch, 200) + await gen(batch, 300)) / 2,
        f"gen_tok_s_batch{k}": await gen(k, 400),
    }
    out["gen_tok_s_design"] = out[f"gen_tok_s_batch{batch}"]
    if len(depth_pts) >= 2:
        b, a = np.polyfit([x for x, _ in depth_pts], [y for _, y in depth_pts], 1)
        out["prompt_ms_per_token_at_depth0"] = float(a)
        out["prompt_ms_per_token_per_1k_depth"] = float(b * 1000)
        for x, y in depth_pts:
            out[f"prompt_tok_s_at_depth{round(x, -2):.0f}"] = 1000 / y
    if len(gen_pts) >= 2:
        b, a = np.polyfit([x for x, _ in gen_pts], [y for _, y in gen_pts], 1)
        out["gen_ms_per_token_at_depth0"] = float(a)  # batch 1, llama.cpp's timings
        out["gen_ms_per_token_per_1k_depth"] = float(b * 1000)
        for x, y in gen_pts:
            out[f"gen_tok_s_at_depth{round(x, -2):.0f}"] = 1000 / y
    return out


@dataclass(frozen=True)
class Rates:
    """Time per token at a context depth: ``ms = at0 + per_token_depth * depth``."""

    prompt_at0: float
    prompt_per_depth: float
    gen_at0: float
    gen_per_depth: float

    @classmethod
    def from_limit(cls, limit: dict[str, float]) -> Rates:
        # Without a depth fit the depth-0 rates: a lower bound all the same.
        # Generation at the design's batch: the server's own batch-1 time per token
        # (without the request's overhead), scaled by what batching gains at depth
        # 0 (batching shares the weights, not the attention, so the slope stays).
        batch_gain = limit["gen_tok_s_design"] / limit["gen_tok_s_batch1"]
        gen_at0 = limit.get("gen_ms_per_token_at_depth0", 1000 / limit["gen_tok_s_batch1"])
        return cls(
            limit.get("prompt_ms_per_token_at_depth0", 1000 / limit["prompt_tok_s"]),
            limit.get("prompt_ms_per_token_per_1k_depth", 0.0) / 1000,
            gen_at0 / batch_gain,
            limit.get("gen_ms_per_token_per_1k_depth", 0.0) / 1000,
        )


def token_accounting(turns: pd.DataFrame, rates: Rates | None = None) -> dict[str, float]:
    """Prompt tokens sent, processed by the server, and genuinely new.

    *Genuinely new* tokens of a call are those its agent has not seen before:
    the prompt minus the agent's previous prompt and reply (its whole prompt on
    its first call). That is the work no engine can avoid. *Processed* is what
    the server actually ran (prompt minus its cached prefix); the gap between
    the two is the engine's waste (llama.cpp re-tokenises a grammar-constrained
    reply differently from how it was sampled, so an agent's own previous
    reply is usually processed again). With ``rates``, also the time the
    machine needs for the new tokens and the replies at the depths where they
    sit (a call's new tokens end its prompt; its reply follows it).
    """
    t = turns.sort_values(["run_id", "agent_index", "turn"])
    seen = (
        (t["prompt_tokens"] + t["completion_tokens"])
        .groupby([t["run_id"], t["agent_index"]])
        .shift(1, fill_value=0)
    )
    new = (t["prompt_tokens"] - seen).clip(lower=0)
    out: dict[str, float] = {
        "prompt_tokens": int(t["prompt_tokens"].sum()),
        "processed_prompt_tokens": int((t["prompt_tokens"] - t["cached_tokens"]).sum()),
        "new_prompt_tokens": int(new.sum()),
        "completion_tokens": int(t["completion_tokens"].sum()),
    }
    if rates is not None:
        p, c = t["prompt_tokens"], t["completion_tokens"]
        mid = p - new / 2
        out["new_prompt_s_at_depth"] = float(
            (new * (rates.prompt_at0 + rates.prompt_per_depth * mid)).sum() / 1000
        )
        out["new_prompt_s_at_depth0"] = float(new.sum() * rates.prompt_at0 / 1000)
        out["gen_s_at_depth"] = float(
            (c * (rates.gen_at0 + rates.gen_per_depth * (p + c / 2))).sum() / 1000
        )
        out["gen_s_at_depth0"] = float(c.sum() * rates.gen_at0 / 1000)
    return out


def _measure(runs, out: str, concurrency: int, rates: Rates) -> dict[str, float]:
    t0 = time.perf_counter()
    summary = asyncio.run(run_manifest(runs, out, max_concurrent_runs=concurrency, progress=False))
    wall = time.perf_counter() - t0
    return {
        "simulations": summary.runs_completed,
        "calls": summary.calls,
        "wall_s": wall,
        "s_per_sim": wall / max(1, summary.runs_completed),
        "sims_per_hour": 3600 * summary.runs_completed / wall,
        **token_accounting(load_turns(out), rates),
    }


class ReplayModel:
    """The naive baseline's model: the engine's own conversation, sent whole.

    Each call is sent to the server with the prompt cache off and the reply
    forced to the length the engine's reply had (``ignore_eos``), and the
    engine's reply text is returned, so the next prompts are the engine's
    prompts token for token: both sides do the same conversation, and only
    the engine's prompt reuse and batching differ. Calls run one at a time
    (the simulation is sequential). Only the calls in ``sample`` (agent
    indices per turn) are sent and timed; the others return at once.
    """

    def __init__(self, inner: Model, recorded: pd.DataFrame, sample: dict[int, set[int]]):
        self.inner, self.sample = inner, sample
        self.rec = {(r.agent, r.turn): r for r in recorded.itertuples()}
        self.timed: list[dict[str, float]] = []

    async def generate(self, request: ChatRequest) -> ChatResponse:
        r = self.rec[(request.tags["agent"], request.tags["turn"])]
        if r.agent_index not in self.sample.get(r.turn, set()):
            return ChatResponse(
                r.raw, request.model, int(r.prompt_tokens), int(r.completion_tokens)
            )
        params = {k: v for k, v in request.params.items() if k != "response_format"}
        params["max_tokens"] = max(1, int(r.completion_tokens))
        params["extra_body"] = {"cache_prompt": False, "id_slot": 0, "ignore_eos": True}
        t = time.perf_counter()
        resp = await self.inner.generate(replace(request, params=params))
        self.timed.append(
            {
                "turn": r.turn,
                "wall_s": time.perf_counter() - t,
                "prompt_tokens": resp.prompt_tokens,
                "engine_prompt_tokens": int(r.prompt_tokens),
                "completion_tokens": resp.completion_tokens,
            }
        )
        return ChatResponse(r.raw, resp.model, resp.prompt_tokens, resp.completion_tokens)


def naive_sample(turns: list[int], n_agents: int, share: float) -> dict[int, set[int]]:
    """Agents whose calls the naive baseline sends, per turn: ``share`` of them, rotating.

    Stratified by turn (a prompt's length grows with the turn, and within a
    turn the agents' prompts are about as long), and rotating so that every
    agent is sampled as often as the others.
    """
    k = min(n_agents, max(1, round(share * n_agents)))
    return {t: {(i * k + j) % n_agents for j in range(k)} for i, t in enumerate(turns)}


def naive_seconds(timed: pd.DataFrame, recorded: pd.DataFrame) -> dict[str, float | None]:
    """Seconds per simulation of the naive baseline from its timed calls (see ``_naive``).

    ``timed``: the sent calls (``turn``, ``wall_s``, ``prompt_tokens``,
    ``completion_tokens``); ``recorded``: every call of the simulation.
    """
    g = timed.groupby("turn")["wall_s"]
    n = recorded.groupby("turn").size()
    stratified = float((g.mean() * n).sum())
    # its standard error (0 when every call is sent; NaN where a turn has a
    # single sampled call: its variance is then unknown)
    k = g.size()
    se = float(np.sqrt((n**2 * (1 - k / n) * g.var(ddof=1) / k).sum(min_count=len(k))))

    def design(p: pd.Series, c: pd.Series) -> np.ndarray:
        p, c = p.to_numpy(float) / 1000, c.to_numpy(float) / 1000
        return np.column_stack([np.ones_like(p), p, p * p, c, c * p])

    x = design(timed["prompt_tokens"], timed["completion_tokens"])
    beta, *_ = np.linalg.lstsq(x, timed["wall_s"].to_numpy(), rcond=None)
    resid = timed["wall_s"].to_numpy() - x @ beta
    r2 = 1 - float((resid**2).sum() / ((timed["wall_s"] - timed["wall_s"].mean()) ** 2).sum())
    if len(timed) == len(recorded):
        s_per_sim = float(timed["wall_s"].sum())  # every call timed: nothing to estimate
    elif len(timed) >= 3 * x.shape[1]:
        s_per_sim = float(
            (design(recorded["prompt_tokens"], recorded["completion_tokens"]) @ beta).sum()
        )
    else:
        s_per_sim = stratified
    return {
        "s_per_sim": s_per_sim,
        "s_per_sim_stratified": stratified,
        "s_per_sim_stratified_se": None if np.isnan(se) else se,
        "call_time_fit_r2": r2,
    }


def _naive(spec, rm, recorded: pd.DataFrame, share: float, n_ctx: int | None) -> dict:
    """Time the naive baseline on the engine's first simulation (see :class:`ReplayModel`).

    With the prompt cache off the calls are independent: each costs the same
    whether or not its neighbours are sent, and what it costs is set by its
    prompt's and its reply's lengths (known for every call: they are the
    engine's). So when only a sample is sent, its seconds per simulation are
    estimated by regressing the sampled calls' times on ``1, p, p^2, c, c*p``
    (prompt tokens p processed from scratch, each attending to those before
    it; c reply tokens generated at depth about p) and summing the prediction
    over every call. The plain stratified estimate (per turn, the sampled
    calls' mean times the turn's calls) and its standard error are reported
    beside it.
    """
    inner, _ = provider_model(rm, spec.settings, n_parallel=1, n_ctx_per_slot=n_ctx)
    turns = sorted(recorded["turn"].unique().tolist())
    n_agents = int(recorded.groupby("turn").size().max())
    replay = ReplayModel(inner, recorded, naive_sample(turns, n_agents, share))
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        res = asyncio.run(simulate_run(spec, replay, rm, Path(d) / "naive.jsonl"))
        wall = time.perf_counter() - t0
    if res.status != "complete":
        raise RuntimeError(f"naive replay failed: {res.status}")
    timed = pd.DataFrame(replay.timed)
    est = naive_seconds(timed, recorded)
    return {
        "simulations": 1,
        "calls": len(recorded),
        "calls_sent": len(timed),
        "share_sent": round(len(timed) / len(recorded), 3),
        "wall_s": wall,
        **est,
        "sims_per_hour": 3600 / est["s_per_sim"],
        "prompts_identical": float(
            (timed["prompt_tokens"] == timed["engine_prompt_tokens"]).mean()
        ),
        **token_accounting(recorded.assign(cached_tokens=0)),
    }


# (model, simulations the engine plays at once, events 1..N, share of the naive
# baseline's calls sent). Prompt reuse saves work that grows with the square of
# the number of turns, so the full benchmark plays as many turns as ten minutes
# on two cores allow (see the module docstring).
FULL = ("local/smollm2-135m", 1, 10, 0.2)
QUICK = ("local/smollm2-135m", 1, 2, 1.0)


def run(model: str, n_sims: int, turns: list[int], naive_share: float = 1.0) -> dict:
    """Machine limit, then the engine (``n_sims`` at once) and the naive baseline.

    The baseline replays the engine's first simulation (see :class:`ReplayModel`);
    throughput (simulations per hour) is what is compared.
    """
    base = dict(models=[model], languages=["en"], aligned_ratios=[0.5], protocol={"turns": turns})
    engine_runs = load_study("study1", "smoke", replicates=n_sims, **base).manifest()
    rm = resolve(model)
    # The same server the runner will use (slots sized for this design).
    ctx = asyncio.run(plan_context(engine_runs, rm, n_sims))
    limit = asyncio.run(
        _machine_limit(model, n_parallel=10 * n_sims, batch=n_sims, n_ctx=ctx.n_ctx_per_slot)
    )
    rates = Rates.from_limit(limit)
    with tempfile.TemporaryDirectory() as a:
        engine = _measure(engine_runs, a, n_sims, rates)
        recorded = load_turns(a)
    first = engine_runs[0]
    naive = _naive(
        first, rm, recorded[recorded["run_id"] == first.run_id], naive_share, ctx.n_ctx_per_slot
    )
    # Genuinely new tokens and the replies, each at the rate the machine has at
    # the depth where it sits: the least time any engine needs for this work.
    lower = engine["new_prompt_s_at_depth"] + engine["gen_s_at_depth"]
    at_depth0 = engine["new_prompt_s_at_depth0"] + engine["gen_s_at_depth0"]
    r2 = lambda d: {k: round(v, 2) if isinstance(v, float) else v for k, v in d.items()}  # noqa: E731
    return {
        "model": model,
        "design": f"engine: {n_sims} simulations at once; naive: 1, replayed; "
        f"10 agents x turns {turns}",
        "machine_limit": {k: round(v, 1) for k, v in limit.items()},
        "engine": r2(engine),
        "naive": r2(naive),
        "processed_per_new_token": {
            "engine": round(engine["processed_prompt_tokens"] / engine["new_prompt_tokens"], 2),
            "naive": round(naive["processed_prompt_tokens"] / naive["new_prompt_tokens"], 2),
        },
        "lower_bound_s": round(lower, 1),
        "lower_bound_at_depth0_s": round(at_depth0, 1),
        "speedup_vs_naive": round(engine["sims_per_hour"] / naive["sims_per_hour"], 2),
        "fraction_of_lower_bound": round(lower / engine["wall_s"], 3),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK[1]} simulation of {QUICK[2]} events on {QUICK[0]} (under two minutes)",
    )
    p.add_argument("--model", help=f"embedded model (default {FULL[0]}; --quick: {QUICK[0]})")
    p.add_argument(
        "--sims", type=int, help=f"simulations the engine plays at once (default {FULL[1]})"
    )
    p.add_argument("--turns", type=int, help=f"events 1..N of the protocol (default {FULL[2]})")
    p.add_argument(
        "--naive-share",
        type=float,
        help=f"share of the naive baseline's calls sent and timed, per turn "
        f"(default {FULL[3]}; --quick: {QUICK[3]}; 1 sends them all)",
    )
    a = p.parse_args(argv)
    model, sims, turns, share = QUICK if a.quick else FULL
    if a.naive_share is not None and not 0 < a.naive_share <= 1:
        p.error(f"--naive-share must be in (0, 1], got {a.naive_share}")
    res = run(
        a.model or model,
        n_sims=a.sims or sims,
        turns=list(range(1, (a.turns or turns) + 1)),
        naive_share=a.naive_share or share,
    )
    print(json.dumps(res) if a.json else json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
