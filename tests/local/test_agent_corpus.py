"""The six-language corpus (tests/local/agent_corpus.py): the agent's decision and, end to end, HTTP.

The fast path runs :func:`nemo_skill.local.agent.plan_turn`, the function
``/run_sse`` calls, on every row; a sample of rows also runs through a real
backend on loopback, judged by the draft the state endpoint returns and by
the credits balance.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.local.agent_corpus import (
    ALL_ROWS,
    COST_EDIT,
    COST_GENERATE,
    ROWS,
    Outcome,
    Row,
    accuracy,
    held_out,
    judge,
    snapshot,
)

LANGUAGES = ("en", "zh", "es", "fr", "de", "ja")


def test_corpus_is_large_varied_and_split() -> None:
    per_language = {lang: [r for r in ROWS if r[0] == lang] for lang in LANGUAGES}
    assert len(ROWS) >= 200
    assert all(len(rows) >= 35 for rows in per_language.values())
    assert len({r[2] for r in ALL_ROWS}) == len(ALL_ROWS)  # no sentence twice
    share = sum(held_out(r) for r in ROWS) / len(ROWS)
    assert 0.2 <= share <= 0.4
    kinds = {next(iter(r[3])) for r in ROWS}
    assert {"aspect", "d", "motion", "speed", "music", "volume", "title", "caption", "fps",
            "fade_out", "regen", "undo", "answer", "ask"} <= kinds | {k for r in ROWS for k in r[3]}  # fmt: skip


def test_accuracy_overall_and_per_language() -> None:
    scores, failures = accuracy(ALL_ROWS)
    passed = sum(p for p, _ in scores.values())
    report = "\n".join(f"{row[0]} {row[2]!r}: {problem}" for row, problem in failures)
    assert passed / len(ALL_ROWS) >= 0.95, report
    for lang, (ok, total) in scores.items():
        assert ok / total >= 0.9, f"{lang}: {ok}/{total}\n{report}"


def test_held_out_rows_reach_the_bar() -> None:
    rows = [r for r in ROWS if held_out(r)]
    scores, failures = accuracy(rows)
    passed = sum(p for p, _ in scores.values())
    assert passed / len(rows) >= 0.9, failures


def test_judge_rejects_wrong_changes_and_charges() -> None:
    before = snapshot({"id": "a", "m": {"aspect": "16:9", "fps": 30},
                       "t": [{"tt": 0, "sg": [{"st": 0, "d": 5000, "motion": "kenburns"}]}]})  # fmt: skip
    wrong = dict(before, aspect="1:1")
    assert judge({"aspect": "9:16"}, Outcome(before, wrong, COST_EDIT, False, True)) is not None
    right = dict(before, aspect="9:16")
    assert judge({"aspect": "9:16"}, Outcome(before, right, COST_EDIT, False, True)) is None
    assert judge({"aspect": "9:16"}, Outcome(before, right, 0, False, True)) is not None
    extra = dict(right, fps=60)  # an unasked change fails
    assert judge({"aspect": "9:16"}, Outcome(before, extra, COST_EDIT, False, True)) is not None
    assert judge({"answer": True}, Outcome(before, before, COST_EDIT, False, True)) is not None
    assert judge({"ask": True}, Outcome(before, before, 0, False, True)) is not None
    assert (
        judge({"regen": True}, Outcome(before, dict(before, id="b"), COST_GENERATE, False, True))
        is None
    )


# --- end to end over HTTP -----------------------------------------------------------

pytest.importorskip("starlette")
pytest.importorskip("cv2")

from tests.local.conftest import Api, Factory, jpeg_bytes  # noqa: E402
from tests.local.test_contract import events  # noqa: E402

HTTP_ROWS = ALL_ROWS[::20]


def _turn(api: Api, sid: str, text: str) -> list[dict[str, Any]]:
    response = api.turn(sid, text)
    assert response.status_code == 200, response.text
    return [p for e in events(response) for p in e["content"]["parts"]]


@pytest.mark.parametrize("row", HTTP_ROWS, ids=[f"{r[0]}-{i}" for i, r in enumerate(HTTP_ROWS)])
def test_row_end_to_end(make_server: Factory, bodies: list[bytes], row: Row) -> None:
    language, base, text, expected = row
    api = Api(make_server(credits_new_user=1000), bodies)
    api.login()
    try:
        created = api.http.post("/api/tasks/me/with-session/nemo_agent", headers=api.headers(),
                                json={"language": language})  # fmt: skip
        sid = created.json()["data"]["session_id"]
        assert api.upload(sid, "photo.jpg", jpeg_bytes((800, 600))).status_code == 200
        _turn(api, sid, "animate this photo")
        previous = api.state(sid)["state"]["draft"]
        if base == "full":
            _turn(api, sid, 'add lo-fi music and the title "Summer Sale"')
        draft = api.state(sid)["state"]["draft"]
        balance = api.credits()["available"]
        parts = _turn(api, sid, text)
        after = api.state(sid)["state"]["draft"]
        credits = api.credits()
        assert credits["frozen"] == 0
        asked = any(p.get("functionCall", {}).get("name") == "ask_question" for p in parts)
        outcome = Outcome(snapshot(draft), snapshot(after), balance - credits["available"], asked,
                          any(p.get("text") for p in parts), snapshot(previous))  # fmt: skip
        assert judge(expected, outcome) is None, judge(expected, outcome)
    finally:
        api.close()
