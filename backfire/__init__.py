"""backfire: a replication package for "Alignment Backfire" (Fukui 2026).

The pipeline flows one way: spec -> manifest -> simulate -> transcripts ->
classify -> measures -> stats -> results and figures. Each stage is a
subpackage; heavy dependencies (litellm, xllamacpp, pandas) load on first use,
so ``import backfire`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_study": "backfire.spec",
    "StudySpec": "backfire.spec",
    "RunSpec": "backfire.spec",
    "SpecError": "backfire.spec",
    "load_language": "backfire.languages",
    "available_languages": "backfire.languages",
    "run_study": "backfire.simulate",
    "run_manifest": "backfire.simulate",
    "load_turns": "backfire.transcripts",
    "load_runs": "backfire.transcripts",
    "build_model": "backfire.llm",
}

_SUBPACKAGES = (
    "classify",
    "measures",
    "stats",
    "results",
    "simulate",
    "spec",
    "languages",
    "llm",
)

__all__ = ["__version__", *_LAZY, *_SUBPACKAGES]


def __getattr__(name: str) -> Any:
    # ``backfire.classify(texts, "en")``: the subpackage module is itself callable.
    if name in _SUBPACKAGES:
        return import_module(f"backfire.{name}")
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'backfire' has no attribute {name!r}")
