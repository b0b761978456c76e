"""nemo_skill/backends.py: one local service per data folder, run as real processes.

Every command here is a real ``python -m nemo_skill.cli`` process (or a real
``python -c`` for the Python API) against the service it starts in the background;
the autouse ``isolated_env`` fixture stops what a test leaves running.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cv2")
pytest.importorskip("starlette")

from nemo_skill import backends, portfile
from tests.conftest import ROOT
from tests.e2e.support import make_image

PROMPT = "turn this image into a 5-second animated video clip"
Run = Callable[..., subprocess.CompletedProcess[str]]


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """A process environment: offline, this state dir, a test-sized idle timeout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    return {
        **env,
        "NEMO_SKILL_HOME": str(home),
        "NEMO_API_URL": "local",
        "NEMO_LOCAL_IDLE_S": "60",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def spawn(args: Sequence[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """``nemo-skill ARGS`` as a real process."""
    return subprocess.Popen(
        [sys.executable, "-m", "nemo_skill.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run one command to its end in ``tmp_path/work`` with ``tmp_path/home`` as state."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)

    def go(*args: str, home: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
        env = cli_env(home or tmp_path / "home", **extra)
        return subprocess.run(
            [sys.executable, "-m", "nemo_skill.cli", *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

    return go


def data_dir(home: Path) -> Path:
    return (home / "local").resolve()


def port_file(home: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir(home) / backends.PORT_FILE).read_text())
    return data


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not alive.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def wait_until(check: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_two_commands_at_once_start_one_service(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = cli_env(home)
    procs = [spawn(["--json", "credits"], env, tmp_path) for _ in range(3)]
    results = [finish(p) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert json.loads(out)["available"] > 0
    # One service: one owner lock in the folder, one "serving" line in its log.
    log = (data_dir(home) / backends.LOG_FILE).read_text()
    assert log.count(" serving ") == 1, log
    info = port_file(home)
    assert alive(info["pid"])
    assert oct((data_dir(home) / backends.PORT_FILE).stat().st_mode & 0o777) == "0o600"
    assert info["url"].startswith("http://127.0.0.1:")
    # The three commands were one user of one backend (the same client id, one database).
    users = {json.loads(out)["user_id"] for _, out, _ in results}
    assert len(users) == 1


def test_status_and_stop(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    none = run("--json", "serve-local", "--status")
    assert none.returncode == 0 and json.loads(none.stdout)["running"] is False
    assert run("--json", "credits").returncode == 0
    status = json.loads(run("--json", "serve-local", "--status").stdout)
    assert status["running"] is True and status["pid"] == port_file(home)["pid"]
    assert status["data_dir"] == str(data_dir(home)) and status["uptime_s"] >= 0
    assert "secret" not in status
    text = run("serve-local", "--status").stdout
    assert status["url"] in text and f"pid {status['pid']}" in text

    stopped = run("--json", "serve-local", "--stop")
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(stopped.stdout)["stopped"] is True
    assert wait_until(lambda: not alive(status["pid"]))
    assert not (data_dir(home) / backends.PORT_FILE).exists()
    again = json.loads(run("--json", "serve-local", "--stop").stdout)
    assert again["stopped"] is False


def test_a_stale_port_file_starts_a_new_service(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = data_dir(home)
    folder.mkdir(parents=True, mode=0o700)
    # A file a dead service left: a pid that is not running, a port nothing listens on.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = backends.ServiceInfo(
        url="http://127.0.0.1:9",
        pid=int(dead.stdout),
        data_dir=folder,
        instance="deadbeef",
        started=time.time() - 100,
        idle_s=60,
        secret="old",
    )
    portfile.write_info(stale)
    result = run("--json", "credits")
    assert result.returncode == 0, result.stderr
    info = port_file(home)
    assert info["instance"] != "deadbeef" and info["url"] != stale.url and alive(info["pid"])


def test_a_port_file_with_the_wrong_secret_is_not_trusted(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run("--json", "credits").returncode == 0
    first = port_file(home)
    forged = {**first, "secret": "not-the-secret"}
    (data_dir(home) / backends.PORT_FILE).write_text(json.dumps(forged))
    assert backends.find_service(data_dir(home)) is None
    # The live service still holds the folder: no second one starts; the error names it.
    second = run("--json", "credits")
    assert second.returncode != 0
    error = json.loads(second.stdout)["error"]
    assert "does not answer" in error["message"] and f"kill {first['pid']}" in error["hint"]
    assert alive(first["pid"])


def test_kill_9_then_a_command_starts_a_new_service_data_intact(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    photo = make_image(tmp_path / "work" / "photo.jpg", (320, 240))
    chat = run("--json", "chat", PROMPT, "-f", str(photo))
    assert chat.returncode == 0, chat.stderr
    before = json.loads(run("--json", "credits").stdout)
    first = port_file(home)
    os.kill(first["pid"], signal.SIGKILL)
    assert wait_until(lambda: not backends.service_lock_held(data_dir(home)))

    after = run("--json", "credits")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == before  # same user, same balance
    second = port_file(home)
    assert second["pid"] != first["pid"] and alive(second["pid"])
    state = run("--json", "state")
    assert state.returncode == 0 and "photo.jpg" in json.loads(state.stdout)["summary"]


def test_two_data_folders_have_two_services(run: Run, tmp_path: Path) -> None:
    one, two = tmp_path / "home1", tmp_path / "home2"
    assert run("--json", "credits", home=one).returncode == 0
    assert run("--json", "credits", home=two).returncode == 0
    a, b = port_file(one), port_file(two)
    assert a["pid"] != b["pid"] and a["url"] != b["url"]
    assert a["data_dir"] == str(data_dir(one)) and b["data_dir"] == str(data_dir(two))
    assert alive(a["pid"]) and alive(b["pid"])


def test_the_service_stops_when_idle(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run("--json", "credits", NEMO_LOCAL_IDLE_S="2").returncode == 0
    pid = port_file(home)["pid"]
    assert wait_until(lambda: not alive(pid), timeout=30)
    assert not (data_dir(home) / backends.PORT_FILE).exists()
    assert "idle for 2 s: stopping" in (data_dir(home) / backends.LOG_FILE).read_text()


def test_a_bad_idle_setting_is_refused(run: Run) -> None:
    result = run("--json", "credits", NEMO_LOCAL_IDLE_S="soon")
    assert result.returncode == 2
    assert "NEMO_LOCAL_IDLE_S" in json.loads(result.stdout)["error"]["message"]


def test_python_api_offline_from_the_environment_alone(tmp_path: Path) -> None:
    photo = make_image(tmp_path / "photo.jpg", (320, 240))
    code = (
        "import sys\n"
        "from nemo_skill import Skill\n"
        "with Skill.from_env(workspace='api') as skill:\n"
        "    reply = skill.chat(sys.argv[1], files=[sys.argv[2]])\n"
        "    print(skill.client.settings.api_url)\n"
        "    print(skill.credits()['available'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, PROMPT, str(photo)],
        cwd=tmp_path,
        env=cli_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    url, available = result.stdout.split()
    assert url == port_file(tmp_path / "home")["url"]
    assert float(available) == backends.LOCAL_DEMO_CREDITS - 100


def test_foreground_serve_local_is_the_folders_service(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = cli_env(home)
    fore = spawn(["--json", "serve-local", "--port", "0"], env, tmp_path)
    try:
        assert fore.stdout is not None
        url = json.loads(fore.stdout.readline())["url"]
        # Offline commands use it rather than starting a private copy.
        credits = run("--json", "credits")
        assert credits.returncode == 0, credits.stderr
        assert port_file(home)["url"] == url and port_file(home)["pid"] == fore.pid
        status = json.loads(run("--json", "serve-local", "--status").stdout)
        assert status["idle_s"] is None
        # A second foreground service on the same folder says who serves it.
        second = run("serve-local", "--port", "0")
        assert second.returncode == 2
        assert "already serves" in second.stderr and url in second.stderr
    finally:
        fore.send_signal(signal.SIGINT)
        fore.wait(timeout=30)
    assert not (data_dir(home) / backends.PORT_FILE).exists()


def test_serve_local_says_when_a_background_service_runs(run: Run, tmp_path: Path) -> None:
    assert run("--json", "credits").returncode == 0
    url = port_file(tmp_path / "home")["url"]
    result = run("serve-local", "--port", "0")
    assert result.returncode == 2
    assert "already serves" in result.stderr and url in result.stderr
    assert "serve-local --stop" in result.stderr


def _jobs(home: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(data_dir(home) / "nemo-local.sqlite3") as db:
        return [(r[0], r[1]) for r in db.execute("SELECT status, error FROM jobs")]


def test_state_while_an_export_renders_does_not_kill_it(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    photo = make_image(tmp_path / "work" / "photo.jpg", (640, 400))
    chat = run("--json", "chat", "animate this, 8 seconds", "-f", str(photo))
    assert chat.returncode == 0, chat.stderr
    export = spawn(["--json", "export", "-o", "clip.mp4"], cli_env(home), tmp_path / "work")
    try:
        assert wait_until(lambda: any(s == "processing" for s, _ in _jobs(home)), timeout=60)
        for _ in range(2):
            state = run("--json", "state")
            assert state.returncode == 0, state.stderr
        code, out, err = finish(export)
    finally:
        if export.poll() is None:
            export.kill()
    assert code == 0, err + out
    assert _jobs(home) == [("completed", None)]  # one render, never 'interrupted'
    assert (tmp_path / "work" / "clip.mp4").stat().st_size > 0


def test_credits_while_a_chat_generates_does_not_refund_it(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    photo = make_image(tmp_path / "work" / "photo.jpg", (640, 400))
    assert run("--json", "credits").returncode == 0  # the service and the user exist
    chat = spawn(["--json", "chat", PROMPT, "-f", str(photo)], cli_env(home), tmp_path / "work")
    seen_frozen = []
    try:
        deadline = time.monotonic() + 60
        while chat.poll() is None and time.monotonic() < deadline:
            credits = json.loads(run("--json", "credits").stdout)
            seen_frozen.append(credits["frozen"])
        code, _out, err = finish(chat)
    finally:
        if chat.poll() is None:
            chat.kill()
    assert code == 0, err
    after = json.loads(run("--json", "credits").stdout)
    # Charged once: the credits commands neither refunded nor restarted the turn.
    assert after["available"] == backends.LOCAL_DEMO_CREDITS - 100 and after["frozen"] == 0
    assert seen_frozen and set(seen_frozen) <= {0.0, 100.0}


def _rewrite_drafts(home: Path, old_base: str) -> int:
    """Turn the stored drafts into what older versions wrote: file URLs with a port."""
    with sqlite3.connect(data_dir(home) / "nemo-local.sqlite3") as db:
        rows = db.execute("SELECT id, draft FROM drafts").fetchall()
        for row_id, text in rows:
            db.execute(
                "UPDATE drafts SET draft=? WHERE id=?",
                (text.replace('"/files/', f'"{old_base}/files/'), row_id),
            )
        return sum(old_base in text for (text,) in db.execute("SELECT draft FROM drafts"))


def test_drafts_name_files_without_a_port_and_old_drafts_still_render(
    run: Run, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    photo = make_image(tmp_path / "work" / "beach day.jpg", (320, 240))
    assert run("--json", "chat", "animate this, 2 seconds", "-f", str(photo)).returncode == 0
    with sqlite3.connect(data_dir(home) / "nemo-local.sqlite3") as db:
        (text,) = db.execute("SELECT draft FROM drafts ORDER BY id DESC LIMIT 1").fetchone()
    src = json.loads(text)["t"][0]["sg"][0]["src"]
    assert src.startswith("/files/") and src.endswith("/beach%20day.jpg") and "://" not in src

    # An old version's draft (the URL of a service long gone), then a restart on a new port.
    assert run("serve-local", "--stop").returncode == 0
    assert _rewrite_drafts(home, "http://127.0.0.1:51234") >= 1
    state = run("--json", "state")
    assert state.returncode == 0, state.stderr
    assert "beach day.jpg" in json.loads(state.stdout)["summary"]
    before = json.loads(run("--json", "credits").stdout)["available"]
    export = run("--json", "export", "-o", "old.mp4")
    assert export.returncode == 0, export.stderr + export.stdout
    assert (tmp_path / "work" / "old.mp4").read_bytes()[4:8] == b"ftyp"
    # The same photo again is the same photo: no new paid generation.
    again = run("--json", "chat", "animate this, 2 seconds", "-f", str(photo))
    assert again.returncode == 0, again.stderr
    assert json.loads(run("--json", "credits").stdout)["available"] == before


def test_the_same_photo_sent_twice_from_two_processes_is_one_generation(
    run: Run, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    photo = make_image(tmp_path / "work" / "photo.jpg", (320, 240))
    first = run("--json", "chat", PROMPT, "-f", str(photo))
    assert first.returncode == 0, first.stderr
    assert run("serve-local", "--stop").returncode == 0  # the next process: a new port
    second = run("--json", "chat", PROMPT, "-f", str(photo))
    assert second.returncode == 0, second.stderr
    credits = json.loads(run("--json", "credits").stdout)
    assert credits["available"] == backends.LOCAL_DEMO_CREDITS - 100  # charged once
    with sqlite3.connect(data_dir(home) / "nemo-local.sqlite3") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM drafts").fetchone()
    assert count == 1  # the second message changed nothing


def test_a_long_lived_client_outlives_its_service(tmp_path: Path) -> None:
    """The MCP server or a Python API script keeps one client while the service stops."""
    code = (
        "import subprocess, sys\n"
        "from nemo_skill import Skill\n"
        "with Skill.from_env(workspace='api') as skill:\n"
        "    first = skill.client.settings.api_url\n"
        "    before = skill.credits()['available']\n"
        "    stop = [sys.executable, '-m', 'nemo_skill.cli', 'serve-local', '--stop']\n"
        "    subprocess.run(stop, check=True, capture_output=True)\n"
        "    after = skill.credits()['available']\n"
        "    print(first, skill.client.settings.api_url, before, after)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=cli_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first, second, before, after = result.stdout.split()
    assert first != second and second == port_file(tmp_path / "home")["url"]
    assert before == after == str(float(backends.LOCAL_DEMO_CREDITS))


def test_without_the_local_extra_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from nemo_skill.errors import UsageError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "cv2" else real(name, *a)
    )
    with pytest.raises(UsageError) as caught:
        backends.ensure_service(tmp_path / "data")
    assert "local extra" in caught.value.message and "cv2" in caught.value.message
    assert "[local]" in (caught.value.hint or "")
    assert not (tmp_path / "data" / backends.PORT_FILE).exists()  # nothing started


def test_the_service_holds_none_of_the_callers_pipes_or_terminal(run: Run, tmp_path: Path) -> None:
    """A CI step (or an agent host) waiting for a command's output is never held by it."""
    assert run("--json", "credits").returncode == 0  # run() captures stdout/stderr: pipes
    info = port_file(tmp_path / "home")
    pid = info["pid"]
    assert os.getsid(pid) == pid  # its own session: no terminal, no job-control signals
    targets = {n: os.readlink(f"/proc/{pid}/fd/{n}") for n in (0, 1, 2)}
    log = str(data_dir(tmp_path / "home") / backends.LOG_FILE)
    assert targets == {0: "/dev/null", 1: log, 2: log}
    # Loopback only.
    assert info["url"].startswith("http://127.0.0.1:")


def test_a_command_during_a_service_shutdown_starts_the_next_one(run: Run, tmp_path: Path) -> None:
    """A service still holding the folder while it stops (no address any more) is waited for,
    then a new one starts: the command succeeds."""
    folder = data_dir(tmp_path / "home")
    folder.mkdir(parents=True, mode=0o700)
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from nemo_skill.portfile import hold_service_lock\n"
        "with hold_service_lock(Path(sys.argv[1])) as held:\n"
        "    print('held' if held else 'no', flush=True)\n"
        "    time.sleep(2)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = run("--json", "credits")
        assert result.returncode == 0, result.stderr
    finally:
        holder.wait(timeout=30)
    info = port_file(tmp_path / "home")
    assert info["pid"] != holder.pid and alive(info["pid"])


def test_the_service_gets_no_cloud_token_and_its_log_is_rotated(run: Run, tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = data_dir(home)
    folder.mkdir(parents=True, mode=0o700)
    (folder / backends.LOG_FILE).write_bytes(b"old line\n" * 200_000)  # > 1 MB from earlier runs
    token = "nmv_usr_cloud_secret_for_the_test"
    assert run("--json", "credits", NEMO_TOKEN=token).returncode in (0, 3)  # cloud token: 1001
    pid = port_file(home)["pid"]
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert not any(item.startswith(b"NEMO_TOKEN=") for item in environ)
    assert (folder / (backends.LOG_FILE + ".1")).stat().st_size > 1 << 20
    assert (folder / backends.LOG_FILE).stat().st_size < 4096
