"""How much context each agent needs on an embedded model, and how many runs fit.

A llama.cpp server gives every slot (one per agent) a fixed context, allocated
up front. Too small and a long protocol fails at turn 5 or so ("request
exceeds the context size"); too large and forty slots do not fit in memory.
So the runner sizes it from the design: the engine is played dry once per
(language, settings, protocol) cell with replies that fill the word caps, the
longest prompt any agent reaches is counted with an offline tokenizer, scaled
to the model's own tokenizer (``LocalModelInfo.token_factor``, per script), and
the reply cap is added. The number of simulations played at once is then
capped so the KV cache of all slots stays within ``BACKFIRE_KV_BUDGET_MB``.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from ..languages import load_language
from ..llm import ChatRequest, ChatResponse, ResolvedModel, resolve
from ..llm._local import LOCAL_MODELS, LocalModelInfo
from ..spec import RunSpec, SpecError
from ._engine import Simulation
from ._estimate import _COUNTER_MODEL, _DryModel, _NullWriter

# A GGUF given by path: unknown tokenizer and architecture, so be generous.
_UNKNOWN = LocalModelInfo(
    name="gguf",
    description="",
    family="",
    packages=(),
    chunks=(),
    sha256="",
    size=0,
    filename="",
    n_ctx_train=32768,
    kv_bytes_per_token=49152,
    token_factor=(("*", 3.0),),
)
DEFAULT_KV_BUDGET_MB = 6144
SAFETY = 1.15  # replies that run past the word caps (up to the grammar's maxLength)
LEAN = 0.8  # replies well under their caps: a design that misses even then is refused


class _LongestPrompt(_DryModel):
    """Dry model that remembers the longest conversation it was sent (by characters)."""

    def __init__(self, rm: ResolvedModel, spec: RunSpec):
        super().__init__(rm, spec, fill=1.0)
        self.longest: list[dict[str, str]] = []
        self._chars = 0

    async def generate(self, request: ChatRequest) -> ChatResponse:
        msgs = list(request.messages)
        chars = sum(len(m["content"]) for m in msgs)
        if chars > self._chars:
            self.longest, self._chars = msgs, chars
        return ChatResponse(text=self._reply(request), model="dry")


async def longest_prompt_tokens(spec: RunSpec, rm: ResolvedModel) -> int:
    """Tokens (OpenAI o200k) of the longest prompt any agent of ``spec`` is sent."""
    from ..llm._litellm import litellm

    dry = _LongestPrompt(rm, spec)
    sim = Simulation(spec, dry, rm, load_language(spec.language))
    await sim.play(_NullWriter())  # type: ignore[arg-type]
    return int(litellm().token_counter(model=_COUNTER_MODEL, messages=dry.longest))


@dataclass(frozen=True)
class ContextPlan:
    """Per-slot context and concurrency for one embedded model's runs."""

    model: str
    longest_prompt_tokens: int
    """Longest prompt of the design, counted with the offline (o200k) tokenizer."""
    n_ctx_per_slot: int
    max_concurrent_runs: int
    kv_mb: float
    """KV-cache memory the server will allocate (MiB)."""


def model_info(rm: ResolvedModel) -> LocalModelInfo:
    return LOCAL_MODELS[rm.local_name] if rm.local_name else _UNKNOWN


async def plan_context(
    runs: Sequence[RunSpec], rm: ResolvedModel, max_concurrent_runs: int
) -> ContextPlan:
    """Size the slots of ``rm``'s server for ``runs`` (all on that model).

    Raises :class:`SpecError` (before any model call) when the design cannot
    fit the model's trained context even with replies at 80% of their caps;
    warns when it fits only if replies stay under their caps.
    """
    info = model_info(rm)
    cells: dict[tuple[str, str, str], RunSpec] = {}
    for r in runs:  # the longest system prompts: most aligned, most individuated
        key = (r.language, r.settings.model_dump_json(), r.protocol.model_dump_json())
        best = cells.get(key)
        if best is None or (r.aligned_ratio, r.individuated_share) > (
            best.aligned_ratio,
            best.individuated_share,
        ):
            cells[key] = r
    longest, need, floor, worst = 0, 0, 0, None
    for r in cells.values():
        toks = await longest_prompt_tokens(r, rm)
        longest = max(longest, toks)
        factor = info.tokens_per_o200k(load_language(r.language).meta.script)
        n = math.ceil(toks * factor * SAFETY) + r.settings.max_tokens
        floor = max(floor, math.ceil(toks * factor * LEAN))
        if n > need:
            need, worst = n, r
    if worst is not None and need > info.n_ctx_train:
        where = (
            f"turns {worst.protocol.turns or 'all'} in {worst.language} "
            f"with {worst.settings.speech_words}-word speech"
        )
        if floor > info.n_ctx_train:  # cannot fit even with replies well under the caps
            raise SpecError(
                "protocol",
                where,
                f"a design whose conversations fit {rm.litellm_model}'s "
                f"{info.n_ctx_train}-token context (fewer turns or smaller speech_words)",
                f"an agent's conversation would reach about {need} tokens",
            )
        warnings.warn(
            f"{rm.litellm_model}: {where} may outgrow the model's {info.n_ctx_train}-token "
            f"context (about {need} tokens if replies fill their caps); a run whose "
            "conversation does is recorded as failed, with the turns it played",
            stacklevel=2,
        )
    n_ctx = min(info.n_ctx_train, max(2048, 256 * math.ceil(need / 256)))
    budget = float(os.environ.get("BACKFIRE_KV_BUDGET_MB", DEFAULT_KV_BUDGET_MB))
    per_run_mb = 10 * n_ctx * info.kv_bytes_per_token / 2**20
    conc = max(1, min(max_concurrent_runs, int(budget // per_run_mb)))
    return ContextPlan(rm.litellm_model, longest, n_ctx, conc, round(conc * per_run_mb, 1))


async def plan_models(runs: Sequence[RunSpec], max_concurrent_runs: int) -> dict[str, ContextPlan]:
    """:func:`plan_context` for every embedded model of a manifest, keyed by model string.

    API models need no plan (the provider sizes its own context) and are left out.
    """
    by_model: dict[str, list[RunSpec]] = {}
    for r in runs:
        by_model.setdefault(r.model, []).append(r)
    plans = {}
    for m, rs in by_model.items():
        rm = resolve(m)
        if rm.kind == "local":
            plans[m] = await plan_context(rs, rm, max_concurrent_runs)
    return plans
