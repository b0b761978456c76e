"""The skill as a Python API: what one user message, or one command, does.

:class:`Skill` routes a message (export / credits / state / upload run
directly; the rest streams ``/run_sse``), remembers the project session per
workspace, recovers from a lost session (1002 → a new session, said plainly),
and exports with a persisted job id so a killed process can resume. The CLI
and the MCP server are thin shells over it: they reach the conversation, the
export job, the turn store and the workspace store only through this class,
and word its symbolic next steps (:class:`~nemo_skill.errors.Next`) themselves.

    from nemo_skill import Skill
    with Skill.from_env() as skill:
        reply = skill.chat("turn this image into a 5-second animated video clip",
                           files=["photo.jpg"])
        print(reply.messages)
        print(skill.export("clip.mp4").path)
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nemo_skill import timeline, wording
from nemo_skill.batch import BatchReport, GenerateItem, run_batch
from nemo_skill.client import NemoClient
from nemo_skill.config import DEFAULT_PROMPT, StateStore
from nemo_skill.conversation import TurnTimings, run_turn, with_session_renewal
from nemo_skill.delivery import GENERATION_NOTICE, ClaimLink, fetch_claim_link, next_steps
from nemo_skill.errors import (
    API_STEPS,
    NemoError,
    Next,
    SessionNotFoundError,
    UsageError,
    bind_url,
    is_anonymous,
    word_hint,
)
from nemo_skill.exporter import Exporter, Pending
from nemo_skill.intents import classify, detect_language
from nemo_skill.models import Credits, RenderJob, SessionState, UploadedFile
from nemo_skill.paths import is_url, resolve_output
from nemo_skill.second_stage import Generation, is_generation, settle_for
from nemo_skill.settings import Settings
from nemo_skill.turns import FAILED, RUNNING, Turns, TurnStore
from nemo_skill.workspace import Workspace, WorkspaceJournal, Workspaces, workspace_key

__all__ = [
    "FAILED",
    "RUNNING",
    "BatchReport",
    "ChatResult",
    "ExportResult",
    "ExportStatus",
    "GenerateItem",
    "Skill",
    "Turns",
    "credits_dict",
]

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """The default progress sink: say nothing."""


@dataclass
class ExportResult:
    """A finished (or cancelled) export."""

    job_id: str
    status: str
    url: str | None = None
    path: str | None = None
    claim_url: str | None = None  # opens the project in the web app (None if unavailable)

    def to_dict(self) -> dict[str, Any]:
        """``{"job_id", "status", "url", "path", "claim_url"}``."""
        return {
            "job_id": self.job_id,
            "status": self.status,
            "url": self.url,
            "path": self.path,
            "claim_url": self.claim_url,
        }


@dataclass
class ExportStatus:
    """Where a render stands; ``next`` is the step that follows (status, download, state)."""

    job_id: str
    status: str
    progress: float = 0.0
    url: str | None = None
    error: str | None = None
    output: str | None = None  # where ``download_export`` saves it by default
    next: Next | None = None

    @classmethod
    def of(cls, job: RenderJob, job_id: str, output: str | None = None) -> ExportStatus:
        """The status of ``job`` with its next step: poll, download, or look at the timeline."""
        if not job.done:
            step: Next | None = Next.EXPORT_STATUS
        else:
            step = None if job.status == "completed" else Next.STATE
        return cls(job_id, job.status, job.progress, job.output_url, job.error, output, step)


@dataclass
class ChatResult:
    """What one user message produced."""

    action: str
    messages: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    question: str | None = None
    options: list[str] = field(default_factory=list)
    state: dict[str, Any] | None = None
    uploaded: list[dict[str, Any]] = field(default_factory=list)
    export: ExportResult | None = None
    credits: dict[str, Any] | None = None
    next: list[str] = field(default_factory=list)  # symbolic (errors.Next): delivery.suggestions
    language: str = "en"  # the session's (wording.LANGUAGES): what the skill says is in it

    def to_dict(self) -> dict[str, Any]:
        """``{"action", "messages", "changes", "question", "state", ..., "next"}``."""
        return {
            "action": self.action,
            "messages": self.messages,
            "changes": self.changes,
            "question": self.question,
            "options": self.options,
            "state": self.state,
            "uploaded": self.uploaded,
            "export": self.export.to_dict() if self.export else None,
            "credits": self.credits,
            "next": self.next,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatResult:
        """A result back from its ``to_dict()`` form (a recorded turn)."""
        known = set(cls.__dataclass_fields__) - {"export"}
        result = cls(**{k: v for k, v in data.items() if k in known})
        if isinstance(data.get("export"), dict):
            result.export = ExportResult(**data["export"])
        return result


def credits_dict(
    credits: Credits, user_id: str | None, web_url: str, *, registers: bool = True
) -> dict[str, Any]:
    """Credits as JSON, with the bind URL for anonymous users of a backend that registers.

    The embedded backend (its local service) has no registration (its credits are topped up
    offline), so ``registers`` is False for it and there is no bind URL.
    """
    return {
        "available": credits.available,
        "frozen": credits.frozen,
        "total": credits.total,
        "user_id": user_id,
        "bind_url": bind_url(web_url, user_id) if registers and is_anonymous(user_id) else None,
    }


class Skill:
    """One project (workspace) driven through a :class:`NemoClient`."""

    def __init__(
        self,
        client: NemoClient,
        *,
        workspace: str | None = None,
        progress: Progress = _quiet,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        steps: Mapping[Next, str] = API_STEPS,
    ) -> None:
        self.client = client
        # The shell's one table of next steps (errors.Next): replies and progress lines
        # name steps as {next:NAME} and reach the caller in its words.
        self.steps = steps
        self.progress: Progress = lambda line: progress(word_hint(line, None, steps))
        self.sleep = sleep
        self.clock = clock  # with ``sleep``: every wait (turns, renders) is on this clock
        self.key = workspace or workspace_key()
        self.workspaces = Workspaces(
            StateStore(client.settings.state_dir), client.settings.store_key
        )
        self.notes: list[str] = []
        self._turns: Turns | None = None

    @staticmethod
    def key_for(session_name: str | None = None) -> str:
        """The workspace key of ``--session NAME``, else of the current directory."""
        return workspace_key(session_name)

    def take_notes(self) -> list[str]:
        """Notices for the user since the last call (e.g. a new session was started)."""
        notes, self.notes = list(self.notes), []
        return [word_hint(note, None, self.steps) for note in notes]

    @property
    def turns(self) -> Turns:
        """Idempotent turns (by turn id) in this client's state directory."""
        if self._turns is None:
            self._turns = Turns(TurnStore(self.client.settings.state_dir))
        return self._turns

    @classmethod
    def from_env(cls, *, workspace: str | None = None, progress: Progress = _quiet) -> Skill:
        """A skill on a client built from the environment (``NEMO_*``).

        ``NEMO_API_URL=local`` is this machine's local service for the data folder (started
        in the background on first use, shared with the CLI and the MCP server).
        """
        return cls(NemoClient(Settings.from_env()), workspace=workspace, progress=progress)

    def close(self) -> None:
        """Close the client."""
        self.client.close()

    def __enter__(self) -> Skill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- sessions -----------------------------------------------------------
    @property
    def project(self) -> Workspace:
        """The stored record of this workspace."""
        return self.workspaces.load(self.key)

    def new_session(self, language: str | None = None) -> Workspace:
        """Start a fresh backend session for this workspace and remember it."""
        lang = language or self.project.language or "en"
        info = self.client.create_session(language=lang)
        return self.workspaces.update(
            self.key,
            session_id=info.session_id,
            task_id=info.task_id,
            user_id=info.user_id or self.client.user_id,
            language=lang,
            render_id=None,
            render_out=None,
            render_digest=None,
            render_retry_of=None,
            generated_at=None,
            created=_now(),
            last_activity=_now(),
            last_message=None,
            last_export=None,
        )

    def session_id(self, first_message: str | None = None) -> str:
        """The workspace's session id, creating the session on first contact."""
        project = self.project
        if project.session_id:
            return project.session_id
        self.progress("Setting up...")
        language = detect_language(first_message) if first_message else None
        session = self.new_session(language).session_id
        assert session is not None
        return session

    def _with_session(self, call: Callable[[str], Any], first_message: str | None = None) -> Any:
        """Run ``call(session_id)``; on 1002 start a new session once and say so."""

        def renew(error: SessionNotFoundError) -> None:
            self.journal.settle(delivered=False)  # its render belonged to the lost session
            self.new_session()

        def say(note: str) -> None:
            self.progress(note)
            self.notes.append(note)

        return with_session_renewal(lambda: call(self.session_id(first_message)), renew, say=say)

    # --- actions ------------------------------------------------------------
    def upload(self, items: Sequence[str | Path]) -> list[UploadedFile]:
        """Upload local files and/or URLs to the session."""
        paths = [Path(i) for i in items if not is_url(str(i))]
        urls = [str(i) for i in items if is_url(str(i))]
        uploaded: list[UploadedFile] = []

        def bar(done: int, total: int) -> None:
            if total >= 8 * 1024 * 1024:
                self.progress(f"uploading… {done * 100 // max(total, 1)}%")

        if paths:
            result = self._with_session(
                lambda sid: self.client.upload_files(sid, paths, progress=bar)
            )
            uploaded.extend(result.files)
        if urls:
            uploaded.extend(
                self._with_session(lambda sid: self.client.upload_urls(sid, urls)).files
            )
        return uploaded

    def state(self) -> SessionState:
        """The latest state of the session."""
        state: SessionState = self._with_session(self.client.state)
        return state

    def credits(self) -> dict[str, Any]:
        """Available/frozen/total credits and, for anonymous users, the bind URL."""
        credits = self.client.credits()
        settings = self.client.settings
        return credits_dict(
            credits, self.client.user_id, settings.web_url, registers=not settings.in_process
        )

    def chat(
        self,
        message: str,
        files: Sequence[str | Path] = (),
        *,
        output: str | Path | None = None,
        force: bool = False,
    ) -> ChatResult:
        """Handle one user message (uploading ``files`` first)."""
        if not message.strip() and not files:
            raise UsageError(
                "The message is empty.",
                hint=f'Say what to make, e.g. "{DEFAULT_PROMPT}".',
            )
        intent = classify(message, has_files=bool(files))
        self.session_id(message)
        uploaded = [f.model_dump(mode="json") for f in self.upload(files)] if files else []
        result = ChatResult(
            action=intent.action, uploaded=uploaded, language=self._language(message)
        )
        if intent.action == "upload":
            result.messages.append(_upload_reply(uploaded))
        elif intent.action == "credits":
            result.credits = self.credits()
        elif intent.action == "state":
            draft = self.state().draft
            result.state = timeline.describe_draft(draft)
            result.messages.append(timeline.format_summary(draft) or "The timeline is empty.")
        elif intent.action == "export":
            result.export = self.export(output, force=force)
            result.messages.append(f"Exported to {result.export.path or result.export.url}")
            result.next = next_steps(None, exported=True)
        else:
            if files or self.project.last_message is None or _GENERATION.search(message):
                self.progress(GENERATION_NOTICE)
            self._chat_turn(message, result)
            result.next = [] if result.question else next_steps(result.state)
        self._touch(last_message=_shorten(message))
        result.messages[:0] = self.take_notes()
        result.messages = [word_hint(text, None, self.steps) for text in result.messages]
        return result

    def _language(self, message: str) -> str:
        """The session's language (recorded with the workspace), else the message's."""
        return wording.language(self.project.language or detect_language(message))

    def _chat_turn(self, message: str, result: ChatResult) -> None:
        turn = self._with_session(
            lambda sid: run_turn(
                self.client,
                sid,
                message,
                progress=self.progress,
                timings=TurnTimings(clock=self.clock, sleep=self.sleep),
                language=result.language,
            ),
            message,
        )
        if is_generation(turn.tool_calls):  # the backend's second stage may still follow
            self.journal.generated(Generation(time.time()))
        result.messages.extend(turn.messages)
        result.changes.extend(turn.changes)
        result.question = turn.question
        result.options = list(turn.options)
        result.state = turn.state

    def _touch(self, **changes: str | None) -> None:
        """Record activity for the list of projects (never fails the command)."""
        with contextlib.suppress(OSError):
            self.workspaces.update(self.key, last_activity=_now(), **changes)

    # --- delivery -----------------------------------------------------------
    def claim_link(self) -> ClaimLink:
        """A link that opens this workspace's project in the web app.

        Only the claim token goes in the URL; a backend that answers with the
        bearer token itself is refused rather than leaking it into a link.
        """
        project = self.project
        if not project.session_id or not project.task_id:
            raise UsageError(
                "There is no project in this workspace yet, so there is nothing to open.",
                hint="Start one with {next}, or continue one listed by {next:projects} from its "
                "folder or with its session name.",
                next=Next.CHAT,
            )
        return fetch_claim_link(self.client, project.task_id, project.session_id)

    def claim_url_or_none(self) -> str | None:
        """:meth:`claim_link`'s URL, or None with a note: a missing link never fails a delivery."""
        try:
            return self.claim_link().url
        except NemoError as exc:
            note = f"(No web link this time: {exc.message})"
            self.progress(note)
            self.notes.append(note)
            return None

    def projects(self) -> list[dict[str, Any]]:
        """This machine's projects, most recently active first."""
        return project_rows(self.workspaces, self.key)

    @staticmethod
    def list_projects(settings: Settings, session: str | None = None) -> list[dict[str, Any]]:
        """:meth:`projects` without a client: reads only the local store, starts nothing.

        ``session`` is the ``--session NAME`` of the current project (else the folder).
        """
        store = Workspaces(StateStore(settings.state_dir), settings.store_key)
        return project_rows(store, workspace_key(session))

    # --- export (the rules live in nemo_skill.exporter) ---------------------------
    @property
    def journal(self) -> WorkspaceJournal:
        """This workspace's export journal (the render in flight, the last generation)."""
        return WorkspaceJournal(self.workspaces, self.key)

    def exporter(self) -> Exporter:
        """The exporter of this workspace's session, on this skill's clock and progress."""
        return Exporter(self.client, self.journal, self.state, progress=self.progress,
                        sleep=self.sleep, clock=self.clock,
                        settle_s=settle_for(self.client.settings))  # fmt: skip

    def export(
        self,
        output: str | Path | None = None,
        *,
        force: bool = False,
        resume: bool | str = False,
        download: bool = True,
        on_update: Callable[[Any], None] | None = None,
    ) -> ExportResult:
        """Render the session's draft and download the MP4.

        A render still in flight from an interrupted command is followed, not
        doubled, unless the timeline changed since; ``resume`` (True or a job
        id) follows that render and never starts an unrelated one.
        """
        if download and not output and not resume:
            self._output_dir()  # a bad output_dir setting is refused before any work

        def target(render_id: str, pending: Pending | None) -> Path | None:
            if not download:
                return None
            chosen = output or (pending.output if pending else None) or self._output_dir()
            return resolve_output(chosen, render_id, force=force or pending is not None)

        done = self.exporter().run(target, resume=resume, on_update=on_update)
        path = str(done.path) if done.path else None
        result = ExportResult(done.job_id, done.status, done.url, path)
        result.claim_url = self.claim_url_or_none()
        self._touch(last_export=result.path or result.url)
        return result

    def _output_dir(self) -> Path | None:
        """The ``output_dir`` setting (used when no output is given), checked before any work."""
        folder = self.client.settings.output_dir
        if folder is not None and not folder.is_dir():
            raise UsageError(
                f"The output folder from the settings (output_dir) does not exist: {folder}",
                hint="Create it, change or unset the output_dir setting, or give an output path.",
            )
        return folder

    def cancel_export(self, render_id: str | None = None) -> ExportResult:
        """Ask the backend to cancel the pending (or given) render."""
        status = self.exporter().cancel(render_id)
        job_id = render_id or status.id or ""
        return ExportResult(job_id, status.status, status.output_url, None)

    # --- export by job id (for callers that poll: MCP hosts) -----------------
    def begin_export(
        self, output: str | Path | None = None, *, force: bool = False
    ) -> ExportStatus:
        """Submit a render (or follow the one in flight) and return at once.

        ``output`` is checked now and used on download.
        """

        def target(render_id: str, pending: Pending | None) -> Path | None:
            if output:
                return resolve_output(output, render_id, force=force or pending is not None)
            return Path(pending.output) if pending and pending.output else None

        job, dest = self.exporter().start(target)
        status = job.last.status if job.last else "pending"
        return ExportStatus(job.render_id, status, output=str(dest) if dest else None,
                            next=Next.EXPORT_STATUS)  # fmt: skip

    def export_status(self, job_id: str) -> ExportStatus:
        """A render's status and progress; an id the backend does not know is a usage error.

        A render of this workspace that ended ``failed`` is retried once under a
        new id: the status then carries the new id, to poll from now on.
        """
        current_id, status = self.exporter().status(job_id)
        return ExportStatus.of(status, current_id)

    def download_export(
        self, job_id: str, output: str | Path | None = None, *, force: bool = False
    ) -> ExportResult:
        """Save a completed render (default: where :meth:`begin_export` was told)."""
        exporter = self.exporter()
        pending = self.journal.pending()
        mine = pending is not None and job_id in (pending.render_id, pending.retry_of)
        target = output or (pending.output if mine and pending else None) or self._output_dir()
        current, path = exporter.download(job_id, resolve_output(target, job_id, force=force))
        result = ExportResult(job_id, current.status, current.output_url, str(path))
        result.claim_url = self.claim_url_or_none()
        self._touch(last_export=result.path)
        return result

    # --- batch --------------------------------------------------------------
    def generate(
        self,
        files: Sequence[str | Path],
        prompt: str = DEFAULT_PROMPT,
        *,
        output: str | Path | None = None,
        force: bool = False,
        jobs: int | None = None,
        fresh: bool = False,
    ) -> BatchReport:
        """One clip per file, ``jobs`` at a time, each in its own session (:mod:`.batch`).

        Resumable: running it again with the same files and prompt skips
        finished items and never re-sends a turn; ``fresh`` starts over. One
        failure does not stop the others; 2001/402 stop starting new ones.
        """
        output = output or self._output_dir()
        return run_batch(self.client, files, prompt, output=output, force=force, jobs=jobs,
                         fresh=fresh, progress=self.progress, sleep=self.sleep)  # fmt: skip


_GENERATION = re.compile(
    r"generat|animat|\bturn\b.*\binto\b|\bmake\b.*\b(?:video|clip)|生成|动画|動画|vídeo|vidéo",
    re.IGNORECASE,
)


def project_rows(workspaces: Workspaces, current: str) -> list[dict[str, Any]]:
    """Every stored project as JSON rows, most recently active first."""
    rows = []
    for backend, project in workspaces.everything():
        kind, _, name = project.key.partition(":")
        rows.append({
            "workspace": name,
            "kind": "session" if kind == "name" else "directory",
            "session_id": project.session_id,
            "backend": backend,
            "created": project.created,
            "last_activity": project.last_activity or project.created,
            "last_message": project.last_message,
            "last_export": project.last_export,
            "current": project.key == current and backend == workspaces.api_url,
        })  # fmt: skip
    rows.sort(key=lambda row: row["last_activity"] or "", reverse=True)
    return rows


def _now() -> str:
    """Now as ISO-8601 UTC, second precision (sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _shorten(text: str, limit: int = 160) -> str:
    # A lone surrogate (undecodable input) cannot be stored as UTF-8: mark it U+FFFD.
    flat = re.sub("[\ud800-\udfff]", "\ufffd", " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _upload_reply(uploaded: list[dict[str, Any]]) -> str:
    if not uploaded:
        return "Nothing was uploaded: attach files with {next:files}."
    names = ", ".join(str(f.get("filename") or "file") for f in uploaded)
    return (
        f"Uploaded {names}. Tell me what to make, e.g. \u201c{DEFAULT_PROMPT}\u201d, "
        "or add an aspect ratio (9:16), a title or music."
    )
