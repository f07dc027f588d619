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
tokens at the generation rate measured at the engine's batch size (the number
of simulations it runs at once). Reported: seconds per simulation,
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


async def _machine_limit(model: str, n_parallel: int, batch: int) -> dict[str, float]:
    """Prompt and generation rates of the server the simulations will use.

    A warm-up call comes first (model load, first-call allocation), then each
    rate is the mean of two measurements. Generation is measured at batch 1,
    at ``batch`` (the number of simulations the engine runs at once: the rate
    that design can reach) and at batch 10 (for reference).
    """
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

    await inner.generate(req(-1, words, 4, 0))  # warm-up
    pp = []
    for i in range(2):
        t = time.perf_counter()
        r = await inner.generate(req(i, words, 1, 0))
        pp.append(r.prompt_tokens / (time.perf_counter() - t))

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
    return out


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
    limit = asyncio.run(_machine_limit(model, n_parallel=10 * n_sims, batch=n_sims))
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        engine = _measure(engine_runs, a, concurrency=n_sims)
        naive = _measure(naive_runs, b, concurrency=1)
    lower = (
        engine["new_prompt_tokens"] / limit["prompt_tok_s"]
        + engine["completion_tokens"] / limit["gen_tok_s_design"]
    )
    return {
        "model": model,
        "design": f"engine: {n_sims} simulations at once; naive: 1; 10 agents x turns {turns}",
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
    p.add_argument(
        "--quick",
        action="store_true",
        help="two simulations of three events on the smallest embedded model (about two minutes)",
    )
    p.add_argument("--model", help="default: local (qwen2.5-0.5b); --quick: local/smollm2-135m")
    a = p.parse_args(argv)
    if a.quick:
        res = run(a.model or "local/smollm2-135m", n_sims=2, turns=[1, 2, 3])
    else:
        res = run(a.model or "local", n_sims=3, turns=[1, 2, 3, 4, 5])
    print(json.dumps(res) if a.json else json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
