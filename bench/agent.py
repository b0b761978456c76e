"""Agent accuracy per language on the six-language corpus (tests/local/agent_corpus.py).

Runs the agent's real turn decision (``plan_turn``, what ``/run_sse`` calls) on
every corpus row and judges it by the documented draft fields and the credits.
Prints accuracy per language on the rows used for tuning and on the held-out
rows (never tuned on), the same for the corpus of several edits in one message,
undo and relative amounts (tests/local/compound_corpus.py), and the decision
rate against a baseline measured in the same run (parsing alone, no draft work).
    python bench/agent.py [-v]   # -v lists the failing rows
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nemo_skill.local.grammar import read
from tests.local.agent_corpus import ALL_ROWS as ROWS
from tests.local.agent_corpus import accuracy, held_out
from tests.local.compound_corpus import ROWS as COMPOUND
from tests.local.compound_corpus import STORY_ROWS, VARIATIONS
from tests.local.compound_corpus import accuracy as compound_accuracy
from tests.local.story_corpus import accuracy as story_accuracy

LANGUAGES = ("en", "zh", "es", "fr", "de", "ja")


def line(
    name: str, rows: list[tuple[str, str, str, dict[str, object]]], verbose: bool, judge: Any = None
) -> None:
    scores, failures = (judge or accuracy)(rows)
    passed = sum(p for p, _ in scores.values())
    per = "  ".join(
        f"{lang} {scores[lang][0] / scores[lang][1]:.2f} ({scores[lang][0]}/{scores[lang][1]})"
        for lang in LANGUAGES
        if lang in scores
    )
    print(f"{name:9} overall {passed / len(rows):.2f} ({passed}/{len(rows)})  {per}")
    if verbose:
        for row, problem in failures:
            print(f"    {row[0]} {row[2]!r}: {problem}")


def main() -> None:
    verbose = "-v" in sys.argv
    tuned = [r for r in ROWS if not held_out(r)]
    held = [r for r in ROWS if held_out(r)]
    line("tuned", tuned, verbose)
    line("held-out", held, verbose)
    line("all", ROWS, False)
    # several edits in one message, undo, relative amounts (tests/local/compound_corpus.py)
    line("compound", COMPOUND, verbose, compound_accuracy)
    line("variation", VARIATIONS, verbose, compound_accuracy)
    line("photos", STORY_ROWS, verbose, story_accuracy)  # edits aimed at different photos
    start = time.perf_counter()
    accuracy(ROWS)
    full = time.perf_counter() - start
    start = time.perf_counter()
    for row in ROWS:
        read(row[2])
    parse = time.perf_counter() - start
    print(f"turn decisions: {len(ROWS) / full:.0f}/s; parsing alone (baseline): "
          f"{len(ROWS) / parse:.0f}/s; decision/parse time ratio {full / parse:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
