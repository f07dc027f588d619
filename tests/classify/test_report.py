"""lexicon_report, harmony_principled_confusion and format_report on a hand-computed set."""

from __future__ import annotations

import math

import pytest
import yaml

from backfire.classify import (
    CATEGORIES,
    LexiconError,
    format_report,
    harmony_principled_confusion,
    lexicon_report,
)

LEXICON = {
    "harmful": [{"term": "expel"}],
    "protective_principled": [{"term": "refuse"}],
    "protective_harmony": [{"term": "together"}],
    "conformity": [{"term": "agree"}],
    "individuation": [{"term": "personally"}],
}
ITEMS = [
    {"text": "Expel her.", "labels": ["harmful"]},  # harmful TP
    {"text": "We should send her away.", "labels": ["harmful"]},  # harmful FN
    {"text": "Expel the cold air from the pipes.", "labels": []},  # harmful FP
    {"text": "I refuse.", "labels": ["protective_principled"]},  # principled TP
    {"text": "Let us stay together.", "labels": ["protective_harmony"]},  # harmony TP
    {
        "text": "I refuse, let us stay together.",  # principled TP, harmony TP
        "labels": ["protective_principled", "protective_harmony"],
    },
    {"text": "Together we refuse.", "labels": ["protective_harmony"]},  # harmony TP, principled FP
    {"text": "This is wrong.", "labels": ["protective_principled"]},  # principled FN
    {"text": "I agree.", "labels": ["conformity"]},  # conformity TP
    {"text": "Lunch at noon.", "labels": []},
]
# harmful: tp1 fp1 fn1 -> P .5 R .5 F1 .5
# principled: tp2 fp1 fn1 -> P 2/3 R 2/3 F1 2/3
# harmony: tp3 fp0 fn0 -> 1, 1, 1
# conformity: tp1 -> 1, 1, 1
# individuation: nothing labelled, nothing coded -> NaN (left out of the macro mean)
# macro F1 = (0.5 + 2/3 + 1 + 1) / 4 = 0.7916...


@pytest.fixture
def rep_lang(make_language):
    return make_language("xv", lexicon=LEXICON, annotated=ITEMS)


def test_report_numbers(rep_lang):
    df = lexicon_report([rep_lang])
    rows = df.set_index("category")
    assert list(rows.index) == [*CATEGORIES, "macro"]
    h = rows.loc["harmful"]
    assert (h.tp, h.fp, h.fn, h.support, h.predicted) == (1, 1, 1, 2, 2)
    assert h.precision == pytest.approx(0.5) and h.recall == pytest.approx(0.5)
    assert h.f1 == pytest.approx(0.5)
    p = rows.loc["protective_principled"]
    assert (p.tp, p.fp, p.fn) == (2, 1, 1)
    assert p.f1 == pytest.approx(2 / 3)
    assert rows.loc["protective_harmony"].f1 == 1.0
    ind = rows.loc["individuation"]
    assert ind.support == 0 and math.isnan(ind.f1) and math.isnan(ind.precision)
    macro = (0.5 + 2 / 3 + 1 + 1) / 4
    assert rows.loc["macro"].f1 == pytest.approx(macro)
    assert df["macro_f1"].tolist() == pytest.approx([macro] * 6)
    # flags: harmful 0.50 < 0.60 and macro 0.79 < 0.80
    assert bool(rows.loc["harmful"].flagged) and not bool(rows.loc["protective_harmony"].flagged)
    assert bool(rows.loc["macro"].flagged)
    assert "macro-F1 0.79 < 0.80" in rows.loc["macro"].reason
    assert "harmful F1 0.50 < 0.60" in rows.loc["macro"].reason
    assert rows.loc["macro"].n_items == len(ITEMS)


def test_report_thresholds(rep_lang):
    rows = lexicon_report([rep_lang], threshold=0.7, category_threshold=0.4)
    assert not rows["flagged"].any()


def test_missing_languages_are_reported(make_language, rep_lang):
    make_language("xw", lexicon=LEXICON)  # no annotated.yaml
    make_language("xx")  # nothing
    df = lexicon_report([rep_lang, "xw", "xx", "qq"])
    status = df[df.category == "macro"].set_index("language")["status"].to_dict()
    assert status == {
        rep_lang: "ok",
        "xw": "missing annotated.yaml",
        "xx": "missing lexicon",
        "qq": "missing lexicon",
    }
    assert df[df.language != rep_lang]["flagged"].all()
    text = format_report(df)
    assert "missing annotated.yaml" in text and rep_lang in text and "0.79" in text


def test_invalid_annotated_is_reported(make_language):
    make_language("xy", lexicon=LEXICON, annotated=[{"text": "x", "labels": ["harmfull"]}])
    df = lexicon_report(["xy"])
    assert df["status"].iloc[0].startswith("error:") and "harmfull" in df["status"].iloc[0]


def test_harmony_principled_confusion(rep_lang):
    cm = harmony_principled_confusion(rep_lang)
    h = cm.loc["protective_harmony"]
    # harmony-labelled: "stay together" (H), "refuse ... together" (both), "Together we refuse" (both)
    assert (h.n, h.coded_harmony_only, h.coded_principled_only, h.coded_both, h.coded_neither) == (
        3,
        1,
        0,
        2,
        0,
    )
    p = cm.loc["protective_principled"]
    # principled-labelled: "I refuse." (P), "refuse ... together" (both), "This is wrong." (none)
    assert (p.n, p.coded_harmony_only, p.coded_principled_only, p.coded_both, p.coded_neither) == (
        3,
        0,
        1,
        1,
        1,
    )


def test_confusion_needs_annotated(make_language):
    make_language("xw", lexicon=LEXICON)
    with pytest.raises(LexiconError, match="annotated.yaml"):
        harmony_principled_confusion("xw")


def test_report_on_another_coded_set(make_language, tmp_path):
    code = make_language("xw", lexicon=LEXICON, annotated=ITEMS)
    other = tmp_path / "mine.yaml"
    other.write_text(
        'items:\n  - {text: "I refuse.", labels: [protective_principled]}\n'
        '  - {text: "Expel him.", labels: []}\n',
        encoding="utf-8",
    )
    rows = lexicon_report([code], annotated=str(other)).set_index("category")
    assert rows.loc["macro", "n_items"] == 2
    assert rows.loc["harmful", "fp"] == 1 and rows.loc["protective_principled", "tp"] == 1
    missing = lexicon_report([code], annotated="lexicon/none.yaml")
    assert missing.iloc[0]["status"] == "missing lexicon/none.yaml"


def test_annotator_agreement_side_by_side(make_language, tmp_path):
    from backfire.classify import AGREEMENT_COLUMNS, annotator_agreement

    code = make_language("xz", lexicon=LEXICON, annotated=ITEMS)
    second = [dict(it) for it in ITEMS]
    second[1] = {**ITEMS[1], "labels": []}  # misses one harmful item, like the lexicon
    path = tmp_path / "second.yaml"
    path.write_text(yaml.safe_dump({"items": second}, allow_unicode=True), encoding="utf-8")
    raw = annotator_agreement(code, str(path))
    assert tuple(raw.columns) == AGREEMENT_COLUMNS
    df = raw.set_index("category")
    h = df.loc["harmful"]
    assert (h.gold, h.second, h.lexicon) == (2, 1, 2)
    assert h.f1_second == pytest.approx(2 / 3) and h.f1_lexicon == pytest.approx(0.5)
    assert df.loc["conformity", "kappa_second"] == pytest.approx(1.0)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"items": second[:-1]}), encoding="utf-8")
    with pytest.raises(LexiconError, match="same texts"):
        annotator_agreement(code, str(bad))
