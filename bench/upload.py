"""Upload benchmark: the skill's upload call against `curl -F` on loopback.

Uploads a file just under the 200 MB limit to the embedded backend (running
in its own process) with NemoClient.upload_files (timed in-process, start-up
excluded) and with curl, interleaved, median of 3 each. Prints the time ratio
(target <= 1.25) and the client's peak RSS growth during the upload
(target <= 32 MB).
    python bench/upload.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SIZE = 199 * 1024 * 1024
RUNS = 3

CHILD = r"""
import json, sys, time
from pathlib import Path
from nemo_skill.client import NemoClient
from nemo_skill.settings import Settings

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) * 1024
    return 0

url, state, sid, path = sys.argv[1:5]
client = NemoClient(Settings.from_env(api_url=url, state_dir=Path(state)))
client.authenticate()
before = hwm()
start = time.perf_counter()
client.upload_files(sid, [Path(path)])
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "rss_growth": hwm() - before}))
"""


def make_file(path: Path) -> Path:
    """An MP3-looking file of SIZE bytes (the server sniffs content; audio is not decoded)."""
    block = os.urandom(1024 * 1024)
    with path.open("wb") as fh:
        fh.write(b"ID3\x04\x00\x00" + b"\x00" * 58)
        written = 64
        while written < SIZE:
            chunk = block[: min(len(block), SIZE - written)]
            fh.write(chunk)
            written += len(chunk)
    return path


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nemo_skill.cli",
            "--json",
            "--state-dir",
            str(data_dir),
            "serve-local",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = json.loads(proc.stdout.readline())["url"]
    return proc, url


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        big = make_file(tmp / "big.mp3")
        server, url = start_server(tmp / "server")
        try:
            state = tmp / "client"
            # one token and session, shared by both uploaders (token via env and a header file only)
            boot = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys,json; from pathlib import Path; from nemo_skill.client import NemoClient;"
                    "from nemo_skill.settings import Settings;"
                    "c=NemoClient(Settings.from_env(api_url=sys.argv[1], state_dir=Path(sys.argv[2])));"
                    "print(c.create_session().session_id)",
                    url,
                    str(state),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            sid = boot.stdout.strip()
            token = next(iter(json.loads((state / "token.json").read_text()).values()))["token"]
            headers = tmp / "headers.txt"
            headers.write_text(f"Authorization: Bearer {token}\nX-Skill-Source: bench\n")
            os.chmod(headers, 0o600)
            skill_times, curl_times, growth = [], [], []
            for _ in range(RUNS):
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, url, str(state), sid, str(big)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                data = json.loads(out.stdout)
                skill_times.append(data["seconds"])
                growth.append(data["rss_growth"])
                start = time.perf_counter()
                subprocess.run(
                    [
                        "curl",
                        "-s",
                        "-o",
                        "/dev/null",
                        "-H",
                        f"@{headers}",
                        "-F",
                        f"files=@{big}",
                        f"{url}/api/upload-video/nemo_agent/me/{sid}",
                    ],
                    check=True,
                )
                curl_times.append(time.perf_counter() - start)
            httpx.get(
                f"{url}/api/credits/balance/simple", headers={"Authorization": f"Bearer {token}"}
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        skill, curl = statistics.median(skill_times), statistics.median(curl_times)
        print(
            f"upload benchmark ({SIZE / 2**20:.0f} MiB to the embedded backend on loopback, median of {RUNS})"
        )
        print(f"  skill upload_files   {skill:6.2f} s")
        print(f"  curl -F              {curl:6.2f} s")
        print(f"  ratio skill/curl     {skill / curl:6.2f}   (target <= 1.25)")
        print(f"  client peak RSS growth {max(growth) / 2**20:6.1f} MB (target <= 32)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
