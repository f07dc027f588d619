"""Study specifications: what to run, validated before anything is paid for."""

from ._errors import SpecError
from ._presets import load_study, preset_names, study_names
from ._study import N_AGENTS, ModelSettings, Protocol, RunSpec, StudySpec, check_share, derive_seed

__all__ = [
    "N_AGENTS",
    "ModelSettings",
    "Protocol",
    "RunSpec",
    "SpecError",
    "StudySpec",
    "check_share",
    "derive_seed",
    "load_study",
    "preset_names",
    "study_names",
]
