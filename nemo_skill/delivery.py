"""What a delivery carries besides the MP4: the claim link, next steps, the retry rule.

- The claim link opens the project in the web app:
  ``<web_url>/workspace/claim?ct=<claim_token>``. Only the short-lived claim
  token goes in the URL, never the bearer token or the user id.
- Next steps are symbolic (:data:`NEXT_STEPS`, members of
  :class:`~nemo_skill.errors.Next`); :func:`suggestions` words them with a
  shell's table (the CLI names commands, the MCP server tools, the API calls).
- A render that ends ``failed`` is worth one more try with a new id; an
  answer that refuses the work (402, 2001, any other 4xx) is not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from nemo_skill.errors import API_STEPS, NemoError, Next, ProtocolError
from nemo_skill.wording import word

if TYPE_CHECKING:
    from nemo_skill.client import NemoClient

CLAIM_PATH: Final = "/workspace/claim"

# Symbolic next steps, in the order they are offered when several fit, and what each does.
STEP_LABELS: Final[Mapping[Next, str]] = {
    Next.EXPORT: "Export the MP4",  # render the MP4 and download it
    Next.ADD_MUSIC: "Add music",  # the timeline has no audio track
    Next.ADD_TITLE: "Add a title",  # the timeline has no text track
    Next.VERTICAL: "Make it vertical for phones",  # landscape or square: offer 9:16
    Next.LONGER: "Make it longer",  # a short clip: offer a longer one
    Next.EDIT: "Change the motion or pace",  # change the motion, pace or text
    Next.OPEN_LINK: "Open the project in the web app",
    Next.ANOTHER_CLIP: "Animate another image",
}
NEXT_STEPS: Final[tuple[Next, ...]] = tuple(STEP_LABELS)

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
    """Two or three symbolic next steps (:class:`Next` values) after a clip, an edit, an export.

    ``state`` is :func:`nemo_skill.timeline.describe_draft` output (None when the
    timeline is unknown or empty).
    """
    if not state or not state.get("tracks"):
        after_export = [Next.OPEN_LINK, Next.EDIT, Next.ANOTHER_CLIP]
        return [s.value for s in (after_export if exported else [Next.ANOTHER_CLIP, Next.EDIT])]
    kinds = {str(track.get("type")) for track in state.get("tracks") or []}
    steps = [Next.OPEN_LINK] if exported else [Next.EXPORT]
    if "audio" not in kinds:
        steps.append(Next.ADD_MUSIC)
    if "text" not in kinds:
        steps.append(Next.ADD_TITLE)
    width, height = state.get("width"), state.get("height")
    if isinstance(width, int | float) and isinstance(height, int | float) and width >= height:
        steps.append(Next.VERTICAL)
    duration = state.get("duration")
    if isinstance(duration, int | float) and 0 < duration < 8:
        steps.append(Next.LONGER)
    steps += [Next.EDIT, Next.ANOTHER_CLIP] if exported else [Next.EDIT]
    return [step.value for step in dict.fromkeys(steps)][:3]


def suggestions(
    steps: Sequence[str], table: Mapping[Next, str] = API_STEPS, language: str | None = "en"
) -> list[str]:
    """Symbolic next steps as a shell's sentences: ``"Add music: <how, in its words>"``,
    the label in ``language`` (:mod:`.wording`).

    ``steps`` may come from a record written by another version: unknown ones are skipped.
    """
    known = [Next(step) for step in steps if step in STEP_LABELS]
    return [
        f"{word(STEP_LABELS[step], language)}: {table.get(step, API_STEPS[step])}" for step in known
    ]


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
