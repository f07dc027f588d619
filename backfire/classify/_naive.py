"""A reference matcher: a loop over utterances x entries, one ``str.find``/``re`` each.

Same rules as the compiled matcher (it calls the same :func:`accept`,
:func:`negated` and :func:`select_longest`), so the tests can check the fast
path against it on random input, and the benchmark can time it as the naive
baseline. Not for production use: it is one to two orders of magnitude slower.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _normalize as nz
from ._lexicon import CATEGORIES
from ._match import Matcher
from ._rules import Original, accept, negated, pattern_spans, select_longest


def match_naive(matcher: Matcher, texts: Sequence[str]) -> tuple[np.ndarray, list[list[str]]]:
    """Counts and matched labels, utterance by utterance and entry by entry."""
    counts = np.zeros((len(texts), len(CATEGORIES)), dtype=np.int64)
    matched: list[list[str]] = []
    for row, text in enumerate(texts):
        norm = nz.normalize(text)
        S, deleted = nz.strip(norm)
        orig = Original(S, norm, deleted)
        hits: list[list[tuple[int, int, int]]] = [[] for _ in CATEGORIES]
        for p in matcher.entries:
            for a, b in _spans(matcher, p, S):
                if not p.plain and S is not norm:
                    oa, ob = nz.to_original(np.array([a, b]), deleted, len(norm)).tolist()
                    if not accept(p.spelling, norm[oa:ob], S[a:b]):
                        continue
                if p.entry.negatable and negated(S, a, b, matcher.negation, orig):
                    continue
                hits[p.cat].append((a, b, p.index))
        row_hits = []
        for c, h in enumerate(hits):
            kept = select_longest(h)
            counts[row, c] = len(kept)
            row_hits += [(a, c, i) for a, _, i in kept]
        matched.append([matcher.labels[i] for _, _, i in sorted(row_hits)])
    return counts, matched


def _spans(matcher: Matcher, p, S: str) -> list[tuple[int, int]]:  # noqa: ANN001
    if p.sregex is not None:
        return pattern_spans(p.sregex, S)
    out = []
    k = p.key
    pos = S.find(k)
    while pos != -1:
        end = pos + len(k)
        ok = True
        if matcher.spaced:
            if p.need_start and pos > 0 and nz.is_word(S[pos - 1]):
                ok = False
            if p.need_end and end < len(S) and nz.is_word(S[end]):
                ok = False
        if ok:
            out.append((pos, end))
        pos = S.find(k, pos + 1)
    return out
