"""The model layer: one async call path through litellm, wrapped by composable layers.

Public API (re-exported from private modules):

- :class:`ChatRequest`, :class:`ChatResponse`, :class:`Model`: the interface.
- :func:`build_model`: provider + retry + adaptive concurrency + cache + ledger.
- :class:`Store`, :func:`cache_key`: the SQLite response cache and ledger.
- :func:`resolve`, :func:`validate_model`: model strings (``synthetic``, ``local``,
  ``local/<name>``, ``local/<file>.gguf``, any litellm string).
- :data:`LOCAL_MODELS`, :func:`assemble`: the packaged offline GGUF models.

litellm and xllamacpp are imported lazily, on the first call.
"""

from ._factory import build_model, provider_model, versions
from ._local import DEFAULT_LOCAL, LOCAL_MODELS, LocalModelInfo, LocalServer, assemble, cache_dir
from ._resolve import ALLOWED_FORMS, ResolvedModel, resolve, validate_model
from ._store import CachedModel, Store, cache_key
from ._types import ChatRequest, ChatResponse, Model, ModelError, TransientError
from ._wrappers import AdaptiveLimiter, LedgerModel, LimitedModel, RetryModel, limiter_for

__all__ = [
    "ALLOWED_FORMS",
    "DEFAULT_LOCAL",
    "LOCAL_MODELS",
    "AdaptiveLimiter",
    "CachedModel",
    "ChatRequest",
    "ChatResponse",
    "LedgerModel",
    "LimitedModel",
    "LocalModelInfo",
    "LocalServer",
    "Model",
    "ModelError",
    "ResolvedModel",
    "RetryModel",
    "Store",
    "TransientError",
    "assemble",
    "build_model",
    "cache_dir",
    "cache_key",
    "limiter_for",
    "provider_model",
    "resolve",
    "validate_model",
    "versions",
]
