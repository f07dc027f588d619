"""Simulations on the embedded model: the engine as built vs a naive baseline.

Measured in one process, one run, on the same llama.cpp server:

1. the machine's limit: prompt-processing tokens/s (a long prompt, 1 output
   token) and generation tokens/s at batch 1 and batched (parallel requests);
2. the engine as built: several simulations at once (batched decoding), each
   agent pinned to its own llama.cpp slot so only genuinely new prompt tokens
   are processed;
3. the naive baseline: one simulation at a time, prompt cache off (every call
   processes its whole prompt).

The lower bound of a simulation is the time to process only its genuinely new
prompt tokens at the measured prompt rate plus the time to generate its reply
tokens at the batched generation rate. Reported: seconds per simulation,
simulations per hour, tokens processed vs genuinely new, ``speedup_vs_naive``
(throughput ratio) and ``fraction_of_lower_bound`` (lower bound / measured).

    python -m benchmarks.simulation [--json] [--quick] [--model local]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time

from backfire.llm import ChatRequest, provider_model
from backfire.simulate import run_manifest
from backfire.spec import ModelSettings, load_study
from backfire.transcripts import load_turns


async def _machine_limit(model: str, n_parallel: int) -> dict[str, float]:
    settings = ModelSettings(max_tokens=64, temperature=0.0)
    inner, _ = provider_model(model, settings, n_parallel=n_parallel)
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

    t = time.perf_counter()
    r = await inner.generate(req(0, words, 1, 0))
    pp = r.prompt_tokens / (time.perf_counter() - t)
    t = time.perf_counter()
    r = await inner.generate(req(1, "Count slowly from one to one hundred.", 64, 0))
    tg1 = r.completion_tokens / (time.perf_counter() - t)
    k = min(n_parallel, 10)
    t = time.perf_counter()
    rs = await asyncio.gather(*(inner.generate(req(10 + i, "Say hello.", 64, i)) for i in range(k)))
    tgk = sum(x.completion_tokens for x in rs) / (time.perf_counter() - t)
    return {
        "prompt_tok_s": pp,
        "gen_tok_s_batch1": tg1,
        f"gen_tok_s_batch{k}": tgk,
        "gen_tok_s_batched": tgk,
    }


def _measure(runs, out: str, concurrency: int) -> dict[str, float]:
    t0 = time.perf_counter()
    summary = asyncio.run(run_manifest(runs, out, max_concurrent_runs=concurrency, progress=False))
    wall = time.perf_counter() - t0
    turns = load_turns(out)
    prompt = int(turns["prompt_tokens"].sum())
    cached = int(turns["cached_tokens"].sum())
    return {
        "simulations": summary.runs_completed,
        "calls": summary.calls,
        "wall_s": wall,
        "s_per_sim": wall / max(1, summary.runs_completed),
        "sims_per_hour": 3600 * summary.runs_completed / wall,
        "prompt_tokens": prompt,
        "new_prompt_tokens": prompt - cached,
        "completion_tokens": int(turns["completion_tokens"].sum()),
    }


def run(model: str, n_sims: int, turns: list[int]) -> dict:
    base = dict(
        models=[model],
        languages=["en"],
        aligned_ratios=[0.5],
        replicates=n_sims,
        protocol={"turns": turns},
    )
    engine_runs = load_study("study1", "smoke", **base).manifest()
    naive_runs = load_study(
        "study1",
        "smoke",
        **base,
        settings={"extra": {"extra_body": {"cache_prompt": False}}},
    ).manifest()
    limit = asyncio.run(_machine_limit(model, n_parallel=10 * n_sims))
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        engine = _measure(engine_runs, a, concurrency=n_sims)
        naive = _measure(naive_runs, b, concurrency=1)
    lower = (
        engine["new_prompt_tokens"] / limit["prompt_tok_s"]
        + engine["completion_tokens"] / limit["gen_tok_s_batched"]
    )
    return {
        "model": model,
        "design": f"{n_sims} simulations x 10 agents x turns {turns}",
        "machine_limit": {k: round(v, 1) for k, v in limit.items()},
        "engine": {k: round(v, 2) if isinstance(v, float) else v for k, v in engine.items()},
        "naive": {k: round(v, 2) if isinstance(v, float) else v for k, v in naive.items()},
        "lower_bound_s": round(lower, 1),
        "speedup_vs_naive": round(engine["sims_per_hour"] / naive["sims_per_hour"], 2),
        "fraction_of_lower_bound": round(lower / engine["wall_s"], 3),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="two simulations of three turns")
    p.add_argument("--model", default="local")
    a = p.parse_args(argv)
    res = (
        run(a.model, n_sims=2, turns=[1, 2, 3])
        if a.quick
        else run(a.model, n_sims=4, turns=[1, 2, 3, 4, 5, 6])
    )
    print(json.dumps(res) if a.json else json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
