"""The intent router: a table of real messages, properties, and language detection."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_skill.intents import ACTIONS, Intent, classify, detect_language

# (text, has_files, expected action)
CASES: list[tuple[str, bool, str]] = [
    # --- the routing table of the contract, English and Chinese
    ("export", False, "export"),
    ("导出", False, "export"),
    ("download", False, "export"),
    ("send me the video", False, "export"),
    ("credits", False, "credits"),
    ("积分", False, "credits"),
    ("balance", False, "credits"),
    ("余额", False, "credits"),
    ("status", False, "state"),
    ("状态", False, "state"),
    ("show tracks", False, "state"),
    ("upload", False, "upload"),
    ("上传", False, "upload"),
    # --- more English ways of asking
    ("Export the video please", False, "export"),
    ("can I download it?", False, "export"),
    ("download the mp4", False, "export"),
    ("give me the final clip", False, "export"),
    ("send it to me", False, "export"),
    ("I'm happy with it, export", False, "export"),
    ("render it", False, "export"),
    ("what's my balance?", False, "credits"),
    ("how many credits do I have left", False, "credits"),
    ("how much credit is remaining", False, "credits"),
    ("check my credits", False, "credits"),
    ("show tracks", False, "state"),
    ("what's on the timeline", False, "state"),
    ("show me the current state", False, "state"),
    ("what is the status", False, "state"),
    ("where are we?", False, "state"),
    ("list the tracks", False, "state"),
    ("upload", False, "upload"),
    ("upload my photos", False, "upload"),
    ("hello", False, "chat"),
    ("thanks!", False, "chat"),
    ("turn this image into a 5-second animated video clip", False, "chat"),
    ("slow zoom in", False, "chat"),
    # --- punctuation, case and full-width forms
    ("EXPORT!!!", False, "export"),
    ("Export.", False, "export"),
    ("  export  ", False, "export"),
    ("ＥＸＰＯＲＴ", False, "export"),
    ("export？", False, "export"),
    ("CREDITS?", False, "credits"),
    ("Status...", False, "state"),
    ("导出！", False, "export"),
    ("余额？", False, "credits"),
    ("帮我export一下", False, "export"),
    ("/export", False, "export"),
    # --- edit requests that mention a keyword go to the agent
    ("make the status text bigger", False, "chat"),
    ("add a title that says Download now", False, "chat"),
    ("change the credits roll at the end", False, "chat"),
    ("export it in 9:16", False, "chat"),
    ("make it vertical and download it", False, "chat"),
    ("add lo-fi music, then export", False, "chat"),
    ("make it 8 seconds then send me the video", False, "chat"),
    ("export without the music", False, "chat"),
    ("balance the music and the voice", False, "chat"),
    ("把状态文字变大", False, "chat"),
    ("加一个标题写着下载", False, "chat"),
    ("生成一个5秒的视频然后导出", False, "chat"),
    # --- negation and failure reports
    ("don't export yet, first add music", False, "chat"),
    ("do not export yet", False, "chat"),
    ("don't download it", False, "chat"),
    ("export failed", False, "chat"),
    ("the download is not working", False, "chat"),
    ("why did the export fail?", False, "chat"),
    ("先别导出，加点音乐", False, "chat"),
    ("不要导出", False, "chat"),
    ("导出不了", False, "chat"),
    ("能不能导出", False, "export"),
    ("No, export it", False, "export"),
    ("I have no credits?", False, "credits"),
    # --- quoted text never triggers a keyword
    ("add the caption 'export ready'", False, "chat"),
    ('the title should read "Download now"', False, "chat"),
    ("标题是“立即下载”", False, "chat"),
    ("字幕写「导出完成」", False, "chat"),
    ("'export'", False, "chat"),
    ("what's the 'status' word doing there", False, "chat"),
    ("don't change anything, just export", False, "chat"),
    # --- Spanish
    ("exporta el video", False, "export"),
    ("quiero descargar el video", False, "export"),
    ("descárgalo", False, "export"),
    ("¿Cuántos créditos me quedan?", False, "credits"),
    ("mi saldo", False, "credits"),
    ("¿cuál es el estado?", False, "state"),
    ("no exportes todavía, primero añade música", False, "chat"),
    ("sube esta foto", False, "upload"),
    # --- French
    ("exporte la vidéo", False, "export"),
    ("je veux télécharger la vidéo", False, "export"),
    ("combien de crédits ?", False, "credits"),
    ("quel est l'état du projet ?", False, "state"),
    ("n'exporte pas encore", False, "chat"),
    ("ajoute de la musique", False, "chat"),
    # --- German
    ("Exportiere das Video", False, "export"),
    ("Video herunterladen", False, "export"),
    ("Lade das Video herunter", False, "export"),
    ("Wie viel Guthaben habe ich?", False, "credits"),
    ("Zeig mir den Status", False, "state"),
    ("Noch nicht exportieren", False, "chat"),
    ("Füge Musik hinzu", False, "chat"),
    ("Lade das Foto hoch", False, "upload"),
    # --- Japanese
    ("エクスポートして", False, "export"),
    ("ダウンロードできますか", False, "export"),
    ("まだエクスポートしないで", False, "chat"),
    ("クレジットはいくつ？", False, "credits"),
    ("残高を見せて", False, "credits"),
    ("状態を見せて", False, "state"),
    ("写真をアップロード", False, "upload"),
    ("タイトルを追加して", False, "chat"),
    # --- messages with files
    ("", True, "upload"),
    ("   ", True, "upload"),
    ("here is my photo", True, "upload"),
    ("upload this", True, "upload"),
    ("这是我的照片", True, "upload"),
    ("animate this into a 5-second clip", True, "chat"),
    ("turn this into a video with a slow zoom", True, "chat"),
    ("can you do something fun with this?", True, "chat"),
    ("I want it cinematic", True, "chat"),
    ("把这张图做成5秒视频", True, "chat"),
    ("make it 9:16", True, "chat"),
    # --- empty text, URLs, long messages
    ("", False, "chat"),
    (" \n\t ", False, "chat"),
    ("https://example.com/cat.jpg", False, "upload"),
    ("https://example.com/download/page", False, "chat"),
    ("animate https://example.com/cat.jpg", False, "chat"),
    (
        "I love this picture of my grandmother in her garden in the summer of 1987 and I "
        "would really like to see her flowers sway gently in the wind while the camera "
        "slowly drifts across the scene, and afterwards we can talk about how to export it",
        False,
        "chat",
    ),
    (
        "ok I think everything looks great now, the music, the title and the zoom are "
        "exactly right, thanks a lot, please send me the video",
        False,
        "export",
    ),
    ("下载" + "。我很喜欢这个作品，" * 10, False, "chat"),
]


def test_table_is_large_and_covers_every_action() -> None:
    assert len(CASES) >= 80
    assert {action for _, _, action in CASES} == set(ACTIONS)


@pytest.mark.parametrize(("text", "has_files", "expected"), CASES)
def test_routing_table(text: str, has_files: bool, expected: str) -> None:
    intent = classify(text, has_files=has_files)
    assert intent.action == expected, intent.reason
    assert intent.reason


def test_reason_and_keyword_name_the_rule() -> None:
    assert classify("export").keyword == "export"
    assert classify("make the status text bigger").reason == "edit request ('make')"
    assert classify("don't export yet").reason.startswith("negated")
    assert classify("").reason == "empty message"
    assert classify("", has_files=True).reason == "files without text"
    assert classify("hello").keyword == ""


def test_intent_carries_the_language() -> None:
    assert classify("导出").language == "zh"
    assert classify("exporta el video").language == "es"
    assert classify("export").language == "en"


def test_tie_goes_to_the_read_only_action() -> None:
    # "export" and "status" weigh the same; showing state by mistake costs nothing.
    assert classify("export status").action == "state"


def test_intent_is_immutable() -> None:
    intent = classify("export")
    with pytest.raises(AttributeError):
        intent.action = "chat"  # type: ignore[misc]
    assert intent == Intent("export", intent.reason, "en", "export")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), has_files=st.booleans())
def test_property_total_and_deterministic(text: str, has_files: bool) -> None:
    first = classify(text, has_files=has_files)
    assert first.action in ACTIONS
    assert first.reason
    assert isinstance(first.language, str) and first.language
    assert classify(text, has_files=has_files) == first


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=" \t\n\r\u3000\u00a0", max_size=20))
def test_property_files_without_text_upload(text: str) -> None:
    assert classify(text, has_files=True).action == "upload"
    assert classify(text, has_files=False).action == "chat"


@settings(max_examples=100, deadline=None)
@given(quoted=st.text(alphabet=st.characters(whitelist_categories=("L", "N", "Zs")), max_size=40))
def test_property_quoted_text_never_routes(quoted: str) -> None:
    assert classify(f'add the caption "{quoted}"').action == "chat"
    assert classify(f"hello '{quoted} export'").action == "chat"


LANGUAGES: list[tuple[str, str]] = [
    ("export the video please", "en"),
    ("make it 8 seconds", "en"),
    ("", "en"),
    ("12345", "en"),
    ("导出视频", "zh"),
    ("把这张图做成5秒视频", "zh"),
    ("エクスポートして", "ja"),
    ("状態を見せて", "ja"),
    ("동영상을 내보내기", "ko"),
    ("¿Cuántos créditos me quedan?", "es"),
    ("quiero descargar el video", "es"),
    ("je veux télécharger la vidéo", "fr"),
    ("quel est l'état du projet ?", "fr"),
    ("Wie viel Guthaben habe ich?", "de"),
    ("Füge Musik hinzu", "de"),
    ("Экспортируй видео", "ru"),
    ("Експортуй відео, будь ласка, і її", "uk"),
    ("صدّر الفيديو", "ar"),
    ("ייצא את הסרטון", "he"),
    ("ส่งออกวิดีโอ", "th"),
    ("वीडियो निर्यात करें", "hi"),
    ("εξαγωγή βίντεο", "el"),
    ("adicione música, por favor, não exportar", "pt"),
    ("aggiungi musica per questo video", "it"),
    ("voeg muziek toe aan mijn video", "nl"),
    ("add the caption '夏日特卖'", "en"),
    ("please export 视频", "en"),
    ("Export 视频", "zh"),
]


@pytest.mark.parametrize(("text", "expected"), LANGUAGES)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_property_detect_language_is_a_short_code(text: str) -> None:
    code = detect_language(text)
    assert code.isascii() and code.islower() and len(code) == 2
