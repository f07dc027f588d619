"""Study and run specifications (pydantic) and their expansion into a manifest.

A :class:`StudySpec` is a grid (languages x aligned ratios x individuated shares
x conditions x models x replicates) plus protocol and model settings. Its
:meth:`StudySpec.manifest` expands it into :class:`RunSpec` items, each with a
stable ``run_id`` and a ``spec_hash`` so that a finished transcript is reused
only when nothing that shapes it has changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ._errors import SpecError

N_AGENTS = 10


def _allowed_shares(n: int) -> list[str]:
    return [f"{Fraction(k, n).numerator / Fraction(k, n).denominator:g}" for k in range(n + 1)]


def check_share(field: str, value: float, n_agents: int = N_AGENTS) -> float:
    """A share of agents must name a whole number of the ``n_agents`` agents."""
    k = value * n_agents
    if not (0 <= value <= 1) or abs(k - round(k)) > 1e-9:
        raise SpecError(
            field,
            value,
            _allowed_shares(n_agents),
            why=f"it must be a whole number of the {n_agents} agents",
        )
    return round(k) / n_agents


class ModelSettings(BaseModel):
    """How one model is called. Defaults follow DESIGN.md (temperature 0.9)."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(0.9, ge=0, le=2)
    max_tokens: int = Field(256, ge=16, description="Reply cap per agent turn")
    speech_words: int = Field(40, ge=5, description="Asked-for cap on public speech, in words")
    thought_words: int = Field(40, ge=5, description="Asked-for cap on private thought, in words")
    structured_output: Literal["auto", "json_schema", "json_object", "none"] = "auto"
    api_base: str | None = None
    api_key_env: str | None = Field(None, description="Name of the env var holding the key")
    max_concurrency: int = Field(8, ge=1, description="Concurrent calls to this provider")
    timeout_s: float | None = Field(
        None,
        gt=0,
        description="Per-call timeout; default 120 s for API models and 1800 s for the embedded "
        "model, whose calls are slow on a busy CPU but not failing",
    )
    max_attempts: int = Field(5, ge=1, description="Attempts per call (429/5xx/timeouts)")
    extra: dict[str, Any] = Field(default_factory=dict, description="Passed to litellm as is")


class Protocol(BaseModel):
    """The simulation protocol shared by every run of a study."""

    model_config = ConfigDict(extra="forbid")

    n_agents: int = Field(N_AGENTS, description="Fixed at ten: the personas are written for ten")
    turns: list[int] | None = Field(
        None, description="Subset of the 15 scripted events to play (smoke presets); None = all"
    )
    order: Literal["sequential", "simultaneous"] = "sequential"

    @field_validator("n_agents")
    @classmethod
    def _n(cls, v: int) -> int:
        if v != N_AGENTS:
            raise SpecError("n_agents", v, [N_AGENTS], why="personas exist for ten agents")
        return v

    @field_validator("turns")
    @classmethod
    def _turns(cls, v: list[int] | None) -> list[int] | None:
        if v is None:
            return v
        bad = [t for t in v if not 1 <= t <= 15]
        if bad or not v or sorted(set(v)) != v:
            raise SpecError("turns", v, "an increasing list of event numbers from 1 to 15")
        return v


class RunSpec(BaseModel):
    """One simulation: the unit of resume, caching and analysis."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    study: str
    language: str
    aligned_ratio: float
    individuated_share: float = 0.0
    model: str
    condition: str = "standard"
    replicate: int = Field(ge=0)
    seed: int
    protocol: Protocol = Field(default_factory=Protocol)
    settings: ModelSettings = Field(default_factory=ModelSettings)

    @property
    def run_id(self) -> str:
        slug = re.sub(r"[^A-Za-z0-9.]+", "-", self.model).strip("-")[:60]
        return (
            f"{self.study}_{self.language}_a{round(self.aligned_ratio * 100):03d}"
            f"_i{round(self.individuated_share * 100):03d}_{self.condition}_{slug}"
            f"_r{self.replicate:02d}"
        )

    @property
    def n_aligned(self) -> int:
        return round(self.aligned_ratio * self.protocol.n_agents)

    @property
    def n_individuated(self) -> int:
        return round(self.individuated_share * self.protocol.n_agents)

    def spec_dict(self) -> dict[str, Any]:
        """The run's spec as plain JSON (written at the top of its transcript header)."""
        return self.model_dump(mode="json")

    @property
    def spec_hash(self) -> str:
        """SHA-256 over everything that shapes the transcript."""
        blob = json.dumps(self.spec_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def derive_seed(study_seed: int, *parts: object) -> int:
    """A stable per-run seed from the study seed and the run's coordinates."""
    h = hashlib.sha256(json.dumps([study_seed, *parts]).encode()).digest()
    return int.from_bytes(h[:4], "big")


class StudySpec(BaseModel):
    """A full factorial design; see ``presets.yaml`` for the four studies."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    languages: list[str]
    aligned_ratios: list[float]
    individuated_shares: list[float] = Field(default_factory=lambda: [0.0])
    conditions: list[str] = Field(default_factory=lambda: ["standard"])
    models: list[str] = Field(default_factory=lambda: ["local"])
    replicates: int = Field(15, ge=1)
    seed: int = 20260305
    protocol: Protocol = Field(default_factory=Protocol)
    settings: ModelSettings = Field(default_factory=ModelSettings)
    model_settings: dict[str, ModelSettings] = Field(
        default_factory=dict, description="Per-model overrides of `settings`"
    )

    @model_validator(mode="after")
    def _validate(self) -> StudySpec:
        from ..languages import available_languages

        known = available_languages()
        for code in self.languages:
            if code not in known:
                raise SpecError("languages", code, known)
        if not self.languages:
            raise SpecError("languages", [], known, why="at least one language")
        self.aligned_ratios = [check_share("aligned_ratios", r) for r in self.aligned_ratios]
        self.individuated_shares = [
            check_share("individuated_shares", s) for s in self.individuated_shares
        ]
        for c in self.conditions:
            if not re.fullmatch(r"[a-z][a-z0-9-]*", c):
                raise SpecError("conditions", c, "lower-case words with digits and hyphens")
        from ..llm import validate_model

        for m in self.models:
            validate_model(m)
        return self

    def settings_for(self, model: str) -> ModelSettings:
        base = self.settings.model_dump(exclude_unset=False)
        over = self.model_settings.get(model)
        if over is not None:
            base.update(over.model_dump(exclude_unset=True))
        return ModelSettings(**base)

    def manifest(self) -> list[RunSpec]:
        """Every run of the design, in a stable order."""
        runs = []
        for model in self.models:
            settings = self.settings_for(model)
            for lang in self.languages:
                for cond in self.conditions:
                    for share in self.individuated_shares:
                        for ratio in self.aligned_ratios:
                            for rep in range(self.replicates):
                                runs.append(
                                    RunSpec(
                                        study=self.name,
                                        language=lang,
                                        aligned_ratio=ratio,
                                        individuated_share=share,
                                        model=model,
                                        condition=cond,
                                        replicate=rep,
                                        seed=derive_seed(
                                            self.seed,
                                            self.name,
                                            model,
                                            lang,
                                            cond,
                                            share,
                                            ratio,
                                            rep,
                                        ),
                                        protocol=self.protocol,
                                        settings=settings,
                                    )
                                )
        return runs
