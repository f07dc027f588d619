"""Transcripts: one JSONL file per run, written atomically, read back as DataFrames."""

from ._frames import RUN_COLUMNS, load_runs, load_turns, summarize_runs
from ._io import (
    GZ_SUFFIX,
    PARTIAL,
    SUFFIX,
    TranscriptWriter,
    existing_transcript,
    find_transcripts,
    read_ends,
    read_transcript,
    transcript_path,
    transcript_status,
)
from ._quality import language_quality

__all__ = [
    "GZ_SUFFIX",
    "PARTIAL",
    "RUN_COLUMNS",
    "SUFFIX",
    "TranscriptWriter",
    "existing_transcript",
    "find_transcripts",
    "language_quality",
    "load_runs",
    "load_turns",
    "read_ends",
    "read_transcript",
    "summarize_runs",
    "transcript_path",
    "transcript_status",
]
