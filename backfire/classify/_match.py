"""The compiled matcher: a few scans per batch of utterances.

A batch of utterances is normalised, joined with :data:`SEP` and stripped of
diacritics once. Then, over that one string:

1. one Aho-Corasick scan finds every ``term`` and ``stem`` of every
   category (word boundaries are checked around each hit), the literals that
   pattern matches must contain, and the negator literals;
2. the pattern literals (see ``_requirements.py``) tell, per pattern, the few
   utterances where it can match; each pattern then runs once over just those
   utterances, joined again;
3. the negator literals let the negation rule be evaluated only for hits that
   have a negator near them.

``numpy.searchsorted`` maps offsets back to utterances. The rules themselves
are in ``_rules.py`` and shared with the reference loop (``_naive.py``);
``README.md`` states them in words.
"""

from __future__ import annotations

import gc
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from . import _normalize as nz
from ._lexicon import CATEGORIES, Entry, Lexicon, Negation, lexicon_key, load_lexicon
from ._requirements import (
    TRUE,
    Condition,
    Score,
    best_condition,
    children,
    fast_search,
    frequency_score,
    lean,
)
from ._rules import (
    CompiledNegation,
    Original,
    Spelling,
    accept,
    literal_spelling,
    negated,
    pattern_spans,
    pattern_spelling,
    select_longest,
)

_BATCH = 50_000
#: Fewest texts per task of :func:`hits_parallel`.
MIN_CHUNK = 2_000


@dataclass(frozen=True)
class Prepared:
    """An entry compiled for matching."""

    index: int
    cat: int
    entry: Entry
    norm: str  # normalised, with diacritics
    key: str  # normalised and stripped: what is searched
    plain: bool  # the entry has no diacritics (any text diacritics are fine)
    need_start: bool  # spaced script and the entry starts with a word character
    need_end: bool  # ... and, for terms, ends with one
    spelling: Spelling | None = None  # the entry with its diacritics, for accept()
    sregex: re.Pattern[str] | None = None  # pattern, stripped: what is searched
    requires: Condition = TRUE  # literal prefilter of a pattern
    search: re.Pattern[str] | None = None  # sregex with a search hint (fast_search), or sregex


class Matcher:
    """Everything needed to classify text in one language, built once per lexicon.

    Use :func:`get_matcher` (cached on the lexicon's file hashes) rather than
    the constructor.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.spaced = lexicon.spaced
        self.marks = lexicon.script in nz.MARK_SCRIPTS
        sample = _sample_text(lexicon.path.parent)
        score = frequency_score(sample) if sample else None
        prepared = [
            _prepare(i, e, self.spaced, self.marks, score) for i, e in enumerate(lexicon.entries)
        ]
        self.entries: tuple[Prepared, ...] = tuple(prepared)
        self.labels = [p.entry.label for p in prepared]
        self.cat_of = np.array([p.cat for p in prepared], dtype=np.int64)
        self.negation = compile_negation(lexicon.negation, self.spaced, self.marks)
        # clause breaks for the negation prefilter; commas that may continue a
        # clause are left out (a wider window there: still a superset)
        breaks = set(self.negation.breaks)
        if self.negation.continues:
            breaks -= set(nz.COMMAS)
        # by code point; the last slot stands for every code point beyond the table
        self.is_break = np.zeros(max([0xFFFF, *map(ord, breaks)]) + 2, dtype=bool)
        self.is_break[[ord(c) for c in breaks]] = True
        self.literals = tuple(p for p in prepared if p.sregex is None)
        self.patterns = tuple(p for p in prepared if p.sregex is not None)
        self.uncovered = tuple(p for p in self.patterns if p.requires == TRUE)
        # patterns whose lookahead could read across the separator into the next
        # utterance of a joined scan: searched one utterance at a time instead
        self.isolated = frozenset(
            p.index
            for p in self.patterns
            if _may_cross(p.sregex.pattern)  # type: ignore[union-attr]
        )
        self.any_diacritics = not all(p.plain for p in prepared)
        self.plain = np.array([p.plain for p in prepared], dtype=bool)
        self.negatable = np.array([p.entry.negatable for p in prepared], dtype=bool)

        table: dict[str, list[tuple[int, bool, bool]]] = {}
        for p in self.literals:
            table.setdefault(p.key, []).append((p.index, p.need_start, p.need_end))

        # prefilter: per pattern, clauses of literal-id lists (see _requirements.py)
        lit_ids: dict[str, int] = {}
        self.conditions: list[tuple[int, list[list[list[int]]]]] = []
        covered = [p for p in self.patterns if p.requires != TRUE]
        requires = [p.requires for p in covered]
        if sample:
            requires = lean(requires, sample)
        for p, required in zip(covered, requires, strict=True):
            clauses = []
            for clause in required:
                sets = []
                for lits in clause:
                    sets.append([lit_ids.setdefault(lit, len(lit_ids)) for lit in sorted(lits)])
                clauses.append(sets)
            self.conditions.append((p.index, clauses))
        self.n_lits = max(len(lit_ids), 1)

        # negation prefilter: literals one of which any negator match contains, each
        # with the word boundaries that every negator spelt so needs (bit 1: before
        # it, bit 2: after it), as in _negator_piece; pattern literals need none
        neg_lits: dict[str, int] = {}
        self.neg_everywhere = False
        for kind, value in lexicon.negation.negators + lexicon.negation.negators_after:
            if kind == "pattern":
                cond = best_condition(nz.prepare_regex(value, stripped=True, marks=self.marks))
                if cond == TRUE:
                    self.neg_everywhere = True
                for clause in cond:
                    if clause:
                        neg_lits.update(dict.fromkeys(clause[0], 0))
            else:
                key = nz.strip(nz.normalize(value.strip()))[0]
                bounds = 0
                if key and self.spaced and not (kind == "term" and "'" in key):
                    bounds = nz.is_word(key[0]) | 2 * (kind == "term" and nz.is_word(key[-1]))
                neg_lits[key] = neg_lits.get(key, bounds) & bounds
        # value: 4 * length + boundary bits
        neg_values = {k: 4 * len(k) + b for k, b in neg_lits.items() if k}
        self._build_scan(table, lit_ids, neg_values)
        # word characters that are not clause breaks, by code point (last slot:
        # beyond the BMP, never): a negator term next to one cannot match there
        self.word_not_break = _alnum_table() & ~self.is_break[: 0x10000 + 1]
        self.word_not_break[-1] = False

    def _build_scan(
        self,
        table: dict[str, list[tuple[int, bool, bool]]],
        lit_ids: dict[str, int],
        neg_values: dict[str, int],
    ) -> None:
        """One Aho-Corasick automaton over every string the fast path looks for.

        Terms and stems, the prefilter literals of patterns and the negator
        literals were three automata, so the text was scanned three times; a
        scan costs about as much as its hits. Now each distinct string has one
        id (the automaton's value), and per id the tables below say what it is:
        its entries (``lit_*``, a string may be several entries' key), its
        prefilter literal id (``cover_of``, -1 if none) and its negator value
        (``neg_of``, -1 if none).
        """
        keys: dict[str, int] = {}
        rows: list[tuple[int, int, bool, bool]] = []
        for k, lits in table.items():
            sid = keys.setdefault(k, len(keys))
            rows += [(sid, i, start, end) for i, start, end in lits]
        cover = [(keys.setdefault(k, len(keys)), v) for k, v in lit_ids.items()]
        neg = [(keys.setdefault(k, len(keys)), v) for k, v in neg_values.items()]
        n = len(keys)
        self.key_len = np.array([len(k) for k in keys], dtype=np.int64)
        self.cover_of = np.full(n, -1, dtype=np.int64)
        self.neg_of = np.full(n, -1, dtype=np.int64)
        for sid, v in cover:
            self.cover_of[sid] = v
        for sid, v in neg:
            self.neg_of[sid] = v
        rows.sort()
        self.lit_count = np.bincount([r[0] for r in rows], minlength=n).astype(np.int64)
        self.lit_first = np.cumsum(self.lit_count) - self.lit_count
        self.lit_entry = np.array([r[1] for r in rows], dtype=np.int64)
        self.lit_need_start = np.array([r[2] for r in rows], dtype=bool)
        self.lit_need_end = np.array([r[3] for r in rows], dtype=bool)
        self.scan_automaton = _automaton(keys)

    # -- the fast path -------------------------------------------------------------------------

    def hits(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Counted hits as (row, entry index) arrays, ordered by row and position."""
        rows: list[np.ndarray] = []
        idx: list[np.ndarray] = []
        for lo in range(0, len(texts), _BATCH):
            r, i = self._match_batch(texts[lo : lo + _BATCH])
            rows.append(r + lo)
            idx.append(i)
        if not rows:
            return _arr([]), _arr([])
        return np.concatenate(rows), np.concatenate(idx)

    def tabulate(
        self, n: int, rows: np.ndarray, idx: np.ndarray
    ) -> tuple[np.ndarray, list[list[str]]]:
        """Per-row category counts and ``category:entry`` lists from hit arrays."""
        counts = np.zeros((n, len(CATEGORIES)), dtype=np.int64)
        np.add.at(counts, (rows, self.cat_of[idx]), 1)
        # Many small allocations (one list per row) would trigger the cyclic
        # garbage collector over and over; nothing here creates cycles.
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            matched: list[list[str]] = [[] for _ in range(n)]
            labels = self.labels
            for u, i in zip(rows.tolist(), idx.tolist(), strict=True):
                matched[u].append(labels[i])
        finally:
            if gc_was_on:
                gc.enable()
        return counts, matched

    def _match_batch(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        if not self.entries or not texts:
            return _arr([]), _arr([])
        norm = nz.normalize(nz.SEP + nz.SEP.join(texts) + nz.SEP)
        S, deleted = nz.strip(norm)
        parts = S.split(nz.SEP)
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        # parts = ["", t0, t1, ..., ""]: utterance i spans [starts[i], ends[i])
        starts = np.cumsum(lengths + len(nz.SEP))[:-2]
        ends = starts + lengths[1:-1]

        # one scan for terms, stems, prefilter literals and negators: (last
        # character, string id) pairs, in text order
        if self.scan_automaton is not None:
            found = np.fromiter(
                itertools.chain.from_iterable(self.scan_automaton.iter(S)), np.int64
            )
            f_end, f_sid = found[0::2], found[1::2]
        else:
            f_end = f_sid = _arr([])
        codes = nz.codepoints(S)
        s, e, idx = self._literal_hits(codes, f_end, f_sid)
        if self.patterns:
            c = self.cover_of[f_sid]
            has = c >= 0
            s2, e2, i2 = self._pattern_hits(S, starts, ends, parts[1:-1], f_end[has], c[has])
            s, e, idx = np.r_[s, s2], np.r_[e, e2], np.r_[idx, i2]
        if len(s) == 0:
            return _arr([]), _arr([])
        # in text order, the many searchsorted calls below get sorted keys (faster);
        # _dedupe puts the hits in its own order
        order = np.argsort(s, kind="stable")
        s, e, idx = s[order], e[order], idx[order]
        v = self.neg_of[f_sid]
        has = v >= 0
        keep = self._filter(norm, S, deleted, s, e, idx, codes, f_end[has], v[has])
        s, e, idx = s[keep], e[keep], idx[keep]
        if len(s) == 0:
            return _arr([]), _arr([])
        utt = np.searchsorted(starts, s, side="right") - 1
        s, e, idx, utt, cat = _dedupe(s, e, idx, utt, self.cat_of[idx])
        return utt, idx

    def _literal_hits(
        self, codes: np.ndarray, f_end: np.ndarray, f_sid: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Terms and stems from the scan, with word boundaries checked in spaced scripts."""
        cnt = self.lit_count[f_sid] if len(f_sid) else _arr([])
        has = cnt > 0
        if not has.any():
            return _arr([]), _arr([]), _arr([])
        end, sid, cnt = f_end[has], f_sid[has], cnt[has]
        if (cnt == 1).all():  # one entry per string (usual): no expansion
            row = self.lit_first[sid]
        else:
            end, sid = np.repeat(end, cnt), np.repeat(sid, cnt)
            row = self.lit_first[sid] + np.arange(len(sid)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        e = end + 1
        s = e - self.key_len[sid]
        idx = self.lit_entry[row]
        if self.spaced:
            # S opens and closes with SEP: s - 1 and e are always inside it
            bad = self.lit_need_start[row] & _word_at(codes, s - 1)
            bad |= self.lit_need_end[row] & _word_at(codes, e)
            keep = ~bad
            s, e, idx = s[keep], e[keep], idx[keep]
        return s, e, idx

    def _candidates(
        self, starts: np.ndarray, lit_end: np.ndarray, lit_id: np.ndarray
    ) -> dict[int, np.ndarray]:
        """Per pattern, the utterances that satisfy one clause of its literal condition.

        ``lit_end``, ``lit_id``: the scan's prefilter literal hits (last character,
        literal id), in text order.
        """
        n_utt = len(starts)
        everyone = np.arange(n_utt, dtype=np.int64)
        todo: dict[int, np.ndarray] = {p.index: everyone for p in self.uncovered}
        if not self.conditions or len(lit_end) == 0:
            return todo
        k = self.n_lits
        utt = _utterance_of(lit_end, starts)
        key = _unique(lit_id * n_utt + utt)  # (literal, utterance), sorted
        lit_of, utt_of = key // n_utt, key % n_utt
        bounds = np.searchsorted(lit_of, np.arange(k + 1, dtype=np.int64)).tolist()
        for p_index, clauses in self.conditions:
            found: list[np.ndarray] = []
            for clause in clauses:
                acc: np.ndarray | None = None
                for ids in clause:
                    parts = [
                        utt_of[bounds[i] : bounds[i + 1]] for i in ids if bounds[i + 1] > bounds[i]
                    ]
                    if not parts:
                        acc = None
                        break
                    u = _unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]
                    acc = u if acc is None else np.intersect1d(acc, u, assume_unique=True)
                    if len(acc) == 0:
                        acc = None
                        break
                if acc is not None:
                    found.append(acc)
            if found:
                todo[p_index] = found[0] if len(found) == 1 else _unique(np.concatenate(found))
        return todo

    def _pattern_hits(
        self,
        S: str,
        starts: np.ndarray,
        ends: np.ndarray,
        utterances: list[str],
        lit_end: np.ndarray,
        lit_id: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run each pattern once over the utterances that can hold a match, joined.

        The strings a pattern runs over (its candidate utterances joined with
        :data:`SEP`) are laid end to end in one virtual string, so that the
        matches of all patterns are mapped to utterances, and checked to lie
        inside one, in a single vectorised pass. A pattern with a match that
        runs into a separator is redone by :func:`_joined_spans`.
        """
        sep = nz.SEP
        pad = len(sep)
        n_utt = len(starts)
        cand = self._candidates(starts, lit_end, lit_id)
        if not cand:
            return _arr([]), _arr([]), _arr([])
        iso = [i for i, u in cand.items() if len(u) and i in self.isolated]
        iso_hits = self._isolated_hits(S, starts, ends, {i: cand[i] for i in iso})
        p_ids = [i for i, u in cand.items() if len(u) and i not in self.isolated]
        utt_lists = [cand[i] for i in p_ids]
        if not p_ids:
            return iso_hits
        sizes = np.fromiter(map(len, utt_lists), dtype=np.int64, count=len(utt_lists))
        all_utt = np.concatenate(utt_lists)
        lengths = ends[all_utt] - starts[all_utt]
        # utterance k of pattern j starts at pad * (j + 1) + sum of (length + pad)
        # over the utterances before it (all patterns): each joined string opens
        # with a separator and has one after each utterance
        step = lengths + pad
        excl = np.cumsum(step) - step
        owner = np.repeat(np.arange(len(p_ids), dtype=np.int64), sizes)
        g_start = excl + pad * (owner + 1)
        g_end = g_start + lengths
        first = np.cumsum(sizes) - sizes  # first element of each pattern
        base = (g_start[np.minimum(first, len(g_start) - 1)] - pad).tolist()
        utt_all = all_utt.tolist()  # joined from the split strings: no slicing of S
        spans: list[tuple[int, int]] = []
        counts: list[int] = []
        entries = self.entries
        lo_all = first.tolist()
        hi_all = (first + sizes).tolist()
        # the span tuples are kept until the end: without this the cyclic garbage
        # collector would walk them over and over (nothing here creates cycles)
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            for p_index, a0, a1 in zip(p_ids, lo_all, hi_all, strict=True):
                rx = entries[p_index].search
                if a1 - a0 == n_utt:
                    sub = S  # every utterance: S itself has this layout
                else:
                    sub = sep + sep.join([utterances[u] for u in utt_all[a0:a1]]) + sep
                before = len(spans)
                spans += [m.span() for m in rx.finditer(sub)]  # type: ignore[union-attr]
                counts.append(len(spans) - before)
        finally:
            if gc_was_on:
                gc.enable()
        if not spans:
            return iso_hits
        arr = np.array(spans, dtype=np.int64).reshape(-1, 2)
        n_spans = np.array(counts, dtype=np.int64)
        shift = np.repeat(np.array(base, dtype=np.int64), n_spans)
        a, b = arr[:, 0] + shift, arr[:, 1] + shift
        of = np.repeat(np.arange(len(p_ids), dtype=np.int64), n_spans)
        k = np.searchsorted(g_start, a, side="right") - 1
        kc = np.clip(k, 0, None)
        inside = (k >= 0) & (a >= g_start[kc]) & (b <= g_end[kc])
        nonempty = a < b
        bad = nonempty & ~inside
        keep = nonempty & inside
        hs, he, hi = [], [], []
        if bad.any():
            redo = np.unique(of[bad])
            keep &= ~np.isin(of, redo)
            for j in redo.tolist():
                utts = utt_lists[j]
                us, ue = starts[utts], ends[utts]
                sub = (
                    sep
                    + sep.join([S[x:y] for x, y in zip(us.tolist(), ue.tolist(), strict=True)])
                    + sep
                )
                ln = ue - us
                sub_starts = np.cumsum(ln + pad) - ln
                ra, rb, rk = _joined_spans(
                    entries[p_ids[j]].search,  # type: ignore[arg-type]
                    sub,
                    sub_starts,
                    sub_starts + ln,
                )
                sh = starts[utts[rk]] - sub_starts[rk]
                hs.append(ra + sh)
                he.append(rb + sh)
                hi.append(np.full(len(ra), p_ids[j], dtype=np.int64))
        k = k[keep]
        off = starts[all_utt[k]] - g_start[k]
        hs.append(a[keep] + off)
        he.append(b[keep] + off)
        hi.append(np.array(p_ids, dtype=np.int64)[of[keep]])
        hs.append(iso_hits[0])
        he.append(iso_hits[1])
        hi.append(iso_hits[2])
        return np.concatenate(hs), np.concatenate(he), np.concatenate(hi)

    def _isolated_hits(
        self, S: str, starts: np.ndarray, ends: np.ndarray, cand: dict[int, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Patterns in :attr:`isolated`, each utterance searched on its own.

        Each candidate utterance goes through :func:`pattern_spans`, the
        reference loop's own search (``SEP + text + SEP``, as in the redo of
        :func:`_joined_spans`), so no look-around sees a neighbouring utterance.
        """
        hs: list[int] = []
        he: list[int] = []
        hi: list[int] = []
        for p_index, utts in cand.items():
            rx = self.entries[p_index].search
            for us, ue in zip(starts[utts].tolist(), ends[utts].tolist(), strict=True):
                for a, b in pattern_spans(rx, S[us:ue]):  # type: ignore[arg-type]
                    hs.append(us + a)
                    he.append(us + b)
                    hi.append(p_index)
        return _arr(hs), _arr(he), _arr(hi)

    def _filter(
        self,
        norm: str,
        S: str,
        deleted: np.ndarray | None,
        s: np.ndarray,
        e: np.ndarray,
        idx: np.ndarray,
        codes: np.ndarray,
        neg_end: np.ndarray,
        neg_value: np.ndarray,
    ) -> np.ndarray:
        """Boolean mask: hits kept by the diacritics rule and not negated.

        ``neg_end``, ``neg_value``: the scan's negator literal hits (last
        character, 4 * length + boundary bits).
        """
        keep = np.ones(len(s), dtype=bool)
        entries = self.entries
        if self.any_diacritics and S is not norm:
            todo = np.flatnonzero(~self.plain[idx])
            if len(todo):
                os_ = nz.to_original(s[todo], deleted, len(norm))
                oe_ = nz.to_original(e[todo], deleted, len(norm))
                # a hit spelt without any diacritic in the text is accepted (accept()'s
                # first test): only hits with one need the per-hit rule
                changed = nz.changed_positions(norm)
                need = _any_between(changed, os_, oe_)
                todo = todo[need]
                for k, i, a0, b0, a, b in zip(
                    todo.tolist(),
                    idx[todo].tolist(),
                    os_[need].tolist(),
                    oe_[need].tolist(),
                    s[todo].tolist(),
                    e[todo].tolist(),
                    strict=True,
                ):
                    if not accept(entries[i].spelling, norm[a0:b0], S[a:b]):  # type: ignore[arg-type]
                        keep[k] = False
        neg = self.negation
        if neg.before is None and neg.after is None:
            return keep
        negatable = self.negatable
        check = keep & negatable[idx] & self._near_negator(S, s, e, codes, neg_end, neg_value)
        orig = Original(S, norm, deleted)
        at = np.flatnonzero(check)
        for k, a, b in zip(at.tolist(), s[at].tolist(), e[at].tolist(), strict=True):
            if negated(S, a, b, neg, orig):
                keep[k] = False
        return keep

    def _near_negator(
        self,
        S: str,
        s: np.ndarray,
        e: np.ndarray,
        codes: np.ndarray,
        neg_last: np.ndarray,
        neg_value: np.ndarray,
    ) -> np.ndarray:
        """Hits whose negation window holds a negator literal (a superset of negated).

        Computes each hit's window exactly as :func:`negated` does (clause
        punctuation, then tokens or characters), vectorised over hits, and
        tests whether a negator literal starts inside it.
        """
        if self.neg_everywhere:
            return np.ones(len(s), dtype=bool)
        if len(neg_last) == 0:
            return np.zeros(len(s), dtype=bool)
        neg_end = neg_last + 1
        neg_at = neg_end - neg_value // 4
        bounded = neg_value % 4
        if bounded.any():
            neg_at = neg_at[self._may_be_negator(codes, neg_at, neg_end, bounded, s, e)]
        neg_at = np.sort(neg_at)
        clause = np.flatnonzero(self.is_break[np.minimum(codes, len(self.is_break) - 1)])
        spaces = np.flatnonzero(codes == 32) if self.spaced else None
        if spaces is not None and len(spaces) == 0:
            spaces = np.array([len(S) + 1], dtype=np.int64)  # never inside a window
        rule = self.negation.rule
        out = np.zeros(len(s), dtype=bool)
        if self.negation.before is not None:
            w = rule.window
            lo = np.maximum(0, s - 40 * w - 8)
            k = np.searchsorted(clause, s, side="left") - 1
            lo = np.maximum(lo, np.where(k >= 0, clause[np.clip(k, 0, None)] + 1, 0))
            if spaces is not None:
                # the tail without trailing spaces, then back w spaces
                t_end = s - (codes[np.clip(s - 1, 0, None)] == 32)
                j = np.searchsorted(spaces, t_end, side="left") - w
                first = np.searchsorted(spaces, lo, side="left")
                region_lo = np.where(j >= first, spaces[np.clip(j, 0, None)] + 1, lo)
            else:
                region_lo = np.maximum(lo, s - w)
            out |= _any_between(neg_at, region_lo, s)
        if self.negation.after is not None:
            w = rule.after_window
            hi = e + 40 * w + 40
            k = np.searchsorted(clause, e, side="left")
            hi = np.minimum(
                hi, np.where(k < len(clause), clause[np.clip(k, None, len(clause) - 1)], hi)
            )
            if spaces is not None:
                lead = (codes[np.clip(e, None, len(codes) - 1)] == 32).astype(np.int64)
                n = w + 1 - lead
                j = np.searchsorted(spaces, e + lead, side="left") + n - 1
                region_hi = np.where(j < len(spaces), spaces[np.clip(j, None, len(spaces) - 1)], hi)
                region_hi = np.minimum(region_hi, hi)
            else:
                region_hi = np.minimum(hi, e + w)
            out |= _any_between(neg_at, e, region_hi)
        return out

    def _may_be_negator(
        self,
        codes: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        bounded: np.ndarray,
        s: np.ndarray,
        e: np.ndarray,
    ) -> np.ndarray:
        """Negator literal hits ``[a, b)`` that a term negator can match (a superset).

        A term negator needs no word character before (bit 1) or after (bit 2)
        it, but its regex runs on the window text cut out of ``S``: at a window
        edge it sees nothing there. So a hit is dropped only where a word
        character (not a clause break) sits next to it and that side is not a
        possible window edge: a hit's start or end, or the cut-off 40 tokens
        away. Short negators inside words (``ne`` in ``une``, ``не`` in
        ``нет``) then no longer send every nearby hit through :func:`negated`.
        """
        table = self.word_not_break
        top = len(table) - 1
        n = len(codes)
        rule = self.negation.rule
        bad_start = (bounded & 1).astype(bool)
        bad_start &= table[np.minimum(codes[np.maximum(a - 1, 0)], top)] & (a > 0)
        bad_end = (bounded & 2).astype(bool)
        bad_end &= table[np.minimum(codes[np.minimum(b, n - 1)], top)] & (b < n)
        if bad_start.any():
            _spare(bad_start, a, [e, np.maximum(0, s - 40 * rule.window - 8)])
        if bad_end.any():
            _spare(bad_end, b, [s, np.minimum(n, e + 40 * rule.after_window + 40)])
        return ~(bad_start | bad_end)


def _spare(bad: np.ndarray, pos: np.ndarray, edges: list[np.ndarray]) -> None:
    """Clear ``bad`` (in place) where ``pos`` is one of the ``edges``."""
    at = np.flatnonzero(bad)
    edge = np.sort(np.concatenate(edges))
    if len(edge) == 0:
        return
    k = np.minimum(np.searchsorted(edge, pos[at]), len(edge) - 1)
    bad[at[edge[k] == pos[at]]] = False


def _utterance_of(pos: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``searchsorted(starts, pos, "right") - 1``: the utterance holding each position.

    Aho-Corasick hits come in text order; for sorted ``pos`` the utterances
    are found by searching the few utterance starts among the many positions
    instead (several times faster), with the same result.
    """
    if len(pos) > 1 and not (pos[1:] >= pos[:-1]).all():
        return np.searchsorted(starts, pos, side="right") - 1
    first = np.searchsorted(pos, starts, side="left")  # first position in each utterance
    return np.cumsum(np.bincount(first, minlength=len(pos) + 1)[: len(pos)]) - 1


@lru_cache(maxsize=1)
def _alnum_table() -> np.ndarray:
    """``str.isalnum() or == "_"`` (Python's ``\\w``) per BMP code point, plus a False slot."""
    word = np.array([chr(i).isalnum() for i in range(0x10000)] + [False], dtype=bool)
    word[ord("_")] = True
    return word


@lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    """``str.isalnum()`` or a mark or ``_`` (:func:`normalize.is_word`) per BMP code
    point, plus a False slot for the rest."""
    word = _alnum_table().copy()
    word[[ord(c) for c in nz.word_chars_extra()]] = True
    return word


def _word_at(codes: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Whether the character at each position belongs to a word (``nz.is_word``)."""
    c = codes[pos]
    word = _word_table()[np.minimum(c, 0x10000)]
    big = np.flatnonzero(c > 0xFFFF)  # beyond the BMP (rare): ask Python
    if len(big):
        word[big] = [chr(x).isalnum() for x in c[big].tolist()]
    return word


def _any_between(sorted_pos: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whether some position p with lo <= p < hi exists, per (lo, hi)."""
    return np.searchsorted(sorted_pos, hi, side="left") > np.searchsorted(
        sorted_pos, lo, side="left"
    )


def _sample_text(folder: Any) -> str:
    """Normalised, stripped text of a language's phrase bank and scenario.

    Only used to estimate how common prefilter literals are (speed, not results).
    """
    parts = []
    for name in ("phrases.yaml", "scenario.yaml", "annotated.yaml"):
        f = folder / name
        if f.is_file():
            parts.append(f.read_text(encoding="utf-8"))
    return nz.strip(nz.normalize("\n".join(parts)))[0]


def _arr(x: list[int]) -> np.ndarray:
    return np.array(x, dtype=np.int64)


def _automaton(words: dict[str, Any]) -> Any:
    """An Aho-Corasick automaton over ``words`` (value stored per word), or None."""
    if not words:
        return None
    import ahocorasick

    a = ahocorasick.Automaton()
    for key, value in words.items():
        a.add_word(key, value)
    a.make_automaton()
    return a


def _joined_spans(
    rx: re.Pattern[str], S: str, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`pattern_spans` of every utterance of a joined string, in one scan.

    Returns starts, ends and utterance numbers of the matches. A match that
    reaches outside its utterance (into the separator) could hide or fake
    matches of the utterances it touches; those utterances are searched again
    one by one, so the result equals a per-utterance search.
    """
    spans = [m.span() for m in rx.finditer(S)]
    if not spans:
        return _arr([]), _arr([]), _arr([])
    arr = np.array(spans, dtype=np.int64)
    a, b = arr[:, 0], arr[:, 1]
    k = np.searchsorted(starts, a, side="right") - 1
    kc = np.clip(k, 0, None)
    inside = (k >= 0) & (a >= starts[kc]) & (b <= ends[kc])
    nonempty = a < b
    bad = nonempty & ~inside
    if not bad.any():
        return a[nonempty], b[nonempty], k[nonempty]
    redo: set[int] = set()
    for x, y in zip(a[bad].tolist(), b[bad].tolist(), strict=True):
        # every utterance whose SEP + text + SEP overlaps [x, y)
        lo = int(np.searchsorted(ends, x - len(nz.SEP), side="left"))
        hi = int(np.searchsorted(starts, y + len(nz.SEP), side="left"))
        redo.update(range(lo, hi))
    keep = nonempty & inside & ~np.isin(k, list(redo))
    out_a, out_b, out_k = a[keep].tolist(), b[keep].tolist(), k[keep].tolist()
    for u in sorted(redo):
        us, ue = int(starts[u]), int(ends[u])
        for x, y in pattern_spans(rx, S[us:ue]):
            out_a.append(us + x)
            out_b.append(us + y)
            out_k.append(u)
    return _arr(out_a), _arr(out_b), _arr(out_k)


_CROSSING = ("[^", "\\W", "\\D", "(?s")
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")


def _may_cross(pattern: str) -> bool:
    """Whether a look-around of ``pattern`` could read through the separator
    (newline, NUL, newline) into the next or previous utterance of a joined scan.

    To get past :data:`SEP` a look-around's body must match both a newline and
    NUL, so the parsed pattern is walked and each look-around body is asked
    whether its character matchers accept both (``\\W``, ``[^.]``, ``.`` under
    DOTALL do; ``\\S``, ``\\s``, a plain ``.`` or ``\\w`` do not). A look-around
    that stops at the separator only sees what a single utterance searched as
    ``SEP + text + SEP`` (:func:`pattern_spans`) sees too: ``(?<!\\w)`` or
    ``(?<!de )`` cannot cross, however many ``\\W`` the rest of the pattern
    has. Where the pattern cannot be parsed the textual test is used (a
    look-around anywhere, and such a construct anywhere). A false positive
    only costs speed.
    """
    try:
        from re import _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern, re.MULTILINE)
        return _lookaround_crosses(tree, bool(tree.state.flags & re.DOTALL))
    except Exception:  # noqa: BLE001 - other regex internals: the textual test
        return any(a in pattern for a in _LOOKAROUNDS) and any(c in pattern for c in _CROSSING)


def _lookaround_crosses(sub: Any, dotall: bool) -> bool:
    from re import _constants as C  # type: ignore[attr-defined]

    for op, av in sub:
        if op in (C.ASSERT, C.ASSERT_NOT):
            if _accepts(av[1], dotall) >= {"\n", "\x00"}:
                return True
        elif any(_lookaround_crosses(p, _dotall_in(op, av, dotall)) for p in children(op, av)):
            return True
    return False


def _accepts(sub: Any, dotall: bool) -> set[str]:
    """Which of newline and NUL some character matcher in ``sub`` accepts
    (back-references and unknown nodes: both)."""
    from re import _constants as C  # type: ignore[attr-defined]

    both = {"\n", "\x00"}
    out: set[str] = set()
    for op, av in sub:
        if op is C.LITERAL:
            out |= {chr(av)} & both
        elif op is C.NOT_LITERAL:
            out |= both - {chr(av)}
        elif op is C.ANY:
            out |= both if dotall else {"\x00"}
        elif op is C.IN:
            out |= {c for c in both if _in_class(av, ord(c))}
        elif op is C.AT:
            continue
        elif inner := children(op, av):  # groups, branches, repeats, look-arounds
            for p in inner:
                out |= _accepts(p, _dotall_in(op, av, dotall))
        else:
            return both
        if out == both:
            break
    return out


def _dotall_in(op: Any, av: Any, dotall: bool) -> bool:
    """Whether DOTALL holds inside a parsed node: only a group's ``(?s:``/``(?-s:`` changes it."""
    from re import _constants as C  # type: ignore[attr-defined]

    if op is C.SUBPATTERN:
        _, add, remove, _ = av
        return (dotall or bool(add & re.DOTALL)) and not remove & re.DOTALL
    return dotall


#: What a class escape inside ``[...]`` matches, as a regex (parser category names).
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _in_class(items: Any, code: int) -> bool:
    """Whether a parsed character class (``[...]``, ``\\w``) matches code point
    ``code``; read from the parse tree (compiling each class, some with
    thousands of marks, was most of the matcher's build time). Unknown items
    count as a match."""
    from re import _constants as C  # type: ignore[attr-defined]

    negate, hit = False, False
    for op, v in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit = hit or v == code
        elif op is C.RANGE:
            hit = hit or v[0] <= code <= v[1]
        elif op is C.CATEGORY and str(v) in _CATEGORIES:
            hit = hit or re.match(_CATEGORIES[str(v)], chr(code)) is not None
        else:
            return True
    return hit != negate


def _unique(x: np.ndarray, counts: bool = False) -> Any:
    """Sorted unique values (and counts) by sorting; for int64 keys several times
    faster than numpy 2's hash-based ``np.unique``."""
    x = np.sort(x)
    first = np.ones(len(x), dtype=bool)
    first[1:] = x[1:] != x[:-1]
    if not counts:
        return x[first]
    at = np.flatnonzero(first)
    return x[at], np.diff(np.r_[at, len(x)])


def _dedupe(
    s: np.ndarray, e: np.ndarray, idx: np.ndarray, utt: np.ndarray, cat: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Apply :func:`select_longest` per (utterance, category); sort by utterance, start."""
    order = np.lexsort((idx, e, s, cat, utt))
    s, e, idx, utt, cat = s[order], e[order], idx[order], utt[order], cat[order]
    group = utt * len(CATEGORIES) + cat
    new = np.ones(len(s), dtype=bool)
    new[1:] = group[1:] != group[:-1]
    overlaps = ~new & (s < _group_running_max(e, new))
    keep = np.ones(len(s), dtype=bool)
    if overlaps.any():
        # Only runs of overlapping hits need the longest-first selection, and
        # select_longest on a group is select_longest on each run (a hit that
        # overlaps nothing earlier starts a new run: runs never overlap).
        start = ~overlaps
        rid = np.cumsum(start) - 1
        first = np.flatnonzero(start)
        last = np.r_[first[1:], len(s)]
        runs = np.flatnonzero(last - first > 1)
        # runs whose hits all share a point (two overlapping hits, or several on
        # one phrase: most runs): select_longest keeps one, the longest, then
        # leftmost, then first listed
        max_s = np.maximum.reduceat(s, first)  # s is sorted within a run
        min_e = np.minimum.reduceat(e, first)
        clique = np.zeros(len(first), dtype=bool)
        clique[runs] = (max_s < min_e)[runs]
        if clique.any():
            hit = np.flatnonzero(clique[rid])
            order = hit[np.lexsort((idx[hit], s[hit], s[hit] - e[hit], rid[hit]))]
            winner = np.ones(len(order), dtype=bool)
            winner[1:] = rid[order[1:]] != rid[order[:-1]]
            keep[hit] = False
            keep[order[winner]] = True
        sl, el, il = s.tolist(), e.tolist(), idx.tolist()
        for g in runs[~clique[runs]].tolist():
            a, b = int(first[g]), int(last[g])
            chosen = set(select_longest([(sl[k], el[k], il[k]) for k in range(a, b)]))
            for k in range(a, b):
                keep[k] = (sl[k], el[k], il[k]) in chosen
    s, e, idx, utt, cat = s[keep], e[keep], idx[keep], utt[keep], cat[keep]
    order = np.lexsort((idx, cat, s, utt))
    return s[order], e[order], idx[order], utt[order], cat[order]


def _group_running_max(e: np.ndarray, new: np.ndarray) -> np.ndarray:
    """For each hit, the largest end among earlier hits of its group (-1 for the first)."""
    gid = np.cumsum(new) - 1
    big = int(e.max()) + 1 if len(e) else 1
    run = np.maximum.accumulate(e + gid * big)  # groups never mix: each sits above the last
    prev = np.r_[-1, run[:-1]] - gid * big
    return np.where(new, -1, prev)


# -- compilation ---------------------------------------------------------------------------------


def _prepare(
    index: int, entry: Entry, spaced: bool, marks: bool, score: Score | None = None
) -> Prepared:
    cat = CATEGORIES.index(entry.category)
    if entry.kind == "pattern":
        src = nz.prepare_regex(entry.value, marks=marks)
        s_src = nz.prepare_regex(entry.value, stripped=True, marks=marks)
        return Prepared(
            index,
            cat,
            entry,
            src,
            s_src,
            s_src == src,
            False,
            False,
            pattern_spelling(src, s_src),
            re.compile(s_src, re.MULTILINE),
            best_condition(s_src, score),
            fast_search(s_src, re.MULTILINE) or re.compile(s_src, re.MULTILINE),
        )
    norm = nz.normalize(entry.value.strip())
    key, _ = nz.strip(norm)
    need_start = spaced and nz.is_word(key[0])
    need_end = spaced and entry.kind == "term" and nz.is_word(key[-1])
    return Prepared(
        index,
        cat,
        entry,
        norm,
        key,
        key == norm,
        need_start,
        need_end,
        literal_spelling(norm, key),
    )


def _negator_piece(kind: str, value: str, spaced: bool, marks: bool) -> tuple[str, str, Spelling]:
    """(regex on the stripped text, boundary group key, spelling) of one negator-like item.

    The group key (``"pattern"``, or which ends need a word boundary) lets
    terms with the same boundaries share one trie alternation.
    """
    w = nz.word_class() if marks else "\\w"
    if kind == "pattern":
        src = nz.prepare_regex(value, marks=marks)
        s_src = nz.prepare_regex(value, stripped=True, marks=marks)
        return s_src, "pattern", pattern_spelling(src, s_src)
    norm = nz.normalize(value.strip())
    key = nz.strip(norm)[0]
    if not spaced or (kind == "term" and "'" in key):
        start, end = False, False  # unspaced script, or a clitic such as n't
    else:
        start, end = nz.is_word(key[0]), kind == "term" and nz.is_word(key[-1])
    rx = ("(?<![" + w + "])" if start else "") + re.escape(key) + ("(?![" + w + "])" if end else "")
    return rx, f"{start:d}{end:d}", literal_spelling(norm, key)


def compile_negation(rule: Negation, spaced: bool, marks: bool = True) -> CompiledNegation:
    """One regex over all negators, applied to the window text (stripped).

    Terms sharing a boundary rule go into one bracketed alternation, so the
    word-character class is tested once per position, not once per negator.
    Negators with diacritics are also compiled one by one (see
    :class:`CompiledNegation`), and so are the ``comma_continues_before`` items.
    """
    before, strict, plain_rx = _negator_set(rule.negators, spaced, marks)
    after_items = (rule.negators if rule.after else ()) + rule.negators_after
    after, after_strict, after_plain_rx = _negator_set(after_items, spaced, marks)
    if rule.window <= 0:
        before = None
    if rule.after_window <= 0:
        after = None
    w = nz.word_class() if marks else "\\w"
    continues = []
    for kind, value in rule.comma_continues_before:
        piece, group, sp = _negator_piece(kind, value, spaced, marks)
        if group != "pattern":  # a term or stem opens the clause
            piece = piece.removeprefix("(?<![" + w + "])")
            continues.append((re.compile(f"\\A(?=({piece}))"), sp))
        else:  # a pattern is searched in the whole clause
            continues.append((re.compile(f"(?=({piece}))", re.MULTILINE), sp))
    return CompiledNegation(
        before,
        after,
        rule,
        spaced,
        strict,
        plain_rx,
        rule.clause_breaks + nz.ALWAYS_BREAKS,
        tuple(continues),
        after_strict,
        after_plain_rx,
    )


def _negator_set(
    items: Sequence[tuple[str, str]], spaced: bool, marks: bool
) -> tuple[
    re.Pattern[str] | None, tuple[tuple[re.Pattern[str], Spelling], ...], re.Pattern[str] | None
]:
    """(one regex over the negators, the ones with diacritics one by one, the others' regex)."""
    w = nz.word_class() if marks else "\\w"
    groups: dict[tuple[bool, bool], list[str]] = {}
    patterns = []
    plain_parts = []
    strict = []
    for kind, value in items:
        piece, group, sp = _negator_piece(kind, value, spaced, marks)
        if sp.plain:
            plain_parts.append(f"(?:{piece})")
        else:
            strict.append((re.compile(f"(?=({piece}))", re.MULTILINE), sp))
        if group == "pattern":
            patterns.append(f"(?:{piece})")
            continue
        key = nz.strip(nz.normalize(value.strip()))[0]
        bounds = (group[0] == "1", group[1] == "1")
        groups.setdefault(bounds, []).append(key)
    parts = []
    for (start, end), keys in groups.items():
        alt = trie_regex(keys)
        parts.append(
            ("(?<![" + w + "])" if start else "")
            + f"(?:{alt})"
            + ("(?![" + w + "])" if end else "")
        )
    parts += patterns
    rx = re.compile("|".join(parts), re.MULTILINE) if parts else None
    plain_rx = re.compile("|".join(plain_parts), re.MULTILINE) if strict and plain_parts else None
    return rx, tuple(strict), plain_rx


def trie_regex(words: Iterable[str]) -> str:
    """An alternation of literal words as a regex trie.

    Python's ``re`` tries the branches of ``a|b|c`` one by one at every
    position; sharing prefixes (``no|not|never`` -> ``n(?:o(?:t)?|ever)``) makes
    a search over a few dozen negators several times faster. Backtracking
    still finds a shorter word when a longer one fails its boundary.

    Examples
    --------
    >>> trie_regex(["no", "not", "never"])
    'n(?:ever|o(?:t)?)'
    """
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        end = "" in node
        alts = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return f"(?:{body})?"
        return body

    return emit(trie)


@lru_cache(maxsize=64)  # an author editing a lexicon makes a new version per save
def _matcher_for(key: tuple[str, str, tuple[tuple[str, str], ...]]) -> Matcher:
    return Matcher(load_lexicon(key[0]))


def get_matcher(language: str) -> Matcher:
    """The compiled matcher of a language, rebuilt only when a lexicon file changes."""
    return _matcher_for(lexicon_key(language))


def _worker_hits(language: str, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    # runs in a forked child: the parent's compiled matcher is inherited, not rebuilt
    return get_matcher(language).hits(texts)


def hits_parallel(
    texts_by_language: dict[str, list[str]], workers: int
) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """:meth:`Matcher.hits` of every language's texts over one pool of ``workers`` processes.

    Yields ``(language, rows, entry indices)`` as each language's last chunk
    comes back, so that the caller tabulates one language while the workers
    match the next. All languages share the pool, which is forked once, after
    every matcher is compiled (the children inherit them). The texts are cut
    into contiguous chunks, several per worker so that the chunks of a slow
    language (Hindi, Arabic) do not leave a worker idle at the end; the largest
    go first. Falls back to one process where ``fork`` is unavailable. The
    result does not depend on the split: hits are per utterance, and chunk rows
    are offset back.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    for code in texts_by_language:
        get_matcher(code)  # compile before forking
    total = sum(map(len, texts_by_language.values()))
    if workers <= 1 or total == 0 or "fork" not in mp.get_all_start_methods():
        for code, texts in texts_by_language.items():
            yield (code, *get_matcher(code).hits(texts))
        return
    # about four chunks per worker, none much smaller than a few thousand texts
    # (each call has a fixed cost per lexicon pattern)
    step = max(-(-total // (4 * workers)), MIN_CHUNK)
    tasks = [
        (code, lo, texts[lo : lo + step])
        for code, texts in texts_by_language.items()
        for lo in range(0, len(texts), step)
    ]
    tasks.sort(key=lambda t: -len(t[2]))  # stable: a language's chunks stay together
    pending = {code: 0 for code in texts_by_language}
    for code, _, _ in tasks:
        pending[code] += 1
    parts: dict[str, list[tuple[int, np.ndarray, np.ndarray]]] = {c: [] for c in pending}
    ctx = mp.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx) as pool:
        futures = {pool.submit(_worker_hits, code, chunk): (code, lo) for code, lo, chunk in tasks}
        for code in [c for c, n in pending.items() if n == 0]:  # no texts
            yield code, _arr([]), _arr([])
        for f in as_completed(futures):
            code, lo = futures[f]
            r, i = f.result()
            parts[code].append((lo, r, i))
            pending[code] -= 1
            if pending[code] == 0:
                done = sorted(parts.pop(code), key=lambda x: x[0])
                rows = np.concatenate([r + lo for lo, r, _ in done])
                yield code, rows, np.concatenate([i for _, _, i in done])
