"""The story corpus (tests/local/story_corpus.py): stories and per-photo edits in six languages.

Judged only by documented draft fields and the credits charged; prints the
accuracy per language (``pytest -s`` shows it) and holds a floor per language.

Measured on the agent's real turn decision (``plan_turn``):

- :data:`ROWS` (198, 33 per language), the first time they ran: 0.975 (193/198;
  en 31/33, zh 33/33, es 33/33, fr 33/33, de 31/33, ja 32/33); the misses ("2 seconds
  each", "photo 2: 4 seconds", "Schwarzblende vor", "mit ruhiger Musik", "beach.jpgを")
  were fixed by general rules: 1.00 since;
- :data:`VARIATIONS` (72, 12 per language), written after that and never used
  for tuning before their first run: 0.972 (70/72; fr 11/12 "à la place de la
  première", ja 11/12 "いらない"); fixed since, they now count as tuned;
- a second batch of 49 (end of :data:`VARIATIONS`: numbers out of range in six
  languages, other verbs and places), probed after the first landing: 46/49
  the first time (en 9/11 "the middle photo", "a fade to black between photo 1 and
  photo 2"; es 6/7 "entre la primera y la segunda"), 49/49 after;
- a third batch of 36 (stories with a length, style, transition or beat in six
  languages; a camera or a title on one photo): 36/36 the first time;
- a fourth batch of 77 (segment edits of every kind with digit ordinals "the 2nd",
  "photo #2", "la 2ª foto", "die 2. Aufnahme", "photos 2 and 3", a fade aimed at one
  photo, other verbs), written before any fix: 60/77 the first time (en 11/14 "swap
  photos 2 and 3", "fade in from black" and "a fade" on one photo; zh 8/14 淡入淡出 on
  one photo read as a clip fade or a replace, 换一下, 插到; es 8/13 "la 2ª foto", "la
  foto 2 y la 3", "fundido" on one photo; fr 11/12, de 11/12, ja 11/12 a fade on one
  photo), 77/77 after the general rules (``photo_pair``, ``photo_fade``, ordinal digits);
  8 of them repeated older rows and were replaced by new phrasings (8/8 on their first run).
- a fifth batch of 78 (every kind of segment edit again, in other words and orders),
  written after the fourth was fixed: 71/78 the first time (en 10/13 "the 3rd shot is too
  long" read as a question once the place was blanked, "the 2nd and 3rd photos", and one
  row whose expectation was wrong: "slow pan" also slows, as the agent corpus holds; zh
  13/13, es 13/13, fr 12/13 "entre la première et la deuxième"; de 10/13 "ist zu lang",
  "lösch", "Bild 2 und 3"), 78/78 after.
- a sixth batch of 48 (the transition of one photo said other ways, photos by file name,
  polite questions that ask for an edit), written after the fifth was fixed: 43/48 the
  first time (en 7/8 "the cut into photo 3" read as a removal; zh 6/8 中间那张,
  能把…删掉吗 read as a question; de 6/8 "das city-Foto", "Foto 5 Sekunden" read as photo 5
  by the Spanish table; es, fr, ja 8/8), 48/48 after.
- a seventh batch of 48 (other word orders, a new photo put at a place), written after the
  sixth was fixed: 40/48 the first time (en 6/8, zh 7/8, es 6/8, fr 7/8, de 7/8, ja 7/8:
  "add the new photo as the 2nd one", 2番目に入れて, 放在第二个位置, "la foto nueva";
  "nach oben schwenken" read as a pan right; three rows expected a caption where
  `write "Bye"` names no kind of text: such words are a title, on the whole clip too,
  so the rows were corrected), 48/48 after.
- an eighth batch of 48 ("without the second photo", a place with no verb, other word
  orders), written after the seventh was fixed: 38/48 the first time (en 7/8, zh 6/8,
  es 6/8, fr 6/8, de 6/8, ja 7/8: "without"/sin/sans/ohne/なしで, "la photo 3 en premier",
  "Foto 3 als erstes", "que la foto 3 sea la primera", 第三张放第一个; one zh row asked for
  the length the photo already had and was corrected), 48/48 after.
- a ninth batch of 36, written after the eighth was fixed: 25/36 the first time (en 5/6,
  zh 4/6, es 4/6, fr 4/6, de 3/6, ja 5/6: a fade "between photo 2 and photo 3" went into
  the 2nd, "un fundido entre" was a crossfade, "Bild 3: Schwenk" / "imagen 3:" read as a
  ratio, "das neue Foto an den Anfang" and 把新照片放在最前面 not placed, "efface"),
  36/36 after.
- a tenth batch of 36, written after the ninth was fixed: 34/36 the first time (en 5/6,
  es 5/6 "a media velocidad"; the en miss was a row expecting a caption for unnamed words,
  corrected as in the seventh batch; zh, fr, de, ja 6/6), 36/36 after.
- an eleventh batch of 24 (a transition into one photo beside another edit of the same
  or another photo, in one message), written after the tenth was fixed: 24/24 the first time.
"""

from __future__ import annotations

from collections import Counter

from tests.local.story_corpus import (
    COST_EDIT,
    LANGUAGES,
    ROWS,
    VARIATIONS,
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


def _assert_floor(name: str, rows: list[tuple[str, str, str, dict[str, object]]]) -> None:
    scores, failures = accuracy(rows)
    for lang in LANGUAGES:
        ok, total = scores[lang]
        print(f"{name} {lang}: {ok}/{total} = {ok / total:.3f}")
    report = "\n".join(f"{row[0]} {row[2]!r}: {problem}" for row, problem in failures)
    passed = sum(ok for ok, _ in scores.values())
    print(f"{name} overall: {passed}/{len(rows)} = {passed / len(rows):.3f}")
    for lang, (ok, total) in scores.items():
        assert ok / total >= FLOOR, f"{lang}: {ok}/{total}\n{report}"


def test_accuracy_per_language() -> None:
    _assert_floor("story corpus", ROWS)


def test_variations_reach_the_floor_too() -> None:
    assert len({(r[0], r[2]) for r in ROWS + VARIATIONS}) == len(ROWS) + len(VARIATIONS)
    _assert_floor("story variations", VARIATIONS)


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
