"""Language content: scenario, personas, prompts, phrase banks and metadata.

Everything language-specific is data in ``data/<bcp47>/``; this package only
loads and validates it. See ``README.md`` in this folder.
"""

from ._detect import SCRIPTS, detect_language, in_language, script_share
from ._load import (
    DATA_DIR,
    Language,
    LanguageError,
    add_language_dir,
    available_languages,
    load_language,
    remove_language_dir,
)
from ._model import PHASES, ROLE_IDS, VOTE_KEYS

__all__ = [
    "DATA_DIR",
    "SCRIPTS",
    "detect_language",
    "in_language",
    "script_share",
    "PHASES",
    "ROLE_IDS",
    "VOTE_KEYS",
    "Language",
    "LanguageError",
    "add_language_dir",
    "available_languages",
    "load_language",
    "remove_language_dir",
]
