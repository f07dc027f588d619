import pytest

from backfire.languages import load_language
from backfire.simulate import canonical_vote, parse_reply

EN = load_language("en")


def test_clean_json():
    p = parse_reply('{"speech": "No.", "thought": "Scared.", "vote": "no"}', EN, True)
    assert (p.speech, p.thought, p.vote, p.status) == ("No.", "Scared.", "refuse", "ok")


def test_json_inside_prose_and_code_fence():
    p = parse_reply('Sure!\n```json\n{"speech": "Fine", "thought": "ok"}\n```', EN, False)
    assert p.status == "ok" and p.speech == "Fine"


def test_key_value_fallback():
    p = parse_reply('speech: "I refuse" thought: "they scare me"', EN, False)
    assert p.status == "ok" and p.speech == "I refuse"


def test_missing_vote_is_partial_and_junk_is_a_parse_error():
    assert parse_reply('{"speech": "a", "thought": "b"}', EN, True).status == "partial"
    assert parse_reply("I'd rather not say.", EN, False).status == "parse_error"
    assert parse_reply("", EN, False).status == "empty"
    assert parse_reply("x", EN, False, refusal="I can't help").status == "refusal"


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("Yes", "comply"),
        ("no.", "refuse"),
        ("ABSTAIN", "abstain"),
        ("comply", "comply"),
        ("maybe", None),
        (None, None),
    ],
)
def test_votes_map_to_canonical(raw, want):
    assert canonical_vote(raw, EN) == want


def test_votes_are_accent_blind():
    es = load_language("es")
    assert canonical_vote("si", es) == "comply"
    assert canonical_vote("Sí", es) == "comply"
