"""SSE decode benchmark: the package's decoder against raw httpx-sse iteration.

Both read the same 10,000-event ADK stream from an in-memory httpx transport;
the baseline only iterates httpx-sse's ServerSentEvents, the package also
decodes each into typed events. Prints events/s of each and the ratio
(target >= 0.8). Median of 5 interleaved runs.
    python bench/sse.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import httpx
from httpx_sse import EventSource

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nemo_skill.events import iter_events

EVENTS = 10_000


def stream_bytes() -> bytes:
    """A realistic mix: text, tool call/response with stateDelta, heartbeats."""
    samples = [
        {
            "content": {"parts": [{"text": "Working on your clip."}], "role": "model"},
            "invocationId": "e-1",
            "author": "nemo_agent",
            "actions": {"stateDelta": {}},
            "id": "a",
            "timestamp": 1.0,
        },
        {
            "content": {
                "parts": [
                    {"functionCall": {"id": "c1", "name": "add_bgm", "args": {"style": "lo-fi"}}}
                ],
                "role": "model",
            },
            "invocationId": "e-1",
            "author": "nemo_agent",
            "actions": {"stateDelta": {}},
        },
        {
            "content": {
                "parts": [
                    {
                        "functionResponse": {
                            "id": "c1",
                            "name": "add_bgm",
                            "response": {"status": "success"},
                        }
                    }
                ],
                "role": "user",
            },
            "invocationId": "e-1",
            "author": "nemo_agent",
            "actions": {"stateDelta": {"draft": {"t": [{"tt": 0, "sg": [{"d": 5000}]}]}}},
        },
        {"type": "heartbeat"},
    ]
    lines = [f"data: {json.dumps(samples[i % len(samples)])}\n\n" for i in range(EVENTS)]
    return "".join(lines).encode()


def response(body: bytes) -> httpx.Response:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=body
        )
    )
    client = httpx.Client(transport=transport)
    return client.send(client.build_request("POST", "http://bench/run_sse"), stream=True)


def raw(body: bytes) -> float:
    start = time.perf_counter()
    count = sum(1 for _ in EventSource(response(body)).iter_sse())
    assert count == EVENTS
    return EVENTS / (time.perf_counter() - start)


def package(body: bytes) -> float:
    start = time.perf_counter()
    count = sum(1 for _ in iter_events(response(body)))
    assert count >= EVENTS
    return EVENTS / (time.perf_counter() - start)


def main() -> int:
    body = stream_bytes()
    raws, ours = [], []
    for _ in range(5):
        raws.append(raw(body))
        ours.append(package(body))
    r, o = statistics.median(raws), statistics.median(ours)
    print(f"SSE decode benchmark ({EVENTS} events, median of 5)")
    print(f"  raw httpx-sse iteration  {r:10.0f} events/s")
    print(f"  package decoder          {o:10.0f} events/s")
    print(f"  ratio package/raw        {o / r:10.2f}   (target >= 0.8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
