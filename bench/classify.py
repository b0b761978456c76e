"""Classifier throughput: messages/s of `classify` against a plain regex scan baseline.

The baseline is the cheapest router imaginable (one precompiled keyword regex per
action, first match wins) over the same messages; the ratio says what the
negation, quoting, language and file rules cost.
    python bench/classify.py
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nemo_skill.intents import classify

MESSAGES = [
    "export",
    "导出",
    "download it",
    "send me the video",
    "credits",
    "what's my balance?",
    "积分",
    "余额",
    "status",
    "show tracks",
    "状态",
    "upload",
    "上传",
    "turn this image into a 5-second clip",
    "make it 9:16",
    "add lo-fi music at 35%",
    "don't export yet, first add music",
    "make the status text bigger",
    "add the title 'Summer Sale'",
    "把视频改成竖屏",
]
BASELINE = [
    (re.compile(r"export|导出|download|send me the video", re.I), "export"),
    (re.compile(r"credits|积分|balance|余额", re.I), "credits"),
    (re.compile(r"status|状态|show tracks", re.I), "state"),
    (re.compile(r"upload|上传", re.I), "upload"),
]
ROUNDS = 2000


def baseline(text: str) -> str:
    for pattern, action in BASELINE:
        if pattern.search(text):
            return action
    return "chat"


def rate(fn: Callable[[str], object]) -> float:
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for message in MESSAGES:
            fn(message)
    return ROUNDS * len(MESSAGES) / (time.perf_counter() - start)


def main() -> int:
    ours, base = [], []
    for _ in range(5):
        base.append(rate(baseline))
        ours.append(rate(classify))
    o, b = statistics.median(ours), statistics.median(base)
    print(f"classifier throughput ({len(MESSAGES)} messages x {ROUNDS}, median of 5)")
    print(f"  keyword-regex baseline  {b:10.0f} msg/s")
    print(f"  classify()              {o:10.0f} msg/s  ({1e6 / o:.1f} µs per message)")
    print(f"  ratio classify/baseline {o / b:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
