"""Text normalisation shared by the lexicon compiler and both matchers.

Every string the classifier compares (utterances, entries, negators,
patterns) goes through the same steps, so a lexicon author writes an entry
the way it is normally spelt and it still hits full-width, upper-case,
curly-apostrophe or accent-less text:

1. :func:`normalize`: Unicode NFKC, case folding, curly apostrophes to
   ``'``, runs of horizontal white space to one space.
2. :func:`strip`: a copy without diacritics (Latin, Greek and Cyrillic
   combining accents, Arabic harakat and tatweel; ``ı đ ø ł`` to ``i d o l``).
   Marks that carry the letter itself (Devanagari vowel signs, the Japanese
   voicing marks, Hangul jamo) are kept: removing them would change the word,
   not its spelling.

Word characters (for word boundaries in spaced scripts) are letters, digits,
``_`` and every combining mark (``\\p{M}``); Python's ``\\w`` alone misses
Devanagari vowel signs such as ``ा`` and Arabic harakat, which would split
Hindi and vocalised Arabic words in the middle.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np

#: Joins utterances into one string for a single scan. ``\x00`` never survives
#: normalisation of the texts themselves, and the newlines stop ``.``, negation
#: windows and sentence-internal patterns at the utterance edge.
SEP = "\n\x00\n"

_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "\u2032", "\u0060", "\u00b4")
_HSPACE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
# every character str.isspace() accepts, except "\n" and " "
_ODD_SPACE = re.compile(
    "[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)

# Combining marks that are spelling accents, not letters.
_DELETABLE_RANGES = (
    (0x0300, 0x036F),  # combining diacritical marks (Latin, Greek, Cyrillic)
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
    (0x0610, 0x061A),  # Arabic honorific signs
    (0x064B, 0x065F),  # Arabic harakat, shadda, sukun, hamza above/below
    (0x0670, 0x0670),  # superscript alef
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E4),
    (0x06E7, 0x06E8),
    (0x06EA, 0x06ED),
    (0x0640, 0x0640),  # tatweel (a letter, but only stretches the line)
)
_EXTRA = {"ı": "i", "đ": "d", "ø": "o", "ł": "l"}

#: Characters that end a negation window (clause and sentence punctuation).
CLAUSE_CHARS = ".!?;:,…。！？；：，、،؛؟।॥\n\x00"
_HEAD = re.compile(f"[^{re.escape(CLAUSE_CHARS)}]*")


def normalize(text: str) -> str:
    """NFKC, case-fold, straighten apostrophes and collapse horizontal space.

    Examples
    --------
    >>> normalize("Ｉ  WON’T")
    "i won't"
    """
    t = unicodedata.normalize("NFKC", text).casefold()
    for a in _APOSTROPHES:
        if a in t:
            t = t.replace(a, "'")
    if "  " in t or _ODD_SPACE.search(t):  # two fast scans instead of one slow one
        t = _HSPACE.sub(" ", t)
    return t


@cache
def _tables() -> tuple[
    dict[int, str | None], re.Pattern[str], re.Pattern[str], frozenset[str], str
]:
    """Strip table, its regexes, the set of marks and the regex word class.

    Built on first use (about 30 ms over the Basic Multilingual Plane) so that
    importing the package stays cheap.
    """
    deletable = {chr(c) for lo, hi in _DELETABLE_RANGES for c in range(lo, hi + 1)}
    table: dict[str, str] = {}
    marks: list[int] = []
    for cp in range(0x10000):
        c = chr(cp)
        if unicodedata.category(c)[0] == "M":
            marks.append(cp)
        dec = unicodedata.decomposition(c)
        if not dec or dec[0] == "<" or c in deletable:
            continue
        d = unicodedata.normalize("NFD", c)
        if len(d) > 1 and d[0] not in deletable and all(x in deletable for x in d[1:]):
            table[c] = d[0]
    table.update(_EXTRA)
    trans: dict[int, str | None] = {ord(k): v for k, v in table.items()}
    trans.update({ord(c): None for c in deletable})
    any_re = re.compile(_char_class(sorted(trans), literal=True) + "+")
    del_re = re.compile(_char_class(sorted(ord(c) for c in deletable), literal=True))
    mark_set = frozenset(map(chr, marks)) | {"_"}
    word_class = "\\w" + _char_class([m for m in marks if not chr(m).isalnum()], literal=True)[1:-1]
    return trans, any_re, del_re, mark_set, word_class


def _char_class(codepoints: list[int], literal: bool = False) -> str:
    """A regex character class ``[...]`` of sorted code points, as ranges.

    ``literal`` writes the characters themselves (only safe for characters
    that are not class syntax, such as marks): a regex with a few big classes
    parses ten times faster than with ``\\U`` escapes.
    """
    parts: list[str] = []
    i = 0
    while i < len(codepoints):
        j = i
        while j + 1 < len(codepoints) and codepoints[j + 1] == codepoints[j] + 1:
            j += 1
        lo, hi = codepoints[i], codepoints[j]
        if literal:
            parts.append(chr(lo) if lo == hi else f"{chr(lo)}-{chr(hi)}")
        else:
            parts.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
        i = j + 1
    return "[" + "".join(parts) + "]"


def word_class() -> str:
    """Contents of a regex class (no brackets) matching word characters."""
    return _tables()[4]


def word_chars_extra() -> frozenset[str]:
    """Word characters that ``str.isalnum`` misses: ``_`` and all marks."""
    return _tables()[3]


def is_word(c: str) -> bool:
    """Whether one character belongs to a word (letter, digit, mark, ``_``).

    Examples
    --------
    >>> is_word("ा"), is_word("'"), is_word("é")
    (True, False, True)
    """
    return c.isalnum() or c in _tables()[3]


def strip(text: str) -> tuple[str, np.ndarray | None]:
    """Remove diacritics from normalised text.

    Returns
    -------
    stripped : str
        The text without diacritics. Precomposed letters map one-to-one
        (``é`` -> ``e``); only free-standing marks (Arabic harakat, a Turkish
        ``i̇`` after case folding) are deleted.
    deleted : numpy.ndarray or None
        Sorted positions, in ``text``, of the deleted characters, or ``None``
        when nothing was deleted and positions agree between the two copies.

    Examples
    --------
    >>> strip("không đâu")
    ('khong dau', None)
    >>> s, d = strip("كَتَب")
    >>> s, d.tolist()
    ('كتب', [1, 3])
    """
    trans, any_re, del_re, _, _ = _tables()
    if any_re.search(text) is None:
        return text, None
    sample = text[:20000]
    dense = sum(len(m) for m in any_re.findall(sample)) > 0.05 * max(len(sample), 1)
    out = text.translate(trans) if dense else any_re.sub(lambda m: m.group().translate(trans), text)
    if len(out) == len(text):
        return out, None
    return out, np.fromiter((m.start() for m in del_re.finditer(text)), dtype=np.int64)


def to_original(pos: np.ndarray, deleted: np.ndarray | None, n_original: int) -> np.ndarray:
    """Map positions in the stripped copy to positions in the normalised text.

    ``pos`` may equal the stripped length (an exclusive end); it maps to
    ``n_original``. A position maps to the first character at or after it
    that was kept, so an exclusive end also covers marks after the last
    letter of a span.
    """
    pos = np.asarray(pos, dtype=np.int64)
    if deleted is None or len(deleted) == 0:
        return pos
    adj = deleted - np.arange(len(deleted), dtype=np.int64)
    out = pos + np.searchsorted(adj, pos, side="right")
    n_stripped = n_original - len(deleted)
    return np.where(pos >= n_stripped, n_original, out)


def clause_tail(s: str) -> str:
    """The end of ``s`` after its last clause punctuation."""
    n = len(_HEAD.match(s[::-1]).group())  # type: ignore[union-attr]
    return s[len(s) - n :]


def clause_head(s: str) -> str:
    """The start of ``s`` up to its first clause punctuation."""
    return _HEAD.match(s).group()  # type: ignore[union-attr]


#: Scripts whose letters carry combining marks that survive :func:`strip`
#: (vowel signs, viramas). Only there do ``\\b`` and ``\\w`` in patterns need
#: the slower mark-aware rewrite; elsewhere the stripped text holds no marks
#: and Python's own ``\\b``/``\\w`` give the same answer, much faster.
MARK_SCRIPTS = frozenset(
    {"Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh"}
    | {"Thai", "Laoo", "Tibt", "Mymr", "Khmr", "Hebr"}
)


def prepare_regex(pattern: str, stripped: bool = False, marks: bool = True) -> str:
    """Normalise a lexicon pattern like text and make ``\\b``/``\\w`` mark-aware.

    Literal characters are NFKC-normalised and case-folded (escapes such as
    ``\\S`` keep their case), so patterns need no ``re.IGNORECASE``.
    ``\\b``, ``\\B``, ``\\w`` and ``\\W`` are rewritten to use the word class
    of :func:`is_word` when ``marks`` is true (see :data:`MARK_SCRIPTS`).
    ``stripped=True`` gives the pattern for the copy of the text without
    diacritics (stripped before the rewrite, which inserts combining marks into
    the word class).
    """
    w = word_class()
    src = unicodedata.normalize("NFKC", pattern)
    for a in _APOSTROPHES:
        src = src.replace(a, "'")
    if stripped:
        src = strip(src)[0]
    out: list[str] = []
    i, in_class = 0, False
    boundary = f"(?:(?<=[{w}])(?![{w}])|(?<![{w}])(?=[{w}]))"
    non_boundary = f"(?:(?<=[{w}])(?=[{w}])|(?<![{w}])(?![{w}]))"
    while i < len(src):
        c = src[i]
        if c == "\\" and i + 1 < len(src):
            n = src[i + 1]
            if n in "AZ" and not in_class:
                raise ValueError(
                    r"\A and \Z are not supported; use ^ and $ (utterance or line edges)"
                )
            if not marks:
                out.append(c + n)
            elif n == "w":
                out.append(w if in_class else f"[{w}]")
            elif n == "W" and not in_class:
                out.append(f"[^{w}]")
            elif n == "b" and not in_class:
                out.append(boundary)
            elif n == "B" and not in_class:
                out.append(non_boundary)
            else:
                out.append(c + n)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            out.append(c)
            i += 1
            # a leading ^ and/or ] belong to the class
            if i < len(src) and src[i] == "^":
                out.append("^")
                i += 1
            if i < len(src) and src[i] == "]":
                out.append("]")
                i += 1
            continue
        out.append(c.casefold())
        i += 1
    return "".join(out)
