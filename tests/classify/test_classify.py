"""classify(): the output contract and the matching rules of README.md."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import backfire.classify as bc
from backfire.classify import CATEGORIES, LexiconError, classify

COLS = ["harmful", "protective_principled", "protective_harmony", "conformity", "individuation"]


def counts(df: pd.DataFrame, row: int = 0) -> dict[str, int]:
    return {c: int(df[c].iloc[row]) for c in COLS if df[c].iloc[row]}


def one(text: str, code: str) -> tuple[dict[str, int], list[str]]:
    df = classify([text], code)
    return counts(df), list(df["matched"].iloc[0])


# -- contract ------------------------------------------------------------------------------------


def test_columns_order_and_types(en_like):
    df = classify(["We must get rid of her.", "Lunch is at noon."], en_like)
    assert list(df.columns) == [*COLS, "matched"]
    assert tuple(CATEGORIES) == tuple(COLS)
    assert all(df[c].dtype == np.int64 for c in COLS)
    assert isinstance(df.index, pd.RangeIndex) and len(df) == 2
    assert df["matched"].tolist() == [["harmful:get rid of"], []]


def test_rows_keep_input_order(en_like):
    texts = ["personally", "", "refuse", "together", "exclude"] * 3
    df = classify(texts, en_like)
    got = [tuple(m) for m in df["matched"]]
    want = [
        ("individuation:personally",),
        (),
        ("protective_principled:refuse",),
        ("protective_harmony:together", "individuation:together"),
        ("harmful:exclud",),
    ] * 3
    assert got == want


def test_counts_and_matched_terms(en_like):
    c, m = one("I refuse: it is unjust to send her out, to exclude her. I refuse!", en_like)
    assert c == {"harmful": 2, "protective_principled": 3}
    assert m == [
        "protective_principled:refuse",
        "protective_principled:unjust",
        "harmful:send (her|him) (out|away)",
        "harmful:exclud",
        "protective_principled:refuse",
    ]


def test_module_is_callable(en_like):
    df = bc(["refuse"], en_like)
    assert df["protective_principled"].tolist() == [1]


def test_empty_input(en_like):
    df = classify([], en_like)
    assert list(df.columns) == [*COLS, "matched"]
    assert len(df) == 0
    assert all(df[c].dtype == np.int64 for c in COLS)


def test_missing_values_give_zero(en_like):
    df = classify([None, float("nan"), pd.NA, "refuse"], en_like)
    assert df[COLS].to_numpy().sum(axis=1).tolist() == [0, 0, 0, 1]
    assert df["matched"].tolist()[:3] == [[], [], []]


def test_series_index_is_kept(en_like):
    s = pd.Series(["refuse", None], index=["a", "b"])
    df = classify(s, en_like)
    assert df.index.tolist() == ["a", "b"]
    assert df.loc["a", "protective_principled"] == 1


def test_single_string_is_rejected(en_like):
    with pytest.raises(TypeError, match="sequence"):
        classify("refuse", en_like)


def test_unknown_language_names_allowed_values(en_like):
    with pytest.raises(LexiconError, match=r"unknown language 'qq'.*languages with a lexicon:.*xa"):
        classify(["x"], "qq")


def test_language_without_lexicon(make_language, en_like):
    make_language("xn")  # no lexicon folder
    with pytest.raises(LexiconError, match=r"'xn' has no lexicon folder.*xa"):
        classify(["x"], "xn")


# -- matching rules ------------------------------------------------------------------------------


def test_word_boundaries_term_vs_stem(en_like):
    assert one("I refused.", en_like)[0] == {}  # term: whole word only
    assert one("I refuse.", en_like)[0] == {"protective_principled": 1}
    assert one("They were excluded.", en_like)[0] == {"harmful": 1}  # stem: prefix
    assert one("They are inexcludable.", en_like)[0] == {}  # stem must start a word
    assert one("togetherness", en_like)[0] == {}


def test_normalisation_case_width_apostrophes(en_like):
    assert one("ＲＥＦＵＳＥ", en_like)[0] == {"protective_principled": 1}
    assert one("We WON’T ALLOW HER to stay", en_like)[0] == {"harmful": 1}
    assert one("get   rid\tof", en_like)[0] == {"harmful": 1}


def test_diacritics_insensitive(en_like):
    # entry with accents, text without
    assert one("a decision", en_like)[0] == {"protective_principled": 1}
    assert one("a DÉCISION", en_like)[0] == {"protective_principled": 1}
    # entry without accents, text with (the author left accents open)
    assert one("my résumé", en_like)[0] == {"individuation": 1}
    # text typed without Vietnamese tone marks still hits; a different tone does not
    assert one("bo", en_like)[0] == {"conformity": 1}
    assert one("bỏ", en_like)[0] == {"conformity": 1}
    assert one("bố", en_like)[0] == {}
    # no double counting between the accented and the plain copy
    assert one("décision decision", en_like)[0] == {"protective_principled": 2}


def test_negation_before(en_like):
    assert one("I will not refuse.", en_like)[0] == {}
    assert one("I won't refuse.", en_like)[0] == {}  # clitic n't
    assert one("We never excluded anyone", en_like)[0] == {}
    # outside the window of 3 tokens
    assert one("not that I would ever refuse", en_like)[0] == {"protective_principled": 1}
    # clause punctuation ends the window
    assert one("No, I refuse.", en_like)[0] == {"protective_principled": 1}
    # negators are whole words
    assert one("Nothing: I refuse.", en_like)[0] == {"protective_principled": 1}
    assert one("a knot refuse", en_like)[0] == {"protective_principled": 1}


def test_negatable_false(en_like):
    # the entry contains its own negation and is never negated
    assert one("No, we won't allow her back", en_like)[0] == {"harmful": 1}
    assert one("we not won't allow her back", en_like)[0] == {"harmful": 1}


def test_negation_after_unspaced(make_language):
    code = make_language(
        "xj",
        base="ja",
        lexicon={"protective_principled": [{"term": "反対"}], "harmful": [{"stem": "追い出"}]},
        negation={"negators": ["ない", "ません"], "window": 0, "after": True, "after_window": 4},
    )
    assert one("私は反対です。", code)[0] == {"protective_principled": 1}
    assert one("私は反対しません。", code)[0] == {}
    assert one("反対です。文句はない", code)[0] == {"protective_principled": 1}  # 。 ends it
    assert one("追い出すべきだと思う", code)[0] == {"harmful": 1}  # substring in unspaced
    assert one("追い出さない", code)[0] == {}


def test_negation_before_unspaced_counts_characters(make_language):
    code = make_language(
        "xz",
        base="zh",
        lexicon={"harmful": [{"term": "赶走"}]},
        negation={"negators": ["不", "别"], "window": 3, "after": False},
    )
    assert one("我们不要赶走她", code)[0] == {}
    assert one("不，我们应该赶走她", code)[0] == {"harmful": 1}  # ， ends the window
    assert one("不过大家都同意赶走她", code)[0] == {"harmful": 1}  # 不 is 5 chars back


def test_negation_after_spaced_with_pattern_negator(make_language):
    # Turkish-style verbal negation: a suffix right after the stem
    code = make_language(
        "xt",
        base="tr",
        lexicon={"harmful": [{"stem": "dışla"}]},
        negation={
            "negators": [{"pattern": "^m[ae]"}, "değil"],
            "window": 0,
            "after": True,
            "after_window": 1,
        },
    )
    assert one("onu dışlayın", code)[0] == {"harmful": 1}
    assert one("onu dışlamayın", code)[0] == {}
    assert one("dışlamak değil", code)[0] == {}  # next token
    assert one("dışla mesela", code)[0] == {"harmful": 1}  # ^ anchors at the hit's end


def test_overlaps_count_once_per_category(en_like):
    c, m = one("I go along with the majority.", en_like)
    assert c == {"conformity": 1}
    assert m == ["conformity:go along with the majority"]
    # different categories on one span both count
    c, m = one("together", en_like)
    assert c == {"protective_harmony": 1, "individuation": 1}


def test_patterns_are_regexes_on_normalised_text(en_like):
    assert one("SEND HIM AWAY", en_like)[0] == {"harmful": 1}
    assert one("send them away", en_like)[0] == {}


def test_pattern_anchors_at_utterance_edges(make_language):
    code = make_language(
        "xs", lexicon={"conformity": [{"pattern": r"o que\s*$"}, {"pattern": "^ok"}]}
    )
    df = classify(["fazer o que", "fazer o que  ", "o que foi", "ok then", "not ok"], code)
    assert df["conformity"].tolist() == [1, 1, 0, 1, 0]


def test_devanagari_boundaries_include_vowel_signs(make_language):
    code = make_language(
        "xh",
        base="hi",
        lexicon={"harmful": [{"term": "निकाल"}, {"pattern": r"\bभेजना\b"}]},
        negation={"negators": ["नहीं"], "window": 2, "after": True, "after_window": 1},
    )
    assert one("उसे निकाल दो", code)[0] == {"harmful": 1}
    assert one("उसे निकालो", code)[0] == {}  # ो is a vowel sign: still inside the word
    assert one("उसे बाहर भेजना होगा", code)[0] == {"harmful": 1}  # Python's \b would miss
    assert one("उसे बाहर भेजना नहीं", code)[0] == {}


def test_arabic_harakat_are_ignored(make_language):
    code = make_language(
        "xr",
        base="ar",
        lexicon={"harmful": [{"term": "طرد"}]},
        negation={"negators": ["لا"], "window": 2},
    )
    assert one("يجب طَرْد الشخص", code)[0] == {"harmful": 1}
    assert one("لا طرد", code)[0] == {}


def test_lexicon_change_invalidates_cache(en_like, tmp_path):
    assert one("harmony", en_like)[0] == {"protective_harmony": 1}
    f = tmp_path / en_like / "lexicon" / "protective_harmony.yaml"
    f.write_text("category: protective_harmony\nentries:\n  - term: peace\n", encoding="utf-8")
    assert one("harmony", en_like)[0] == {}
    assert one("peace", en_like)[0] == {"protective_harmony": 1}


def test_no_negation_file_means_no_negation(make_language):
    code = make_language("xq", lexicon={"harmful": [{"term": "expel"}]})
    assert one("do not expel", code)[0] == {"harmful": 1}


def test_non_string_is_rejected(en_like):
    with pytest.raises(TypeError, match="strings"):
        classify([3], en_like)


def test_repeated_texts_get_their_own_lists(en_like):
    df = classify(["refuse", "refuse", "x", "refuse"] * 5, en_like)
    assert df["protective_principled"].tolist() == [1, 1, 0, 1] * 5
    df["matched"].iloc[0].append("mutated")
    assert df["matched"].iloc[1] == ["protective_principled:refuse"]


def test_negators_after_judge_the_act_before_them(make_language):
    # Indonesian/Arabic-style rule: negators before the hit only, plus judgements
    # that follow the act ("expelling her is inhuman") searched after it.
    code = make_language(
        "xn",
        lexicon={"harmful": [{"stem": "expel"}], "conformity": [{"term": "obey"}]},
        negation={
            "negators": ["not"],
            "window": 2,
            "after": False,
            "after_window": 4,  # the rest of the hit's word counts as one token
            "negators_after": ["inhuman", {"stem": "unjust"}],
        },
    )
    df = classify(
        [
            "Expelling her is inhuman.",  # judged after the act: not harmful
            "Expel her, it is inhuman.",  # the comma ends the after-window
            "We will not expel her.",  # ordinary negator, before
            "Expel her not.",  # 'not' is not an after-negator here
            "Expelling her would be unjustifiable.",
            "Inhuman or not, obey.",  # after-negators never look back
        ],
        code,
    )
    assert df["harmful"].tolist() == [0, 1, 0, 1, 0, 0]
    assert df["conformity"].tolist() == [0, 0, 0, 0, 0, 1]


def test_lookaround_of_a_pattern_is_judged_in_context_not_on_the_hit_alone(make_language):
    # The diacritics check re-reads a hit's own letters; a lookahead that needs
    # the text after the hit must not make it fail (found in the vi lexicon:
    # "chị ấy đi(?= là)" never matched accented text).
    code = make_language(
        "xlb",
        base="vi",
        lexicon={"harmful": [{"pattern": r"chị ấy đi(?= là)"}]},
    )
    df = classify(["chị ấy đi là xong", "chi ay di la xong", "chị ấy đi thôi"], code)
    assert df["harmful"].tolist() == [1, 1, 0]
    assert df.equals(
        classify(["chị ấy đi là xong", "chi ay di la xong", "chị ấy đi thôi"], code, naive=True)
    )
