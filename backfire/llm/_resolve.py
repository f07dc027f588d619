"""Model strings -> how to call them.

``synthetic`` / ``synthetic/<profile>``   the scripted test model (no network)
``local`` / ``local/<name>``              a packaged GGUF served by llama.cpp in-process
``local/<path>.gguf``                     any GGUF file the user has
anything else                             a litellm model string (``openai/gpt-4o-mini``,
                                          ``hosted_vllm/...`` with ``api_base``, ...)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..spec._errors import SpecError
from ._local import DEFAULT_LOCAL, LOCAL_MODELS

ALLOWED_FORMS = (
    "synthetic, synthetic/<profile>, local, "
    + ", ".join(f"local/{n}" for n in LOCAL_MODELS)
    + ", local/<path>.gguf, or a litellm model string such as openai/gpt-4o-mini"
)


@dataclass
class ResolvedModel:
    requested: str
    kind: str  # synthetic | local | litellm
    provider: str
    litellm_model: str
    local_name: str | None = None
    gguf_path: Path | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


def _synthetic_profile(model: str) -> str:
    from ._synthetic import profiles

    name = model.split("/", 1)[1] if "/" in model else "default"
    if name not in profiles():
        raise SpecError("model", model, [f"synthetic/{p}" for p in profiles()])
    return name


def resolve(model: str) -> ResolvedModel:
    """Parse a model string without starting or calling anything."""
    if model == "synthetic" or model.startswith("synthetic/"):
        profile = _synthetic_profile(model)
        from ._synthetic import profile_hash

        return ResolvedModel(
            model,
            "synthetic",
            "synthetic",
            f"bfsynthetic/{profile}",
            provenance={
                "synthetic_profile": profile,
                "synthetic_profile_sha256": profile_hash(profile),
            },
        )
    if model == "local" or model.startswith("local/"):
        name = model.split("/", 1)[1] if "/" in model else DEFAULT_LOCAL
        if name.endswith(".gguf"):
            path = Path(name).expanduser()
            if not path.is_file():
                raise SpecError("model", model, ALLOWED_FORMS, why=f"no GGUF file at {path}")
            return ResolvedModel(model, "local", f"local:{path}", "openai/local", None, path)
        if name not in LOCAL_MODELS:
            raise SpecError("model", model, ALLOWED_FORMS)
        return ResolvedModel(model, "local", f"local:{name}", f"openai/{name}", name)
    if "/" not in model and not model.strip():
        raise SpecError("model", model, ALLOWED_FORMS)
    from ._litellm import litellm

    ll = litellm()
    try:
        _, provider, _, _ = ll.get_llm_provider(model)
    except Exception as exc:
        raise SpecError("model", model, ALLOWED_FORMS, why="unknown to litellm") from exc
    return ResolvedModel(model, "litellm", provider, model)


def validate_model(model: str) -> ResolvedModel:
    """Raise :class:`~backfire.spec.SpecError` for a model string nobody can serve."""
    return resolve(model)


def api_key_from_env(env: str | None) -> str | None:
    return os.environ.get(env) if env else None
