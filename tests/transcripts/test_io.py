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


def test_compressed_publication_replaces_the_plain_copy(tmp_path):
    from backfire.transcripts import existing_transcript, transcript_path

    plain = transcript_path(tmp_path, "s", "run")
    w = TranscriptWriter(plain)
    w.header({"language": "en"}, {"spec_hash": "abc"})
    w.footer("failed: boom", {})
    gz = transcript_path(tmp_path, "s", "run", compress=True)
    assert gz.name == "run.jsonl.gz"
    w = TranscriptWriter(gz)
    w.header({"language": "en"}, {"spec_hash": "abc"})
    w.turn({"speech": "日本"})
    assert transcript_status(gz) == (None, None)  # not published yet
    w.footer("complete", {})
    assert not plain.exists() and not w.partial.exists()  # one copy per run
    assert gz.read_bytes()[:2] == b"\x1f\x8b"
    assert existing_transcript(tmp_path, "s", "run") == gz
    assert transcript_status(gz) == ("complete", "abc")
    assert read_transcript(gz)[1]["speech"] == "日本"
