from backfire.transcripts import TranscriptWriter, load_runs, load_turns


def _write(path, run_id, status, turns):
    w = TranscriptWriter(path)
    w.header({"run_id": run_id, "language": "en", "replicate": 0}, {"spec_hash": run_id})
    for t in range(turns):
        w.turn({"agent": "leader", "turn": t + 1, "speech": f"s{t}"})
    if status == "complete":
        w.footer("complete", {"calls": turns})
    else:
        w.footer(status, {"calls": turns})


def test_load_runs_one_row_per_transcript_with_footer_and_load_turns_skips_failed(tmp_path):
    _write(tmp_path / "s" / "a.jsonl", "a", "complete", 3)
    _write(tmp_path / "s" / "b.jsonl.gz", "b", "failed: ModelError: x", 2)
    runs = load_runs(tmp_path).set_index("run_id")
    assert runs.loc["a", "footer_status"] == "complete" and runs.loc["a", "footer_calls"] == 3
    assert runs.loc["b", "footer_status"].startswith("failed") and runs.loc["b", "language"] == "en"
    turns = load_turns(tmp_path)
    assert list(turns["speech"]) == ["s0", "s1", "s2"] and set(turns["run_id"]) == {"a"}
    assert len(load_turns(tmp_path, complete_only=False)) == 5
