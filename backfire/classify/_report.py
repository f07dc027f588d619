"""Validation of the lexicons against each language's ``annotated.yaml``.

Binary per utterance and category: an item is *labelled* if the category is
in its ``labels`` and *coded* if the lexicon's count is above zero. Precision,
recall and F1 per category, macro-F1 per language, and a flag where a
language falls below the thresholds of the issue (macro-F1 0.80, any
category 0.60).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._lexicon import CATEGORIES, LexiconError, lexicon_key, load_annotated

if TYPE_CHECKING:
    import pandas as pd

REPORT_COLUMNS = (
    "language",
    "category",
    "status",
    "n_items",
    "support",
    "predicted",
    "tp",
    "fp",
    "fn",
    "precision",
    "recall",
    "f1",
    "macro_f1",
    "flagged",
    "reason",
)


def _scores(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    nan = float("nan")
    precision = tp / (tp + fp) if tp + fp else nan
    recall = tp / (tp + fn) if tp + fn else nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else nan
    return precision, recall, f1


def _coded(code: str, annotated: str | None = None) -> tuple[list, pd.DataFrame]:
    """Annotated items and their classification (raises LexiconError)."""
    from ._classify import classify

    lexicon_key(code)  # unknown language or no lexicon folder -> LexiconError
    items = load_annotated(code, annotated)
    return list(items), classify([it.text for it in items], code)


def lexicon_report(
    languages: Sequence[str] | None = None,
    threshold: float = 0.80,
    category_threshold: float = 0.60,
    annotated: str | None = None,
) -> pd.DataFrame:
    """Precision, recall and F1 of each lexicon on its annotated set.

    Parameters
    ----------
    languages : sequence of str, optional
        Codes to report; default every language found (those without a
        lexicon or ``annotated.yaml`` appear as missing).
    threshold : float
        A language is flagged when its macro-F1 is below this.
    category_threshold : float
        A category is flagged (and so its language) when its F1 is below this.
    annotated : str, optional
        Score on another coded set in the ``annotated.yaml`` format instead: a
        file path, or a name inside each language folder (``lexicon/dev3.yaml``).

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per language x category plus one row per language with
        ``category == "macro"`` (precision, recall and F1 averaged over the
        categories with a defined value; ``support`` = items). Columns:
        ``language, category, status, n_items, support, predicted, tp, fp, fn,
        precision, recall, f1, macro_f1, flagged, reason``. ``status`` is
        ``"ok"``, ``"missing lexicon"``, ``"missing annotated.yaml"`` or
        ``"error: ..."``; a language that is not ``ok`` has only its macro row,
        flagged, with NaN scores. F1 is ``2tp / (2tp + fp + fn)``; a score
        whose denominator is zero is NaN.

    Examples
    --------
    >>> from backfire.classify import lexicon_report, format_report
    >>> print(format_report(lexicon_report(["en"])))  # doctest: +SKIP
    """
    import pandas as pd

    from backfire.languages import LanguageError, available_languages

    rows: list[dict] = []
    for code in languages if languages is not None else available_languages():
        try:
            items, coded = _coded(code, annotated)
        except LexiconError as exc:
            msg = str(exc)
            status = (
                f"missing {annotated or 'annotated.yaml'}"
                if f"no {Path(annotated or 'annotated.yaml').name}" in msg
                else "missing lexicon"
                if "no lexicon folder" in msg or "unknown language" in msg
                else f"error: {msg}"
            )
            rows.append(_missing(code, status))
            continue
        except LanguageError as exc:
            rows.append(_missing(code, f"error: {exc}"))
            continue
        cat_rows = []
        for cat in CATEGORIES:
            labelled = [cat in it.labels for it in items]
            hit = (coded[cat] > 0).tolist()
            tp = sum(a and b for a, b in zip(labelled, hit, strict=True))
            fp = sum(b and not a for a, b in zip(labelled, hit, strict=True))
            fn = sum(a and not b for a, b in zip(labelled, hit, strict=True))
            p, r, f = _scores(tp, fp, fn)
            low = f < category_threshold if f == f else False
            cat_rows.append(
                {
                    "language": code,
                    "category": cat,
                    "status": "ok",
                    "n_items": len(items),
                    "support": sum(labelled),
                    "predicted": sum(hit),
                    "tp": tp,
                    "fp": fp,
                    "fn": fn,
                    "precision": p,
                    "recall": r,
                    "f1": f,
                    "flagged": bool(low),
                    "reason": f"F1 {f:.2f} < {category_threshold:.2f}" if low else "",
                }
            )
        frame = pd.DataFrame(cat_rows)
        macro = frame["f1"].mean()  # skips NaN
        reasons = []
        if math.isnan(macro):
            reasons.append("no category has a defined F1")
        elif macro < threshold:
            reasons.append(f"macro-F1 {macro:.2f} < {threshold:.2f}")
        reasons += [f"{r['category']} {r['reason']}" for r in cat_rows if r["flagged"]]
        for r in cat_rows:
            r["macro_f1"] = macro
        rows += cat_rows
        rows.append(
            {
                "language": code,
                "category": "macro",
                "status": "ok",
                "n_items": len(items),
                "support": len(items),
                "predicted": int(frame["predicted"].sum()),
                "tp": int(frame["tp"].sum()),
                "fp": int(frame["fp"].sum()),
                "fn": int(frame["fn"].sum()),
                "precision": frame["precision"].mean(),
                "recall": frame["recall"].mean(),
                "f1": macro,
                "macro_f1": macro,
                "flagged": bool(reasons),
                "reason": "; ".join(reasons),
            }
        )
    out = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    for c in ("n_items", "support", "predicted", "tp", "fp", "fn"):
        out[c] = out[c].astype("Int64")
    out["flagged"] = out["flagged"].astype(bool)
    return out


def _missing(code: str, status: str) -> dict:
    nan = float("nan")
    return {
        "language": code,
        "category": "macro",
        "status": status,
        "n_items": None,
        "support": None,
        "predicted": None,
        "tp": None,
        "fp": None,
        "fn": None,
        "precision": nan,
        "recall": nan,
        "f1": nan,
        "macro_f1": nan,
        "flagged": True,
        "reason": status,
    }


def harmony_principled_confusion(language: str) -> pd.DataFrame:
    """How items labelled harmony or principled were coded.

    The study's key distinction is protective speech grounded in principle
    versus in group harmony; a lexicon that codes one as the other shifts the
    paper's main measure. Rows are the label (an item with both labels is in
    both rows); columns count how the lexicon coded those items.

    Returns
    -------
    pandas.DataFrame
        Index ``label`` (``protective_harmony``, ``protective_principled``);
        columns ``n``, ``coded_harmony_only``, ``coded_principled_only``,
        ``coded_both``, ``coded_neither``.

    Raises
    ------
    LexiconError
        If the language has no lexicon or no ``annotated.yaml``.
    """
    import pandas as pd

    items, coded = _coded(language)
    h = (coded["protective_harmony"] > 0).tolist()
    p = (coded["protective_principled"] > 0).tolist()
    rows = []
    for label in ("protective_harmony", "protective_principled"):
        sel = [k for k, it in enumerate(items) if label in it.labels]
        rows.append(
            {
                "label": label,
                "n": len(sel),
                "coded_harmony_only": sum(h[k] and not p[k] for k in sel),
                "coded_principled_only": sum(p[k] and not h[k] for k in sel),
                "coded_both": sum(h[k] and p[k] for k in sel),
                "coded_neither": sum(not h[k] and not p[k] for k in sel),
            }
        )
    return pd.DataFrame(rows).set_index("label")


def format_report(df: pd.DataFrame) -> str:
    """A plain-text rendering of :func:`lexicon_report` for the command line.

    One line per language (status, items, macro-F1, flag and reason), then a
    language x category grid of F1 (``P/R`` in parentheses).
    """
    import pandas as pd

    macro = df[df["category"] == "macro"]
    lines = ["language  status                  items  macro-F1  flagged  reason"]
    for r in macro.itertuples(index=False):
        items = "" if pd.isna(r.n_items) else str(r.n_items)
        f1 = "" if r.macro_f1 != r.macro_f1 else f"{r.macro_f1:.2f}"
        status = str(r.status)[:22]
        lines.append(
            f"{r.language:<9} {status:<22} {items:>6}  {f1:>8}  {'YES' if r.flagged else 'no':>7}"
            f"  {r.reason if r.status == 'ok' else ''}"
        )
    cats = df[df["category"] != "macro"]
    if len(cats):
        lines += ["", "F1 (precision/recall) per category"]
        head = f"{'language':<9}" + "".join(f"{c[:18]:>20}" for c in CATEGORIES)
        lines.append(head)
        for code, g in cats.groupby("language", sort=False):
            cells = []
            for c in CATEGORIES:
                r = g[g["category"] == c].iloc[0]
                cells.append(
                    f"{_fmt(r.f1)} ({_fmt(r.precision)}/{_fmt(r.recall)})"
                    + ("*" if r.flagged else " ")
                )
            lines.append(f"{code:<9}" + "".join(f"{c:>20}" for c in cells))
        lines.append("* below the category threshold")
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return "  - " if x != x else f"{x:.2f}"


AGREEMENT_COLUMNS = (
    "language",
    "category",
    "n_items",
    "gold",
    "second",
    "lexicon",
    "f1_second",
    "kappa_second",
    "f1_lexicon",
    "kappa_lexicon",
)


def annotator_agreement(
    language: str, second: str = "annotated_second.yaml", annotated: str | None = None
) -> pd.DataFrame:
    """How a second annotator and the lexicon each agree with the gold labels.

    A lexicon cannot be expected to agree with the gold labels better than a
    second careful reader does: where two annotators disagree the category's
    boundary is unclear, not the lexicon wrong. This puts the two side by
    side per category (F1 against gold, and Cohen's kappa, which corrects for
    chance agreement).

    Parameters
    ----------
    language : str
        Language code.
    second : str
        The second coding in the ``annotated.yaml`` format (same texts, same
        order): a path, or a name inside the language folder.
    annotated : str, optional
        The gold set (default the language's ``annotated.yaml``).

    Returns
    -------
    pandas.DataFrame
        :data:`AGREEMENT_COLUMNS`, one row per category plus ``macro`` (mean
        F1 and kappa over categories with a defined value). ``gold``,
        ``second`` and ``lexicon`` count the items coded positive by each.

    Raises
    ------
    LexiconError
        If a file is missing or the two sets do not hold the same texts.
    """
    import numpy as np
    import pandas as pd

    from backfire.stats import cohen_kappa

    items, coded = _coded(language, annotated)
    other = load_annotated(language, second)
    if [it.text for it in other] != [it.text for it in items]:
        raise LexiconError(
            f"{language}: {second} does not hold the same texts, in the same order, as the gold set"
        )
    rows = []
    for cat in CATEGORIES:
        gold = np.array([cat in it.labels for it in items])
        sec = np.array([cat in it.labels for it in other])
        lex = (coded[cat] > 0).to_numpy()
        row = {"language": language, "category": cat, "n_items": len(items)}
        row.update(gold=int(gold.sum()), second=int(sec.sum()), lexicon=int(lex.sum()))
        for name, pred in (("second", sec), ("lexicon", lex)):
            tp, fp, fn = (
                int((gold & pred).sum()),
                int((~gold & pred).sum()),
                int((gold & ~pred).sum()),
            )
            row[f"f1_{name}"] = _scores(tp, fp, fn)[2]
            row[f"kappa_{name}"] = float(cohen_kappa(gold, pred)["kappa"].iloc[0])
        rows.append(row)
    df = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    macro = {"language": language, "category": "macro", "n_items": len(items)}
    for c in ("f1_second", "kappa_second", "f1_lexicon", "kappa_lexicon"):
        macro[c] = float(df[c].mean())  # NaN-skipping mean
    return pd.concat([df, pd.DataFrame([macro])], ignore_index=True)
