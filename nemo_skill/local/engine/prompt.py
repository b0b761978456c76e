"""Plain instructions → draft edits. Pure: no I/O, no heavy imports.

``parse_instruction("slow zoom in, 9:16, 8 seconds")`` →
``Instruction(motion="zoom_in", speed=0.5, aspect="9:16", duration_s=8.0, ...)``;
``plan_from_prompt`` builds a full draft for one image and
``apply_instruction`` edits an existing draft, keeping ids and unrelated
content (see docs/draft.md). English and Chinese; unknown words are ignored.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_DURATION_S = 5.0
DEFAULT_FPS = 30
DEFAULT_LONG_SIDE = 1920
DEFAULT_VOLUME = 0.35
MUSIC_STYLES = ("lo-fi", "upbeat", "calm", "cinematic")
MOTIONS = ("zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down",
           "kenburns", "breathe", "none")  # fmt: skip
ASPECTS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5), "4:3": (4, 3)}


@dataclass(frozen=True)
class Instruction:
    """What a message asks for; ``None`` means "not mentioned"."""

    generate: bool = False
    duration_s: float | None = None
    aspect: str | None = None
    motion: str | None = None
    speed: float | None = None
    fps: int | None = None
    title: str | None = None
    caption: str | None = None
    music_style: str | None = None
    music_volume: float | None = None
    remove_music: bool = False
    remove_title: bool = False
    remove_caption: bool = False
    undo: bool = False
    fit: str | None = None
    volume_step: float | None = None  # "louder" +0.15, "quieter" -0.15 on the current music

    @property
    def is_edit(self) -> bool:
        """True when the message changes something besides generating."""
        return any(
            v not in (None, False)
            for k, v in self.__dict__.items()
            if k not in ("generate", "undo")
        )


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_QUOTED = r"[\"'“‘「『]([^\"'”’」』]{1,120})[\"'”’」』]"
_DURATION = _rx(r"(\d+(?:\.\d+)?)\s*(?:-|\s)?\s*(?:seconds?|secs?|s\b|秒)")
_MINUTES = _rx(r"(\d+(?:\.\d+)?)\s*(?:-|\s)?\s*(?:minutes?|mins?|分钟)")
_PERCENT = _rx(r"(\d{1,3})\s*(?:%|percent|％)")
_VOLUME_WORD = _rx(r"\b(?:volume|音量)\b")
_TITLE = _rx(r"(?:title|heading|标题)\s*(?:that\s+says|saying|reading|of|:|：|为|是)?\s*" + _QUOTED)
# Unquoted: "with a title Summer Sale and ..." (case-sensitive: the title starts with a capital or digit)
_TITLE_BARE = re.compile(
    r"\b(?:[Ww]ith|[Aa]dd)\s+(?:a|the)\s+title\s+(?:that\s+says\s+|saying\s+|of\s+|:\s*)?"
    r"([A-Z0-9][^,.;!?\n]{0,60}?)(?=\s+and\s|\s*[,.;!?]|\s*$)"
)
_CAPTION = _rx(
    r"(?:caption|subtitle|text|字幕|文字)\s*(?:that\s+says|saying|reading|of|:|：|为|是)?\s*"
    + _QUOTED
)
_ASPECT_RX = _rx(r"\b(16|9|1|4|3)\s*[:x/×]\s*(9|16|1|5|3)\b")

_WORDS: tuple[tuple[re.Pattern[str], dict[str, Any]], ...] = tuple(
    (_rx(p), v)
    for p, v in (
        (r"\b(?:vertical|portrait|reels?|tiktok|shorts|story|stories)\b|竖屏|竖版", {"aspect": "9:16"}),
        (r"\b(?:horizontal|landscape|widescreen|youtube)\b|横屏|横版", {"aspect": "16:9"}),
        (r"\b(?:square)\b|方形|正方形", {"aspect": "1:1"}),
        (r"\binstagram\b(?!\s+(?:story|stories|reels?))", {"aspect": "4:5"}),
        (r"\boriginal\s+(?:aspect|ratio|size)\b|原始比例", {"aspect": "original"}),
        (r"\bzoom(?:ing)?\s*out\b|\bpull\s+back\b|拉远|缩小", {"motion": "zoom_out"}),
        (r"\bzoom(?:ing)?(?:\s*in)?\b|\bpush(?:\s*-?\s*in)?\b|推近|放大|推镜", {"motion": "zoom_in"}),
        (r"\bpan(?:ning)?\s*(?:to\s+the\s+)?left\b|向左(?:平移|移动)?|左移", {"motion": "pan_left"}),
        (r"\bpan(?:ning)?\s*(?:to\s+the\s+)?right\b|向右(?:平移|移动)?|右移", {"motion": "pan_right"}),
        (r"\bpan(?:ning)?\s*up\b|\btilt\s*up\b|向上(?:平移|移动)?|上移", {"motion": "pan_up"}),
        (r"\bpan(?:ning)?\s*down\b|\btilt\s*down\b|向下(?:平移|移动)?|下移", {"motion": "pan_down"}),
        (r"\bken\s*-?\s*burns\b|肯伯恩斯", {"motion": "kenburns"}),
        (r"\b(?:breathe|breathing|sway|swaying|parallax|float(?:ing)?)\b|呼吸|摇摆|视差", {"motion": "breathe"}),
        (r"\b(?:no|without)\s+(?:motion|movement|camera\s+movement)\b|\bstatic\b|静止", {"motion": "none"}),
        (r"\b(?:slow(?:ly|er)?|gentle|gently|subtle)\b|缓慢|慢慢|慢一点|轻柔", {"speed": 0.5}),
        (r"\b(?:fast(?:er)?|quick(?:ly|er)?|dynamic|energetic)\b|快速|快一点|更快", {"speed": 2.0}),
        (r"\blo-?\s*fi\b|低保真", {"music_style": "lo-fi"}),
        (r"\b(?:upbeat|happy|energetic\s+music|pop|dance)\b|欢快|动感", {"music_style": "upbeat"}),
        (r"\b(?:calm|relax(?:ing|ed)?|chill|ambient|soft\s+music|peaceful)\b|轻松|舒缓|安静", {"music_style": "calm"}),
        (r"\b(?:cinematic|epic|dramatic|orchestral)\b|电影感|史诗|大气", {"music_style": "cinematic"}),
        (r"\b(?:crop|fill\s+the\s+frame)\b|裁剪", {"fit": "crop"}),
        (r"\bblur(?:red)?\s+(?:background|fill|bars)\b|模糊背景", {"fit": "blur"}),
        (r"\b(\d{2})\s*fps\b", {}),
    )
)  # fmt: skip

_MUSIC = _rx(r"\b(?:music|bgm|soundtrack|song|audio|track)\b|音乐|配乐|背景音")
_REMOVE = _rx(
    r"\b(?:remove|delete|drop|no|without|mute|get\s+rid\s+of|take\s+(?:out|off))\b"
    r"|去掉|删除|移除|不要|去除|静音"
)
_TITLE_WORD = _rx(r"\b(?:title|heading)\b|标题")
_CAPTION_WORD = _rx(r"\b(?:caption|subtitles?|text)\b|字幕|文字")
VOLUME_STEP = 0.15
_LOUDER = _rx(
    r"\b(?:louder|turn\s+(?:the\s+\w+\s+)?up|raise\s+the\s+(?:music|volume))\b"
    r"|大声|调高音量|音量(?:调)?大一?点|加大音量"
)
_QUIETER = _rx(
    r"\b(?:quieter|softer|turn\s+(?:the\s+\w+\s+)?down|lower\s+the\s+(?:music|volume))\b"
    r"|小声|调低音量|音量(?:调)?小一?点|降低音量"
)
_UNDO = _rx(r"\b(?:undo|revert|go\s+back|previous\s+version)\b|撤销|撤回|恢复上一步")
_GENERATE = _rx(
    r"\b(?:animate|animated|animation|generate|create|make\s+(?:a|an|it\s+into|this\s+into)|"
    r"turn\s+(?:\w+\s+){0,3}into|"
    r"bring\s+(?:it|this)\s+to\s+life|video|clip)\b|动画|生成|做成|制作|动起来|视频"
)
_FPS = _rx(r"\b(24|25|30|60)\s*(?:fps|frames?\s+per\s+second)\b|(24|25|30|60)\s*帧")
_ZH_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9, "十": 10, "十五": 15, "二十": 20, "三十": 30}  # fmt: skip
_ZH_DURATION = re.compile(r"(十五|二十|三十|[一二两三四五六七八九十])\s*秒")


def _duration(text: str) -> float | None:
    if match := _MINUTES.search(text):
        return float(match.group(1)) * 60
    if match := _DURATION.search(text):
        return float(match.group(1))
    if match := _ZH_DURATION.search(text):
        return float(_ZH_NUM[match.group(1)])
    return None


def _aspect(text: str) -> str | None:
    for match in _ASPECT_RX.finditer(text):
        ratio = f"{match.group(1)}:{match.group(2)}"
        if ratio in ASPECTS:
            return ratio
    return None


def parse_instruction(text: str) -> Instruction:
    """Read what ``text`` asks for (pure; unknown words are ignored)."""
    found: dict[str, Any] = {}
    title = _TITLE.search(text) or _TITLE_BARE.search(text)
    caption = None if title else _CAPTION.search(text)
    unquoted = re.sub(_QUOTED, " ", text)
    if title is not None and title.re is _TITLE_BARE:  # the title's own words are not commands
        unquoted = unquoted.replace(title.group(1), " ")
    for pattern, values in _WORDS:
        if values and pattern.search(unquoted):
            for key, value in values.items():
                found.setdefault(key, value)
    removing = bool(_REMOVE.search(unquoted))
    music = bool(_MUSIC.search(unquoted)) or "music_style" in found
    remove_music = removing and music and "music_style" not in found
    remove_title = removing and not title and bool(_TITLE_WORD.search(unquoted))
    remove_caption = removing and not caption and bool(_CAPTION_WORD.search(unquoted))
    volume = None
    if (percent := _PERCENT.search(unquoted)) and (music or _VOLUME_WORD.search(unquoted)):
        volume = min(100, int(percent.group(1))) / 100.0
    step = _volume_step(unquoted) if volume is None else None
    if music and not remove_music and "music_style" not in found and step is None:
        # "add music" means the default style; "music volume 50%" only changes the level
        found["music_style"] = (
            "lo-fi" if volume is None or not _VOLUME_WORD.search(unquoted) else None
        )
    fps_match = _FPS.search(unquoted)
    duration = _duration(unquoted)
    return Instruction(
        generate=bool(_GENERATE.search(unquoted)) and not removing,
        duration_s=None if duration is None else max(1.0, min(60.0, duration)),
        aspect=_aspect(unquoted) or found.get("aspect"),
        motion=found.get("motion"),
        speed=found.get("speed"),
        fps=int(fps_match.group(1) or fps_match.group(2)) if fps_match else None,
        title=title.group(1).strip() if title else None,
        caption=caption.group(1).strip() if caption else None,
        music_style=found.get("music_style"),
        music_volume=volume,
        remove_music=remove_music,
        remove_title=remove_title,
        remove_caption=remove_caption,
        undo=bool(_UNDO.search(unquoted)),
        fit=found.get("fit"),
        volume_step=step,
    )


def _volume_step(text: str) -> float | None:
    if _LOUDER.search(text):
        return VOLUME_STEP
    if _QUIETER.search(text):
        return -VOLUME_STEP
    return None


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def frame_size(
    aspect: str | None, image_size: tuple[int, int] | None, long_side: int
) -> tuple[int, int]:
    """Even output dimensions for ``aspect`` with the long side ``long_side``."""
    if aspect in ASPECTS:
        w, h = ASPECTS[aspect]
    elif image_size and image_size[0] > 0 and image_size[1] > 0:
        w, h = image_size
    else:
        w, h = 16, 9
    scale = long_side / max(w, h)
    return max(2, round(w * scale / 2) * 2), max(2, round(h * scale / 2) * 2)


def plan_from_prompt(
    text: str,
    *,
    source: str | None = None,
    name: str | None = None,
    image_size: tuple[int, int] | None = None,
    long_side: int = DEFAULT_LONG_SIDE,
) -> dict[str, Any]:
    """A full draft for one image: defaults 5 s, Ken Burns, source aspect, 1080p, 30 fps."""
    base: dict[str, Any] = {
        "id": _new_id("draft"),
        "m": {"fps": DEFAULT_FPS, "aspect": "original", "fit": "blur"},
        "t": [],
    }
    if image_size:
        base["m"]["source_size"] = list(image_size)
    video = {"id": _new_id("trk"), "tt": 0, "sg": [{
        "id": _new_id("seg"), "st": 0, "d": int(DEFAULT_DURATION_S * 1000),
        "src": source, "name": name or "clip", "motion": "kenburns", "speed": 1.0,
    }]}  # fmt: skip
    base["t"].append(video)
    return apply_instruction(base, parse_instruction(text), long_side=long_side)


def _tracks(draft: dict[str, Any], tt: int) -> list[dict[str, Any]]:
    return [t for t in draft.get("t", []) if isinstance(t, dict) and t.get("tt") == tt]


def _video_duration_ms(draft: dict[str, Any]) -> int:
    end = 0
    for track in _tracks(draft, 0):
        cursor = 0
        for seg in track.get("sg", []):
            cursor = int(seg.get("st", cursor)) + int(seg.get("d", 0))
            end = max(end, cursor)
    return end


def _set_duration(draft: dict[str, Any], total_ms: int) -> None:
    videos = [s for t in _tracks(draft, 0) for s in t.get("sg", [])]
    if videos:
        per = max(1000, total_ms // len(videos))
        for index, seg in enumerate(videos):
            seg["st"], seg["d"] = index * per, per
    for seg in (s for t in _tracks(draft, 1) for s in t.get("sg", [])):
        seg["st"], seg["d"] = 0, _video_duration_ms(draft)
    for seg in (s for t in _tracks(draft, 7) for s in t.get("sg", [])):
        seg["d"] = min(int(seg.get("d", 0)), _video_duration_ms(draft)) or _video_duration_ms(draft)


def _text_track(draft: dict[str, Any], role: str, text: str) -> None:
    duration = _video_duration_ms(draft)
    for track in _tracks(draft, 7):
        for seg in track.get("sg", []):
            if seg.get("role", "title") == role:
                seg["text"] = text
                return
    seg = {"id": _new_id("seg"), "st": 0, "text": text, "role": role,
           "d": min(3000, duration) if role == "title" else duration,
           "position": "center" if role == "title" else "bottom",
           "size": 0.08 if role == "title" else 0.05, "color": "#FFFFFF",
           "fade_in": 300, "fade_out": 300}  # fmt: skip
    draft.setdefault("t", []).append({"id": _new_id("trk"), "tt": 7, "sg": [seg]})


def _remove_text(draft: dict[str, Any], role: str) -> None:
    for track in _tracks(draft, 7):
        track["sg"] = [s for s in track.get("sg", []) if s.get("role", "title") != role]
    draft["t"] = [t for t in draft.get("t", []) if t.get("tt") != 7 or t.get("sg")]


def _music(draft: dict[str, Any], style: str | None, volume: float | None) -> None:
    duration = _video_duration_ms(draft)
    tracks = _tracks(draft, 1)
    if tracks and tracks[0].get("sg"):
        seg = tracks[0]["sg"][0]
        if style:
            seg["style"], seg["name"] = style, _style_label(style)
            seg.pop("src", None)
        if volume is not None:
            seg["volume"] = volume
        return
    seg = {"id": _new_id("seg"), "st": 0, "d": duration, "style": style or "lo-fi",
           "name": _style_label(style or "lo-fi"),
           "volume": DEFAULT_VOLUME if volume is None else volume,
           "fade_in": 500, "fade_out": 1000}  # fmt: skip
    draft.setdefault("t", []).append({"id": _new_id("trk"), "tt": 1, "sg": [seg]})


def _step_volume(draft: dict[str, Any], step: float) -> None:
    """Louder/quieter changes existing music only; it never adds a track."""
    for seg in (s for t in _tracks(draft, 1) for s in t.get("sg", [])):
        level = float(seg.get("volume", DEFAULT_VOLUME)) + step
        seg["volume"] = round(max(0.0, min(1.0, level)), 2)


def _style_label(style: str) -> str:
    return {"lo-fi": "Lo-fi"}.get(style, style.title())


def apply_instruction(
    draft: Mapping[str, Any],
    instr: Instruction,
    *,
    source: str | None = None,
    name: str | None = None,
    image_size: tuple[int, int] | None = None,
    long_side: int = DEFAULT_LONG_SIDE,
) -> dict[str, Any]:
    """A new draft with ``instr`` applied; ids and unrelated content are kept."""
    out: dict[str, Any] = copy.deepcopy(dict(draft))
    out.setdefault("t", [])
    meta = out.setdefault("m", {})
    if source is not None:
        for seg in (s for t in _tracks(out, 0) for s in t.get("sg", [])):
            seg["src"], seg["name"] = source, name or seg.get("name")
        if image_size:
            meta["source_size"] = list(image_size)
    for seg in (s for t in _tracks(out, 0) for s in t.get("sg", [])):
        if instr.motion:
            seg["motion"] = instr.motion
        if instr.speed:
            seg["speed"] = instr.speed
    if instr.aspect:
        meta["aspect"] = instr.aspect
    if instr.fit:
        meta["fit"] = instr.fit
    if instr.fps:
        meta["fps"] = instr.fps
    if instr.duration_s:
        _set_duration(out, int(instr.duration_s * 1000))
    if instr.remove_music:
        out["t"] = [t for t in out["t"] if t.get("tt") != 1]
    elif instr.music_style or instr.music_volume is not None:
        _music(out, instr.music_style, instr.music_volume)
    if instr.volume_step and not instr.remove_music:
        _step_volume(out, instr.volume_step)
    if instr.remove_title:
        _remove_text(out, "title")
    if instr.remove_caption:
        _remove_text(out, "caption")
    if instr.title:
        _text_track(out, "title", instr.title)
    if instr.caption:
        _text_track(out, "caption", instr.caption)
    src_size = meta.get("source_size")
    size = (int(src_size[0]), int(src_size[1])) if isinstance(src_size, list) else image_size
    meta["long_side"] = int(meta.get("long_side", long_side))
    meta["width"], meta["height"] = frame_size(meta.get("aspect"), size, meta["long_side"])
    meta.setdefault("fps", DEFAULT_FPS)
    return out
