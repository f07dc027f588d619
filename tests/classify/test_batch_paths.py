"""The array paths used on joined batches give what the per-string paths give.

:func:`~backfire.classify._normalize.normalize` and
:func:`~backfire.classify._normalize.strip` switch to code-point arrays from
``ARRAY_MIN`` characters on (full-width punctuation replaced before NFKC, a
look-up table for the diacritics); the result must not depend on the length.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from backfire.classify import _normalize as nz
from backfire.classify import classify

ALPHABET = (
    "abc xyz éèêëÉıđøłİI  \t\n’'`…，？！：；　ｆＡ＂（）"  # Latin, Turkish, full-width
    "كَتَبُّ ـأإآ"  # Arabic with harakat and tatweel
    "किक़ाें"  # Devanagari with nukta and vowel signs
    "가각각 ﾊﾞｶﾞ"  # Hangul syllables and jamo, half-width kana
    "\u0301\u0307\u0323\x00😀\ud800\udc00"  # lone accents, NUL, astral, lone surrogates
    + "".join(chr(c) for c in range(0x300, 0x370))
)


def _plain(monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[str, str, np.ndarray | None]:
    with monkeypatch.context() as m:
        m.setattr(nz, "ARRAY_MIN", 10**12)
        norm = nz.normalize(text)
        return (norm, *nz.strip(norm))


@pytest.mark.parametrize("seed", range(3))
def test_array_paths_equal_plain_paths(monkeypatch, seed):
    rng = random.Random(seed)
    for _ in range(40):
        n = rng.choice((nz.ARRAY_MIN, 3000, 6000))
        text = "".join(rng.choice(ALPHABET) for _ in range(n))
        if rng.random() < 0.3:  # mostly ASCII, a few accents: the sparse case
            text = "".join(c if rng.random() < 0.02 else "a "[rng.random() < 0.2] for c in text)
        norm, stripped, deleted = _plain(monkeypatch, text)
        assert nz.normalize(text) == norm
        s2, d2 = nz.strip(norm)
        assert s2 == stripped
        assert (deleted is None) == (d2 is None)
        if deleted is not None:
            assert d2.dtype == np.int64
            assert d2.tolist() == deleted.tolist()
        if stripped == norm:
            assert s2 is norm  # unchanged text comes back as the same object


def test_array_strip_on_plain_text_returns_it():
    text = "we must not send her away. " * 200
    assert len(text) >= nz.ARRAY_MIN
    s, d = nz.strip(text)
    assert s is text and d is None


def test_fullwidth_premap_keeps_nfkc():
    text = "みんなで、反対！？…　（一緒）：；ＡＢ" * 200
    assert nz.normalize(text) == "".join(nz.normalize(t) for t in [text[: len(text) // 2]] * 2)


def test_lookahead_does_not_see_the_next_utterance(make_language):
    # In a batch the utterances that may match a pattern are scanned joined by a
    # separator; a lookahead such as (?![^.]*\bbut\b) must still stop at the end
    # of its own utterance (found by a lexicon author: batch and per-utterance
    # results differed).
    code = make_language(
        "xla",
        lexicon={
            "conformity": [{"pattern": r"\bI will go along\b(?![^.;!?]*\bbut\b)"}],
            "individuation": [{"pattern": r"(?=[^.]*\bmy own\b)\bI think\b"}],
        },
    )
    texts = [
        "I will go along",
        "but that is another matter",
        "I will go along",
        "I think",
        "this is my own view",
        "I think it is my own view",
        "I will go along, but not happily",
    ]
    batch = classify(texts, code)
    alone = pd.concat([classify([t], code) for t in texts], ignore_index=True)
    assert batch.drop(columns="matched").equals(alone.drop(columns="matched"))
    assert batch["conformity"].tolist() == [1, 0, 1, 0, 0, 0, 0]
    assert batch["individuation"].tolist() == [0, 0, 0, 0, 0, 1, 0]


def test_lookbehind_does_not_see_the_previous_utterance(make_language):
    # The same for a lookbehind wider than the separator: at the start of an
    # utterance (?<![^.]{4}) sees only the separator on its own, but in a joined
    # scan it would read on into the previous utterance's end.
    code = make_language(
        "xlb",
        lexicon={
            "conformity": [{"pattern": r"(?<![^.]{4})\bagree\b"}],
            "individuation": [{"pattern": r"(?<=\W\W\W\W)\bmine\b"}],
        },
    )
    texts = ["I do agree", "agree", "is it mine?", "mine", "yes ... mine"]
    batch = classify(texts, code)
    alone = pd.concat([classify([t], code) for t in texts], ignore_index=True)
    assert batch.drop(columns="matched").equals(alone.drop(columns="matched"))
    assert batch["conformity"].tolist() == [0, 1, 0, 0, 0]
    assert batch["individuation"].tolist() == [0, 0, 0, 0, 1]


@pytest.mark.parametrize(
    ("pattern", "crosses"),
    [
        (r"(?<!\w)foo(?:\S+\s+){0,2}bar", False),  # \S outside the look-around
        (r"(?<!de )\bx", False),
        (r"(?=\s)x?", False),  # may match the separator's newlines, not its NUL
        (r"(?<![\u0300-\u036f])x", False),
        (r"(?<=\W\W\W\W)\bmine\b", True),
        (r"(?!.{0,3}x)ab", False),
        (r"foo(?=[^a]*bar)", True),
        (r"(?=(?:x|\S))y", False),  # \S, . and \w stop at the newline
        (r"(?!.{0,8}x)y", False),
        (r"(?s)(?!.{0,8}x)y", True),
        (r"(?=(?:\n|\S)+z)y", True),  # newline in one branch, NUL in the other
        (r"(a)(?=\1)", True),  # a back-reference: assumed to cross
    ],
)
def test_only_lookarounds_that_can_pass_the_separator_are_searched_alone(pattern, crosses):
    from backfire.classify._match import _may_cross

    assert _may_cross(pattern) is crosses


def test_lookarounds_that_stop_at_the_separator_batch_like_single_texts(make_language):
    # Not isolated (their look-arounds cannot pass the separator's NUL), so these
    # run over the joined candidates; results must equal one text at a time.
    code = make_language(
        "xnc",
        lexicon={
            "conformity": [{"pattern": r"(?<!\w)agree(?:\S+\s+){0,2}(?=\s|$)"}],
            "individuation": [{"pattern": r"(?<!de )\bmine\b(?!\w)"}],
        },
    )
    texts = ["agree", "I agree, fully", "de mine", "mine", "agree mine", "x de", "mine de"]
    batch = classify(texts, code)
    alone = pd.concat([classify([t], code) for t in texts], ignore_index=True)
    assert batch.equals(alone)
    assert batch[["conformity", "individuation"]].to_numpy().sum() >= 4
