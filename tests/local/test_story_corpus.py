"""The story corpus (tests/local/story_corpus.py): stories and per-photo edits in six languages.

Judged only by documented draft fields and the credits charged; prints the
accuracy per language (``pytest -s`` shows it) and holds a floor per language.
"""

from __future__ import annotations

from collections import Counter

from tests.local.story_corpus import (
    COST_EDIT,
    LANGUAGES,
    ROWS,
    Outcome,
    accuracy,
    judge,
    snapshot,
)

FLOOR = 0.9


def test_corpus_is_large_and_covers_every_language_and_kind() -> None:
    per_language = Counter(r[0] for r in ROWS)
    assert len(ROWS) >= 150
    assert set(per_language) == set(LANGUAGES)
    assert min(per_language.values()) >= 25
    assert len({(r[0], r[2]) for r in ROWS}) == len(ROWS)  # no sentence twice
    kinds = {k for r in ROWS for k in r[3]}
    assert {"photos", "d", "motion", "speed", "transition", "caption", "title", "music", "beat",
            "ask", "new"} <= kinds  # fmt: skip


def test_accuracy_per_language() -> None:
    scores, failures = accuracy(ROWS)
    for lang in LANGUAGES:
        ok, total = scores[lang]
        print(f"story corpus {lang}: {ok}/{total} = {ok / total:.3f}")
    report = "\n".join(f"{row[0]} {row[2]!r}: {problem}" for row, problem in failures)
    passed = sum(ok for ok, _ in scores.values())
    print(f"story corpus overall: {passed}/{len(ROWS)} = {passed / len(ROWS):.3f}")
    for lang, (ok, total) in scores.items():
        assert ok / total >= FLOOR, f"{lang}: {ok}/{total}\n{report}"


def _story() -> dict[str, object]:
    video = [{"id": f"v{i}", "name": n, "st": i * 3000, "d": 3000, "motion": "kenburns",
              "speed": 1.0} for i, n in enumerate(("beach.jpg", "city.jpg", "forest.jpg"))]  # fmt: skip
    return {"id": "d", "t": [{"tt": 0, "sg": video}]}


def test_judge_rejects_unasked_changes_gaps_and_wrong_charges() -> None:
    before = snapshot(_story())
    longer = _story()
    longer["t"][0]["sg"][1]["d"] = 5000  # type: ignore[index]
    longer["t"][0]["sg"][2]["st"] = 8000  # type: ignore[index]
    right = Outcome(before, snapshot(longer), COST_EDIT, False)
    assert judge({"d": [3, 5, 3]}, right, False) is None
    assert judge({"d": [3, 4, 3]}, right, False) is not None
    assert judge({}, right, False) is not None  # an unasked change fails
    gap = _story()
    gap["t"][0]["sg"][2]["st"] = 7000  # type: ignore[index]
    assert judge({}, Outcome(before, snapshot(gap), COST_EDIT, False), False) is not None
    assert judge({"d": [3, 5, 3]}, Outcome(before, snapshot(longer), 0, False), False) is not None
    assert judge({"ask": True}, Outcome(before, before, 0, True), False) is None
    assert judge({"ask": True}, Outcome(before, before, 0, False), False) is not None
