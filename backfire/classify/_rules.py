"""The matching rules shared by the compiled matcher and the reference loop.

Kept apart from the scanning machinery so that both paths apply literally the
same code: :func:`accept` (diacritics), :func:`negated` (negation windows),
:func:`select_longest` (one count per overlapping span) and
:func:`pattern_spans` (where a pattern may match).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from . import _normalize as nz
from ._lexicon import Negation


@dataclass(eq=False)
class Spelling:
    """How an entry or negator is spelt with its diacritics, for :func:`accept`."""

    plain: bool  # no diacritics: any hit found on the stripped copy counts
    norm: str = ""  # normalised, with diacritics (terms and stems; patterns: prepared)
    letters: str = ""  # nz.clusters(norm): its letters ...
    marks: dict[int, frozenset[str]] = field(default_factory=dict)  # ... and marks
    pattern: bool = False  # norm is a regex
    flags: int = re.MULTILINE
    _regexes: dict[frozenset[str], re.Pattern[str]] = field(default_factory=dict, repr=False)
    _accepted: dict[str, bool] = field(default_factory=dict, repr=False)  # accept(), by span

    def regex(self, accents: frozenset[str]) -> re.Pattern[str]:
        """Patterns: :func:`~._normalize.accept_regex` for a text with these accented
        letters, built on first use and kept (a few per pattern in practice)."""
        rx = self._regexes.get(accents)
        if rx is None:
            try:
                rx = nz.accept_regex(self.norm, self.flags, accents)
            except Exception:  # noqa: BLE001 - an unforeseen parse tree: exact spelling only
                rx = re.compile(self.norm, self.flags)
            if len(self._regexes) >= 256:
                self._regexes.clear()
            self._regexes[accents] = rx
        return rx


def literal_spelling(norm: str, key: str) -> Spelling:
    """The spelling of a term or stem (``key`` is ``norm`` stripped)."""
    if key == norm:
        return Spelling(True, norm, norm)
    letters, marks = nz.clusters(norm)
    return Spelling(False, norm, letters, marks)


def pattern_spelling(src: str, s_src: str, flags: int = re.MULTILINE) -> Spelling:
    """The spelling of a pattern (``src`` as written, ``s_src`` stripped; both prepared)."""
    return Spelling(src == s_src, src, pattern=True, flags=flags)


class Original:
    """The normalised text (with diacritics) behind a stripped string ``S``.

    ``span(a, b)`` is the original of ``S[a:b]`` (marks after its last letter
    included), for :func:`accept`.
    """

    __slots__ = ("S", "deleted", "norm")

    def __init__(self, S: str, norm: str, deleted: np.ndarray | None) -> None:
        self.S, self.norm, self.deleted = S, norm, deleted

    @property
    def plain(self) -> bool:
        """Nothing was stripped: every hit is spelt as found."""
        return self.S is self.norm

    def span(self, a: int, b: int) -> str:
        if self.deleted is None:
            return self.norm[a:b]
        oa, ob = nz.to_original(np.array([a, b]), self.deleted, len(self.norm)).tolist()
        return self.norm[oa:ob]


@dataclass(frozen=True)
class CompiledNegation:
    """A negation rule with its negators compiled.

    ``before``/``after`` are one regex over all negators (searched in the
    stripped window text), or None when that window is off. Negators with
    diacritics are also kept one by one in ``strict`` (a regex finding every
    match start, and the spelling), so that a match in a window with
    diacritics is counted only under the diacritics rule; ``plain_rx`` is the
    regex of the other negators. ``continues`` are the words after which a
    comma does not end a window (``comma_continues_before``).
    """

    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    rule: Negation
    spaced: bool
    strict: tuple[tuple[re.Pattern[str], Spelling], ...] = ()
    plain_rx: re.Pattern[str] | None = None
    breaks: str = nz.CLAUSE_CHARS
    continues: tuple[tuple[re.Pattern[str], Spelling], ...] = ()
    #: the same two for the after-window (``negators`` if ``after``, plus ``negators_after``)
    after_strict: tuple[tuple[re.Pattern[str], Spelling], ...] = ()
    after_plain_rx: re.Pattern[str] | None = None


def pattern_spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    r"""Spans of ``rx`` in one (normalised, stripped) utterance.

    The pattern is searched in ``SEP + text + SEP``, the utterance exactly as
    it sits in a joined batch, so ``^``/``$`` (patterns are compiled with
    ``re.MULTILINE``), ``\s*`` and look-arounds behave at the utterance edges
    as they do in the joined scan. Matches reaching into the separators and
    empty matches are ignored.
    """
    pad = len(nz.SEP)
    last = pad + len(text)
    out = []
    for m in rx.finditer(nz.SEP + text + nz.SEP):
        a, b = m.span()
        if a < b and a >= pad and b <= last:
            out.append((a - pad, b - pad))
    return out


def accept(p: Spelling, original: str, stripped: str) -> bool:
    """The diacritics rule for a hit found on the stripped copy.

    A hit counts if the text spells it exactly as the entry, or leaves out
    diacritics, or the entry has none at that place: only a diacritic in the
    text that differs from the entry's rejects it (Vietnamese ``bố`` does not
    hit the entry ``bỏ``, but ``bo`` typed without accents does).

    Free-standing marks (Arabic harakat, tanween, shadda, sukun; a combining
    accent with no precomposed letter) are compared per letter: text marks on
    a letter where the entry has none are ignored, and so are marks the entry
    has and the text leaves out; a text mark that excludes the entry's mark on
    that letter (a kasra for a fatha) rejects. For patterns, which have no
    fixed letters, the text's free marks are ignored altogether (and the
    pattern's own are optional); the pattern, made diacritic-tolerant by
    :func:`~._normalize.accept_regex`, must match the rest.
    """
    if p.plain or original == stripped:
        return True
    # ``stripped`` follows from ``original``: the answer is a function of the span
    # as written, and the same phrases come back again and again
    known = p._accepted.get(original)
    if known is None:
        known = _accept(p, original, stripped)
        if len(p._accepted) >= 4096:
            p._accepted.clear()
        p._accepted[original] = known
    return known


def _accept(p: Spelling, original: str, stripped: str) -> bool:
    if p.pattern:
        o = nz.drop_marks(original)
        return o == stripped or p.regex(nz.accent_letters(o)).fullmatch(o) is not None
    if original == p.norm:
        return True
    letters, marks = nz.clusters(original)
    if len(letters) != len(stripped) or len(p.letters) < len(letters):
        return False
    for t, n, b in zip(letters, p.letters, stripped):  # noqa: B905 - a stem's entry may be longer
        if t != n and t != b and (n != b or t in nz.DISTINCT_LETTERS):
            return False
    entry_marks = p.marks
    return not any(
        nz.marks_conflict(tm, entry_marks[i]) for i, tm in marks.items() if i in entry_marks
    )


def _accepted_match(
    region: str, r0: int, items: tuple[tuple[re.Pattern[str], Spelling], ...], orig: Original
) -> bool:
    """Whether a regex of ``items`` matches in ``region`` (at ``r0`` in ``S``) with
    a spelling that :func:`accept` accepts."""
    for finder, sp in items:
        for m in finder.finditer(region):
            x, y = m.span(1)
            if sp.plain or accept(sp, orig.span(r0 + x, r0 + y), region[x:y]):
                return True
    return False


def _negator_in(
    region: str,
    r0: int,
    rx: re.Pattern[str],
    strict: tuple[tuple[re.Pattern[str], Spelling], ...],
    plain_rx: re.Pattern[str] | None,
    orig: Original | None,
) -> bool:
    """Whether a negator occurs in the window ``region`` = ``S[r0:r0 + len(region)]``."""
    if not region or rx.search(region) is None:
        return False
    if not strict or orig is None or orig.plain:
        return True
    if plain_rx is not None and plain_rx.search(region) is not None:
        return True
    if orig.span(r0, r0 + len(region)) == region:  # no diacritics in the window
        return True
    return _accepted_match(region, r0, strict, orig)


def _continues(S: str, k: int, neg: CompiledNegation, orig: Original | None) -> bool:
    """Whether the comma at ``S[k]`` does not end a window (``comma_continues_before``).

    It does not when the clause after it (to the next clause break; leading
    spaces skipped) starts with one of the listed terms or stems, or contains
    a match of one of the listed patterns.
    """
    c0 = k + 1
    while S[c0 : c0 + 1] == " ":
        c0 += 1
    c1 = nz.head_regex(neg.breaks).match(S, c0).end()  # type: ignore[union-attr]
    clause = S[c0:c1]
    if orig is None or orig.plain:
        return any(finder.search(clause) is not None for finder, _ in neg.continues)
    return _accepted_match(clause, c0, neg.continues, orig)


def _window_start(S: str, s: int, lo: int, neg: CompiledNegation, orig: Original | None) -> int:
    """Where the clause holding ``S[s]`` starts, not before ``lo``."""
    head = nz.head_regex(neg.breaks)
    cut = s
    while True:
        n = len(head.match(S[lo:cut][::-1]).group())  # type: ignore[union-attr]
        k = cut - n - 1  # the last clause break before cut
        if k < lo:
            return lo
        if neg.continues and S[k] in nz.COMMAS and _continues(S, k, neg, orig):
            cut = k
            continue
        return k + 1


def _window_end(S: str, e: int, hi: int, neg: CompiledNegation, orig: Original | None) -> int:
    """Where the clause holding ``S[e - 1]`` ends, not after ``hi``."""
    head = nz.head_regex(neg.breaks)
    pos = e
    while True:
        end = head.match(S, pos, hi).end()  # type: ignore[union-attr]
        if end >= hi:
            return hi
        if neg.continues and S[end] in nz.COMMAS and _continues(S, end, neg, orig):
            pos = end + 1
            continue
        return end


def negated(S: str, s: int, e: int, neg: CompiledNegation, orig: Original | None = None) -> bool:
    """Whether a negator sits in the window before ``S[s:e]``, or one after it.

    The after-window is searched for ``negators`` when the rule's ``after`` is
    true, and for ``negators_after`` always (judgements that follow the act).

    Windows stop at clause punctuation (``neg.breaks``; a comma before a
    clause listed in ``comma_continues_before`` does not count) and line
    breaks. Spaced scripts count white-space tokens (a partly matched word
    counts as one); unspaced scripts count characters. The window text is cut
    out of ``S`` so that ``^`` and ``$`` in pattern negators anchor to the
    window edges next to the hit. ``orig`` (the text with diacritics) lets
    negators with diacritics be checked under :func:`accept`; without it they
    match as on the stripped copy.
    """
    rule = neg.rule
    if neg.before is not None:
        w = rule.window
        tail = S[_window_start(S, s, max(0, s - 40 * w - 8), neg, orig) : s]
        if neg.spaced:
            # normalised text separates words by single spaces and the tail holds
            # no newline, so splitting on " " gives the tokens
            parts = (tail[:-1] if tail.endswith(" ") else tail).rsplit(" ", w)
            region = tail[len(parts[0]) + 1 :] if len(parts) > w else tail
        else:
            region = tail[-w:]
        if _negator_in(region, s - len(region), neg.before, neg.strict, neg.plain_rx, orig):
            return True
    if neg.after is not None:
        w = rule.after_window
        head = S[e : _window_end(S, e, min(len(S), e + 40 * w + 40), neg, orig)]
        if neg.spaced:
            lead = 1 if head[:1] == " " else 0
            n = w + 1 - lead  # the rest of the hit's own word counts as a token
            parts = head[lead:].split(" ", n)
            region = head[: lead + len(" ".join(parts[:n]))] if len(parts) > n else head
        else:
            region = head[:w]
        if _negator_in(region, e, neg.after, neg.after_strict, neg.after_plain_rx, orig):
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
