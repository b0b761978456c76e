"""A corpus of story and per-photo edit requests in six languages, judged by documented fields.

Each row is ``(language, base, message, expected)``. ``base`` is ``none`` (no
draft yet: the message comes with three new photos, beach.jpg, city.jpg and
forest.jpg) or ``story`` (those three photos, 3 s each, Ken Burns at speed 1.0,
no transitions, lo-fi music). A row whose ``expected`` has ``new`` uploads that
photo (new.jpg) with the message. ``expected`` names the documented fields
(docs/draft.md) that must come out, by photo index in the final order:

- ``photos``: the photos' ``name`` in order; ``d``: every photo's length in s;
- ``motion`` / ``transition``: ``{index: value}``; ``speed``: ``{index: "+"|"-"}``;
- ``caption`` / ``title``: ``{index: words}`` (a text segment anchored to that photo);
- ``music``: the style (its ``bpm`` must be the style's); ``beat``: every cut on a beat;
- ``ask``: a free ``ask_question`` and nothing changed.

Every field not named must stay as it was (each photo keeps its ``id``,
``d``, ``motion``, ``speed`` and ``transition``; music and texts too), the
photos must lie back to back, and the cost must be right: a new story costs the
generation price, an edit the edit price, a question nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Row = tuple[str, str, str, dict[str, Any]]
COST_GENERATE = 100
COST_EDIT = 50
PHOTOS = ("beach.jpg", "city.jpg", "forest.jpg")
NEW = "new.jpg"
LANGUAGES = ("en", "zh", "es", "fr", "de", "ja")

_B, _C, _F, _N = (*PHOTOS, NEW)
X, F = "crossfade", "fade_black"

ROWS: list[Row] = [
    # --- English ------------------------------------------------------------------
    ("en", "none", "turn these three photos into one 9-second clip with crossfades", {"d": [3, 3, 3], "transition": {1: X, 2: X}}),
    ("en", "none", "make a video from these photos", {"d": [3, 3, 3]}),
    ("en", "none", "make a 12 second video of these photos with upbeat music", {"d": [4, 4, 4], "music": "upbeat"}),
    ("en", "none", "turn these photos into a clip, 2 seconds each", {"d": [2, 2, 2]}),
    ("en", "none", "make a video of these photos with fades through black", {"transition": {1: F, 2: F}}),
    ("en", "none", "turn these photos into a clip cut to the beat with calm music", {"music": "calm", "beat": True}),
    ("en", "story", "make the second photo longer", {"d": [3, 5, 3]}),
    ("en", "story", "make the last photo 5 seconds", {"d": [3, 3, 5]}),
    ("en", "story", "the first photo should be shorter", {"d": [1, 3, 3]}),
    ("en", "story", "photo 2: 4 seconds", {"d": [3, 4, 3]}),
    ("en", "story", "zoom in on the third photo", {"motion": {2: "zoom_in"}}),
    ("en", "story", "make the second photo faster", {"speed": {1: "+"}}),
    ("en", "story", "remove the second photo", {"photos": [_B, _F]}),
    ("en", "story", "delete the last one", {"photos": [_B, _C]}),
    ("en", "story", "put the last photo first", {"photos": [_F, _B, _C]}),
    ("en", "story", "move the first photo to the end", {"photos": [_C, _F, _B]}),
    ("en", "story", "swap the first and the last photo", {"photos": [_F, _C, _B]}),
    ("en", "story", "replace the second photo with this one", {"new": True, "photos": [_B, _N, _F]}),
    ("en", "story", "add this photo at the end", {"new": True, "photos": [_B, _C, _F, _N]}),
    ("en", "story", "add this photo after the first one", {"new": True, "photos": [_B, _N, _C, _F]}),
    ("en", "story", 'add the caption "Day one" to the first photo', {"caption": {0: "Day one"}}),
    ("en", "story", 'put the title "Paris" on the second photo', {"title": {1: "Paris"}}),
    ("en", "story", "crossfade into the third photo", {"transition": {2: X}}),
    ("en", "story", "fade through black before the last photo", {"transition": {2: F}}),
    ("en", "story", "cut to the beat", {"beat": True}),
    ("en", "story", "make it 0 seconds", {"ask": True}),
    ("en", "story", "1000 fps", {"ask": True}),
    ("en", "story", "make the beach photo 4 seconds", {"d": [4, 3, 3]}),
    ("en", "story", "remove the fifth photo", {"ask": True}),
    ("en", "story", "add crossfades between the photos", {"transition": {1: X, 2: X}}),
    ("en", "story", "make each photo 2 seconds", {"d": [2, 2, 2]}),
    ("en", "story", "slow down the first photo", {"speed": {0: "-"}}),
    ("en", "story", "make the whole video 12 seconds", {"d": [4, 4, 4]}),
    # --- Chinese ------------------------------------------------------------------
    ("zh", "none", "把这三张照片做成一个9秒的视频，用交叉淡化转场", {"d": [3, 3, 3], "transition": {1: X, 2: X}}),
    ("zh", "none", "用这些照片做一个视频", {"d": [3, 3, 3]}),
    ("zh", "none", "把这些照片做成12秒的视频，配欢快的音乐", {"d": [4, 4, 4], "music": "upbeat"}),
    ("zh", "none", "把这些照片做成视频，每张2秒", {"d": [2, 2, 2]}),
    ("zh", "none", "把这些照片做成视频，用黑场过渡", {"transition": {1: F, 2: F}}),
    ("zh", "none", "把这些照片做成卡点视频，配舒缓的音乐", {"music": "calm", "beat": True}),
    ("zh", "story", "第二张照片长一点", {"d": [3, 5, 3]}),
    ("zh", "story", "最后一张改成5秒", {"d": [3, 3, 5]}),
    ("zh", "story", "第一张短一点", {"d": [1, 3, 3]}),
    ("zh", "story", "照片2改成4秒", {"d": [3, 4, 3]}),
    ("zh", "story", "第三张镜头推近", {"motion": {2: "zoom_in"}}),
    ("zh", "story", "第二张快一点", {"speed": {1: "+"}}),
    ("zh", "story", "删掉第二张", {"photos": [_B, _F]}),
    ("zh", "story", "把最后一张删除", {"photos": [_B, _C]}),
    ("zh", "story", "把最后一张放到最前面", {"photos": [_F, _B, _C]}),
    ("zh", "story", "把第一张移到最后", {"photos": [_C, _F, _B]}),
    ("zh", "story", "交换第一张和最后一张", {"photos": [_F, _C, _B]}),
    ("zh", "story", "用这张替换第二张", {"new": True, "photos": [_B, _N, _F]}),
    ("zh", "story", "把这张照片加到最后", {"new": True, "photos": [_B, _C, _F, _N]}),
    ("zh", "story", "把这张加在第一张后面", {"new": True, "photos": [_B, _N, _C, _F]}),
    ("zh", "story", "给第一张加字幕“第一天”", {"caption": {0: "第一天"}}),
    ("zh", "story", "在第二张上加标题“巴黎”", {"title": {1: "巴黎"}}),
    ("zh", "story", "第三张用交叉淡化转场", {"transition": {2: X}}),
    ("zh", "story", "最后一张前用黑场过渡", {"transition": {2: F}}),
    ("zh", "story", "做成卡点", {"beat": True}),
    ("zh", "story", "改成0秒", {"ask": True}),
    ("zh", "story", "改成1000帧每秒", {"ask": True}),
    ("zh", "story", "beach那张改成4秒", {"d": [4, 3, 3]}),
    ("zh", "story", "删掉第五张", {"ask": True}),
    ("zh", "story", "照片之间加交叉淡化", {"transition": {1: X, 2: X}}),
    ("zh", "story", "每张照片2秒", {"d": [2, 2, 2]}),
    ("zh", "story", "第一张慢一点", {"speed": {0: "-"}}),
    ("zh", "story", "整个视频改成12秒", {"d": [4, 4, 4]}),
    # --- Spanish ------------------------------------------------------------------
    ("es", "none", "convierte estas tres fotos en un clip de 9 segundos con fundidos encadenados", {"d": [3, 3, 3], "transition": {1: X, 2: X}}),
    ("es", "none", "haz un vídeo con estas fotos", {"d": [3, 3, 3]}),
    ("es", "none", "haz un vídeo de 12 segundos con estas fotos y música alegre", {"d": [4, 4, 4], "music": "upbeat"}),
    ("es", "none", "haz un vídeo con estas fotos, 2 segundos cada foto", {"d": [2, 2, 2]}),
    ("es", "none", "haz un vídeo con estas fotos con transiciones a negro", {"transition": {1: F, 2: F}}),
    ("es", "none", "haz un vídeo con estas fotos al ritmo de la música, con música tranquila", {"music": "calm", "beat": True}),
    ("es", "story", "haz la segunda foto más larga", {"d": [3, 5, 3]}),
    ("es", "story", "que la última foto dure 5 segundos", {"d": [3, 3, 5]}),
    ("es", "story", "la primera foto más corta", {"d": [1, 3, 3]}),
    ("es", "story", "pon la foto 2 en 4 segundos", {"d": [3, 4, 3]}),
    ("es", "story", "haz zoom en la tercera foto", {"motion": {2: "zoom_in"}}),
    ("es", "story", "la segunda foto más rápida", {"speed": {1: "+"}}),
    ("es", "story", "quita la segunda foto", {"photos": [_B, _F]}),
    ("es", "story", "elimina la última foto", {"photos": [_B, _C]}),
    ("es", "story", "pon la última foto al principio", {"photos": [_F, _B, _C]}),
    ("es", "story", "mueve la primera foto al final", {"photos": [_C, _F, _B]}),
    ("es", "story", "intercambia la primera y la última foto", {"photos": [_F, _C, _B]}),
    ("es", "story", "reemplaza la segunda foto por esta", {"new": True, "photos": [_B, _N, _F]}),
    ("es", "story", "añade esta foto al final", {"new": True, "photos": [_B, _C, _F, _N]}),
    ("es", "story", "añade esta foto después de la primera", {"new": True, "photos": [_B, _N, _C, _F]}),
    ("es", "story", 'pon el subtítulo "Día uno" en la primera foto', {"caption": {0: "Día uno"}}),
    ("es", "story", 'pon el título "París" en la segunda foto', {"title": {1: "París"}}),
    ("es", "story", "fundido encadenado antes de la tercera foto", {"transition": {2: X}}),
    ("es", "story", "transición a negro antes de la última foto", {"transition": {2: F}}),
    ("es", "story", "sincroniza los cortes con el ritmo", {"beat": True}),
    ("es", "story", "ponlo de 0 segundos", {"ask": True}),
    ("es", "story", "a 1000 fps", {"ask": True}),
    ("es", "story", "que la foto beach.jpg dure 4 segundos", {"d": [4, 3, 3]}),
    ("es", "story", "quita la quinta foto", {"ask": True}),
    ("es", "story", "añade fundidos encadenados entre las fotos", {"transition": {1: X, 2: X}}),
    ("es", "story", "cada foto 2 segundos", {"d": [2, 2, 2]}),
    ("es", "story", "la primera foto más lenta", {"speed": {0: "-"}}),
    ("es", "story", "el vídeo entero de 12 segundos", {"d": [4, 4, 4]}),
    # --- French -------------------------------------------------------------------
    ("fr", "none", "transforme ces trois photos en un clip de 9 secondes avec des fondus enchaînés", {"d": [3, 3, 3], "transition": {1: X, 2: X}}),
    ("fr", "none", "fais une vidéo avec ces photos", {"d": [3, 3, 3]}),
    ("fr", "none", "fais une vidéo de 12 secondes avec ces photos et une musique joyeuse", {"d": [4, 4, 4], "music": "upbeat"}),
    ("fr", "none", "fais une vidéo avec ces photos, 2 secondes par photo", {"d": [2, 2, 2]}),
    ("fr", "none", "fais une vidéo avec ces photos avec des transitions par le noir", {"transition": {1: F, 2: F}}),
    ("fr", "none", "fais une vidéo avec ces photos calée sur le rythme, avec une musique calme", {"music": "calm", "beat": True}),
    ("fr", "story", "rallonge la deuxième photo", {"d": [3, 5, 3]}),
    ("fr", "story", "la dernière photo doit durer 5 secondes", {"d": [3, 3, 5]}),
    ("fr", "story", "raccourcis la première photo", {"d": [1, 3, 3]}),
    ("fr", "story", "mets la photo 2 à 4 secondes", {"d": [3, 4, 3]}),
    ("fr", "story", "zoom avant sur la troisième photo", {"motion": {2: "zoom_in"}}),
    ("fr", "story", "accélère la deuxième photo", {"speed": {1: "+"}}),
    ("fr", "story", "supprime la deuxième photo", {"photos": [_B, _F]}),
    ("fr", "story", "enlève la dernière photo", {"photos": [_B, _C]}),
    ("fr", "story", "mets la dernière photo au début", {"photos": [_F, _B, _C]}),
    ("fr", "story", "déplace la première photo à la fin", {"photos": [_C, _F, _B]}),
    ("fr", "story", "échange la première et la dernière photo", {"photos": [_F, _C, _B]}),
    ("fr", "story", "remplace la deuxième photo par celle-ci", {"new": True, "photos": [_B, _N, _F]}),
    ("fr", "story", "ajoute cette photo à la fin", {"new": True, "photos": [_B, _C, _F, _N]}),
    ("fr", "story", "ajoute cette photo après la première photo", {"new": True, "photos": [_B, _N, _C, _F]}),
    ("fr", "story", "ajoute la légende « Jour un » sur la première photo", {"caption": {0: "Jour un"}}),
    ("fr", "story", "mets le titre « Paris » sur la deuxième photo", {"title": {1: "Paris"}}),
    ("fr", "story", "un fondu enchaîné avant la troisième photo", {"transition": {2: X}}),
    ("fr", "story", "un fondu par le noir avant la dernière photo", {"transition": {2: F}}),
    ("fr", "story", "cale les coupes sur le rythme", {"beat": True}),
    ("fr", "story", "mets-la à 0 seconde", {"ask": True}),
    ("fr", "story", "passe à 1000 images par seconde", {"ask": True}),
    ("fr", "story", "la photo beach.jpg doit durer 4 secondes", {"d": [4, 3, 3]}),
    ("fr", "story", "supprime la cinquième photo", {"ask": True}),
    ("fr", "story", "ajoute des fondus enchaînés entre les photos", {"transition": {1: X, 2: X}}),
    ("fr", "story", "chaque photo 2 secondes", {"d": [2, 2, 2]}),
    ("fr", "story", "ralentis la première photo", {"speed": {0: "-"}}),
    ("fr", "story", "toute la vidéo en 12 secondes", {"d": [4, 4, 4]}),
    # --- German -------------------------------------------------------------------
    ("de", "none", "mach aus diesen drei Fotos einen 9-Sekunden-Clip mit Überblendungen", {"d": [3, 3, 3], "transition": {1: X, 2: X}}),
    ("de", "none", "mach ein Video aus diesen Fotos", {"d": [3, 3, 3]}),
    ("de", "none", "mach aus diesen Fotos ein 12 Sekunden langes Video mit fröhlicher Musik", {"d": [4, 4, 4], "music": "upbeat"}),
    ("de", "none", "mach ein Video aus diesen Fotos, 2 Sekunden pro Foto", {"d": [2, 2, 2]}),
    ("de", "none", "mach ein Video aus diesen Fotos mit Schwarzblenden zwischen den Fotos", {"transition": {1: F, 2: F}}),
    ("de", "none", "mach ein Video aus diesen Fotos im Takt, mit ruhiger Musik", {"music": "calm", "beat": True}),
    ("de", "story", "mach das zweite Foto länger", {"d": [3, 5, 3]}),
    ("de", "story", "das letzte Foto soll 5 Sekunden dauern", {"d": [3, 3, 5]}),
    ("de", "story", "das erste Foto kürzer", {"d": [1, 3, 3]}),
    ("de", "story", "Foto 2 auf 4 Sekunden", {"d": [3, 4, 3]}),
    ("de", "story", "beim dritten Foto reinzoomen", {"motion": {2: "zoom_in"}}),
    ("de", "story", "das zweite Foto schneller", {"speed": {1: "+"}}),
    ("de", "story", "entferne das zweite Foto", {"photos": [_B, _F]}),
    ("de", "story", "lösche das letzte Foto", {"photos": [_B, _C]}),
    ("de", "story", "setze das letzte Foto an den Anfang", {"photos": [_F, _B, _C]}),
    ("de", "story", "verschiebe das erste Foto ans Ende", {"photos": [_C, _F, _B]}),
    ("de", "story", "tausche das erste und das letzte Foto", {"photos": [_F, _C, _B]}),
    ("de", "story", "ersetze das zweite Foto durch das neue Foto", {"new": True, "photos": [_B, _N, _F]}),
    ("de", "story", "füge das neue Foto am Ende hinzu", {"new": True, "photos": [_B, _C, _F, _N]}),
    ("de", "story", "füge das neue Foto nach dem ersten Foto ein", {"new": True, "photos": [_B, _N, _C, _F]}),
    ("de", "story", "setze den Untertitel „Tag eins“ auf das erste Foto", {"caption": {0: "Tag eins"}}),
    ("de", "story", "setze den Titel „Paris“ auf das zweite Foto", {"title": {1: "Paris"}}),
    ("de", "story", "Überblendung vor dem dritten Foto", {"transition": {2: X}}),
    ("de", "story", "Schwarzblende vor dem letzten Foto", {"transition": {2: F}}),
    ("de", "story", "schneide im Takt", {"beat": True}),
    ("de", "story", "mach es 0 Sekunden lang", {"ask": True}),
    ("de", "story", "1000 fps bitte", {"ask": True}),
    ("de", "story", "das Foto beach.jpg 4 Sekunden lang", {"d": [4, 3, 3]}),
    ("de", "story", "entferne das fünfte Foto", {"ask": True}),
    ("de", "story", "Überblendungen zwischen den Fotos", {"transition": {1: X, 2: X}}),
    ("de", "story", "jedes Foto 2 Sekunden", {"d": [2, 2, 2]}),
    ("de", "story", "das erste Foto langsamer", {"speed": {0: "-"}}),
    ("de", "story", "das ganze Video 12 Sekunden", {"d": [4, 4, 4]}),
    # --- Japanese -----------------------------------------------------------------
    ("ja", "none", "この3枚の写真をクロスフェードで9秒のクリップにして", {"d": [3, 3, 3], "transition": {1: X, 2: X}}),
    ("ja", "none", "この写真で動画を作って", {"d": [3, 3, 3]}),
    ("ja", "none", "この写真で明るい音楽付きの12秒の動画を作って", {"d": [4, 4, 4], "music": "upbeat"}),
    ("ja", "none", "この写真で動画を作って、1枚あたり2秒で", {"d": [2, 2, 2]}),
    ("ja", "none", "この写真を暗転でつないで動画にして", {"transition": {1: F, 2: F}}),
    ("ja", "none", "この写真でビートに合わせて切り替わる動画を作って、落ち着いた音楽で", {"music": "calm", "beat": True}),
    ("ja", "story", "2枚目を長くして", {"d": [3, 5, 3]}),
    ("ja", "story", "最後の写真を5秒にして", {"d": [3, 3, 5]}),
    ("ja", "story", "1枚目を短くして", {"d": [1, 3, 3]}),
    ("ja", "story", "写真2を4秒にして", {"d": [3, 4, 3]}),
    ("ja", "story", "3枚目をズームインにして", {"motion": {2: "zoom_in"}}),
    ("ja", "story", "2枚目を速くして", {"speed": {1: "+"}}),
    ("ja", "story", "2枚目を削除して", {"photos": [_B, _F]}),
    ("ja", "story", "最後の写真を消して", {"photos": [_B, _C]}),
    ("ja", "story", "最後の写真を最初に移動して", {"photos": [_F, _B, _C]}),
    ("ja", "story", "1枚目を最後に移動して", {"photos": [_C, _F, _B]}),
    ("ja", "story", "1枚目と最後の写真を入れ替えて", {"photos": [_F, _C, _B]}),
    ("ja", "story", "2枚目をこの写真に差し替えて", {"new": True, "photos": [_B, _N, _F]}),
    ("ja", "story", "この写真を最後に追加して", {"new": True, "photos": [_B, _C, _F, _N]}),
    ("ja", "story", "この写真を1枚目の後に追加して", {"new": True, "photos": [_B, _N, _C, _F]}),
    ("ja", "story", "1枚目に字幕「一日目」を付けて", {"caption": {0: "一日目"}}),
    ("ja", "story", "2枚目にタイトル「パリ」を付けて", {"title": {1: "パリ"}}),
    ("ja", "story", "3枚目の前にクロスフェードを入れて", {"transition": {2: X}}),
    ("ja", "story", "最後の写真の前に暗転トランジションを入れて", {"transition": {2: F}}),
    ("ja", "story", "ビートに合わせて切り替えて", {"beat": True}),
    ("ja", "story", "0秒にして", {"ask": True}),
    ("ja", "story", "1000fpsにして", {"ask": True}),
    ("ja", "story", "beach.jpgを4秒にして", {"d": [4, 3, 3]}),
    ("ja", "story", "5枚目を削除して", {"ask": True}),
    ("ja", "story", "写真の間をクロスフェードにして", {"transition": {1: X, 2: X}}),
    ("ja", "story", "各写真を2秒にして", {"d": [2, 2, 2]}),
    ("ja", "story", "1枚目をゆっくりにして", {"speed": {0: "-"}}),
    ("ja", "story", "動画全体を12秒にして", {"d": [4, 4, 4]}),
]  # fmt: skip


def snapshot(draft: dict[str, Any] | None) -> dict[str, Any]:
    """The documented fields of a draft (docs/draft.md) the corpus judges."""
    tracks = (draft or {}).get("t", [])
    video = [s for t in tracks if t.get("tt") == 0 for s in t.get("sg", [])]
    music = [s for t in tracks if t.get("tt") == 1 for s in t.get("sg", [])]
    texts = [s for t in tracks if t.get("tt") == 7 for s in t.get("sg", [])]
    names = {s.get("id"): s.get("name") for s in video}
    return {
        "id": (draft or {}).get("id"),
        "photos": [
            {
                "id": s.get("id"),
                "name": s.get("name"),
                "st": s.get("st"),
                "d": s.get("d"),
                "motion": s.get("motion"),
                "speed": s.get("speed"),
                "transition": (s.get("transition") or {}).get("type"),
            }
            for s in video
        ],
        "music": [(s.get("style"), s.get("bpm"), s.get("st"), s.get("d")) for s in music],
        "texts": sorted(
            (s.get("role", "title"), s.get("text"), names.get(s.get("anchor"))) for s in texts
        ),
    }


@dataclass(frozen=True)
class Outcome:
    """What a turn did, in the terms the corpus judges."""

    before: dict[str, Any]
    after: dict[str, Any]
    cost: int
    asked: bool


def _bpm(style: str) -> int:
    from nemo_skill.local.engine.audio import STYLES

    return int(STYLES[style]["bpm"])


def _on_beat(after: dict[str, Any]) -> str | None:
    if not after["music"] or not after["music"][0][1]:
        return "no music bpm"
    _, bpm, start, _ = after["music"][0]
    beat = 60000 / bpm
    for photo in after["photos"][1:]:
        off = (photo["st"] - start) / beat
        if abs(off - round(off)) * beat > 1000 / 30:
            return f"cut at {photo['st']} ms is off the beat ({bpm} bpm)"
    return None


def _judge_photos(expected: dict[str, Any], out: Outcome) -> list[str]:
    before = {p["name"]: p for p in out.before["photos"]}
    after = out.after["photos"]
    problems = []
    names = [p["name"] for p in after]
    want_names = expected.get("photos", [p["name"] for p in out.before["photos"]] or list(PHOTOS))
    if names != want_names:
        problems.append(f"photos {names} != {want_names}")
    start = 0
    for index, photo in enumerate(after):
        if photo["st"] != start:
            problems.append(f"photo {index} starts at {photo['st']}, not {start}")
        start = photo["st"] + photo["d"]
        old = before.get(photo["name"])
        if "d" in expected:
            if photo["d"] != round(expected["d"][index] * 1000):
                problems.append(f"photo {index} d {photo['d']} != {expected['d'][index]} s")
        elif old is not None and not expected.get("beat") and photo["d"] != old["d"]:
            problems.append(f"photo {index} d changed {old['d']} -> {photo['d']}")
        for key in ("motion", "transition"):
            want = expected.get(key, {}).get(index, old[key] if old else None)
            if key == "transition" and index == 0:
                want = None
            if key == "transition" and old is None and key not in expected:
                continue  # a new photo's cut looks like its neighbours'
            if key == "motion" and old is None and key not in expected:
                continue
            if photo[key] != want:
                problems.append(f"photo {index} {key} {photo[key]!r} != {want!r}")
        sign = expected.get("speed", {}).get(index)
        base = old["speed"] if old else 1.0
        if (sign == "+" and not photo["speed"] > base) or (
            sign == "-" and not photo["speed"] < base
        ):
            problems.append(f"photo {index} speed {photo['speed']} not {sign}")
        if sign is None and photo["speed"] != base:
            problems.append(f"photo {index} speed changed {base} -> {photo['speed']}")
        if old is not None and old["id"] != photo["id"] and out.before["photos"]:
            problems.append(f"photo {index} lost its id")
    return problems


def _judge_extras(expected: dict[str, Any], out: Outcome) -> list[str]:
    problems = []
    if "music" in expected:
        music = out.after["music"]
        if not music or music[0][0] != expected["music"] or music[0][1] != _bpm(expected["music"]):
            problems.append(f"music {music} != {expected['music']} at its bpm")
    elif [m[:2] for m in out.after["music"]] != [m[:2] for m in out.before["music"]] and not (
        expected.get("beat") and not out.before["music"]
    ):
        problems.append(f"music changed {out.before['music']} -> {out.after['music']}")
    texts = {(role, words, anchor) for role, words, anchor in out.before["texts"]}
    for role in ("title", "caption"):
        for index, words in expected.get(role, {}).items():
            texts.add((role, words, out.after["photos"][index]["name"]))
    if set(out.after["texts"]) != texts:
        problems.append(f"texts {out.after['texts']} != {sorted(texts)}")
    if expected.get("beat") and (problem := _on_beat(out.after)):
        problems.append(problem)
    return problems


def judge(expected: dict[str, Any], out: Outcome, generated: bool) -> str | None:
    """``None`` when the outcome is what ``expected`` asks, else what is wrong."""
    if expected.get("ask"):
        if out.after != out.before or out.cost != 0 or not out.asked:
            return f"not a free question: cost {out.cost}, asked {out.asked}"
        return None
    want_cost = COST_GENERATE if generated else COST_EDIT
    problems = [] if out.cost == want_cost else [f"cost {out.cost} != {want_cost}"]
    problems += _judge_photos(expected, out) + _judge_extras(expected, out)
    return "; ".join(problems) or None


class Runner:
    """Runs rows through :func:`nemo_skill.local.agent.plan_turn` (what ``/run_sse`` calls)."""

    def __init__(self) -> None:
        self.files = [self._file(name, i + 1) for i, name in enumerate(PHOTOS)]
        self.new = self._file(NEW, 9)
        made = self.plan("make a video from these photos", None, self.files)
        music = self.plan("add lo-fi music", made.new_draft, [])
        self.story = music.new_draft

    @staticmethod
    def _file(name: str, seed: int) -> Any:
        from nemo_skill.local.store import StoredFile

        return StoredFile("s", "u", f"{seed:064x}", name, "image", 1000, 800, 600)

    def plan(
        self, text: str, draft: dict[str, Any] | None, new: list[Any], lang: str = "en"
    ) -> Any:
        from nemo_skill.local import agent

        every = [*self.files, self.new] if self.new in new else list(self.files)
        return agent.plan_turn(text, draft, every, cost_generate=COST_GENERATE,
                               cost_edit=COST_EDIT, long_side=320,
                               source_url=lambda f: f"/files/{f.sha256}/{f.name}",
                               language=lang, new_files=new)  # fmt: skip

    def outcome(self, row: Row) -> tuple[Outcome, bool]:
        """The turn's outcome and whether it was judged as a new story."""
        language, base, text, expected = row
        draft = None if base == "none" else self.story
        new = list(self.files) if base == "none" else [self.new] if expected.get("new") else []
        plan = self.plan(text, draft, new, language)
        after = plan.new_draft if plan.kind in ("generate", "edit") else draft
        return Outcome(
            snapshot(draft), snapshot(after), plan.cost, plan.kind == "ask"
        ), draft is None


def accuracy(rows: list[Row]) -> tuple[dict[str, tuple[int, int]], list[tuple[Row, str]]]:
    """``language -> (passed, total)`` and the failures."""
    runner = Runner()
    scores: dict[str, tuple[int, int]] = {}
    failures: list[tuple[Row, str]] = []
    for row in rows:
        outcome, generated = runner.outcome(row)
        problem = judge(row[3], outcome, generated)
        passed, total = scores.get(row[0], (0, 0))
        scores[row[0]] = (passed + (problem is None), total + 1)
        if problem is not None:
            failures.append((row, problem))
    return scores, failures


# Written after ROWS were tuned, to probe other phrasings (see test_story_corpus.py for the
# score they had the first time they ran).
VARIATIONS: list[Row] = [
    ("en", "none", "make a slideshow out of these pictures", {"d": [3, 3, 3]}),
    ("en", "none", "combine these photos into a 6 second video", {"d": [2, 2, 2]}),
    ("en", "story", "lengthen photo number 3", {"d": [3, 3, 5]}),
    ("en", "story", "make the penultimate photo 4 seconds", {"d": [3, 4, 3]}),
    ("en", "story", "get rid of the third picture", {"photos": [_B, _C]}),
    ("en", "story", "move the beach photo to the end", {"photos": [_C, _F, _B]}),
    ("en", "story", "switch photo 1 and photo 2", {"photos": [_C, _B, _F]}),
    ("en", "story", "use this picture instead of the first one", {"new": True, "photos": [_N, _C, _F]}),
    ("en", "story", 'put a caption "Sunset" on the last photo', {"caption": {2: "Sunset"}}),
    ("en", "story", "dissolve into the second photo", {"transition": {1: X}}),
    ("en", "story", "sync the cuts to the music", {"beat": True}),
    ("en", "story", "make the video 100 seconds", {"ask": True}),
    ("zh", "none", "用这几张图做个幻灯片视频", {"d": [3, 3, 3]}),
    ("zh", "none", "把这些照片合成一个6秒的视频", {"d": [2, 2, 2]}),
    ("zh", "story", "第3张再长一点", {"d": [3, 3, 5]}),
    ("zh", "story", "倒数第二张改成4秒", {"d": [3, 4, 3]}),
    ("zh", "story", "第三张不要了", {"photos": [_B, _C]}),
    ("zh", "story", "把beach那张放到最后", {"photos": [_C, _F, _B]}),
    ("zh", "story", "第一张和第二张换一下位置", {"photos": [_C, _B, _F]}),
    ("zh", "story", "用这张代替第一张", {"new": True, "photos": [_N, _C, _F]}),
    ("zh", "story", "最后一张加字幕“日落”", {"caption": {2: "日落"}}),
    ("zh", "story", "第二张之前加交叉淡化", {"transition": {1: X}}),
    ("zh", "story", "跟着节拍切换", {"beat": True}),
    ("zh", "story", "改成100秒", {"ask": True}),
    ("es", "none", "haz un pase de diapositivas con estas fotos", {"d": [3, 3, 3]}),
    ("es", "none", "junta estas fotos en un vídeo de 6 segundos", {"d": [2, 2, 2]}),
    ("es", "story", "alarga la foto número 3", {"d": [3, 3, 5]}),
    ("es", "story", "que la penúltima foto dure 4 segundos", {"d": [3, 4, 3]}),
    ("es", "story", "borra la tercera foto", {"photos": [_B, _C]}),
    ("es", "story", "mueve la foto de beach al final", {"photos": [_C, _F, _B]}),
    ("es", "story", "intercambia la foto 1 y la foto 2", {"photos": [_C, _B, _F]}),
    ("es", "story", "usa esta foto en lugar de la primera", {"new": True, "photos": [_N, _C, _F]}),
    ("es", "story", 'pon el subtítulo "Atardecer" en la última foto', {"caption": {2: "Atardecer"}}),
    ("es", "story", "fundido encadenado hacia la segunda foto", {"transition": {1: X}}),
    ("es", "story", "que los cortes vayan al ritmo de la música", {"beat": True}),
    ("es", "story", "que dure 100 segundos", {"ask": True}),
    ("fr", "none", "fais un diaporama avec ces photos", {"d": [3, 3, 3]}),
    ("fr", "none", "assemble ces photos en une vidéo de 6 secondes", {"d": [2, 2, 2]}),
    ("fr", "story", "allonge la photo numéro 3", {"d": [3, 3, 5]}),
    ("fr", "story", "l'avant-dernière photo doit durer 4 secondes", {"d": [3, 4, 3]}),
    ("fr", "story", "retire la troisième photo", {"photos": [_B, _C]}),
    ("fr", "story", "mets la photo beach.jpg à la fin", {"photos": [_C, _F, _B]}),
    ("fr", "story", "intervertis la photo 1 et la photo 2", {"photos": [_C, _B, _F]}),
    ("fr", "story", "mets cette photo à la place de la première", {"new": True, "photos": [_N, _C, _F]}),
    ("fr", "story", "ajoute la légende « Coucher de soleil » sur la dernière photo", {"caption": {2: "Coucher de soleil"}}),
    ("fr", "story", "fondu enchaîné vers la deuxième photo", {"transition": {1: X}}),
    ("fr", "story", "synchronise les coupes avec la musique", {"beat": True}),
    ("fr", "story", "fais-la durer 100 secondes", {"ask": True}),
    ("de", "none", "mach eine Diashow aus diesen Bildern", {"d": [3, 3, 3]}),
    ("de", "none", "mach aus diesen Fotos ein 6 Sekunden langes Video", {"d": [2, 2, 2]}),
    ("de", "story", "verlängere Foto 3", {"d": [3, 3, 5]}),
    ("de", "story", "das vorletzte Foto 4 Sekunden", {"d": [3, 4, 3]}),
    ("de", "story", "lösche das dritte Bild", {"photos": [_B, _C]}),
    ("de", "story", "schieb das Foto beach.jpg ans Ende", {"photos": [_C, _F, _B]}),
    ("de", "story", "vertausche Foto 1 und Foto 2", {"photos": [_C, _B, _F]}),
    ("de", "story", "nimm das neue Foto statt des ersten Fotos", {"new": True, "photos": [_N, _C, _F]}),
    ("de", "story", "setze den Untertitel „Sonnenuntergang“ auf das letzte Foto", {"caption": {2: "Sonnenuntergang"}}),
    ("de", "story", "Überblendung zum zweiten Foto", {"transition": {1: X}}),
    ("de", "story", "Schnitte auf den Beat", {"beat": True}),
    ("de", "story", "mach es 100 Sekunden lang", {"ask": True}),
    ("ja", "none", "この写真でスライドショーを作って", {"d": [3, 3, 3]}),
    ("ja", "none", "この写真をまとめて6秒の動画にして", {"d": [2, 2, 2]}),
    ("ja", "story", "3枚目をもっと長くして", {"d": [3, 3, 5]}),
    ("ja", "story", "2番目の写真を4秒にして", {"d": [3, 4, 3]}),
    ("ja", "story", "3枚目はいらない", {"photos": [_B, _C]}),
    ("ja", "story", "beach.jpgを最後に移動して", {"photos": [_C, _F, _B]}),
    ("ja", "story", "1枚目と2枚目を入れ替えて", {"photos": [_C, _B, _F]}),
    ("ja", "story", "1枚目をこの写真に差し替えて", {"new": True, "photos": [_N, _C, _F]}),
    ("ja", "story", "最後の写真に字幕「夕日」を付けて", {"caption": {2: "夕日"}}),
    ("ja", "story", "2枚目にクロスフェードで切り替えて", {"transition": {1: X}}),
    ("ja", "story", "音楽のリズムに合わせて切り替えて", {"beat": True}),
    ("ja", "story", "100秒にして", {"ask": True}),
    # a second batch, probed after the first landing (see test_story_corpus.py)

    ("en","story","make it 0 seconds long",{"ask":True}),    ("zh","story","视频改成0秒",{"ask":True}),    ("es","story","que dure 0 segundos",{"ask":True}),
    ("fr","story","mets la vidéo à 0 seconde",{"ask":True}),    ("de","story","mach das Video 0 Sekunden lang",{"ask":True}),    ("ja","story","動画を0秒にして",{"ask":True}),
    ("en","story","set it to 1000 fps",{"ask":True}),    ("zh","story","帧率1000",{"ask":True}),    ("es","story","ponlo a 1000 fps",{"ask":True}),
    ("fr","story","mets 1000 images par seconde",{"ask":True}),    ("de","story","stell 1000 Bilder pro Sekunde ein",{"ask":True}),    ("ja","story","フレームレートを1000にして",{"ask":True}),
    ("en","story","make it -5 seconds",{"ask":True}),    ("de","story","mach es -5 Sekunden",{"ask":True}),
    ("en","story","shorten the middle photo by a second",{"d":[3,2,3]}),
    ("en","story","the 2nd picture should last 6 seconds",{"d":[3,6,3]}),
    ("en","story","bring the third photo to the front",{"photos":[_F,_B,_C]}),
    ("en","story","take out the first photo",{"photos":[_C,_F]}),
    ("en","story","pan left on the second photo",{"motion":{1:"pan_left"}}),
    ("en","story","add a fade to black between photo 1 and photo 2",{"transition":{1:F}}),
    ("en","story","insert this photo before the last one",{"new":True,"photos":[_B,_C,_N,_F]}),
    ("en","story",'caption the second photo "Downtown"',{"caption":{1:"Downtown"}}),
    ("zh","story","第二张图片放大",{"motion":{1:"zoom_in"}}),
    ("zh","story","把第三张挪到第一张前面",{"photos":[_F,_B,_C]}),
    ("zh","story","去掉第一张照片",{"photos":[_C,_F]}),
    ("zh","story","在最后加上这张照片",{"new":True,"photos":[_B,_C,_F,_N]}),
    ("zh","story","第二张时长3.5秒",{"d":[3,3.5,3]}),
    ("zh","story","第1张和第3张对调",{"photos":[_F,_C,_B]}),
    ("es","story","mueve la tercera foto al principio",{"photos":[_F,_B,_C]}),
    ("es","story","la segunda foto con zoom hacia fuera",{"motion":{1:"zoom_out"}}),
    ("es","story","saca la primera foto",{"photos":[_C,_F]}),
    ("es","story","pon esta foto entre la primera y la segunda",{"new":True,"photos":[_B,_N,_C,_F]}),
    ("es","story","haz que la segunda foto dure 6 segundos",{"d":[3,6,3]}),
    ("fr","story","fais durer la deuxième photo 6 secondes",{"d":[3,6,3]}),
    ("fr","story","déplace la troisième photo au début",{"photos":[_F,_B,_C]}),
    ("fr","story","zoom arrière sur la deuxième photo",{"motion":{1:"zoom_out"}}),
    ("fr","story","insère cette photo avant la dernière photo",{"new":True,"photos":[_B,_C,_N,_F]}),
    ("fr","story","ralentis la caméra sur la troisième photo",{"speed":{2:"-"}}),
    ("de","story","das zweite Foto soll 6 Sekunden dauern",{"d":[3,6,3]}),
    ("de","story","nimm das erste Foto raus",{"photos":[_C,_F]}),
    ("de","story","stell das dritte Foto an den Anfang",{"photos":[_F,_B,_C]}),
    ("de","story","beim zweiten Foto nach links schwenken",{"motion":{1:"pan_left"}}),
    ("de","story","füge dieses Foto vor dem letzten Foto ein",{"new":True,"photos":[_B,_C,_N,_F]}),
    ("ja","story","2枚目を6秒にして",{"d":[3,6,3]}),
    ("ja","story","3枚目を先頭に移動して",{"photos":[_F,_B,_C]}),
    ("ja","story","1枚目を外して",{"photos":[_C,_F]}),
    ("ja","story","2枚目をズームアウトにして",{"motion":{1:"zoom_out"}}),
    ("ja","story","この写真を最後の写真の前に入れて",{"new":True,"photos":[_B,_C,_N,_F]}),
    ("ja","story","3枚目をゆっくりにして",{"speed":{2:"-"}}),
    # a third batch (stories in six languages, per-photo camera and titles): 36/36 first time
    ("en","none","create a 15 second story from my photos with cinematic music",{"d":[5,5,5],"music":"cinematic"}),
    ("en","none","animate these pictures into one video, 4 seconds per photo, dissolves between them",{"d":[4,4,4],"transition":{1:X,2:X}}),
    ("en","none","a slideshow with these, beat synced, lo-fi music",{"music":"lo-fi","beat":True}),
    ("zh","none","用这三张照片生成一个15秒的视频，配电影感的音乐",{"d":[5,5,5],"music":"cinematic"}),
    ("zh","none","把这些照片做成视频，每张4秒，照片之间叠化",{"d":[4,4,4],"transition":{1:X,2:X}}),
    ("zh","none","这几张照片做个卡点视频，配lo-fi音乐",{"music":"lo-fi","beat":True}),
    ("es","none","crea un vídeo de 15 segundos con mis fotos y música épica",{"d":[5,5,5],"music":"cinematic"}),
    ("es","none","anima estas fotos en un solo vídeo, 4 segundos por foto, con fundidos encadenados",{"d":[4,4,4],"transition":{1:X,2:X}}),
    ("es","none","un vídeo con estas fotos al compás de una música lo-fi",{"music":"lo-fi","beat":True}),
    ("fr","none","crée une vidéo de 15 secondes avec mes photos et une musique épique",{"d":[5,5,5],"music":"cinematic"}),
    ("fr","none","anime ces photos en une seule vidéo, 4 secondes par photo, avec des fondus enchaînés",{"d":[4,4,4],"transition":{1:X,2:X}}),
    ("fr","none","une vidéo de ces photos sur le rythme d'une musique lo-fi",{"music":"lo-fi","beat":True}),
    ("de","none","erstelle aus meinen Fotos ein 15 Sekunden Video mit epischer Musik",{"d":[5,5,5],"music":"cinematic"}),
    ("de","none","animiere diese Fotos zu einem Video, 4 Sekunden pro Foto, mit Überblendungen",{"d":[4,4,4],"transition":{1:X,2:X}}),
    ("de","none","ein Video aus diesen Fotos im Takt mit Lo-Fi Musik",{"music":"lo-fi","beat":True}),
    ("ja","none","この写真で壮大な音楽付きの15秒の動画を作って",{"d":[5,5,5],"music":"cinematic"}),
    ("ja","none","この写真を1枚ずつ4秒でクロスフェードの動画にして",{"d":[4,4,4],"transition":{1:X,2:X}}),
    ("ja","none","この写真でlo-fi音楽に合わせた音ハメ動画を作って",{"music":"lo-fi","beat":True}),
    ("en","story","speed up the camera on the last photo",{"speed":{2:"+"}}),
    ("en","story","make photo 3 static",{"motion":{2:"none"}}),
    ("zh","story","第二张不要动",{"motion":{1:"none"}}),
    ("zh","story","第三张向左平移",{"motion":{2:"pan_left"}}),
    ("es","story","deja fija la tercera foto",{"motion":{2:"none"}}),
    ("es","story","la segunda foto con paneo a la izquierda",{"motion":{1:"pan_left"}}),
    ("fr","story","la troisième photo sans mouvement",{"motion":{2:"none"}}),
    ("fr","story","accélère la caméra sur la dernière photo",{"speed":{2:"+"}}),
    ("de","story","das dritte Foto ohne Bewegung",{"motion":{2:"none"}}),
    ("de","story","beim letzten Foto die Kamera schneller",{"speed":{2:"+"}}),
    ("ja","story","3枚目は動かさないで",{"motion":{2:"none"}}),
    ("ja","story","最後の写真のカメラを速くして",{"speed":{2:"+"}}),
    ("en","story",'title "The End" on the last photo',{"title":{2:"The End"}}),
    ("zh","story","最后一张加标题“完”",{"title":{2:"完"}}),
    ("es","story",'título "Fin" en la última foto',{"title":{2:"Fin"}}),
    ("fr","story","titre « Fin » sur la dernière photo",{"title":{2:"Fin"}}),
    ("de","story","Titel „Ende“ auf dem letzten Foto",{"title":{2:"Ende"}}),
    ("ja","story","最後の写真にタイトル「おわり」",{"title":{2:"おわり"}}),
    # a fourth batch (segment edits with digit ordinals, "photos 2 and 3", a fade aimed at one
    # photo, new verbs), written before any fix: see test_story_corpus.py for its first score
    ("en","story",'make the 2nd photo 5 seconds',{'d':[3,5,3]}),
    ("en","story",'photo #3 a bit shorter',{'d':[3,3,1]}),
    ("en","story",'zoom out on picture 2',{'motion':{1:'zoom_out'}}),
    ("en","story",'the last image should pan right',{'motion':{2:'pan_right'}}),
    ("en","story",'speed up the 1st one',{'speed':{0:'+'}}),
    ("en","story",'drop photo #2',{'photos':[_B,_F]}),
    ("en","story",'swap photos 2 and 3',{'photos':[_B,_F,_C]}),
    ("en","story",'swap the 2nd image with this one',{'new':True,'photos':[_B,_N,_F]}),
    ("en","story",'put this picture after the 1st photo',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("en","story",'append this photo to the end',{'new':True,'photos':[_B,_C,_F,_N]}),
    ("en","story",'caption "Hello" on picture #2',{'caption':{1:'Hello'}}),
    ("en","story",'crossfade to the 2nd picture',{'transition':{1:X}}),
    ("en","story",'the second photo should fade in from black',{'transition':{1:F}}),
    ("en","story",'use a fade for photo 3',{'transition':{2:F}}),
    ("zh","story",'第二张照片换成淡入淡出',{'transition':{1:F}}),
    ("zh","story",'第二张照片的转场换成淡入淡出',{'transition':{1:F}}),
    ("zh","story",'第二张照片用淡入淡出',{'transition':{1:F}}),
    ("zh","story",'第二张照片淡入淡出',{'transition':{1:F}}),
    ("zh","story",'第3张用叠化',{'transition':{2:X}}),
    ("zh","story",'第2张照片改成6秒',{'d':[3,6,3]}),
    ("zh","story",'把第二张图放慢一点',{'speed':{1:'-'}}),
    ("zh","story",'第三张照片镜头拉远',{'motion':{2:'zoom_out'}}),
    ("zh","story",'第1张照片删掉',{'photos':[_C,_F]}),
    ("zh","story",'第三张和第二张换一下',{'photos':[_B,_F,_C]}),
    ("zh","story",'把第二张换成这张',{'new':True,'photos':[_B,_N,_F]}),
    ("zh","story",'把这张图插到第一张后面',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("zh","story",'第二张照片加上字幕“你好”',{'caption':{1:'你好'}}),
    ("zh","story",'最后一张照片短一点',{'d':[3,3,1]}),
    ("es","story",'la 2ª foto que dure 5 segundos',{'d':[3,5,3]}),
    ("es","story",'acorta la foto 3',{'d':[3,3,1]}),
    ("es","story",'zoom hacia fuera en la segunda imagen',{'motion':{1:'zoom_out'}}),
    ("es","story",'la primera imagen, más despacio',{'speed':{0:'-'}}),
    ("es","story",'quita la imagen 2',{'photos':[_B,_F]}),
    ("es","story",'cambia de lugar la foto 2 y la 3',{'photos':[_B,_F,_C]}),
    ("es","story",'cambia la foto 2 por esta nueva',{'new':True,'photos':[_B,_N,_F]}),
    ("es","story",'mete esta imagen al final del vídeo',{'new':True,'photos':[_B,_C,_F,_N]}),
    ("es","story",'pon esta foto después de la primera',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("es","story",'subtítulo "Hola" en la 2ª foto',{'caption':{1:'Hola'}}),
    ("es","story",'la segunda foto con fundido a negro',{'transition':{1:F}}),
    ("es","story",'fundido encadenado en la tercera foto',{'transition':{2:X}}),
    ("es","story",'la segunda foto con un fundido',{'transition':{1:F}}),
    ("fr","story",'la deuxième photo en fondu au noir',{'transition':{1:F}}),
    ("fr","story",'fondu enchaîné sur la 3e photo',{'transition':{2:X}}),
    ("fr","story",'la 2e photo doit durer 5 secondes',{'d':[3,5,3]}),
    ("fr","story",'raccourcis la photo 3',{'d':[3,3,1]}),
    ("fr","story",'zoom avant sur la première image',{'motion':{0:'zoom_in'}}),
    ("fr","story",'la 2e image plus rapide',{'speed':{1:'+'}}),
    ("fr","story",'supprime la photo n°2',{'photos':[_B,_F]}),
    ("fr","story",'échange la deuxième et la troisième photo',{'photos':[_B,_F,_C]}),
    ("fr","story",'remplace la photo n°2 par la nouvelle',{'new':True,'photos':[_B,_N,_F]}),
    ("fr","story",'mets cette image en dernier',{'new':True,'photos':[_B,_C,_F,_N]}),
    ("fr","story",'ajoute cette photo après la première',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("fr","story",'légende « Salut » sur la 2e photo',{'caption':{1:'Salut'}}),
    ("de","story",'das zweite Foto mit Abblende',{'transition':{1:F}}),
    ("de","story",'Überblendung beim dritten Bild',{'transition':{2:X}}),
    ("de","story",'die 2. Aufnahme 5 Sekunden',{'d':[3,5,3]}),
    ("de","story",'kürze Bild 3',{'d':[3,3,1]}),
    ("de","story",'beim ersten Foto reinzoomen',{'motion':{0:'zoom_in'}}),
    ("de","story",'das zweite Foto langsamer',{'speed':{1:'-'}}),
    ("de","story",'entferne das 2. Foto',{'photos':[_B,_F]}),
    ("de","story",'tausche das zweite und das dritte Foto',{'photos':[_B,_F,_C]}),
    ("de","story",'ersetze das zweite Foto durch dieses',{'new':True,'photos':[_B,_N,_F]}),
    ("de","story",'füge dieses Foto am Ende hinzu',{'new':True,'photos':[_B,_C,_F,_N]}),
    ("de","story",'füge dieses Bild nach dem ersten ein',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("de","story",'Untertitel „Hallo“ auf dem 2. Foto',{'caption':{1:'Hallo'}}),
    ("ja","story",'2枚目の写真をフェードに',{'transition':{1:F}}),
    ("ja","story",'3枚目はクロスフェードで',{'transition':{2:X}}),
    ("ja","story",'2番目の写真を5秒に',{'d':[3,5,3]}),
    ("ja","story",'写真3を短くして',{'d':[3,3,1]}),
    ("ja","story",'1枚目をズームインにして',{'motion':{0:'zoom_in'}}),
    ("ja","story",'2番目の写真のスピードを上げて',{'speed':{1:'+'}}),
    ("ja","story",'2番目の写真を削除',{'photos':[_B,_F]}),
    ("ja","story",'2枚目と3枚目を入れ替えて',{'photos':[_B,_F,_C]}),
    ("ja","story",'2枚目をこの画像に置き換えて',{'new':True,'photos':[_B,_N,_F]}),
    ("ja","story",'この画像を末尾に足して',{'new':True,'photos':[_B,_C,_F,_N]}),
    ("ja","story",'この写真を1枚目の後に入れて',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("ja","story",'2枚目に字幕「こんにちは」',{'caption':{1:'こんにちは'}}),
    # a fifth batch (every kind of segment edit again, other words and orders), written
    # after the fourth was fixed and before its own fixes: see test_story_corpus.py
    ("en","story",'give picture 2 an extra second',{'d':[3,4,3]}),
    ("en","story",'the 3rd shot is too long',{'d':[3,3,1]}),
    ("en","story",'slow pan to the left on the first image',{'motion':{0:'pan_left'},'speed':{0:'-'}}),
    ("en","story",'photo 2 slower please',{'speed':{1:'-'}}),
    ("en","story",'get rid of the 2nd one',{'photos':[_B,_F]}),
    ("en","story",'move photo #1 to the end',{'photos':[_C,_F,_B]}),
    ("en","story",'switch the 2nd and 3rd photos',{'photos':[_B,_F,_C]}),
    ("en","story",'use this one instead of photo 3',{'new':True,'photos':[_B,_C,_N]}),
    ("en","story",'insert this image right after the first one',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("en","story",'add "Welcome" as a caption on the first photo',{'caption':{0:'Welcome'}}),
    ("en","story",'dissolve into photo #3',{'transition':{2:X}}),
    ("en","story",'fade to black before picture 2',{'transition':{1:F}}),
    ("zh","story",'第2张图多放1秒',{'d':[3,4,3]}),
    ("zh","story",'第三张太长了',{'d':[3,3,1]}),
    ("zh","story",'第一张镜头向左平移',{'motion':{0:'pan_left'}}),
    ("zh","story",'第2张照片慢一点',{'speed':{1:'-'}}),
    ("zh","story",'第二张不要了',{'photos':[_B,_F]}),
    ("zh","story",'把第1张放到最后',{'photos':[_C,_F,_B]}),
    ("zh","story",'第2张和第3张交换位置',{'photos':[_B,_F,_C]}),
    ("zh","story",'用这张新照片换掉第三张',{'new':True,'photos':[_B,_C,_N]}),
    ("zh","story",'把这张照片插在第一张和第二张之间',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("zh","story",'第一张照片配字幕“欢迎”',{'caption':{0:'欢迎'}}),
    ("zh","story",'第三张照片的转场改成叠化',{'transition':{2:X}}),
    ("zh","story",'第2张用黑场转场',{'transition':{1:F}}),
    ("es","story",'dale un segundo más a la foto 2',{'d':[3,4,3]}),
    ("es","story",'la 3ª foto es demasiado larga',{'d':[3,3,1]}),
    ("es","story",'paneo a la izquierda en la primera imagen',{'motion':{0:'pan_left'}}),
    ("es","story",'la foto 2 más despacio',{'speed':{1:'-'}}),
    ("es","story",'quita la 2ª foto',{'photos':[_B,_F]}),
    ("es","story",'mueve la foto 1 al final',{'photos':[_C,_F,_B]}),
    ("es","story",'intercambia la segunda y la tercera foto',{'photos':[_B,_F,_C]}),
    ("es","story",'usa esta foto en lugar de la foto 3',{'new':True,'photos':[_B,_C,_N]}),
    ("es","story",'inserta esta foto entre la primera y la segunda',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("es","story",'añade el subtítulo "Bienvenidos" a la primera foto',{'caption':{0:'Bienvenidos'}}),
    ("es","story",'fundido encadenado a la foto 3',{'transition':{2:X}}),
    ("es","story",'fundido a negro antes de la foto 2',{'transition':{1:F}}),
    ("fr","story",'une seconde de plus sur la photo 2',{'d':[3,4,3]}),
    ("fr","story",'la 3e photo est trop longue',{'d':[3,3,1]}),
    ("fr","story",'panoramique vers la gauche sur la première image',{'motion':{0:'pan_left'}}),
    ("fr","story",'la photo 2 plus lente',{'speed':{1:'-'}}),
    ("fr","story",'enlève la 2e photo',{'photos':[_B,_F]}),
    ("fr","story",'mets la photo 1 à la fin',{'photos':[_C,_F,_B]}),
    ("fr","story",'inverse les photos 2 et 3',{'photos':[_B,_F,_C]}),
    ("fr","story",'utilise cette photo à la place de la photo 3',{'new':True,'photos':[_B,_C,_N]}),
    ("fr","story",'insère cette photo entre la première et la deuxième',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("fr","story",'ajoute la légende « Bienvenue » sur la première photo',{'caption':{0:'Bienvenue'}}),
    ("fr","story",'un fondu enchaîné vers la photo 3',{'transition':{2:X}}),
    ("fr","story",'fondu au noir avant la photo 2',{'transition':{1:F}}),
    ("de","story",'gib Bild 2 eine Sekunde mehr',{'d':[3,4,3]}),
    ("de","story",'das 3. Foto ist zu lang',{'d':[3,3,1]}),
    ("de","story",'beim ersten Bild nach links schwenken',{'motion':{0:'pan_left'}}),
    ("de","story",'Foto 2 langsamer bitte',{'speed':{1:'-'}}),
    ("de","story",'lösch das 2. Bild',{'photos':[_B,_F]}),
    ("de","story",'verschiebe Foto 1 ans Ende',{'photos':[_C,_F,_B]}),
    ("de","story",'tausch Bild 2 und 3',{'photos':[_B,_F,_C]}),
    ("de","story",'nimm dieses Foto statt Foto 3',{'new':True,'photos':[_B,_C,_N]}),
    ("de","story",'füge dieses Foto zwischen dem ersten und dem zweiten ein',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("de","story",'Untertitel „Willkommen“ auf das erste Foto',{'caption':{0:'Willkommen'}}),
    ("de","story",'Überblendung zu Foto 3',{'transition':{2:X}}),
    ("de","story",'Schwarzblende vor dem zweiten Foto',{'transition':{1:F}}),
    ("de","story",'das zweite Foto mit Überblendung',{'transition':{1:X}}),
    ("ja","story",'2枚目をあと1秒長く',{'d':[3,4,3]}),
    ("ja","story",'3枚目が長すぎる',{'d':[3,3,1]}),
    ("ja","story",'1枚目を左にパンして',{'motion':{0:'pan_left'}}),
    ("ja","story",'写真2をゆっくりに',{'speed':{1:'-'}}),
    ("ja","story",'2番目の写真はいらない',{'photos':[_B,_F]}),
    ("ja","story",'1枚目を最後に移動',{'photos':[_C,_F,_B]}),
    ("ja","story",'写真2と3を入れ替えて',{'photos':[_B,_F,_C]}),
    ("ja","story",'3枚目をこの写真に差し替え',{'new':True,'photos':[_B,_C,_N]}),
    ("ja","story",'この写真を1枚目と2枚目の間に入れて',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("ja","story",'1枚目に字幕「ようこそ」を入れて',{'caption':{0:'ようこそ'}}),
    ("ja","story",'3枚目への切り替えをクロスフェードに',{'transition':{2:X}}),
    ("ja","story",'2枚目の前を暗転に',{'transition':{1:F}}),
    ("zh","story",'第二张照片用交叉淡化',{'transition':{1:X}}),
    ("fr","story",'la deuxième photo en fondu enchaîné',{'transition':{1:X}}),
    ("es","story",'la segunda foto con fundido encadenado',{'transition':{1:X}}),
    ("en","story",'the second photo with a crossfade',{'transition':{1:X}}),
    ("ja","story",'2枚目の写真をクロスフェードに',{'transition':{1:X}}),
    # a sixth batch (the cut into one photo named other ways, photos by file name, questions
    # that ask for an edit), written before its fixes: see test_story_corpus.py
    ("en","story",'change the transition of the second photo to a crossfade',{'transition':{1:X}}),
    ("en","story",'make the cut into photo 3 a fade',{'transition':{2:F}}),
    ("en","story",'the middle photo should dissolve in',{'transition':{1:X}}),
    ("en","story",'make the city photo 5 seconds',{'d':[3,5,3]}),
    ("en","story",'zoom into the last picture slowly',{'motion':{2:'zoom_in'},'speed':{2:'-'}}),
    ("en","story",'could you remove the beach photo?',{'photos':[_C,_F]}),
    ("en","story",'put the 3rd photo in position 2',{'photos':[_B,_F,_C]}),
    ("en","story",'shorten photo 1 by 1 second',{'d':[2,3,3]}),
    ("zh","story",'第二张照片的转场换成叠化',{'transition':{1:X}}),
    ("zh","story",'第三张照片换成黑场过渡',{'transition':{2:F}}),
    ("zh","story",'中间那张淡入淡出',{'transition':{1:F}}),
    ("zh","story",'city那张改成5秒',{'d':[3,5,3]}),
    ("zh","story",'最后一张照片慢慢推近',{'motion':{2:'zoom_in'},'speed':{2:'-'}}),
    ("zh","story",'能把beach那张删掉吗',{'photos':[_C,_F]}),
    ("zh","story",'把第3张移到第2个位置',{'photos':[_B,_F,_C]}),
    ("zh","story",'第1张缩短1秒',{'d':[2,3,3]}),
    ("es","story",'cambia la transición de la segunda foto a fundido encadenado',{'transition':{1:X}}),
    ("es","story",'pon un fundido en la foto 3',{'transition':{2:F}}),
    ("es","story",'la foto del medio con fundido a negro',{'transition':{1:F}}),
    ("es","story",'que la foto de city dure 5 segundos',{'d':[3,5,3]}),
    ("es","story",'acerca la cámara a la última foto',{'motion':{2:'zoom_in'}}),
    ("es","story",'¿puedes quitar la foto de beach?',{'photos':[_C,_F]}),
    ("es","story",'pon la tercera foto en la posición 2',{'photos':[_B,_F,_C]}),
    ("es","story",'acorta la foto 1 un segundo',{'d':[2,3,3]}),
    ("fr","story",'change la transition de la deuxième photo en fondu enchaîné',{'transition':{1:X}}),
    ("fr","story",'mets un fondu sur la photo 3',{'transition':{2:F}}),
    ("fr","story",'la photo du milieu en fondu au noir',{'transition':{1:F}}),
    ("fr","story",'la photo de city doit durer 5 secondes',{'d':[3,5,3]}),
    ("fr","story",'zoom avant lent sur la dernière photo',{'motion':{2:'zoom_in'},'speed':{2:'-'}}),
    ("fr","story",'tu peux supprimer la photo de beach ?',{'photos':[_C,_F]}),
    ("fr","story",'mets la troisième photo en position 2',{'photos':[_B,_F,_C]}),
    ("fr","story","raccourcis la photo 1 d'une seconde",{'d':[2,3,3]}),
    ("de","story",'ändere den Übergang beim zweiten Foto in eine Überblendung',{'transition':{1:X}}),
    ("de","story",'Foto 3 mit Schwarzblende',{'transition':{2:F}}),
    ("de","story",'beim dritten Foto abblenden',{'transition':{2:F}}),
    ("de","story",'das city-Foto 5 Sekunden',{'d':[3,5,3]}),
    ("de","story",'langsam ins letzte Foto reinzoomen',{'motion':{2:'zoom_in'},'speed':{2:'-'}}),
    ("de","story",'kannst du das beach-Foto löschen?',{'photos':[_C,_F]}),
    ("de","story",'stell das dritte Foto an Position 2',{'photos':[_B,_F,_C]}),
    ("de","story",'kürze Foto 1 um eine Sekunde',{'d':[2,3,3]}),
    ("ja","story",'2枚目のトランジションをクロスフェードに変えて',{'transition':{1:X}}),
    ("ja","story",'3枚目を暗転で',{'transition':{2:F}}),
    ("ja","story",'真ん中の写真をフェードにして',{'transition':{1:F}}),
    ("ja","story",'cityの写真を5秒にして',{'d':[3,5,3]}),
    ("ja","story",'最後の写真をゆっくりズームイン',{'motion':{2:'zoom_in'},'speed':{2:'-'}}),
    ("ja","story",'beachの写真を削除してくれる？',{'photos':[_C,_F]}),
    ("ja","story",'3枚目を2番目に移動して',{'photos':[_B,_F,_C]}),
    ("ja","story",'1枚目を1秒短くして',{'d':[2,3,3]}),
    # a seventh batch (other word orders: the photo first, the transition after; a new photo
    # put at a place), written before its fixes: see test_story_corpus.py
    ("en","story",'on photo 2, fade through black',{'transition':{1:F}}),
    ("en","story",'for the 2nd image use a crossfade',{'transition':{1:X}}),
    ("en","story",'the forest one should be 2 seconds shorter',{'d':[3,3,1]}),
    ("en","story",'make the last one pan up',{'motion':{2:'pan_up'}}),
    ("en","story",'replace picture 1 with the new one',{'new':True,'photos':[_N,_C,_F]}),
    ("en","story",'add the new photo as the 2nd one',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("en","story",'put photo 3 before photo 2',{'photos':[_B,_F,_C]}),
    ("en","story",'on the last photo write "Bye"',{'title':{2:'Bye'}}),
    ("zh","story",'第2张照片转场用淡入淡出',{'transition':{1:F}}),
    ("zh","story",'第二张图片改成叠化转场',{'transition':{1:X}}),
    ("zh","story",'forest那张短2秒',{'d':[3,3,1]}),
    ("zh","story",'最后那张镜头往上摇',{'motion':{2:'pan_up'}}),
    ("zh","story",'用新照片替换照片1',{'new':True,'photos':[_N,_C,_F]}),
    ("zh","story",'把这张照片放在第二个位置',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("zh","story",'把第三张放到第二张前面',{'photos':[_B,_F,_C]}),
    ("zh","story",'最后一张写上字幕“再见”',{'caption':{2:'再见'}}),
    ("es","story",'en la foto 2, fundido a negro',{'transition':{1:F}}),
    ("es","story",'para la 2ª imagen usa fundido encadenado',{'transition':{1:X}}),
    ("es","story",'la foto de forest 2 segundos más corta',{'d':[3,3,1]}),
    ("es","story",'que la última haga paneo hacia arriba',{'motion':{2:'pan_up'}}),
    ("es","story",'sustituye la imagen 1 por la nueva',{'new':True,'photos':[_N,_C,_F]}),
    ("es","story",'pon la foto nueva en la posición 2',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("es","story",'pon la foto 3 antes de la foto 2',{'photos':[_B,_F,_C]}),
    ("es","story",'en la última foto escribe "Adiós"',{'title':{2:'Adiós'}}),
    ("fr","story",'sur la photo 2, un fondu au noir',{'transition':{1:F}}),
    ("fr","story",'pour la 2e image, un fondu enchaîné',{'transition':{1:X}}),
    ("fr","story",'la photo de forest 2 secondes plus courte',{'d':[3,3,1]}),
    ("fr","story",'la dernière photo avec un panoramique vers le haut',{'motion':{2:'pan_up'}}),
    ("fr","story","remplace l'image 1 par la nouvelle",{'new':True,'photos':[_N,_C,_F]}),
    ("fr","story",'mets la nouvelle photo en position 2',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("fr","story",'mets la photo 3 avant la photo 2',{'photos':[_B,_F,_C]}),
    ("fr","story",'sur la dernière photo écris « Au revoir »',{'title':{2:'Au revoir'}}),
    ("de","story",'bei Foto 2 eine Abblende',{'transition':{1:F}}),
    ("de","story",'für das 2. Bild eine Überblendung',{'transition':{1:X}}),
    ("de","story",'das forest-Foto 2 Sekunden kürzer',{'d':[3,3,1]}),
    ("de","story",'beim letzten Bild nach oben schwenken',{'motion':{2:'pan_up'}}),
    ("de","story",'ersetze Bild 1 durch das neue',{'new':True,'photos':[_N,_C,_F]}),
    ("de","story",'setz das neue Foto an Position 2',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("de","story",'stell Foto 3 vor Foto 2',{'photos':[_B,_F,_C]}),
    ("de","story",'auf das letzte Foto „Tschüss“ als Untertitel',{'caption':{2:'Tschüss'}}),
    ("ja","story",'写真2はフェードで',{'transition':{1:F}}),
    ("ja","story",'2番目の画像はクロスフェードにして',{'transition':{1:X}}),
    ("ja","story",'forestの写真を2秒短く',{'d':[3,3,1]}),
    ("ja","story",'最後の写真はチルトアップで',{'motion':{2:'pan_up'}}),
    ("ja","story",'写真1を新しい写真に差し替えて',{'new':True,'photos':[_N,_C,_F]}),
    ("ja","story",'新しい写真を2番目に入れて',{'new':True,'photos':[_B,_N,_C,_F]}),
    ("ja","story",'3枚目を2枚目の前に移動して',{'photos':[_B,_F,_C]}),
    ("ja","story",'最後の写真に「またね」という字幕',{'caption':{2:'またね'}}),
    # an eighth batch ("without the second photo", a place with no verb, other word orders),
    # written before its fixes: see test_story_corpus.py
    ("en","story",'4s for the second photo',{'d':[3,4,3]}),
    ("en","story",'the video without the second photo',{'photos':[_B,_F]}),
    ("en","story",'make photo 3 the first one',{'photos':[_F,_B,_C]}),
    ("en","story",'speed up photo #1 a bit',{'speed':{0:'+'}}),
    ("en","story",'zoom out slowly on the 2nd pic',{'motion':{1:'zoom_out'},'speed':{1:'-'}}),
    ("en","story",'fade to black into photo 3',{'transition':{2:F}}),
    ("en","story",'crossfade between the first and second photos',{'transition':{1:X}}),
    ("en","story",'the first photo needs a title: "Intro"',{'title':{0:'Intro'}}),
    ("zh","story",'第二张4秒',{'d':[3,4,3]}),
    ("zh","story",'不要第二张照片了',{'photos':[_B,_F]}),
    ("zh","story",'第三张放第一个',{'photos':[_F,_B,_C]}),
    ("zh","story",'第1张加快一点',{'speed':{0:'+'}}),
    ("zh","story",'第2张慢慢拉远',{'motion':{1:'zoom_out'},'speed':{1:'-'}}),
    ("zh","story",'第三张照片前面加个黑场',{'transition':{2:F}}),
    ("zh","story",'第一张和第二张之间用叠化',{'transition':{1:X}}),
    ("zh","story",'第一张照片的标题是“开场”',{'title':{0:'开场'}}),
    ("es","story",'4 segundos para la segunda foto',{'d':[3,4,3]}),
    ("es","story",'el vídeo sin la segunda foto',{'photos':[_B,_F]}),
    ("es","story",'que la foto 3 sea la primera',{'photos':[_F,_B,_C]}),
    ("es","story",'acelera un poco la foto 1',{'speed':{0:'+'}}),
    ("es","story",'zoom hacia fuera lento en la 2ª foto',{'motion':{1:'zoom_out'},'speed':{1:'-'}}),
    ("es","story",'fundido a negro hacia la foto 3',{'transition':{2:F}}),
    ("es","story",'fundido encadenado entre la primera y la segunda foto',{'transition':{1:X}}),
    ("es","story",'la primera foto con el título "Intro"',{'title':{0:'Intro'}}),
    ("fr","story",'4 secondes pour la deuxième photo',{'d':[3,4,3]}),
    ("fr","story",'la vidéo sans la deuxième photo',{'photos':[_B,_F]}),
    ("fr","story",'la photo 3 en premier',{'photos':[_F,_B,_C]}),
    ("fr","story",'accélère un peu la photo 1',{'speed':{0:'+'}}),
    ("fr","story",'zoom arrière lent sur la 2e photo',{'motion':{1:'zoom_out'},'speed':{1:'-'}}),
    ("fr","story",'fondu au noir vers la photo 3',{'transition':{2:F}}),
    ("fr","story",'fondu enchaîné entre la première et la deuxième photo',{'transition':{1:X}}),
    ("fr","story",'la première photo avec le titre « Intro »',{'title':{0:'Intro'}}),
    ("de","story",'4 Sekunden für das zweite Foto',{'d':[3,4,3]}),
    ("de","story",'das Video ohne das zweite Foto',{'photos':[_B,_F]}),
    ("de","story",'Foto 3 als erstes',{'photos':[_F,_B,_C]}),
    ("de","story",'Foto 1 etwas schneller',{'speed':{0:'+'}}),
    ("de","story",'beim 2. Foto langsam rauszoomen',{'motion':{1:'zoom_out'},'speed':{1:'-'}}),
    ("de","story",'Schwarzblende zu Foto 3',{'transition':{2:F}}),
    ("de","story",'Überblendung zwischen dem ersten und dem zweiten Foto',{'transition':{1:X}}),
    ("de","story",'das erste Foto mit dem Titel „Intro“',{'title':{0:'Intro'}}),
    ("ja","story",'2枚目は4秒で',{'d':[3,4,3]}),
    ("ja","story",'2枚目の写真なしで',{'photos':[_B,_F]}),
    ("ja","story",'3枚目を最初にして',{'photos':[_F,_B,_C]}),
    ("ja","story",'1枚目を少し速く',{'speed':{0:'+'}}),
    ("ja","story",'2枚目をゆっくりズームアウト',{'motion':{1:'zoom_out'},'speed':{1:'-'}}),
    ("ja","story",'3枚目に暗転で切り替えて',{'transition':{2:F}}),
    ("ja","story",'1枚目と2枚目の間をクロスフェードに',{'transition':{1:X}}),
    ("ja","story",'1枚目にタイトル「イントロ」',{'title':{0:'イントロ'}}),
    # a ninth batch (a fade between two named photos, a new photo put at a place with no
    # verb, "Bild 3: ..."), written before its fixes: see test_story_corpus.py
    ("en","story",'shorten the 2nd photo to 2 seconds',{'d':[3,2,3]}),
    ("en","story",'picture #3: pan right',{'motion':{2:'pan_right'}}),
    ("en","story",'remove pic 1',{'photos':[_C,_F]}),
    ("en","story",'put the new photo first',{'new':True,'photos':[_N,_B,_C,_F]}),
    ("en","story",'fade between photo 2 and photo 3',{'transition':{2:F}}),
    ("en","story",'the 2nd photo should crossfade in',{'transition':{1:X}}),
    ("zh","story",'第二张缩短到2秒',{'d':[3,2,3]}),
    ("zh","story",'图3向右平移',{'motion':{2:'pan_right'}}),
    ("zh","story",'去掉图1',{'photos':[_C,_F]}),
    ("zh","story",'把新照片放在最前面',{'new':True,'photos':[_N,_B,_C,_F]}),
    ("zh","story",'第二张和第三张之间淡入淡出',{'transition':{2:F}}),
    ("zh","story",'第2张叠化进入',{'transition':{1:X}}),
    ("es","story",'acorta la 2ª foto a 2 segundos',{'d':[3,2,3]}),
    ("es","story",'imagen 3: paneo a la derecha',{'motion':{2:'pan_right'}}),
    ("es","story",'borra la imagen 1',{'photos':[_C,_F]}),
    ("es","story",'pon la nueva foto al principio',{'new':True,'photos':[_N,_B,_C,_F]}),
    ("es","story",'un fundido entre la foto 2 y la foto 3',{'transition':{2:F}}),
    ("es","story",'que la segunda foto entre con fundido encadenado',{'transition':{1:X}}),
    ("fr","story",'raccourcis la 2e photo à 2 secondes',{'d':[3,2,3]}),
    ("fr","story",'image 3 : panoramique à droite',{'motion':{2:'pan_right'}}),
    ("fr","story",'efface la photo 1',{'photos':[_C,_F]}),
    ("fr","story",'mets la nouvelle photo au début',{'new':True,'photos':[_N,_B,_C,_F]}),
    ("fr","story",'un fondu entre la photo 2 et la photo 3',{'transition':{2:F}}),
    ("fr","story",'la deuxième photo arrive en fondu enchaîné',{'transition':{1:X}}),
    ("de","story",'kürze das 2. Foto auf 2 Sekunden',{'d':[3,2,3]}),
    ("de","story",'Bild 3: Schwenk nach rechts',{'motion':{2:'pan_right'}}),
    ("de","story",'Bild 1 entfernen',{'photos':[_C,_F]}),
    ("de","story",'das neue Foto an den Anfang',{'new':True,'photos':[_N,_B,_C,_F]}),
    ("de","story",'eine Abblende zwischen Foto 2 und Foto 3',{'transition':{2:F}}),
    ("de","story",'das zweite Foto soll weich überblenden',{'transition':{1:X}}),
    ("ja","story",'2枚目を2秒に縮めて',{'d':[3,2,3]}),
    ("ja","story",'画像3は右にパン',{'motion':{2:'pan_right'}}),
    ("ja","story",'写真1を消して',{'photos':[_C,_F]}),
    ("ja","story",'新しい写真を先頭に入れて',{'new':True,'photos':[_N,_B,_C,_F]}),
    ("ja","story",'写真2と写真3の間をフェードに',{'transition':{2:F}}),
    ("ja","story",'2枚目はクロスフェードで入って',{'transition':{1:X}}),
    # a tenth batch (captions, half speed, photos by file name, replace the last one),
    # written before its fixes: see test_story_corpus.py
    ("en","story",'make picture 2 one second longer',{'d':[3,4,3]}),
    ("en","story",'write "Summer" under the 3rd photo',{'title':{2:'Summer'}}),
    ("en","story",'half speed on photo 1',{'speed':{0:'-'}}),
    ("en","story",'swap the beach photo and the forest photo',{'photos':[_F,_C,_B]}),
    ("en","story",'the 3rd pic should zoom in',{'motion':{2:'zoom_in'}}),
    ("en","story",'replace the last picture with this photo',{'new':True,'photos':[_B,_C,_N]}),
    ("zh","story",'第二张延长1秒',{'d':[3,4,3]}),
    ("zh","story",'第三张下面加字幕“夏天”',{'caption':{2:'夏天'}}),
    ("zh","story",'第一张半速',{'speed':{0:'-'}}),
    ("zh","story",'beach那张和forest那张交换',{'photos':[_F,_C,_B]}),
    ("zh","story",'第3张图推近',{'motion':{2:'zoom_in'}}),
    ("zh","story",'用这张照片替换最后一张',{'new':True,'photos':[_B,_C,_N]}),
    ("es","story",'alarga la imagen 2 un segundo',{'d':[3,4,3]}),
    ("es","story",'pon el subtítulo "Verano" en la 3ª foto',{'caption':{2:'Verano'}}),
    ("es","story",'la foto 1 a media velocidad',{'speed':{0:'-'}}),
    ("es","story",'intercambia la foto de beach y la foto de forest',{'photos':[_F,_C,_B]}),
    ("es","story",'zoom en la foto 3',{'motion':{2:'zoom_in'}}),
    ("es","story",'cambia la última imagen por esta foto',{'new':True,'photos':[_B,_C,_N]}),
    ("fr","story","allonge l'image 2 d'une seconde",{'d':[3,4,3]}),
    ("fr","story",'mets le sous-titre « Été » sur la 3e photo',{'caption':{2:'Été'}}),
    ("fr","story",'la photo 1 à mi-vitesse',{'speed':{0:'-'}}),
    ("fr","story",'échange la photo de beach et la photo de forest',{'photos':[_F,_C,_B]}),
    ("fr","story",'zoom avant sur la photo 3',{'motion':{2:'zoom_in'}}),
    ("fr","story",'remplace la dernière image par cette photo',{'new':True,'photos':[_B,_C,_N]}),
    ("de","story",'verlängere Bild 2 um eine Sekunde',{'d':[3,4,3]}),
    ("de","story",'Untertitel „Sommer“ unter das 3. Foto',{'caption':{2:'Sommer'}}),
    ("de","story",'Foto 1 mit halber Geschwindigkeit',{'speed':{0:'-'}}),
    ("de","story",'tausche das beach-Foto mit dem forest-Foto',{'photos':[_F,_C,_B]}),
    ("de","story",'bei Foto 3 reinzoomen',{'motion':{2:'zoom_in'}}),
    ("de","story",'ersetze das letzte Bild durch dieses Foto',{'new':True,'photos':[_B,_C,_N]}),
    ("ja","story",'写真2を1秒長くして',{'d':[3,4,3]}),
    ("ja","story",'3枚目に「夏」という字幕を入れて',{'caption':{2:'夏'}}),
    ("ja","story",'1枚目を半分の速さに',{'speed':{0:'-'}}),
    ("ja","story",'beachの写真とforestの写真を入れ替えて',{'photos':[_F,_C,_B]}),
    ("ja","story",'写真3をズームイン',{'motion':{2:'zoom_in'}}),
    ("ja","story",'最後の写真をこの写真に置き換えて',{'new':True,'photos':[_B,_C,_N]}),
    # an eleventh batch (a transition into one photo beside another edit, in one message)
    ("en","story",'fade into the second photo and make the last one longer',{'transition':{1:F},'d':[3,3,5]}),
    ("en","story",'crossfade into photo 3, then zoom in on photo 1',{'transition':{2:X},'motion':{0:'zoom_in'}}),
    ("en","story",'the 2nd photo: fade through black, 4 seconds',{'transition':{1:F},'d':[3,4,3]}),
    ("en","story",'remove photo 3 and crossfade into photo 2',{'photos':[_B,_C],'transition':{1:X}}),
    ("zh","story",'第二张照片淡入淡出，最后一张长一点',{'transition':{1:F},'d':[3,3,5]}),
    ("zh","story",'第三张用叠化，然后第一张推近',{'transition':{2:X},'motion':{0:'zoom_in'}}),
    ("zh","story",'第2张黑场过渡，4秒',{'transition':{1:F},'d':[3,4,3]}),
    ("zh","story",'删掉第三张，第二张用叠化',{'photos':[_B,_C],'transition':{1:X}}),
    ("es","story",'fundido a negro en la segunda foto y la última más larga',{'transition':{1:F},'d':[3,3,5]}),
    ("es","story",'fundido encadenado en la foto 3 y zoom en la foto 1',{'transition':{2:X},'motion':{0:'zoom_in'}}),
    ("es","story",'la 2ª foto con fundido a negro y 4 segundos',{'transition':{1:F},'d':[3,4,3]}),
    ("es","story",'quita la foto 3 y pon un fundido encadenado en la foto 2',{'photos':[_B,_C],'transition':{1:X}}),
    ("fr","story",'fondu au noir sur la deuxième photo et la dernière plus longue',{'transition':{1:F},'d':[3,3,5]}),
    ("fr","story",'fondu enchaîné sur la photo 3, puis zoom avant sur la photo 1',{'transition':{2:X},'motion':{0:'zoom_in'}}),
    ("fr","story",'la 2e photo en fondu au noir et 4 secondes',{'transition':{1:F},'d':[3,4,3]}),
    ("fr","story",'supprime la photo 3 et mets un fondu enchaîné sur la photo 2',{'photos':[_B,_C],'transition':{1:X}}),
    ("de","story",'Abblende beim zweiten Foto und das letzte länger',{'transition':{1:F},'d':[3,3,5]}),
    ("de","story",'Überblendung bei Foto 3, dann bei Foto 1 reinzoomen',{'transition':{2:X},'motion':{0:'zoom_in'}}),
    ("de","story",'das 2. Foto mit Schwarzblende und 4 Sekunden',{'transition':{1:F},'d':[3,4,3]}),
    ("de","story",'entferne Foto 3 und mach eine Überblendung bei Foto 2',{'photos':[_B,_C],'transition':{1:X}}),
    ("ja","story",'2枚目をフェードにして、最後の写真を長くして',{'transition':{1:F},'d':[3,3,5]}),
    ("ja","story",'3枚目をクロスフェードに、それから1枚目をズームイン',{'transition':{2:X},'motion':{0:'zoom_in'}}),
    ("ja","story",'2枚目は暗転で4秒',{'transition':{1:F},'d':[3,4,3]}),
    ("ja","story",'3枚目を削除して、2枚目をクロスフェードに',{'photos':[_B,_C],'transition':{1:X}}),
]  # fmt: skip
