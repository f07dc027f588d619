"""Temporary language folders with tiny lexicons, for the classifier tests.

``make_language(code, base=..., lexicon=..., negation=..., annotated=...)``
copies a packaged language's meta/personas/scenario/phrases into a temporary
directory under a new code (so the real ``en``/``ja`` are never shadowed),
writes the given lexicon files and registers the directory for this test only.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from backfire.languages import _load, add_language_dir

DATA = Path(_load.__file__).parent / "data"
BASE_FILES = ("meta.yaml", "personas.yaml", "scenario.yaml", "phrases.yaml")


def write_language(
    root: Path,
    code: str,
    base: str = "en",
    lexicon: dict[str, list[dict[str, Any]]] | None = None,
    negation: dict[str, Any] | None = None,
    annotated: list[dict[str, Any]] | None = None,
) -> Path:
    folder = root / code
    folder.mkdir(parents=True)
    for name in BASE_FILES:
        if (DATA / base / name).is_file():
            shutil.copy(DATA / base / name, folder / name)
    meta = yaml.safe_load((folder / "meta.yaml").read_text(encoding="utf-8"))
    meta["code"] = code
    (folder / "meta.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    if lexicon is not None:
        lex = folder / "lexicon"
        lex.mkdir()
        for cat, entries in lexicon.items():
            doc = {"category": cat, "entries": entries}
            (lex / f"{cat}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
        if negation is not None:
            text = yaml.safe_dump(negation, allow_unicode=True)
            (lex / "negation.yaml").write_text(text, encoding="utf-8")
    if annotated is not None:
        doc = {"note": "test", "items": annotated}
        (folder / "annotated.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    return folder


@pytest.fixture
def make_language(tmp_path, monkeypatch) -> Callable[..., str]:
    """Factory: build a language folder in tmp_path and register it; returns the code."""
    monkeypatch.setattr(_load, "_extra_dirs", [])
    registered = False

    def make(code: str, **kwargs: Any) -> str:
        nonlocal registered
        write_language(tmp_path, code, **kwargs)
        if not registered:
            add_language_dir(tmp_path)
            registered = True
        _load._clear_caches()
        return code

    yield make
    _load._clear_caches()


EN_NEGATION = {
    "negators": ["not", "n't", "never", "no"],
    "window": 3,
    "after": False,
    "after_window": 0,
    "note": "test",
}


@pytest.fixture
def en_like(make_language) -> str:
    """A spaced Latin-script language with a small lexicon of every entry kind."""
    return make_language(
        "xa",
        lexicon={
            "harmful": [
                {"term": "get rid of"},
                {"stem": "exclud"},
                {"pattern": r"send (her|him) (out|away)"},
                {"term": "won't allow her", "negatable": False},
            ],
            "protective_principled": [
                {"term": "refuse"},
                {"term": "unjust"},
                {"term": "décision"},
            ],
            "protective_harmony": [
                {"term": "together"},
                {"term": "stay united"},
                {"stem": "harmon"},
            ],
            "conformity": [
                {"term": "go along"},
                {"term": "go along with the majority"},
                {"term": "bỏ"},
            ],
            "individuation": [
                {"term": "personally"},
                {"term": "resume"},
                {"term": "together"},
            ],
        },
        negation=EN_NEGATION,
    )
