"""Slot sizing for embedded models: the design decides the context, before any call."""

from __future__ import annotations

import asyncio
import warnings

import pytest

from backfire.llm import resolve
from backfire.simulate import run_manifest
from backfire.simulate._context import plan_context
from backfire.spec import SpecError, load_study


def _plan(study: str, preset: str, languages: list[str], model: str, conc: int = 4, **kw):
    runs = load_study(study, preset, languages=languages, models=[model], **kw).manifest()
    return asyncio.run(plan_context(runs, resolve(model), conc))


def test_context_grows_with_the_protocol():
    short = _plan("study1", "reference", ["en"], "local")
    full = _plan("study1", "default", ["en"], "local")
    assert 2048 <= short.n_ctx_per_slot < full.n_ctx_per_slot <= 32768
    # Every prompt of the design fits the slot, with room for the reply.
    assert full.n_ctx_per_slot > full.longest_prompt_tokens + 256
    assert short.max_concurrent_runs == 4


def test_kv_budget_caps_concurrency(monkeypatch):
    monkeypatch.setenv("BACKFIRE_KV_BUDGET_MB", "100")
    p = _plan("study1", "default", ["en"], "local")
    assert p.max_concurrent_runs == 1
    monkeypatch.setenv("BACKFIRE_KV_BUDGET_MB", "100000")
    assert _plan("study1", "default", ["en"], "local", conc=3).max_concurrent_runs == 3


def test_design_that_cannot_fit_is_refused_before_any_call(tmp_path):
    # SmolLM2 has an 8k context; fifteen turns of 40-word Japanese speech need far more.
    runs = load_study(
        "study1", "default", languages=["ja"], models=["local/smollm2-135m"], replicates=1
    ).manifest()
    with pytest.raises(SpecError, match="protocol.*8192-token context"):
        asyncio.run(run_manifest(runs, tmp_path, progress=False))
    assert not any(tmp_path.rglob("*.jsonl*"))  # nothing was started or written


def test_borderline_design_warns():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        _plan("study2", "default", ["hi"], "local", replicates=1, aligned_ratios=[1.0])
    assert any("may outgrow" in str(x.message) for x in w)
