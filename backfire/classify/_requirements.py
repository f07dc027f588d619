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

import re
from collections.abc import Callable
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
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    rank = score or length_score
    repeats = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}
    zero_width = {C.AT, C.ASSERT, C.ASSERT_NOT}

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

    def product(x: set[str] | None, y: set[str] | None) -> set[str] | None:
        if x is None or y is None or len(x) * len(y) > MAX_SET:
            return None
        return {a + b for a in x for b in y}

    def finite(items: Any) -> set[str] | None:
        """Every string a sub-pattern can match, if few; else None."""
        out: set[str] | None = {""}
        for op, av in items:
            out = product(out, element(op, av))
            if out is None:
                return None
        return out

    def element(op: Any, av: Any) -> set[str] | None:
        if op is C.LITERAL:
            return {chr(av)}
        if op in zero_width:
            return {""}  # consumes nothing: neutral in a product
        if op is C.IN:
            if all(o is C.LITERAL for o, _ in av) and len(av) <= 8:
                return {chr(v) for _, v in av}
            return None
        if op is C.SUBPATTERN:
            return finite(av[-1])
        if op is C.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                f = finite(alt)
                if f is None or len(union | f) > MAX_SET:
                    return None
                union |= f
            return union
        if op in repeats and av[1] <= 2:
            item = finite(av[2])
            if item is None:
                return None
            out: set[str] = set()
            power: set[str] | None = {""}
            for k in range(av[1] + 1):
                if k >= av[0]:
                    out |= power  # type: ignore[arg-type]
                power = product(power, item)
                if power is None:
                    return None
            return out if len(out) <= MAX_SET else None
        return None

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
