"""Regression tests for bugs reported by the lexicon authors.

Each test builds a temporary language (see ``conftest.py``) and checks the
compiled matcher and the reference loop alike.
"""

from __future__ import annotations

import random

import pytest

from backfire.classify import LexiconError, classify, load_lexicon
from backfire.classify import _normalize as nz

COLS = ["harmful", "protective_principled", "protective_harmony", "conformity", "individuation"]


def hits(texts: list[str], code: str) -> list[dict[str, int]]:
    """Per text, the non-zero counts; the fast path must equal the reference loop."""
    df = classify(texts, code)
    assert df.equals(classify(texts, code, naive=True))
    return [{c: int(df[c].iloc[i]) for c in COLS if df[c].iloc[i]} for i in range(len(texts))]


# -- 1. Turkish capital İ ------------------------------------------------------------------------


def test_normalize_turkish_capital_i():
    assert nz.normalize("İtiraz") == "itiraz"
    assert nz.normalize("I\u0307TİRAZ") == "itiraz"  # decomposed input too
    assert nz.strip(nz.normalize("İTİRAZ EDİYORUM"))[1] is None  # nothing left to delete


def test_turkish_capital_i_hits_entries_with_diacritics(make_language):
    code = make_language(
        "xti",
        base="tr",
        lexicon={
            "protective_principled": [
                {"pattern": r"(?<!\w)(?:itiraz ed\w*|karşı çıkıyorum)"},  # ş, ç: not plain
            ],
            "individuation": [{"term": "bence öyle"}],
            "harmful": [{"pattern": r"katil\w*|suç"}],
        },
    )
    got = hits(
        [
            "İtiraz ediyorum.",
            "itiraz ediyorum.",
            "İTİRAZ EDİYORUM!",
            "BENCE ÖYLE",
            "Bİzce",
            "Katılıyorum.",  # ı is a letter of its own: not the entry's i (katil)
            "KATİLLER",
        ],
        code,
    )
    assert got == [
        {"protective_principled": 1},
        {"protective_principled": 1},
        {"protective_principled": 1},
        {"individuation": 1},
        {},
        {},
        {"harmful": 1},
    ]


# -- 2. Arabic harakat, tanween, shadda, tatweel ------------------------------------------------


@pytest.fixture
def ar_like(make_language) -> str:
    return make_language(
        "xar",
        base="ar",
        lexicon={
            "protective_principled": [{"pattern": r"(?<!\w)[أن]رفض\w*"}],
            "individuation": [{"term": "أرفض"}, {"term": "عَلِم"}],
            "harmful": [{"stem": "طرد"}],
            "conformity": [{"pattern": r"(?<!\w)أخلاقي(?:ا|ًا)"}, {"term": "مسؤول"}],
        },
        negation={"negators": ["لا", "أبدًا"], "window": 2},
    )


def test_arabic_text_marks_are_ignored(ar_like):
    texts = [
        "أرفض طردها",
        "أرفضُ طردها",  # damma on the last letter
        "أَرْفُضُ طَرْدَهَا",  # fully vocalised
        "أرفـــض طردها",  # tatweel
        "ارفض",  # hamza left out
        "إرفض",  # a different hamza form: not the entry
    ]
    assert hits(texts, ar_like) == [
        {"protective_principled": 1, "individuation": 1, "harmful": 1},
        {"protective_principled": 1, "individuation": 1, "harmful": 1},
        {"protective_principled": 1, "individuation": 1, "harmful": 1},
        {"protective_principled": 1, "individuation": 1, "harmful": 1},
        {"protective_principled": 1, "individuation": 1},
        {},
    ]


def test_arabic_marks_of_the_entry(ar_like):
    texts = [
        "أخلاقيًا",  # tanween as in the pattern
        "أخلاقيا",  # left out
        "أخلاقيًّا",  # a shadda added
        "مسؤولٌ",  # tanween on a term with a hamza form
        "علم",  # the entry عَلِم without marks
        "عَلِمَ",  # the entry's marks plus one where it has none
        "عِلْم",  # kasra where the entry has a fatha: another word
    ]
    assert hits(texts, ar_like) == [
        {"conformity": 1},
        {"conformity": 1},
        {"conformity": 1},
        {"conformity": 1},
        {"individuation": 1},
        {"individuation": 1},
        {},
    ]


def test_arabic_negators_with_marks(ar_like):
    # لا has no marks: any spelling counts; أبدًا: its tanween may be left out, but
    # إ is not its أ
    assert hits(["لَا طردها", "لأ طَرْد", "ابدا طرد", "أبدًا طرد", "إبدا طرد"], ar_like) == [
        {},
        {},
        {},
        {},
        {"harmful": 1},
    ]


# -- 3. negators and diacritics ------------------------------------------------------------------


def test_negators_follow_the_diacritics_rule(make_language):
    code = make_language(
        "xvi",
        base="vi",
        lexicon={"harmful": [{"term": "đuổi"}], "individuation": [{"term": "không"}]},
        negation={"negators": ["đừng", {"pattern": r"chớ\b"}], "window": 2},
    )
    texts = [
        "đừng đuổi",
        "dung đuổi",  # typed without accents: still the negator
        "ĐỪNG ĐUỔI",
        "đúng đuổi",  # right
        "dùng đuổi",  # use
        "đứng đuổi",  # stand
        "chớ đuổi",
        "cho đuổi",
        "chó đuổi",  # dog
    ]
    assert hits(texts, code) == [
        {},
        {},
        {},
        {"harmful": 1},
        {"harmful": 1},
        {"harmful": 1},
        {},
        {},
        {"harmful": 1},
    ]


# -- 4. clause breaks and German commas ----------------------------------------------------------

DE_LEXICON = {"harmful": [{"stem": "rauswerf"}, {"stem": "rausgeworfen"}, {"stem": "rauszuschick"}]}
DE_NEGATION = {"negators": ["nicht", "dagegen", "weigere"], "window": 4}
DE_TEXTS = [
    "Ich finde nicht, dass wir sie rauswerfen sollten",
    "Ich bin dagegen, dass Katrin rausgeworfen wird",
    "Ich weigere mich, sie rauszuschicken",
    "Nicht, wir sollten sie rauswerfen",
    "Ich weiß nicht, ob wir sie rauswerfen",
    "Nicht heute; sie rauswerfen",
]


def test_german_commas_default_unchanged(make_language):
    code = make_language("xde", base="de", lexicon=DE_LEXICON, negation=DE_NEGATION)
    assert hits(DE_TEXTS, code) == [{"harmful": 1}] * 6


def test_comma_continues_before(make_language):
    negation = {
        **DE_NEGATION,
        "comma_continues_before": ["dass", "ob", {"pattern": r"\bzu\b|\wzu\w+en\b"}],
    }
    code = make_language("xdf", base="de", lexicon=DE_LEXICON, negation=negation)
    assert hits(DE_TEXTS, code) == [{}, {}, {}, {"harmful": 1}, {}, {"harmful": 1}]
    # the listed term must open the clause; a pattern may match anywhere in it
    more = ["Nicht, wir sagen dass sie rauswerfen", "Nicht, sie zu rauswerfen"]
    assert hits(more, code) == [{"harmful": 1}, {}]


def test_clause_breaks(make_language):
    code = make_language(
        "xdb",
        base="de",
        lexicon=DE_LEXICON,
        negation={**DE_NEGATION, "clause_breaks": ".!?"},
    )
    assert hits(DE_TEXTS, code) == [{}, {}, {}, {}, {}, {}]
    # line breaks always end a window
    assert hits(["nicht\nrauswerfen", "nicht. rauswerfen"], code) == [{"harmful": 1}] * 2


@pytest.mark.parametrize(
    ("negation", "message"),
    [
        ({"clause_breaks": ". !"}, "clause_breaks must hold punctuation"),
        ({"clause_breaks": [".", "!"]}, "clause_breaks must be a string"),
        ({"comma_continues_before": "dass"}, "comma_continues_before must be a list"),
        ({"comma_continues_before": [{"stem": ""}]}, "non-empty string"),
    ],
)
def test_bad_negation_options(make_language, negation, message):
    code = make_language(
        "xdn", lexicon={"harmful": [{"term": "ok"}]}, negation={**DE_NEGATION, **negation}
    )
    with pytest.raises(LexiconError, match=message):
        load_lexicon(code)


def test_negation_options_default(make_language):
    code = make_language("xdo", lexicon={"harmful": [{"term": "ok"}]}, negation=DE_NEGATION)
    neg = load_lexicon(code).negation
    assert neg.clause_breaks == nz.DEFAULT_CLAUSE_BREAKS
    assert neg.comma_continues_before == ()


# -- the fast path equals the reference loop with all of the above -------------------------------

MIXED_WORDS = """
đừng dung đúng dùng đuổi duoi ĐUỔI bỏ bo bố décision decision DÉCISION résumé resume
أرفض أرفضُ ارفض إرفض أَرْفُضُ طرد طَرْد لا لَا أبدًا أبدا أخلاقيًا أخلاقيا عَلِم علم عِلْم
İtiraz itiraz ediyorum katıl katil nicht dass ob zu rauswerfen rauszuschicken wir sie
"""
MIXED_VOCAB = MIXED_WORDS.split()
MIXED_PUNCT = [",", ", ", ".", ";", "\n", "  ", " ", "ـ", "\u064f", "\u0307"]


@pytest.mark.parametrize("seed", range(3))
def test_fast_equals_naive_with_marks_and_options(make_language, monkeypatch, seed):
    from backfire.classify import _match

    code = make_language(
        f"xm{seed}",
        lexicon={
            "harmful": [
                {"term": "đuổi"},
                {"stem": "طرد"},
                {"stem": "rauswerf"},
                {"pattern": r"rauszu\w+|katil\w*|suç"},
            ],
            "protective_principled": [{"pattern": r"(?<!\w)[أن]رفض\w*"}, {"term": "décision"}],
            "individuation": [{"term": "أرفض"}, {"term": "عَلِم"}, {"term": "résumé"}],
            "conformity": [{"pattern": r"(?<!\w)أخلاقي(?:ا|ًا)"}, {"term": "bỏ"}],
            "protective_harmony": [{"pattern": r"itiraz ed\w*|karşı"}],
        },
        negation={
            "negators": ["đừng", "لا", "أبدًا", "nicht", {"pattern": r"^bố"}, {"stem": "katı"}],
            "window": 3,
            "after": seed == 1,
            "after_window": 2,
            "clause_breaks": ".;" if seed == 2 else nz.DEFAULT_CLAUSE_BREAKS,
            "comma_continues_before": ["dass", {"pattern": r"\bzu\b|^ob"}],
        },
    )
    monkeypatch.setattr(_match, "_BATCH", 41)
    rng = random.Random(seed)
    texts = [
        "".join(
            rng.choice(MIXED_VOCAB) + (rng.choice(MIXED_PUNCT) if rng.random() < 0.3 else " ")
            for _ in range(rng.randint(0, 14))
        )
        for _ in range(300)
    ]
    fast = classify(texts, code)
    assert fast.equals(classify(texts, code, naive=True))
    assert fast.iloc[:, :5].to_numpy().sum() > 100
