"""The runnable examples in docstrings outside backfire.stats (which has its own)."""

import doctest
import importlib

import pytest

MODULES = [
    "backfire.spec._presets",
    "backfire.llm._store",
    "backfire.simulate._estimate",
    "backfire.measures._measures",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
