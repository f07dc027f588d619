"""The model interface: one request type, one response type, one async method.

Everything else in this package is either a provider (something that answers a
:class:`ChatRequest`) or a wrapper that adds one behaviour (cache, retry,
concurrency limit, ledger) around another :class:`Model`, in the manner of
Concordia's language-model wrappers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class ChatRequest:
    """One chat-completion request from one agent turn.

    ``run_id`` and ``replicate`` are part of the cache key, so two replicates
    with identical prompts never share an answer. ``tags`` (agent, turn, ...)
    go to the ledger only.
    """

    model: str
    messages: tuple[dict[str, str], ...]
    params: dict[str, Any]
    run_id: str = ""
    replicate: int = 0
    tags: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChatResponse:
    text: str
    model: str
    """Model id as resolved by the provider (``response.model``)."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    cache_hit: bool = False
    finish_reason: str | None = None
    refusal: str | None = None
    attempts: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ChatResponse:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@runtime_checkable
class Model(Protocol):
    """Anything that answers chat requests asynchronously."""

    async def generate(self, request: ChatRequest) -> ChatResponse: ...


class ModelError(RuntimeError):
    """A call failed for good (bad request, auth, context length, ...)."""


class TransientError(ModelError):
    """A call failed in a way worth retrying (429, 5xx, timeout, connection)."""

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status
