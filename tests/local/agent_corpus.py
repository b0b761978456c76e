"""A corpus of edit requests in six languages, judged by documented draft fields and credits.

Each row is ``(language, base, message, expected)``. ``base`` names the draft
the message is sent to (``full``: a 5 s clip of an 800x600 photo in its
original aspect, Ken Burns at speed 1.0, 30 fps, lo-fi music at 35 % and the
title "Summer Sale"; ``bare``: the same clip without music or text).
``expected`` names the fields of docs/draft.md that must change and how:

- a value: the field must equal it (``None``: the track/text is gone);
- ``"+"`` / ``"-"``: the field must grow / shrink;
- ``answer`` / ``ask``: a reply (or an ``ask_question`` call) and nothing else;
- ``regen``: a new paid generation; ``undo``: the previous draft comes back.

Every field not named must stay as it was, and the credits must be right:
an edit costs the edit price, a (re)generation the generation price, a
question, chat or clarifying question nothing.

The rows were written before the grammar was tuned on them. Rows whose
stable hash falls in :data:`HELD_OUT` were never used for tuning: the
accuracy on them is the honest estimate (see bench/agent.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Row = tuple[str, str, str, dict[str, Any]]
COST_GENERATE = 100
COST_EDIT = 50
HELD_OUT_PERCENT = 30

ROWS: list[Row] = [
    # --- English ------------------------------------------------------------------
    ("en", "full", "make it vertical for tiktok", {"aspect": "9:16"}),
    ("en", "full", "can you make this square please", {"aspect": "1:1"}),
    ("en", "full", "switch to landscape", {"aspect": "16:9"}),
    ("en", "full", "I need it for an Instagram story", {"aspect": "9:16"}),
    ("en", "full", "format it for a YouTube video", {"aspect": "16:9"}),
    ("en", "full", "make it 12 seconds long", {"d": 12000}),
    ("en", "full", "extend it a bit", {"d": "+"}),
    ("en", "full", "cut it by a second", {"d": 4000}),
    ("en", "full", "add three more seconds", {"d": 8000}),
    ("en", "full", "it's too long, make it shorter", {"d": "-"}),
    ("en", "full", "push in on the subject", {"motion": "zoom_in"}),
    ("en", "full", "pull back to reveal the whole scene", {"motion": "zoom_out"}),
    ("en", "full", "slide the camera from the left", {"motion": "pan_right"}),
    ("en", "full", "pan to the left", {"motion": "pan_left"}),
    ("en", "full", "tilt up slowly", {"motion": "pan_up", "speed": "-"}),
    ("en", "full", "keep the camera completely still", {"motion": "none"}),
    ("en", "full", "this zoom is sluggish, pick up the pace", {"speed": "+"}),
    ("en", "full", "it drags a bit", {"speed": "+"}),
    ("en", "full", "give it a parallax 3D look", {"motion": "parallax"}),
    ("en", "full", "do a dolly zoom", {"motion": "dolly"}),
    ("en", "full", "orbit around the subject", {"motion": "orbit"}),
    ("en", "bare", "something bluesy in the background", {"music": "lo-fi"}),
    ("en", "full", "swap the music for something epic", {"music": "cinematic"}),
    ("en", "full", "get rid of the music", {"music": None}),
    ("en", "full", "music volume to 60%", {"volume": 0.6}),
    ("en", "full", "the music is too loud", {"volume": "-"}),
    ("en", "full", "fade the music out at the end", {"music_fade_out": "+"}),
    ("en", "full", "rename the heading to Fall Deals", {"title": "Fall Deals"}),
    ("en", "full", "title at the top please", {"title.position": "top"}),
    ("en", "full", "add a caption saying hi", {"caption": "hi"}),
    ("en", "full", "make the title bigger and yellow", {"title.size": "+", "title.color": "#FFFF00"}),
    ("en", "full", "remove the title", {"title": None}),
    ("en", "full", "fade to black at the end", {"fade_out": "+"}),
    ("en", "full", "render it at 60 fps", {"fps": 60}),
    ("en", "full", "do it again with a fresh take", {"regen": True}),
    ("en", "full", "undo that", {"undo": True}),
    ("en", "full", "how long is it?", {"answer": True}),
    ("en", "full", "is this video long enough for a reel?", {"answer": True}),
    ("en", "full", "what music is on the video?", {"answer": True}),
    ("en", "full", "do you have other styles?", {"answer": True}),
    ("en", "full", "hmm not sure", {"ask": True}),
    ("en", "bare", "add some upbeat pop music", {"music": "upbeat"}),
    ("en", "full", "make it five seconds longer", {"d": 10000}),
    ("en", "bare", 'change the caption to "See you soon"', {"caption": "See you soon"}),
    # --- Chinese ------------------------------------------------------------------
    ("zh", "full", "改成竖屏", {"aspect": "9:16"}),
    ("zh", "full", "做成抖音的尺寸", {"aspect": "9:16"}),
    ("zh", "full", "发B站用，改成横屏吧", {"aspect": "16:9"}),
    ("zh", "full", "我要发小红书", {"aspect": "4:5"}),
    ("zh", "full", "弄成正方形", {"aspect": "1:1"}),
    ("zh", "full", "视频改成8秒", {"d": 8000}),
    ("zh", "full", "再长一点", {"d": "+"}),
    ("zh", "full", "缩短一秒", {"d": 4000}),
    ("zh", "full", "加三秒", {"d": 8000}),
    ("zh", "full", "镜头往后拉", {"motion": "zoom_out"}),
    ("zh", "full", "镜头从左往右移", {"motion": "pan_right"}),
    ("zh", "full", "向左平移", {"motion": "pan_left"}),
    ("zh", "full", "镜头向上摇", {"motion": "pan_up"}),
    ("zh", "full", "不要运镜，保持静止", {"motion": "none"}),
    ("zh", "full", "这个推镜头太慢了，快一点", {"speed": "+"}),
    ("zh", "full", "节奏有点拖", {"speed": "+"}),
    ("zh", "full", "动作慢一点", {"speed": "-"}),
    ("zh", "full", "加个视差效果", {"motion": "parallax"}),
    ("zh", "full", "做成3D效果", {"motion": "parallax"}),
    ("zh", "full", "环绕拍摄", {"motion": "orbit"}),
    ("zh", "bare", "加点爵士风的背景音乐", {"music": "lo-fi"}),
    ("zh", "full", "换成欢快的音乐", {"music": "upbeat"}),
    ("zh", "full", "不要音乐了", {"music": None}),
    ("zh", "full", "音量调到50%", {"volume": 0.5}),
    ("zh", "full", "音乐声音小一点", {"volume": "-"}),
    ("zh", "full", "音乐结尾淡出", {"music_fade_out": "+"}),
    ("zh", "full", "标题改成秋季大促", {"title": "秋季大促"}),
    ("zh", "full", "标题放到顶部", {"title.position": "top"}),
    ("zh", "full", "加个字幕：欢迎光临", {"caption": "欢迎光临"}),
    ("zh", "full", "标题大一点，改成红色", {"title.size": "+", "title.color": "#FF0000"}),
    ("zh", "full", "删除标题", {"title": None}),
    ("zh", "full", "结尾淡出到黑场", {"fade_out": "+"}),
    ("zh", "full", "帧率改成24帧", {"fps": 24}),
    ("zh", "full", "重新生成一个", {"regen": True}),
    ("zh", "full", "撤销", {"undo": True}),
    ("zh", "full", "视频多长？", {"answer": True}),
    ("zh", "full", "现在配的是什么音乐？", {"answer": True}),
    ("zh", "full", "还有别的音乐风格吗？", {"answer": True}),
    ("zh", "full", "嗯……", {"ask": True}),
    ("zh", "full", "换个史诗感的配乐", {"music": "cinematic"}),
    # --- Spanish ------------------------------------------------------------------
    ("es", "full", "ponlo en vertical", {"aspect": "9:16"}),
    ("es", "full", "hazlo para una historia de Instagram", {"aspect": "9:16"}),
    ("es", "full", "formato cuadrado, por favor", {"aspect": "1:1"}),
    ("es", "full", "lo quiero horizontal para YouTube", {"aspect": "16:9"}),
    ("es", "full", "que dure 10 segundos", {"d": 10000}),
    ("es", "full", "alárgalo un poco", {"d": "+"}),
    ("es", "full", "acórtalo un segundo", {"d": 4000}),
    ("es", "full", "añade dos segundos más", {"d": 7000}),
    ("es", "full", "es demasiado largo", {"d": "-"}),
    ("es", "full", "acerca la cámara", {"motion": "zoom_in"}),
    ("es", "full", "aleja la cámara", {"motion": "zoom_out"}),
    ("es", "full", "mueve la cámara de izquierda a derecha", {"motion": "pan_right"}),
    ("es", "full", "paneo hacia la izquierda", {"motion": "pan_left"}),
    ("es", "full", "inclina la cámara hacia abajo", {"motion": "pan_down"}),
    ("es", "full", "sin movimiento, que quede estática", {"motion": "none"}),
    ("es", "full", "el movimiento va muy lento, dale más ritmo", {"speed": "+"}),
    ("es", "full", "más despacio, por favor", {"speed": "-"}),
    ("es", "full", "ponle efecto de profundidad 3D", {"motion": "parallax"}),
    ("es", "full", "haz un efecto vértigo", {"motion": "dolly"}),
    ("es", "bare", "pon música de jazz de fondo", {"music": "lo-fi"}),
    ("es", "full", "cambia la música por algo más alegre", {"music": "upbeat"}),
    ("es", "full", "sin música por favor", {"music": None}),
    ("es", "full", "baja la música", {"volume": "-"}),
    ("es", "full", "volumen de la música al 20%", {"volume": 0.2}),
    ("es", "full", "que la música entre con un fundido de entrada", {"music_fade_in": "+"}),
    ("es", "full", "cambia el título a Ofertas de Otoño", {"title": "Ofertas de Otoño"}),
    ("es", "full", "pon el título arriba", {"title.position": "top"}),
    ("es", "full", "añade un subtítulo que diga «Hasta pronto»", {"caption": "Hasta pronto"}),
    ("es", "full", "el título más pequeño y en azul", {"title.size": "-", "title.color": "#0000FF"}),
    ("es", "full", "quita el título", {"title": None}),
    ("es", "full", "termina con un fundido a negro", {"fade_out": "+"}),
    ("es", "full", "ponlo a 24 fotogramas por segundo", {"fps": 24}),
    ("es", "full", "hazlo de nuevo, otra toma", {"regen": True}),
    ("es", "full", "deshaz el último cambio", {"undo": True}),
    ("es", "full", "¿cuánto dura el vídeo?", {"answer": True}),
    ("es", "full", "¿qué música tiene?", {"answer": True}),
    ("es", "full", "¿tienes otros estilos de música?", {"answer": True}),
    ("es", "full", "no sé", {"ask": True}),
    ("es", "bare", "pon música tranquila y relajante", {"music": "calm"}),
    # --- French -------------------------------------------------------------------
    ("fr", "full", "passe-la en vertical", {"aspect": "9:16"}),
    ("fr", "full", "format TikTok stp", {"aspect": "9:16"}),
    ("fr", "full", "mets-la en carré", {"aspect": "1:1"}),
    ("fr", "full", "en paysage pour YouTube", {"aspect": "16:9"}),
    ("fr", "full", "fais-la durer 8 secondes", {"d": 8000}),
    ("fr", "full", "rallonge-la un peu", {"d": "+"}),
    ("fr", "full", "raccourcis d'une seconde", {"d": 4000}),
    ("fr", "full", "ajoute trois secondes", {"d": 8000}),
    ("fr", "full", "c'est trop long", {"d": "-"}),
    ("fr", "full", "éloigne la caméra", {"motion": "zoom_out"}),
    ("fr", "full", "zoom avant sur le visage", {"motion": "zoom_in"}),
    ("fr", "full", "un panoramique de droite à gauche", {"motion": "pan_left"}),
    ("fr", "full", "fais glisser la caméra vers la droite", {"motion": "pan_right"}),
    ("fr", "full", "caméra vers le haut", {"motion": "pan_up"}),
    ("fr", "full", "plan fixe, sans mouvement", {"motion": "none"}),
    ("fr", "full", "ça traîne, accélère un peu", {"speed": "+"}),
    ("fr", "full", "le zoom est trop rapide", {"speed": "-"}),
    ("fr", "full", "ajoute un effet de parallaxe", {"motion": "parallax"}),
    ("fr", "full", "fais tourner la caméra autour du sujet", {"motion": "orbit"}),
    ("fr", "bare", "mets une musique douce", {"music": "calm"}),
    ("fr", "full", "je veux une musique plus entraînante", {"music": "upbeat"}),
    ("fr", "full", "enlève la musique", {"music": None}),
    ("fr", "full", "monte le son", {"volume": "+"}),
    ("fr", "full", "mets le volume de la musique à 80 %", {"volume": 0.8}),
    ("fr", "full", "fondu de sortie sur la musique", {"music_fade_out": "+"}),
    ("fr", "full", "renomme le titre en Soldes d'automne", {"title": "Soldes d'automne"}),
    ("fr", "full", "mets le titre en bas", {"title.position": "bottom"}),
    ("fr", "full", "ajoute une légende « À bientôt »", {"caption": "À bientôt"}),
    ("fr", "full", "titre plus grand s'il te plaît", {"title.size": "+"}),
    ("fr", "full", "supprime le titre", {"title": None}),
    ("fr", "full", "fondu au noir à la fin", {"fade_out": "+"}),
    ("fr", "full", "passe à 60 images par seconde", {"fps": 60}),
    ("fr", "full", "régénère la vidéo", {"regen": True}),
    ("fr", "full", "annule la dernière modification", {"undo": True}),
    ("fr", "full", "combien de temps dure la vidéo ?", {"answer": True}),
    ("fr", "full", "quelle musique il y a ?", {"answer": True}),
    ("fr", "full", "tu as d'autres styles ?", {"answer": True}),
    ("fr", "full", "euh je sais pas", {"ask": True}),
    ("fr", "bare", "une musique épique en fond", {"music": "cinematic"}),
    # --- German -------------------------------------------------------------------
    ("de", "full", "bitte quadratisch machen", {"aspect": "1:1"}),
    ("de", "full", "mach es hochkant", {"aspect": "9:16"}),
    ("de", "full", "fürs Querformat bitte", {"aspect": "16:9"}),
    ("de", "full", "als Instagram-Story", {"aspect": "9:16"}),
    ("de", "full", "auf 10 Sekunden", {"d": 10000}),
    ("de", "full", "etwas länger bitte", {"d": "+"}),
    ("de", "full", "eine Sekunde kürzer", {"d": 4000}),
    ("de", "full", "zwei Sekunden länger", {"d": 7000}),
    ("de", "full", "das ist zu lang", {"d": "-"}),
    ("de", "full", "zoom näher ran", {"motion": "zoom_in"}),
    ("de", "full", "fahr die Kamera zurück", {"motion": "zoom_out"}),
    ("de", "full", "Kamera von links nach rechts bewegen", {"motion": "pan_right"}),
    ("de", "full", "schwenk nach links", {"motion": "pan_left"}),
    ("de", "full", "Kamera nach unten neigen", {"motion": "pan_down"}),
    ("de", "full", "keine Kamerabewegung, statisch", {"motion": "none"}),
    ("de", "full", "der Zoom ist zu lahm, mach schneller", {"speed": "+"}),
    ("de", "full", "langsamer bitte", {"speed": "-"}),
    ("de", "full", "mit Tiefeneffekt in 3D", {"motion": "parallax"}),
    ("de", "full", "Dolly-Zoom bitte", {"motion": "dolly"}),
    ("de", "bare", "füge ruhige Klaviermusik hinzu", {"music": "calm"}),
    ("de", "full", "andere Musik, etwas Fröhliches", {"music": "upbeat"}),
    ("de", "full", "ohne Musik bitte", {"music": None}),
    ("de", "full", "Musik leiser", {"volume": "-"}),
    ("de", "full", "Lautstärke auf 40 %", {"volume": 0.4}),
    ("de", "full", "Musik am Anfang einblenden", {"music_fade_in": "+"}),
    ("de", "full", "ändere den Titel in Herbstangebote", {"title": "Herbstangebote"}),
    ("de", "full", "Titel nach oben verschieben", {"title.position": "top"}),
    ("de", "full", "füge einen Untertitel „Bis bald“ hinzu", {"caption": "Bis bald"}),
    ("de", "full", "den Titel kleiner und rot", {"title.size": "-", "title.color": "#FF0000"}),
    ("de", "full", "Titel entfernen", {"title": None}),
    ("de", "full", "am Ende ins Schwarze ausblenden", {"fade_out": "+"}),
    ("de", "full", "mit 24 Bildern pro Sekunde", {"fps": 24}),
    ("de", "full", "bitte neu generieren", {"regen": True}),
    ("de", "full", "rückgängig machen", {"undo": True}),
    ("de", "full", "wie lang ist das Video?", {"answer": True}),
    ("de", "full", "welche Musik läuft da?", {"answer": True}),
    ("de", "full", "gibt es noch andere Stile?", {"answer": True}),
    ("de", "full", "hmm keine Ahnung", {"ask": True}),
    ("de", "bare", "epische Musik im Hintergrund", {"music": "cinematic"}),
    # --- Japanese -----------------------------------------------------------------
    ("ja", "full", "インスタのストーリー用にして", {"aspect": "9:16"}),
    ("ja", "full", "縦長にしてください", {"aspect": "9:16"}),
    ("ja", "full", "正方形にして", {"aspect": "1:1"}),
    ("ja", "full", "YouTube用に横長で", {"aspect": "16:9"}),
    ("ja", "full", "10秒にして", {"d": 10000}),
    ("ja", "full", "もう少し長くして", {"d": "+"}),
    ("ja", "full", "1秒短くして", {"d": 4000}),
    ("ja", "full", "あと3秒伸ばして", {"d": 8000}),
    ("ja", "full", "長すぎるので短くして", {"d": "-"}),
    ("ja", "full", "ズームインして", {"motion": "zoom_in"}),
    ("ja", "full", "カメラを引いて", {"motion": "zoom_out"}),
    ("ja", "full", "左から右にパンして", {"motion": "pan_right"}),
    ("ja", "full", "右から左へ動かして", {"motion": "pan_left"}),
    ("ja", "full", "チルトアップで", {"motion": "pan_up"}),
    ("ja", "full", "カメラは固定で動かさないで", {"motion": "none"}),
    ("ja", "full", "ズームがもたもたしてる、テンポよくして", {"speed": "+"}),
    ("ja", "full", "動きをもっとゆっくりに", {"speed": "-"}),
    ("ja", "full", "視差効果をつけて", {"motion": "parallax"}),
    ("ja", "full", "被写体の周りをぐるっと回って", {"motion": "orbit"}),
    ("ja", "bare", "ジャズっぽいBGMを入れて", {"music": "lo-fi"}),
    ("ja", "full", "明るい曲に変えて", {"music": "upbeat"}),
    ("ja", "full", "音楽を消して", {"music": None}),
    ("ja", "full", "BGMの音量を下げて", {"volume": "-"}),
    ("ja", "full", "音量を70%に", {"volume": 0.7}),
    ("ja", "full", "曲の最後をフェードアウトして", {"music_fade_out": "+"}),
    ("ja", "full", "タイトルを「秋のセール」に変更して", {"title": "秋のセール"}),
    ("ja", "full", "タイトルを上に移動して", {"title.position": "top"}),
    ("ja", "full", "「またね」という字幕を追加", {"caption": "またね"}),
    ("ja", "full", "タイトルを大きくして", {"title.size": "+"}),
    ("ja", "full", "タイトルを消して", {"title": None}),
    ("ja", "full", "最後に暗転させて", {"fade_out": "+"}),
    ("ja", "full", "60fpsにして", {"fps": 60}),
    ("ja", "full", "作り直して", {"regen": True}),
    ("ja", "full", "元に戻して", {"undo": True}),
    ("ja", "full", "動画の長さは？", {"answer": True}),
    ("ja", "full", "何の曲が流れてる？", {"answer": True}),
    ("ja", "full", "他の音楽スタイルはありますか？", {"answer": True}),
    ("ja", "full", "うーん", {"ask": True}),
    ("ja", "bare", "壮大な感じの音楽を追加", {"music": "cinematic"}),
]  # fmt: skip


def held_out(row: Row) -> bool:
    """True for the ~30 % of rows never used for tuning (stable across runs and machines)."""
    digest = hashlib.sha256(f"{row[0]}|{row[2]}".encode()).digest()
    return digest[0] * 100 // 256 < HELD_OUT_PERCENT


def snapshot(draft: dict[str, Any] | None) -> dict[str, Any]:
    """The documented fields of a draft (docs/draft.md) that the corpus judges."""
    draft = draft or {}
    meta = draft.get("m", {})
    tracks = draft.get("t", [])
    video = [s for t in tracks if t.get("tt") == 0 for s in t.get("sg", [])]
    music = [s for t in tracks if t.get("tt") == 1 for s in t.get("sg", [])]
    texts = [s for t in tracks if t.get("tt") == 7 for s in t.get("sg", [])]
    out: dict[str, Any] = {
        "id": draft.get("id"),
        "aspect": meta.get("aspect"),
        "fps": meta.get("fps"),
        "fit": meta.get("fit"),
        "d": max((int(s.get("st", 0)) + int(s.get("d", 0)) for s in video), default=0),
        "motion": video[0].get("motion") if video else None,
        "speed": float(video[0].get("speed", 1.0)) if video else None,
        "fade_in": int(video[0].get("fade_in", 0)) if video else 0,
        "fade_out": int(video[-1].get("fade_out", 0)) if video else 0,
        "music": music[0].get("style") if music else None,
        "volume": float(music[0].get("volume", 0.35)) if music else None,
        "music_fade_in": int(music[0].get("fade_in", 0)) if music else None,
        "music_fade_out": int(music[0].get("fade_out", 0)) if music else None,
    }
    for role in ("title", "caption"):
        seg = next((s for s in texts if s.get("role", "title") == role), None)
        out[role] = seg.get("text") if seg else None
        for key in ("position", "size", "color"):
            out[f"{role}.{key}"] = seg.get(key) if seg else None
    return out


@dataclass(frozen=True)
class Outcome:
    """What a turn did, in the terms the corpus judges."""

    before: dict[str, Any]
    after: dict[str, Any]
    cost: int
    asked: bool  # an ask_question call
    replied: bool  # some text reached the user
    previous: dict[str, Any] | None = None  # the draft before ``before`` (what undo restores)


def judge(expected: dict[str, Any], out: Outcome) -> str | None:
    """``None`` when the outcome is what ``expected`` asks, else what is wrong."""
    if expected.get("answer") or expected.get("ask"):
        if out.after != out.before or out.cost != 0:
            return f"changed or charged: cost {out.cost}"
        if expected.get("ask") and not out.asked:
            return "no ask_question"
        if expected.get("answer") and (out.asked or not out.replied):
            return "asked instead of answering" if out.asked else "no reply"
        return None
    if expected.get("regen"):
        if out.cost != COST_GENERATE or out.after["id"] == out.before["id"]:
            return f"not a new generation: cost {out.cost}"
        return None
    if expected.get("undo"):
        if out.cost != COST_EDIT or out.after != out.previous:
            return f"not undone: cost {out.cost}"
        return None
    problems = []
    if out.cost != COST_EDIT:
        problems.append(f"cost {out.cost} != {COST_EDIT}")
    # A track that comes or goes brings or takes its own fields (defaults are not judged).
    born_or_gone = {
        k
        for k in ("music", "title", "caption")
        if (out.before[k] is None) != (out.after[k] is None)
    }
    for key, before in out.before.items():
        if key.split(".")[0] in born_or_gone and key not in ("music", "title", "caption"):
            continue
        if "music" in born_or_gone and key in ("volume", "music_fade_in", "music_fade_out"):
            continue
        after = out.after.get(key)
        want = expected.get(key, before)
        if want == "+":
            ok = after is not None and before is not None and after > before
        elif want == "-":
            ok = after is not None and before is not None and after < before
        elif isinstance(want, float):
            ok = after is not None and abs(float(after) - want) < 1e-6
        else:
            ok = after == want
        if not ok:
            problems.append(f"{key}: {before!r} -> {after!r}, want {want!r}")
    return "; ".join(problems) or None


Runner = Callable[[Row], Outcome]


def _image() -> Any:
    from nemo_skill.local.store import StoredFile

    return StoredFile("s", "u", "0" * 64, "photo.jpg", "image", 1000, 800, 600)


def _plan(text: str, draft: dict[str, Any] | None, language: str = "en") -> Any:
    from nemo_skill.local import agent

    return agent.plan_turn(
        text,
        draft,
        [_image()],
        cost_generate=COST_GENERATE,
        cost_edit=COST_EDIT,
        long_side=320,
        source_url=lambda f: f"file:///photos/{f.name}",
        language=language,
    )


def bases() -> dict[str, tuple[dict[str, Any], dict[str, Any] | None]]:
    """``name -> (draft, the draft before it)``, built through the agent itself."""
    clip = _plan("animate this photo", None).new_draft
    full = _plan('add lo-fi music and the title "Summer Sale"', clip).new_draft
    return {"full": (full, clip), "bare": (clip, None)}


def run_plan(row: Row, built: dict[str, tuple[dict[str, Any], dict[str, Any] | None]]) -> Outcome:
    """The fast path: the agent's real turn decision (what ``/run_sse`` runs) on a built draft."""
    language, base, text, _ = row
    draft, previous = built[base]
    plan = _plan(text, draft, language)
    if plan.kind in ("generate", "edit"):
        after = plan.new_draft
    elif plan.kind == "undo":
        after = previous
    else:
        after = draft
    return Outcome(
        before=snapshot(draft),
        after=snapshot(after),
        cost=plan.cost,
        asked=plan.kind == "ask",
        replied=bool(plan.reply),
        previous=snapshot(previous),
    )


def accuracy(rows: list[Row]) -> tuple[dict[str, tuple[int, int]], list[tuple[Row, str]]]:
    """``language -> (passed, total)`` and the failures, over ``rows`` (fast path)."""
    built = bases()
    scores: dict[str, tuple[int, int]] = {}
    failures: list[tuple[Row, str]] = []
    for row in rows:
        problem = judge(row[3], run_plan(row, built))
        passed, total = scores.get(row[0], (0, 0))
        scores[row[0]] = (passed + (problem is None), total + 1)
        if problem is not None:
            failures.append((row, problem))
    return scores, failures
