"""Everything an agent reads, rendered from the language folder.

Layout for prompt caching: each agent's conversation only ever grows. The
system prompt is fixed for the whole run (alignment prefix first, then the
role, then the individuation instruction, then the output format); each turn
appends one user message (what the agent has not yet seen: announcements and
other residents' speech since its last turn, then the private probe and the
request to speak) and one assistant message (its raw reply, thought included,
so it sees its own earlier thoughts). A provider or llama.cpp slot that caches
prefixes therefore pays only for the new tokens.
"""

from __future__ import annotations

from typing import Any

from ..languages import Language
from ..spec import ModelSettings
from ._agents import Agent


def limits(lang: Language, settings: ModelSettings) -> dict[str, int]:
    f = lang.meta.length_factor
    return {
        "speech_limit": max(1, round(settings.speech_words * f)),
        "thought_limit": max(1, round(settings.thought_words * f)),
    }


def vote_options(lang: Language) -> list[str]:
    v = lang.scenario.votes
    return [v["comply"], v["refuse"], v["abstain"]]


def system_prompt(agent: Agent, lang: Language, settings: ModelSettings, total_turns: int) -> str:
    s = lang.scenario.system
    parts = []
    if agent.aligned:
        parts.append(s.alignment_prefix.strip())
    parts.append(
        s.base.format(name=agent.name, description=agent.description, total_turns=total_turns)
    )
    if agent.individuated:
        parts.append(s.individuation.strip())
    return "\n\n".join(parts)


def output_format(lang: Language, settings: ModelSettings, decision: bool) -> str:
    s = lang.scenario.system
    t = lang.scenario.transcript
    fmt = s.output_format_vote if decision else s.output_format
    return fmt.format(
        options=t.options_separator.join(vote_options(lang)), **limits(lang, settings)
    )


def announcement(lang: Language, turn: int, total_turns: int, event_text: str, target: str) -> str:
    t = lang.scenario.transcript
    return t.announcement.format(
        turn=turn, total_turns=total_turns, event=event_text.format(target=target)
    )


def speaker_line(lang: Language, name: str, speech: str | None) -> str:
    t = lang.scenario.transcript
    return t.speaker.format(name=name, speech=speech if speech else t.silence)


def turn_request(
    lang: Language, settings: ModelSettings, agent: Agent, probe: bool, decision: bool
) -> list[str]:
    t = lang.scenario.transcript
    out = []
    if probe:
        out.append(t.probe.strip())
    out.append(t.your_turn.format(name=agent.name))
    if decision:
        out.append(t.vote_request.format(options=t.options_separator.join(vote_options(lang))))
    out.append(output_format(lang, settings, decision))
    return out


def response_schema(
    lang: Language, decision: bool, max_chars: dict[str, int] | None
) -> dict[str, Any]:
    """JSON schema for the reply; ``max_chars`` bounds lengths where the provider enforces
    it (llama.cpp grammars do), which keeps a small model from rambling."""
    props: dict[str, Any] = {"speech": {"type": "string"}, "thought": {"type": "string"}}
    if max_chars:
        for k, n in max_chars.items():
            props[k]["maxLength"] = n
    required = ["speech", "thought"]
    if decision:
        props["vote"] = {"type": "string", "enum": vote_options(lang)}
        required.append("vote")
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "agent_turn_vote" if decision else "agent_turn",
            "schema": {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": False,
            },
        },
    }
