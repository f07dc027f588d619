import pytest

from backfire.spec import RunSpec, SpecError, load_study


def test_smoke_manifest_is_the_grid():
    spec = load_study("study1", "smoke", models=["synthetic"], languages=["en"])
    runs = spec.manifest()
    assert len(runs) == 2  # en x {0, 1} x 1 replicate
    assert {r.aligned_ratio for r in runs} == {0.0, 1.0}
    assert len({r.run_id for r in runs}) == len(runs)


def test_default_study_sizes():
    assert len(load_study("study1", models=["synthetic"]).manifest()) == 150
    assert len(load_study("study3", models=["synthetic"]).manifest()) == 180


def test_seeds_are_stable_and_distinct():
    a = load_study("study1", models=["synthetic"], languages=["en"]).manifest()
    b = load_study("study1", models=["synthetic"], languages=["en"]).manifest()
    assert [r.seed for r in a] == [r.seed for r in b]
    assert len({r.seed for r in a}) == len(a)
    c = load_study("study1", models=["synthetic"], languages=["en"], seed=1).manifest()
    assert [r.seed for r in a] != [r.seed for r in c]


@pytest.mark.parametrize(
    ("overrides", "field", "allowed"),
    [
        ({"aligned_ratios": [0.35]}, "aligned_ratios", "0, 0.1, 0.2"),
        ({"individuated_shares": [1.5]}, "individuated_shares", "0.9, 1"),
        ({"languages": ["xx"]}, "languages", "en"),
        ({"models": ["nosuch"]}, "model", "synthetic"),
        ({"models": ["local/not-a-model"]}, "model", "local/qwen2.5-0.5b"),
        ({"models": ["local/missing.gguf"]}, "model", "local/<path>.gguf"),
        ({"models": ["synthetic/nosuch"]}, "model", "synthetic/default"),
    ],
)
def test_bad_values_name_field_and_allowed(overrides, field, allowed):
    with pytest.raises(SpecError) as err:
        load_study("study1", "smoke", **{"models": ["synthetic"], "languages": ["en"], **overrides})
    msg = str(err.value)
    assert msg.startswith(f"{field}:")
    assert "allowed values" in msg and allowed in msg


def test_unknown_study_and_preset():
    with pytest.raises(SpecError, match="study: .*study1"):
        load_study("study9")
    with pytest.raises(SpecError, match="preset: .*smoke"):
        load_study("study1", "nosuch")


def test_spec_hash_changes_with_settings():
    r = load_study("study1", "smoke", models=["synthetic"], languages=["en"]).manifest()[0]
    r2 = RunSpec(**{**r.model_dump(), "settings": {**r.settings.model_dump(), "temperature": 0.5}})
    assert r.spec_hash != r2.spec_hash
    assert r.run_id == r2.run_id


def test_aligned_count_rounds_ratio():
    r = load_study("study1", models=["synthetic"], languages=["en"]).manifest()
    assert sorted({x.n_aligned for x in r}) == [0, 3, 5, 7, 10]
