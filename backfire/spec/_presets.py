"""Load a study preset and apply command-line style overrides."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ._errors import SpecError
from ._study import StudySpec

PRESETS_FILE = Path(__file__).with_name("presets.yaml")


@cache
def _presets() -> dict[str, Any]:
    return yaml.safe_load(PRESETS_FILE.read_text(encoding="utf-8"))


def study_names() -> list[str]:
    return list(_presets())


def preset_names(study: str) -> list[str]:
    return [k for k in _presets()[study] if k != "description"]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_study(study: str, preset: str = "default", **overrides: Any) -> StudySpec:
    """Build a :class:`StudySpec` from ``presets.yaml``.

    Parameters
    ----------
    study : str
        ``study1`` .. ``study4``.
    preset : str
        ``default`` (the paper's inferred design), ``smoke`` or another preset of
        that study; presets override ``default`` field by field.
    **overrides
        Any :class:`StudySpec` field (``languages``, ``aligned_ratios``,
        ``replicates``, ``seed``, ``models``, ``settings`` ...). ``None`` values
        are ignored, so CLI options can be passed straight through.

    Examples
    --------
    >>> spec = load_study("study1", "smoke", models=["synthetic"])
    >>> len(spec.manifest())
    4
    """
    presets = _presets()
    if study not in presets:
        raise SpecError("study", study, study_names())
    if preset not in preset_names(study):
        raise SpecError("preset", preset, preset_names(study))
    data = dict(presets[study]["default"])
    if preset != "default":
        data = _merge(data, presets[study][preset])
    for k, v in overrides.items():
        if v is None:
            continue
        data[k] = _merge(data.get(k, {}), v) if isinstance(v, dict) else v
    data.setdefault("description", presets[study].get("description", ""))
    return StudySpec(name=study, **data)
