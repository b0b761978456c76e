"""How a draft names an uploaded file: ``/files/<sha256>/<name>``, with no host and no port.

The local service listens on a new port every start, so a draft that stored a URL
with a port would point at a dead address after a restart, and the same photo would
look new to every process. A reference is the file's content hash and its display
name: stable across restarts, ports and processes. The backend resolves it to the
stored blob (:func:`nemo_skill.local.uploads.source_resolver`); drafts written before
this rule (``http://127.0.0.1:PORT/files/<sha>/<name>``) are read as references.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

_FILE_PATH = re.compile(r"^/files/([0-9a-f]{64})(?:/(.*))?$")


def file_ref(sha256: str, name: str) -> str:
    """The reference of an uploaded file: ``/files/<sha256>/<quoted name>``."""
    return f"/files/{sha256}/{quote(name)}"


def ref_sha(src: str) -> str | None:
    """The content hash a draft source names (a reference or an old URL with a port)."""
    match = _FILE_PATH.match(urlsplit(src).path if "://" in src else src)
    return match.group(1) if match else None


def stable_ref(src: str) -> str:
    """``src`` as a reference when it names an uploaded file (host and port dropped)."""
    if "://" not in src:
        return src
    parts = urlsplit(src)
    return parts.path if _FILE_PATH.match(parts.path) and not parts.query else src


def with_stable_refs(draft: Any) -> Any:
    """``draft`` with every uploaded-file URL of its segments made a reference (a copy)."""
    if not isinstance(draft, dict) or not isinstance(draft.get("t"), list):
        return draft
    tracks = []
    for track in draft["t"]:
        if isinstance(track, dict) and isinstance(track.get("sg"), list):
            segments = [
                {**seg, "src": stable_ref(seg["src"])}
                if isinstance(seg, dict) and isinstance(seg.get("src"), str)
                else seg
                for seg in track["sg"]
            ]
            track = {**track, "sg": segments}
        tracks.append(track)
    return {**draft, "t": tracks}
