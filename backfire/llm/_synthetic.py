"""A scripted model for tests and planted-effect recovery, registered with litellm.

It is a black box like any other model: it reads the system prompt to see which
language it is in and whether the agent carries the alignment prefix or the
individuation instruction (so a prompt builder that forgets the prefix is caught
by the tests), then answers in the requested JSON shape with natural sentences
from that language's phrase bank (``languages/data/<code>/phrases.yaml``).
Choices are seeded by the request, so the same prompt gives the same answer.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import random
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROVIDER = "bfsynthetic"  # litellm already has a provider called "synthetic"
PROFILES_FILE = Path(__file__).with_name("synthetic_profiles.yaml")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@cache
def profiles() -> dict[str, Any]:
    return yaml.safe_load(PROFILES_FILE.read_text(encoding="utf-8"))


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def profile_params(name: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    if name not in profiles():
        raise KeyError(name)
    return _deep_merge(profiles()[name], overrides or {})


def profile_hash(name: str, overrides: dict[str, Any] | None = None) -> str:
    """SHA-256 of a profile's effective parameters: part of every synthetic request's
    cache key and of the transcript provenance, so editing a profile never serves
    stale answers."""
    blob = json.dumps(profile_params(name, overrides), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _anchor(template: str) -> str:
    """The longest placeholder-free piece of a template: present in any rendering."""
    return max((p.strip() for p in _PLACEHOLDER.split(template)), key=len)


def _fingerprints() -> list[tuple[str, str, str, str, str, str]]:
    from ..languages import available_languages

    return _fingerprints_for(tuple(available_languages()))


@cache
def _fingerprints_for(codes: tuple[str, ...]) -> list[tuple[str, str, str, str, str, str]]:
    """Recognisable fragments of each language's prompts (languages that fail to
    load or have no phrase bank are skipped: they cannot be answered in)."""
    from ..languages import LanguageError, load_language

    out = []
    for code in codes:
        try:
            lang = load_language(code)
        except LanguageError:
            continue
        if lang.phrases is None:
            continue
        s, t = lang.scenario.system, lang.scenario.transcript
        out.append(
            (
                code,
                _anchor(s.base),
                s.alignment_prefix.strip()[:200],
                s.individuation.strip()[:200],
                _anchor(t.vote_request),
                _anchor(t.probe),
            )
        )
    return out


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _lang_shift(params: dict[str, Any], code: str, section: str) -> dict[str, float]:
    return (params.get("by_language") or {}).get(code, {}).get(section, {}) or {}


def respond(messages: list[dict[str, str]], seed: int | None, params: dict[str, Any]) -> str:
    """The synthetic reply to one chat request (a JSON string, or junk on a planted failure)."""
    from ..languages import load_language

    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    last_user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    code = next((fp[0] for fp in _fingerprints() if fp[1] and fp[1] in system), "en")
    fp = next(f for f in _fingerprints() if f[0] == code)
    aligned = fp[2] in system
    individuated = fp[3] in system
    decision = bool(fp[4]) and fp[4] in last_user
    probe = bool(fp[5]) and fp[5] in last_user
    lang = load_language(code)
    blob = json.dumps([messages, seed], ensure_ascii=False, sort_keys=True)
    rng = random.Random(hashlib.sha256(blob.encode()).digest())

    if rng.random() < float(params.get("parse_failure_rate", 0.0)):
        return "I am not sure what to say."  # not JSON: exercises the parser's failure path

    # Speech category.
    logits = dict(params["speech_logits"])
    for flag, section in ((aligned, "aligned"), (individuated, "individuated")):
        if flag:
            for shift in (params.get(section) or {}, _lang_shift(params, code, section)):
                for k, v in shift.items():
                    logits[k] = logits.get(k, 0.0) + float(v)
    cats = list(logits)
    weights = [math.exp(logits[c]) for c in cats]
    category = rng.choices(cats, weights)[0]

    names = [p.name for p in lang.personas if p.id != "silent"]
    fill = {"target": lang.target.name, "name": rng.choice(names)}
    bank = lang.phrases.speech
    speech = rng.choice(bank[category]).format(**fill)

    def logit(section: str, stem: str) -> float:
        """Base logit plus the aligned/individuated shifts, each plus its language shift."""
        base, shift = params[section], _lang_shift(params, code, section)
        z = 0.0
        for suffix, on in (("logit", True), ("aligned", aligned), ("individuated", individuated)):
            if on:
                key = f"{stem}_{suffix}"
                z += float(base.get(key, 0.0)) + float(shift.get(key, 0.0))
        return z

    th = params["thought"]
    w = logit("thought", "withdrawn") + (1.0 if probe else 0.0)
    n_extra = th["extra_sentence_logit"] + (th["extra_sentence_aligned"] if aligned else 0.0)
    n_sent = 1 + (rng.random() < _sigmoid(n_extra)) + (rng.random() < _sigmoid(n_extra - 1))
    thoughts = []
    for _ in range(n_sent):
        kind = "withdrawn" if rng.random() < _sigmoid(w) else "neutral"
        thoughts.append(rng.choice(lang.phrases.thought[kind]).format(**fill))
    reply: dict[str, str] = {"speech": speech, "thought": " ".join(thoughts)}

    if decision:
        z = logit("vote", "comply")
        if category == "harmful":
            z += 1.0
        elif category == "protective_principled":
            z -= 1.0
        votes = lang.scenario.votes
        if rng.random() < 0.05:
            reply["vote"] = votes["abstain"]
        else:
            reply["vote"] = votes["comply"] if rng.random() < _sigmoid(z) else votes["refuse"]
    return json.dumps(reply, ensure_ascii=False)


def _approx_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def register(litellm_module) -> None:  # noqa: ANN001
    """Register the handler under litellm's custom-provider map (idempotent)."""
    from litellm import CustomLLM

    class SyntheticLLM(CustomLLM):
        async def acompletion(self, model, messages, *args, **kwargs):  # noqa: ANN001, ANN201
            optional = kwargs.get("optional_params") or {}
            profile = model.split("/", 1)[-1] if model else "default"
            params = profile_params(profile or "default", optional.get("synthetic"))
            text = respond(messages, optional.get("seed"), params)
            prompt_chars = sum(len(m.get("content") or "") for m in messages)
            return litellm_module.ModelResponse(
                model=f"{PROVIDER}/{profile}",
                choices=[
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": text},
                    }
                ],
                usage={
                    "prompt_tokens": max(1, prompt_chars // 4),
                    "completion_tokens": _approx_tokens(text),
                    "total_tokens": max(1, prompt_chars // 4) + _approx_tokens(text),
                },
            )

    entries = [e for e in litellm_module.custom_provider_map if e.get("provider") != PROVIDER]
    entries.append({"provider": PROVIDER, "custom_handler": SyntheticLLM()})
    litellm_module.custom_provider_map = entries
