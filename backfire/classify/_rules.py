"""The matching rules shared by the compiled matcher and the reference loop.

Kept apart from the scanning machinery so that both paths apply literally the
same code: :func:`accept` (diacritics), :func:`negated` (negation windows),
:func:`select_longest` (one count per overlapping span) and
:func:`pattern_spans` (where a pattern may match).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import _normalize as nz
from ._lexicon import Negation

if TYPE_CHECKING:
    from ._match import Prepared


@dataclass(frozen=True)
class CompiledNegation:
    """A negation rule with its negators compiled into one regex."""

    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    rule: Negation
    spaced: bool


def pattern_spans(rx: re.Pattern[str], wrapped: str) -> Iterable[tuple[int, int]]:
    """Spans of ``rx`` in ``"\\n" + utterance + "\\n"`` that lie inside the utterance.

    The surrounding newlines make ``^``/``$`` (patterns are compiled with
    ``re.MULTILINE``) and look-arounds behave at the utterance edges exactly as
    they do inside the joined batch string. Empty matches are ignored.
    """
    last = len(wrapped) - 1
    for m in rx.finditer(wrapped):
        a, b = m.span()
        if a < b and a >= 1 and b <= last:
            yield a, b


def accept(p: Prepared, original: str, stripped: str) -> bool:
    """The diacritics rule for a hit found on the stripped copy.

    A hit counts if the text spells it exactly as the entry, or leaves out
    diacritics, or the entry has none at that place: only a diacritic in the
    text that differs from the entry's rejects it (Vietnamese ``bố`` does not
    hit the entry ``bỏ``, but ``bo`` typed without accents does).
    """
    if p.plain or original == stripped:
        return True
    if p.regex is not None:
        return p.regex.fullmatch(original) is not None
    if original == p.norm:
        return True
    if len(original) != len(stripped) or len(p.norm) < len(original):
        return False
    return all(
        t in (n, b) or n == b
        for t, n, b in zip(original, p.norm[: len(original)], stripped, strict=True)
    )


def negated(S: str, s: int, e: int, neg: CompiledNegation) -> bool:
    """Whether a negator sits in the window before (or, if ``after``, after) ``S[s:e]``.

    Windows stop at clause punctuation and line breaks. Spaced scripts count
    white-space tokens (a partly matched word counts as one); unspaced scripts
    count characters. The window text is cut out of ``S`` so that ``^`` and
    ``$`` in pattern negators anchor to the window edges next to the hit.
    """
    rule = neg.rule
    if neg.before is not None:
        w = rule.window
        tail = nz.clause_tail(S[max(0, s - 40 * w - 8) : s])
        if neg.spaced:
            # normalised text separates words by single spaces and the tail holds
            # no newline, so splitting on " " gives the tokens
            parts = (tail[:-1] if tail.endswith(" ") else tail).rsplit(" ", w)
            region = tail[len(parts[0]) + 1 :] if len(parts) > w else tail
        else:
            region = tail[-w:]
        if region and neg.before.search(region):
            return True
    if neg.after is not None:
        w = rule.after_window
        head = nz.clause_head(S[e : e + 40 * w + 40])
        if neg.spaced:
            lead = 1 if head[:1] == " " else 0
            n = w + 1 - lead  # the rest of the hit's own word counts as a token
            parts = head[lead:].split(" ", n)
            region = head[: lead + len(" ".join(parts[:n]))] if len(parts) > n else head
        else:
            region = head[:w]
        if region and neg.after.search(region):
            return True
    return False


def select_longest(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Keep one hit per overlapping span of one category: longest first.

    ``hits`` are ``(start, end, entry_index)``; ties go to the leftmost, then
    to the entry listed first. Returned in text order.
    """
    if len(hits) < 2:
        return list(hits)
    if len(hits) == 2:
        (a, b, i), (c, d, j) = hits
        if b <= c or d <= a:
            return sorted(hits)
        return [min(hits, key=lambda h: (h[0] - h[1], h[0], h[2]))]
    kept: list[tuple[int, int, int]] = []
    for h in sorted(hits, key=lambda h: (h[0] - h[1], h[0], h[2])):
        if all(h[1] <= k[0] or h[0] >= k[1] for k in kept):
            kept.append(h)
    return sorted(kept)
