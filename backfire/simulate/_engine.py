"""One simulation: ten agents, the scripted events, one transcript."""

from __future__ import annotations

import asyncio
import platform
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..languages import Language, load_language
from ..llm import ChatRequest, ChatResponse, Model, ModelError, ResolvedModel, versions
from ..spec import RunSpec
from ..transcripts import TranscriptWriter
from . import _prompts as P
from ._agents import Agent, make_agents
from ._parse import parse_reply


@dataclass
class RunResult:
    run_id: str
    status: str
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    parse_failures: int = 0
    resolved_models: set[str] = field(default_factory=set)

    def add(self, r: ChatResponse) -> None:
        self.calls += 0 if r.cache_hit else 1
        self.cache_hits += int(r.cache_hit)
        self.prompt_tokens += r.prompt_tokens
        self.completion_tokens += r.completion_tokens
        self.cost_usd += r.cost_usd
        self.resolved_models.add(r.model)

    def totals(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "seconds": round(self.seconds, 3),
            "parse_failures": self.parse_failures,
            "resolved_models": sorted(self.resolved_models),
        }


def structured_mode(rm: ResolvedModel, setting: str) -> str:
    if setting != "auto":
        return setting
    if rm.kind in ("local", "synthetic"):
        return "json_schema"
    try:
        from ..llm._litellm import litellm

        if litellm().supports_response_schema(model=rm.litellm_model):
            return "json_schema"
    except Exception:
        pass
    return "json_object"


def provenance(spec: RunSpec, lang: Language, rm: ResolvedModel, mode: str) -> dict[str, Any]:
    return {
        "spec_hash": spec.spec_hash,
        "versions": versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "model_requested": spec.model,
        "model_kind": rm.kind,
        "litellm_model": rm.litellm_model,
        "provider": rm.provider,
        **rm.provenance,
        "structured_output": mode,
        "language_content_sha256": lang.content_hash,
        "prompt_files_sha256": dict(lang.file_hashes),
        "seed": spec.seed,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


class Simulation:
    """State of one run. Each agent's message list is append-only (see _prompts)."""

    def __init__(
        self,
        spec: RunSpec,
        model: Model,
        rm: ResolvedModel,
        lang: Language,
        slot_base: int | None = None,
    ):
        self.spec, self.model, self.rm, self.lang = spec, model, rm, lang
        # On the embedded server each agent keeps its own llama.cpp slot, so the
        # slot's cached prompt is always that agent's previous prompt and only
        # the new tokens are processed (not part of the cache key).
        self.slot_base = slot_base
        self.settings = spec.settings
        self.agents = make_agents(spec, lang)
        self.turns = spec.protocol.turns or [e.turn for e in lang.scenario.events]
        self.total = len(lang.scenario.events)
        self.mode = structured_mode(rm, self.settings.structured_output)
        self.rng = random.Random(spec.seed ^ 0x5EED)
        self.messages: dict[int, list[dict[str, str]]] = {
            a.index: [
                {"role": "system", "content": P.system_prompt(a, lang, self.settings, self.total)}
            ]
            for a in self.agents
        }
        self.unseen: dict[int, list[str]] = {a.index: [] for a in self.agents}
        self.result = RunResult(spec.run_id, "running")

    def _params(self, decision: bool, call_seed: int, agent: Agent) -> dict[str, Any]:
        s = self.settings
        params: dict[str, Any] = {
            "temperature": s.temperature,
            "max_tokens": s.max_tokens,
            "seed": call_seed,
        }
        if self.rm.kind == "synthetic":  # its parameters are part of the cache key
            from ..llm._synthetic import profile_hash

            over = self.settings.extra.get("synthetic")
            params["synthetic_profile"] = profile_hash(
                self.rm.provenance["synthetic_profile"], over
            )
        if self.mode == "json_schema":
            max_chars = None
            if self.rm.kind == "local":  # llama.cpp enforces maxLength in its grammar
                lim = P.limits(self.lang, s)
                per = 8 if self.lang.meta.segmentation == "spaced" else 2
                max_chars = {
                    "speech": lim["speech_limit"] * per,
                    "thought": lim["thought_limit"] * per,
                }
            params["response_format"] = P.response_schema(self.lang, decision, max_chars)
        elif self.mode == "json_object":
            params["response_format"] = {"type": "json_object"}
        if self.rm.kind == "local" and self.slot_base is not None:
            extra_body = dict(self.settings.extra.get("extra_body") or {})
            params["extra_body"] = {**extra_body, "id_slot": self.slot_base + agent.index}
        return params

    async def agent_turn(self, agent: Agent, turn: int, decision: bool, probe: bool) -> dict:
        lines = self.unseen[agent.index] + P.turn_request(
            self.lang, self.settings, agent, probe, decision
        )
        self.unseen[agent.index] = []
        user = {"role": "user", "content": "\n\n".join(lines)}
        msgs = self.messages[agent.index] + [user]
        request = ChatRequest(
            model=self.spec.model,
            messages=tuple(msgs),
            params=self._params(
                decision, (self.spec.seed + 7919 * turn + agent.index) % 2**31, agent
            ),
            run_id=self.spec.run_id,
            replicate=self.spec.replicate,
            tags={"agent": agent.role, "turn": turn},
        )
        resp = await self.model.generate(request)
        self.result.add(resp)
        parsed = parse_reply(resp.text, self.lang, decision, resp.refusal)
        if parsed.status in ("parse_error", "empty"):
            self.result.parse_failures += 1
        self.messages[agent.index] = msgs + [{"role": "assistant", "content": resp.text}]
        return {
            "agent": agent.role,
            "name": agent.name,
            "agent_index": agent.index,
            "turn": turn,
            "phase": self.lang.scenario.events[turn - 1].phase,
            "decision": decision,
            "probe": probe,
            "aligned": agent.aligned,
            "individuated": agent.individuated,
            "speech": parsed.speech,
            "thought": parsed.thought,
            "vote": parsed.vote,
            "vote_raw": parsed.vote_raw,
            "status": parsed.status,
            "raw": resp.text,
            "finish_reason": resp.finish_reason,
            "resolved_model": resp.model,
            "prompt_tokens": resp.prompt_tokens,
            "completion_tokens": resp.completion_tokens,
            "cached_tokens": resp.cached_tokens,
            "cost_usd": resp.cost_usd,
            "latency_s": round(resp.latency_s, 4),
            "cache_hit": resp.cache_hit,
            "attempts": resp.attempts,
        }

    def _broadcast(self, speaker: Agent, speech: str | None) -> None:
        line = P.speaker_line(self.lang, speaker.name, speech)
        for a in self.agents:
            if a.index != speaker.index:
                self.unseen[a.index].append(line)

    async def play(self, writer: TranscriptWriter) -> RunResult:
        t0 = time.perf_counter()
        target = self.lang.target.name
        for turn in self.turns:
            ev = self.lang.scenario.events[turn - 1]
            ann = P.announcement(self.lang, turn, self.total, ev.text, target)
            for a in self.agents:
                self.unseen[a.index].append(ann)
            order = self.agents[:]
            self.rng.shuffle(order)
            if self.spec.protocol.order == "sequential":
                for a in order:
                    rec = await self.agent_turn(a, turn, ev.decision, ev.probe)
                    writer.turn(rec)
                    self._broadcast(a, rec["speech"])
            else:  # simultaneous: everyone answers what they saw before this turn
                recs = await asyncio.gather(
                    *(self.agent_turn(a, turn, ev.decision, ev.probe) for a in order)
                )
                for a, rec in zip(order, recs, strict=True):
                    writer.turn(rec)
                    self._broadcast(a, rec["speech"])
        self.result.seconds = time.perf_counter() - t0
        self.result.status = "complete"
        return self.result


async def simulate_run(
    spec: RunSpec, model: Model, rm: ResolvedModel, path: Path, slot_base: int | None = None
) -> RunResult:
    """Play one run and publish its transcript at ``path`` (atomically)."""
    lang = load_language(spec.language)
    sim = Simulation(spec, model, rm, lang, slot_base)
    writer = TranscriptWriter(path)
    writer.header(
        {"run_id": spec.run_id, **spec.spec_dict()},
        {**provenance(spec, lang, rm, sim.mode), "agents": [a.__dict__ for a in sim.agents]},
    )
    try:
        result = await sim.play(writer)
    except ModelError as exc:  # a call failed for good: publish the failure, keep the turns
        sim.result.status = f"failed: {type(exc).__name__}: {str(exc)[:300]}"
        writer.footer(sim.result.status, sim.result.totals())
        return sim.result
    except BaseException:  # cancelled or crashed: leave the .partial file, publish nothing
        writer.abandon()
        raise
    writer.footer("complete", result.totals())
    return result
