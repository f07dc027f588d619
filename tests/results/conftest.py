"""A tiny synthetic dataset for the four studies, simulated once per session.

The same parameters drive the unit tests (through :func:`study_spec`) and the
papermill tests (as notebook parameters), so a notebook run with
``simulate="missing"`` finds every run already there. About 60 small runs of
the scripted ``synthetic`` model (alignment protects in English and backfires
in Japanese): ~15 s on two shared cores.
"""

from __future__ import annotations

import pytest

#: Notebook parameters per study (also the study_spec arguments).
PARAMS = {
    "study1": dict(model="synthetic", ratios=[0, 0.5, 1], replicates=4, turns=[3, 8, 13, 15]),
    "study2": dict(
        model="synthetic",
        languages=["en", "ja", "ko", "zh"],  # cheap lexicons to compile
        ratios=[0, 1],
        replicates=2,
        turns=[8, 15],
    ),
    "study3": dict(
        model="synthetic",
        languages=["en"],
        ratios=[1],
        individuated_shares=[0, 0.5, 1],
        replicates=2,
        turns=[8, 15],
    ),
    # "synthetic" and "synthetic/default" are the same scripted model under two ids
    # (two "models" for the per-model code paths).
    "study4": dict(model=["synthetic", "synthetic/default"], replicates=2, turns=[8, 15]),
}


def spec_for(study: str):
    from backfire.results import study_spec

    return study_spec(study, "default", **PARAMS[study])


@pytest.fixture(scope="session")
def data_root(tmp_path_factory):
    """Root folder holding ``<study>/*.jsonl`` for the four tiny studies."""
    from backfire.simulate import run_study

    root = tmp_path_factory.mktemp("results_data")
    for study in PARAMS:
        summary = run_study(spec_for(study), root, progress=False)
        assert summary.runs_failed == 0, summary.failures
    return root


@pytest.fixture(scope="session")
def analysed(data_root):
    """``analyse`` output per study."""
    from backfire.results import analyse

    return {s: analyse(data_root / s, spec=spec_for(s)) for s in PARAMS}


@pytest.fixture(scope="session")
def tables(analysed):
    """``study_tables`` per study."""
    from backfire.results import study_tables

    return {s: study_tables(analysed[s], s, spec=spec_for(s)) for s in PARAMS}
