"""Lexicon classification throughput on a large mixed-language set (issue 7).

Builds a shuffled set of distinct utterances in every language that has a
lexicon, each one or two (rarely more, to keep them distinct) sentences drawn
from the language's phrase bank and annotated set (agents speak in one to three
sentences, at most 25-40 words). Times one
``backfire.classify.classify`` call over the whole set with a language code per
text, as ``classify_turns`` makes it (grouping by language and putting rows
back in input order included, compiled matchers already built),
and, in the same run, the reference loop (utterances x entries, one
``str.find``/``re`` search each, same rules) on a subsample, which must give
identical output. With more than one CPU the set is also classified with
``workers`` (one pool of forked processes for all languages; same output). Targets: at least 100,000
utterances/s and at least 10x the loop. When no language has a lexicon yet, synthetic lexicons are built from
the phrase banks in a temporary directory.

    python -m benchmarks.classify [--json] [--quick] [--n N] [--naive-n N] [--workers N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import tempfile
import time
from pathlib import Path

from backfire.classify import CATEGORIES, classify, lexicon_languages, load_annotated
from backfire.classify._match import get_matcher
from backfire.languages import (
    LanguageError,
    add_language_dir,
    available_languages,
    load_language,
)


def sentence_pool(code: str) -> tuple[list[str], list[str]]:
    """Phrase-bank lines and annotated texts of one language, and its persona names.

    Phrase-bank lines keep their ``{target}``/``{name}`` placeholders, filled
    per utterance.
    """
    lang = load_language(code)
    pool: list[str] = []
    if lang.phrases is not None:
        for group in (lang.phrases.speech, lang.phrases.thought):
            for lines in group.values():
                pool += lines
    with contextlib.suppress(LanguageError):  # no annotated.yaml: phrases only
        pool += [it.text for it in load_annotated(code)]
    return [t for t in pool if t.strip()], [p.name for p in lang.personas]


def build_set(codes: list[str], n: int, seed: int) -> tuple[list[str], list[str]]:
    """``n`` (language, utterance) pairs, shuffled, equal share per language."""
    rng = random.Random(seed)
    pools = {c: sentence_pool(c) for c in codes}
    seps = {c: "" if load_language(c).meta.segmentation == "unspaced" else " " for c in codes}
    langs, texts = [], []
    seen: set[str] = set()
    for i in range(n):
        code = codes[i % len(codes)]
        lines, names = pools[code]
        # distinct where the pool allows (classify() matches a repeated text once):
        # one or two sentences, placeholders filled with random residents' names
        for _ in range(20):
            k = rng.choice((1, 1, 2))
            text = seps[code].join(rng.choice(lines) for _ in range(k))
            text = re.sub(r"\{\w+\}", lambda _, nm=names: rng.choice(nm), text)
            if text not in seen:
                break
        seen.add(text)
        texts.append(text)
        langs.append(code)
    order = list(range(n))
    rng.shuffle(order)
    return [langs[i] for i in order], [texts[i] for i in order]


def classify_mixed(  # noqa: ANN201
    langs: list[str], texts: list[str], naive: bool = False, workers: int = 1
):
    """Classify a mixed-language list in one call (a language code per text), as
    :func:`backfire.measures.classify_turns` does: one pool for all languages."""
    return classify(texts, langs, naive=naive, workers=workers)


def synthetic_lexicons(root: Path, seed: int = 0) -> list[str]:
    """Lexicons built from each language's phrase bank (for a repository without any).

    Terms and stems are words (spaced scripts) or 2-3 character pieces
    (unspaced) of that category's phrases; patterns join two of its words.
    """
    import shutil

    import yaml

    rng = random.Random(seed)
    codes = []
    for code in available_languages():
        lang = load_language(code)
        if lang.phrases is None:
            continue
        folder = root / code
        folder.mkdir(parents=True)
        for name in ("meta.yaml", "personas.yaml", "scenario.yaml", "phrases.yaml"):
            if (lang.path / name).is_file():
                shutil.copy(lang.path / name, folder / name)
        spaced = lang.meta.segmentation == "spaced"
        (folder / "lexicon").mkdir()
        for cat in CATEGORIES:
            lines = [re.sub(r"\{\w+\}", " ", t) for t in lang.phrases.speech.get(cat, [])]
            if spaced:
                words = sorted({w for t in lines for w in re.findall(r"\w{4,}", t.lower())})
            else:
                words = sorted(
                    {t[i : i + rng.choice((2, 3))] for t in lines for i in range(len(t))}
                )
                words = [w for w in words if re.fullmatch(r"\w+", w)]
            rng.shuffle(words)
            entries = [{"term": w} for w in words[:30]]
            entries += [{"stem": w[:-1] if spaced else w} for w in words[30:45]]
            entries += [
                {"pattern": re.escape(a) + (r"\s+\w+\s+" if spaced else ".{0,4}") + re.escape(b)}
                for a, b in zip(words[45:53], words[53:61], strict=False)
            ]
            doc = {"category": cat, "entries": entries}
            (folder / "lexicon" / f"{cat}.yaml").write_text(
                yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8"
            )
        neg = {"negators": ["not", "no", "never"], "window": 3 if spaced else 4}
        (folder / "lexicon" / "negation.yaml").write_text(yaml.safe_dump(neg), encoding="utf-8")
        codes.append(code)
    add_language_dir(root)
    return codes


def snapshot(root: Path) -> list[str]:
    """Copy the languages with a lexicon to ``root`` and search there first.

    Lexicon authors may be editing the files while the benchmark runs; a
    snapshot keeps the fast and the reference run on the same lexicon.
    """
    import shutil

    codes = lexicon_languages()
    for code in codes:
        src = load_language(code).path
        shutil.copytree(src, root / code, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    if codes:
        add_language_dir(root)
    return codes


def run(n: int, naive_n: int, seed: int = 0, workers: int = 0) -> dict:
    import pandas  # noqa: F401 - imported before the clock starts

    tmp = tempfile.TemporaryDirectory()
    codes = snapshot(Path(tmp.name) / "real")
    source = "real"
    if not codes:
        codes = synthetic_lexicons(Path(tmp.name) / "synthetic", seed)
        source = "synthetic"
    skipped = {}
    try:
        t0 = time.perf_counter()
        for code in list(codes):
            try:
                get_matcher(code)
            except LanguageError as exc:  # a lexicon being edited: leave it out, say so
                skipped[code] = str(exc)
                codes.remove(code)
        compile_s = time.perf_counter() - t0
        langs, texts = build_set(codes, n, seed)
        classify_mixed(langs[:2000], texts[:2000])  # warm-up

        t0, c0 = time.perf_counter(), time.process_time()
        fast = classify_mixed(langs, texts)
        fast_s, fast_cpu = time.perf_counter() - t0, time.process_time() - c0

        n_workers = workers or os.cpu_count() or 1
        par_s = None
        if n_workers > 1:
            t0 = time.perf_counter()
            par = classify_mixed(langs, texts, workers=n_workers)
            par_s = time.perf_counter() - t0
            assert par.equals(fast), "parallel result differs"

        k = min(naive_n, n)
        t0 = time.perf_counter()
        naive = classify_mixed(langs[:k], texts[:k], naive=True)
        naive_s = time.perf_counter() - t0
        agrees = bool(naive.equals(fast.iloc[:k]))

        # the fast path on the same subsample, for the like-for-like ratio
        t0 = time.perf_counter()
        classify_mixed(langs[:k], texts[:k])
        fast_sub_s = time.perf_counter() - t0
    finally:
        tmp.cleanup()
    ups = n / fast_s
    naive_ups = k / naive_s
    per_lang = fast.groupby([langs[i] for i in fast.index])[list(CATEGORIES)].sum()
    return {
        "n_utterances": n,
        "languages": len(codes),
        "skipped_languages": skipped,
        "lexicons": source,
        "mean_chars": round(sum(map(len, texts)) / n, 1),
        "distinct_fraction": round(len(set(texts)) / n, 3),
        "hits_per_utterance": round(float(per_lang.to_numpy().sum()) / n, 3),
        "compile_s": round(compile_s, 3),
        "wall_s": round(fast_s, 3),
        "utterances_per_s": round(ups),
        "utterances_per_cpu_s": round(n / fast_cpu),
        "cpus": os.cpu_count(),
        "parallel_workers": n_workers if par_s is not None else 1,
        "parallel_utterances_per_s": round(n / par_s) if par_s else None,
        "naive_n": k,
        "naive_wall_s": round(naive_s, 3),
        "naive_utterances_per_s": round(naive_ups),
        "speedup_vs_naive": round(ups / naive_ups, 1),
        "speedup_vs_naive_same_subsample": round(naive_s / fast_sub_s, 1),
        "naive_agrees": agrees,
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="a smaller set (well under two minutes)")
    p.add_argument("--n", type=int, default=None, help="utterances (default 200,000; quick 50,000)")
    p.add_argument("--naive-n", type=int, default=None, help="reference-loop subsample size")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=0, help="for the parallel run (0: one per CPU)")
    a = p.parse_args(argv)
    n = a.n or (50_000 if a.quick else 200_000)
    naive_n = a.naive_n or (1_000 if a.quick else 4_000)
    res = run(n, naive_n, a.seed, a.workers)
    if a.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k:34} {v}")
        best = max(res["utterances_per_s"], res["parallel_utterances_per_s"] or 0)
        ok = best >= 100_000 and res["speedup_vs_naive"] >= 10
        print(f"{'targets (>=100k/s, >=10x naive)':34} {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
