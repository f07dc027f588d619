"""Run a manifest concurrently, resumably, with a progress bar and a summary.

Resume rule: a run whose transcript is whole, ``complete`` and made from the
same spec (same ``spec_hash``) is skipped; anything else is (re)played, and
every call it already paid for comes back from the response cache for free.
A whole transcript made from a *different* spec is never overwritten: that is
an error naming the file, so no finished work is lost by a changed setting.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..llm import Store, build_model
from ..spec import RunSpec, SpecError, StudySpec
from ..transcripts import existing_transcript, transcript_path, transcript_status
from ._context import plan_models
from ._engine import RunResult, simulate_run


@dataclass
class RunSummary:
    out: str
    runs_total: int = 0
    runs_completed: int = 0
    runs_skipped: int = 0
    runs_failed: int = 0
    runs_interrupted: int = 0
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    wall_s: float = 0.0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["cost_usd"] = round(self.cost_usd, 6)
        d["wall_s"] = round(self.wall_s, 2)
        return d


def plan(runs: list[RunSpec], out: Path) -> tuple[list[RunSpec], list[RunSpec]]:
    """Split runs into (to play, to skip) and refuse to clobber a different finished run."""
    todo, skip = [], []
    for r in runs:
        path = existing_transcript(out, r.study, r.run_id)
        status, spec_hash = transcript_status(path) if path else (None, None)
        if status is None:
            todo.append(r)
        elif spec_hash != r.spec_hash:
            raise SpecError(
                "out",
                str(path),
                "an empty folder or one holding runs of the same spec",
                why="a finished transcript there was made with different settings",
            )
        elif status == "complete":
            skip.append(r)
        else:
            todo.append(r)  # failed before: try again (paid calls come from the cache)
    return todo, skip


class _Progress:
    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="run", file=sys.stderr, dynamic_ncols=True)

    def update(self, s: RunSummary) -> None:
        if self.bar is not None:
            self.bar.set_postfix(
                calls=s.calls,
                hits=s.cache_hits,
                tok=s.prompt_tokens + s.completion_tokens,
                cost=f"${s.cost_usd:.4f}",
                refresh=False,
            )
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


async def run_manifest(
    runs: list[RunSpec],
    out: str | Path,
    max_concurrent_runs: int = 4,
    progress: bool = True,
    store_path: str | Path | None = None,
    compress: bool = False,
) -> RunSummary:
    """Play every run not already finished; see the module docstring for resume.

    ``compress`` publishes transcripts as ``.jsonl.gz`` (what ``data/`` ships).
    Runs on different embedded models are played one model after another:
    two llama.cpp servers computing at once on a small machine thrash.
    """
    out = Path(out)
    t0 = time.perf_counter()
    summary = RunSummary(out=str(out), runs_total=len(runs))
    todo, skip = plan(runs, out)
    summary.runs_skipped = len(skip)
    if not todo:
        summary.wall_s = time.perf_counter() - t0
        return summary
    # Embedded models one after another, each server sized for its design
    # (checked here, before anything is paid for); API models (any number) together.
    plans = await plan_models(todo, max_concurrent_runs)
    local = {m: [r for r in todo if r.model == m] for m in plans}
    waves = [[r for r in todo if r.model not in local], *local.values()]
    store = Store(store_path or out / ".backfire" / "cache.sqlite")
    models: dict[tuple[str, str], Any] = {}
    bar = _Progress(len(todo), progress)

    def model_for(r: RunSpec, n_parallel: int, n_ctx: int | None):  # noqa: ANN202
        key = (r.model, r.settings.model_dump_json())
        if key not in models:
            models[key] = build_model(
                r.model, r.settings, store, n_parallel=n_parallel, n_ctx_per_slot=n_ctx
            )
        return models[key]

    async def one(r: RunSpec, blocks: asyncio.Queue[int], n_ctx: int | None) -> None:
        # Each running simulation holds one block of ten server slots (embedded model).
        block = await blocks.get()
        try:
            model, rm = model_for(r, blocks.maxsize * 10, n_ctx)
            path = transcript_path(out, r.study, r.run_id, compress)
            res: RunResult = await simulate_run(r, model, rm, path, slot_base=block * 10)
        finally:
            blocks.put_nowait(block)
        summary.calls += res.calls
        summary.cache_hits += res.cache_hits
        summary.prompt_tokens += res.prompt_tokens
        summary.completion_tokens += res.completion_tokens
        summary.cost_usd += res.cost_usd
        if res.status == "complete":
            summary.runs_completed += 1
        else:
            summary.runs_failed += 1
            summary.failures.append(f"{r.run_id}: {res.status}")
        bar.update(summary)

    tasks: list[asyncio.Task[None]] = []

    async def play_waves() -> None:
        for wave in waves:
            if not wave:
                continue
            p = plans.get(wave[0].model)
            conc = min(p.max_concurrent_runs if p else max_concurrent_runs, len(wave))
            blocks: asyncio.Queue[int] = asyncio.Queue(maxsize=max(1, conc))
            for b in range(blocks.maxsize):
                blocks.put_nowait(b)
            n_ctx = p.n_ctx_per_slot if p else None
            batch = [asyncio.create_task(one(r, blocks, n_ctx)) for r in wave]
            tasks.extend(batch)
            await asyncio.gather(*batch)

    try:
        await play_waves()
    except (asyncio.CancelledError, KeyboardInterrupt):
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        summary.runs_interrupted = len(todo) - summary.runs_completed - summary.runs_failed
        raise
    finally:
        bar.close()
        store.close()
        summary.wall_s = time.perf_counter() - t0
    return summary


def run_study(
    study: StudySpec | list[RunSpec],
    out: str | Path,
    max_concurrent_runs: int = 4,
    progress: bool = True,
) -> RunSummary:
    """Synchronous entry point for scripts and notebooks.

    Jupyter already runs an event loop, where ``asyncio.run`` is refused; there
    the simulation runs on a worker thread with its own loop, so the same call
    works in both places.
    """
    runs = study.manifest() if isinstance(study, StudySpec) else list(study)
    job = run_manifest(runs, out, max_concurrent_runs, progress)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(job)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, job).result()
