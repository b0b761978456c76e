"""GUI-language translation: each phrasing becomes the skill's action, content kept.

The translation names the skill's actions symbolically (``{next:export}``); the
cases below read as the CLI words them (its one table, ``cli.STEPS``).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_skill import gui
from nemo_skill.cli import STEPS
from nemo_skill.errors import API_STEPS, word_hint
from nemo_skill.gui import RULES, is_temporary_issue, translate

CLI_WORDS = ("nemo-skill", "`-f", "--", "`-o")


def _as_cli(text: str) -> str:
    return word_hint(text, None, STEPS)


SAY_EXPORT = 'say "export" (or run `nemo-skill export`) to render and download it'

# (backend text, what the user must read instead)
CASES = [
    ("Your video is ready! Click Export to download.", f"Your video is ready! S{SAY_EXPORT[1:]}."),
    ("Click the Export button to download your video.", f"S{SAY_EXPORT[1:]}."),
    ("Just click Export and download it.", f"S{SAY_EXPORT[1:]}."),
    ("Tap Download to save it.", f"S{SAY_EXPORT[1:]}."),
    ("Hit the export button to get the video.", f"S{SAY_EXPORT[1:]}."),
    ("Click on the 'Export' button.", f"S{SAY_EXPORT[1:]}."),
    ("Click Export to download your final video.", f"S{SAY_EXPORT[1:]}."),
    ("When you're happy, click Export.", f"When you're happy, {SAY_EXPORT}."),
    (
        "You can export it by clicking the Export button in the top right corner.",
        'You can export it by saying "export" (or running `nemo-skill export`).',
    ),
    ("Download it with the Export button.", 'Download it by saying "export" (or running `nemo-skill export`).'),
    ("The Export button is on the right.", 'The "export" command is on the right.'),
    (
        "Preview it in the timeline or click Export to download.",
        f"Run `nemo-skill state` to see the tracks or {SAY_EXPORT}.",
    ),
    ("You can preview the video in the timeline.", "Run `nemo-skill state` to see the tracks."),
    ("Undone. Check it in the timeline.", "Undone. Run `nemo-skill state` to see the tracks."),
    (
        "Done: I set it to 9:16. Open the timeline panel to review it, then click the Export "
        "button to download.",
        "Done: I set it to 9:16. Ask to see the timeline (`nemo-skill state`) to review it, "
        f"then {SAY_EXPORT}.",
    ),
    ("Open the Music panel to adjust the volume.", "To adjust the volume, just tell me what you want."),
    ("You can open the Text settings to change the font.", "To change the font, just tell me what you want."),
    ("Open the Effects tab.", "Ask to see the timeline (`nemo-skill state`)."),
    ("Drag the clip onto the timeline to reorder it.", "To reorder it, tell me the change in words."),
    ("Drag and drop your photo into the timeline.", "Tell me the change in words."),
    ("You can drag to reorder the clips.", "To reorder the clips, tell me the change in words."),
    ("Drag the volume slider to 50%.", 'Say "set the volume to 50%".'),
    ("Drag the music slider.", "Tell me the music you want."),
    ("Check your billing page for more credits.", "Ask for your credits (`nemo-skill credits`)."),
    ("Visit your account settings to top up.", "Ask for your credits (`nemo-skill credits`) to top up."),
    ("Click Upload to add more photos.", "Send the file with `-f FILE` to add more photos."),
    ("Drag and drop photos here to upload them.", "Send the file with `-f FILE` to upload them."),
    ("Refresh the page to see the changes. Done!", "Done!"),
    ("Done! Refresh the page.", "Done!"),
    ("Your video is ready, refresh the page to see it.", "Your video is ready."),
    ("Refresh the page and click Export.", f"S{SAY_EXPORT[1:]}."),
    ("视频已生成！点击导出按钮下载。", "视频已生成！说“导出”（或运行 `nemo-skill export`）即可渲染并下载。"),
    ("请点击“导出”下载视频。", "说“导出”（或运行 `nemo-skill export`）即可渲染并下载。"),
    ("可以在时间线中预览效果。", "运行 `nemo-skill state` 即可查看轨道。"),
    ("完成！请打开时间线面板。", "完成！说“状态”（或运行 `nemo-skill state`）即可查看时间线。"),
    ("请打开音乐面板调整音量。", "直接告诉我要怎么调整音量。"),
    ("请打开特效面板。", "说“状态”（或运行 `nemo-skill state`）即可查看时间线。"),
    ("请在账户页面中查看余额。", "问我“积分”（`nemo-skill credits`）即可查看余额。"),
    ("积分不足，请查看您的账单页面。", "积分不足，问我“积分”（`nemo-skill credits`）即可查看。"),
    ("将片段拖动到时间线上。", "用文字告诉我要改什么。"),
    ("拖动音量滑块即可。", "用文字告诉我要改什么即可。"),
    ("点击上传添加更多照片。", "用 `-f FILE` 发送文件添加更多照片。"),
    ("刷新页面即可看到更改。完成！", "完成！"),
    # the embedded agent's Spanish, French, German and Japanese replies
    ("¡Listo! Previsualízalo en la línea de tiempo o haz clic en Exportar para descargarlo.",
     f"¡Listo! E{gui.ES_PREVIEW[1:]} o {gui.ES_EXPORT}."),
    ("Hecho. Revísalo en la línea de tiempo y haz clic en el botón Exportar para descargarlo.",
     f"Hecho. E{gui.ES_PREVIEW[1:]} y {gui.ES_EXPORT}."),
    ("Prêt. Prévisualisez-la dans la timeline ou cliquez sur Exporter pour la télécharger.",
     f"Prêt. L{gui.FR_PREVIEW[1:]} ou {gui.FR_EXPORT}."),
    ("Fait. Vérifiez-la dans la timeline, puis cliquez sur le bouton « Exporter ».",
     f"Fait. L{gui.FR_PREVIEW[1:]}, puis {gui.FR_EXPORT}."),
    ("Fertig! Sieh es dir in der Zeitleiste an oder klicke auf Exportieren, um es herunterzuladen.",
     f"Fertig! F{gui.DE_PREVIEW[1:]} oder {gui.DE_EXPORT}."),
    ("Erledigt. Prüfe es in der Zeitleiste und klicke dann auf die Schaltfläche Exportieren.",
     f"Erledigt. F{gui.DE_PREVIEW[1:]} und {gui.DE_EXPORT}."),
    ("完了しました。タイムラインで確認し、「エクスポート」ボタンをクリックしてダウンロードしてください。",
     f"完了しました。{gui.JA_PREVIEW}、{gui.JA_EXPORT}。"),
    ("元に戻しました。タイムラインでプレビューしてください。", f"元に戻しました。{gui.JA_PREVIEW}。"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_gui_phrases_become_skill_actions(text: str, expected: str) -> None:
    symbolic = translate(text)
    assert _as_cli(symbolic) == _as_cli(expected)
    # The core names no command and no flag: only the shell's table does.
    assert not any(word in symbolic for word in CLI_WORDS)
    assert not any(word in word_hint(symbolic, None, API_STEPS) for word in CLI_WORDS)


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_translation_is_idempotent(text: str, expected: str) -> None:
    once = translate(text)
    assert translate(once) == once


def test_every_rule_of_the_table_is_exercised() -> None:
    unused = [p.pattern for p, _ in RULES if not any(p.search(text) for text, _ in CASES)]
    assert unused == []


@pytest.mark.parametrize(
    "replacement",
    [gui.EXPORT, gui.STATE, gui.PREVIEW, gui.DESCRIBE, gui.CREDITS, gui.UPLOAD, gui.ZH_EXPORT,
     gui.ZH_STATE, gui.ZH_PREVIEW, gui.ZH_DESCRIBE, gui.ZH_CREDITS, gui.ZH_UPLOAD, gui.ES_EXPORT,
     gui.ES_PREVIEW, gui.FR_EXPORT, gui.FR_PREVIEW, gui.DE_EXPORT, gui.DE_PREVIEW, gui.JA_EXPORT,
     gui.JA_PREVIEW],
)  # fmt: skip
def test_replacements_match_no_rule(replacement: str) -> None:
    assert [p.pattern for p, _ in RULES if p.search(replacement)] == []


def test_content_is_kept_around_the_instruction() -> None:
    text = "I added lo-fi background music at 35% volume. Click Export to download. Enjoy!"
    assert _as_cli(translate(text)) == (
        f"I added lo-fi background music at 35% volume. S{SAY_EXPORT[1:]}. Enjoy!"
    )


@pytest.mark.parametrize(
    "text",
    [
        "make it pop",
        "I animated your photo with a slow zoom.",
        "The title now reads 'Export ready'.",
        "I can drop the music if you want.",
        "We use downloaded fonts.",
        "Your clip is 5 seconds long, 9:16.",
        "Spaces  stay   as they are , here.",
        "已为你添加了标题。",
        "",
    ],
)
def test_text_without_gui_words_is_unchanged(text: str) -> None:
    assert translate(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I encountered a temporary issue. Please try again.", True),
        ("Sorry, I ran into a temporary error while adding music.", True),
        ("We've hit a transient problem.", True),
        ("There was a temporary issue with the renderer.", True),
        ("抱歉，遇到了临时问题。", True),
        ("抱歉，我遇到了一个暂时性的错误。", True),
        ("Your video is ready!", False),
        ("A temporary title was added.", False),
        ("I fixed the issue with the title.", False),
    ],
)
def test_temporary_issue_detection(text: str, expected: bool) -> None:
    assert is_temporary_issue(text) is expected


GUI_WORDS = st.sampled_from(
    ["Click Export", "open the Music panel to ", "drag the clip ", "refresh the page",
     "点击导出", "打开音乐面板", ". ", ", and ", " ", "then ", "the Export button"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20), GUI_WORDS), max_size=8).map("".join))
def test_translate_never_raises_and_is_stable(text: str) -> None:
    out = translate(text)
    assert isinstance(out, str)
    assert translate(out) == out
