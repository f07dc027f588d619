"""Tolerant parsing of an agent's reply into speech, thought and vote.

Models that cannot do JSON-schema output still often answer in JSON-ish text;
we accept a JSON object anywhere in the reply, then key-value lines. What
cannot be parsed is recorded as a parse failure with the raw reply kept, never
dropped or guessed at.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from ..languages import Language

_OBJ = re.compile(r"\{.*\}", re.S)
_FIELD = re.compile(r'"?(speech|thought|vote)"?\s*[:=]\s*"((?:[^"\\]|\\.)*)"', re.S | re.I)


@dataclass
class ParsedReply:
    speech: str | None
    thought: str | None
    vote: str | None  # canonical: comply | refuse | abstain
    vote_raw: str | None
    status: str  # ok | partial | parse_error | refusal | empty


def _norm(s: str) -> str:
    """NFKC, case-folded, punctuation-trimmed and accent-blind ("si" matches "sí")."""
    s = unicodedata.normalize("NFKC", s).strip().strip(".。!！\"'「」").casefold()
    decomposed = unicodedata.normalize("NFD", s)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def canonical_vote(raw: object, lang: Language) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    r = _norm(raw)
    for key, label in lang.scenario.votes.items():
        if r in (_norm(label), key):
            return key
    for key, label in lang.scenario.votes.items():  # "yes, I support it"
        if r.startswith(_norm(label)):
            return key
    return None


def _as_text(v: object) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def parse_reply(
    text: str, lang: Language, decision: bool, refusal: str | None = None
) -> ParsedReply:
    if refusal:
        return ParsedReply(None, None, None, None, "refusal")
    if not text or not text.strip():
        return ParsedReply(None, None, None, None, "empty")
    data: dict | None = None
    m = _OBJ.search(text)
    if m:
        try:
            obj = json.loads(m.group(0))
            data = obj if isinstance(obj, dict) else None
        except json.JSONDecodeError:
            data = None
    if data is None:
        fields = {k.lower(): v for k, v in _FIELD.findall(text)}
        if fields:
            data = {k: json.loads(f'"{v}"') if "\\" in v else v for k, v in fields.items()}
    if data is None:
        return ParsedReply(None, None, None, None, "parse_error")
    speech, thought = _as_text(data.get("speech")), _as_text(data.get("thought"))
    vote_raw = _as_text(data.get("vote"))
    vote = canonical_vote(vote_raw, lang)
    ok = speech is not None and thought is not None and (not decision or vote is not None)
    return ParsedReply(speech, thought, vote, vote_raw, "ok" if ok else "partial")
