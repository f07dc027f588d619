"""How well did a model play the part? Parse rate, target language, parroting.

Per (model, language): the share of agent turns that parsed, the share whose
public speech is in the target language (script and language ID, see
:func:`backfire.languages.in_language`), and the share that merely repeat the
facility announcement (small models parrot their instructions; we record it).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ._frames import load_turns


def _parroted(speech: str, event: str) -> bool:
    if not speech or not event:
        return False
    a, b = speech.casefold(), event.casefold()
    if a in b:
        return True
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size >= 0.6 * len(a)


def language_quality(root: str | Path) -> Any:
    """One row per (model, language) with n_turns, parsed, in_language, parroted shares."""
    import pandas as pd

    from ..languages import in_language, load_language

    turns = load_turns(root, complete_only=False)
    if turns.empty:
        return pd.DataFrame(
            columns=["model", "language", "n_turns", "parsed", "in_language", "parroted"]
        )
    rows = []
    for (model, code), g in turns.groupby(["model", "language"], sort=True):
        lang = load_language(code)
        events = {e.turn: e.text.format(target=lang.target.name) for e in lang.scenario.events}
        ok = g[g["status"] == "ok"]
        speech = ok["speech"].fillna("")
        in_lang = [in_language(s, code, lang.meta.script) for s in speech]
        parrot = [_parroted(s, events.get(t, "")) for s, t in zip(speech, ok["turn"], strict=True)]
        n = len(g)
        rows.append(
            {
                "model": model,
                "language": code,
                "n_turns": n,
                "parsed": len(ok) / n if n else float("nan"),
                "in_language": sum(in_lang) / n if n else float("nan"),
                "in_language_of_parsed": sum(in_lang) / len(ok) if len(ok) else float("nan"),
                "parroted": sum(parrot) / n if n else float("nan"),
            }
        )
    return pd.DataFrame(rows)
