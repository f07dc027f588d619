"""Find, load and validate language folders.

A language is a folder named by its BCP-47 code holding ``meta.yaml``,
``personas.yaml``, ``scenario.yaml`` and optionally ``phrases.yaml`` (the
synthetic model's phrase bank) and ``backtranslation.yaml``. The packaged
folders live in ``backfire/languages/data``; more can be added without code by
pointing ``BACKFIRE_LANGUAGE_PATH`` (os.pathsep-separated) or
:func:`add_language_dir` at a directory of such folders.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ._model import ROLE_IDS, Meta, Persona, Phrases, Scenario

DATA_DIR = Path(__file__).parent / "data"
REQUIRED_FILES = ("meta.yaml", "personas.yaml", "scenario.yaml")
_extra_dirs: list[Path] = []


class LanguageError(ValueError):
    """A language code is unknown or its folder does not validate."""


@dataclass(frozen=True)
class Language:
    """One language's validated content plus the hashes of the files it came from."""

    code: str
    path: Path
    meta: Meta
    personas: tuple[Persona, ...]
    scenario: Scenario
    phrases: Phrases | None
    file_hashes: dict[str, str] = field(default_factory=dict)

    @property
    def target(self) -> Persona:
        """The withdrawn member who becomes the eviction target."""
        return next(p for p in self.personas if p.id == "silent")

    @property
    def content_hash(self) -> str:
        """One SHA-256 over every file of the folder (provenance of prompts)."""
        h = hashlib.sha256()
        for name in sorted(self.file_hashes):
            h.update(f"{name}:{self.file_hashes[name]}\n".encode())
        return h.hexdigest()

    def summary(self) -> dict[str, Any]:
        m = self.meta
        return {
            "code": self.code,
            "name": m.name,
            "native_name": m.native_name,
            "script": m.script,
            "direction": m.direction,
            "segmentation": m.segmentation,
            "pdi": m.pdi.value,
            "pdi_country": m.pdi.country,
            "pdi_alternatives": {a.country: a.value for a in m.pdi_alternatives},
            "path": str(self.path),
        }


def add_language_dir(path: str | os.PathLike[str]) -> None:
    """Search ``path`` (a directory of language folders) before the packaged data."""
    p = Path(path)
    if not p.is_dir():
        raise LanguageError(f"language directory {p} does not exist")
    if p not in _extra_dirs:
        _extra_dirs.insert(0, p)
    _clear_caches()


def remove_language_dir(path: str | os.PathLike[str]) -> None:
    """Undo :func:`add_language_dir` (tests, notebooks that switch data sets)."""
    p = Path(path)
    if p in _extra_dirs:
        _extra_dirs.remove(p)
    _clear_caches()


def _search_dirs() -> list[Path]:
    env = [Path(s) for s in os.environ.get("BACKFIRE_LANGUAGE_PATH", "").split(os.pathsep) if s]
    return [*_extra_dirs, *env, DATA_DIR]


def _clear_caches() -> None:
    _load_cached.cache_clear()


def available_languages() -> list[str]:
    """Codes of every language folder found, sorted (English first)."""
    codes: set[str] = set()
    for d in _search_dirs():
        if d.is_dir():
            codes.update(
                c.name for c in d.iterdir() if c.is_dir() and (c / "scenario.yaml").is_file()
            )
    return sorted(codes, key=lambda c: (c != "en", c))


def _find(code: str) -> Path:
    for d in _search_dirs():
        p = d / code
        if (p / "scenario.yaml").is_file():
            return p
    raise LanguageError(
        f"unknown language {code!r}; allowed values: {', '.join(available_languages())}"
    )


def _read_yaml(path: Path) -> tuple[Any, str]:
    raw = path.read_bytes()
    try:
        return yaml.safe_load(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()
    except yaml.YAMLError as exc:
        raise LanguageError(f"{path}: invalid YAML: {exc}") from exc


def load_language(code: str) -> Language:
    """Load and validate one language by BCP-47 code.

    Raises
    ------
    LanguageError
        If the code is unknown (the message lists the allowed codes) or a file of
        its folder is missing or does not validate (the message names the file
        and the field).
    """
    return _load_cached(code, tuple(str(d) for d in _search_dirs()))


@cache
def _load_cached(code: str, _dirs: tuple[str, ...]) -> Language:
    path = _find(code)
    docs: dict[str, Any] = {}
    hashes: dict[str, str] = {}
    for name in REQUIRED_FILES:
        f = path / name
        if not f.is_file():
            raise LanguageError(f"language {code!r}: missing file {f}")
        docs[name], hashes[name] = _read_yaml(f)
    for name in ("phrases.yaml", "backtranslation.yaml"):
        f = path / name
        if f.is_file():
            docs[name], hashes[name] = _read_yaml(f)
    try:
        meta = Meta.model_validate(docs["meta.yaml"])
        personas = tuple(Persona.model_validate(p) for p in docs["personas.yaml"]["personas"])
        scenario = Scenario.model_validate(docs["scenario.yaml"])
        phrases = Phrases.model_validate(docs["phrases.yaml"]) if "phrases.yaml" in docs else None
    except Exception as exc:  # pydantic ValidationError or a missing top-level key
        raise LanguageError(f"language {code!r} in {path} does not validate: {exc}") from exc
    if meta.code != code:
        raise LanguageError(f"{path / 'meta.yaml'}: code {meta.code!r} != folder name {code!r}")
    ids = tuple(p.id for p in personas)
    if ids != ROLE_IDS:
        raise LanguageError(
            f"{path / 'personas.yaml'}: persona ids must be, in order: {', '.join(ROLE_IDS)}"
        )
    return Language(code, path, meta, personas, scenario, phrases, hashes)
