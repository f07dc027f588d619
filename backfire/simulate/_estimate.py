"""What a study will cost, before it runs: calls, tokens and dollars.

The engine itself is run "dry" once per (model, language, settings) cell, with
a stand-in model that answers instantly with a reply of the expected length,
so the prompt layout (the growing conversations) is exactly the real one. Every
other run of the cell has the same structure, so the cell's totals are scaled
by its number of runs. Expected replies: for ``synthetic`` the synthetic model
itself (it is offline and instant, so the estimate is exact); for any other
model a JSON reply whose speech and thought fill ``fill`` (default 0.8) of the
asked-for word caps. Tokens are counted with an OpenAI tokenizer (o200k, bundled
with litellm, offline) for non-synthetic models; prices come from litellm's
offline cost map (``None`` where the model is not in it).

Providers that cache prompt prefixes bill the cached part of a prompt at a
lower rate, and an agent's prompt starts with its previous prompt and reply.
``cached_prompt_tokens`` counts that part (from an agent's second call on, where
the previous prompt and reply reach 1,024 tokens, the providers' minimum), and
``cost_usd_cached`` prices it at the cost map's cache-read rate (Claude: the
rest of each prompt at the cache-write rate, as our breakpoints write it);
``None`` where the map has no cache price.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ..languages import load_language
from ..llm import ChatRequest, ChatResponse, resolve
from ..spec import RunSpec, StudySpec
from ._engine import Simulation

_COUNTER_MODEL = "gpt-4o-mini"


MIN_CACHED_PREFIX = 1024  # OpenAI's and Anthropic's (Sonnet, Opus) minimum


class _DryModel:
    def __init__(self, rm, spec: RunSpec, fill: float):  # noqa: ANN001
        self.rm, self.spec, self.fill = rm, spec, fill
        self.lang = load_language(spec.language)
        self.seen: dict[Any, int] = {}  # per agent: previous prompt + reply tokens
        self.cached_prompt_tokens = 0

    def _count(self, text: str | list[dict[str, str]]) -> int:
        if self.rm.kind == "synthetic":  # what the synthetic model reports
            chars = text if isinstance(text, str) else "".join(m["content"] for m in text)
            return max(1, len(chars) // 4)
        from ..llm._litellm import litellm

        ll = litellm()
        if isinstance(text, str):
            return ll.token_counter(model=_COUNTER_MODEL, text=text)
        return ll.token_counter(model=_COUNTER_MODEL, messages=text)

    def _reply(self, request: ChatRequest) -> str:
        if self.rm.kind == "synthetic":
            from ..llm._synthetic import profile_params, respond

            profile = self.rm.litellm_model.split("/", 1)[1]
            over = request.params.get("synthetic") or self.spec.settings.extra.get("synthetic")
            return respond(
                list(request.messages), request.params.get("seed"), profile_params(profile, over)
            )
        # Filler in the language's own script and length unit.
        s = self.spec.settings
        words = self.lang.scenario.system.base.split()
        f = self.lang.meta.length_factor

        def text(n_words: int) -> str:
            n = max(1, round(n_words * self.fill))
            if self.lang.meta.segmentation == "unspaced":
                return "".join(words)[: round(n * f)]
            return " ".join((words * (n // len(words) + 1))[: round(n * f)])

        reply = {"speech": text(s.speech_words), "thought": text(s.thought_words)}
        if "vote" in json.dumps(request.params.get("response_format", {})):
            reply["vote"] = self.lang.scenario.votes["refuse"]
        return json.dumps(reply, ensure_ascii=False)

    async def generate(self, request: ChatRequest) -> ChatResponse:
        text = self._reply(request)
        prompt, completion = self._count(list(request.messages)), self._count(text)
        agent = request.tags.get("agent")
        prefix = min(self.seen.get(agent, 0), prompt)
        if prefix >= MIN_CACHED_PREFIX:
            self.cached_prompt_tokens += prefix
        self.seen[agent] = prompt + completion
        return ChatResponse(
            text=text,
            model=self.rm.litellm_model,
            prompt_tokens=prompt,
            completion_tokens=completion,
        )


class _NullWriter:
    def turn(self, record: dict[str, Any]) -> None:
        pass


def _price(model: str, prompt: int, completion: int) -> float | None:
    from ..llm._litellm import litellm

    try:
        a, b = litellm().cost_per_token(
            model=model, prompt_tokens=prompt, completion_tokens=completion
        )
        return float(a + b)
    except Exception:
        return None


def _price_cached(rm, prompt: int, cached: int, completion: int) -> float | None:  # noqa: ANN001
    """Cost with ``cached`` prompt tokens read from the provider's prefix cache."""
    from ..llm._factory import explicit_prompt_cache
    from ..llm._litellm import litellm

    try:
        info = litellm().get_model_info(rm.litellm_model)
    except Exception:
        return None
    read, write = info.get("cache_read_input_token_cost"), info.get("input_cost_per_token")
    if explicit_prompt_cache(rm):  # Claude: each call writes what it does not read
        write = info.get("cache_creation_input_token_cost") or write
    out = info.get("output_cost_per_token")
    if read is None or write is None or out is None:
        return None
    return float(cached * read + (prompt - cached) * write + completion * out)


def estimate(study: StudySpec, fill: float = 0.8) -> Any:
    """One row per (model, language): runs, calls, tokens, cost without and with prompt caching.

    Examples
    --------
    >>> from backfire.spec import load_study
    >>> est = estimate(load_study("study1", "smoke", models=["synthetic"], languages=["en"]))
    >>> int(est["calls"].sum())  # 2 runs x 10 agents x 2 events
    40
    """
    import pandas as pd

    cells: dict[tuple[str, str, str], list[RunSpec]] = {}
    for r in study.manifest():
        cells.setdefault((r.model, r.language, r.settings.model_dump_json()), []).append(r)
    rows = []
    for (model, language, _), runs in cells.items():
        rm = resolve(model)
        totals = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "cached_prompt_tokens": 0}
        # Dry-run one run per aligned ratio present (prompts differ by the prefix).
        by_ratio: dict[tuple[float, float], RunSpec] = {}
        for r in runs:
            by_ratio.setdefault((r.aligned_ratio, r.individuated_share), r)
        per_run = {}
        for key, r in by_ratio.items():
            dry = _DryModel(rm, r, fill)
            sim = Simulation(r, dry, rm, load_language(language))
            res = asyncio.run(sim.play(_NullWriter()))  # type: ignore[arg-type]
            per_run[key] = (res, dry.cached_prompt_tokens)
        for r in runs:
            res, cached = per_run[(r.aligned_ratio, r.individuated_share)]
            totals["calls"] += res.calls
            totals["prompt_tokens"] += res.prompt_tokens
            totals["completion_tokens"] += res.completion_tokens
            totals["cached_prompt_tokens"] += cached
        free = rm.kind in ("synthetic", "local")
        p, c = totals["prompt_tokens"], totals["completion_tokens"]
        rows.append(
            {
                "model": model,
                "language": language,
                "runs": len(runs),
                **totals,
                "cost_usd": 0.0 if free else _price(model, p, c),
                "cost_usd_cached": 0.0
                if free
                else _price_cached(rm, p, totals["cached_prompt_tokens"], c),
            }
        )
    return pd.DataFrame(rows)
