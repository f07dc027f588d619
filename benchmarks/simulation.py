"""Simulations on the embedded model: the engine as built vs a naive baseline.

Measured in one process, one run, on the same llama.cpp server:

1. the machine's limit: prompt-processing tokens/s (a long prompt, 1 output
   token) and generation tokens/s at batch 1 and batched (parallel requests);
2. the engine as built: several simulations at once (batched decoding), each
   agent pinned to its own llama.cpp slot so that, of its growing
   conversation, only what the slot has not seen is processed;
3. the naive baseline: one simulation at a time, prompt cache off (every call
   processes its whole prompt).

Tokens are counted three ways: *sent* (the prompts as sent; what the naive
baseline processes), *processed* (what the server ran: sent minus its cached
prefix) and *genuinely new* (sent minus the agent's previous prompt and reply:
what no engine can avoid). The lower bound of a simulation is the time to
process its genuinely new tokens at the prompt rate the machine has at the
depth where they sit, plus the time to generate its reply tokens at the
generation rate measured at the engine's batch size. The depth matters: every
new token attends to all the tokens before it, so on two cores SmolLM2
processes about 470 tokens/s at depth 0, 290 at depth 2,000 and 210 at depth
4,000; the time per token is measured at those three depths (llama.cpp's
own timings) and fitted as a line. ``lower_bound_at_depth0_s`` is the bound
at the depth-0 rate, for comparison. Reported: seconds per simulation, simulations per hour, the three
token counts, ``speedup_vs_naive`` (throughput ratio) and
``fraction_of_lower_bound`` (lower bound / measured wall time).

Prompt reuse saves work that grows with the square of the number of turns (the
naive baseline re-reads a conversation that grows every turn), so the speedup
depends on how many turns are played: the full benchmark plays five events of
the protocol on the smallest embedded model so that it finishes in about ten
minutes on two cores; ``--model local --turns N`` measures the default model
or a longer protocol (longer to run).

    python -m benchmarks.simulation [--json] [--quick] [--model M] [--sims N] [--turns N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time

import numpy as np
import pandas as pd

from backfire.llm import ChatRequest, provider_model, resolve
from backfire.simulate import run_manifest
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
    chunk = words[: len(words) // 2]
    # depths in units of ``words`` (about 600 tokens), as deep as the slots allow
    k = max(1, min(8, ((n_ctx or 4096) - 1200) // 700))
    for d, reps in ((r * 600, r) for r in sorted({0, k // 2, k})):
        prefix = f"depth {d} " + " ".join([words] * reps)
        if reps:
            await inner.generate(cached(900 + d, prefix, 1))  # fills slot 1
        r = await inner.generate(cached(900 + d, prefix + " " + chunk, 1))
        t = r.extra.get("timings") or {}
        if t.get("prompt_n"):
            depth_pts.append(
                (float(r.prompt_tokens - t["prompt_n"]), t["prompt_ms"] / t["prompt_n"])
            )

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
    return out


def token_accounting(
    turns: pd.DataFrame, ms_per_token: tuple[float, float] | None = None
) -> dict[str, float]:
    """Prompt tokens sent, processed by the server, and genuinely new.

    *Genuinely new* tokens of a call are those its agent has not seen before:
    the prompt minus the agent's previous prompt and reply (its whole prompt on
    its first call). That is the work no engine can avoid. *Processed* is what
    the server actually ran (prompt minus its cached prefix); the gap between
    the two is the engine's waste (llama.cpp re-tokenises a grammar-constrained
    reply differently from how it was sampled, so an agent's own previous
    reply is usually processed again).
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
    if ms_per_token is not None:  # each call's new tokens sit at the end of its prompt
        a, b = ms_per_token
        mid_depth = t["prompt_tokens"] - new / 2
        out["new_prompt_s_at_depth"] = float((new * (a + b * mid_depth)).sum() / 1000)
    return out


def _measure(
    runs, out: str, concurrency: int, ms_per_token: tuple[float, float] | None
) -> dict[str, float]:
    t0 = time.perf_counter()
    summary = asyncio.run(run_manifest(runs, out, max_concurrent_runs=concurrency, progress=False))
    wall = time.perf_counter() - t0
    return {
        "simulations": summary.runs_completed,
        "calls": summary.calls,
        "wall_s": wall,
        "s_per_sim": wall / max(1, summary.runs_completed),
        "sims_per_hour": 3600 * summary.runs_completed / wall,
        **token_accounting(load_turns(out), ms_per_token),
    }


# (model, simulations at once, events 1..N). Prompt reuse saves work that grows
# with the square of the number of turns, so the full benchmark plays enough
# turns to show it within ten minutes on two cores (see the module docstring).
FULL = ("local/smollm2-135m", 2, 5)
QUICK = ("local/smollm2-135m", 1, 2)


def run(model: str, n_sims: int, turns: list[int]) -> dict:
    """Machine limit, then the engine (``n_sims`` at once) and the naive baseline.

    The baseline plays one simulation with the prompt cache off; throughput
    (simulations per hour) is what is compared, so it need not play as many.
    """
    base = dict(
        models=[model],
        languages=["en"],
        aligned_ratios=[0.5],
        protocol={"turns": turns},
    )
    engine_runs = load_study("study1", "smoke", replicates=n_sims, **base).manifest()
    # The naive baseline plays the engine's first run (same seeds, so replies of
    # about the same length); each side has its own response cache, so nothing
    # is shared between them.
    naive_runs = load_study(
        "study1",
        "smoke",
        replicates=1,
        **base,
        settings={"extra": {"extra_body": {"cache_prompt": False}}},
    ).manifest()
    # The same server the runner will use (slots sized for this design).
    ctx = asyncio.run(plan_context(engine_runs, resolve(model), n_sims))
    limit = asyncio.run(
        _machine_limit(model, n_parallel=10 * n_sims, batch=n_sims, n_ctx=ctx.n_ctx_per_slot)
    )
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        depth = None
        if "prompt_ms_per_token_at_depth0" in limit:
            depth = (
                limit["prompt_ms_per_token_at_depth0"],
                limit["prompt_ms_per_token_per_1k_depth"] / 1000,
            )
        engine = _measure(engine_runs, a, n_sims, depth)
        naive = _measure(naive_runs, b, 1, depth)
    # Genuinely new tokens at the rate the machine has at the depth where they
    # sit (or, without the depth fit, at the depth-0 rate: a lower bound anyway),
    # plus the replies at the generation rate of the design's batch size.
    gen_s = engine["completion_tokens"] / limit["gen_tok_s_design"]
    new_s_depth0 = engine["new_prompt_tokens"] / limit["prompt_tok_s"]
    at_depth0 = new_s_depth0 + gen_s
    lower = engine.get("new_prompt_s_at_depth", new_s_depth0) + gen_s
    return {
        "model": model,
        "design": f"engine: {n_sims} simulations at once; naive: 1; 10 agents x turns {turns}",
        "machine_limit": {k: round(v, 1) for k, v in limit.items()},
        "engine": {k: round(v, 2) if isinstance(v, float) else v for k, v in engine.items()},
        "naive": {k: round(v, 2) if isinstance(v, float) else v for k, v in naive.items()},
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
        help=f"{QUICK[1]} simulations of {QUICK[2]} events on {QUICK[0]} (under two minutes)",
    )
    p.add_argument("--model", help=f"embedded model (default {FULL[0]}; --quick: {QUICK[0]})")
    p.add_argument(
        "--sims", type=int, help=f"simulations the engine plays at once (default {FULL[1]})"
    )
    p.add_argument("--turns", type=int, help=f"events 1..N of the protocol (default {FULL[2]})")
    a = p.parse_args(argv)
    model, sims, turns = QUICK if a.quick else FULL
    res = run(a.model or model, n_sims=a.sims or sims, turns=list(range(1, (a.turns or turns) + 1)))
    print(json.dumps(res) if a.json else json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
