from backfire.transcripts import TranscriptWriter, read_transcript, transcript_status


def test_atomic_publication(tmp_path):
    path = tmp_path / "s" / "run.jsonl"
    w = TranscriptWriter(path)
    w.header({"language": "en"}, {"spec_hash": "abc"})
    w.turn({"agent": "leader", "speech": "héllo 日本"})
    assert not path.exists() and w.partial.exists()
    assert transcript_status(path) == (None, None)
    w.footer("complete", {"calls": 1})
    assert path.exists() and not w.partial.exists()
    lines = read_transcript(path)
    assert [x["type"] for x in lines] == ["header", "turn", "footer"]
    assert lines[1]["speech"] == "héllo 日本"
    assert transcript_status(path) == ("complete", "abc")


def test_truncated_file_is_not_whole(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_text('{"type": "header"}\n{"type": "turn"}\n')
    assert transcript_status(path) == (None, None)
