"""Measures: classified turns -> per-agent and per-run indices (CPI, DI, rates)."""

from ._measures import (
    CATEGORIES,
    RUN_KEYS,
    add_indices,
    agent_measures,
    classify_turns,
    run_measures,
    text_length,
)

__all__ = [
    "CATEGORIES",
    "RUN_KEYS",
    "add_indices",
    "agent_measures",
    "classify_turns",
    "run_measures",
    "text_length",
]
