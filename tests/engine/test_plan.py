"""Planning is pure: a draft (+ a probe for the first image's size) becomes a typed plan."""

from __future__ import annotations

from typing import Any

import pytest

from nemo_skill.errors import RenderError
from nemo_skill.local.engine.plan import MAX_DURATION_MS, Cue, RenderPlan, VideoPart, make_plan


def _draft(**meta: Any) -> dict[str, Any]:
    return {
        "m": meta,
        "t": [
            {"id": "trk_v", "tt": 0, "sg": [
                {"id": "v1", "d": 2000, "src": "a.jpg", "motion": "parallax", "speed": 9,
                 "fade_in": 300},
                {"id": "v2", "d": 1500, "src": "b.jpg", "transition": {"type": "crossfade", "d": 400},
                 "fade_out": 700.4},
            ]},
            {"id": "trk_a", "tt": 1, "sg": [{"id": "a1", "st": 0, "d": 3500, "style": "calm"}]},
            {"id": "trk_t", "tt": 7, "sg": [{"id": "t1", "st": 500, "d": 1000, "text": "Hi"},
                                            {"id": "t0", "d": 0, "text": "empty"}]},
        ],
    }  # fmt: skip


def test_plan_reads_the_whole_draft_without_pixels() -> None:
    asked: list[str] = []

    def probe(src: str) -> tuple[int, int]:
        asked.append(src)
        return 4000, 3000

    plan = make_plan(_draft(fps=27, long_side=640), probe)
    assert isinstance(plan, RenderPlan)
    assert asked == ["a.jpg"]  # the first image only, for "original"
    assert (plan.width, plan.height, plan.fps) == (640, 480, 25)  # 4:3 of the photo, fps snapped
    assert plan.duration_ms == 3500 and plan.frames == 88 and plan.fit == "blur"
    first, second = plan.video
    assert first == VideoPart("v1", "a.jpg", 0, 2000, "parallax", 4.0, 300, 0)
    assert first.depth_aware and not second.depth_aware
    assert (second.start_ms, second.end_ms, second.motion) == (2000, 3500, "kenburns")
    assert (second.transition, second.crossfade_ms, second.fade_out_ms) == ("crossfade", 400, 700)
    assert second.dip_ms == first.crossfade_ms == 0 and first.transition == ""
    assert [c.segment["id"] for c in plan.text] == ["t1"]  # zero-length cues are dropped
    assert plan.audio == (Cue(0, 3500, _draft()["t"][1]["sg"][0]),)


def test_explicit_size_and_source_size_need_no_probe() -> None:
    def probe(src: str) -> tuple[int, int]:
        raise AssertionError("probed")

    plan = make_plan(_draft(width=4000, height=2001, source_size=[300, 200]), probe)
    assert plan.size == (1920, 960)  # long side capped at 1920, both even
    assert make_plan(_draft(aspect="9:16", source_size=[300, 200])).size == (1080, 1920)


def test_duration_is_capped() -> None:
    draft = _draft()
    draft["t"][0]["sg"][1]["d"] = 10**6
    assert make_plan(draft).duration_ms == MAX_DURATION_MS


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(t=[]), "no video segment"),
        (lambda d: d["t"][0]["sg"][0].pop("src"), "no image (src)"),
        (lambda d: d["t"][0]["sg"][1].update(fade_out="slow"), "'fade_out' of segment v2"),
        (lambda d: d["t"][2]["sg"][0].update(st=float("nan")), "'st' of segment t1"),
        (lambda d: d["m"].update(fps="fast"), "'fps'"),
    ],
)
def test_bad_drafts_fail_in_planning_with_the_field_named(change: Any, words: str) -> None:
    draft = _draft()
    change(draft)
    with pytest.raises(RenderError) as caught:
        make_plan(draft)
    assert words in caught.value.message


def _with_transitions(*transitions: Any) -> dict[str, Any]:
    draft = _draft()
    video = [{"id": f"v{i}", "d": 1000, "src": f"{i}.jpg"} for i in range(len(transitions))]
    for seg, transition in zip(video, transitions, strict=True):
        if transition is not None:
            seg["transition"] = transition
    draft["t"][0]["sg"] = video
    return draft


def test_transitions_are_read_per_cut() -> None:
    plan = make_plan(_with_transitions(
        {"type": "fade_black", "d": 600}, {"type": "crossfade", "d": 500}, None,
        {"type": "fade_black", "d": 800}, {"d": 300}, {"type": "fade_black", "d": 0},
        {"type": "crossfade", "d": 5000}, {"type": "fade_black", "d": 5000},
    ), lambda _: (64, 64))  # fmt: skip
    got = [(p.transition, p.transition_ms, p.crossfade_ms, p.dip_ms) for p in plan.video]
    assert got == [
        ("fade_black", 600, 0, 300),  # the first cut: a fade in from black over d/2
        ("crossfade", 500, 500, 0),
        ("", 0, 0, 0),  # none: a plain cut
        ("fade_black", 800, 0, 400),
        ("crossfade", 300, 300, 0),  # no type: a crossfade, as drafts before fade_black had
        ("", 0, 0, 0),  # d 0: a plain cut
        ("crossfade", 1000, 1000, 0),  # never longer than the segment
        ("fade_black", 2000, 0, 1000),  # nor half of it longer than either side of the cut
    ]


@pytest.mark.parametrize("kind", ["wipe", 5, ["crossfade"]])
def test_an_unknown_transition_is_named(kind: Any) -> None:
    draft = _with_transitions(None, {"type": kind, "d": 400})
    with pytest.raises(RenderError) as caught:
        make_plan(draft)
    assert "'transition.type' of segment v1 is not one of crossfade, fade_black" in (
        caught.value.message
    )
    assert caught.value.hint


def test_video_parts_are_in_time_order_whatever_the_list_order() -> None:
    draft = _with_transitions(None, {"type": "fade_black", "d": 600}, None)
    first, second, third = draft["t"][0]["sg"]
    first["st"], second["st"], third["st"] = 2000, 1000, 0
    plan = make_plan(draft, lambda _: (64, 64))
    assert [p.id for p in plan.video] == ["v2", "v1", "v0"]
    assert plan.video[1].dip_ms == 300  # the fade through black sits at its own st
