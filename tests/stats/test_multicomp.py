"""holm against p.adjust(method = "holm") values stored in reference/."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backfire.stats import holm


@pytest.mark.parametrize("case", ["mixed12", "ties7", "with_nan"])
def test_matches_p_adjust(ref, case):
    r = ref("holm")
    r = r[r.case == case]
    p = r.p.to_numpy(dtype=float)  # JSON null -> NaN
    expected = r.holm.to_numpy(dtype=float)
    got = holm(p)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, expected, atol=1e-12, equal_nan=True)


def test_properties():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 0.2, 25)
    adj = holm(p)
    order = np.argsort(p)
    assert np.all(np.diff(adj[order]) >= 0)  # monotone in the raw p order
    assert np.all(adj >= p) and np.all(adj <= 1)
    assert holm([0.9, 0.8]).tolist() == [1.0, 1.0]  # capped at 1


def test_series_keeps_index_and_order():
    s = pd.Series({"CPI": 0.03, "conformity": 0.001, "dissent": 0.2}, name="p")
    out = holm(s)
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["CPI", "conformity", "dissent"]
    assert out.name == "p"
    np.testing.assert_allclose(out.to_numpy(), [0.06, 0.003, 0.2])


def test_edge_cases():
    assert holm([]).size == 0
    assert holm([0.04]).tolist() == [0.04]
    assert np.isnan(holm([np.nan])).all()
    with pytest.raises(ValueError):
        holm([0.1, 1.2])
    with pytest.raises(ValueError):
        holm([[0.1, 0.2]])
