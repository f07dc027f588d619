"""The compiled matcher equals the reference loop (utterances x entries) on random text."""

from __future__ import annotations

import random

import pytest

from backfire.classify import _match, classify

_WORDS = """
we must get rid of her send him out away exclude excluded refuse refused unjust décision
decision DÉCISION together stay united harmony harmonious go along with the majority bỏ bo bố
personally resume résumé not n't never no won't allow nothing know lunch is at noon the of and
"""
VOCAB = _WORDS.split()
PUNCT = [".", ",", "!", "?", ";", ":", "\n", "  ", "\t", "…", "'", "’"]


def random_text(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return rng.choice(["", " ", "\n", ".", "x"])
    words = []
    for _ in range(rng.randint(1, 25)):
        w = rng.choice(VOCAB)
        if rng.random() < 0.1:
            w = w.upper()
        words.append(w)
        words.append(rng.choice(PUNCT) if rng.random() < 0.2 else " ")
    return "".join(words)


LEXICON = {
    "harmful": [
        {"term": "get rid of"},
        {"stem": "exclud"},
        {"pattern": r"send (her|him|them) (out|away)"},
        {"pattern": r"[^.]*rid"},  # can run across utterance edges in a joined scan
        {"pattern": r"^we\b"},
        {"term": "won't allow", "negatable": False},
        {"pattern": r"(?<!not )refus\w*"},
        {"pattern": r"(?<=the )majority"},
    ],
    "protective_principled": [
        {"term": "refuse"},
        {"stem": "refus"},
        {"term": "unjust"},
        {"term": "décision"},
        {"pattern": r"\bno\b.*\bnoon$"},
    ],
    "protective_harmony": [{"term": "together"}, {"term": "stay united"}, {"stem": "harmon"}],
    "conformity": [
        {"term": "go along"},
        {"term": "go along with the majority"},
        {"term": "bỏ"},
        {"pattern": "(?:along|with) the"},
        {"pattern": r"(?:the )?major\w+|\bwe\b"},
        {"pattern": r"(?<![a-z])bo\b|go along"},
    ],
    "individuation": [{"term": "personally"}, {"term": "resume"}, {"term": "together"}],
}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("after", [False, True])
def test_fast_equals_naive_spaced(make_language, monkeypatch, seed, after):
    negation = {
        "negators": ["not", "n't", "never", "no", {"stem": "know"}, {"pattern": "^t"}],
        "window": 3,
        "after": after,
        "after_window": 2,
        # after-only negators, one with a diacritic (the strict path of the after-window)
        "negators_after": ["wrong", "décision"],
    }
    code = make_language(f"xe{seed}{int(after)}", lexicon=LEXICON, negation=negation)
    monkeypatch.setattr(_match, "_BATCH", 37)  # several batches, offsets must line up
    rng = random.Random(seed)
    texts = [random_text(rng) for _ in range(400)]
    fast = classify(texts, code)
    naive = classify(texts, code, naive=True)
    assert fast.equals(naive)
    assert fast.iloc[:, :5].to_numpy().sum() > 100  # the test exercises something


JA_VOCAB = list("追い出すべきだ反対ですしませんないみんなで一緒に和を大切私はが、。！") + [
    "追い出",
    "反対",
    "みんな",
    "ません",
]


@pytest.mark.parametrize("seed", range(3))
def test_fast_equals_naive_unspaced(make_language, seed):
    code = make_language(
        f"xu{seed}",
        base="ja",
        lexicon={
            "harmful": [{"stem": "追い出"}, {"pattern": "出[すさ]"}],
            "protective_principled": [{"term": "反対"}],
            "protective_harmony": [
                {"term": "みんなで"},
                {"term": "和"},
                {"pattern": "みんな.{0,3}一緒"},
            ],
            "conformity": [{"term": "みんな"}],
        },
        negation={"negators": ["ない", "ません"], "window": 2, "after": True, "after_window": 4},
    )
    rng = random.Random(seed)
    texts = ["".join(rng.choice(JA_VOCAB) for _ in range(rng.randint(0, 30))) for _ in range(300)]
    fast = classify(texts, code)
    assert fast.equals(classify(texts, code, naive=True))
    assert fast.iloc[:, :5].to_numpy().sum() > 50


GLUED = ["refuse", "no", "use", "nouse", "refno", "ref", "usea", "know", "ano", "réf"]
# a negator right at the cut-off of a one- or two-token window (40 * window + 8
# characters before a hit, 40 * after_window + 40 after it) inside one long word
GLUED += ["zkno" + "a" * (40 * w + 5) + "f" for w in (1, 2)]
GLUED += ["f" + "a" * (40 * w + 37) + "-noz" for w in (1, 2)]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("window", [1, 2])
def test_negator_terms_glued_to_words_and_window_edges(make_language, seed, window):
    """Term negators inside words, at a hit's edge or at the 40-token cut-off.

    The negation prefilter drops negator literals with a word character next
    to them, except where a window edge lies (the negator regex runs on the
    window text, so it sees nothing there); both paths must still agree.
    """
    lexicon = {
        "harmful": [{"pattern": "use"}, {"pattern": "f"}, {"stem": "ref"}],
        "protective_principled": [{"term": "refuse"}, {"pattern": "a+"}],
        "conformity": [{"pattern": "n"}, {"term": "know"}],
    }
    negation = {
        "negators": ["ref", "no", {"stem": "kno"}, "use", "a", "-no"],
        "window": window,
        "after": True,
        "after_window": window,
        "negators_after": ["réf"],
    }
    code = make_language(f"xg{seed}{window}", lexicon=lexicon, negation=negation)
    rng = random.Random(seed)
    texts = [
        "".join(rng.choice(GLUED) + rng.choice([" ", " ", "", ", ", "\n"]) for _ in range(12))
        for _ in range(300)
    ]
    fast = classify(texts, code)
    assert fast.equals(classify(texts, code, naive=True))
    assert fast.iloc[:, :5].to_numpy().sum() > 100


def test_workers_give_the_same_result(make_language, monkeypatch):
    from backfire.classify import _classify

    code = make_language("xp", lexicon=LEXICON, negation={"negators": ["not"], "window": 2})
    monkeypatch.setattr(_classify, "MIN_PARALLEL", 10)
    rng = random.Random(7)
    texts = [random_text(rng) for _ in range(101)]
    one = classify(texts, code)
    assert classify(texts, code, workers=3).equals(one)
    assert classify(texts, code, workers=None).equals(one)


def test_mixed_languages_match_each_language_alone(make_language, monkeypatch):
    import pandas as pd

    from backfire.classify import _classify, _match

    a = make_language("xma", lexicon=LEXICON, negation={"negators": ["not"], "window": 2})
    other = {cat: [e for e in entries if "term" in e] for cat, entries in LEXICON.items()}
    b = make_language("xmb", lexicon=other, negation={"negators": ["never"], "window": 1})
    rng = random.Random(11)
    texts = [random_text(rng) for _ in range(160)]
    texts += texts[:40]  # repeated texts, matched once per language
    langs = [rng.choice((a, b)) for _ in texts]
    index = pd.RangeIndex(1000, 1000 + len(texts))
    expected = pd.concat(
        [
            classify([t for t, c in zip(texts, langs, strict=True) if c == code], code).set_axis(
                [k for k, c in zip(index, langs, strict=True) if c == code]
            )
            for code in (a, b)
        ]
    ).loc[index]
    assert expected.iloc[:, :5].to_numpy().sum() > 50
    assert (expected.iloc[:, :5] != classify(texts, a).set_axis(index).iloc[:, :5]).any().any()
    series = pd.Series(texts, index=index)
    assert classify(series, langs).equals(expected)
    assert classify(series, pd.Series(langs), naive=True).equals(expected)
    # one pool over both languages, several chunks each, largest first
    monkeypatch.setattr(_classify, "MIN_PARALLEL", 10)
    monkeypatch.setattr(_match, "MIN_CHUNK", 7)
    assert classify(series, langs, workers=3).equals(expected)


def test_language_per_text_is_checked_before_matching(make_language):
    from backfire.classify import LexiconError

    code = make_language("xmc", lexicon=LEXICON, negation={"negators": ["not"], "window": 2})
    with pytest.raises(ValueError, match="'language' has 1 codes for 2 texts"):
        classify(["a", "b"], [code])
    with pytest.raises(LexiconError, match="zz"):
        classify(["a", "b"], [code, "zz"])
    with pytest.raises(TypeError, match="position 1"):
        classify(["a", "b"], [code, None])


# -- the search hints of fast_search and the vectorised overlap rule ----------------------------

HINT_PATTERNS = [
    r"\b(send|sent|kick) (her|him)\b",
    r"(?<!not )\brefus\w*",
    r"(?<![a-z])bo\b|go along",
    r"^we\b",
    r"x?y[ab]+",
    r"(?:a|b)?c",
    r"(?<=the )majority",
    r"\b(?:abc|abd)e",
    r"[^.]*rid",  # may start anywhere: no hint
    r"\w+ing\b",  # idem
    r"(a)(?(1)b|c)d",
    r"(?>ab|a)c",
    r"\bab(?=c)",
]


@pytest.mark.parametrize("pattern", HINT_PATTERNS)
def test_fast_search_finds_the_same_matches(pattern):
    import re

    from backfire.classify._requirements import fast_search

    fast = fast_search(pattern) or re.compile(pattern, re.MULTILINE)
    plain = re.compile(pattern, re.MULTILINE)
    rng = random.Random(pattern)
    alphabet = "abcdexyz \n.gorthinsefwkmj"
    for _ in range(200):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        s += rng.choice(["", " send her", " refused", " the majority", " we", " abc"])
        assert [m.span() for m in fast.finditer(s)] == [m.span() for m in plain.finditer(s)]
        for pos in range(0, len(s), 7):
            a, b = fast.search(s, pos), plain.search(s, pos)
            assert (a and a.span()) == (b and b.span())


def test_fast_search_hints_where_it_can():
    from backfire.classify._requirements import fast_search

    assert fast_search(r"\b(send|kick) her") is not None
    assert fast_search(r"(?<!\w)[وف]?(?:معا|سويا)") is not None
    assert fast_search(r"\w+ing") is None  # may start with any word character
    assert fast_search(r"(?i)\bsend") is None  # case-insensitive: literal sets too narrow


def test_dedupe_equals_select_longest():
    import numpy as np

    from backfire.classify._rules import select_longest

    rng = random.Random(3)
    n = 3000
    s = np.array([rng.randint(0, 60) for _ in range(n)], dtype=np.int64)
    e = s + np.array([rng.randint(1, 6) for _ in range(n)], dtype=np.int64)
    idx = np.array([rng.randint(0, 9) for _ in range(n)], dtype=np.int64)
    utt = np.array([rng.randint(0, 400) for _ in range(n)], dtype=np.int64)
    cat = np.array([rng.randint(0, 4) for _ in range(n)], dtype=np.int64)
    # one hit per (utterance, entry, span), as the scans give
    _, first = np.unique(np.c_[utt, idx, s, e], axis=0, return_index=True)
    s, e, idx, utt, cat = s[first], e[first], idx[first], utt[first], cat[first]
    got = _match._dedupe(s, e, idx, utt, cat)
    want: list[tuple[int, ...]] = []
    groups: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for k in range(len(s)):
        groups.setdefault((int(utt[k]), int(cat[k])), []).append(
            (int(s[k]), int(e[k]), int(idx[k]))
        )
    for (u, c), hits in groups.items():
        want += [(u, a, c, i, b) for a, b, i in select_longest(hits)]
    want.sort()
    gs, ge, gi, gu, gc = (x.tolist() for x in got)
    assert sorted(zip(gu, gs, gc, gi, ge, strict=True)) == want


def test_lean_keeps_the_first_set_and_drops_sets_that_rule_out_little():
    from backfire.classify._requirements import lean

    corpus = "\n".join(["the cat sat"] * 50 + ["send her out"] * 3 + ["a rare word"] * 2)
    cat, the, sat, rare = (frozenset({w}) for w in ("cat", "the", "sat", "rare"))
    conds = [((cat, the),), ((sat, rare), (rare,))]
    # "the" rules out no line holding "cat" and costs 50 hits: dropped; "rare"
    # rules out 50 lines holding "sat" for 2 hits: kept
    assert lean(conds, corpus) == [((cat,),), ((sat, rare), (rare,))]
    assert lean([], corpus) == []
