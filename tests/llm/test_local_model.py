"""The embedded model end to end: packaged GGUF -> llama.cpp server -> litellm -> engine.

Marked slow (about two minutes on two cores); `make test` runs it, `make test-fast` does not.
"""

import asyncio

import pytest

from backfire.languages import load_language, script_share
from backfire.simulate import run_manifest
from backfire.spec import load_study
from backfire.transcripts import find_transcripts, read_transcript

pytestmark = pytest.mark.slow


def test_ten_agents_two_turns_in_japanese(tmp_path):
    runs = load_study(
        "study1",
        "smoke",
        models=["local"],
        languages=["ja"],
        aligned_ratios=[0.5],
        protocol={"turns": [1, 2]},
    ).manifest()
    summary = asyncio.run(run_manifest(runs, tmp_path, progress=False))
    assert summary.runs_completed == 1 and summary.calls == 20
    (path,) = list(find_transcripts(tmp_path))
    lines = read_transcript(path)
    head, turns = lines[0], lines[1:-1]
    prov = head["provenance"]
    assert prov["model_kind"] == "local" and prov["gguf_sha256"].startswith("1d9614")
    assert prov["llama_cpp"].startswith("xllamacpp")
    assert len(turns) == 20
    parsed = [t for t in turns if t["status"] == "ok"]
    assert len(parsed) >= 15  # JSON-schema output through llama.cpp's grammar
    ja = load_language("ja")
    in_script = [script_share(t["speech"], ja.meta.script) >= 0.5 for t in parsed if t["speech"]]
    assert sum(in_script) >= 0.6 * len(in_script), "real text came back, mostly in Japanese"
    # The second turn extends each agent's first prompt: llama.cpp reuses the cached prefix.
    assert sum(t["cached_tokens"] > 0 for t in turns if t["turn"] == 2) >= 8
    again = asyncio.run(run_manifest(runs, tmp_path, progress=False))
    assert again.runs_skipped == 1 and again.calls == 0
