"""``nemo-skill chat``: the generation notice, worded next steps and the claim line."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemo_skill.commands.chat import render_text
from nemo_skill.delivery import GENERATION_NOTICE
from nemo_skill.errors import Next
from nemo_skill.skill import ChatResult
from tests.e2e.support import Cli, make_image, project

PROMPT = "turn this image into a 1-second animated video clip"


def test_a_generation_is_announced_and_next_steps_are_commands(cli: Cli, photo: Path) -> None:
    result = cli("--json", "chat", PROMPT, "-f", str(photo))
    assert result.code == 0, result.err
    assert GENERATION_NOTICE in result.err  # progress on stderr, JSON stays clean
    steps = result.json()["next"]
    assert 2 <= len(steps) <= 3
    assert steps[0] == "Export the MP4: `nemo-skill export`"
    assert all("nemo-skill " in step for step in steps)

    edit = cli("chat", "add calm background music")
    assert edit.code == 0 and GENERATION_NOTICE not in edit.err
    tail = edit.out.split("Next:\n", 1)[1].splitlines()
    assert 2 <= len(tail) <= 3 and all(line.startswith("  - ") for line in tail)
    assert not any("Add music" in line for line in tail)


def test_an_export_by_chat_carries_the_claim_link(cli: Cli, photo: Path) -> None:
    assert cli("chat", PROMPT, "-f", str(photo)).code == 0
    out = cli.cwd / "clip.mp4"
    text = cli("chat", "export", "-o", str(out))
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    link = next(line for line in lines if line.startswith("Open the project in the web app: "))
    assert f"{cli.url}/workspace/claim?ct=clm_" in link
    assert lines.index(link) < lines.index(f"MEDIA:{out}")
    assert any("nemo-skill open" in line for line in lines)  # next: open the link
    data = cli("--json", "chat", "export", "-o", str(out), "--force").json()
    assert data["export"]["claim_url"].startswith(f"{cli.url}/workspace/claim?ct=clm_")
    assert data["next"][0] == "Open the project in the web app: `nemo-skill open`"


def test_a_question_is_printed_once_with_its_options(cli: Cli, photo: Path) -> None:
    assert cli("chat", PROMPT, "-f", str(photo)).code == 0
    asked = cli("chat", "asdfgh qwerty")
    assert asked.code == 0, asked.err
    question = cli("--json", "chat", "asdfgh qwerty").json()["question"]
    assert question and asked.out.count(question) == 1
    lines = asked.out.splitlines()
    assert lines[0] == f"? {question}" and lines[1].startswith("  1. ")


@pytest.mark.parametrize(
    ("prompt", "heading", "export"),
    [
        ("把这张图片做成1秒的动画视频", "下一步：", "导出 MP4: `nemo-skill export`"),
        ("Mach aus diesem Foto ein animiertes Video von 1 Sekunde", "Als Nächstes:",
         "MP4 exportieren: `nemo-skill export`"),
    ],
)  # fmt: skip
def test_next_steps_are_headed_and_labelled_in_the_sessions_language(
    cli: Cli, photo: Path, prompt: str, heading: str, export: str
) -> None:
    first = cli("chat", prompt, "-f", str(photo))
    assert first.code == 0, first.err
    assert "Next:" not in first.out
    tail = first.out.split(f"{heading}\n", 1)[1].splitlines()
    assert tail[0] == f"  - {export}"
    # An English message later in the same session: the session's language still holds.
    again = cli("chat", "add calm background music")
    assert again.code == 0, again.err
    assert f"\n{heading}\n" in again.out and "Next:" not in again.out
    # The JSON document says which language the text is in.
    assert cli("--json", "chat", "make it 2 seconds long").json()["language"] in ("zh", "de")


@pytest.mark.parametrize(
    ("language", "heading", "label"),
    [
        ("en", "Next:", "Add music"),
        ("zh", "下一步：", "添加音乐"),
        ("es", "Siguiente:", "Añadir música"),
        ("fr", "Ensuite :", "Ajouter de la musique"),
        ("de", "Als Nächstes:", "Musik hinzufügen"),
        ("ja", "次にできること：", "音楽を追加する"),
    ],
)
def test_the_next_heading_and_labels_in_six_languages(
    language: str, heading: str, label: str
) -> None:
    result = ChatResult(action="chat", next=[Next.ADD_MUSIC.value], language=language)
    lines = render_text(result).splitlines()
    assert lines == [heading, f'  - {label}: `nemo-skill chat "add calm background music"`']
    assert ChatResult.from_dict(result.to_dict()).language == language  # a recorded turn too


def test_silent_edits_of_a_chinese_story_are_said_in_chinese_per_photo(tmp_path: Path) -> None:
    # The embedded backend closes every edit turn without text here, as the real service
    # sometimes does: the skill says what changed from the draft, in the session's language.
    with project(tmp_path, silent_edit_fraction=1.0) as cli:
        photos = [make_image(cli.cwd / f"p{i}.jpg", size=(320, 240), seed=i) for i in (1, 2, 3)]
        files = [arg for p in photos for arg in ("-f", str(p))]
        first = cli("chat", "把这三张照片做成一个9秒的视频", *files)
        assert first.code == 0, first.err
        swap = cli("--json", "chat", "第三张放第一个")
        assert swap.code == 0, swap.err
        changes = swap.json()["changes"]
        assert "第 1 张照片（p3.jpg）已从 6-9 秒 移到 0-3 秒。" in changes, changes
        title = cli("chat", "添加标题「春天来了」")
        assert title.code == 0, title.err
        assert "- 已添加标题「春天来了」。" in title.out.splitlines(), title.out
        assert "Added" not in title.out and "\n下一步：\n" in title.out
