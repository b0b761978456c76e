"""Timeline summary and draft diff."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_skill import timeline
from nemo_skill.models import Draft


def draft(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "m": {"width": 1080, "height": 1920, "fps": 30, "aspect": "9:16"},
        "t": [
            {"id": "tv", "tt": 0, "sg": [{"id": "v1", "d": 10000, "name": "city timelapse"}]},
            {
                "id": "ta",
                "tt": 1,
                "sg": [{"id": "a1", "d": 10000, "style": "lo-fi", "volume": 0.35}],
            },
            {"id": "tt", "tt": 7, "sg": [{"id": "x1", "d": 3000, "text": "Urban Dreams"}]},
        ],
    }
    base.update(overrides)
    return base


def test_summary_matches_the_contract_format() -> None:
    assert timeline.format_summary(draft()) == (
        '1. Video: city timelapse (0-10s)  2. BGM: Lo-fi (0-10s, 35%)  3. Title: "Urban Dreams" (0-3s)'
    )


def test_summary_of_a_model_and_of_sequential_segments() -> None:
    d = {"t": [{"tt": 0, "sg": [{"d": 2500, "src": "https://x/y/a.jpg"}, {"d": 2000}]}]}
    assert timeline.format_summary(Draft.model_validate(d)) == (
        "1. Video: a.jpg (0-2.5s)  2. Video: clip (2.5-4.5s)"
    )


def test_empty_drafts() -> None:
    assert timeline.format_summary(None) == ""
    assert timeline.format_summary({}) == ""
    assert timeline.describe_draft(None) is None
    assert timeline.diff(None, None) == []


def test_describe_draft_json() -> None:
    data = timeline.describe_draft(draft())
    assert data is not None
    assert data["duration"] == 10.0 and data["aspect"] == "9:16"
    assert [t["type"] for t in data["tracks"]] == ["video", "audio", "text"]
    assert data["tracks"][1]["volume"] == 0.35
    assert data["tracks"][2]["text"] == "Urban Dreams"


def test_no_change_no_diff() -> None:
    assert timeline.diff(draft(), copy.deepcopy(draft())) == []


def test_every_change_kind_is_described() -> None:
    before = draft()
    after = copy.deepcopy(before)
    after["t"][0]["sg"][0]["d"] = 8000
    after["t"][1]["sg"][0]["volume"] = 0.5
    after["t"][2]["sg"][0]["text"] = "Summer Sale"
    after["m"]["aspect"] = "16:9"
    after["t"].append(
        {"id": "tc", "tt": 7, "sg": [{"id": "c1", "d": 8000, "text": "hi", "role": "caption"}]}
    )
    sentences = [c.describe() for c in timeline.diff(before, after)]
    joined = " ".join(sentences)
    assert 'Added the caption "hi"' in joined
    assert "timing changed from 0-10s to 0-8s" in joined
    assert "volume changed from 35% to 50%" in joined
    assert 'changed from "Urban Dreams" to "Summer Sale"' in joined
    assert "aspect ratio changed from 9:16 to 16:9" in joined


def test_removed_tracks_are_described() -> None:
    before = draft()
    after = copy.deepcopy(before)
    del after["t"][1]
    changes = timeline.diff(before, after)
    assert [c.kind for c in changes] == ["segment_removed"]
    assert changes[0].describe() == "Removed background music Lo-fi (0-10s, 35%)."


def test_added_music_from_nothing() -> None:
    before = {"t": [{"tt": 0, "sg": [{"d": 5000}]}]}
    after = {
        "t": [
            {"tt": 0, "sg": [{"d": 5000}]},
            {"tt": 1, "sg": [{"d": 5000, "style": "upbeat", "volume": 0.4}]},
        ]
    }
    assert [c.describe() for c in timeline.diff(before, after)] == [
        "Added background music Upbeat (0-5s, 40%)."
    ]


segment = st.fixed_dictionaries(
    {"d": st.integers(0, 60000)},
    optional={
        "id": st.text(min_size=1, max_size=5),
        "text": st.text(max_size=10),
        "volume": st.floats(0, 1),
        "style": st.sampled_from(["lo-fi", "calm"]),
    },
)
drafts = st.fixed_dictionaries(
    {
        "t": st.lists(
            st.fixed_dictionaries(
                {"tt": st.sampled_from([0, 1, 7]), "sg": st.lists(segment, max_size=3)}
            ),
            max_size=3,
        )
    }
)


@settings(max_examples=100, deadline=None)
@given(drafts)
def test_diff_of_a_draft_with_itself_is_empty(d: dict[str, Any]) -> None:
    assert timeline.diff(d, copy.deepcopy(d)) == []
    assert isinstance(timeline.format_summary(d), str)
