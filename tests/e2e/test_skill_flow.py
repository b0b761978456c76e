"""The skill end to end: CLI → client → embedded backend over loopback → MP4 on disk."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import Cli, make_image, project


def probe(path: Path) -> dict[str, Any]:
    """Duration, size and streams of an MP4, decoded with PyAV."""
    import av

    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return {
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "fps": float(video.average_rate or 0),
            "frames": frames,
            "duration": frames / float(video.average_rate or 1),
            "codec": video.codec_context.name,
            "audio": len(container.streams.audio) > 0,
        }


def test_first_contact_auth_never_prints_the_token(cli: Cli) -> None:
    result = cli("--json", "auth")
    assert result.code == 0, result.err
    data = result.json()
    assert data["user_id"].startswith("anon_")
    token_file = cli.state_dir / "token.json"
    token = next(iter(json.loads(token_file.read_text()).values()))["token"]
    assert token not in result.out and token not in result.err
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert cli.state_dir.stat().st_mode & 0o777 == 0o700


def test_chat_with_file_state_export_download(cli: Cli, photo: Path) -> None:
    chat = cli(
        "--json", "chat", "turn this image into a 2-second animated video clip", "-f", str(photo)
    )
    assert chat.code == 0, chat.err + chat.out
    reply = chat.json()
    assert reply["action"] == "chat"
    assert reply["messages"], reply
    assert not any("click" in m.lower() for m in reply["messages"]), reply["messages"]

    state = cli("--json", "state")
    assert state.code == 0, state.err
    assert "Video" in state.json()["summary"]

    out = cli.cwd / "clip.mp4"
    export = cli("export", "-o", str(out))
    assert export.code == 0, export.err
    assert f"MEDIA:{out}" in export.out.splitlines()
    info = probe(out)
    assert info["codec"] == "h264"
    assert abs(info["duration"] - 2.0) <= 1.0 / info["fps"] + 1e-6


def test_consecutive_commands_continue_the_same_session(cli: Cli, photo: Path) -> None:
    cli("chat", "turn this image into a 2-second animated video clip", "-f", str(photo))
    sessions = json.loads((cli.state_dir / "sessions.json").read_text())
    first = next(iter(next(iter(sessions.values())).values()))["session_id"]
    cli("chat", "make it 3 seconds")
    sessions = json.loads((cli.state_dir / "sessions.json").read_text())
    assert next(iter(next(iter(sessions.values())).values()))["session_id"] == first
    assert "0-3s" in cli("state").out
    new = cli("--json", "new")
    assert new.json()["session_id"] != first


def test_iterative_edits_show_in_the_exported_mp4(cli: Cli, photo: Path) -> None:
    assert (
        cli("chat", "turn this image into a 2-second animated video clip", "-f", str(photo)).code
        == 0
    )
    before = cli.cwd / "before.mp4"
    assert cli("export", "-o", str(before)).code == 0
    base = probe(before)
    assert not base["audio"]

    for message in ("make it 9:16", "add lo-fi music at 35%", "make it 3 seconds",
                    "add the title 'Summer Sale'"):  # fmt: skip
        result = cli("--json", "chat", message)
        assert result.code == 0, (message, result.err, result.out)

    summary = cli("state").out
    assert "Lo-fi" in summary and "35%" in summary and "Summer Sale" in summary
    after = cli.cwd / "after.mp4"
    assert cli("export", "-o", str(after)).code == 0
    info = probe(after)
    assert info["height"] > info["width"]  # 9:16
    assert info["audio"]
    assert abs(info["duration"] - 3.0) <= 1.0 / info["fps"] + 1e-6


def test_silent_close_reports_the_change(tmp_path: Path) -> None:
    with project(tmp_path, silent_edit_fraction=1.0) as cli:
        work = cli.cwd
        photo = make_image(work / "p.png")
        assert (
            cli(
                "chat", "turn this image into a 2-second animated video clip", "-f", str(photo)
            ).code
            == 0
        )
        result = cli("--json", "chat", "add upbeat music at 40%")
        assert result.code == 0, result.err
        reply = result.json()
        assert any("music" in c.lower() for c in reply["changes"]), reply


def test_batch_of_three_with_one_bad_file(cli: Cli) -> None:
    good1 = make_image(cli.cwd / "a.jpg", seed=2)
    good2 = make_image(cli.cwd / "b.png", seed=3)
    bad = cli.cwd / "notes.txt"
    bad.write_text("not an image")
    outdir = cli.cwd / "out"
    outdir.mkdir()
    result = cli("--json", "generate", "-f", str(good1), "-f", str(bad), "-f", str(good2),
                 "turn this image into a 1-second animated video clip", "-o", str(outdir))  # fmt: skip
    results = result.json()["results"]
    assert [bool(r["path"]) for r in results] == [True, False, True]
    assert results[1]["error"]["code"] == 4001
    assert "jpg" in results[1]["error"]["hint"]
    assert result.code == 6
    for r in (results[0], results[2]):
        assert probe(Path(r["path"]))["codec"] == "h264"
    assert sorted(p.name for p in outdir.iterdir()) == [".nemo-batch.json", "a.mp4", "b.mp4"]


def test_export_refuses_to_overwrite_and_empty_draft_has_advice(cli: Cli) -> None:
    result = cli("--json", "export")
    assert result.code == 2
    assert "nothing to export" in result.json()["error"]["message"].lower()
    existing = cli.cwd / "taken.mp4"
    existing.write_bytes(b"keep me")
    photo = make_image(cli.cwd / "p.jpg")
    cli("chat", "turn this image into a 1-second animated video clip", "-f", str(photo))
    refused = cli("--json", "export", "-o", str(existing))
    assert refused.code == 2 and "--force" in refused.json()["error"]["hint"]
    assert existing.read_bytes() == b"keep me"


def test_session_not_found_starts_a_new_one_and_says_so(cli: Cli, photo: Path) -> None:
    assert cli("chat", "upload this", "-f", str(photo)).code == 0
    path = cli.state_dir / "sessions.json"
    data = json.loads(path.read_text())
    for records in data.values():
        for record in records.values():
            record["session_id"] = "999999999999999999"
    path.write_text(json.dumps(data))
    result = cli("--json", "chat", "upload", "-f", str(photo))
    assert result.code == 0, result.err
    assert any("new one" in m for m in result.json()["messages"])


def test_out_of_credits_on_the_embedded_backend_says_how_to_top_up(tmp_path: Path) -> None:
    with project(tmp_path, credits_new_user=0) as cli:
        work = cli.cwd
        photo = make_image(work / "p.jpg")
        result = cli(
            "--json",
            "chat",
            "turn this image into a 2-second animated video clip",
            "-f",
            str(photo),
        )
        assert result.code == 5
        error = result.json()["error"]
        assert error["code"] == 2001
        # Offline there is nothing to register: the hint is the local top-up command.
        assert "nemo-skill serve-local --add-credits 500 --data-dir" in error["hint"]
        assert "register" not in error["hint"]
        credits = cli("--json", "credits").json()
        assert credits["available"] == 0 and credits["frozen"] == 0


def test_free_plan_export_gives_plan_wording(tmp_path: Path) -> None:
    with project(tmp_path, block_free_export=True) as cli:
        work = cli.cwd
        photo = make_image(work / "p.jpg")
        assert (
            cli(
                "chat", "turn this image into a 1-second animated video clip", "-f", str(photo)
            ).code
            == 0
        )
        result = cli("--json", "export")
        assert result.code == 9
        error = result.json()["error"]
        assert error["code"] == 402
        assert "upgrade" in error["hint"].lower() and "credit" not in error["hint"].lower()


def _render_id(cli: Cli, deadline: float) -> str | None:
    path = cli.state_dir / "sessions.json"
    while time.monotonic() < deadline:
        if path.exists():
            for records in json.loads(path.read_text()).values():
                for record in records.values():
                    if record.get("render_id"):
                        return str(record["render_id"])
        time.sleep(0.05)
    return None


@pytest.mark.slow
def test_export_resumes_after_sigkill_with_one_job(cli: Cli, photo: Path, backend: Any) -> None:
    assert (
        cli("chat", "turn this image into a 4-second animated video clip", "-f", str(photo)).code
        == 0
    )
    out = cli.cwd / "resumed.mp4"
    proc = cli.spawn("export", "-o", str(out))
    try:
        render_id = _render_id(cli, time.monotonic() + 30)
        assert render_id, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.3)  # let the submit reach the backend, then kill mid-poll
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert not out.exists()
    resumed = cli("--json", "export", "--resume")
    assert resumed.code == 0, resumed.err + resumed.out
    assert resumed.json()["job_id"] == render_id
    assert probe(out)["codec"] == "h264"
    renders = list((backend.data_dir / "renders").glob("*.mp4"))
    assert len(renders) == 1, renders


@pytest.mark.slow
def test_cancel_a_running_export(cli: Cli, photo: Path) -> None:
    assert (
        cli("chat", "turn this image into a 30-second animated video clip", "-f", str(photo)).code
        == 0
    )
    proc = cli.spawn("export", "--no-download")
    try:
        assert _render_id(cli, time.monotonic() + 30)
        cancelled = cli("--json", "export", "--cancel")
        assert cancelled.code == 0, cancelled.err
        assert cancelled.json()["status"] in ("cancelled", "completed")
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 15, proc.stderr.read() if proc.stderr else ""
