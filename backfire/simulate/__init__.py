"""The simulation engine: agents, prompts, the turn loop and the resumable runner."""

from ._agents import Agent, make_agents
from ._engine import RunResult, Simulation, simulate_run
from ._estimate import estimate
from ._parse import ParsedReply, canonical_vote, parse_reply
from ._runner import RunSummary, plan, run_manifest, run_study

__all__ = [
    "Agent",
    "ParsedReply",
    "RunResult",
    "RunSummary",
    "Simulation",
    "canonical_vote",
    "estimate",
    "make_agents",
    "parse_reply",
    "plan",
    "run_manifest",
    "run_study",
    "simulate_run",
]
