"""API throughput under a provider rate limit, against a local OpenAI-compatible server.

The engine runs a manifest of many simulations through the real litellm call
path against ``backfire.testing.FakeOpenAIServer`` (configurable latency; a
requests-per-window limit answered with 429 and Retry-After). The best any
client can do is ``calls * window / limit`` seconds; we report the ratio of the
measured wall time to that bound, and the number of duplicate paid calls (the
same request body accepted twice), which must be zero. The server caches
prompt prefixes as OpenAI does (``prefix_cache``), so the share of prompt tokens
read from the provider's cache shows that the prompts are laid out for it.

    python -m benchmarks.api [--json] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time

from backfire.simulate import run_manifest
from backfire.spec import load_study
from backfire.testing import FakeOpenAIProcess
from backfire.transcripts import load_turns
from benchmarks._report import emit

# Replies about as long as the default caps ask for (25 of 40 words each), so the
# conversations grow as real ones do.
_WORDS = ("we must refuse this order because it is wrong and we owe each other care " * 2).split()
REPLY = {"speech": " ".join(_WORDS[:25]), "thought": " ".join(_WORDS[-25:])}


def run(n_sims: int, turns: list[int], limit: int, window_s: float, latency_s: float) -> dict:
    with FakeOpenAIProcess(
        latency_s=latency_s, rpm=limit, window_s=window_s, prefix_cache=True, reply=REPLY
    ) as srv:
        study = load_study(
            "study2",
            "default",
            models=["openai/gpt-4o-mini"],
            replicates=max(1, n_sims // 80),
            protocol={"turns": turns},
            settings={
                "api_base": srv.base_url,
                "extra": {"api_key": "sk-benchmark"},
                "max_concurrency": 256,
                "max_attempts": 50,
            },
        )
        runs = study.manifest()[:n_sims]
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            summary = asyncio.run(
                run_manifest(runs, out, max_concurrent_runs=len(runs), progress=False)
            )
            wall = time.perf_counter() - t0
            turns_df = load_turns(out)
        stats = srv.stats()
        calls = summary.calls
        bound = calls * window_s / limit
        return {
            "simulations": len(runs),
            "runs_completed": summary.runs_completed,
            "calls": calls,
            "limit_requests": limit,
            "window_s": window_s,
            "latency_s": latency_s,
            "wall_s": round(wall, 2),
            "rate_limit_bound_s": round(bound, 2),
            "ratio_to_rate_limit_bound": round(wall / bound, 3),
            "rejected_429": stats["rejected_429"],
            "accepted": stats["accepted"],
            "duplicate_paid_calls": stats["duplicate_calls"],
            "cost_usd": round(summary.cost_usd, 4),
            "prompt_tokens": int(turns_df["prompt_tokens"].sum()),
            "cached_prompt_tokens": int(turns_df["cached_tokens"].sum()),
            "cached_prompt_share": round(
                float(turns_df["cached_tokens"].sum() / turns_df["prompt_tokens"].sum()), 3
            ),
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="a smaller manifest (under two minutes)")
    a = p.parse_args(argv)
    if a.quick:
        res = run(n_sims=160, turns=[1, 15], limit=30, window_s=1.0, latency_s=0.1)
    else:
        res = run(n_sims=400, turns=[1, 8, 15], limit=30, window_s=1.0, latency_s=0.3)
    emit(res, a.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
