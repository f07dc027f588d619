"""Command line for lexicon authors.

python -m backfire.classify report [LANG ...]      validation report (annotated.yaml)
python -m backfire.classify confusion LANG         harmony vs principled coding
python -m backfire.classify text LANG "utterance" ...   counts and matched entries
python -m backfire.classify errors LANG            annotated items the lexicon gets wrong
"""

from __future__ import annotations

import argparse
import sys

from . import (
    CATEGORIES,
    LexiconError,
    classify,
    format_report,
    harmony_principled_confusion,
    lexicon_report,
    load_annotated,
)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m backfire.classify", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("report", help="precision/recall/F1 per language and category")
    r.add_argument("languages", nargs="*")
    r.add_argument("--threshold", type=float, default=0.80)
    r.add_argument("--category-threshold", type=float, default=0.60)
    c = sub.add_parser("confusion", help="how harmony/principled items were coded")
    c.add_argument("language")
    t = sub.add_parser("text", help="classify the given utterances")
    t.add_argument("language")
    t.add_argument("texts", nargs="+")
    e = sub.add_parser("errors", help="annotated items whose coding differs from the labels")
    e.add_argument("language")
    a = p.parse_args(argv)
    try:
        if a.cmd == "report":
            df = lexicon_report(a.languages or None, a.threshold, a.category_threshold)
            print(format_report(df))
        elif a.cmd == "confusion":
            print(harmony_principled_confusion(a.language).to_string())
        elif a.cmd == "text":
            df = classify(a.texts, a.language)
            for text, (_, row) in zip(a.texts, df.iterrows(), strict=True):
                hits = {k: int(row[k]) for k in CATEGORIES if row[k]}
                print(f"{text}\n  {hits or '-'}  {row['matched']}")
        else:
            items = load_annotated(a.language)
            df = classify([it.text for it in items], a.language)
            for it, (_, row) in zip(items, df.iterrows(), strict=True):
                coded = {k for k in CATEGORIES if row[k]}
                if coded != set(it.labels):
                    missed = sorted(set(it.labels) - coded)
                    extra = sorted(coded - set(it.labels))
                    print(f"{it.text}\n  missed {missed}  extra {extra}  {row['matched']}")
    except LexiconError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
