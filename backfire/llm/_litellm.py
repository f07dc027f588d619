"""The one call path to every provider: ``litellm.acompletion``.

litellm is imported here, lazily, with the offline cost map forced (it would
otherwise fetch the map from the network at import time). Its own retries are
off: the :class:`~backfire.llm.RetryModel` wrapper is the only retry layer.
"""

from __future__ import annotations

import os
import time
from functools import cache
from typing import Any

from ._types import ChatRequest, ChatResponse, ModelError, TransientError


@cache
def litellm():  # noqa: ANN201 - the module
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    import litellm as _litellm

    _litellm.suppress_debug_info = True
    _litellm.drop_params = True  # providers that lack a parameter ignore it (recorded in params)
    _litellm.num_retries = 0
    from ._synthetic import register

    register(_litellm)
    return _litellm


def _retry_after(exc: Exception) -> float | None:
    resp = getattr(exc, "response", None)
    headers = getattr(resp, "headers", None) or {}
    try:
        value = headers.get("retry-after") or headers.get("Retry-After")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class LitellmModel:
    """A provider reached through litellm (API models, vLLM, the local server, synthetic)."""

    def __init__(
        self,
        litellm_model: str,
        api_base: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 120,
        extra: dict[str, Any] | None = None,
        zero_cost: bool = False,
    ):
        self.litellm_model, self.api_base, self.api_key = litellm_model, api_base, api_key
        self.timeout_s, self.extra, self.zero_cost = timeout_s, dict(extra or {}), zero_cost

    async def generate(self, request: ChatRequest) -> ChatResponse:
        ll = litellm()
        kwargs: dict[str, Any] = {
            "model": self.litellm_model,
            "messages": list(request.messages),
            "timeout": self.timeout_s,
            "num_retries": 0,
            "max_retries": 0,
            **self.extra,
            **request.params,
        }
        if self.api_base:
            kwargs["api_base"] = self.api_base
        if self.api_key:
            kwargs["api_key"] = self.api_key
        t0 = time.perf_counter()
        try:
            r = await ll.acompletion(**kwargs)
        except ll.RateLimitError as exc:
            raise TransientError(str(exc), _retry_after(exc), 429) from exc
        except (
            ll.Timeout,
            ll.APIConnectionError,
            ll.InternalServerError,
            ll.ServiceUnavailableError,
            ll.BadGatewayError,
        ) as exc:
            raise TransientError(
                str(exc), _retry_after(exc), getattr(exc, "status_code", None)
            ) from exc
        except ll.APIError as exc:
            status = getattr(exc, "status_code", None)
            if status is not None and int(status) >= 500:
                raise TransientError(str(exc), _retry_after(exc), status) from exc
            raise ModelError(str(exc)) from exc
        except Exception as exc:
            raise ModelError(f"{type(exc).__name__}: {exc}") from exc
        latency = time.perf_counter() - t0
        choice = r.choices[0]
        msg = choice.message
        usage = getattr(r, "usage", None)
        details = getattr(usage, "prompt_tokens_details", None)
        cost = 0.0
        if not self.zero_cost:
            cost = (getattr(r, "_hidden_params", {}) or {}).get("response_cost") or 0.0
        extra: dict[str, Any] = {}
        timings = getattr(r, "timings", None)
        if timings:
            extra["timings"] = timings
        return ChatResponse(
            text=msg.content or "",
            model=str(getattr(r, "model", "") or self.litellm_model),
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            cached_tokens=int(getattr(details, "cached_tokens", 0) or 0),
            cost_usd=float(cost),
            latency_s=latency,
            finish_reason=getattr(choice, "finish_reason", None),
            refusal=getattr(msg, "refusal", None),
            extra=extra,
        )
