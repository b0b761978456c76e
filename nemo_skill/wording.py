"""The skill's own reply words in the six languages it answers in (en zh es fr de ja).

What the skill says itself, rather than passes on from the backend: the sentences
that describe a draft diff (a turn that closed without text), the labels of the
suggested next steps and the CLI's "Next:" heading. One table per kind of text, one
row per language; a language outside the six (or none) is worded in English. The
backend's own wording is translated elsewhere (:mod:`nemo_skill.gui`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

LANGUAGES: Final = ("en", "zh", "es", "fr", "de", "ja")


def language(code: str | None) -> str:
    """``code`` when the skill speaks it, else ``en``."""
    return code if code in LANGUAGES else "en"


# Nouns and field names, as they appear inside a sentence.
WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "Video": {"zh": "视频", "es": "Vídeo", "fr": "Vidéo", "de": "Video", "ja": "動画"},
    "Music": {"zh": "音乐", "es": "Música", "fr": "Musique", "de": "Musik", "ja": "音楽"},
    "Audio": {"zh": "音频", "es": "Audio", "fr": "Audio", "de": "Audio", "ja": "音声"},
    "Title": {"zh": "标题", "es": "Título", "fr": "Titre", "de": "Titel", "ja": "タイトル"},
    "Caption": {"zh": "字幕", "es": "Subtítulo", "fr": "Légende", "de": "Untertitel",
                "ja": "キャプション"},
    "Text": {"zh": "文字", "es": "Texto", "fr": "Texte", "de": "Text", "ja": "テキスト"},
    "Timeline": {"zh": "时间线", "es": "Línea de tiempo", "fr": "Timeline", "de": "Zeitleiste",
                 "ja": "タイムライン"},
    "Aspect ratio": {"zh": "画面比例", "es": "Relación de aspecto", "fr": "Format",
                     "de": "Seitenverhältnis", "ja": "アスペクト比"},
    "Resolution": {"zh": "分辨率", "es": "Resolución", "fr": "Résolution", "de": "Auflösung",
                   "ja": "解像度"},
    "Frame rate": {"zh": "帧率", "es": "Fotogramas por segundo", "fr": "Cadence",
                   "de": "Bildrate", "ja": "フレームレート"},
    "Fit": {"zh": "适配方式", "es": "Encaje", "fr": "Cadrage", "de": "Einpassung",
            "ja": "フィット"},
    "Project title": {"zh": "项目标题", "es": "Título del proyecto", "fr": "Titre du projet",
                      "de": "Projekttitel", "ja": "プロジェクト名"},
    "volume": {"zh": "音量", "es": "volumen", "fr": "volume", "de": "Lautstärke", "ja": "音量"},
    "duration": {"zh": "时长", "es": "duración", "fr": "durée", "de": "Dauer", "ja": "長さ"},
    "motion": {"zh": "运动效果", "es": "movimiento", "fr": "mouvement", "de": "Bewegung",
               "ja": "動き"},
    "motion speed": {"zh": "运动速度", "es": "velocidad", "fr": "vitesse", "de": "Tempo",
                     "ja": "動きの速さ"},
    "transition": {"zh": "转场", "es": "transición", "fr": "transition", "de": "Übergang",
                   "ja": "トランジション"},
    "position": {"zh": "位置", "es": "posición", "fr": "position", "de": "Position",
                 "ja": "位置"},
    "text size": {"zh": "字号", "es": "tamaño del texto", "fr": "taille du texte",
                  "de": "Textgröße", "ja": "文字サイズ"},
    "colour": {"zh": "颜色", "es": "color", "fr": "couleur", "de": "Farbe", "ja": "色"},
    "fade-in": {"zh": "淡入", "es": "fundido de entrada", "fr": "fondu d'entrée",
                "de": "Einblendung", "ja": "フェードイン"},
    "fade-out": {"zh": "淡出", "es": "fundido de salida", "fr": "fondu de sortie",
                 "de": "Ausblendung", "ja": "フェードアウト"},
    "role": {"zh": "类型", "es": "tipo", "fr": "rôle", "de": "Rolle", "ja": "種類"},
    "none": {"zh": "无", "es": "ninguno", "fr": "aucun", "de": "keiner", "ja": "なし"},
    "background music": {"zh": "背景音乐", "es": "música de fondo", "fr": "musique de fond",
                         "de": "Hintergrundmusik", "ja": "BGM"},
    "audio": {"zh": "音频", "es": "audio", "fr": "audio", "de": "Audio", "ja": "音声"},
    # The labels of the suggested next steps (delivery.STEP_LABELS).
    "Export the MP4": {"zh": "导出 MP4", "es": "Exportar el MP4", "fr": "Exporter le MP4",
                       "de": "MP4 exportieren", "ja": "MP4 を書き出す"},
    "Add music": {"zh": "添加音乐", "es": "Añadir música", "fr": "Ajouter de la musique",
                  "de": "Musik hinzufügen", "ja": "音楽を追加する"},
    "Add a title": {"zh": "添加标题", "es": "Añadir un título", "fr": "Ajouter un titre",
                    "de": "Einen Titel hinzufügen", "ja": "タイトルを追加する"},
    "Make it vertical for phones": {"zh": "改成手机竖屏", "es": "Hacerlo vertical para móviles",
                                    "fr": "Le passer en vertical pour mobile",
                                    "de": "Hochformat fürs Handy", "ja": "スマホ向けに縦長にする"},
    "Make it longer": {"zh": "加长视频", "es": "Hacerlo más largo", "fr": "Le rallonger",
                       "de": "Länger machen", "ja": "長くする"},
    "Change the motion or pace": {"zh": "调整运动或节奏", "es": "Cambiar el movimiento o el ritmo",
                                  "fr": "Changer le mouvement ou le rythme",
                                  "de": "Bewegung oder Tempo ändern", "ja": "動きやテンポを変える"},
    "Open the project in the web app": {"zh": "在网页版中打开项目",
                                        "es": "Abrir el proyecto en la aplicación web",
                                        "fr": "Ouvrir le projet dans l'application web",
                                        "de": "Projekt in der Web-App öffnen",
                                        "ja": "Web アプリでプロジェクトを開く"},
    "Animate another image": {"zh": "为另一张图片生成动画", "es": "Animar otra imagen",
                              "fr": "Animer une autre image", "de": "Ein weiteres Bild animieren",
                              "ja": "別の画像をアニメーションにする"},
}  # fmt: skip

# Sentences and phrases with ``{placeholders}``; English is the first entry of each row.
SENTENCES: Final[Mapping[str, Mapping[str, str]]] = {
    # <what> is a phrase below (a photo, a clip, music, a title).
    "added": {
        "en": "Added {what}.",
        "zh": "已添加{what}。",
        "es": "Añadido: {what}.",
        "fr": "Ajouté : {what}.",
        "de": "Hinzugefügt: {what}.",
        "ja": "{what}を追加しました。",
    },
    "removed": {
        "en": "Removed {what}.",
        "zh": "已删除{what}。",
        "es": "Eliminado: {what}.",
        "fr": "Supprimé : {what}.",
        "de": "Entfernt: {what}.",
        "ja": "{what}を削除しました。",
    },
    "changed": {
        "en": "{what} changed from {old} to {new}.",
        "zh": "{what}已从 {old} 改为 {new}。",
        "es": "{what}: de {old} a {new}.",
        "fr": "{what} : de {old} à {new}.",
        "de": "{what}: von {old} auf {new}.",
        "ja": "{what}を {old} から {new} に変更しました。",
    },
    "set": {
        "en": "{what} set to {new}.",
        "zh": "{what}已设为 {new}。",
        "es": "{what}: ahora {new}.",
        "fr": "{what} : réglé sur {new}.",
        "de": "{what}: jetzt {new}.",
        "ja": "{what}を {new} に設定しました。",
    },
    "unset": {
        "en": "{what} removed (was {old}).",
        "zh": "{what}已移除（原为 {old}）。",
        "es": "{what}: eliminado (era {old}).",
        "fr": "{what} : supprimé (était {old}).",
        "de": "{what}: entfernt (war {old}).",
        "ja": "{what}を削除しました（元は {old}）。",
    },
    "moved": {
        "en": "{what} moved from {old} to {new}.",
        "zh": "{what}已从 {old} 移到 {new}。",
        "es": "{what} pasa de {old} a {new}.",
        "fr": "{what} passe de {old} à {new}.",
        "de": "{what} verschoben von {old} auf {new}.",
        "ja": "{what}を {old} から {new} に移動しました。",
    },
    "lasts": {
        "en": "{what} now lasts {new} (was {old}).",
        "zh": "{what}现在持续 {new}（原为 {old}）。",
        "es": "{what} ahora dura {new} (antes {old}).",
        "fr": "{what} dure maintenant {new} (avant {old}).",
        "de": "{what} dauert jetzt {new} (vorher {old}).",
        "ja": "{what}の長さは {new} になりました（元は {old}）。",
    },
    "replaced": {
        "en": "Photo {n} now shows {new} (was {old}).",
        "zh": "第 {n} 张照片现在是 {new}（原为 {old}）。",
        "es": "La foto {n} ahora muestra {new} (antes {old}).",
        "fr": "La photo {n} montre maintenant {new} (avant {old}).",
        "de": "Foto {n} zeigt jetzt {new} (vorher {old}).",
        "ja": "{n}枚目の写真は {new} になりました（元は {old}）。",
    },
    # A field of a subject: "Video motion", "beach.jpg (photo 2) transition".
    "field": {
        "en": "{what} {field}",
        "zh": "{what}的{field}",
        "es": "{what}, {field}",
        "fr": "{what}, {field}",
        "de": "{what}, {field}",
        "ja": "{what}の{field}",
    },
    # One photo of several, by name and place.
    "photo": {
        "en": "Photo {n} ({name})",
        "zh": "第 {n} 张照片（{name}）",
        "es": "La foto {n} ({name})",
        "fr": "La photo {n} ({name})",
        "de": "Foto {n} ({name})",
        "ja": "{n}枚目の写真（{name}）",
    },
    "photo_added": {
        "en": "photo {n}: {name} ({span})",
        "zh": "第 {n} 张照片：{name}（{span}）",
        "es": "la foto {n}: {name} ({span})",
        "fr": "la photo {n} : {name} ({span})",
        "de": "Foto {n}: {name} ({span})",
        "ja": "{n}枚目の写真 {name}（{span}）",
    },
    "photo_removed": {
        "en": "photo {n} ({name})",
        "zh": "第 {n} 张照片（{name}）",
        "es": "la foto {n} ({name})",
        "fr": "la photo {n} ({name})",
        "de": "Foto {n} ({name})",
        "ja": "{n}枚目の写真（{name}）",
    },
    "clip_added": {
        "en": "a video clip: {name} ({span})",
        "zh": "视频片段：{name}（{span}）",
        "es": "un clip de vídeo: {name} ({span})",
        "fr": "un clip vidéo : {name} ({span})",
        "de": "ein Videoclip: {name} ({span})",
        "ja": "動画クリップ {name}（{span}）",
    },
    "clip_removed": {
        "en": "the video clip {name}",
        "zh": "视频片段 {name}",
        "es": "el clip de vídeo {name}",
        "fr": "le clip vidéo {name}",
        "de": "der Videoclip {name}",
        "ja": "動画クリップ {name}",
    },
    "segment_added": {
        "en": "a {label_lower} segment: {name} ({span})",
        "zh": "{label}：{name}（{span}）",
        "es": "{label_lower}: {name} ({span})",
        "fr": "{label_lower} : {name} ({span})",
        "de": "{label}: {name} ({span})",
        "ja": "{label} {name}（{span}）",
    },
    "segment_removed": {
        "en": "the {label_lower} segment {name}",
        "zh": "{label} {name}",
        "es": "{label_lower} {name}",
        "fr": "{label_lower} {name}",
        "de": "{label} {name}",
        "ja": "{label} {name}",
    },
    "text": {
        "en": 'the {label_lower} "{text}"',
        "zh": "{label}「{text}」",
        "es": '{label_lower} "{text}"',
        "fr": "{label_lower} « {text} »",
        "de": "{label} „{text}“",
        "ja": "{label}「{text}」",
    },
    "music_added": {
        "en": "{noun}: {name}",
        "zh": "{noun}：{name}",
        "es": "{noun} {name}",
        "fr": "{noun} {name}",
        "de": "{noun} {name}",
        "ja": "{noun} {name}",
    },
    "music_removed": {
        "en": "the {noun} ({name})",
        "zh": "{noun}（{name}）",
        "es": "{noun} ({name})",
        "fr": "{noun} ({name})",
        "de": "{noun} ({name})",
        "ja": "{noun}（{name}）",
    },
    "at_volume": {
        "en": " at {pct}%",
        "zh": "（音量 {pct}%）",
        "es": " al {pct} %",
        "fr": " à {pct} %",
        "de": " mit {pct} % Lautstärke",
        "ja": "（音量 {pct}%）",
    },
    "track_added": {
        "en": "a {label} track: {names} ({span})",
        "zh": "{label}轨道：{names}（{span}）",
        "es": "una pista de {label_lower}: {names} ({span})",
        "fr": "une piste {label_lower} : {names} ({span})",
        "de": "eine {label}-Spur: {names} ({span})",
        "ja": "{label}トラック {names}（{span}）",
    },
    "track_removed": {
        "en": "the {label} track ({names})",
        "zh": "{label}轨道（{names}）",
        "es": "la pista de {label_lower} ({names})",
        "fr": "la piste {label_lower} ({names})",
        "de": "die {label}-Spur ({names})",
        "ja": "{label}トラック（{names}）",
    },
    # Seconds: "5s", "0-5s".
    "seconds": {
        "en": "{x}s",
        "zh": "{x} 秒",
        "es": "{x} s",
        "fr": "{x} s",
        "de": "{x} s",
        "ja": "{x} 秒",
    },
    "fps": {
        "en": "{x} fps",
        "zh": "{x} fps",
        "es": "{x} fps",
        "fr": "{x} i/s",
        "de": "{x} fps",
        "ja": "{x} fps",
    },
    # A turn that closed without text: what the skill says when the diff has nothing to say.
    "nothing_changed": {
        "en": "The backend finished without a reply, and the timeline did not change.",
        "zh": "后端没有回复就结束了，时间线没有变化。",
        "es": "El servidor terminó sin responder y la línea de tiempo no cambió.",
        "fr": "Le serveur a terminé sans répondre, et la timeline n'a pas changé.",
        "de": "Das Backend hat ohne Antwort geendet, und die Zeitleiste hat sich nicht geändert.",
        "ja": "バックエンドは返事なしで終了し、タイムラインは変わっていません。",
    },
    "unreadable": {
        "en": "The backend finished without a reply, and the timeline could not be read; "
        "ask for the project's state in a minute.",
        "zh": "后端没有回复就结束了，且无法读取时间线；请稍后查看项目状态。",
        "es": "El servidor terminó sin responder y no se pudo leer la línea de tiempo; "
        "consulta el estado del proyecto en un minuto.",
        "fr": "Le serveur a terminé sans répondre et la timeline n'a pas pu être lue ; "
        "demandez l'état du projet dans une minute.",
        "de": "Das Backend hat ohne Antwort geendet, und die Zeitleiste ließ sich nicht lesen; "
        "frag in einer Minute nach dem Stand des Projekts.",
        "ja": "バックエンドは返事なしで終了し、タイムラインを読み込めませんでした。"
        "1分ほどしてからプロジェクトの状態を確認してください。",
    },
    "timeline_now": {
        "en": "The backend finished without a reply. The timeline now: {summary}",
        "zh": "后端没有回复就结束了。现在的时间线：{summary}",
        "es": "El servidor terminó sin responder. La línea de tiempo ahora: {summary}",
        "fr": "Le serveur a terminé sans répondre. La timeline maintenant : {summary}",
        "de": "Das Backend hat ohne Antwort geendet. Die Zeitleiste jetzt: {summary}",
        "ja": "バックエンドは返事なしで終了しました。現在のタイムライン：{summary}",
    },
    # The CLI's heading over its suggested next steps.
    "next": {
        "en": "Next:",
        "zh": "下一步：",
        "es": "Siguiente:",
        "fr": "Ensuite :",
        "de": "Als Nächstes:",
        "ja": "次にできること：",
    },
}


def word(text: str, lang: str | None) -> str:
    """``text`` (an English noun or field name of :data:`WORDS`) in ``lang``; unknown: as is."""
    return WORDS.get(text, {}).get(language(lang), text)


def say(key: str, lang: str | None, **values: object) -> str:
    """The sentence or phrase ``key`` of :data:`SENTENCES` in ``lang``, filled with ``values``."""
    row = SENTENCES[key]
    return row.get(language(lang), row["en"]).format(**values)
