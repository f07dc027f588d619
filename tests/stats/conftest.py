"""Shared fixtures: the seeded fixture data and the stored R reference values."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
REFERENCE = HERE / "reference"


def load_reference(name: str) -> pd.DataFrame:
    """Read ``tests/stats/reference/<name>.json`` (written by reference.R)."""
    with open(REFERENCE / f"{name}.json", encoding="utf-8") as fh:
        return pd.DataFrame(json.load(fh))


def load_fixture(name: str) -> pd.DataFrame:
    """Read ``tests/stats/fixtures/<name>.csv`` (written by make_fixtures.py)."""
    return pd.read_csv(FIXTURES / f"{name}.csv")


@pytest.fixture(scope="session")
def ref():
    return load_reference


@pytest.fixture(scope="session")
def fixture_data():
    return load_fixture
