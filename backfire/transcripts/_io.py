"""One JSONL transcript per run: header, one line per agent turn, footer.

A transcript is written to ``<name>.jsonl.partial`` and renamed to
``<name>.jsonl`` only when its footer is written, so a finished file is always
whole; a killed run leaves only a ``.partial`` file, which the next run
replaces. Every line is flushed as it is written.

A path ending in ``.jsonl.gz`` is written the same way (plain ``.partial``)
and gzip-compressed when published; readers take either form, and publishing
one form removes a stale copy in the other, so a run is never on disk twice.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

SUFFIX = ".jsonl"
GZ_SUFFIX = ".jsonl.gz"
PARTIAL = ".jsonl.partial"


def _stem(path: Path) -> str:
    return path.name.removesuffix(".gz").removesuffix(SUFFIX)


class TranscriptWriter:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.compress = self.path.name.endswith(GZ_SUFFIX)
        self.partial = self.path.with_name(_stem(self.path) + PARTIAL)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f: TextIO | None = self.partial.open("w", encoding="utf-8")

    def _write(self, obj: dict[str, Any]) -> None:
        assert self._f is not None, "transcript already closed"
        self._f.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
        self._f.flush()

    def header(self, spec: dict[str, Any], provenance: dict[str, Any]) -> None:
        self._write({"type": "header", **spec, "provenance": provenance})

    def turn(self, record: dict[str, Any]) -> None:
        self._write({"type": "turn", **record})

    def footer(self, status: str, totals: dict[str, Any]) -> None:
        """Write the footer and atomically publish the file."""
        self._write({"type": "footer", "status": status, **totals})
        assert self._f is not None
        os.fsync(self._f.fileno())
        self._f.close()
        self._f = None
        if self.compress:
            tmp = self.path.with_name(self.path.name + ".tmp")
            with self.partial.open("rb") as src, gzip.open(tmp, "wb", compresslevel=9) as dst:
                shutil.copyfileobj(src, dst)
            os.replace(tmp, self.path)
            self.partial.unlink()
        else:
            os.replace(self.partial, self.path)
        other = self.path.with_name(_stem(self.path) + (SUFFIX if self.compress else GZ_SUFFIX))
        other.unlink(missing_ok=True)

    def abandon(self) -> None:
        """Close without publishing (the ``.partial`` file stays for inspection)."""
        if self._f is not None:
            self._f.close()
            self._f = None


def _open(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_transcript(path: str | Path) -> list[dict[str, Any]]:
    """All lines of a transcript (``.jsonl`` or ``.jsonl.gz``) as dicts."""
    with _open(Path(path)) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_ends(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """First (header) and last (footer) line of a transcript, parsed; the turns are
    streamed past, not parsed, so summaries of many runs stay cheap."""
    first = last = None
    with _open(Path(path)) as f:
        for line in f:
            if not line.strip():
                continue
            if first is None:
                first = line
            last = line
    head = json.loads(first) if first else {}
    foot = json.loads(last) if last else {}
    return head, foot


def transcript_status(path: str | Path) -> tuple[str | None, str | None]:
    """(footer status, spec hash) of a transcript, or (None, None) if it is not whole."""
    p = Path(path)
    if not p.is_file():
        return None, None
    try:
        lines = read_transcript(p)
    except (OSError, json.JSONDecodeError, EOFError):
        return None, None
    if not lines or lines[0].get("type") != "header" or lines[-1].get("type") != "footer":
        return None, None
    return lines[-1].get("status"), lines[0].get("provenance", {}).get("spec_hash")


def find_transcripts(root: str | Path) -> Iterator[Path]:
    """Every finished transcript under ``root`` (recursively), sorted."""
    root = Path(root)
    yield from sorted(
        p for p in root.rglob("*") if p.name.endswith((".jsonl", ".jsonl.gz")) and p.is_file()
    )


def transcript_path(out: str | Path, study: str, run_id: str, compress: bool = False) -> Path:
    """Where a run's transcript is published (``.jsonl.gz`` when ``compress``)."""
    return Path(out) / study / f"{run_id}{GZ_SUFFIX if compress else SUFFIX}"


def existing_transcript(out: str | Path, study: str, run_id: str) -> Path | None:
    """The run's published transcript in either form, or None."""
    for compress in (False, True):
        p = transcript_path(out, study, run_id, compress)
        if p.is_file():
            return p
    return None
