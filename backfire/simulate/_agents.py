"""Agents of one run: personas from the language folder, flags by seeded shuffle."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..languages import Language
from ..spec import RunSpec


@dataclass(frozen=True)
class Agent:
    index: int
    role: str
    name: str
    description: str
    aligned: bool
    individuated: bool


def make_agents(spec: RunSpec, lang: Language) -> list[Agent]:
    """Ten agents; ``round(ratio x 10)`` aligned and ``round(share x 10)``
    individuated, each set drawn by its own seeded shuffle so the two
    manipulations are independent of each other and of persona order."""
    n = spec.protocol.n_agents
    rng = random.Random(spec.seed)
    aligned = set(rng.sample(range(n), spec.n_aligned))
    individuated = set(rng.sample(range(n), spec.n_individuated))
    return [
        Agent(i, p.id, p.name, p.description, i in aligned, i in individuated)
        for i, p in enumerate(lang.personas[:n])
    ]
