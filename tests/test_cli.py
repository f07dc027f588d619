"""The CLI contract of issue 3: flags, --json summary, exit status 2 on bad input."""

import json
import subprocess
import sys

import pytest

from backfire.cli import main


def _run(args):
    return subprocess.run(
        [sys.executable, "-m", "backfire", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--ratios", "0.35"], "aligned_ratios"),
        (["--languages", "xx"], "languages"),
        (["--model", "nosuch"], "model"),
        (["--ratios", "abc"], "ratios"),
    ],
)
def test_bad_values_exit_2_with_one_line(tmp_path, args, field):
    p = _run(
        [
            "simulate",
            "--study",
            "study1",
            "--preset",
            "smoke",
            "--model",
            "synthetic",
            "--out",
            str(tmp_path),
            *args,
        ]
    )
    assert p.returncode == 2
    lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and field in lines[0]
    assert "allowed" in lines[0] or "list of numbers" in lines[0]


@pytest.mark.parametrize("dry", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_design_too_long_for_an_embedded_model_exits_2_before_any_call(tmp_path, dry):
    # fifteen turns of 40-word Japanese cannot fit SmolLM2's 8k context
    out = tmp_path / "out"
    p = _run(
        [
            "simulate",
            "--study",
            "study1",
            "--preset",
            "default",
            "--model",
            "local/smollm2-135m",
            "--languages",
            "ja",
            "--replicates",
            "1",
            "--out",
            str(out),
            *dry,
        ]
    )
    assert p.returncode == 2
    lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and "protocol" in lines[0] and "8192-token context" in lines[0]
    assert not out.exists()
    assert not any(tmp_path.rglob("*.jsonl*"))  # nothing was started


def test_simulate_json_summary_and_rerun_makes_no_call(tmp_path, capsys):
    args = [
        "simulate",
        "--study",
        "study1",
        "--preset",
        "smoke",
        "--model",
        "synthetic",
        "--languages",
        "en,ja",
        "--ratios",
        "0,0.5,1",
        "--replicates",
        "2",
        "--seed",
        "7",
        "--out",
        str(tmp_path),
        "--json",
    ]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    for key in ("runs_total", "runs_completed", "runs_skipped", "calls", "cache_hits"):
        assert key in first
    assert first["runs_total"] == 12 and first["runs_completed"] == 12
    assert len(list(tmp_path.rglob("*.jsonl"))) == 12
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["runs_skipped"] == 12 and second["calls"] == 0


def test_every_command_has_help():
    for cmd in ["simulate", "languages", "models", "fetch-model", "studies", "language-report"]:
        p = _run([cmd, "--help"])
        assert p.returncode == 0 and "usage:" in p.stdout


def test_models_lists_the_default(capsys):
    assert main(["models", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in rows if r.get("default")] == ["local/qwen2.5-0.5b"]


def test_model_takes_a_comma_separated_list(tmp_path, capsys):
    rc = main(
        [
            "simulate",
            "--study",
            "study4",
            "--preset",
            "smoke",
            "--model",
            "synthetic,synthetic/null",
            "--out",
            str(tmp_path),
            "--dry-run",
        ]
    )
    assert rc == 0
    ids = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_ids"]
    assert any(i.endswith("_synthetic_r00") for i in ids)
    assert any("synthetic-null" in i for i in ids)


def test_dry_run_shows_how_an_embedded_model_will_be_sized(tmp_path, capsys):
    args = ["simulate", "--study", "study1", "--preset", "smoke", "--languages", "en"]
    args += ["--model", "local/smollm2-135m", "--turns", "1,2", "--out", str(tmp_path)]
    assert main([*args, "--dry-run"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    plan = out["embedded_models"]["local/smollm2-135m"]
    assert 2048 <= plan["n_ctx_per_slot"] <= 8192 and plan["max_concurrent_runs"] >= 1
    assert plan["longest_prompt_tokens"] > 0 and plan["kv_mb"] > 0
    assert not any(tmp_path.rglob("*.jsonl*"))


def test_compare_needs_a_file(tmp_path):
    p = _run(["compare", str(tmp_path / "none.csv")])
    assert p.returncode == 2 and "does not exist" in p.stderr


def test_estimate_prints_cost_without_and_with_the_prompt_cache(capsys):
    args = ["estimate", "--study", "study1", "--languages", "en", "--replicates", "1"]
    args += ["--ratios", "0.5"]
    assert main([*args, "--model", "openai/gpt-4o-mini", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["calls"] == 150 and 0 < out["cached_prompt_tokens"] < out["prompt_tokens"]
    assert 0 < out["cost_usd_cached"] < out["cost_usd"]
    assert main([*args, "--model", "openai/gpt-4o-mini"]) == 0
    assert "with the provider's prompt cache" in capsys.readouterr().out
