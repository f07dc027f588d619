"""Text normalisation shared by the lexicon compiler and both matchers.

Every string the classifier compares (utterances, entries, negators,
patterns) goes through the same steps, so a lexicon author writes an entry
the way it is normally spelt and it still hits full-width, upper-case,
curly-apostrophe or accent-less text:

1. :func:`normalize`: Unicode NFKC, case folding, curly apostrophes to
   ``'``, runs of horizontal white space to one space; the dot that case
   folding leaves after a Turkish ``İ`` (``i`` + U+0307) and the Arabic
   tatweel (U+0640, which only stretches a line) are removed.
2. :func:`strip`: a copy without diacritics (Latin, Greek and Cyrillic
   combining accents, Arabic harakat; ``ı đ ø ł`` to ``i d o l``).
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
from typing import Any

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
#: Letters that :func:`strip` maps to another letter: text typed without
#: diacritics may write the base for them, but in a text that has them they are
#: letters of their own, so they never hit an entry that writes the base there
#: (Turkish ``katıl`` is not ``katil``).
DISTINCT_LETTERS = frozenset(_EXTRA)

#: Default characters that end a negation window (clause and sentence
#: punctuation); a language may set its own in ``negation.yaml``
#: (``clause_breaks``). Line breaks (and the batch separator) always end one.
DEFAULT_CLAUSE_BREAKS = ".!?;:,…。！？；：，、،؛؟।॥"
ALWAYS_BREAKS = "\n\x00"
CLAUSE_CHARS = DEFAULT_CLAUSE_BREAKS + ALWAYS_BREAKS
#: The clause breaks that are commas (``comma_continues_before`` in ``negation.yaml``).
COMMAS = ",，،、"
_TATWEEL = "\u0640"
_DOT_ABOVE = "\u0307"


def normalize(text: str) -> str:
    """NFKC, case-fold, straighten apostrophes and collapse horizontal space.

    Examples
    --------
    >>> normalize("Ｉ  WON’T")
    "i won't"
    """
    if len(text) >= ARRAY_MIN:
        text = _premap_compat(text)
    t = unicodedata.normalize("NFKC", text).casefold()
    if _DOT_ABOVE in t:  # "İ".casefold() == "i\u0307": the dot is the i's own
        t = t.replace("i" + _DOT_ABOVE, "i")
    if _TATWEEL in t:
        t = t.replace(_TATWEEL, "")
    for a in _APOSTROPHES:
        if a in t:
            t = t.replace(a, "'")
    if "  " in t or _ODD_SPACE.search(t):  # two fast scans instead of one slow one
        t = _HSPACE.sub(" ", t)
    return t


#: From this length on, :func:`normalize` and :func:`strip` work on an array of
#: code points (a batch of utterances); shorter strings take the plain path.
#: Both give the same result.
ARRAY_MIN = 2048
_DELETE = 0xFFFFFFFF


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` as a ``uint32`` array (lone surrogates kept)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _from_codepoints(codes: np.ndarray) -> str:
    return codes.tobytes().decode("utf-32-le", "surrogatepass")  # type: ignore[no-any-return]


@cache
def _compat_ascii() -> dict[int, str]:
    """Full-width forms, the ideographic space and ``…``: their NFKD, all ASCII."""
    out = {}
    for cp in (*range(0xFF01, 0xFF5F), 0x3000, 0x2026):
        d = unicodedata.normalize("NFKD", chr(cp))
        if d.isascii():
            out[cp] = d
    return out


def _premap_compat(text: str) -> str:
    """``text`` with its full-width punctuation (``，？！``) and ``…`` already
    replaced by their ASCII compatibility forms.

    Chinese and Japanese text has some in nearly every sentence, and one of
    them makes ``unicodedata.normalize`` decompose and recompose the whole
    string. Replacing a character by its full compatibility decomposition (here
    ASCII starters, which compose with nothing) leaves the NFKC form of the
    string unchanged; what is left then usually passes NFKC's quick check.
    """
    codes = codepoints(text)
    wide = ((codes >= 0xFF01) & (codes <= 0xFF5E)) | (codes == 0x3000) | (codes == 0x2026)
    if not wide.any():
        return text
    table = _compat_ascii()
    for cp in np.unique(codes[wide]).tolist():
        if cp in table:
            text = text.replace(chr(cp), table[cp])
    return text


@cache
def _strip_array() -> np.ndarray:
    """:func:`strip`'s table as an array over the BMP (``_DELETE``: removed)."""
    table = np.arange(0x10000, dtype=np.uint32)
    for k, v in _tables()[0].items():
        table[k] = _DELETE if v is None else ord(v)
    return table


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
        (``é`` -> ``e``); only free-standing marks (Arabic harakat, a combining
        accent without a precomposed letter) are deleted.
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
    if len(text) >= ARRAY_MIN:
        return _strip_array_path(text)
    if any_re.search(text) is None:
        return text, None
    sample = text[:20000]
    dense = sum(len(m) for m in any_re.findall(sample)) > 0.05 * max(len(sample), 1)
    out = text.translate(trans) if dense else any_re.sub(lambda m: m.group().translate(trans), text)
    if len(out) == len(text):
        return out, None
    return out, np.fromiter((m.start() for m in del_re.finditer(text)), dtype=np.int64)


def _strip_array_path(text: str) -> tuple[str, np.ndarray | None]:
    """:func:`strip` by table look-up on the code points (same result, for long text)."""
    codes = codepoints(text)
    out = _strip_array()[np.minimum(codes, 0xFFFF)]
    beyond = codes > 0xFFFF  # outside the BMP nothing is stripped
    if beyond.any():
        out[beyond] = codes[beyond]
    if np.array_equal(out, codes):
        return text, None
    gone = out == _DELETE
    if not gone.any():
        return _from_codepoints(out), None
    return _from_codepoints(out[~gone]), np.flatnonzero(gone).astype(np.int64)


@cache
def _spelling_tables() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """Free marks (deleted by :func:`strip`), precomposed letter -> base, base -> variants."""
    trans = _tables()[0]
    free = frozenset(chr(k) for k, v in trans.items() if v is None)
    base_of = {chr(k): v for k, v in trans.items() if v}
    variants: dict[str, set[str]] = {}
    for c, b in base_of.items():
        variants.setdefault(b, set()).add(c)
    return free, base_of, {b: "".join(sorted(v)) for b, v in variants.items()}


def drop_marks(text: str) -> str:
    """``text`` without its free-standing diacritics (harakat, a lone combining accent).

    Precomposed letters (``é``, ``أ``) are kept.
    """
    return _tables()[2].sub("", text)


def clusters(text: str) -> tuple[str, dict[int, frozenset[str]]]:
    """Letters of ``text`` and, per letter index, the free-standing marks after it.

    The letters are the characters :func:`strip` keeps (precomposed ones as
    they are), so ``len(letters) == len(strip(text)[0])``. Marks before the
    first letter are dropped.

    Examples
    --------
    >>> clusters("أَرفضُ")
    ('أرفض', {0: frozenset({'َ'}), 3: frozenset({'ُ'})})
    """
    free = _spelling_tables()[0]
    letters: list[str] = []
    marks: dict[int, set[str]] = {}
    for c in text:
        if c in free:
            if letters:
                marks.setdefault(len(letters) - 1, set()).add(c)
        else:
            letters.append(c)
    return "".join(letters), {i: frozenset(m) for i, m in marks.items()}


def _mark_group(m: str) -> str:
    """Marks of one group exclude each other on a letter (a fatha and a kasra)."""
    cp = ord(m)
    if 0x064B <= cp <= 0x0650 or cp == 0x0652:
        return "arabic vowel"  # harakat, tanween, sukun
    if 0x0600 <= cp <= 0x06FF:
        return m  # shadda, madda, hamza, Quranic signs: combine with anything
    return "accent"  # Latin, Greek, Cyrillic combining accents


def marks_conflict(text_marks: frozenset[str], entry_marks: frozenset[str]) -> bool:
    """Whether a letter's marks in the text contradict the entry's marks on it.

    Only a text mark that the entry lacks *and* that excludes one of the
    entry's marks conflicts: a kasra where the entry has a fatha does, a kasra
    added to the entry's shadda does not, and any mark on a letter where the
    entry has none does not.
    """
    if not text_marks or not entry_marks:
        return False
    groups = {_mark_group(n) for n in entry_marks}
    return any(t not in entry_marks and _mark_group(t) in groups for t in text_marks)


@cache
def _accented() -> frozenset[str]:
    return frozenset(_spelling_tables()[1]) - DISTINCT_LETTERS


def accent_letters(text: str) -> frozenset[str]:
    """The letters of ``text`` that carry a diacritic (precomposed; not ``ı đ ø ł``)."""
    return _accented().intersection(text)


def accept_regex(
    src: str, flags: int = 0, accents: frozenset[str] = frozenset()
) -> re.Pattern[str]:
    """The regex that checks a pattern hit against the text with its diacritics.

    ``src`` is the pattern as written (normalised, :func:`prepare_regex`). In
    the returned regex, meant for the text after :func:`drop_marks`:

    - a letter with a diacritic also matches its base (``é`` -> ``[ée]``:
      the text may leave the diacritic out);
    - a letter without one also matches the letters of ``accents`` on it
      (``e`` -> ``[eé]`` where ``accents`` holds ``é``: the entry has none at
      that place). ``accents`` should hold the accented letters of the text
      to check (:func:`accent_letters`): others cannot occur there, and every
      variant of every letter would make a regex that compiles slowly;
    - the same holds for the letters and ranges of a (not negated) class;
    - a free-standing mark (a haraka) becomes optional.

    Look-arounds are dropped: this regex is matched against the hit alone,
    where a look-ahead cannot see the text after it; the search on the
    stripped copy has already judged them in context. The rewrite works on
    the parse tree, so the pattern's syntax is otherwise untouched.
    """
    from re import _compiler, _parser  # type: ignore[attr-defined]
    from re._constants import (  # type: ignore[import-not-found]
        ASSERT,
        ASSERT_NOT,
        ATOMIC_GROUP,
        BRANCH,
        GROUPREF_EXISTS,
        IN,
        LITERAL,
        MAX_REPEAT,
        MIN_REPEAT,
        NEGATE,
        POSSESSIVE_REPEAT,
        RANGE,
        SUBPATTERN,
    )

    free, base_of, _ = _spelling_tables()
    on_base: dict[str, str] = {}
    for a in sorted(accents):
        on_base[base_of[a]] = on_base.get(base_of[a], "") + a

    def spell(c: str) -> str:
        """The characters the text may have where the pattern has ``c``."""
        b = base_of.get(c)
        return c + b if b else c + on_base.get(c, "")

    def in_range(lo: int, hi: int) -> set[str]:
        out = {b for c, b in base_of.items() if lo <= ord(c) <= hi}
        for b, v in on_base.items():
            if lo <= ord(b) <= hi:
                out.update(v)
        return out

    def walk(sub: Any) -> None:
        sub.width = None  # cached widths would be stale after the rewrite
        sub.data[:] = [(op, av) for op, av in sub.data if op not in (ASSERT, ASSERT_NOT)]
        data = sub.data
        for k, (op, av) in enumerate(data):
            if op is LITERAL:
                c = chr(av)
                if c in free:
                    data[k] = (MAX_REPEAT, (0, 1, _parser.SubPattern(sub.state, [(op, av)])))
                    continue
                alts = spell(c)
                if len(alts) > 1:
                    data[k] = (IN, [(LITERAL, ord(x)) for x in alts])
            elif op is IN:
                if av and av[0][0] is NEGATE:
                    continue
                extra: set[str] = set()
                for iop, iav in av:
                    if iop is LITERAL:
                        extra.update(spell(chr(iav)))
                    elif iop is RANGE:
                        extra.update(in_range(*iav))
                extra.difference_update(chr(iav) for iop, iav in av if iop is LITERAL)
                av.extend((LITERAL, ord(x)) for x in sorted(extra))
            elif op is SUBPATTERN:
                walk(av[-1])
            elif op is BRANCH:
                for b in av[1]:
                    walk(b)
            elif op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
                walk(av[2])
            elif op is ATOMIC_GROUP:
                walk(av)
            elif op is GROUPREF_EXISTS:
                walk(av[1])
                if av[2] is not None:
                    walk(av[2])

    tree = _parser.parse(src, flags)
    walk(tree)
    return _compiler.compile(tree, flags)  # type: ignore[no-any-return]


@cache
def _changed_table() -> np.ndarray:
    """``table[code]``: whether :func:`strip` changes or deletes that character (BMP)."""
    table = np.zeros(0x10001, dtype=bool)
    table[list(_tables()[0])] = True
    return table


def changed_positions(text: str) -> np.ndarray:
    """Sorted positions of the characters of ``text`` that :func:`strip` changes or deletes.

    A span of ``text`` without any of them reads the same in the stripped copy.
    """
    return np.flatnonzero(_changed_table()[np.minimum(codepoints(text), 0x10000)])


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


@cache
def head_regex(breaks: str = CLAUSE_CHARS) -> re.Pattern[str]:
    """A regex matching a run of characters that are not in ``breaks``."""
    return re.compile(f"[^{re.escape(breaks)}]*")


def clause_tail(s: str, breaks: str = CLAUSE_CHARS) -> str:
    """The end of ``s`` after its last character in ``breaks``."""
    n = len(head_regex(breaks).match(s[::-1]).group())  # type: ignore[union-attr]
    return s[len(s) - n :]


def clause_head(s: str, breaks: str = CLAUSE_CHARS) -> str:
    """The start of ``s`` up to its first character in ``breaks``."""
    return head_regex(breaks).match(s).group()  # type: ignore[union-attr]


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
        elif c == "(" and src.startswith("?P", i + 1):
            out.append("(?P")  # a named group: P stays upper-case
            i += 3
            continue
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
        out.append(c.casefold().replace("i" + _DOT_ABOVE, "i"))  # İ as in normalize()
        i += 1
    return "".join(out)
