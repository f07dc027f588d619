"""Literal prefilters for regex patterns.

A pattern is only run on utterances that can hold a match. From the parse
tree of the pattern we derive a condition in disjunctive normal form: a list
of *clauses*, each a list of literal *sets*; an utterance can hold a match
only if, for some clause, it contains a literal of every set of that clause.
The literals go into an Aho-Corasick scan, so the condition costs little to
test. Which literals are chosen only changes speed, never results.

``send (her|him) (out|away)`` expands to one set ``{"send her out", "send him
out", ...}``; ``(?:kick|throw) \\w+ out|get rid of`` gives two clauses.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from re import _constants as C  # type: ignore[attr-defined]
from typing import Any

#: Most strings one literal set may hold.
MAX_SET = 64
#: Most clauses in a condition; past this, alternatives are merged into one set.
MAX_CLAUSES = 12
#: Sets kept per clause (the most selective).
SETS_PER_CLAUSE = 2

Clause = tuple[frozenset[str], ...]
Condition = tuple[Clause, ...]
Score = Callable[[frozenset[str]], tuple[float, ...]]
TRUE: Condition = ((),)  # no requirement: search every utterance


def useful(lit: str, relaxed: bool = False) -> bool:
    """A literal selective enough to prefilter on.

    Three characters; or two in the scripts from Devanagari on (Indic scripts,
    Thai, Hangul, kana: two code points are already a syllable or a word); or
    one CJK ideograph. ``relaxed`` (used when the strict rule finds nothing)
    accepts two letters in any script: a weak prefilter beats none.
    """
    core = lit.strip()
    if len(core) >= 3 or (relaxed and len(core) == 2 and core.isalnum()):
        return True
    if not core or any(ord(c) < 0x0900 for c in core):
        return False
    return len(core) == 2 or ord(core) >= 0x4E00


def minimal(lits: set[str] | frozenset[str]) -> frozenset[str]:
    """Drop literals that contain another one: "contains one of" stays the same."""
    out: list[str] = []
    for lit in sorted(lits, key=len):
        if not any(o in lit for o in out):
            out.append(lit)
    return frozenset(out)


def length_score(lits: frozenset[str]) -> tuple[float, ...]:
    """Default selectivity of a literal set: longer literals, fewer of them."""
    return (min(map(len, lits)), -len(lits))


def frequency_score(corpus: str) -> Score:
    """Selectivity from a text sample of the language: rarer sets score higher.

    With real frequencies the prefilter avoids sets such as ``{"the", "her"}``
    that would flag almost every utterance and fill the scan with hits.
    """
    counts: dict[str, int] = {}

    def count(lit: str) -> int:
        if lit not in counts:
            counts[lit] = corpus.count(lit)
        return counts[lit]

    def score(lits: frozenset[str]) -> tuple[float, ...]:
        return (-sum(count(lit) for lit in lits), *length_score(lits))

    return score


#: Literal hits that cost as much as searching one more utterance with a
#: pattern (measured on the benchmark: about 0.5 us per hit, 1 us per utterance).
HITS_PER_SEARCH = 2.0


def lean(conditions: list[Condition], corpus: str) -> list[Condition]:
    """``conditions`` with the sets that cost more literal hits than they save searches.

    A clause keeps its best set; each further set only narrows the utterances
    a pattern runs on, and every occurrence of its literals is a hit to go
    through. Estimated on the lines of ``corpus`` (the language's phrase
    bank): a set stays if the lines it rules out (holding the first set but
    not it), times :data:`HITS_PER_SEARCH`, outnumber the occurrences of its
    literals that no kept set needs anyway. Frequent words such as ``the``,
    ``ich`` or ``bir`` then leave the scan where they barely narrow anything.
    Dropping a set only weakens a condition: the result never changes.
    """
    starts = [0] + [m.end() for m in re.finditer("\n", corpus)]
    where: dict[str, tuple[int, frozenset[int]]] = {}

    def find(lit: str) -> tuple[int, frozenset[int]]:
        if lit not in where:
            pos = [m.start() for m in re.finditer(re.escape(lit), corpus)]
            where[lit] = (len(pos), frozenset(bisect.bisect_right(starts, x) for x in pos))
        return where[lit]

    def lines(lits: frozenset[str]) -> frozenset[int]:
        return frozenset().union(*(find(lit)[1] for lit in lits))

    needed = {lit for cond in conditions for clause in cond for lit in (clause[:1] or [()])[0]}
    out = [list(map(list, cond)) for cond in conditions]
    for _ in range(2):  # a second pass: literals kept by the first are free for others
        for cond, orig in zip(out, conditions, strict=True):
            for k, clause in enumerate(orig):
                if len(clause) < 2:
                    continue
                first = lines(clause[0])
                kept = [clause[0]]
                for lits in clause[1:]:
                    saved = len(first - lines(lits))
                    cost = sum(find(lit)[0] for lit in lits if lit not in needed)
                    if HITS_PER_SEARCH * saved >= cost:
                        kept.append(lits)
                        needed |= lits
                cond[k] = kept
    return [tuple(tuple(clause) for clause in cond) for cond in out]


_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}
_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}


def _product(x: set[str] | None, y: set[str] | None, cap: int = MAX_SET) -> set[str] | None:
    if x is None or y is None or len(x) * len(y) > cap:
        return None
    return {a + b for a in x for b in y}


def _finite(items: Any) -> set[str] | None:
    """Every string a sub-pattern can match, if few; else None."""
    out: set[str] | None = {""}
    for op, av in items:
        out = _product(out, _element(op, av))
        if out is None:
            return None
    return out


def _element(op: Any, av: Any) -> set[str] | None:
    """Every string one parse-tree element can match, if few; else None."""
    if op is C.LITERAL:
        return {chr(av)}
    if op in _ZERO_WIDTH:
        return {""}  # consumes nothing: neutral in a product
    if op is C.IN:
        if all(o is C.LITERAL for o, _ in av) and len(av) <= 8:
            return {chr(v) for _, v in av}
        return None
    if op is C.SUBPATTERN:
        return _finite(av[-1])
    if op is C.BRANCH:
        union: set[str] = set()
        for alt in av[1]:
            f = _finite(alt)
            if f is None or len(union | f) > MAX_SET:
                return None
            union |= f
        return union
    if op in _REPEATS and av[1] <= 2:
        item = _finite(av[2])
        if item is None:
            return None
        out: set[str] = set()
        power: set[str] | None = {""}
        for k in range(av[1] + 1):
            if k >= av[0]:
                out |= power  # type: ignore[arg-type]
            if k == av[1]:
                break
            power = _product(power, item)
            if power is None:
                return None
        return out if len(out) <= MAX_SET else None
    return None


def best_condition(pattern: str, score: Score | None = None) -> Condition:
    """:func:`condition`, relaxed if the strict rule finds no literal at all."""
    cond = condition(pattern, score=score)
    return condition(pattern, relaxed=True, score=score) if cond == TRUE else cond


def condition(pattern: str, relaxed: bool = False, score: Score | None = None) -> Condition:
    """The prefilter condition of a (prepared, stripped) pattern; ``TRUE`` if none.

    Runs of elements with few possible spellings (literals, small
    alternations, optional parts, zero-width assertions) are expanded into the
    set of strings they can match (at most :data:`MAX_SET`); a required group
    adds its own condition; an alternation is the union of its branches'
    clauses. ``relaxed`` lets two-letter literals count (see :func:`useful`).
    ``score`` ranks literal sets (default :func:`length_score`; see
    :func:`frequency_score`): each clause keeps its :data:`SETS_PER_CLAUSE`
    best sets.

    Examples
    --------
    >>> [sorted(s) for clause in condition("send (her|him) out") for s in clause]
    [['send her out', 'send him out']]
    >>> condition("a.*b") == TRUE
    True
    """
    from re import _parser  # type: ignore[attr-defined]

    rank = score or length_score
    repeats = _REPEATS
    element, product = _element, _product

    def trim(clause: Clause) -> Clause:
        return tuple(sorted(dict.fromkeys(clause), key=rank, reverse=True)[:SETS_PER_CLAUSE])

    def both(x: Condition, y: Condition) -> Condition:
        if x == TRUE:
            return y
        if y == TRUE:
            return x
        if len(x) * len(y) <= MAX_CLAUSES:
            return tuple(trim(a + b) for a in x for b in y)
        # too many combinations: keep the side whose weakest clause is strongest
        return max(x, y, key=lambda c: min(rank(cl[0]) for cl in c))

    def either(alts: list[Condition]) -> Condition:
        if any(a == TRUE for a in alts):
            return TRUE
        out = tuple(cl for a in alts for cl in a)
        if len(out) <= MAX_CLAUSES:
            return out
        # too many: one set, the union of each clause's best set
        union = minimal(frozenset().union(*(cl[0] for cl in out)))
        return ((union,),) if len(union) <= 4 * MAX_SET else TRUE

    def seq(items: Any) -> Condition:
        cond: Condition = TRUE
        cur: set[str] = {""}

        def flush() -> None:
            nonlocal cond
            if all(useful(lit, relaxed) for lit in cur):
                cond = both(cond, ((minimal(cur),),))

        for op, av in items:
            f = element(op, av)
            if f is not None:
                joined = product(cur, f)
                if joined is None:
                    flush()
                    cur = f
                else:
                    cur = joined
                continue
            flush()
            cur = {""}
            if op is C.SUBPATTERN:
                cond = both(cond, seq(av[-1]))
            elif op is C.ATOMIC_GROUP:
                cond = both(cond, seq(av))
            elif op in repeats and av[0] >= 1:
                cond = both(cond, seq(av[2]))
            elif op is C.BRANCH:
                cond = both(cond, either([seq(alt) for alt in av[1]]))
        flush()
        return cond

    try:
        return seq(_parser.parse(pattern, re.MULTILINE))
    except Exception:  # noqa: BLE001 - an exotic construct: no prefilter, search everywhere
        return TRUE


# -- where a match can start: a faster search ------------------------------------------------------

#: Most strings a prefix set may hold.
MAX_PREFIXES = 256


def prefixes(tree: Any, limit: int) -> set[str] | None:
    """Strings one of which every match of a parsed pattern starts with.

    Each is cut to at most ``limit`` characters (a prefix of a prefix is one
    too); ``""`` in the set means "no constraint" for some match. Zero-width
    assertions are skipped; elements with few spellings (see :func:`_finite`)
    are expanded, and a group, alternation or required repeat contributes the
    prefixes of its body. None if the set would exceed :data:`MAX_PREFIXES`.
    """
    cur: set[str] = {""}
    for op, av in tree:
        if op in _ZERO_WIDTH:
            continue
        f = _element(op, av)
        last = f is None
        if f is None:
            f = _item_prefixes(op, av, limit)
            if f is None:
                return None
        cur = {(a + b)[:limit] for a in cur for b in f}
        if len(cur) > MAX_PREFIXES:
            return None
        if last or all(len(x) >= limit for x in cur):
            return cur
    return cur


def _item_prefixes(op: Any, av: Any, limit: int) -> set[str] | None:
    if op is C.SUBPATTERN:
        return prefixes(av[-1], limit)
    if op is C.ATOMIC_GROUP:
        return prefixes(av, limit)
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            p = prefixes(alt, limit)
            if p is None:
                return None
            out |= p
            if len(out) > MAX_PREFIXES:
                return None
        return out
    if op in _REPEATS and av[0] >= 1:
        return prefixes(av[2], limit)
    if op is C.IN:
        chars: set[str] = set()
        for o, v in av:
            if o is C.LITERAL:
                chars.add(chr(v))
            elif o is C.RANGE and v[1] - v[0] < MAX_PREFIXES:
                chars.update(map(chr, range(v[0], v[1] + 1)))
            else:
                return {""}
        return chars if len(chars) <= MAX_PREFIXES else {""}
    return {""}


def children(op: Any, av: Any) -> list[Any]:
    """The sub-patterns of one parse-tree element (none for a leaf)."""
    if op is C.SUBPATTERN:
        return [av[-1]]
    if op is C.BRANCH:
        return list(av[1])
    if op in _REPEATS:
        return [av[2]]
    if op is C.ATOMIC_GROUP:
        return [av]
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [av[1]]
    if op is C.GROUPREF_EXISTS:
        return [x for x in av[1:] if x is not None]
    return []


def _case_insensitive(tree: Any) -> bool:
    """Whether ``(?i)`` applies anywhere (literal sets would then be too narrow)."""

    def walk(items: Any) -> bool:
        for op, av in items:
            if op is C.SUBPATTERN and av[1] & re.IGNORECASE:
                return True
            if any(walk(sub) for sub in children(op, av)):
                return True
        return False

    return bool(tree.state.flags & re.IGNORECASE) or walk(tree)


def fast_search(pattern: str, flags: int = re.MULTILINE) -> re.Pattern[str] | None:
    """``re.compile(pattern, flags)`` that skips ahead to where a match can start.

    Python's regex engine skips to a pattern's literal prefix or first
    character set by itself, but not when the pattern opens with an
    assertion (``\\b``, ``(?<!\\w)``), which lexicon patterns usually do: it
    then tries every position. Here the prefix set of :func:`prefixes` gives
    the characters a match can start with (or a literal all matches start
    with), and the compiled code gets the corresponding search hint, the one
    the engine builds for a pattern such as ``[abc]...`` or ``(abc)...``. The
    matching code is the engine's own, so matches are the same; only
    positions where no match can start are skipped.

    Returns None where no hint applies (or the engine already has one, or
    this Python's regex internals differ): use the plain compiled pattern.
    """
    try:
        import _sre  # type: ignore[import-not-found]
        from re import _compiler, _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern, flags)
        if _case_insensitive(tree):
            return None
        lo, hi = tree.getwidth()
        firsts = prefixes(tree, 1)
        if lo == 0 or not firsts or "" in firsts:
            return None
        code = _compiler._code(tree, flags)
        if code[0] != C.INFO or code[2] & (C.SRE_INFO_PREFIX | C.SRE_INFO_CHARSET):
            return None  # the engine has its own hint
        longer = prefixes(tree, 16) if len(firsts) == 1 else None
        common = _common_prefix(longer) if longer and "" not in longer else "".join(firsts)
        if len(firsts) == 1:
            # (?:common) in a group: a literal prefix that the match code repeats
            body = [(C.LITERAL, ord(c)) for c in common]
            group = _parser.SubPattern(tree.state, body)
            hint = _parser.SubPattern(tree.state, [(C.SUBPATTERN, (1, 0, 0, group)), (C.ANY, None)])
        else:
            items = [(C.LITERAL, ord(c)) for c in sorted(firsts)]
            hint = _parser.SubPattern(tree.state, [(C.IN, items)])
        hint.width = (lo, hi)  # the real pattern's width, for the length check
        info: list[int] = []
        _compiler._compile_info(info, hint, flags | tree.state.flags)
        if info[0] != C.INFO or not info[2] & (C.SRE_INFO_PREFIX | C.SRE_INFO_CHARSET):
            return None
        if info[2] & C.SRE_INFO_PREFIX and (info[2] & C.SRE_INFO_LITERAL or info[6] != 0):
            return None  # the hint must not skip any of the pattern's own code
        code = info + code[code[1] + 1 :]
        groupindex = tree.state.groupdict
        indexgroup: list[str | None] = [None] * tree.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k
        return _sre.compile(  # type: ignore[no-any-return]
            pattern,
            flags | tree.state.flags,
            code,
            tree.state.groups - 1,
            groupindex,
            tuple(indexgroup),
        )
    except Exception:  # noqa: BLE001 - other regex internals: no hint, same results
        return None


def _common_prefix(strings: set[str]) -> str:
    lo, hi = min(strings), max(strings)
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    return lo[:n]
