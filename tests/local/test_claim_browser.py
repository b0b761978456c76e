"""The claim page in a real browser: headless Debian chromium runs its script and plays its video.

Skipped only when chromium is truly absent AND not in CI; with ``CI=true`` a
missing browser is a failure (``.ci/run`` installs it). The screenshot is kept
as an artifact in ``tests/artifacts/claim-page.png`` (ignored by git).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nemo_skill.local.server import LocalServer
from tests.local.conftest import Api, Factory
from tests.local.test_claim import project

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--mute-audio",
    "--virtual-time-budget=8000",  # let the script's fetch and the video's first frame finish
)


def chromium() -> str:
    """The browser's path; skip (locally) or fail (in CI) when it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("chromium is missing in CI: .ci/run must install it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def browse(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run headless chromium once on ``url`` (bounded: 90 s)."""
    args = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(args, capture_output=True, text=True, timeout=90, check=False)


@pytest.fixture
def claimed(make_server: Factory, bodies: list[bytes]) -> tuple[Api, LocalServer, str]:
    server = make_server(credits_new_user=1000)
    api = Api(server, bodies)
    api.login()
    _, token = project(api)
    yield api, server, token
    api.close()


def test_chromium_shows_the_timeline_and_the_video(
    claimed: tuple[Api, LocalServer, str], tmp_path: Path
) -> None:
    api, server, token = claimed
    url = f"{server.url}/workspace/claim?ct={token}"
    dumped = browse(url, tmp_path / "profile-dom", "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    # The script ran and drew the timeline from the token-scoped view.
    assert 'id="timeline" aria-labelledby="timeline-h"' in dom
    assert 'data-state="shown"' in dom, dom[-3000:]
    assert 'id="timeline-status"' not in dom  # "Loading..." replaced
    table = re.search(r'<table class="segments" id="timeline-table">(.*?)</table>', dom, re.S)
    assert table is not None
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", table.group(1))]
    rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]
    assert [r[:3] for r in rows] == [["Video", "0 s", "1 s"], ["BGM", "0 s", "1 s"],
                                     ["Title", "0 s", "1 s"]]  # fmt: skip
    assert rows[0][3].startswith("photo.jpg")
    assert re.fullmatch(r"Calm · volume \d+%.*", rows[1][3])
    assert rows[2][3] == "“Hello <b>&</b> world”"  # drawn as text, not markup
    assert "<b>&amp;</b>" not in dom.replace("&lt;b&gt;", "")  # no element was made of it
    assert re.search(r'<div class="seg seg-video"[^>]*style="left: 0%; width: 100%;"', dom)
    assert 'id="download"' in dom and "<video" in dom
    assert api.token is not None and api.token not in dom and "anon_" not in dom

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "claim-page.png"
    shot.unlink(missing_ok=True)
    taken = browse(url, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,900")
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1280, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # a drawn page, not a blank one


def test_chromium_gets_a_4xx_page_for_a_wrong_token(server: LocalServer, tmp_path: Path) -> None:
    dumped = browse(f"{server.url}/workspace/claim?ct=clm_wrong", tmp_path / "p", "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert "Link not recognised" in dumped.stdout and "nemo-skill open" in dumped.stdout


def test_chromium_draws_a_block_per_photo_with_its_captions_and_notes(
    make_server: Factory, bodies: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.local.test_claim import story_project

    server = make_server(credits_new_user=1000)
    api = Api(server, bodies)
    api.login()
    try:
        token, _ = story_project(api, server, monkeypatch)
        url = f"{server.url}/workspace/claim?ct={token}"
        dumped = browse(url, tmp_path / "profile-blocks", "--dump-dom")
    finally:
        api.close()
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert 'data-state="shown"' in dom, dom[-3000:]
    blocks = re.findall(r'<section class="block block-photo" data-segment="(v\d)">(.*?)</section>',
                        dom, re.S)  # fmt: skip
    assert [b[0] for b in blocks] == ["v1", "v2", "v3"]
    text = [html.unescape(re.sub(r"<[^>]+>", "|", body)) for _, body in blocks]
    assert "Photo 1 · beach.jpg" in text[0] and "0 s – 3 s · kenburns · plain cut" in text[0]
    assert "Photo 2 · city.jpg" in text[1] and "pan left ×2 · crossfade into it (0.5 s)" in text[1]
    assert "Caption “Downtown”" in text[1] and "Downtown" not in text[0] + text[2]
    assert "fade black into it (0.6 s)" in text[2]
    whole = re.search(
        r'<section class="block block-whole" id="whole-clip">(.*?)</section>', dom, re.S
    )
    assert whole is not None
    shown = html.unescape(re.sub(r"<[^>]+>", "|", whole.group(1)))
    assert "Music: Upbeat · 0 s – 9 s · volume 35% · 120 bpm" in shown
    assert "Title “Summer trip 🌴”" in shown and "so 🌴 were left out of the title" in shown
    assert "[object Object]" not in dom  # the table names the transition too
