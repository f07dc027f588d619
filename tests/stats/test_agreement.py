"""Cohen's kappa against hand-computed values."""

import math

import numpy as np
import pytest

from backfire.stats import cohen_kappa


def test_textbook_two_by_two():
    # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: po = .7, pe = .5*.6 + .5*.4 = .5
    x = [1] * 25 + [0] * 25
    y = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    r = cohen_kappa(x, y).iloc[0]
    assert (r.both, r.x_only, r.y_only, r.neither) == (20, 5, 10, 15)
    assert r.agreement == pytest.approx(0.7) and r.expected == pytest.approx(0.5)
    assert r.kappa == pytest.approx(0.4)
    assert r.se == pytest.approx(math.sqrt(0.7 * 0.3 / (50 * 0.25)))
    assert r.ci_low < 0.4 < r.ci_high


def test_perfect_chance_and_undefined():
    x = np.array([True, False, True, False])
    assert cohen_kappa(x, x)["kappa"].iloc[0] == pytest.approx(1.0)
    assert cohen_kappa(x, ~x)["kappa"].iloc[0] == pytest.approx(-1.0)
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0])["kappa"].iloc[0])


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="lengths differ"):
        cohen_kappa([1, 0], [1])
    with pytest.raises(ValueError, match="y: values must be 0/1"):
        cohen_kappa([1, 0], [2, 0])
