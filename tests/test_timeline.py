"""Timeline summary, JSON description and draft diff."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_skill import timeline
from nemo_skill.models import Draft


def draft() -> dict[str, Any]:
    return {
        "m": {"width": 1920, "height": 1080, "fps": 30, "aspect": "16:9"},
        "t": [
            {"id": "tv", "tt": 0, "sg": [{"id": "v1", "d": 10000, "name": "city timelapse"}]},
            {"id": "ta", "tt": 1, "sg": [{"id": "a1", "d": 10000, "style": "lo-fi", "volume": 0.35}]},
            {"id": "tx", "tt": 7, "sg": [{"id": "x1", "d": 3000, "text": "Urban Dreams"}]},
        ],
    }  # fmt: skip


def sentences(before: Any, after: Any) -> list[str]:
    return [change.describe() for change in timeline.diff(before, after)]


# --- summary -------------------------------------------------------------------


def test_summary_matches_the_contract_format() -> None:
    assert timeline.format_summary(draft()) == (
        '1. Video: city timelapse (0-10s)  2. BGM: Lo-fi (0-10s, 35%)  3. Title: "Urban Dreams" (0-3s)'
    )


def test_segments_without_start_follow_each_other_and_seconds_are_compact() -> None:
    d = {
        "t": [{"tt": 0, "sg": [{"d": 2500, "src": "https://cdn.test/u/a.jpg?sig=x"}, {"d": 2000}]}]
    }
    assert timeline.format_summary(Draft.model_validate(d)) == (
        "1. Video: a.jpg / clip (0-4.5s, 2 clips)"
    )
    assert timeline.summarize(d)[0].segments[1].span() == "2.5-4.5s"


def test_explicit_start_times_are_used() -> None:
    d = {"t": [{"tt": 7, "sg": [{"st": 1250, "d": 1000, "text": "hi", "role": "caption"}]}]}
    assert timeline.format_summary(d) == '1. Caption: "hi" (1.25-2.25s)'


@pytest.mark.parametrize(
    ("track", "line"),
    [
        ({"tt": 1, "sg": [{"d": 4000, "src": "/m/song.mp3", "volume": 0.8}]}, "Audio: song.mp3 (0-4s, 80%)"),
        ({"tt": 1, "sg": [{"d": 4000, "style": "cinematic"}]}, "BGM: Cinematic (0-4s)"),
        ({"tt": 7, "sg": [{"d": 1000, "text": "x", "role": "sticker"}]}, 'Text: "x" (0-1s)'),
        ({"tt": 7, "sg": [{"d": 1000, "text": "A"}, {"d": 1000, "text": "B", "role": "caption"}]},
         'Text: "A" / "B" (0-2s, 2 cues)'),
        ({"tt": 3, "sg": [{"d": 1000, "name": "sticker"}]}, "Track 3: sticker (0-1s)"),
    ],
)  # fmt: skip
def test_track_labels(track: dict[str, Any], line: str) -> None:
    assert timeline.format_summary({"t": [track]}) == f"1. {line}"


def test_empty_tracks_are_left_out_and_numbering_follows() -> None:
    d = draft()
    d["t"].insert(0, {"id": "empty", "tt": 0, "sg": []})
    assert [(line.number, line.label) for line in timeline.summarize(d)] == [
        (1, "Video"),
        (2, "BGM"),
        (3, "Title"),
    ]


@pytest.mark.parametrize("empty", [None, {}, Draft(), {"t": "nonsense"}, 42])
def test_empty_drafts(empty: Any) -> None:
    assert timeline.format_summary(empty) == ""
    assert timeline.summarize(empty) == []
    assert timeline.diff(empty, empty) == []


def test_describe_draft_json() -> None:
    data = timeline.describe_draft(draft())
    assert data is not None
    assert data["summary"] == timeline.format_summary(draft())
    assert (data["duration"], data["width"], data["height"], data["fps"], data["aspect"]) == (
        10.0, 1920, 1080, 30, "16:9"
    )  # fmt: skip
    assert data["tracks"][1] == {
        "type": "audio", "label": "BGM", "name": "Lo-fi", "start": 0.0, "end": 10.0,
        "volume": 0.35, "text": None, "segments": 1,
    }  # fmt: skip
    assert data["tracks"][2]["text"] == "Urban Dreams"
    assert timeline.describe_draft(None) is None


def test_aspect_is_derived_from_the_size_when_missing() -> None:
    data = timeline.describe_draft({"m": {"width": 1080, "height": 1920}, "t": []})
    assert data is not None and data["aspect"] == "9:16" and data["duration"] == 0.0


# --- diff ----------------------------------------------------------------------


def test_no_change_no_diff() -> None:
    assert timeline.diff(draft(), copy.deepcopy(draft())) == []
    assert timeline.diff(Draft.model_validate(draft()), draft()) == []


def test_added_music() -> None:
    before = draft()
    del before["t"][1]
    changes = timeline.diff(before, draft())
    assert [(c.kind, c.track) for c in changes] == [("track_added", "Music")]
    assert changes[0].describe() == "Added background music: Lo-fi at 35%."


def test_removed_title() -> None:
    after = draft()
    after["t"][2]["sg"][0]["text"] = "Summer Sale"
    before = copy.deepcopy(after)
    del after["t"][2]
    assert [(c.kind, c.describe()) for c in timeline.diff(before, after)] == [
        ("track_removed", 'Removed the title "Summer Sale".')
    ]


def test_title_text_changed() -> None:
    before, after = draft(), draft()
    before["t"][2]["sg"][0]["text"], after["t"][2]["sg"][0]["text"] = "A", "B"
    changes = timeline.diff(before, after)
    assert [(c.kind, c.field, c.old, c.new) for c in changes] == [
        ("segment_changed", "text", "A", "B")
    ]
    assert changes[0].describe() == 'Title changed from "A" to "B".'


def test_video_duration_is_one_sentence_when_music_follows_it() -> None:
    before, after = draft(), draft()
    for d, ms in ((before, 5000), (after, 8000)):
        d["t"][0]["sg"][0]["d"] = d["t"][1]["sg"][0]["d"] = ms
    changes = timeline.diff(before, after)
    assert [c.kind for c in changes] == ["duration_changed"]
    assert changes[0].describe() == "Video duration changed from 5s to 8s."


def test_a_segment_that_does_not_follow_the_video_reports_its_own_timing() -> None:
    before, after = draft(), draft()
    after["t"][2]["sg"][0]["st"] = 2000
    after["t"][1]["sg"][0]["d"] = 6000
    assert sentences(before, after) == [
        "Music duration changed from 10s to 6s.",
        "Title moved from 0-3s to 2-5s.",
    ]


def test_volume_changed() -> None:
    after = draft()
    after["t"][1]["sg"][0]["volume"] = 0.5
    assert sentences(draft(), after) == ["Music volume changed from 35% to 50%."]


def test_music_style_changed() -> None:
    after = draft()
    after["t"][1]["sg"][0]["style"] = "upbeat"
    assert sentences(draft(), after) == ["Music changed from Lo-fi to Upbeat."]


def test_aspect_size_fps_and_settings() -> None:
    after = draft()
    after["m"].update(aspect="9:16", width=1080, height=1920, fps=60, fit="crop", title="Trip")
    assert sentences(draft(), after) == [
        "Aspect ratio changed from 16:9 to 9:16.",
        "Frame rate changed from 30 to 60 fps.",
        "Fit set to crop.",
        'Project title set to "Trip".',
    ]
    smaller = draft()
    smaller["m"].update(width=1280, height=720)
    assert [(c.kind, c.describe()) for c in timeline.diff(draft(), smaller)] == [
        ("size_changed", "Resolution changed from 1920x1080 to 1280x720.")
    ]


def test_segment_fields_in_words() -> None:
    before, after = draft(), draft()
    before["t"][0]["sg"][0]["motion"] = "kenburns"
    after["t"][0]["sg"][0].update(motion="zoom_in", transition={"type": "crossfade", "d": 500})
    assert sentences(before, after) == [
        "Video motion changed from kenburns to zoom_in.",
        "Video transition set to crossfade 0.5s.",
    ]
    assert sentences(after, before)[1] == "Video transition removed (was crossfade 0.5s)."


def test_clips_added_and_removed_within_a_track() -> None:
    before = draft()
    after = copy.deepcopy(before)
    after["t"][0]["sg"].append({"id": "v2", "st": 10000, "d": 5000, "name": "beach.jpg"})
    assert [(c.kind, c.describe()) for c in timeline.diff(before, after)] == [
        ("duration_changed", "Video duration changed from 10s to 15s."),
        ("segment_added", "Added photo 2: beach.jpg (10-15s)."),
    ]
    assert [(c.kind, c.describe()) for c in timeline.diff(after, before)][1] == (
        "segment_removed",
        "Removed photo 2 (beach.jpg).",
    )


# --- several photos, six languages ------------------------------------------------

LANGS = ("en", "zh", "es", "fr", "de", "ja")


def three_photos() -> dict[str, Any]:
    """Three photos of 3 s each, a crossfade into the second."""
    fade = {"type": "crossfade", "d": 500}
    return {
        "m": {"width": 1280, "height": 720, "fps": 30, "aspect": "16:9"},
        "t": [{"id": "tv", "tt": 0, "sg": [
            {"id": "s1", "st": 0, "d": 3000, "name": "p1.jpg"},
            {"id": "s2", "st": 3000, "d": 3000, "name": "p2.jpg", "transition": fade},
            {"id": "s3", "st": 6000, "d": 3000, "name": "p3.jpg"},
        ]}],
    }  # fmt: skip


def all_languages(before: Any, after: Any) -> dict[str, list[str]]:
    changes = timeline.diff(before, after)
    return {lang: [c.describe(lang) for c in changes] for lang in LANGS}


def test_a_swap_names_each_photo_and_its_new_place_in_six_languages() -> None:
    before, after = three_photos(), three_photos()
    first, _, third = after["t"][0]["sg"]
    first["st"], third["st"] = 6000, 0  # p3 first, p1 last: same ids, so the same photos
    said = all_languages(before, after)
    assert said["en"] == [
        "Photo 3 (p1.jpg) moved from 0-3s to 6-9s.",
        "Photo 1 (p3.jpg) moved from 6-9s to 0-3s.",
    ]
    assert said["zh"][1] == "第 1 张照片（p3.jpg）已从 6-9 秒 移到 0-3 秒。"
    assert said["es"][1] == "La foto 1 (p3.jpg) pasa de 6-9 s a 0-3 s."
    assert said["fr"][1] == "La photo 1 (p3.jpg) passe de 6-9 s à 0-3 s."
    assert said["de"][1] == "Foto 1 (p3.jpg) verschoben von 6-9 s auf 0-3 s."
    assert said["ja"][1] == "1枚目の写真（p3.jpg）を 6-9 秒 から 0-3 秒 に移動しました。"


def test_one_photo_longer_says_how_long_it_now_lasts_in_six_languages() -> None:
    before, after = three_photos(), three_photos()
    after["t"][0]["sg"][1]["d"] = 4000
    after["t"][0]["sg"][2]["st"] = 7000
    said = all_languages(before, after)
    assert said["en"][:2] == [
        "Video duration changed from 9s to 10s.",
        "Photo 2 (p2.jpg) now lasts 4s (was 3s).",
    ]
    assert said["en"][2] == "Photo 3 (p3.jpg) moved from 6-9s to 7-10s."
    assert said["zh"][1] == "第 2 张照片（p2.jpg）现在持续 4 秒（原为 3 秒）。"
    assert said["es"][1] == "La foto 2 (p2.jpg) ahora dura 4 s (antes 3 s)."
    assert said["fr"][1] == "La photo 2 (p2.jpg) dure maintenant 4 s (avant 3 s)."
    assert said["de"][1] == "Foto 2 (p2.jpg) dauert jetzt 4 s (vorher 3 s)."
    assert said["ja"][1] == "2枚目の写真（p2.jpg）の長さは 4 秒 になりました（元は 3 秒）。"
    assert said["de"][0] == "Video, Dauer: von 9 s auf 10 s."


def test_a_transition_removed_and_a_photo_replaced_name_the_photo_in_six_languages() -> None:
    before, after = three_photos(), three_photos()
    del after["t"][0]["sg"][1]["transition"]
    after["t"][0]["sg"][2]["name"] = "new.jpg"
    said = all_languages(before, after)
    assert said["en"] == [
        "Photo 2 (p2.jpg) transition removed (was crossfade 0.5s).",
        "Photo 3 now shows new.jpg (was p3.jpg).",
    ]
    assert said["zh"] == ["第 2 张照片（p2.jpg）的转场已移除（原为 crossfade 0.5 秒）。",
                          "第 3 张照片现在是 new.jpg（原为 p3.jpg）。"]  # fmt: skip
    assert said["es"][1] == "La foto 3 ahora muestra new.jpg (antes p3.jpg)."
    assert said["fr"][0] == "La photo 2 (p2.jpg), transition : supprimé (était crossfade 0.5 s)."
    assert said["de"][1] == "Foto 3 zeigt jetzt new.jpg (vorher p3.jpg)."
    assert (
        said["ja"][0]
        == "2枚目の写真（p2.jpg）のトランジションを削除しました（元は crossfade 0.5 秒）。"
    )


def test_a_removed_photo_is_named_by_its_old_place_and_an_added_one_by_its_new() -> None:
    before, after = three_photos(), three_photos()
    after["t"][0]["sg"][0] = {"id": "s9", "st": 0, "d": 3000, "name": "extra.jpg"}
    said = all_languages(before, after)
    assert said["en"] == ["Removed photo 1 (p1.jpg).", "Added photo 1: extra.jpg (0-3s)."]
    assert said["zh"] == [
        "已删除第 1 张照片（p1.jpg）。",
        "已添加第 1 张照片：extra.jpg（0-3 秒）。",
    ]
    assert said["ja"][1] == "1枚目の写真 extra.jpg（0-3 秒）を追加しました。"
    assert said["de"][0] == "Entfernt: Foto 1 (p1.jpg)."


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", 'Added the title "春天来了".'),
        ("zh", "已添加标题「春天来了」。"),
        ("es", 'Añadido: título "春天来了".'),
        ("fr", "Ajouté : titre « 春天来了 »."),
        ("de", "Hinzugefügt: Titel „春天来了“."),
        ("ja", "タイトル「春天来了」を追加しました。"),
    ],
)
def test_a_title_added_is_said_in_the_language_asked_for(lang: str, sentence: str) -> None:
    before = three_photos()
    after = copy.deepcopy(before)
    after["t"].append({"id": "tx", "tt": 7, "sg": [{"id": "x1", "d": 3000, "text": "春天来了"}]})
    assert [c.describe(lang) for c in timeline.diff(before, after)] == [sentence]


def test_an_unknown_language_is_worded_in_english() -> None:
    after = draft()
    after["t"][1]["sg"][0]["volume"] = 0.5
    [change] = timeline.diff(draft(), after)
    assert change.describe("ko") == change.describe(None) == "Music volume changed from 35% to 50%."
    assert change.describe("zh") == "音乐的音量已从 35% 改为 50%。"


def test_tracks_are_matched_by_id_not_position() -> None:
    shuffled = draft()
    shuffled["t"].reverse()
    assert timeline.diff(draft(), shuffled) == []


def test_different_ids_on_one_track_type_are_a_removal_and_an_addition() -> None:
    after = draft()
    after["t"][2] = {"id": "other", "tt": 7, "sg": [{"id": "x9", "d": 3000, "text": "New"}]}
    assert [c.kind for c in timeline.diff(draft(), after)] == ["track_removed", "track_added"]


def test_without_ids_tracks_match_by_type_and_index() -> None:
    before = {"t": [{"tt": 7, "sg": [{"d": 1000, "text": "A"}]}, {"tt": 0, "sg": [{"d": 1000}]}]}
    after = copy.deepcopy(before)
    after["t"].reverse()
    after["t"][1]["sg"][0]["text"] = "B"
    assert sentences(before, after) == ['Title changed from "A" to "B".']


def test_diff_from_nothing_lists_every_track() -> None:
    assert sentences(None, draft()) == [
        "Added a video clip: city timelapse (0-10s).",
        "Added background music: Lo-fi at 35%.",
        'Added the title "Urban Dreams".',
    ]


# --- properties ------------------------------------------------------------------

odd_numbers = st.one_of(
    st.integers(-10, 60000), st.floats(allow_nan=True, allow_infinity=True), st.none(), st.text()
)
segment = st.fixed_dictionaries(
    {"d": odd_numbers},
    optional={
        "id": st.one_of(st.sampled_from(["a", "b"]), st.integers(0, 2), st.none()),
        "st": odd_numbers,
        "text": st.text(max_size=10),
        "volume": odd_numbers,
        "style": st.sampled_from(["lo-fi", "calm"]),
        "speed": odd_numbers,
        "role": st.sampled_from(["title", "caption", "x"]),
    },
)
drafts = st.fixed_dictionaries(
    {
        "t": st.lists(
            st.fixed_dictionaries(
                {"tt": st.sampled_from([0, 1, 7, 3]), "sg": st.lists(segment, max_size=3)},
                optional={"id": st.sampled_from(["t1", "t2"])},
            ),
            max_size=3,
        )
    },
    optional={
        "m": st.dictionaries(st.sampled_from(["aspect", "width", "fps", "fit"]), odd_numbers)
    },
)


@settings(max_examples=150, deadline=None)
@given(drafts)
def test_diff_of_a_draft_with_itself_is_empty(d: dict[str, Any]) -> None:
    assert timeline.diff(d, copy.deepcopy(d)) == []


@settings(max_examples=150, deadline=None)
@given(drafts, drafts)
def test_any_two_drafts_diff_into_sentences(a: dict[str, Any], b: dict[str, Any]) -> None:
    for change in timeline.diff(a, b):
        sentence = change.describe()
        assert sentence[:1].isupper() and sentence.endswith((".", '."')), sentence
    assert isinstance(timeline.format_summary(b), str)


# --- one block per photo ---------------------------------------------------------------


def story() -> dict[str, Any]:
    """Three photos with crossfade and fade-through-black cuts, a caption on the second,
    music with a tempo and a whole-clip title (made by hand, as the agent makes them)."""
    return {
        "m": {"width": 1080, "height": 1920, "fps": 30, "aspect": "9:16"},
        "t": [
            {"id": "tv", "tt": 0, "sg": [
                {"id": "v1", "st": 0, "d": 3000, "src": "file:abc", "name": "beach.jpg",
                 "motion": "kenburns", "speed": 1.0},
                {"id": "v2", "st": 3000, "d": 3000, "src": "file:def", "name": "city.jpg",
                 "motion": "pan_left", "speed": 2.0, "transition": {"type": "crossfade", "d": 500}},
                {"id": "v3", "st": 6000, "d": 3000, "src": "file:ghi", "name": "food.jpg",
                 "motion": "zoom_in", "transition": {"type": "fade_black", "d": 600}},
            ]},
            {"id": "ta", "tt": 1, "sg": [
                {"id": "a1", "st": 0, "d": 9000, "style": "upbeat", "name": "Upbeat", "volume": 0.35,
                 "bpm": 120},
            ]},
            {"id": "tx", "tt": 7, "sg": [
                {"id": "x1", "st": 0, "d": 3000, "text": "Summer trip", "role": "title"},
                {"id": "x2", "st": 3000, "d": 3000, "text": "Downtown", "role": "caption",
                 "anchor": "v2"},
                {"id": "x3", "st": 6000, "d": 3000, "text": "Lunch", "role": "caption",
                 "anchor": "gone"},
            ]},
        ],
    }  # fmt: skip


def test_a_block_per_photo_with_its_cut_motion_and_captions() -> None:
    assert timeline.format_blocks(story()) == "\n".join([
        "Photo 1: beach.jpg, 0-3s, kenburns",
        "Photo 2: city.jpg, 3-6s, pan left ×2, crossfade into it (0.5s)",
        '  Caption "Downtown" (3-6s)',
        "Photo 3: food.jpg, 6-9s, zoom in, fade black into it (0.6s)",
        "Whole clip:",
        "  Music: Upbeat, 0-9s, 35%, 120 bpm",
        '  Title "Summer trip" (0-3s)',
        '  Caption "Lunch" (6-9s)',  # its anchor names no segment: the whole clip's
    ])  # fmt: skip


def test_the_json_has_a_segments_list_with_those_fields() -> None:
    described = timeline.describe_draft(story())
    assert described is not None
    assert described["segments"] == [
        {"number": 1, "id": "v1", "name": "beach.jpg", "start": 0.0, "end": 3.0,
         "motion": "kenburns", "speed": 1.0, "transition": None, "captions": []},
        {"number": 2, "id": "v2", "name": "city.jpg", "start": 3.0, "end": 6.0,
         "motion": "pan_left", "speed": 2.0, "transition": {"type": "crossfade", "duration": 0.5},
         "captions": [{"id": "x2", "role": "caption", "text": "Downtown", "start": 3.0, "end": 6.0}]},
        {"number": 3, "id": "v3", "name": "food.jpg", "start": 6.0, "end": 9.0,
         "motion": "zoom_in", "speed": None, "transition": {"type": "fade_black", "duration": 0.6},
         "captions": []},
    ]  # fmt: skip


def test_blocks_of_a_draft_without_video_or_with_bad_values() -> None:
    assert timeline.format_blocks({}) == ""
    only_music = {"t": [{"tt": 1, "sg": [{"d": 2000, "style": "calm", "bpm": "fast"}]}]}
    assert timeline.format_blocks(only_music) == "Clip:\n  Music: Calm, 0-2s"
    odd = {"t": [{"tt": 0, "sg": [{"d": 1000, "transition": "crossfade", "speed": "x"},
                                   {"d": 1000, "transition": {"type": "crossfade", "d": None}}]}]}  # fmt: skip
    assert timeline.format_blocks(odd) == "Photo 1: clip, 0-1s\nPhoto 2: clip, 1-2s"
