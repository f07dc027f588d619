"""``classify``: per-utterance hit counts for the five categories."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ._lexicon import CATEGORIES
from ._match import get_matcher, match_parallel

if TYPE_CHECKING:
    import pandas as pd

COLUMNS: tuple[str, ...] = (*CATEGORIES, "matched")
#: Fewest texts for which ``workers > 1`` starts processes.
MIN_PARALLEL = 10_000


def _clean(texts: Iterable[Any]) -> list[str]:
    """Strings for matching: missing values become ``""``, NUL becomes a space."""
    if isinstance(texts, str):
        raise TypeError("classify() takes a sequence of texts, not one string; wrap it in a list")
    out = []
    for t in texts:
        if isinstance(t, str):
            out.append(t.replace("\x00", " ") if "\x00" in t else t)
        elif t is None or (isinstance(t, float) and math.isnan(t)) or _is_na(t):
            out.append("")
        else:
            raise TypeError(f"classify() expects strings (or None/NaN), got {type(t).__name__}")
    return out


def _is_na(x: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def classify(
    texts: Iterable[str | None],
    language: str,
    *,
    workers: int | None = 1,
    naive: bool = False,
) -> pd.DataFrame:
    """Count lexicon hits per category in each text.

    Each utterance is matched against the language's lexicon
    (``<language>/lexicon/*.yaml``, format in ``docs/LEXICON_BRIEF.md``) under
    the rules in ``backfire/classify/README.md``: NFKC and case folding,
    diacritics-insensitive, word boundaries in spaced scripts, negation, one
    count per overlapping span within a category. The compiled matcher is built
    once per language and lexicon version and cached; identical texts are
    matched once.

    Parameters
    ----------
    texts : sequence of str
        Utterances. ``None``/NaN count as empty. A :class:`pandas.Series`
        keeps its index in the result.
    language : str
        Language code with a ``lexicon/`` folder.
    workers : int or None
        Processes to use for large inputs (``None``: one per CPU). Splitting
        needs ``fork`` (Linux) and pays off from some tens of thousands of
        utterances; below :data:`MIN_PARALLEL` texts, or where ``fork`` is
        unavailable, one process is used. The result does not depend on it.
    naive : bool
        Use the reference loop (utterances x entries) instead of the compiled
        scan; same result, far slower. For tests and the benchmark.

    Returns
    -------
    pandas.DataFrame
        One row per text, in order: an ``int64`` count column per category
        (``harmful``, ``protective_principled``, ``protective_harmony``,
        ``conformity``, ``individuation``) and ``matched``, a list of
        ``"category:entry"`` strings (entry as written in the lexicon file), in
        text order, one per counted hit.

    Raises
    ------
    LexiconError
        Unknown language or a language without a lexicon (the message lists
        those that have one), or a lexicon file that does not validate.

    Examples
    --------
    >>> from backfire.classify import classify
    >>> df = classify(["We must not send her out.", None], "en")  # doctest: +SKIP
    >>> list(df.columns)  # doctest: +SKIP
    ['harmful', 'protective_principled', 'protective_harmony', 'conformity', 'individuation', 'matched']
    """
    import pandas as pd

    index = texts.index if isinstance(texts, pd.Series) else None
    clean = _clean(texts)
    matcher = get_matcher(language)
    if naive:
        from ._naive import match_naive

        counts, matched = match_naive(matcher, clean)
    else:
        # identical texts (short replies, scripted runs) are matched once
        first: dict[str, int] = {}
        inverse = [first.setdefault(t, len(first)) for t in clean]
        unique = list(first) if len(first) < 0.9 * len(clean) else clean
        n_workers = (os.cpu_count() or 1) if workers is None else workers
        if n_workers > 1 and len(unique) >= MIN_PARALLEL:
            counts, matched = match_parallel(language, unique, n_workers)
        else:
            counts, matched = matcher.match(unique)
        if unique is not clean:
            counts = counts[np.asarray(inverse, dtype=np.int64)]
            matched = [list(matched[k]) for k in inverse]  # a list per row, never shared
    data: dict[str, Any] = {c: counts[:, k] for k, c in enumerate(CATEGORIES)}
    data["matched"] = pd.Series(matched, dtype=object, index=index)
    return pd.DataFrame(data, index=index, columns=list(COLUMNS))
