"""Run the docstring Examples of every backfire.stats module (they are part of the docs)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "backfire.stats",
    "backfire.stats._agreement",
    "backfire.stats._correlation",
    "backfire.stats._counts",
    "backfire.stats._effsize",
    "backfire.stats._mixed",
    "backfire.stats._multicomp",
    "backfire.stats._power",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest failure(s) in {name}"


def test_public_api():
    import backfire.stats as bs

    expected = {
        "binomial_test",
        "cohen_kappa",
        "conformity_ratio",
        "correlation",
        "direction_count",
        "hedges_g",
        "hedges_j",
        "holm",
        "lme4_term",
        "mixed_model",
        "pdi_sensitivity",
        "power_g",
        "variance_components",
    }
    assert set(bs.__all__) == expected
    for name in expected:
        assert callable(getattr(bs, name))
