"""``classify``: per-utterance hit counts for the five categories."""

from __future__ import annotations

import gc
import math
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ._lexicon import CATEGORIES
from ._match import get_matcher, hits_parallel

if TYPE_CHECKING:
    import pandas as pd

COLUMNS: tuple[str, ...] = (*CATEGORIES, "matched")
#: Fewest texts for which ``workers > 1`` starts processes.
MIN_PARALLEL = 10_000


def _clean(texts: Iterable[Any]) -> list[str]:
    """Strings for matching: missing values become ``""``, NUL becomes a space."""
    if isinstance(texts, str):
        raise TypeError("classify() takes a sequence of texts, not one string; wrap it in a list")
    texts = list(texts)
    try:  # the usual case, all strings without NUL, checked in C
        if "\x00" not in "".join(texts):
            return texts
    except TypeError:  # None, NaN or something else among them
        pass
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
    language: str | Iterable[str],
    *,
    workers: int | None = 1,
    naive: bool = False,
) -> pd.DataFrame:
    """Count lexicon hits per category in each text.

    Each utterance is matched against its language's lexicon
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
    language : str or sequence of str
        Language code with a ``lexicon/`` folder, or one code per text (a
        mixed-language turns table: ``classify(turns.speech, turns.language)``),
        which is how several languages share one pool of ``workers``.
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
        those that have one), or a lexicon file that does not validate. Every
        language is checked before any text is matched.
    ValueError
        ``language`` is a sequence whose length differs from ``texts``.
    TypeError
        A text that is not a string (or None/NaN), a single string passed as
        ``texts``, or a ``language`` entry that is not a string (its position
        is named).

    Examples
    --------
    >>> from backfire.classify import classify
    >>> df = classify(["We must not send her out.", None], "en")  # doctest: +SKIP
    >>> list(df.columns)  # doctest: +SKIP
    ['harmful', 'protective_principled', 'protective_harmony', 'conformity', 'individuation', 'matched']
    >>> classify(["I refuse.", "Je refuse."], ["en", "fr"])  # doctest: +SKIP
    """
    import pandas as pd

    index = texts.index if isinstance(texts, pd.Series) else None
    clean = _clean(texts)
    n = len(clean)
    if isinstance(language, str):
        groups = {language: list(range(n))}
    else:
        codes = list(language)
        if len(codes) != n:
            raise ValueError(
                f"classify(): 'language' has {len(codes)} codes for {n} texts; "
                "give one code, or one per text"
            )
        groups = {}
        for i, code in enumerate(codes):
            if not isinstance(code, str):
                raise TypeError(
                    f"classify(): 'language' holds {code!r} at position {i}; "
                    "each entry must be a language code"
                )
            groups.setdefault(code, []).append(i)
    matchers = {code: get_matcher(code) for code in groups}  # every language checked first

    counts = np.zeros((n, len(CATEGORIES)), dtype=np.int64)
    matched: list[Any] = [None] * n  # every row is filled by its language
    # Many small lists (one per row) would trigger the cyclic garbage collector
    # over and over; nothing here creates cycles.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        if naive:
            from ._naive import match_naive

            for code, rows in groups.items():
                c, m = match_naive(matchers[code], [clean[i] for i in rows])
                _put(counts, matched, rows, c, m)
        else:
            _match_groups(groups, clean, matchers, workers, counts, matched)
    finally:
        if gc_was_on:
            gc.enable()
    data: dict[str, Any] = {c: counts[:, k] for k, c in enumerate(CATEGORIES)}
    data["matched"] = pd.Series(matched, dtype=object, index=index)
    return pd.DataFrame(data, index=index, columns=list(COLUMNS))


def _match_groups(
    groups: dict[str, list[int]],
    clean: list[str],
    matchers: dict[str, Any],
    workers: int | None,
    counts: np.ndarray,
    matched: list[Any],
) -> None:
    """The compiled scan of every language's rows, in one pool when ``workers > 1``."""
    texts: dict[str, list[str]] = {}
    inverses: dict[str, list[int] | None] = {}
    for code, rows in groups.items():
        group = clean if len(rows) == len(clean) else [clean[i] for i in rows]
        # identical texts (short replies, scripted runs) are matched once, where
        # that saves something
        first: dict[str, int] = {}
        inverse = [first.setdefault(t, len(first)) for t in group]
        dedupe = len(first) < 0.9 * len(group)
        texts[code] = list(first) if dedupe else group
        inverses[code] = inverse if dedupe else None
    n_workers = (os.cpu_count() or 1) if workers is None else workers
    if n_workers > 1 and sum(map(len, texts.values())) >= MIN_PARALLEL:
        hits = hits_parallel(texts, n_workers)  # each language as it is done
    else:
        hits = ((code, *matchers[code].hits(t)) for code, t in texts.items())
    for code, r, i in hits:
        c, m = matchers[code].tabulate(len(texts[code]), r, i)
        inv = inverses[code]
        if inv is not None:
            c = c[np.asarray(inv, dtype=np.int64)]
            m = [list(m[k]) for k in inv]  # a list per row, never shared
        _put(counts, matched, groups[code], c, m)


def _put(
    counts: np.ndarray,
    matched: list[list[str]],
    rows: list[int],
    c: np.ndarray,
    m: list[list[str]],
) -> None:
    """Write one language's results into its rows of the output."""
    if len(rows) == len(matched):  # one language: rows are 0..n-1
        counts[:] = c
        matched[:] = m
        return
    counts[np.asarray(rows, dtype=np.int64)] = c
    for row, x in zip(rows, m, strict=True):
        matched[row] = x
