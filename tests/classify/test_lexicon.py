"""Lexicon loading: validation messages name the file and the entry."""

from __future__ import annotations

import pytest

from backfire.classify import LexiconError, classify, lexicon_languages, load_lexicon


def test_load_lexicon(make_language):
    code = make_language(
        "xl",
        lexicon={"harmful": [{"term": "expel", "note": "n"}], "conformity": [{"stem": "agre"}]},
        negation={"negators": ["not", {"stem": "kein"}], "window": 2},
    )
    lex = load_lexicon(code)
    assert [(e.category, e.kind, e.value) for e in lex.entries] == [
        ("harmful", "term", "expel"),
        ("conformity", "stem", "agre"),
    ]
    assert lex.negation.negators == (("term", "not"), ("stem", "kein"))
    assert lex.negation.window == 2 and lex.negation.after is False
    assert lex.entries[0].label == "harmful:expel"
    assert code in lexicon_languages()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"term": "a", "stem": "b"}, "exactly one of term, stem, pattern"),
        ({"note": "x"}, "exactly one of term, stem, pattern"),
        ({"term": ""}, "non-empty string"),
        ({"pattern": "(unclosed"}, "does not compile"),
        ({"pattern": r"\Aword"}, "not supported"),
        ({"term": "a", "negatable": "no"}, "negatable must be true or false"),
        ({"term": "a", "wieght": 2}, "unknown key"),
        ("just a string", "expected a mapping"),
    ],
)
def test_bad_entries(make_language, entry, message):
    code = make_language("xb", lexicon={"harmful": [{"term": "ok"}, entry]})
    with pytest.raises(LexiconError, match=f"harmful.yaml entry 2: .*{message}"):
        classify(["x"], code)


def test_category_must_match_file(make_language, tmp_path):
    code = make_language("xc", lexicon={"harmful": [{"term": "ok"}]})
    f = tmp_path / code / "lexicon" / "harmful.yaml"
    f.write_text("category: conformity\nentries: []\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="category is 'conformity', expected 'harmful'"):
        load_lexicon(code)


def test_bad_negation(make_language):
    code = make_language(
        "xd", lexicon={"harmful": [{"term": "ok"}]}, negation={"negators": ["not"], "window": -1}
    )
    with pytest.raises(LexiconError, match="window must be a non-negative integer"):
        load_lexicon(code)


def test_other_files_are_ignored(make_language, tmp_path):
    code = make_language("xf", lexicon={"harmful": [{"term": "expel"}]})
    (tmp_path / code / "lexicon" / "dev.yaml").write_text("items: []\n", encoding="utf-8")
    assert classify(["expel"], code)["harmful"].tolist() == [1]
