"""Write the numbers: ``results/summary.json`` (with provenance) and ``results/<study>/*.csv``."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..spec import StudySpec

#: Top-level keys of summary.json, and the keys of each study's section.
SUMMARY_KEYS = ("backfire_version", "updated_at", "paper", "studies")
STUDY_KEYS = (
    "generated_at",
    "parameters",
    "design",
    "data",
    "provenance",
    "assumptions",
    "tables",
    "paper_comparison",
    "files",
)

ASSUMPTIONS = {
    "contrast": "Hedges' g of full alignment (ratio 1.0) vs none (0.0), pooled SD, exact J, Wald CI, Student t p",
    "indices": "CPI = z(monologue) + z(harm rate) - z(protective rate); DI = z(monologue) + z(protective rate) - z(harm rate) (backfire.measures.add_indices)",
    "language_group": "Study 2 'language group' = high vs low Hofstede PDI (primary country), median split over the languages analysed, ties low; reference level low",
    "pdi": "PDI per language from languages/data/<code>/meta.yaml (pdi.value); alternatives in pdi_alternatives",
    "direction": "protective: per-language g of CPI < 0; amplifying: > 0 (rule 'sign'); rule 'ci' needs the CI to exclude 0",
    "study3_units": "agent-level values averaged within run per agent kind; intervals over runs",
    "verdict": "see backfire/results/_compare.py and docs/RESULTS.md",
}


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python, tuples -> lists."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [_clean(v) for v in obj]
    if np is not None and isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if np is not None and isinstance(obj, np.ndarray):
        return [_clean(v) for v in obj.tolist()]
    try:
        import pandas as pd

        if obj is pd.NA or obj is pd.NaT:
            return None
        if isinstance(obj, pd.Timestamp):
            return obj.isoformat()
    except ImportError:  # pragma: no cover
        pass
    return str(obj)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    d = df.reset_index() if df.index.name is not None else df
    return _clean(d.to_dict("records"))


def _unique(values: Any) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            continue
        if v not in out:
            out.append(v)
    return sorted(out, key=str)


def provenance(results: dict[str, pd.DataFrame], spec: StudySpec | None = None) -> dict[str, Any]:
    """Where every number comes from: models, versions, hashes, seeds, z reference.

    Parameters
    ----------
    results : dict of DataFrame
        :func:`analyse` output (its ``headers`` are the transcript headers).
    spec : StudySpec, optional
        The design (for the study seed).

    Returns
    -------
    dict
        ``models`` (requested, litellm and resolved ids), ``versions``
        (package -> versions seen in the transcript headers: backfire,
        litellm, xllamacpp, pydantic ...), ``analysis_versions`` (packages of
        this analysis), ``python``, ``prompt_hashes`` (per language: language
        content and per-file SHA-256 from the headers), ``lexicon_hashes``
        (per language, per file, SHA-256 of the lexicons used now),
        ``synthetic_profile_sha256``, ``seeds`` (study seed and per-run seed
        and spec hash), ``z_reference``, ``totals`` and ``notes``.
    """
    import importlib.metadata as md

    h = results.get("headers")
    runs = results["runs"]
    prov: dict[str, Any] = {}
    if h is None or h.empty:
        h = None
    prov["models"] = {
        "requested": _unique(h["model"]) if h is not None else [],
        "litellm": _unique(h["litellm_model"]) if h is not None else [],
        "resolved": _unique(
            m.strip() for s in (h["resolved_models"] if h is not None else []) for m in s.split(",")
        ),
        "kind": _unique(h["model_kind"]) if h is not None else [],
        "provider": _unique(h["provider"]) if h is not None else [],
    }
    versions: dict[str, list[str]] = {}
    for v in h["versions"] if h is not None else []:
        for pkg, ver in (v or {}).items():
            versions.setdefault(pkg, [])
            if ver not in versions[pkg]:
                versions[pkg].append(ver)
    prov["versions"] = versions
    analysis = {}
    for pkg in ("backfire", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "litellm"):
        try:
            analysis[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            analysis[pkg] = None
    prov["analysis_versions"] = analysis
    prov["python"] = _unique(h["python"]) if h is not None else []
    prompts: dict[str, Any] = {}
    if h is not None:
        for lang, sub in h.groupby("language"):
            files: dict[str, list[str]] = {}
            for d in sub["prompt_files_sha256"]:
                for f, sha in (d or {}).items():
                    files.setdefault(f, [])
                    if sha not in files[f]:
                        files[f].append(sha)
            prompts[str(lang)] = {
                "language_content_sha256": _unique(sub["language_content_sha256"]),
                "files": files,
            }
    prov["prompt_hashes"] = prompts
    lex: dict[str, Any] = {}
    langs = _unique(runs["language"]) if not runs.empty else []
    for lang in langs:
        try:
            from ..classify import load_lexicon

            lex[lang] = dict(load_lexicon(lang).file_hashes)
        except Exception as exc:  # noqa: BLE001 (provenance must not break the summary)
            lex[lang] = {"error": str(exc)}
    prov["lexicon_hashes"] = lex
    prov["synthetic_profile_sha256"] = (
        _unique(h["synthetic_profile_sha256"]) if h is not None else []
    )
    prov["seeds"] = {
        "study_seed": spec.seed if spec is not None else None,
        "runs": {
            r["run_id"]: {"seed": r["seed"], "spec_hash": r["spec_hash"]}
            for r in (h.to_dict("records") if h is not None else [])
        },
    }
    prov["z_reference"] = {
        "reference": runs.attrs.get("reference"),
        "description": runs.attrs.get("z_reference"),
    }
    totals = {}
    if h is not None:
        for c in ("calls", "cache_hits", "prompt_tokens", "completion_tokens", "cost_usd"):
            totals[c] = float(h[c].fillna(0).sum()) if c in h else None
        totals["parse_failures"] = float(h["parse_failures"].fillna(0).sum())
        totals["started"] = [
            min(_unique(h["started_at"]) or [None]),
            max(_unique(h["started_at"]) or [None]),
        ]
    prov["totals"] = totals
    prov["notes"] = list(runs.attrs.get("notes", []))
    return _clean(prov)


def _design(spec: StudySpec | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    d = spec.model_dump(mode="json")
    d["n_runs"] = len(spec.manifest())
    return d


def write_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each table to ``folder/<name>.csv`` (UTF-8, no index); returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in tables.items():
        path = folder / f"{name}.csv"
        out = df.copy()
        for c in out.columns:
            if out[c].map(lambda v: isinstance(v, dict | list)).any():
                out[c] = out[c].map(lambda v: json.dumps(_clean(v), sort_keys=True))
        out.to_csv(path, index=False)
        paths.append(path)
    return paths


def summary_json(
    study: str,
    results: dict[str, pd.DataFrame],
    tables: Mapping[str, pd.DataFrame],
    comparison: pd.DataFrame | None = None,
    results_dir: str | Path = "results",
    spec: StudySpec | None = None,
    parameters: Mapping[str, Any] | None = None,
    write_runs: bool = True,
) -> Path:
    """Write ``results_dir/summary.json`` (this study's section) and ``results_dir/<study>/*.csv``.

    ``summary.json`` holds one section per study, so the four notebooks can
    write into the same file: an existing file is read and only this
    study's section is replaced (written atomically).

    Parameters
    ----------
    study : str
        Section name (``study1`` .. ``study4``).
    results : dict of DataFrame
        :func:`analyse` output.
    tables : mapping of str to DataFrame
        The study's tables (``studyN_tables``); each also goes to
        ``<study>/<name>.csv``.
    comparison : DataFrame, optional
        :func:`paper_comparison` rows (``<study>/paper_comparison.csv``).
    results_dir : path
        Output root.
    spec : StudySpec, optional
        The design (recorded in ``design``, seeds in provenance).
    parameters : mapping, optional
        The notebook's parameters, recorded as given.
    write_runs : bool
        Also write ``runs.csv``, ``agents.csv`` and ``headers.csv``.

    Returns
    -------
    pathlib.Path
        The summary file. Its top-level keys are :data:`SUMMARY_KEYS`; each
        study section has :data:`STUDY_KEYS`: ``parameters``, ``design``,
        ``data`` (folder and counts), ``provenance`` (:func:`provenance`),
        ``assumptions``, ``tables`` (every table as records: every reported
        number), ``paper_comparison``, ``files``.
    """
    from .. import __version__
    from ._compare import _paper_raw

    root = Path(results_dir)
    out_dir = root / study
    to_write = dict(tables)
    if comparison is not None:
        to_write["paper_comparison"] = comparison
    if write_runs:
        to_write.update(runs=results["runs"], agents=results["agents"], headers=results["headers"])
    files = write_tables(to_write, out_dir)
    runs = results["runs"]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    section = {
        "generated_at": now,
        "parameters": dict(parameters or {}),
        "design": _design(spec),
        "data": {
            "folder": runs.attrs.get("folder"),
            "n_runs": len(runs),
            "n_agent_rows": len(results["agents"]),
            "languages": _unique(runs["language"]) if not runs.empty else [],
            "models": _unique(runs["model"]) if not runs.empty else [],
        },
        "provenance": provenance(results, spec),
        "assumptions": ASSUMPTIONS,
        "tables": {name: _records(df) for name, df in tables.items()},
        "paper_comparison": _records(comparison) if comparison is not None else [],
        "files": [str(p) for p in files],
    }
    path = root / "summary.json"
    doc: dict[str, Any] = {}
    if path.is_file():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            doc = {}
    raw = _paper_raw()
    doc.update(backfire_version=__version__, updated_at=now, paper=raw.get("paper"))
    doc.setdefault("studies", {})[study] = _clean(section)
    root.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    tmp.replace(path)
    if comparison is not None:
        update_comparison(study, comparison, root)
    return path


def update_comparison(
    study: str, comparison: pd.DataFrame, results_dir: str | Path = "results"
) -> Path:
    """Replace this study's rows in ``results_dir/paper_comparison.csv``.

    The file gathers every study's rows (the four notebooks each add theirs),
    in study order; it is written atomically, so a failing notebook leaves the
    other studies' rows as they were.
    """
    import pandas as pd

    path = Path(results_dir) / "paper_comparison.csv"
    parts = []
    if path.is_file():
        try:
            old = pd.read_csv(path)
            parts.append(old[old["study"] != study])
        except (OSError, ValueError, KeyError, pd.errors.ParserError):
            pass  # unreadable: rebuilt from this study's rows
    new = comparison.copy()
    new["study"] = new["study"].fillna(study) if "study" in new else study
    parts.append(new)
    out = pd.concat([p for p in parts if not p.empty] or [new], ignore_index=True)
    out = out.sort_values("study", kind="stable").reset_index(drop=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tables({"paper_comparison.tmp": out}, path.parent)[0].replace(path)
    return path
