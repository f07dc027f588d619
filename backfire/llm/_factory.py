"""Compose a ready-to-call model: provider + retry + limit + cache + ledger."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from ..spec import ModelSettings
from ._litellm import LitellmModel
from ._local import LOCAL_MODELS, LocalServer, assemble, verify_file
from ._resolve import ResolvedModel, api_key_from_env, resolve
from ._store import CachedModel, Store
from ._types import Model
from ._wrappers import LedgerModel, LimitedModel, RetryModel, limiter_for

API_TIMEOUT_S = 120.0
LOCAL_TIMEOUT_S = 1800.0


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Versions that belong in every transcript's provenance (no heavy imports)."""
    return {
        "backfire": _version("backfire"),
        "litellm": _version("litellm"),
        "xllamacpp": _version("xllamacpp"),
        "pydantic": _version("pydantic"),
    }


def provider_model(
    model: str | ResolvedModel,
    settings: ModelSettings,
    n_parallel: int = 10,
    n_ctx_per_slot: int | None = None,
) -> tuple[Model, ResolvedModel]:
    """The bare provider for a model string, starting the local server if needed.

    ``n_ctx_per_slot`` sizes an embedded server's slots (the runner computes it
    from the design, see ``backfire.simulate._context``); None: the model's default.
    """
    rm = resolve(model) if isinstance(model, str) else model
    if rm.kind == "local":
        if rm.local_name is not None:
            info = LOCAL_MODELS[rm.local_name]
            path = assemble(rm.local_name)
            rm.provenance.update(gguf=info.filename, gguf_sha256=info.sha256, family=info.family)
            n_ctx = info.n_ctx_per_slot
        else:
            path = rm.gguf_path
            rm.provenance.update(gguf=str(path), gguf_sha256=verify_file(path))
            n_ctx = 4096
        srv = LocalServer.get(path, n_parallel=n_parallel, n_ctx_per_slot=n_ctx_per_slot or n_ctx)
        rm.provenance["llama_cpp"] = f"xllamacpp {srv.version}"
        timeout = settings.timeout_s or LOCAL_TIMEOUT_S
        inner: Model = LitellmModel(
            rm.litellm_model, srv.base_url, "local", timeout, settings.extra, True
        )
        return inner, rm
    key = api_key_from_env(settings.api_key_env)
    extra = dict(settings.extra)
    if explicit_prompt_cache(rm) and "cache_control_injection_points" not in extra:
        extra["cache_control_injection_points"] = [dict(p) for p in CLAUDE_CACHE_BREAKPOINTS]
        rm.provenance["prompt_cache"] = "cache_control on the system prompt and the newest message"
    inner = LitellmModel(
        rm.litellm_model,
        settings.api_base,
        key,
        settings.timeout_s or API_TIMEOUT_S,
        extra,
        zero_cost=rm.kind == "synthetic",
    )
    return inner, rm


# An agent's messages only grow, so OpenAI, vLLM and llama.cpp reuse the cached
# prefix by themselves. Claude caches only up to blocks marked ``cache_control``:
# litellm marks the system prompt (the same all run) and the newest message, so
# each call reads what the agent's previous call wrote (at most 4 marks allowed).
CLAUDE_CACHE_BREAKPOINTS = (
    {"location": "message", "role": "system"},
    {"location": "message", "index": -1},
)


def explicit_prompt_cache(rm: ResolvedModel) -> bool:
    """Whether the provider caches prompts only where the request marks them (Claude)."""
    return rm.kind == "litellm" and (
        rm.provider in ("anthropic", "bedrock", "vertex_ai", "azure_ai")
        and "claude" in rm.litellm_model.lower()
    )


def build_model(
    model: str | ResolvedModel,
    settings: ModelSettings,
    store: Store | None = None,
    n_parallel: int = 10,
    retry_kwargs: dict[str, Any] | None = None,
    n_ctx_per_slot: int | None = None,
) -> tuple[Model, ResolvedModel]:
    """Ledger(Cache(Retry(Limit(provider)))); the store is optional for ad-hoc use."""
    inner, rm = provider_model(model, settings, n_parallel, n_ctx_per_slot)
    limit = n_parallel if rm.kind == "local" else settings.max_concurrency
    limiter = limiter_for(rm.provider, limit)

    def on_transient(exc) -> None:  # noqa: ANN001
        if getattr(exc, "status", None) == 429:
            limiter.on_rate_limited(exc.retry_after)

    m: Model = LimitedModel(inner, limiter)
    m = RetryModel(m, settings.max_attempts, on_transient=on_transient, **(retry_kwargs or {}))
    if store is not None:
        m = LedgerModel(CachedModel(m, store), store)
    return m, rm
