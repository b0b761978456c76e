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

:data:`ROWS` were written before the grammar was tuned on them; those whose
stable hash falls in the held-out 30 % (:func:`held_out`) were never used for
tuning: the accuracy on them is the honest estimate (see bench/agent.py).
:data:`MORE_ROWS` were written afterwards to probe other phrasings and count
as tuned. :data:`ALL_ROWS` is both.
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


# Written after the first tuning round (probing other phrasings); all of them count as tuned.
MORE_ROWS: list[Row] = [
    ('en', 'full', 'could you turn it into a portrait video?', {'aspect': '9:16'}),
    ('en', 'full', '9 by 16 please', {'aspect': '9:16'}),
    ('en', 'full', 'I want it for youtube shorts', {'aspect': '9:16'}),
    ('en', 'full', 'make it an instagram post', {'aspect': '4:5'}),
    ('en', 'full', 'make it widescreen', {'aspect': '16:9'}),
    ('en', 'full', "let's go with a 1:1 ratio", {'aspect': '1:1'}),
    ('en', 'full', 'make the video 7 seconds', {'d': 7000}),
    ('en', 'full', 'shorten it to three seconds', {'d': 3000}),
    ('en', 'full', 'can it be a little longer?', {'d': '+'}),
    ('en', 'full', 'trim a couple of seconds off', {'d': 3000}),
    ('en', 'full', 'add 2 seconds', {'d': 7000}),
    ('en', 'full', 'zoom out slowly', {'motion': 'zoom_out', 'speed': '-'}),
    ('en', 'full', 'move the camera to the right', {'motion': 'pan_right'}),
    ('en', 'full', 'tilt the camera down', {'motion': 'pan_down'}),
    ('en', 'full', 'no camera movement please', {'motion': 'none'}),
    ('en', 'full', 'the motion is way too fast', {'speed': '-'}),
    ('en', 'full', 'speed it up', {'speed': '+'}),
    ('en', 'full', 'add some depth with a 3d effect', {'motion': 'parallax'}),
    ('en', 'full', 'circle around it', {'motion': 'orbit'}),
    ('en', 'bare', 'put some chill music on it', {'music': 'calm'}),
    ('en', 'bare', 'add background music', {'music': 'lo-fi'}),
    ('en', 'full', "I don't want any music", {'music': None}),
    ('en', 'full', 'turn the music up a bit', {'volume': '+'}),
    ('en', 'full', 'set volume to 20 percent', {'volume': 0.2}),
    ('en', 'full', 'make the music fade in', {'music_fade_in': '+'}),
    ('en', 'full', 'change the title to Big Sale', {'title': 'Big Sale'}),
    ('en', 'full', 'put the title in the middle', {'answer': True}),
    ('en', 'full', 'move the title to the bottom', {'title.position': 'bottom'}),
    ('en', 'full', 'make the heading smaller', {'title.size': '-'}),
    ('en', 'full', 'title in red', {'title.color': '#FF0000'}),
    ('en', 'full', 'delete the heading', {'title': None}),
    ('en', 'bare', 'add a caption that says Open daily', {'caption': 'Open daily'}),
    ('en', 'full', 'add subtitles: welcome home', {'caption': 'welcome home'}),
    ('en', 'full', 'end with a fade to black', {'fade_out': '+'}),
    ('en', 'full', '24fps please', {'fps': 24}),
    ('en', 'full', 'regenerate', {'regen': True}),
    ('en', 'full', 'give me another take', {'regen': True}),
    ('en', 'full', 'go back to the previous version', {'undo': True}),
    ('en', 'full', "what's the aspect ratio?", {'answer': True}),
    ('en', 'full', 'which styles of music can you do?', {'answer': True}),
    ('en', 'full', 'what does the title say?', {'answer': True}),
    ('en', 'full', 'thank you!', {'answer': True}),
    ('en', 'full', 'banana', {'ask': True}),
    ('en', 'bare', 'make it jazzy', {'music': 'lo-fi'}),
    ('en', 'full', 'make it 20s', {'d': 20000}),
    ('en', 'full', 'Make It Vertical', {'aspect': '9:16'}),
    ('en', 'full', 'hey, could you please make the clip a bit shorter?', {'d': '-'}),
    ('en', 'full', 'Make it 9:16 and add 2 more seconds', {'aspect': '9:16', 'd': 7000}),
    ('en', 'full', "I'd like the camera to slowly push in", {'motion': 'zoom_in', 'speed': '-'}),
    ('en', 'full', 'the pan feels slow', {'speed': '+'}),
    ('en', 'full', 'way too slow, speed up the movement', {'speed': '+'}),
    ('en', 'full', 'lower the volume of the music to 10%', {'volume': 0.1}),
    ('en', 'full', 'make the music quieter', {'volume': '-'}),
    ('en', 'full', 'turn off the music', {'music': None}),
    ('en', 'full', 'mute it', {'music': None}),
    ('en', 'full', 'replace the music with something more relaxing', {'music': 'calm'}),
    ('en', 'full', 'can we get some rock music instead', {'music': 'upbeat'}),
    ('en', 'full', 'Change the heading to “Winter Deals”', {'title': 'Winter Deals'}),
    ('en', 'full', 'the title should say Grand Opening', {'title': 'Grand Opening'}),
    ('en', 'full', 'put the title at the bottom of the screen', {'title.position': 'bottom'}),
    ('en', 'full', 'make the text white', {'answer': True}),
    ('en', 'full', 'make the title text blue', {'title.color': '#0000FF'}),
    ('en', 'full', 'increase the font size of the title', {'title.size': '+'}),
    ('en', 'full', 'add a fade out at the end of the video', {'fade_out': '+'}),
    ('en', 'full', 'set the frame rate to 25', {'fps': 25}),
    ('en', 'full', 'try a different version', {'regen': True}),
    ('en', 'full', 'revert the last change', {'undo': True}),
    ('en', 'full', 'how many seconds is the video?', {'answer': True}),
    ('en', 'full', 'is there music?', {'answer': True}),
    ('en', 'full', 'what styles do you have', {'answer': True}),
    ('en', 'full', 'ok cool', {'answer': True}),
    ('en', 'full', 'make it ten seconds long please', {'d': 10000}),
    ('en', 'full', 'make it longer by 4 seconds', {'d': 9000}),
    ('en', 'full', 'reduce it by two seconds', {'d': 3000}),
    ('en', 'full', 'zoom in on the face', {'motion': 'zoom_in'}),
    ('en', 'full', 'camera should move from right to left', {'motion': 'pan_left'}),
    ('en', 'full', 'static shot please', {'motion': 'none'}),
    ('en', 'full', 'ken burns effect', {'answer': True}),
    ('zh', 'full', '帮我改成9:16', {'aspect': '9:16'}),
    ('zh', 'full', '适合发抖音', {'aspect': '9:16'}),
    ('zh', 'full', '横版16:9', {'aspect': '16:9'}),
    ('zh', 'full', '改成1:1的', {'aspect': '1:1'}),
    ('zh', 'full', '时长改成十秒', {'d': 10000}),
    ('zh', 'full', '视频太短了', {'d': '+'}),
    ('zh', 'full', '再加两秒', {'d': 7000}),
    ('zh', 'full', '减少一秒', {'d': 4000}),
    ('zh', 'full', '镜头拉近一点', {'motion': 'zoom_in'}),
    ('zh', 'full', '镜头慢慢拉远', {'motion': 'zoom_out', 'speed': '-'}),
    ('zh', 'full', '镜头向右平移', {'motion': 'pan_right'}),
    ('zh', 'full', '镜头往下摇', {'motion': 'pan_down'}),
    ('zh', 'full', '运镜太快了', {'speed': '-'}),
    ('zh', 'full', '动效再快一些', {'speed': '+'}),
    ('zh', 'full', '加一个希区柯克变焦', {'motion': 'dolly'}),
    ('zh', 'bare', '配一段轻松的音乐', {'music': 'calm'}),
    ('zh', 'bare', '加背景音乐', {'music': 'lo-fi'}),
    ('zh', 'full', '把背景音乐关掉', {'music': None}),
    ('zh', 'full', '音乐大声一点', {'volume': '+'}),
    ('zh', 'full', '音乐开头淡入', {'music_fade_in': '+'}),
    ('zh', 'full', '标题换成“新品上市”', {'title': '新品上市'}),
    ('zh', 'full', '标题移到底部', {'title.position': 'bottom'}),
    ('zh', 'full', '标题小一点', {'title.size': '-'}),
    ('zh', 'full', '标题用黄色', {'title.color': '#FFFF00'}),
    ('zh', 'full', '把标题去掉', {'title': None}),
    ('zh', 'bare', '加字幕“谢谢观看”', {'caption': '谢谢观看'}),
    ('zh', 'full', '最后渐黑', {'fade_out': '+'}),
    ('zh', 'full', '60帧', {'fps': 60}),
    ('zh', 'full', '再来一版', {'regen': True}),
    ('zh', 'full', '恢复上一步', {'undo': True}),
    ('zh', 'full', '现在是什么比例？', {'answer': True}),
    ('zh', 'full', '这个视频适合发抖音吗？', {'answer': True}),
    ('zh', 'full', '谢谢', {'answer': True}),
    ('zh', 'full', '随便', {'ask': True}),
    ('zh', 'full', '能不能把视频改成竖屏的', {'aspect': '9:16'}),
    ('zh', 'full', '我想要5秒的', {'answer': True}),
    ('zh', 'full', '再加长三秒钟', {'d': 8000}),
    ('zh', 'full', '镜头推进得太慢了', {'speed': '+'}),
    ('zh', 'full', '来点摇滚音乐', {'music': 'upbeat'}),
    ('zh', 'full', '音量调到百分之三十', {'volume': 0.3}),
    ('zh', 'full', '把标题改为“限时优惠”', {'title': '限时优惠'}),
    ('zh', 'full', '标题放在上面', {'title.position': 'top'}),
    ('zh', 'full', '字幕改成白色', {'answer': True}),
    ('zh', 'full', '加一个3D视差的效果', {'motion': 'parallax'}),
    ('zh', 'full', '视频多少秒？', {'answer': True}),
    ('zh', 'full', '有哪些音乐风格？', {'answer': True}),
    ('zh', 'full', '这是什么音乐', {'answer': True}),
    ('zh', 'full', '换一首音乐', {'music': 'upbeat'}),
    ('es', 'full', 'en formato vertical por favor', {'aspect': '9:16'}),
    ('es', 'full', 'para TikTok', {'aspect': '9:16'}),
    ('es', 'full', 'ponlo cuadrado', {'aspect': '1:1'}),
    ('es', 'full', 'hazlo de 15 segundos', {'d': 15000}),
    ('es', 'full', 'más corto', {'d': '-'}),
    ('es', 'full', 'quítale dos segundos', {'d': 3000}),
    ('es', 'full', 'un zoom hacia dentro', {'motion': 'zoom_in'}),
    ('es', 'full', 'desliza la cámara hacia la derecha', {'motion': 'pan_right'}),
    ('es', 'full', 'cámara fija', {'motion': 'none'}),
    ('es', 'full', 'el zoom es demasiado lento', {'speed': '+'}),
    ('es', 'full', 'que gire alrededor del objeto', {'motion': 'orbit'}),
    ('es', 'bare', 'añade música épica', {'music': 'cinematic'}),
    ('es', 'full', 'quita la música', {'music': None}),
    ('es', 'full', 'sube el volumen de la música', {'volume': '+'}),
    ('es', 'full', 'pon el volumen al 50%', {'volume': 0.5}),
    ('es', 'full', 'el título que diga Gran Venta', {'title': 'Gran Venta'}),
    ('es', 'full', 'título abajo', {'title.position': 'bottom'}),
    ('es', 'full', 'título más grande', {'title.size': '+'}),
    ('es', 'full', 'el título en amarillo', {'title.color': '#FFFF00'}),
    ('es', 'bare', 'añade el texto "Hola a todos"', {'title': 'Hola a todos'}),
    ('es', 'full', 'fundido a negro al final', {'fade_out': '+'}),
    ('es', 'full', 'genera otra versión', {'regen': True}),
    ('es', 'full', 'vuelve a como estaba', {'undo': True}),
    ('es', 'full', '¿es suficientemente largo para un reel?', {'answer': True}),
    ('es', 'full', '¿qué estilos de música hay?', {'answer': True}),
    ('es', 'full', 'gracias', {'answer': True}),
    ('es', 'full', 'mmm', {'ask': True}),
    ('es', 'full', '¿puedes ponerlo en vertical?', {'aspect': '9:16'}),
    ('es', 'full', 'quiero que dure cinco segundos más', {'d': 10000}),
    ('es', 'full', 'la cámara se mueve muy rápido', {'speed': '-'}),
    ('es', 'full', 'ponle música relajante', {'music': 'calm'}),
    ('es', 'full', 'baja el volumen', {'volume': '-'}),
    ('es', 'full', 'cambia el título por «Rebajas»', {'title': 'Rebajas'}),
    ('es', 'full', 'pon el título en rojo', {'title.color': '#FF0000'}),
    ('es', 'full', 'elimina el título', {'title': None}),
    ('es', 'full', 'añade un efecto 3D', {'motion': 'parallax'}),
    ('es', 'full', '¿cuántos segundos dura?', {'answer': True}),
    ('es', 'full', '¿hay música?', {'answer': True}),
    ('es', 'full', 'hazlo más rápido', {'speed': '+'}),
    ('fr', 'full', 'format portrait', {'aspect': '9:16'}),
    ('fr', 'full', 'pour une story Instagram', {'aspect': '9:16'}),
    ('fr', 'full', "en 16:9 s'il te plaît", {'aspect': '16:9'}),
    ('fr', 'full', 'la vidéo doit faire 6 secondes', {'d': 6000}),
    ('fr', 'full', 'un peu plus courte', {'d': '-'}),
    ('fr', 'full', 'deux secondes de plus', {'d': 7000}),
    ('fr', 'full', 'rapproche la caméra', {'motion': 'zoom_in'}),
    ('fr', 'full', 'panoramique vers la gauche', {'motion': 'pan_left'}),
    ('fr', 'full', 'ne bouge pas la caméra', {'motion': 'none'}),
    ('fr', 'full', 'le mouvement est trop lent', {'speed': '+'}),
    ('fr', 'full', 'ralentis le zoom', {'speed': '-'}),
    ('fr', 'full', 'effet 3D avec de la profondeur', {'motion': 'parallax'}),
    ('fr', 'bare', 'ajoute une musique joyeuse', {'music': 'upbeat'}),
    ('fr', 'full', 'pas de musique', {'music': None}),
    ('fr', 'full', 'baisse la musique', {'volume': '-'}),
    ('fr', 'full', 'change le titre en Grande Vente', {'title': 'Grande Vente'}),
    ('fr', 'full', 'titre en haut', {'title.position': 'top'}),
    ('fr', 'full', 'le titre en jaune', {'title.color': '#FFFF00'}),
    ('fr', 'full', 'enlève le titre', {'title': None}),
    ('fr', 'bare', 'ajoute le sous-titre « Merci »', {'caption': 'Merci'}),
    ('fr', 'full', 'termine par un fondu au noir', {'fade_out': '+'}),
    ('fr', 'full', 'refais-la avec une nouvelle prise', {'regen': True}),
    ('fr', 'full', 'reviens en arrière', {'undo': True}),
    ('fr', 'full', 'elle dure combien de temps ?', {'answer': True}),
    ('fr', 'full', 'quels styles de musique as-tu ?', {'answer': True}),
    ('fr', 'full', 'merci beaucoup', {'answer': True}),
    ('fr', 'full', 'bof', {'ask': True}),
    ('fr', 'full', 'tu peux la mettre en vertical ?', {'aspect': '9:16'}),
    ('fr', 'full', 'mets-la à dix secondes', {'d': 10000}),
    ('fr', 'full', 'le mouvement de caméra est trop rapide', {'speed': '-'}),
    ('fr', 'full', 'mets une musique relaxante', {'music': 'calm'}),
    ('fr', 'full', 'coupe la musique', {'music': None}),
    ('fr', 'full', 'le titre doit dire « Nouveautés »', {'title': 'Nouveautés'}),
    ('fr', 'full', 'mets le titre au centre', {'answer': True}),
    ('fr', 'full', 'titre plus petit', {'title.size': '-'}),
    ('fr', 'full', 'il y a de la musique ?', {'answer': True}),
    ('fr', 'full', 'elle est assez longue pour un reel ?', {'answer': True}),
    ('fr', 'full', 'fais un zoom arrière', {'motion': 'zoom_out'}),
    ('de', 'full', 'im Hochformat bitte', {'aspect': '9:16'}),
    ('de', 'full', 'für TikTok', {'aspect': '9:16'}),
    ('de', 'full', '16:9 bitte', {'aspect': '16:9'}),
    ('de', 'full', 'mach das Video 12 Sekunden lang', {'d': 12000}),
    ('de', 'full', 'kürzer bitte', {'d': '-'}),
    ('de', 'full', 'drei Sekunden mehr', {'d': 8000}),
    ('de', 'full', 'rauszoomen', {'motion': 'zoom_out'}),
    ('de', 'full', 'langsam reinzoomen', {'motion': 'zoom_in', 'speed': '-'}),
    ('de', 'full', 'Kameraschwenk nach rechts', {'motion': 'pan_right'}),
    ('de', 'full', 'ohne Bewegung', {'motion': 'none'}),
    ('de', 'full', 'die Bewegung ist zu schnell', {'speed': '-'}),
    ('de', 'full', 'mach es schneller', {'speed': '+'}),
    ('de', 'full', 'Parallaxe-Effekt bitte', {'motion': 'parallax'}),
    ('de', 'bare', 'füge fröhliche Musik hinzu', {'music': 'upbeat'}),
    ('de', 'full', 'Musik weg', {'music': None}),
    ('de', 'full', 'Musik lauter', {'volume': '+'}),
    ('de', 'full', 'Titel ändern auf Großer Sale', {'title': 'Großer Sale'}),
    ('de', 'full', 'Titel unten', {'title.position': 'bottom'}),
    ('de', 'full', 'Titel größer', {'title.size': '+'}),
    ('de', 'full', 'Titel in Gelb', {'title.color': '#FFFF00'}),
    ('de', 'bare', 'Untertitel: Danke fürs Zuschauen', {'caption': 'Danke fürs Zuschauen'}),
    ('de', 'full', 'am Ende schwarz ausblenden', {'fade_out': '+'}),
    ('de', 'full', 'noch mal neu generieren', {'regen': True}),
    ('de', 'full', 'mach das rückgängig', {'undo': True}),
    ('de', 'full', 'ist das Video lang genug für ein Reel?', {'answer': True}),
    ('de', 'full', 'welche Musikstile gibt es?', {'answer': True}),
    ('de', 'full', 'danke!', {'answer': True}),
    ('de', 'full', 'äh', {'ask': True}),
    ('de', 'full', 'kannst du es quadratisch machen?', {'aspect': '1:1'}),
    ('de', 'full', 'mach es fünf Sekunden länger', {'d': 10000}),
    ('de', 'full', 'die Kamera bewegt sich zu langsam', {'speed': '+'}),
    ('de', 'full', 'füge entspannte Musik hinzu', {'music': 'calm'}),
    ('de', 'full', 'mach die Musik aus', {'music': None}),
    ('de', 'full', 'der Titel soll Herbst Sale heißen', {'title': 'Herbst Sale'}),
    ('de', 'full', 'Titel in die Mitte', {'answer': True}),
    ('de', 'full', 'Text kleiner', {'title.size': '-'}),
    ('de', 'full', 'gibt es Musik?', {'answer': True}),
    ('de', 'full', 'zoom langsam raus', {'motion': 'zoom_out', 'speed': '-'}),
    ('de', 'full', 'Tiefenwirkung hinzufügen', {'motion': 'parallax'}),
    ('ja', 'full', '9:16にして', {'aspect': '9:16'}),
    ('ja', 'full', 'TikTok用にして', {'aspect': '9:16'}),
    ('ja', 'full', '横長にして', {'aspect': '16:9'}),
    ('ja', 'full', 'スクエアにして', {'aspect': '1:1'}),
    ('ja', 'full', '長さを8秒にして', {'d': 8000}),
    ('ja', 'full', '短くして', {'d': '-'}),
    ('ja', 'full', '2秒追加して', {'d': 7000}),
    ('ja', 'full', 'ゆっくりズームアウト', {'motion': 'zoom_out', 'speed': '-'}),
    ('ja', 'full', 'カメラを右にパン', {'motion': 'pan_right'}),
    ('ja', 'full', '動きを止めて', {'motion': 'none'}),
    ('ja', 'full', '動きが速すぎる', {'speed': '-'}),
    ('ja', 'full', 'もっと速く', {'speed': '+'}),
    ('ja', 'full', '3D効果をつけて', {'motion': 'parallax'}),
    ('ja', 'bare', '落ち着いた音楽を追加して', {'music': 'calm'}),
    ('ja', 'full', 'BGMなしで', {'music': None}),
    ('ja', 'full', '音楽をもっと大きく', {'volume': '+'}),
    ('ja', 'full', 'タイトルを「新商品」にして', {'title': '新商品'}),
    ('ja', 'full', 'タイトルを下に', {'title.position': 'bottom'}),
    ('ja', 'full', 'タイトルを小さく', {'title.size': '-'}),
    ('ja', 'full', 'タイトルを赤にして', {'title.color': '#FF0000'}),
    ('ja', 'full', 'タイトルを削除', {'title': None}),
    ('ja', 'bare', '字幕「ありがとう」を追加', {'caption': 'ありがとう'}),
    ('ja', 'full', '最後は黒にフェードアウト', {'fade_out': '+'}),
    ('ja', 'full', 'もう一度生成して', {'regen': True}),
    ('ja', 'full', '取り消して', {'undo': True}),
    ('ja', 'full', '何秒の動画？', {'answer': True}),
    ('ja', 'full', 'どんな音楽スタイルがある？', {'answer': True}),
    ('ja', 'full', 'ありがとう', {'answer': True}),
    ('ja', 'full', 'えーと', {'ask': True}),
    ('ja', 'full', '縦にして', {'aspect': '9:16'}),
    ('ja', 'full', '５秒長くして', {'d': 10000}),
    ('ja', 'full', 'カメラの動きが遅い', {'speed': '+'}),
    ('ja', 'full', 'リラックスできる音楽にして', {'music': 'calm'}),
    ('ja', 'full', 'BGMを止めて', {'music': None}),
    ('ja', 'full', 'タイトルを「夏祭り」に変えて', {'title': '夏祭り'}),
    ('ja', 'full', 'タイトルを中央に', {'answer': True}),
    ('ja', 'full', '文字を大きく', {'title.size': '+'}),
    ('ja', 'full', '音楽は入ってる？', {'answer': True}),
    ('ja', 'full', 'リールに使える長さ？', {'answer': True}),
    ('ja', 'full', 'ゆっくりズームイン', {'motion': 'zoom_in', 'speed': '-'}),
    ('ja', 'full', '奥行きのある動きにして', {'motion': 'parallax'}),
    ('en', 'full', 'please make the video longer', {'d': '+'}),
    ('en', 'full', 'can you shorten it by 2 seconds?', {'d': 3000}),
    ('en', 'full', 'I want it to be 6 seconds', {'d': 6000}),
    ('en', 'full', 'make it 15 sec', {'d': 15000}),
    ('en', 'full', 'zoom out instead', {'motion': 'zoom_out'}),
    ('en', 'full', 'pan up', {'motion': 'pan_up'}),
    ('en', 'full', 'move the camera left to right', {'motion': 'pan_right'}),
    ('en', 'full', 'no motion at all', {'motion': 'none'}),
    ('en', 'full', 'slow the camera down a little', {'speed': '-'}),
    ('en', 'full', 'make the movement faster', {'speed': '+'}),
    ('en', 'full', 'add a parallax effect', {'motion': 'parallax'}),
    ('en', 'full', "I'd love some depth, like a 3D photo", {'motion': 'parallax'}),
    ('en', 'bare', 'add happy music', {'music': 'upbeat'}),
    ('en', 'bare', 'add some soft piano in the background', {'music': 'calm'}),
    ('en', 'full', 'use cinematic music', {'music': 'cinematic'}),
    ('en', 'full', 'no music please', {'music': None}),
    ('en', 'full', 'lower the music', {'volume': '-'}),
    ('en', 'full', 'music a bit louder', {'volume': '+'}),
    ('en', 'full', 'fade out the music', {'music_fade_out': '+'}),
    ('en', 'full', "set the title to 'Hello World'", {'title': 'Hello World'}),
    ('en', 'bare', 'add a title: Summer Vibes', {'title': 'Summer Vibes'}),
    ('en', 'full', 'move the caption up', {'answer': True}),
    ('en', 'full', 'put the title at the top and make it bigger', {'title.position': 'top', 'title.size': '+'}),
    ('en', 'full', 'change the title color to white', {'answer': True}),
    ('en', 'full', 'get rid of the title', {'title': None}),
    ('en', 'full', 'make it vertical, 10 seconds, with calm music', {'aspect': '9:16', 'd': 10000, 'music': 'calm'}),
    ('en', 'full', 'fade out to black', {'fade_out': '+'}),
    ('en', 'full', 'make it 30fps', {'answer': True}),
    ('en', 'full', 'make another one', {'regen': True}),
    ('en', 'full', 'undo the last change', {'undo': True}),
    ('en', 'full', "what's the current length?", {'answer': True}),
    ('en', 'full', 'which music are you using?', {'answer': True}),
    ('en', 'full', 'what can you do?', {'answer': True}),
    ('zh', 'full', '把时长改为12秒', {'d': 12000}),
    ('zh', 'full', '缩短两秒钟', {'d': 3000}),
    ('zh', 'full', '镜头从右往左移动', {'motion': 'pan_left'}),
    ('zh', 'full', '画面保持不动', {'motion': 'none'}),
    ('zh', 'full', '加点空间感，做成立体的', {'motion': 'parallax'}),
    ('zh', 'bare', '加一段钢琴曲', {'music': 'calm'}),
    ('zh', 'full', '音乐换成电影感的', {'music': 'cinematic'}),
    ('zh', 'full', '音乐太吵了', {'volume': '-'}),
    ('zh', 'full', '标题文字改成“欢迎光临”', {'title': '欢迎光临'}),
    ('zh', 'full', '标题往上移', {'title.position': 'top'}),
    ('zh', 'full', '改成竖屏，10秒，加欢快音乐', {'aspect': '9:16', 'd': 10000, 'music': 'upbeat'}),
    ('zh', 'full', '结尾加个黑场淡出', {'fade_out': '+'}),
    ('zh', 'full', '再生成一次', {'regen': True}),
    ('zh', 'full', '退回上一步', {'undo': True}),
    ('zh', 'full', '音乐是什么风格的？', {'answer': True}),
    ('es', 'full', 'que sea más largo', {'d': '+'}),
    ('es', 'full', 'quiero que dure ocho segundos', {'d': 8000}),
    ('es', 'full', 'zoom hacia fuera', {'motion': 'zoom_out'}),
    ('es', 'full', 'la cámara de derecha a izquierda', {'motion': 'pan_left'}),
    ('es', 'full', 'sin zoom, imagen fija', {'motion': 'none'}),
    ('es', 'full', 'más lento el movimiento', {'speed': '-'}),
    ('es', 'bare', 'ponle una canción pop', {'music': 'upbeat'}),
    ('es', 'full', 'música más baja', {'volume': '-'}),
    ('es', 'full', 'cambia el título a "Feliz Navidad"', {'title': 'Feliz Navidad'}),
    ('es', 'full', 'el título en la parte de abajo', {'title.position': 'bottom'}),
    ('es', 'full', 'vertical, 10 segundos y música tranquila', {'aspect': '9:16', 'd': 10000, 'music': 'calm'}),
    ('es', 'full', 'otra versión por favor', {'regen': True}),
    ('es', 'full', 'deshacer', {'undo': True}),
    ('es', 'full', '¿qué formato tiene?', {'answer': True}),
    ('fr', 'full', 'fais-la plus longue', {'d': '+'}),
    ('fr', 'full', 'enlève deux secondes', {'d': 3000}),
    ('fr', 'full', 'zoome sur le visage', {'motion': 'zoom_in'}),
    ('fr', 'full', 'déplace la caméra de gauche à droite', {'motion': 'pan_right'}),
    ('fr', 'full', 'pas de mouvement de caméra', {'motion': 'none'}),
    ('fr', 'full', 'accélère le mouvement', {'speed': '+'}),
    ('fr', 'bare', 'mets du jazz en fond', {'music': 'lo-fi'}),
    ('fr', 'full', 'musique plus forte', {'volume': '+'}),
    ('fr', 'full', "remplace le titre par « Promo d'hiver »", {'title': "Promo d'hiver"}),
    ('fr', 'full', 'le titre en haut et plus gros', {'title.position': 'top', 'title.size': '+'}),
    ('fr', 'full', 'en vertical, 10 secondes, musique calme', {'aspect': '9:16', 'd': 10000, 'music': 'calm'}),
    ('fr', 'full', 'une autre version stp', {'regen': True}),
    ('fr', 'full', 'annule', {'undo': True}),
    ('fr', 'full', "c'est quoi le format ?", {'answer': True}),
    ('de', 'full', 'länger machen', {'d': '+'}),
    ('de', 'full', 'zwei Sekunden kürzer bitte', {'d': 3000}),
    ('de', 'full', 'heranzoomen', {'motion': 'zoom_in'}),
    ('de', 'full', 'Kamera von rechts nach links', {'motion': 'pan_left'}),
    ('de', 'full', 'Kamera soll stillstehen', {'motion': 'none'}),
    ('de', 'full', 'schnellere Bewegung', {'speed': '+'}),
    ('de', 'bare', 'Jazz im Hintergrund', {'music': 'lo-fi'}),
    ('de', 'full', 'Musik etwas leiser', {'volume': '-'}),
    ('de', 'full', 'Titel: Winterschlussverkauf', {'title': 'Winterschlussverkauf'}),
    ('de', 'full', 'Titel oben und größer', {'title.position': 'top', 'title.size': '+'}),
    ('de', 'full', 'hochkant, 10 Sekunden, ruhige Musik', {'aspect': '9:16', 'd': 10000, 'music': 'calm'}),
    ('de', 'full', 'eine neue Version bitte', {'regen': True}),
    ('de', 'full', 'zurücksetzen', {'undo': True}),
    ('de', 'full', 'was für ein Format hat das Video?', {'answer': True}),
    ('ja', 'full', 'もっと長くして', {'d': '+'}),
    ('ja', 'full', '２秒短くして', {'d': 3000}),
    ('ja', 'full', '寄っていく感じで', {'motion': 'zoom_in'}),
    ('ja', 'full', 'カメラを左から右に動かして', {'motion': 'pan_right'}),
    ('ja', 'full', '動きなしで', {'motion': 'none'}),
    ('ja', 'full', 'もう少しゆっくり', {'speed': '-'}),
    ('ja', 'bare', 'ピアノのBGMを入れて', {'music': 'calm'}),
    ('ja', 'full', 'BGMを少し小さく', {'volume': '-'}),
    ('ja', 'full', 'タイトルは「冬のセール」で', {'title': '冬のセール'}),
    ('ja', 'full', 'タイトルを上にして大きく', {'title.position': 'top', 'title.size': '+'}),
    ('ja', 'full', '縦長、10秒、落ち着いた音楽で', {'aspect': '9:16', 'd': 10000, 'music': 'calm'}),
    ('ja', 'full', '別のバージョンを作って', {'regen': True}),
    ('ja', 'full', 'さっきの変更を取り消して', {'undo': True}),
    ('ja', 'full', '今のアスペクト比は？', {'answer': True}),
    ('en', 'full', 'format it for Reels', {'aspect': '9:16'}),
    ('en', 'full', "I'm posting it on Instagram", {'aspect': '4:5'}),
    ('en', 'full', 'make it half a minute long', {'d': 30000}),
    ('en', 'full', 'one minute please', {'d': 60000}),
    ('en', 'full', 'twenty seconds', {'d': 20000}),
    ('en', 'full', 'a few seconds longer', {'d': 8000}),
    ('en', 'full', 'add a second', {'d': 6000}),
    ('en', 'full', 'make the zoom slower', {'speed': '-'}),
    ('en', 'full', 'pan across from left to right slowly', {'motion': 'pan_right', 'speed': '-'}),
    ('en', 'full', 'the caption should be yellow', {'answer': True}),
    ('en', 'full', 'title font bigger please', {'title.size': '+'}),
    ('en', 'full', 'fade it to black at the end please', {'fade_out': '+'}),
    ('en', 'full', 'start with a fade in from black', {'fade_in': '+'}),
    ('zh', 'full', '做成小红书的比例', {'aspect': '4:5'}),
    ('zh', 'full', '适合快手', {'aspect': '9:16'}),
    ('zh', 'full', '十五秒', {'d': 15000}),
    ('zh', 'full', '１０秒', {'d': 10000}),
    ('zh', 'full', '多加五秒', {'d': 10000}),
    ('zh', 'full', '镜头慢一点', {'speed': '-'}),
    ('zh', 'full', '标题改成白色的', {'answer': True}),
    ('zh', 'full', '开头从黑场淡入', {'fade_in': '+'}),
    ('es', 'full', 'para Reels de Instagram', {'aspect': '9:16'}),
    ('es', 'full', 'para YouTube Shorts', {'aspect': '9:16'}),
    ('es', 'full', 'veinte segundos', {'d': 20000}),
    ('es', 'full', 'tres segundos menos', {'d': 2000}),
    ('es', 'full', 'un minuto', {'d': 60000}),
    ('es', 'full', 'cámara lenta', {'speed': '-'}),
    ('es', 'full', 'título en verde', {'title.color': '#008000'}),
    ('fr', 'full', 'pour les Reels', {'aspect': '9:16'}),
    ('fr', 'full', 'format YouTube', {'aspect': '16:9'}),
    ('fr', 'full', 'quinze secondes', {'d': 15000}),
    ('fr', 'full', 'trois secondes de moins', {'d': 2000}),
    ('fr', 'full', 'une minute', {'d': 60000}),
    ('fr', 'full', 'titre en rouge', {'title.color': '#FF0000'}),
    ('fr', 'full', 'la musique un peu moins forte', {'volume': '-'}),
    ('de', 'full', 'für YouTube Shorts', {'aspect': '9:16'}),
    ('de', 'full', 'für Instagram Reels', {'aspect': '9:16'}),
    ('de', 'full', 'zwölf Sekunden', {'d': 12000}),
    ('de', 'full', 'drei Sekunden weniger', {'d': 2000}),
    ('de', 'full', 'eine Minute lang', {'d': 60000}),
    ('de', 'full', 'Titel in Weiß', {'answer': True}),
    ('de', 'full', 'Titel blau', {'title.color': '#0000FF'}),
    ('ja', 'full', 'リール用', {'aspect': '9:16'}),
    ('ja', 'full', 'YouTubeショート向けに', {'aspect': '9:16'}),
    ('ja', 'full', '十秒にして', {'d': 10000}),
    ('ja', 'full', '１０秒にして', {'d': 10000}),
    ('ja', 'full', '3秒減らして', {'d': 2000}),
    ('ja', 'full', '1分にして', {'d': 60000}),
    ('ja', 'full', 'タイトルを青に', {'title.color': '#0000FF'}),
    ('ja', 'full', '最初は黒からフェードイン', {'fade_in': '+'}),
]  # fmt: skip


ALL_ROWS: list[Row] = ROWS + MORE_ROWS


def held_out(row: Row) -> bool:
    """True for the ~30 % of the first rows never used for tuning (stable across machines)."""
    if row in MORE_ROWS:
        return False
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
