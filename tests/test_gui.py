"""GUI-language translation: each phrasing becomes the skill's action, content kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_skill.gui import is_temporary_issue, translate

CASES = [
    # (backend text, must contain, must not contain)
    ("Your video is ready! Click Export to download.", 'say "export"', "click"),
    ("Click the Export button to download your video.", 'say "export"', "click"),
    ("Just click Export and download it.", 'say "export"', "click"),
    ("Tap Download to save it.", 'say "export"', "tap"),
    ("Hit the export button to get the video.", 'say "export"', "hit the"),
    ("Click on the 'Export' button.", 'say "export"', "click"),
    ("Preview it in the timeline or click Export to download.", "show tracks", "preview it"),
    ("You can preview the video in the timeline.", "show tracks", "preview the video"),
    ("Check it in the timeline.", "show tracks", "check it in"),
    ("Open the timeline panel to review it, then click Export.", "show tracks", "open the"),
    ("Open the Music panel to adjust the volume.", "tell me what you want", "open the"),
    ("Open the Text settings to change the font.", "tell me what you want", "open the"),
    ("Open the Effects tab.", "show tracks", "open the"),
    ("Drag the clip onto the timeline to reorder it.", "tell me the change in words", "drag"),
    ("Drag and drop your photo into the timeline.", "tell me the change in words", "drag"),
    ("Check your billing page for more credits.", '"credits"', "billing page"),
    ("Visit your account settings to top up.", '"credits"', "account settings"),
    ("Click Upload to add more photos.", "send the file", "click upload"),
    ("Refresh the page to see the changes. Done!", "Done!", "refresh"),
    ("视频已生成！点击导出按钮下载。", "说“导出”", "点击"),
    ("请点击“导出”下载视频。", "说“导出”", "点击"),
    ("可以在时间线中预览效果。", "说“状态”", "时间线中预览"),
    ("请打开音乐面板调整音量。", "说“状态”", "打开音乐面板"),
    ("请在账户页面中查看余额。", "积分", "账户页面"),
    ("将片段拖动到时间线上。", "用文字告诉我", "拖动"),
]


@pytest.mark.parametrize(("text", "wanted", "gone"), CASES)
def test_gui_phrases_become_skill_actions(text: str, wanted: str, gone: str) -> None:
    out = translate(text)
    assert wanted.lower() in out.lower(), out
    assert gone.lower() not in out.lower(), out


@pytest.mark.parametrize(("text", "wanted", "gone"), CASES)
def test_translation_is_idempotent(text: str, wanted: str, gone: str) -> None:
    once = translate(text)
    assert translate(once) == once


def test_content_is_kept() -> None:
    text = "I added lo-fi background music at 35% volume. Click Export to download."
    out = translate(text)
    assert out.startswith("I added lo-fi background music at 35% volume.")


@pytest.mark.parametrize(
    "text",
    [
        "make it pop",
        "I animated your photo with a slow zoom.",
        "The title now reads 'Export ready'.",
        "Your clip is 5 seconds long, 9:16.",
        "",
    ],
)
def test_text_without_gui_words_is_unchanged(text: str) -> None:
    assert translate(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I encountered a temporary issue. Please try again.", True),
        ("Sorry, I ran into a temporary error.", True),
        ("抱歉，遇到了临时问题。", True),
        ("Your video is ready!", False),
        ("A temporary title was added.", False),
    ],
)
def test_temporary_issue_detection(text: str, expected: bool) -> None:
    assert is_temporary_issue(text) is expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_translate_never_raises_and_is_stable(text: str) -> None:
    out = translate(text)
    assert isinstance(out, str)
    assert translate(out) == out
