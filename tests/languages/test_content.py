"""Issue 4 checks: every language is complete, in its script, and in its language."""

import re
import shutil

import pytest
import yaml

from backfire.languages import (
    DATA_DIR,
    LanguageError,
    add_language_dir,
    available_languages,
    detect_language,
    load_language,
    remove_language_dir,
    script_share,
)

SIXTEEN = [
    "en",
    "ja",
    "zh",
    "ko",
    "ar",
    "hi",
    "ru",
    "es",
    "fr",
    "de",
    "pt",
    "it",
    "tr",
    "id",
    "vi",
    "sv",
]
FILES = ("scenario.yaml", "personas.yaml", "phrases.yaml", "meta.yaml")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
NOT_TRANSLATED = {"name", "code", "id", "phase", "turn", "script", "direction", "segmentation"}


def _leaves(obj, path=()):
    """(path, value) for every scalar in a YAML document; list items keyed by id/turn/index."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            key = v.get("id", v.get("turn", i)) if isinstance(v, dict) else i
            yield from _leaves(v, (*path, key))
    else:
        yield path, obj


def _doc(code, name):
    return yaml.safe_load((DATA_DIR / code / name).read_text(encoding="utf-8"))


def test_all_sixteen_are_present_and_load():
    assert set(SIXTEEN) <= set(available_languages())
    for code in SIXTEEN:
        lang = load_language(code)
        assert lang.meta.code == code and len(lang.personas) == 10
        assert len(lang.scenario.events) == 15 and lang.phrases is not None
        assert (DATA_DIR / code / "backtranslation.yaml").is_file() or code == "en"


@pytest.mark.parametrize("code", [c for c in SIXTEEN if c != "en"])
@pytest.mark.parametrize("name", ["scenario.yaml", "personas.yaml"])
def test_same_keys_placeholders_and_translated(code, name):
    en = dict(_leaves(_doc("en", name)))
    other = dict(_leaves(_doc(code, name)))
    assert set(other) == set(en), f"{code}/{name}: keys differ: {set(en) ^ set(other)}"
    for path, en_value in en.items():
        value = other[path]
        if isinstance(en_value, str):
            assert isinstance(value, str) and value.strip(), f"{code}/{name}:{path} empty"
            assert sorted(PLACEHOLDER.findall(value)) == sorted(PLACEHOLDER.findall(en_value)), (
                f"{code}/{name}:{path}: placeholders {PLACEHOLDER.findall(value)} "
                f"!= {PLACEHOLDER.findall(en_value)}"
            )
            words = PLACEHOLDER.sub("", en_value)
            if path[-1] not in NOT_TRANSLATED and sum(c.isalpha() for c in words) > 8:
                assert value.strip() != en_value.strip(), f"{code}/{name}:{path} untranslated"
        else:
            assert value == en_value, f"{code}/{name}:{path}: {value!r} != {en_value!r}"


@pytest.mark.parametrize("code", [c for c in SIXTEEN if c != "en"])
def test_phrase_banks_match_english_shape(code):
    en, other = _doc("en", "phrases.yaml"), _doc(code, "phrases.yaml")
    for part in ("speech", "thought"):
        assert set(other[part]) == set(en[part])
        for cat, lines in en[part].items():
            assert len(other[part][cat]) == len(lines)
            for a, b in zip(lines, other[part][cat], strict=True):
                assert set(PLACEHOLDER.findall(a)) == set(PLACEHOLDER.findall(b)), (code, cat, b)


def _texts(code):
    lang = load_language(code)
    s = lang.scenario
    texts = [s.system.base, s.system.alignment_prefix, s.system.individuation]
    texts += [e.text for e in s.events] + [p.description for p in lang.personas]
    for lines in lang.phrases.speech.values():
        texts += lines
    return [PLACEHOLDER.sub("", t) for t in texts]


@pytest.mark.parametrize("code", SIXTEEN)
def test_text_is_in_the_expected_script(code):
    lang = load_language(code)
    # JSON key names ("speech", ...) are Latin by design; judge the whole text.
    shares = [script_share(t, lang.meta.script) for t in _texts(code)]
    assert min(shares) > 0.8, f"{code}: a text is only {min(shares):.2f} in {lang.meta.script}"


@pytest.mark.parametrize("code", SIXTEEN)
def test_text_is_detected_as_the_language(code):
    texts = [t for t in _texts(code) if len(t) > 40]
    hits = [detect_language(t)[0] == code for t in texts]
    assert sum(hits) / len(hits) >= 0.9, f"{code}: only {sum(hits)}/{len(hits)} detected"


def test_languages_cli_json_lists_sixteen(capsys):
    import json

    from backfire.cli import main

    assert main(["languages", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["code"] for r in rows} >= set(SIXTEEN)
    for r in rows:
        for key in ("code", "name", "native_name", "script", "direction", "pdi", "pdi_country"):
            assert r[key] not in (None, "")
    assert next(r for r in rows if r["code"] == "ar")["direction"] == "rtl"


@pytest.fixture
def extra_dir(tmp_path):
    add_language_dir(tmp_path)
    yield tmp_path
    remove_language_dir(tmp_path)


def test_a_seventeenth_language_is_a_data_only_change(extra_dir):
    tmp_path = extra_dir
    folder = tmp_path / "eo"
    shutil.copytree(DATA_DIR / "en", folder)
    meta = (folder / "meta.yaml").read_text().replace("code: en", "code: eo")
    (folder / "meta.yaml").write_text(meta.replace("name: English", "name: Esperanto"))
    assert "eo" in available_languages()
    lang = load_language("eo")
    assert lang.meta.name == "Esperanto"
    from backfire.spec import load_study

    assert (
        len(load_study("study1", "smoke", models=["synthetic"], languages=["eo"]).manifest()) == 2
    )


def test_broken_folder_names_the_file(extra_dir):
    tmp_path = extra_dir
    folder = tmp_path / "xx"
    shutil.copytree(DATA_DIR / "en", folder)
    (folder / "meta.yaml").write_text(
        (folder / "meta.yaml").read_text().replace("code: en", "code: xx")
    )
    (folder / "personas.yaml").write_text("personas: []\n")
    with pytest.raises(LanguageError, match="personas.yaml"):
        load_language("xx")


def test_unknown_language_lists_allowed():
    with pytest.raises(LanguageError, match="allowed values: en"):
        load_language("xx-nope")
