"""Generate the seeded fixture data in ``tests/stats/fixtures/``.

Run once (the CSVs are committed) with::

    PYTHONPATH=/work/main .venv/bin/python tests/stats/make_fixtures.py

then ``Rscript tests/stats/reference.R`` to regenerate ``tests/stats/reference/``.
Values are rounded to 6 decimals so that R and Python read identical numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent / "fixtures"


def two_groups(rng: np.random.Generator) -> pd.DataFrame:
    cases = [
        # name, n_treated, n_control, shift, sd_treated
        ("paper_like", 15, 15, 0.8, 1.0),
        ("negative", 15, 15, -1.8, 1.0),
        ("unequal", 12, 20, 0.4, 1.8),
        ("small", 4, 5, 1.0, 1.0),
        ("no_effect", 30, 30, 0.0, 1.0),
    ]
    rows = []
    for name, n1, n2, shift, sd1 in cases:
        t = rng.normal(shift, sd1, n1)
        c = rng.normal(0.0, 1.0, n2)
        rows += [(name, "treated", v) for v in t]
        rows += [(name, "control", v) for v in c]
    df = pd.DataFrame(rows, columns=["case", "group", "value"])
    df["value"] = df["value"].round(6)
    return df


def mixed(rng: np.random.Generator) -> pd.DataFrame:
    langs = [f"L{i:02d}" for i in range(16)]
    ratios = [0.0, 0.25, 0.5, 0.75, 1.0]
    u = rng.normal(0.0, 0.6, len(langs))
    rows = []
    for li, lang in enumerate(langs):
        for cond in ("A", "B"):
            for ratio in ratios:
                y = (
                    1.0
                    + 0.5 * ratio
                    + 0.3 * (cond == "B")
                    - 0.6 * ratio * (cond == "B")
                    + u[li]
                    + rng.normal(0.0, 1.0)
                )
                rows.append((lang, cond, ratio, y))
    df = pd.DataFrame(rows, columns=["language", "condition", "ratio", "y"])
    df["y"] = df["y"].round(6)
    return df


def correlation(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    # 16 languages: PDI-like x, effect-like y (no ties, so Spearman is tie-free).
    pdi = np.array([54, 80, 60, 81, 77, 93, 57, 68, 35, 69, 50, 66, 78, 70, 31, 40], float)
    pdi = pdi + rng.uniform(-0.4, 0.4, pdi.size)  # break ties (80/81 etc. stay ordered)
    eff = 0.02 * (pdi - 60) + rng.normal(0.0, 0.6, pdi.size)
    rows += [("pdi_like", a, b) for a, b in zip(pdi, eff, strict=True)]
    x = rng.normal(size=30)
    rows += [("n30", a, b) for a, b in zip(x, 0.3 * x + rng.normal(size=30), strict=True)]
    x = rng.normal(size=10)
    rows += [
        ("negative10", a, b) for a, b in zip(x, -0.8 * x + rng.normal(0, 0.5, 10), strict=True)
    ]
    df = pd.DataFrame(rows, columns=["case", "x", "y"])
    df[["x", "y"]] = df[["x", "y"]].round(6)
    return df


def pvalues(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    p = np.round(np.concatenate([rng.uniform(0, 0.06, 6), rng.uniform(0, 1, 6)]), 6)
    rows += [("mixed12", i, v) for i, v in enumerate(p)]
    p = np.array([0.01, 0.04, 0.04, 0.03, 0.2, 0.01, 0.5])  # ties
    rows += [("ties7", i, v) for i, v in enumerate(p)]
    p = np.array([0.02, np.nan, 0.001, 0.3, np.nan, 0.04])  # missing values
    rows += [("with_nan", i, v) for i, v in enumerate(p)]
    return pd.DataFrame(rows, columns=["case", "i", "p"])


def mixed_boundary(rng: np.random.Generator) -> pd.DataFrame:
    """No between-language variance at all: the REML estimate is exactly 0."""
    df = pd.DataFrame(
        {
            "language": np.repeat([f"L{i:02d}" for i in range(8)], 6),
            "ratio": np.tile(np.linspace(0.0, 1.0, 6), 8),
        }
    )
    df["y"] = 1.5 * df.ratio + rng.normal(size=len(df))
    # Remove the language means exactly, so the group variance sits on the boundary.
    df["y"] = df.y - df.groupby("language").y.transform("mean") + df.y.mean()
    df["y"] = df["y"].round(6)
    return df


def main() -> None:
    rng = np.random.default_rng(20260401)
    HERE.mkdir(exist_ok=True)
    two_groups(rng).to_csv(HERE / "two_groups.csv", index=False)
    m = mixed(rng)
    m.to_csv(HERE / "mixed.csv", index=False)
    # Unbalanced variant: drop 25 % of rows at random.
    keep = rng.uniform(size=len(m)) > 0.25
    m[keep].to_csv(HERE / "mixed_unbalanced.csv", index=False)
    correlation(rng).to_csv(HERE / "correlation.csv", index=False)
    pvalues(rng).to_csv(HERE / "pvalues.csv", index=False)
    mixed_boundary(rng).to_csv(HERE / "mixed_boundary.csv", index=False)


if __name__ == "__main__":
    main()
