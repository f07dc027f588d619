"""Is a text in the language it should be in? Script share and language ID.

Two independent checks: the share of letters in the language's writing system
(Unicode script property), and an offline language identifier (py3langid,
whose model ships in the wheel). Small models often answer in English or copy
the prompt; this is how we measure it instead of hiding it.
"""

from __future__ import annotations

from functools import cache

# ISO 15924 -> Unicode script names accepted as "in script".
SCRIPTS: dict[str, tuple[str, ...]] = {
    "Latn": ("Latin",),
    "Jpan": ("Han", "Hiragana", "Katakana"),
    "Hans": ("Han",),
    "Hant": ("Han",),
    "Kore": ("Hangul", "Han"),
    "Arab": ("Arabic",),
    "Deva": ("Devanagari",),
    "Cyrl": ("Cyrillic",),
    "Grek": ("Greek",),
    "Hebr": ("Hebrew",),
    "Thai": ("Thai",),
}
# py3langid codes that stand for one of ours.
_LANGID_ALIASES = {"arz": "ar", "ary": "ar", "nb": "no", "nn": "no", "ms": "id"}


@cache
def _script_re(script: str):  # noqa: ANN202
    import regex

    names = SCRIPTS.get(script)
    if names is None:
        raise ValueError(f"script: unknown ISO 15924 code {script!r}; known: {', '.join(SCRIPTS)}")
    return regex.compile("|".join(rf"\p{{Script={n}}}" for n in names))


def script_share(text: str, script: str) -> float:
    """Share of letters in ``text`` that belong to ``script`` (nan if no letters)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return float("nan")
    rx = _script_re(script)
    return sum(1 for c in letters if rx.match(c)) / len(letters)


@cache
def _identifier():  # noqa: ANN202
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """(language code, probability) by py3langid, with regional codes folded in."""
    if not text or not any(c.isalpha() for c in text):
        return None, 0.0
    code, prob = _identifier().classify(text)
    return _LANGID_ALIASES.get(code, code), float(prob)


def in_language(text: str, code: str, script: str) -> bool:
    """The text is mostly in ``script`` and identified as ``code``.

    For CJK the script check alone decides between ja/zh/ko only together with
    the identifier, since Japanese and Chinese share Han characters.
    """
    share = script_share(text, script)
    if share != share or share < 0.5:  # nan or mostly another script
        return False
    detected, _ = detect_language(text)
    return detected == code
