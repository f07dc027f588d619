"""Lexicon classification of agent utterances in 16 languages.

:func:`classify` counts, per utterance, hits of the five categories
(``harmful``, ``protective_principled``, ``protective_harmony``,
``conformity``, ``individuation``) from each language's keyword lexicon;
:func:`lexicon_report` validates the lexicons against the hand-labelled
``annotated.yaml`` sets. Matching rules: ``README.md`` in this folder. The
module itself is callable, so ``backfire.classify(texts, "en")`` works.

Examples
--------
>>> import backfire.classify as bc
>>> bc.CATEGORIES[:2]
('harmful', 'protective_principled')
>>> df = bc.classify(["I refuse."], "en")  # doctest: +SKIP
"""

from __future__ import annotations

import sys
import types
from typing import Any

from ._classify import COLUMNS, classify
from ._lexicon import (
    CATEGORIES,
    Entry,
    Lexicon,
    LexiconError,
    Negation,
    lexicon_languages,
    load_annotated,
    load_lexicon,
)
from ._report import (
    AGREEMENT_COLUMNS,
    annotator_agreement,
    format_report,
    harmony_principled_confusion,
    lexicon_report,
)

__all__ = [
    "AGREEMENT_COLUMNS",
    "CATEGORIES",
    "COLUMNS",
    "Entry",
    "Lexicon",
    "LexiconError",
    "Negation",
    "annotator_agreement",
    "classify",
    "format_report",
    "harmony_principled_confusion",
    "lexicon_languages",
    "lexicon_report",
    "load_annotated",
    "load_lexicon",
]


class _CallableModule(types.ModuleType):
    """Lets ``backfire.classify(texts, language)`` call :func:`classify`.

    After ``import backfire.classify`` the name ``backfire.classify`` is this
    module, not the function; making the module callable keeps both spellings.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return classify(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
