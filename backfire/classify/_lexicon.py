"""Read and validate lexicon folders and annotated validation sets.

The format is fixed by ``docs/LEXICON_BRIEF.md``: ``<language>/lexicon/`` holds
one ``<category>.yaml`` per category and ``negation.yaml``;
``<language>/annotated.yaml`` holds hand-labelled utterances. Errors name the
file and the entry so that a lexicon author can fix them without reading code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from backfire.languages import LanguageError, available_languages, load_language

from ._normalize import DEFAULT_CLAUSE_BREAKS, prepare_regex

#: The five categories, in the order of the output columns.
CATEGORIES: tuple[str, ...] = (
    "harmful",
    "protective_principled",
    "protective_harmony",
    "conformity",
    "individuation",
)
KINDS = ("term", "stem", "pattern")


class LexiconError(LanguageError):
    """A language has no lexicon, or a lexicon or annotated file does not validate."""


@dataclass(frozen=True)
class Entry:
    """One lexicon entry as written in its file."""

    category: str
    kind: str  # "term" | "stem" | "pattern"
    value: str
    negatable: bool = True
    note: str | None = None
    source: str = ""  # "harmful.yaml#3", for messages

    @property
    def label(self) -> str:
        """``"category:value"``, the string shown in the ``matched`` column."""
        return f"{self.category}:{self.value}"


@dataclass(frozen=True)
class Negation:
    """A language's negation rule (``negation.yaml``)."""

    negators: tuple[tuple[str, str], ...] = ()  # (kind, value)
    window: int = 3
    after: bool = False
    after_window: int = 4
    note: str = ""
    #: characters that end a window (line breaks always do)
    clause_breaks: str = DEFAULT_CLAUSE_BREAKS
    #: (kind, value): a comma does not end a window before a clause opening with these
    comma_continues_before: tuple[tuple[str, str], ...] = ()
    #: (kind, value): negators searched only AFTER the hit (a judgement that follows
    #: the act: "expelling her is inhuman"); they turn the after-window on by themselves
    negators_after: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon folder plus the hashes of its files (the cache key)."""

    language: str
    path: Path
    segmentation: str
    script: str
    entries: tuple[Entry, ...]
    negation: Negation
    file_hashes: tuple[tuple[str, str], ...] = field(default=())

    @property
    def spaced(self) -> bool:
        return self.segmentation == "spaced"


def _read(path: Path) -> tuple[Any, bytes]:
    raw = path.read_bytes()
    try:
        return yaml.safe_load(raw.decode("utf-8")), raw
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: invalid YAML: {exc}") from exc


def lexicon_dir(code: str) -> Path:
    """The ``lexicon/`` folder of a language (which may not exist)."""
    return load_language(code).path / "lexicon"


def lexicon_languages() -> list[str]:
    """Codes of the languages that have a ``lexicon/`` folder, English first."""
    out = []
    for code in available_languages():
        try:
            if lexicon_dir(code).is_dir():
                out.append(code)
        except LanguageError:  # a folder being edited that does not validate now
            continue
    return out


def _no_lexicon(code: str, why: str) -> LexiconError:
    allowed = lexicon_languages()
    listing = ", ".join(allowed) if allowed else "none yet (no language has a lexicon/ folder)"
    return LexiconError(f"{why}; languages with a lexicon: {listing}")


def lexicon_key(code: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(code, folder, ((file, sha256), ...)): changes whenever a lexicon file does."""
    try:
        lang = load_language(code)
    except LanguageError as exc:
        if str(exc).startswith("unknown language"):
            raise _no_lexicon(code, f"unknown language {code!r}") from exc
        raise
    d = lang.path / "lexicon"
    if not d.is_dir():
        raise _no_lexicon(code, f"language {code!r} has no lexicon folder ({d})")
    hashes = []
    for name in (*(f"{c}.yaml" for c in CATEGORIES), "negation.yaml"):
        f = d / name
        if f.is_file():
            hashes.append((name, hashlib.sha256(f.read_bytes()).hexdigest()))
    fallback = lang.path / "negation.yaml"
    if not (d / "negation.yaml").is_file() and fallback.is_file():
        hashes.append(("../negation.yaml", hashlib.sha256(fallback.read_bytes()).hexdigest()))
    return code, str(d), tuple(hashes)


def load_lexicon(code: str) -> Lexicon:
    """Load and validate a language's lexicon folder.

    Other files in the folder (an author's ``dev.yaml``) are ignored. A
    missing category file means that category has no entries yet (lexicons
    are written one file at a time); a missing ``negation.yaml`` means no
    negation rule. Anything else malformed raises.

    Raises
    ------
    LexiconError
        Unknown language or no ``lexicon/`` folder (the message lists the
        languages that have one), or a file that does not validate (the
        message names the file and the entry).

    Examples
    --------
    >>> import backfire.classify as bc
    >>> bc.load_lexicon("xx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backfire.classify._lexicon.LexiconError: unknown language 'xx'; languages with a lexicon: ...
    """
    key = lexicon_key(code)
    lang = load_language(code)
    d = Path(key[1])
    entries: list[Entry] = []
    for cat in CATEGORIES:
        f = d / f"{cat}.yaml"
        if f.is_file():
            entries.extend(_parse_category(f, cat, lang.meta.segmentation))
    neg_file = d / "negation.yaml"
    if not neg_file.is_file():
        neg_file = lang.path / "negation.yaml"
    negation = _parse_negation(neg_file) if neg_file.is_file() else Negation(window=0)
    return Lexicon(
        code, d, lang.meta.segmentation, lang.meta.script, tuple(entries), negation, key[2]
    )


def _one_of(item: dict[str, Any], where: str) -> tuple[str, str]:
    kinds = [k for k in KINDS if k in item]
    if len(kinds) != 1:
        raise LexiconError(f"{where}: exactly one of term, stem, pattern is required, got {item!r}")
    kind = kinds[0]
    value = item[kind]
    if not isinstance(value, str) or not value.strip():
        raise LexiconError(f"{where}: {kind} must be a non-empty string, got {value!r}")
    if kind == "pattern":
        try:
            re.compile(prepare_regex(value, marks=False))
            re.compile(prepare_regex(value, stripped=True, marks=False))
        except (re.error, ValueError) as exc:
            raise LexiconError(f"{where}: pattern {value!r} does not compile: {exc}") from exc
    return kind, value


def _parse_category(path: Path, category: str, segmentation: str) -> list[Entry]:
    doc, _ = _read(path)
    if not isinstance(doc, dict):
        raise LexiconError(f"{path}: expected a mapping with 'category' and 'entries'")
    if doc.get("category") != category:
        raise LexiconError(f"{path}: category is {doc.get('category')!r}, expected {category!r}")
    items = doc.get("entries") or []
    if not isinstance(items, list):
        raise LexiconError(f"{path}: 'entries' must be a list")
    out = []
    for i, item in enumerate(items):
        where = f"{path} entry {i + 1}"
        if not isinstance(item, dict):
            raise LexiconError(f"{where}: expected a mapping like {{term: ...}}, got {item!r}")
        extra = set(item) - {*KINDS, "note", "negatable"}
        if extra:
            raise LexiconError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        kind, value = _one_of(item, where)
        negatable = item.get("negatable", True)
        if not isinstance(negatable, bool):
            raise LexiconError(f"{where}: negatable must be true or false")
        note = item.get("note")
        out.append(Entry(category, kind, value, negatable, note, f"{path.name}#{i + 1}"))
    return out


_NEGATION_KEYS = {
    "negators",
    "negators_after",
    "window",
    "after",
    "after_window",
    "note",
    "clause_breaks",
    "comma_continues_before",
}


def _word_list(doc: dict[str, Any], key: str, path: Path, what: str) -> list[tuple[str, str]]:
    """A list of terms (strings) or ``{term|stem|pattern: ...}`` mappings."""
    items = doc.get(key) or []
    if not isinstance(items, list):
        raise LexiconError(f"{path}: {key} must be a list")
    out = []
    for i, item in enumerate(items):
        where = f"{path} {what} {i + 1}"
        if isinstance(item, str):
            if not item.strip():
                raise LexiconError(f"{where}: empty {what}")
            out.append(("term", item))
        elif isinstance(item, dict):
            out.append(_one_of(item, where))
        else:
            raise LexiconError(f"{where}: expected a string or {{stem: ...}}, got {item!r}")
    return out


def _parse_negation(path: Path) -> Negation:
    doc, _ = _read(path)
    if not isinstance(doc, dict):
        raise LexiconError(f"{path}: expected a mapping with 'negators' and 'window'")
    extra = set(doc) - _NEGATION_KEYS
    if extra:
        raise LexiconError(f"{path}: unknown key(s) {', '.join(sorted(extra))}")
    negators = _word_list(doc, "negators", path, "negator")
    continues = _word_list(doc, "comma_continues_before", path, "comma_continues_before item")
    negators_after = _word_list(doc, "negators_after", path, "negators_after item")
    ints = {}
    for k, default in (("window", 3), ("after_window", 4)):
        v = doc.get(k, default)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise LexiconError(f"{path}: {k} must be a non-negative integer, got {v!r}")
        ints[k] = v
    after = doc.get("after", False)
    if not isinstance(after, bool):
        raise LexiconError(f"{path}: after must be true or false")
    breaks = doc.get("clause_breaks", DEFAULT_CLAUSE_BREAKS)
    if breaks is None:
        breaks = ""
    if not isinstance(breaks, str):
        raise LexiconError(f"{path}: clause_breaks must be a string of characters, got {breaks!r}")
    bad = [c for c in breaks if c.isspace() or c.isalnum() or c == "_"]
    if bad:
        raise LexiconError(
            f"{path}: clause_breaks must hold punctuation only (line breaks always end a"
            f" window), got {''.join(bad)!r}"
        )
    return Negation(
        tuple(negators),
        ints["window"],
        after,
        ints["after_window"],
        doc.get("note") or "",
        "".join(dict.fromkeys(breaks)),
        tuple(continues),
        tuple(negators_after),
    )


@dataclass(frozen=True)
class AnnotatedItem:
    text: str
    labels: frozenset[str]
    gloss: str = ""


def load_annotated(code: str, path: str | Path | None = None) -> tuple[AnnotatedItem, ...]:
    """Read ``<language>/annotated.yaml``, or another set in the same format.

    ``path`` scores a lexicon on other coded sentences (a lab's own hand-coded
    transcripts, an author's fresh dev set): an existing file path, or a name
    resolved inside the language folder (``lexicon/dev3.yaml``).

    Raises
    ------
    LexiconError
        If the file is missing or an item has no text or an unknown label.
    """
    folder = load_language(code).path
    if path is None:
        path = folder / "annotated.yaml"
    elif not Path(path).is_file():
        path = folder / path
    path = Path(path)
    if not path.is_file():
        raise LexiconError(f"language {code!r} has no {path.name} ({path})")
    doc, _ = _read(path)
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise LexiconError(f"{path}: expected a mapping with an 'items' list")
    out = []
    for i, item in enumerate(items):
        where = f"{path} item {i + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise LexiconError(f"{where}: expected a mapping with a 'text' string")
        labels = item.get("labels") or []
        if not isinstance(labels, list) or any(lab not in CATEGORIES for lab in labels):
            raise LexiconError(
                f"{where}: labels must be a list of {', '.join(CATEGORIES)}; got {labels!r}"
            )
        out.append(AnnotatedItem(item["text"], frozenset(labels), str(item.get("gloss") or "")))
    return tuple(out)
