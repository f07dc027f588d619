"""From a folder of transcripts to per-run and per-agent tables with CPI and DI.

Also the two steps a notebook takes before it: build the study's spec from the
notebook's parameters (:func:`study_spec`) and make sure the runs exist
(:func:`prepare`, which simulates only the missing ones).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._common import as_list, frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..spec import StudySpec

#: Columns of :func:`analyse`'s ``headers`` table (one row per transcript).
HEADER_COLUMNS = (
    "run_id",
    "study",
    "language",
    "model",
    "aligned_ratio",
    "individuated_share",
    "condition",
    "replicate",
    "seed",
    "spec_hash",
    "model_requested",
    "model_kind",
    "litellm_model",
    "provider",
    "resolved_models",
    "structured_output",
    "synthetic_profile_sha256",
    "language_content_sha256",
    "prompt_files_sha256",
    "versions",
    "python",
    "platform",
    "started_at",
    "footer_status",
    "calls",
    "cache_hits",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "parse_failures",
    "turns_played",
    "path",
)

SIMULATE_MODES = ("missing", "never")


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding ``pyproject.toml``
    and a ``backfire/`` package; ``start`` itself if there is none."""
    here = Path(start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "pyproject.toml").is_file() and (d / "backfire").is_dir():
            return d
    return here


def project_paths(*paths: str | Path, start: str | Path | None = None) -> tuple[Path, ...]:
    """Resolve relative paths against :func:`project_root`; absolute ones are kept.

    A notebook opened in Jupyter runs in ``notebooks/``, under papermill in the
    folder it was started from; resolving ``data/runs`` against the project
    root makes both read and write the same folders.

    Examples
    --------
    >>> project_paths("/tmp/x")
    (PosixPath('/tmp/x'),)
    """
    root = project_root(start)
    return tuple(Path(p) if Path(p).is_absolute() else root / p for p in paths)


def study_spec(
    study: str,
    preset: str = "default",
    model: str | Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    ratios: Sequence[float] | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    turns: Sequence[int] | None = None,
    individuated_shares: Sequence[float] | None = None,
) -> StudySpec:
    """The study's spec from notebook-style parameters (``None`` keeps the preset's value).

    Parameters
    ----------
    study : str
        ``study1`` .. ``study4``.
    preset : str
        A preset of ``backfire/spec/presets.yaml`` (``default``, ``smoke``, ...).
    model : str or list of str, optional
        One model or several (Study 4). ``None``: the preset's models.
    languages, ratios, replicates, seed, individuated_shares : optional
        Overrides of the preset's ``languages``, ``aligned_ratios``,
        ``replicates``, ``seed`` and ``individuated_shares``.
    turns : list of int, optional
        Subset of the fifteen scripted events (``protocol.turns``); for tiny
        test runs.

    Returns
    -------
    backfire.spec.StudySpec
        Validated (bad values raise :class:`backfire.spec.SpecError` naming
        the field before anything runs).
    """
    from ..spec import load_study

    overrides: dict[str, Any] = {
        "models": as_list(model) or None,
        "languages": list(languages) if languages is not None else None,
        "aligned_ratios": list(ratios) if ratios is not None else None,
        "individuated_shares": (
            list(individuated_shares) if individuated_shares is not None else None
        ),
        "replicates": replicates,
        "seed": seed,
    }
    if turns is not None:
        overrides["protocol"] = {"turns": [int(t) for t in turns]}
    return load_study(study, preset, **overrides)


def prepare(
    spec: StudySpec,
    data_dir: str | Path,
    simulate: Literal["missing", "never"] = "missing",
    progress: bool = False,
    max_concurrent_runs: int = 4,
) -> pd.DataFrame:
    """Make sure the study's transcripts exist under ``data_dir/<study>/``.

    Parameters
    ----------
    spec : StudySpec
        From :func:`study_spec`.
    data_dir : path
        Root folder of transcripts (``backfire simulate --out``).
    simulate : {"missing", "never"}
        ``"missing"``: run :func:`backfire.simulate.run_study`, which plays
        only the runs that are not already complete (finished ones are
        skipped, interrupted ones resume from the response cache).
        ``"never"``: simulate nothing; only count what is there.
    progress : bool
        Show the progress bar of the simulation.
    max_concurrent_runs : int
        Passed to :func:`backfire.simulate.run_study`.

    Returns
    -------
    pandas.DataFrame
        One row: ``study``, ``model``, ``runs_in_design``, ``runs_present``
        (complete before), ``runs_simulated``, ``runs_failed``,
        ``runs_missing`` (after), ``wall_s``, ``cost_usd``, ``note``.
    """
    from ..transcripts import transcript_path, transcript_status

    if simulate not in SIMULATE_MODES:
        from ..spec import SpecError

        raise SpecError("simulate", simulate, list(SIMULATE_MODES))
    manifest = spec.manifest()
    root = Path(data_dir)

    def complete() -> int:
        n = 0
        for r in manifest:
            status, spec_hash = transcript_status(transcript_path(root, r.study, r.run_id))
            n += status == "complete" and spec_hash == r.spec_hash
        return n

    before = complete()
    row: dict[str, Any] = {
        "study": spec.name,
        "model": ", ".join(spec.models),
        "runs_in_design": len(manifest),
        "runs_present": before,
        "runs_simulated": 0,
        "runs_failed": 0,
        "runs_missing": len(manifest) - before,
        "wall_s": 0.0,
        "cost_usd": 0.0,
        "note": "",
    }
    if simulate == "missing" and before < len(manifest):
        from ..simulate import run_study

        summary = run_study(spec, root, max_concurrent_runs=max_concurrent_runs, progress=progress)
        row.update(
            runs_simulated=summary.runs_completed,
            runs_failed=summary.runs_failed,
            runs_missing=len(manifest) - complete(),
            wall_s=round(summary.wall_s, 2),
            cost_usd=round(summary.cost_usd, 6),
            note="; ".join(summary.failures[:5]),
        )
    elif simulate == "never" and before < len(manifest):
        row["note"] = "simulate='never': missing runs are left out of the analysis"
    return frame([row], list(row))


def read_headers(folder: str | Path, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Provenance of every transcript under ``folder``: one row per run.

    Parameters
    ----------
    folder : path
        Searched recursively for ``*.jsonl`` / ``*.jsonl.gz``.
    run_ids : iterable of str, optional
        Keep only these runs.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HEADER_COLUMNS`: the run's spec, model ids (requested,
        litellm, resolved), package versions (a dict), prompt file hashes (a
        dict), seed, footer status and totals, and the file path.
    """
    from ..transcripts import find_transcripts, read_ends

    keep = set(run_ids) if run_ids is not None else None
    rows = []
    for path in find_transcripts(folder):
        try:
            head, foot = read_ends(path)
        except (OSError, json.JSONDecodeError, EOFError):
            continue
        run_id = head.get("run_id") or path.name.split(".")[0]
        if keep is not None and run_id not in keep:
            continue
        prov = head.get("provenance") or {}
        rows.append(
            {
                "run_id": run_id,
                **{k: head.get(k) for k in HEADER_COLUMNS[1:9] if k != "seed"},
                "seed": prov.get("seed", head.get("seed")),
                "spec_hash": prov.get("spec_hash"),
                "model_requested": prov.get("model_requested"),
                "model_kind": prov.get("model_kind"),
                "litellm_model": prov.get("litellm_model"),
                "provider": prov.get("provider"),
                "resolved_models": ", ".join(foot.get("resolved_models") or []),
                "structured_output": prov.get("structured_output"),
                "synthetic_profile_sha256": prov.get("synthetic_profile_sha256"),
                "language_content_sha256": prov.get("language_content_sha256"),
                "prompt_files_sha256": prov.get("prompt_files_sha256") or {},
                "versions": prov.get("versions") or {},
                "python": prov.get("python"),
                "platform": prov.get("platform"),
                "started_at": prov.get("started_at"),
                "footer_status": foot.get("status"),
                "calls": foot.get("calls"),
                "cache_hits": foot.get("cache_hits"),
                "prompt_tokens": foot.get("prompt_tokens"),
                "completion_tokens": foot.get("completion_tokens"),
                "cost_usd": foot.get("cost_usd"),
                "parse_failures": foot.get("parse_failures"),
                "turns_played": len((head.get("protocol") or {}).get("turns") or range(15)),
                "path": str(path),
            }
        )
    return frame(rows, HEADER_COLUMNS)


def _empty_measures(reference: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zero-row run and agent tables with exactly the columns real data would give."""
    import pandas as pd

    from ..measures import CATEGORIES, RUN_KEYS, add_indices, agent_measures, run_measures

    row: dict[str, Any] = dict.fromkeys(RUN_KEYS, "x")
    row.update(aligned_ratio=0.0, individuated_share=0.0, replicate=0)
    row.update(agent="a", aligned=False, individuated=False, turn=1, speech="s", thought="t")
    row.update(vote=None, status="ok", speech_len=1.0, thought_len=1.0)
    row.update(dict.fromkeys(CATEGORIES, 0))
    dummy = pd.DataFrame([row])
    runs = add_indices(run_measures(dummy), reference="pooled").iloc[:0]
    agents = add_indices(agent_measures(dummy), reference="pooled").iloc[:0]
    return runs, agents


def _indices(df: pd.DataFrame, reference: str) -> tuple[pd.DataFrame, list[str]]:
    """CPI and DI per model (z reference set within each model's rows)."""
    import numpy as np
    import pandas as pd

    from ..measures import add_indices

    notes: list[str] = []
    parts = []
    attrs_ref = ""
    for model, sub in df.groupby("model", sort=False, dropna=False):
        out = add_indices(sub, reference=reference)
        attrs_ref = out.attrs.get("z_reference", attrs_ref)
        if reference == "baseline":
            has0 = set(sub.loc[sub["aligned_ratio"] == 0, "language"])
            bad = out["language"].map(lambda lang, has0=has0: lang not in has0)
            if bad.any():
                missing = sorted(set(out.loc[bad, "language"]))
                cols = [c for c in out.columns if c.startswith("z_")] + ["CPI", "DI"]
                out.loc[bad, cols] = np.nan
                notes.append(
                    f"model {model}: no unaligned (ratio 0) runs in {', '.join(missing)}: "
                    "CPI and DI undefined with reference='baseline'"
                )
        parts.append(out)
    res = pd.concat(parts).loc[df.index] if parts else df
    res.attrs["z_reference"] = f"{attrs_ref} (computed separately for each model)"
    return res, notes


def analyse(
    folder: str | Path,
    reference: Literal["pooled", "language", "baseline"] = "language",
    spec: StudySpec | None = None,
    complete_only: bool = True,
) -> dict[str, pd.DataFrame]:
    """Classify every transcript under ``folder`` and compute run and agent measures.

    Parameters
    ----------
    folder : path
        Searched recursively (e.g. ``data/runs/study1``). A folder without
        transcripts gives empty tables (with all their columns), not an error.
    reference : {"pooled", "language", "baseline"}
        z reference set of CPI and DI (:func:`backfire.measures.add_indices`),
        applied separately to each model's rows so that models with different
        verbosity do not shift each other's z scores.
    spec : StudySpec, optional
        Keep only the runs of this design (matched by ``run_id``), so that a
        folder holding several designs can be analysed one at a time.
    complete_only : bool
        Skip transcripts whose footer status is not ``complete``.

    Returns
    -------
    dict of pandas.DataFrame
        ``runs``: one row per run (spec columns, every measure of
        :func:`backfire.measures.run_measures`, ``z_*``, ``CPI``, ``DI``);
        ``agents``: one row per agent per run (same measures with
        ``aligned`` and ``individuated`` flags); ``headers``: provenance per
        run (:func:`read_headers`). ``runs.attrs`` holds ``z_reference``,
        ``reference``, ``folder`` and ``notes``.
    """
    from ..measures import agent_measures, classify_turns, run_measures
    from ..transcripts import load_turns

    if reference not in ("pooled", "language", "baseline"):
        raise ValueError(
            f"reference: invalid value {reference!r}; allowed values: pooled, language, baseline"
        )
    turns = load_turns(folder, complete_only=complete_only)
    if spec is not None and not turns.empty:
        wanted = {r.run_id for r in spec.manifest()}
        turns = turns[turns["run_id"].isin(wanted)]
    notes: list[str] = []
    if turns.empty:
        runs, agents = _empty_measures(reference)
        runs.attrs["z_reference"] = f"{reference} (no runs)"
        notes.append(f"no complete transcripts under {folder}")
    else:
        turns = turns.reset_index(drop=True)
        classified = classify_turns(turns)
        runs, n1 = _indices(run_measures(classified), reference)
        agents, n2 = _indices(agent_measures(classified), reference)
        notes += n1 + [n for n in n2 if n not in n1]
    headers = read_headers(folder, set(runs["run_id"]))
    z_ref = runs.attrs.get("z_reference", "")
    for df in (runs, agents):
        df.attrs.update(
            z_reference=z_ref, reference=reference, folder=str(folder), notes=list(notes)
        )
    return {"runs": runs, "agents": agents, "headers": headers}


def cell_counts(runs: pd.DataFrame, spec: StudySpec | None = None) -> pd.DataFrame:
    """Runs per design cell, with the missing ones when the design is known.

    Parameters
    ----------
    runs : DataFrame
        ``analyse(...)["runs"]``.
    spec : StudySpec, optional
        The intended design; its cells with fewer runs than replicates are
        flagged in ``note``.

    Returns
    -------
    pandas.DataFrame
        ``model``, ``language``, ``aligned_ratio``, ``individuated_share``,
        ``n_runs``, ``n_expected``, ``note``.
    """
    import pandas as pd

    keys = ["model", "language", "aligned_ratio", "individuated_share"]
    if runs.empty:
        observed = pd.DataFrame(columns=[*keys, "n_runs"])
    else:
        observed = runs.groupby(keys, dropna=False).size().rename("n_runs").reset_index()
    if spec is None:
        out = observed.assign(n_expected=float("nan"), note="")
        return frame(out.to_dict("records"), [*keys, "n_runs", "n_expected", "note"])
    design = pd.DataFrame(
        [
            {
                "model": r.model,
                "language": r.language,
                "aligned_ratio": r.aligned_ratio,
                "individuated_share": r.individuated_share,
            }
            for r in spec.manifest()
        ]
    )
    design = design.groupby(keys).size().rename("n_expected").reset_index()
    if not observed.empty:
        observed = observed.astype({"aligned_ratio": float, "individuated_share": float})
    out = design.merge(observed, on=keys, how="outer")
    out["n_runs"] = out["n_runs"].fillna(0).astype(int)
    out["note"] = [
        "not in the design"
        if pd.isna(e)
        else (f"{int(e) - n} of {int(e)} runs missing" if n < e else "")
        for n, e in zip(out["n_runs"], out["n_expected"], strict=True)
    ]
    return frame(out.to_dict("records"), [*keys, "n_runs", "n_expected", "note"])
