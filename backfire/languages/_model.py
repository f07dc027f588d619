"""Pydantic schema of one language folder.

The schema is the contract between language data (written by people, one folder
per BCP-47 code) and the engine. It is strict on structure (ten personas with
the fixed role ids, fifteen events, every system text present) so that a broken
folder fails at load time, before any model call is paid for.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

ROLE_IDS: tuple[str, ...] = (
    "leader",
    "mediator",
    "authority",
    "sceptic",
    "carer",
    "pragmatist",
    "newcomer",
    "elder",
    "optimist",
    "silent",
)
"""Persona roles, in order. `silent` is the withdrawn member who becomes the target."""

PHASES: tuple[str, ...] = ("rules", "political", "coercion", "dilemma", "exclusion")
VOTE_KEYS: tuple[str, ...] = ("comply", "refuse", "abstain")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PdiMapping(_Strict):
    country: str
    value: float = Field(ge=0, le=120)
    source: str


class Provenance(_Strict):
    written_by: str
    method: str
    reviewed: str


class Meta(_Strict):
    code: str
    name: str
    native_name: str
    script: str = Field(pattern=r"^[A-Z][a-z]{3}$", description="ISO 15924 code")
    direction: str = Field(pattern=r"^(ltr|rtl)$")
    segmentation: str = Field(pattern=r"^(spaced|unspaced)$")
    length_factor: float = Field(default=1.0, gt=0)
    pdi: PdiMapping
    pdi_alternatives: list[PdiMapping] = Field(default_factory=list)
    register_: str = Field(alias="register", description="Politeness level and forms of address")
    provenance: Provenance


class Persona(_Strict):
    id: str
    name: str
    description: str


class SystemTexts(_Strict):
    alignment_prefix: str
    base: str
    individuation: str
    output_format: str
    output_format_vote: str


class TranscriptTexts(_Strict):
    announcement: str
    speaker: str
    silence: str
    your_turn: str
    vote_request: str
    probe: str
    options_separator: str = ", "


class Event(_Strict):
    turn: int = Field(ge=1)
    phase: str
    text: str
    decision: bool = False
    probe: bool = False

    @field_validator("phase")
    @classmethod
    def _phase(cls, v: str) -> str:
        if v not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {v!r}")
        return v


class Scenario(_Strict):
    system: SystemTexts
    transcript: TranscriptTexts
    votes: dict[str, str]
    events: list[Event]

    @field_validator("votes")
    @classmethod
    def _votes(cls, v: dict[str, str]) -> dict[str, str]:
        if set(v) != set(VOTE_KEYS):
            raise ValueError(f"votes must have exactly the keys {', '.join(VOTE_KEYS)}")
        labels = [s.strip().casefold() for s in v.values()]
        if len(set(labels)) != len(labels) or not all(labels):
            raise ValueError("vote labels must be non-empty and distinct")
        return v

    @field_validator("events")
    @classmethod
    def _events(cls, v: list[Event]) -> list[Event]:
        turns = [e.turn for e in v]
        if turns != list(range(1, len(v) + 1)):
            raise ValueError("events must be numbered 1..N in order")
        return v


class Phrases(_Strict):
    speech: dict[str, list[str]]
    thought: dict[str, list[str]]
