"""SQLite store for the response cache and the call ledger (one file per output folder).

The cache is the scientific record of what each model said, so the key is ours,
not litellm's: a canonical SHA-256 over model, messages, sampling parameters,
run id and replicate (replicates never share answers). Every write commits at
once, so a run killed mid-way loses no answer it already paid for.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from ._types import ChatRequest, ChatResponse, Model

# Parameters that change what a model says. Anything else (timeouts, api keys,
# slot hints) is left out of the key so it can change without invalidating it.
KEY_PARAMS = (
    "temperature",
    "top_p",
    "top_k",
    "max_tokens",
    "seed",
    "stop",
    "response_format",
    "presence_penalty",
    "frequency_penalty",
    "synthetic",
    "synthetic_profile",
)


def cache_key(request: ChatRequest) -> str:
    """Canonical SHA-256 of a request.

    Examples
    --------
    >>> from backfire.llm import ChatRequest
    >>> a = ChatRequest("m", ({"role": "user", "content": "hi"},), {"temperature": 0.9}, "r", 0)
    >>> b = ChatRequest("m", ({"role": "user", "content": "hi"},), {"temperature": 0.9}, "r", 1)
    >>> cache_key(a) == cache_key(b)
    False
    """
    payload = {
        "model": request.model,
        "messages": list(request.messages),
        "params": {k: request.params[k] for k in KEY_PARAMS if k in request.params},
        "run_id": request.run_id,
        "replicate": request.replicate,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Store:
    """The cache and ledger tables in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS responses (
                key TEXT PRIMARY KEY, model TEXT, run_id TEXT, created REAL,
                request TEXT, response TEXT);
            CREATE TABLE IF NOT EXISTS ledger (
                id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL, run_id TEXT, model TEXT,
                resolved_model TEXT, agent TEXT, turn INTEGER, cache_hit INTEGER,
                prompt_tokens INTEGER, completion_tokens INTEGER, cached_tokens INTEGER,
                cost_usd REAL, latency_s REAL, attempts INTEGER);
            """
        )

    # cache
    def get(self, key: str) -> ChatResponse | None:
        row = self.db.execute("SELECT response FROM responses WHERE key=?", (key,)).fetchone()
        return ChatResponse.from_json(json.loads(row[0])) if row else None

    def put(self, key: str, request: ChatRequest, response: ChatResponse) -> None:
        req = {"model": request.model, "messages": list(request.messages), "params": request.params}
        self.db.execute(
            "INSERT OR REPLACE INTO responses VALUES (?,?,?,?,?,?)",
            (
                key,
                request.model,
                request.run_id,
                time.time(),
                json.dumps(req, ensure_ascii=False, default=str),
                json.dumps(response.to_json(), ensure_ascii=False, default=str),
            ),
        )

    # ledger
    def record(self, request: ChatRequest, r: ChatResponse) -> None:
        self.db.execute(
            "INSERT INTO ledger (ts, run_id, model, resolved_model, agent, turn, cache_hit,"
            " prompt_tokens, completion_tokens, cached_tokens, cost_usd, latency_s, attempts)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                time.time(),
                request.run_id,
                request.model,
                r.model,
                str(request.tags.get("agent", "")),
                request.tags.get("turn"),
                int(r.cache_hit),
                r.prompt_tokens,
                r.completion_tokens,
                r.cached_tokens,
                0.0 if r.cache_hit else r.cost_usd,
                r.latency_s,
                r.attempts,
            ),
        )

    def totals(self, since_id: int = 0) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(cache_hit),0), COALESCE(SUM(prompt_tokens),0),"
            " COALESCE(SUM(completion_tokens),0), COALESCE(SUM(cached_tokens),0),"
            " COALESCE(SUM(cost_usd),0) FROM ledger WHERE id > ?",
            (since_id,),
        ).fetchone()
        return {
            "calls": row[0] - row[1],
            "cache_hits": row[1],
            "prompt_tokens": row[2],
            "completion_tokens": row[3],
            "cached_tokens": row[4],
            "cost_usd": row[5],
        }

    def last_ledger_id(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(id),0) FROM ledger").fetchone()[0]

    def close(self) -> None:
        self.db.close()


class CachedModel:
    """Answers from the store when it can; otherwise calls through and stores.

    Identical requests in flight at the same moment share one call, so a
    duplicate is never paid for twice (modelgauge PR #472).
    """

    def __init__(self, inner: Model, store: Store):
        self.inner, self.store = inner, store
        self._in_flight: dict[str, asyncio.Future[ChatResponse]] = {}

    async def generate(self, request: ChatRequest) -> ChatResponse:
        key = cache_key(request)
        hit = self.store.get(key)
        if hit is not None:
            hit.cache_hit = True
            hit.cost_usd = 0.0
            return hit
        pending = self._in_flight.get(key)
        if pending is not None:
            resp = await asyncio.shield(pending)
            return ChatResponse.from_json({**resp.to_json(), "cache_hit": True, "cost_usd": 0.0})
        fut: asyncio.Future[ChatResponse] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = fut
        try:
            resp = await self.inner.generate(request)
            self.store.put(key, request, resp)
            fut.set_result(resp)
            return resp
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved
            raise
        finally:
            del self._in_flight[key]
