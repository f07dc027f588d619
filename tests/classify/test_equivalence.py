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


def test_workers_give_the_same_result(make_language, monkeypatch):
    from backfire.classify import _classify

    code = make_language("xp", lexicon=LEXICON, negation={"negators": ["not"], "window": 2})
    monkeypatch.setattr(_classify, "MIN_PARALLEL", 10)
    rng = random.Random(7)
    texts = [random_text(rng) for _ in range(101)]
    one = classify(texts, code)
    assert classify(texts, code, workers=3).equals(one)
    assert classify(texts, code, workers=None).equals(one)
