"""The project as its claim link shows it: a read-only view scoped by a claim token.

A claim token grants read access to ONE session until it expires; the view
never names the user or their bearer token. :func:`project_view` is the JSON
the page's script renders; :func:`page` is the HTML around it (player,
download link and credits rendered on the server, the timeline by the script).
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from nemo_skill import timeline
from nemo_skill.local.store import Claim, Job, Store

CLAIM_PATH = "/workspace/claim"
STATIC_PATH = "/workspace/static"
EXPORT_HOW = (
    'Ask for an export in the chat ("export the video"), or run `nemo-skill export -o video.mp4` '
    "in the project's folder, then reload this page."
)
NEW_LINK_HOW = "Run `nemo-skill open` in the project's folder for a fresh link."


@dataclass(frozen=True)
class Project:
    """What a valid claim token opens."""

    claim: Claim
    token: str
    title: str
    draft: dict[str, Any] | None
    render: Job | None  # the latest completed render whose MP4 is on disk
    running: Job | None  # a newer export still pending or processing
    credits: dict[str, float]


def load_project(store: Store, claim: Claim, token: str) -> Project | None:
    """The claimed session's title, draft, renders and its owner's credits (None if gone)."""
    row = store.session(claim.session_id, claim.user_id)
    user = store.user(claim.user_id)
    if row is None or user is None:
        return None
    done = store.latest_job(claim.session_id, "completed")
    if done is not None and not (done.output and Path(done.output).is_file()):
        done = None
    latest = store.latest_job(claim.session_id)
    running = latest if latest is not None and latest.status in ("pending", "processing") else None
    credits = {
        "available": user.available,
        "frozen": user.frozen,
        "total": user.available + user.frozen,
    }
    return Project(
        claim, token, str(row["task_name"]), store.latest_draft(claim.session_id), done, running,
        credits,
    )  # fmt: skip


def video_url(token: str, *, download: bool = False) -> str:
    """The render's URL scoped by the claim token (no bearer token needed)."""
    return f"{CLAIM_PATH}/video?ct={quote(token, safe='')}" + ("&download=1" if download else "")


def download_name(title: str) -> str:
    """A safe file name for the download: the project title, ASCII letters, digits, - and _."""
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in title)
    return (stem.strip("-")[:60] or "video") + ".mp4"


def _size(n: int) -> str:
    """``840 KB``, ``12.3 MB``."""
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{max(1, round(n / 1024))} KB"


def _iso(ts: float | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def timeline_view(draft: Any) -> dict[str, Any] | None:
    """Tracks with every segment: type, label, times (s), title/caption text, music and volume."""
    described = timeline.describe_draft(draft)
    if described is None:
        return None
    tracks = []
    for line in timeline.summarize(draft):
        tracks.append(
            {
                "type": line.kind,
                "label": line.label,
                "start": line.start_ms / 1000.0,
                "end": line.end_ms / 1000.0,
                "segments": [
                    {
                        "label": seg.label,
                        "name": seg.name or None,
                        "start": seg.start_ms / 1000.0,
                        "end": seg.end_ms / 1000.0,
                        "text": seg.text,
                        "volume": seg.percent(),
                        "details": {k: v for k, v in seg.fields if v not in (None, "", [])},
                    }
                    for seg in line.segments
                ],
            }
        )
    return {**described, "tracks": tracks, **_blocks_view(draft)}


def _blocks_view(draft: Any) -> dict[str, Any]:
    """A block per photo (``segments``, each caption with its notes) and ``whole_clip``:
    the music and the texts not anchored to one photo."""
    from nemo_skill.local.textnotes import draft_notes, say_note

    notes: dict[str, list[str]] = {}  # by the text's words (a note carries no segment id)
    for note in draft_notes(draft):
        notes.setdefault(note.text, []).append(say_note(note, "en"))

    def text(seg: dict[str, Any]) -> dict[str, Any]:
        return {**seg, "notes": notes.get((seg["text"] or "").strip(), [])}

    found = timeline.blocks(draft)
    segments = [
        {**seg, "captions": [text(c) for c in seg["captions"]]}
        for seg in timeline.describe_segments(draft)
    ]
    music = [
        {"name": m.name, "start": m.start_ms / 1000.0, "end": m.end_ms / 1000.0,
         "volume": m.percent(), "bpm": m.bpm}
        for m in found.music
    ]  # fmt: skip
    texts = [text(timeline.text_json(t)) for t in found.texts]
    return {"segments": segments, "whole_clip": {"music": music, "texts": texts}}


def project_view(project: Project) -> dict[str, Any]:
    """The JSON the claim page renders (no user id, no bearer token)."""
    render = project.render
    return {
        "project": {
            "title": project.title,
            "link_expires_at": _iso(project.claim.expires_at),
        },
        "timeline": timeline_view(project.draft),
        "render": None
        if render is None
        else {
            "id": render.id,
            "completed_at": _iso(render.completed),
            "size_bytes": Path(render.output or "").stat().st_size,
            "video_url": video_url(project.token),
            "download_url": video_url(project.token, download=True),
            "file_name": download_name(project.title),
            "stale": project.draft is not None and render.draft != project.draft,
        },
        "export_running": None
        if project.running is None
        else {"status": project.running.status, "progress": project.running.progress},
        "how_to_export": EXPORT_HOW,
        "credits": project.credits,
    }


# --- HTML ---------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _shell(title: str, body: str, *, script: bool = False) -> str:
    tail = f'<script src="{STATIC_PATH}/claim.js" defer></script>\n' if script else ""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n"
        f'<link rel="stylesheet" href="{STATIC_PATH}/claim.css">\n'
        f"</head>\n<body>\n{body}\n{tail}</body>\n</html>\n"
    )


def _credits_html(credits: dict[str, float]) -> str:
    def n(x: float) -> str:
        return f"{x:g}"

    return (
        '<section id="credits" aria-labelledby="credits-h">\n<h2 id="credits-h">Credits</h2>\n'
        f'<p><strong data-credits="available">{n(credits["available"])}</strong> available'
        f' · <span data-credits="frozen">{n(credits["frozen"])}</span> held by a running turn'
        f' · <span data-credits="total">{n(credits["total"])}</span> total</p>\n'
        '<p class="hint">This is the embedded offline backend: to add credits run '
        "<code>nemo-skill serve-local --add-credits 500</code> (with the server's "
        "<code>--data-dir</code> if it has one).</p>\n</section>"
    )


def _player_html(project: Project) -> str:
    parts = ['<section id="player" aria-labelledby="player-h">\n<h2 id="player-h">Video</h2>']
    if project.running is not None:
        parts.append(
            f'<p class="notice" id="export-running">An export is {_e(project.running.status)} '
            f"({project.running.progress:.0f}%); reload this page when it is done.</p>"
        )
    render = project.render
    if render is None:
        parts.append(
            '<div class="notice" id="no-render"><p><strong>No export yet.</strong> '
            f"{_e(EXPORT_HOW)}</p></div>"
        )
    else:
        size = _size(Path(render.output or "").stat().st_size)
        name = download_name(project.title)
        parts.append(
            f'<video id="video" controls preload="auto" playsinline '
            f'src="{_e(video_url(project.token))}"></video>\n'
            f'<p class="actions"><a id="download" class="button" '
            f'href="{_e(video_url(project.token, download=True))}" download="{_e(name)}">'
            f'Download MP4</a> <span class="meta">{size} · exported '
            f"{_e(_iso(render.completed) or '')}</span></p>"
        )
        if project.draft is not None and render.draft != project.draft:
            parts.append(
                '<p class="notice" id="stale">The timeline has changed since this export: '
                "export again to see the changes in the video.</p>"
            )
    parts.append("</section>")
    return "\n".join(parts)


def page(project: Project) -> str:
    """The claim page: player or export notice, timeline (filled by the script), credits."""
    view_url = f"{CLAIM_PATH}/view?ct={quote(project.token, safe='')}"
    expires = _iso(project.claim.expires_at) or ""
    body = (
        "<header>\n"
        f"<h1>{_e(project.title)}</h1>\n"
        '<p class="sub">A NemoVideo project on this computer\'s embedded backend. '
        f'Read-only link, valid until <time datetime="{_e(expires)}">{_e(expires)}</time>.</p>\n'
        "</header>\n<main>\n"
        f"{_player_html(project)}\n"
        f'<section id="timeline" aria-labelledby="timeline-h" data-view="{_e(view_url)}">\n'
        '<h2 id="timeline-h">Timeline</h2>\n'
        '<p class="loading" id="timeline-status">Loading the timeline…</p>\n'
        "<noscript><p>The timeline needs JavaScript; its data is at "
        f'<a href="{_e(view_url)}">this JSON view</a>.</p></noscript>\n'
        "</section>\n"
        f"{_credits_html(project.credits)}\n"
        "</main>"
    )
    return _shell(f"{project.title} · NemoVideo project", body, script=True)


def error_page(status: int, title: str, message: str) -> str:
    """A 4xx page: what happened and what to do (no details about other projects)."""
    body = (
        f'<main class="error">\n<h1>{_e(title)}</h1>\n<p>{_e(message)}</p>\n'
        f'<p>{_e(NEW_LINK_HOW)}</p>\n<p class="meta">HTTP {status}</p>\n</main>'
    )
    return _shell(title, body)
