"""Shared fixtures. Every test is offline; ``slow`` ones start the embedded model."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture
def out_dir(tmp_path):
    return tmp_path / "runs"
