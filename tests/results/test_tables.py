"""Results tables on the tiny synthetic dataset (tests/results/conftest.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import backfire.results as br

from .conftest import spec_for


def _subset(res, keep):
    runs = res["runs"][keep(res["runs"])]
    ids = set(runs["run_id"])
    out = {k: v[v["run_id"].isin(ids)] for k, v in res.items()}
    for k in out:
        out[k].attrs = dict(res[k].attrs)
    return out


# --- the paper's numbers -----------------------------------------------------


def test_paper_numbers_as_data():
    p = br.paper()
    assert {"study", "key", "quantity", "value", "p", "source", "note"} <= set(p.columns)
    assert set(p["source"]) <= {"PRIMARY", "SECONDARY"}
    v = p.set_index(["study", "key"])["value"]
    assert v[("study1", "en_g_cpi")] == -1.844 and v[("study1", "ja_g_cpi")] == 0.771
    assert v[("study2", "di_ratio_beta")] == 0.0667
    assert v[("study2", "cpi_ratio_group_beta")] == 0.0684
    assert v[("study2", "pdi_r")] == 0.474
    assert v[("study3", "di_individuated")] == 1.12
    assert v[("all", "n_total")] == 1584
    assert p.set_index(["study", "key"]).loc[("study2", "pdi_r"), "p"] == 0.064
    # Study 4 is qualitative
    assert np.isnan(v[("study4", "en_protective")])


# --- analyse -----------------------------------------------------------------


def test_analyse_tables_and_provenance(analysed):
    res = analysed["study1"]
    runs, agents, headers = res["runs"], res["agents"], res["headers"]
    assert len(runs) == len(spec_for("study1").manifest()) == 24
    assert {"CPI", "DI", "aligned_ratio", "language", "model", "harmony_share"} <= set(runs)
    assert len(agents) == 10 * len(runs) and {"individuated", "aligned", "DI"} <= set(agents)
    assert "same language" in runs.attrs["z_reference"]
    assert set(headers["run_id"]) == set(runs["run_id"])
    assert headers["versions"].map(lambda v: "litellm" in v).all()
    assert headers["seed"].notna().all() and headers["spec_hash"].notna().all()


def test_analyse_empty_folder_gives_empty_tables(tmp_path):
    res = br.analyse(tmp_path / "nothing")
    assert res["runs"].empty and {"CPI", "DI", "language"} <= set(res["runs"].columns)
    assert res["agents"].empty and res["headers"].empty
    assert res["runs"].attrs["notes"]


def test_prepare_finds_existing_runs_and_rejects_bad_mode(data_root):
    spec = spec_for("study3")
    row = br.prepare(spec, data_root, simulate="missing").iloc[0]
    assert row["runs_present"] == row["runs_in_design"] and row["runs_simulated"] == 0
    from backfire.spec import SpecError

    with pytest.raises(SpecError, match="simulate"):
        br.prepare(spec, data_root, simulate="sometimes")


def test_cell_counts_flag_missing_runs(analysed):
    res = _subset(analysed["study1"], lambda r: ~((r.language == "ja") & (r.replicate == 0)))
    cells = br.cell_counts(res["runs"], spec_for("study1"))
    ja = cells[cells["language"] == "ja"]
    assert (ja["n_runs"] == 3).all() and ja["note"].str.contains("1 of 4 runs missing").all()


# --- Study 1 -------------------------------------------------------------------


def test_planted_effect_recovered(tables):
    g = tables["study1"]["g"].set_index(["language", "index"])
    assert g.loc[("en", "CPI"), "g"] < 0  # alignment protects in English
    assert g.loc[("ja", "CPI"), "g"] > 0  # and backfires in Japanese
    assert g.loc[("en", "CPI"), "n_treated"] == g.loc[("en", "CPI"), "n_control"] == 4
    row = g.loc[("en", "CPI")]
    assert row["ci_low"] < row["g"] < row["ci_high"] and 0 < row["p"] <= 1


def test_study1_tables(tables):
    t = tables["study1"]
    ibr = t["index_by_ratio"]
    assert set(ibr["aligned_ratio"]) == {0.0, 0.5, 1.0} and set(ibr["index"]) == {"CPI", "DI"}
    assert (ibr["n"] == 4).all() and (ibr["ci_low"] <= ibr["mean"]).all()
    hs = t["harmony_share"].set_index(["language", "condition"])
    assert set(hs.index.get_level_values("condition")) == {"aligned", "unaligned"}
    assert ((hs["share"] >= 0) & (hs["share"] <= 1)).all()
    # the planted Japanese register shift: more group-harmony speech when aligned
    assert hs.loc[("ja", "aligned"), "share"] > hs.loc[("ja", "unaligned"), "share"]
    cr = t["conformity_ratio"]
    assert (cr["ratio"] > 0).all() and {"conformity", "individuation"} <= set(cr)


def test_missing_language_gives_nan_rows_not_errors(analysed):
    res = _subset(analysed["study1"], lambda r: r.language == "en")
    t = br.study1_tables(res)
    cmp = br.paper_comparison({"study1": t}).set_index("key")
    assert cmp.loc["en_g_cpi", "verdict"] != "not computed"
    assert cmp.loc["ja_g_cpi", "verdict"] == "not computed"
    assert math.isnan(cmp.loc["ja_g_cpi", "ours"]) and "ja" in cmp.loc["ja_g_cpi", "note"]


def test_too_few_runs_give_nan_with_note(analysed):
    res = _subset(analysed["study1"], lambda r: r.replicate == 0)  # one run per cell
    g = br.alignment_g(res["runs"])
    assert g["g"].isna().all() and g["note"].str.contains("needs >= 2 runs").all()
    no_full = _subset(analysed["study1"], lambda r: r.aligned_ratio < 1)
    g = br.alignment_g(no_full["runs"])
    assert g["g"].isna().all() and (g["n_treated"] == 0).all()
    ibr = br.index_by_ratio(res["runs"])
    assert ibr["ci_low"].isna().all() and ibr["note"].str.contains("one value").all()


def test_every_table_survives_no_data(tmp_path):
    res = br.analyse(tmp_path)
    for study in br.STUDIES:
        t = br.study_tables(res, study)
        for name, df in t.items():
            assert isinstance(df, pd.DataFrame), name
        cmp = br.paper_comparison({study: t})
        assert (cmp["verdict"] == "not computed").all()
        figs = br.study_figures(study, t, tmp_path / "fig", formats="png")
        assert all(p.is_file() for f in figs.values() for p in f.saved_paths)
    g = br.study1_tables(res)["g"]
    assert len(g) == 1 and g["note"].iloc[0] == "no runs"


# --- Study 2 -------------------------------------------------------------------


def test_pdi_groups_median_split():
    pdi = br.pdi_table(["en", "ja", "de", "ru"]).set_index("language")
    assert pdi.loc["ja", "pdi"] == 54 and pdi["pdi_median"].iloc[0] == pytest.approx(47.0)
    assert dict(pdi["pdi_group"]) == {"en": "low", "ja": "high", "de": "low", "ru": "high"}
    maps = br.pdi_mappings(["en", "de", "es"])
    assert maps["es=Mexico"]["es"] == 81 and maps["es=Mexico"]["de"] == 35
    assert "primary" in maps and "first alternatives" in maps


def test_study2_tables(tables):
    t = tables["study2"]
    slope = t["di_slope"].set_index("term")
    assert {"(Intercept)", "aligned_ratio"} <= set(slope.index)
    assert slope.loc["aligned_ratio", "n_groups"] == 4 and np.isfinite(
        slope.loc["aligned_ratio", "estimate"]
    )
    inter = t["cpi_interaction"].set_index("term")
    assert "aligned_ratio:pdi_grouphigh" in inter.index
    assert np.isfinite(inter.loc["aligned_ratio:pdi_grouphigh", "estimate"])
    d = t["direction"].set_index("rule")
    assert d.loc["sign", "n"] == 4
    assert (
        d.loc["sign", "n_protective"] + d.loc["sign", "n_amplifying"] + d.loc["sign", "n_null"] == 4
    )
    assert 0 <= d.loc["sign", "p_sign"] <= 1
    assert "en" in d.loc["sign", "protective"]  # the planted English protection
    corr = t["pdi_correlation"].set_index("method")
    assert set(corr.index) == {"pearson", "spearman"} and (corr["n"] == 4).all()
    sens = t["pdi_sensitivity"]
    assert {"primary", "zh=Taiwan", "en=United Kingdom"} <= set(sens["mapping"])
    assert len(t["g"]) == 8  # 4 languages x CPI, DI


def test_mixed_model_with_one_language_is_nan(analysed):
    res = _subset(analysed["study2"], lambda r: r.language == "en")
    slope = br.ratio_slope(res["runs"])
    assert slope["estimate"].isna().all() and slope["note"].str.contains(">= 2 levels").all()
    inter = br.ratio_group_interaction(res["runs"])
    assert inter["estimate"].isna().all() and inter["note"].str.contains("PDI groups").all()
    corr = br.pdi_correlation(br.alignment_g(res["runs"]))
    assert corr["r"].isna().all() and corr["note"].str.contains("at least 3").all()


# --- Study 3 -------------------------------------------------------------------


def test_study3_tables(tables, analysed):
    t = tables["study3"]
    rates = t["rates"]
    assert set(rates["individuated_share"]) == {0.0, 0.5, 1.0}
    assert {"DI", "conformity_rate", "conformity_share"} <= set(rates["index"])
    pooled = t["agents_pooled"].set_index(["individuated", "index"])
    assert pooled.loc[(True, "DI"), "n"] == 4  # runs with individuated agents: share .5 and 1
    assert pooled.loc[(False, "DI"), "n"] == 4  # runs with other agents: share 0 and .5
    # planted: individuated agents speak less conformity
    assert (
        pooled.loc[(True, "conformity_share"), "mean"]
        < pooled.loc[(False, "conformity_share"), "mean"]
    )
    contrast = t["contrast"]
    assert (contrast["n_runs"] == 2).all()  # only the mixed (share .5) runs
    # no individuated agents at all: NaN with a note
    none = br.individuation_contrast(analysed["study1"]["agents"])
    assert none["diff"].isna().all() and none["note"].str.contains("no runs with both").all()


# --- Study 4 -------------------------------------------------------------------


def test_study4_tables(tables):
    t = tables["study4"]
    g = t["g"][t["g"]["index"] == "CPI"]
    assert set(g["model"]) == {"synthetic", "synthetic/default"} and len(g) == 4
    bf = t["backfire"].set_index("language")
    assert bf.loc["ja", "n_models"] == 2 and bf.loc["en", "n_models"] == 2


# --- comparison ----------------------------------------------------------------

REQUIRED = {
    ("study1", "en_g_cpi"),
    ("study1", "ja_g_cpi"),
    ("study2", "di_ratio_beta"),
    ("study2", "cpi_ratio_group_beta"),
    ("study2", "n_protective"),
    ("study2", "n_amplifying"),
    ("study2", "pdi_r"),
    ("study3", "di_individuated"),
    ("study3", "conformity_individuated"),
    ("study4", "en_protective"),
    ("study4", "ja_backfire"),
}
VERDICTS = {
    "same sign, paper inside our CI",
    "same sign",
    "opposite sign",
    "not computed",
    "paper inside our CI",
    "paper outside our CI",
    "computed, no CI",
    "meets the paper's bound",
    "misses the paper's bound",
    "same count",
    "different count",
}


def test_paper_comparison_rows_and_columns(tables):
    cmp = br.paper_comparison(tables)
    must = {"study", "quantity", "paper", "ours", "ci_low", "ci_high", "verdict"}
    assert must <= set(cmp.columns)
    assert set(zip(cmp["study"], cmp["key"], strict=True)) >= REQUIRED
    assert set(cmp["verdict"]) <= VERDICTS
    s1 = cmp[cmp["study"] == "study1"].set_index("key")
    assert s1.loc["en_g_cpi", "verdict"].startswith("same sign")
    assert s1.loc["ja_g_cpi", "verdict"].startswith("same sign")
    assert s1.loc["en_g_cpi", "paper"] == -1.844
    # Study 4: a row per model and language
    s4 = cmp[cmp["study"] == "study4"]
    assert len(s4[s4["key"] == "en_protective"]) == 2 and len(s4[s4["key"] == "ja_backfire"]) == 2
    # the PDI row carries r and p
    pdi = cmp.set_index("key").loc["pdi_r"]
    assert np.isfinite(pdi["ours"]) and np.isfinite(pdi["p"]) and pdi["paper_p"] == 0.064


def test_paper_comparison_from_analysis_dict(analysed):
    cmp = br.paper_comparison(analysed["study1"])
    assert set(cmp["study"]) == {"study1"}
    empty = br.paper_comparison({})
    assert set(empty["study"]) == set(br.STUDIES) and (empty["verdict"] == "not computed").all()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("sign", -1.844, -1.2, -2.0, -0.4), "same sign, paper inside our CI"),
        (("sign", -1.844, -0.5, -0.9, -0.1), "same sign"),
        (("sign", 0.771, -0.3, -1.0, 0.4), "opposite sign"),
        (("sign", float("nan"), -0.3, -1.0, 0.4, -1), "same sign"),
        (("sign", float("nan"), 0.3, -1.0, 0.9, -1), "opposite sign"),
        (("sign", 0.474, float("nan")), "not computed"),
        (("share", 0.5, 0.25, 0.05, 0.6), "paper inside our CI"),
        (("level", 180.6, 2.0, 1.0, 4.0), "paper outside our CI"),
        (("level", 180.6, 2.0), "computed, no CI"),
        (("bound", 0.84, 0.9), "meets the paper's bound"),
        (("bound", 0.84, 0.5), "misses the paper's bound"),
        (("count", 1, 1), "same count"),
        (("count", 1, 2), "different count"),
    ],
)
def test_verdict_rule(args, expected):
    assert br.verdict(*args) == expected
