"""nemo_skill/portfile.py: the local service's port file and locks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from nemo_skill.portfile import (
    PORT_FILE,
    ServiceInfo,
    hold_service_lock,
    read_info,
    remove_info,
    service_lock_held,
    write_info,
)


def _info(folder: Path, instance: str = "one") -> ServiceInfo:
    return ServiceInfo(
        url="http://127.0.0.1:5555",
        pid=123,
        data_dir=folder,
        instance=instance,
        started=time.time() - 5,
        idle_s=60.0,
        secret="s3cret-value",
    )


def test_the_port_file_is_private_and_round_trips(tmp_path: Path) -> None:
    info = _info(tmp_path)
    write_info(info)
    assert (tmp_path / PORT_FILE).stat().st_mode & 0o777 == 0o600
    assert read_info(tmp_path) == info
    assert "secret" not in info.to_dict() and "s3cret" not in repr(info)
    assert info.to_dict()["uptime_s"] >= 5


def test_unreadable_or_partial_port_files_read_as_none(tmp_path: Path) -> None:
    assert read_info(tmp_path) is None
    for text in ("", "{", "[]", '{"url": "x"}', '{"url": 1, "pid": "x", "data_dir": 2}'):
        (tmp_path / PORT_FILE).write_text(text)
        assert read_info(tmp_path) is None


def test_a_service_removes_only_its_own_port_file(tmp_path: Path) -> None:
    write_info(_info(tmp_path, "newer"))
    remove_info(tmp_path, "older")  # a stopping old instance must not unpublish the new one
    assert read_info(tmp_path) is not None
    remove_info(tmp_path, "newer")
    assert not (tmp_path / PORT_FILE).exists()


def test_the_service_lock_is_seen_held_and_released_with_its_process(tmp_path: Path) -> None:
    assert not service_lock_held(tmp_path)
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from nemo_skill.portfile import hold_service_lock\n"
        "with hold_service_lock(Path(sys.argv[1])) as held:\n"
        "    print(held, flush=True)\n"
        "    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert service_lock_held(tmp_path)
        with hold_service_lock(tmp_path) as held:
            assert held is False  # a second service of the folder is refused
    finally:
        holder.kill()  # a kill -9: the kernel releases the lock
        holder.wait(timeout=10)
    assert not service_lock_held(tmp_path)
    with hold_service_lock(tmp_path) as held:
        assert held is True and service_lock_held(tmp_path)
    assert not service_lock_held(tmp_path)
