"""What a delivery carries besides the MP4: the claim link, next steps, the retry rule.

- The claim link opens the project in the web app:
  ``<web_url>/workspace/claim?ct=<claim_token>``. Only the short-lived claim
  token goes in the URL, never the bearer token or the user id.
- Next steps are symbolic (:data:`NEXT_STEPS`); each shell words them for its
  own audience (the CLI names commands, the MCP server names tools).
- A render that ends ``failed`` is worth one more try with a new id; an
  answer that refuses the work (402, 2001, any other 4xx) is not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from nemo_skill.errors import NemoError, ProtocolError

if TYPE_CHECKING:
    from nemo_skill.client import NemoClient

CLAIM_PATH: Final = "/workspace/claim"

# Symbolic next steps, in the order they are offered when several fit.
NEXT_STEPS: Final[tuple[str, ...]] = (
    "export",  # render the MP4 and download it
    "add_music",  # the timeline has no audio track
    "add_title",  # the timeline has no text track
    "vertical",  # landscape or square: offer 9:16 for phones
    "longer",  # a short clip: offer a longer one
    "edit",  # change the motion, pace or text
    "open_link",  # open the project in the web app
    "another_clip",  # animate another image
)

GENERATION_NOTICE: Final = (
    "Generating the clip: this may take a few minutes. I'll keep you posted here."
)


@dataclass(frozen=True)
class ClaimLink:
    """A link that opens one project in the web app, and how long it stays valid."""

    url: str
    expires_in: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"url", "expires_in"}`` (seconds, or null when the backend did not say)."""
        return {"url": self.url, "expires_in": self.expires_in}


def claim_url(web_url: str, claim_token: str) -> str:
    """``<web_url>/workspace/claim?ct=<claim_token>`` with the token URL-quoted."""
    return f"{web_url.rstrip('/')}{CLAIM_PATH}?ct={quote(claim_token, safe='')}"


def fetch_claim_link(client: NemoClient, task_id: str, session_id: str) -> ClaimLink:
    """Ask the backend for a claim token and build the link.

    A backend that answers with the bearer token itself (or nothing) is refused
    rather than putting a sign-in token into a shareable URL.
    """
    claim = client.claim_token(task_id, session_id)
    bearer = client.settings.token or getattr(client, "_token", None)
    if not claim.claim_token.strip() or (bearer and bearer in claim.claim_token):
        raise ProtocolError(
            "The backend answered the claim call without a usable claim token.",
            hint="Try again later; the project itself is safe.",
        )
    return ClaimLink(claim_url(client.settings.web_url, claim.claim_token), claim.expires_in)


def claim_url_or_none(
    client: NemoClient, task_id: str | None, session_id: str | None
) -> str | None:
    """:func:`fetch_claim_link`'s URL, or None: a missing link never fails a delivery."""
    if not task_id or not session_id:
        return None
    try:
        return fetch_claim_link(client, task_id, session_id).url
    except NemoError:
        return None


def next_steps(state: Mapping[str, Any] | None, *, exported: bool = False) -> list[str]:
    """Two or three symbolic next steps after a generation, an edit or an export.

    ``state`` is :func:`nemo_skill.timeline.describe_draft` output (None when the
    timeline is unknown or empty).
    """
    if not state or not state.get("tracks"):
        return ["open_link", "edit", "another_clip"] if exported else ["another_clip", "edit"]
    kinds = {str(track.get("type")) for track in state.get("tracks") or []}
    steps = ["open_link"] if exported else ["export"]
    if "audio" not in kinds:
        steps.append("add_music")
    if "text" not in kinds:
        steps.append("add_title")
    width, height = state.get("width"), state.get("height")
    if isinstance(width, int | float) and isinstance(height, int | float) and width >= height:
        steps.append("vertical")
    duration = state.get("duration")
    if isinstance(duration, int | float) and 0 < duration < 8:
        steps.append("longer")
    steps += ["edit", "another_clip"] if exported else ["edit"]
    unique = list(dict.fromkeys(steps))
    return unique[:3]


_REFUSAL: Final = re.compile(
    r"\b(?:4\d\d|2001)\b|insufficient|credits?\b|plan required|forbidden|unauthori[sz]ed",
    re.IGNORECASE,
)


def worth_retrying(status: str | None, detail: str | None) -> bool:
    """True for a render that ended ``failed``, unless its error is a refusal.

    ``detail`` is the job's own error text (not our message, whose render id
    may contain any digits). A refusal (402, 2001, another 4xx, credits or
    plan) would fail the same way again.
    """
    return status == "failed" and not (detail and _REFUSAL.search(detail))
