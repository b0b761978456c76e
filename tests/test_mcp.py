"""The MCP server over stdio with the SDK's client, against the embedded backend."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")
pytest.importorskip("cv2")

from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.e2e.support import make_image


async def _session_run(tmp: Path, body: Any) -> Any:
    params = StdioServerParameters(
        command=sys.executable,
        args=[
            "-m",
            "nemo_skill.cli",
            "--api-url",
            "local",
            "--state-dir",
            str(tmp / "state"),
            "mcp",
        ],
        cwd=str(tmp),
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        return await asyncio.wait_for(body(session), timeout=120)


async def _poll(session: ClientSession, turn_id: str) -> dict[str, Any]:
    for _ in range(200):
        result = await session.call_tool("get_turn", {"turn_id": turn_id})
        data: dict[str, Any] = result.structured_content or {}
        if data.get("turn_state") != "running":
            return data
        await asyncio.sleep(0.1)
    raise AssertionError("turn did not finish")


def test_host_polls_a_turn_to_the_end_and_exports(tmp_path: Path) -> None:
    image = make_image(tmp_path / "photo.jpg")
    out = tmp_path / "clip.mp4"

    async def body(session: ClientSession) -> dict[str, Any]:
        names = {t.name for t in (await session.list_tools()).tools}
        assert {
            "chat",
            "get_turn",
            "cancel_turn",
            "upload",
            "state",
            "credits",
            "generate",
            "export_start",
            "export_status",
            "export_download",
            "export_cancel",
        } <= names
        first = await session.call_tool("chat", {
            "message": "turn this image into a 1-second animated video clip",
            "files": [str(image)], "turn_id": "turn-1"})  # fmt: skip
        assert not first.is_error
        done = await _poll(session, "turn-1")
        again = await session.call_tool("chat", {"message": "turn this image into a 1-second animated video clip",
                                                 "turn_id": "turn-1"})  # fmt: skip
        credits = (await session.call_tool("credits", {})).structured_content or {}
        start = (await session.call_tool("export_start", {})).structured_content or {}
        job = start["job_id"]
        for _ in range(300):
            status = (
                await session.call_tool("export_status", {"job_id": job})
            ).structured_content or {}
            if status["status"] in ("completed", "failed", "cancelled"):
                break
            await asyncio.sleep(0.1)
        saved = await session.call_tool("export_download", {"job_id": job, "output": str(out)})
        return {"done": done, "again": again.structured_content, "credits": credits,
                "status": status, "saved": saved.structured_content}  # fmt: skip

    result = asyncio.run(_session_run(tmp_path, body))
    assert result["done"]["turn_state"] == "stopped"
    assert result["done"]["messages"]
    assert result["again"]["turn_id"] == "turn-1" and result["again"]["turn_state"] == "stopped"
    # one generation charged once: 1000 demo credits - 100
    assert result["credits"]["available"] == 900
    assert result["status"]["status"] == "completed"
    assert result["saved"]["media"] == f"MEDIA:{out}"
    import av

    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


def test_tool_errors_carry_the_hint(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")

    async def body(session: ClientSession) -> Any:
        return await session.call_tool("upload", {"paths": [str(bad)]})

    result = asyncio.run(_session_run(tmp_path, body))
    assert result.is_error
    text = result.content[0].text
    assert "Unsupported file type" in text and "jpg" in text
    assert "Traceback" not in text
