"""Printing a benchmark's result: one JSON object (``--json``) or aligned lines."""

from __future__ import annotations

import json
from typing import Any


def emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
        return
    width = max(map(len, result)) + 2
    for k, v in result.items():
        print(f"{k:{width}} {v}")
