"""``nemo_skill.workspace``: which session a directory (or ``--session NAME``) continues.

Records in a real 0600 ``sessions.json``, keyed by API base then workspace;
updates under an advisory lock, so parallel processes lose no write.
"""

from __future__ import annotations

import json
import multiprocessing
import stat
from pathlib import Path

import pytest

from nemo_skill.config import StateStore
from nemo_skill.workspace import SECTION, Workspace, Workspaces, workspace_key

API = "https://api.test"


@pytest.fixture
def spaces(tmp_state_dir: Path) -> Workspaces:
    return Workspaces(StateStore(tmp_state_dir), API)


def test_keys_name_a_session_or_the_resolved_directory(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert workspace_key("demo") == "name:demo"
    assert workspace_key(cwd=tmp_path / "link") == f"dir:{(tmp_path / 'real').resolve()}"
    assert workspace_key(None, cwd=tmp_path / "real") == workspace_key(cwd=tmp_path / "link")


def test_an_unknown_workspace_is_an_empty_record(spaces: Workspaces) -> None:
    assert spaces.load("name:new") == Workspace(key="name:new")


def test_updates_are_kept_per_api_base_in_a_private_file(
    spaces: Workspaces, tmp_state_dir: Path
) -> None:
    spaces.update("name:a", session_id="s1", render_id="render_1")
    other = Workspaces(StateStore(tmp_state_dir), "https://other.test")
    assert other.load("name:a").session_id is None  # another backend, another session
    assert spaces.load("name:a").render_id == "render_1"
    path = tmp_state_dir / f"{SECTION}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())[API]["name:a"] == {
        "session_id": "s1",
        "render_id": "render_1",
    }


def test_clearing_a_field_removes_it_and_clear_forgets_the_project(spaces: Workspaces) -> None:
    spaces.update("name:a", session_id="s1", render_id="render_1")
    assert spaces.update("name:a", render_id=None).to_dict() == {"session_id": "s1"}
    spaces.update("name:b", session_id="s2")
    spaces.clear("name:a")
    assert spaces.load("name:a") == Workspace(key="name:a")
    assert spaces.load("name:b").session_id == "s2"


@pytest.mark.parametrize(
    "stored",
    [
        {"session_id": 42, "render_id": ["x"], "language": None, "unknown": "x"},
        "not a record",
        ["a", "list"],
    ],
    ids=["mistyped-fields", "a-string", "a-list"],
)
def test_a_damaged_record_reads_as_empty_fields(
    spaces: Workspaces, tmp_state_dir: Path, stored: object
) -> None:
    spaces.update("name:a", task_id="t1")
    path = tmp_state_dir / f"{SECTION}.json"
    path.write_text(json.dumps({API: {"name:a": stored}}))
    assert spaces.load("name:a") == Workspace(key="name:a")
    assert spaces.update("name:a", session_id="s9").session_id == "s9"  # and can be rewritten


def _writer(state_dir: str, index: int) -> None:
    spaces = Workspaces(StateStore(Path(state_dir)), API)
    for round_ in range(10):
        spaces.update(f"name:w{index}", session_id=f"s{index}-{round_}")


def test_parallel_processes_lose_no_write(tmp_state_dir: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(tmp_state_dir), i)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    spaces = Workspaces(StateStore(tmp_state_dir), API)
    assert [spaces.load(f"name:w{i}").session_id for i in range(4)] == [f"s{i}-9" for i in range(4)]


def test_everything_lists_every_record_of_every_backend(
    spaces: Workspaces, tmp_state_dir: Path
) -> None:
    spaces.update("name:a", session_id="s1")
    Workspaces(StateStore(tmp_state_dir), "https://other.test").update("name:b", task_id="t")
    listed = {(api, record.key) for api, record in spaces.everything()}
    assert listed == {(API, "name:a"), ("https://other.test", "name:b")}
