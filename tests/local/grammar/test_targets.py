"""Which photo a message names, and what happens to it (nemo_skill/local/grammar/targets.py)."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_skill.local.grammar import Target, read


def photo_fields(text: str) -> dict[str, Any]:
    keys = ("target", "photo_op", "other", "where", "at", "transition", "beat_sync", "each")
    got = read(text).instruction
    return {k: getattr(got, k) for k in keys if getattr(got, k) not in (None, False)}


@pytest.mark.parametrize(
    ("text", "place"),
    [("make the second photo longer", 2), ("the last one slower", -1), ("photo 3 faster", 3),
     ("第二张长一点", 2), ("la segunda foto más larga", 2), ("la deuxième photo plus longue", 2),
     ("das zweite Foto länger", 2), ("2枚目を長くして", 2), ("最后一张慢一点", -1),
     ("la última foto más lenta", -1), ("la dernière photo plus lente", -1),
     ("das letzte Foto langsamer", -1), ("最後の写真をゆっくり", -1), ("the 3rd photo faster", 3),
     ("第三张快一点", 3), ("3枚目を速く", 3), ("la foto 2 más rápida", 2), ("Foto 2 schneller", 2)],
)  # fmt: skip
def test_places_in_six_languages(text: str, place: int) -> None:
    assert photo_fields(text)["target"] == Target(place=place)


def test_a_photo_named_by_its_file() -> None:
    assert photo_fields("make the beach photo 4 seconds")["target"] == Target(name="beach")
    assert photo_fields("remove beach.jpg") == {
        "target": Target(name="beach"),
        "photo_op": "remove",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [("put the last photo first", {"photo_op": "move", "where": "start"}),
     ("move photo 1 to the end", {"photo_op": "move", "where": "end"}),
     ("swap the first and the third photo", {"photo_op": "swap", "other": Target(place=3)}),
     ("remove the second photo", {"photo_op": "remove"}),
     ("replace the second photo with this one", {"photo_op": "replace"}),
     ("add this photo after the first one", {"photo_op": "insert", "where": "after"}),
     ("把第一张移到最后", {"photo_op": "move", "where": "end"}),
     ("elimina la segunda foto", {"photo_op": "remove"}),
     ("échange la première photo et la dernière photo", {"photo_op": "swap", "other": Target(place=-1)}),
     ("setze das letzte Foto an den Anfang", {"photo_op": "move", "where": "start"}),
     ("2枚目を削除して", {"photo_op": "remove"})],
)  # fmt: skip
def test_operations(text: str, expected: dict[str, Any]) -> None:
    got = photo_fields(text)
    assert {k: got.get(k) for k in expected} == expected, got


def test_a_photo_edit_wins_over_loose_move_words() -> None:
    got = photo_fields("make the first photo last 4 seconds")
    assert got == {"target": Target(place=1)}
    assert read("make the first photo last 4 seconds").instruction.duration_s == 4.0


def test_insert_without_a_named_photo_goes_at_the_end() -> None:
    assert photo_fields("add this photo") == {"photo_op": "insert", "where": "end"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [("crossfade into the third photo", "crossfade"), ("fade through black between the photos", "fade_black"),
     ("交叉淡化", "crossfade"), ("fundidos encadenados", "crossfade"), ("fondus enchaînés", "crossfade"),
     ("mit Überblendungen", "crossfade"), ("クロスフェードで", "crossfade"), ("黑场过渡", "fade_black")],
)  # fmt: skip
def test_transitions(text: str, kind: str) -> None:
    assert photo_fields(text)["transition"] == kind


@pytest.mark.parametrize(
    "text",
    ["cut to the beat", "卡点", "corta al ritmo de la música", "cale les coupes sur le rythme",
     "schneide im Takt", "ビートに合わせて切り替えて"],
)  # fmt: skip
def test_cut_to_the_beat(text: str) -> None:
    assert photo_fields(text)["beat_sync"] is True


@pytest.mark.parametrize(
    ("text", "problem"),
    [("make it 0 seconds", ("duration", 0.0)), ("make it -5 seconds", ("duration", -5.0)),
     ("1000 fps", ("fps", 1000)), ("make it 2 minutes", ("duration", 120.0))],
)  # fmt: skip
def test_numbers_out_of_range_are_kept_to_ask_back(text: str, problem: tuple[str, float]) -> None:
    assert read(text).instruction.out_of_range == problem


@pytest.mark.parametrize(
    "text",
    ["make the second photo longer and the last one shorter", "第二张长一点，最后一张短一点",
     "la segunda foto más larga y la última más corta",
     "la deuxième photo plus longue et la dernière plus courte",
     "das zweite Foto länger und das letzte kürzer", "2枚目を長くして、最後の写真を短くして"],
)  # fmt: skip
def test_clauses_aimed_at_different_photos_are_read_apart(text: str) -> None:
    steps = read(text).steps
    assert [(s.target, s.duration_delta_s) for s in steps] == [
        (Target(place=2), 2.0), (Target(place=-1), -2.0)]  # fmt: skip


def test_one_photo_or_a_two_photo_operation_stays_one_reading() -> None:
    assert read("make the second photo longer and faster").steps == ()
    assert read("swap the first and the last photo").steps == ()
    assert read('add the caption "1, 2 and 3" to the first photo').steps == ()


@pytest.mark.parametrize(
    "text",
    ["the middle photo longer", "la foto del medio más larga", "la photo du milieu plus longue",
     "das mittlere Foto länger", "真ん中の写真を長くして", "中间一张长一点"],
)  # fmt: skip
def test_the_middle_photo(text: str) -> None:
    assert photo_fields(text)["target"] == Target(place=0)


def test_between_two_photos() -> None:
    assert photo_fields("add a fade to black between photo 1 and photo 2")["target"] == Target(
        place=2
    )
    got = photo_fields("pon esta foto entre la primera y la segunda")
    assert (got["photo_op"], got["where"], got["target"]) == ("insert", "after", Target(place=1))


@pytest.mark.parametrize(
    ("text", "place"),
    [("第二张照片淡入淡出", 2), ("第二张照片换成淡入淡出", 2), ("la deuxième photo en fondu au noir", 2),
     ("das zweite Foto mit Abblende", 2), ("2枚目の写真をフェードに", 2), ("use a fade for photo 3", 3),
     ("the last photo should fade in from black", -1), ("la segunda foto con un fundido", 2)],
)  # fmt: skip
def test_a_fade_aimed_at_one_photo_is_the_cut_into_it(text: str, place: int) -> None:
    got = read(text).instruction
    assert (got.transition, got.target, got.photo_op) == ("fade_black", Target(place=place), None)
    assert got.video_fade_in_ms is None and got.video_fade_out_ms is None


@pytest.mark.parametrize(
    ("text", "fade_in", "fade_out"),
    [("fade out the last photo", None, 1000), ("fade in the first photo", 1000, None),
     ("最后一张淡出", None, 1000), ("die erste Foto einblenden", 1000, None)],
)  # fmt: skip
def test_the_first_photo_fading_in_and_the_last_fading_out_stay_the_clips(
    text: str, fade_in: int | None, fade_out: int | None
) -> None:
    got = read(text).instruction
    assert got.transition is None
    assert (got.video_fade_in_ms, got.video_fade_out_ms) == (fade_in, fade_out)


def test_a_fade_beside_the_music_stays_the_musics() -> None:
    got = read("fade the music out on the second photo").instruction
    assert got.transition is None and got.video_fade_out_ms is None


@pytest.mark.parametrize(
    ("text", "pair"),
    [("swap photos 2 and 3", (2, 3)), ("cambia de lugar la foto 2 y la 3", (2, 3)),
     ("intervertis les photos 1 et 3", (1, 3)), ("tausch Bild 2 und 3", (2, 3)),
     ("第2和第3张交换", (2, 3)), ("写真2と3を入れ替えて", (2, 3)), ("switch the 2nd and 3rd photos", (2, 3))],
)  # fmt: skip
def test_two_photos_named_in_one_phrase(text: str, pair: tuple[int, int]) -> None:
    got = read(text).instruction
    assert (got.photo_op, got.target, got.other) == (
        "swap",
        Target(place=pair[0]),
        Target(place=pair[1]),
    )


@pytest.mark.parametrize("text", ["das city-Foto 5 Sekunden", "la foto 5 segundos", "photo 5 sec"])
def test_a_number_before_a_unit_names_no_photo(text: str) -> None:
    assert read(text).instruction.target != Target(place=5)


@pytest.mark.parametrize(
    "text",
    ["the second photo without zoom", "la deuxième photo sans zoom", "das zweite Foto ohne Zoom",
     "la segunda foto sin zoom", "2枚目はズームなしで"],
)  # fmt: skip
def test_a_photo_without_its_motion_keeps_the_photo(text: str) -> None:
    got = read(text).instruction
    assert (got.motion, got.photo_op, got.target) == ("none", None, Target(place=2))


@pytest.mark.parametrize(
    "text",
    ["the video without the second photo", "el vídeo sin la segunda foto", "la vidéo sans la "
     "deuxième photo", "das Video ohne das zweite Foto", "2枚目の写真なしで"],
)  # fmt: skip
def test_a_video_without_a_photo_removes_it(text: str) -> None:
    got = read(text).instruction
    assert (got.photo_op, got.target) == ("remove", Target(place=2))
