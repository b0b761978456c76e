"""The encoder: a producer thread composing frames, PyAV libx264, AAC muxed as it goes.

:class:`Encoder` owns the thread, the bounded queue between it and the encoding thread,
the MP4 container and the audio interleaving. It knows nothing of drafts: it asks a
``compose(index, planes)`` callback to fill each frame's yuv420p planes.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.errors import NemoError, RenderError

if TYPE_CHECKING:
    import numpy as np

PRESET = "veryfast"
CRF = 21
QUEUE_FRAMES = 6  # frames between producer and encoder: overlap without memory growth
AUDIO_FRAME = 1024  # AAC frame size in samples
Planes = tuple["np.ndarray", "np.ndarray", "np.ndarray"]
Frame = tuple["np.ndarray", Planes]
Compose = Callable[[int, Planes], None]


def new_frame(size: tuple[int, int]) -> Frame:
    """An I420 buffer (as the encoder takes it) and views of its Y, U and V planes."""
    import numpy as np

    w, h = size
    flat = np.empty(w * h * 3 // 2, dtype=np.uint8)
    quarter = w * h // 4
    planes = (
        flat[: w * h].reshape(h, w),
        flat[w * h : w * h + quarter].reshape(h // 2, w // 2),
        flat[w * h + quarter :].reshape(h // 2, w // 2),
    )
    return flat.reshape(h * 3 // 2, w), planes


def _encoder_frame(size: tuple[int, int]) -> tuple[Any, Planes]:
    """A PyAV yuv420p frame and writable views of its Y, U and V planes (rows may be
    padded to the encoder's alignment: the views are the visible part)."""
    import av
    import numpy as np

    frame = av.VideoFrame(size[0], size[1], "yuv420p")
    y, u, v = (
        np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)[
            :, : plane.width
        ]
        for plane in frame.planes
    )
    return frame, (y, u, v)


def yuv_planes(rgb: np.ndarray) -> Planes:
    """An RGB image (even size) as yuv420p planes (BT.601 limited range, as x264 takes them)."""
    import cv2
    import numpy as np

    h, w = rgb.shape[:2]
    flat = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420).reshape(-1)
    quarter = h * w // 4
    return (
        flat[: h * w].reshape(h, w),
        flat[h * w : h * w + quarter].reshape(h // 2, w // 2),
        flat[h * w + quarter :].reshape(h // 2, w // 2),
    )


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise the cancelled RenderError when ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise RenderError("Render cancelled.", code="cancelled")


@dataclass
class Encoder:
    """Encodes ``frames`` frames of ``size`` at ``fps`` into an MP4 at ``path``.

    ``audio`` is float32 stereo ``(2, n)`` at ``audio_rate`` (the music engine's rate), or
    ``None`` for a silent clip.
    """

    path: Path
    size: tuple[int, int]
    fps: int
    audio: np.ndarray | None = None
    audio_rate: int = 0
    progress: Callable[[float], None] | None = None
    cancel: threading.Event | None = None

    def __post_init__(self) -> None:
        if self.audio is not None and self.audio_rate <= 0:
            from nemo_skill.local.engine.audio import RATE

            self.audio_rate = RATE
        self._written_audio = 0

    def run(self, frames: int, compose: Compose) -> int:
        """Compose and encode ``frames`` frames; returns how many were written."""
        import av

        items: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_FRAMES)
        stop = threading.Event()
        producer = threading.Thread(
            target=self._produce, args=(frames, compose, items, stop), name="frame-producer",
            daemon=True,
        )  # fmt: skip
        try:
            with av.open(
                str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"}
            ) as container:
                stream = self._video_stream(container)
                audio_stream = self._audio_stream(container)
                producer.start()
                for index in range(frames):
                    check_cancel(self.cancel)
                    item = items.get()
                    if isinstance(item, BaseException):
                        raise item
                    item.pts = index
                    container.mux(stream.encode(item))
                    self._mux_audio(container, audio_stream, (index + 1) / self.fps)
                    if self.progress is not None and (index % 10 == 0 or index == frames - 1):
                        self.progress((index + 1) / frames)
                container.mux(stream.encode(None))
                self._mux_audio(container, audio_stream, None)
                if audio_stream is not None:
                    container.mux(audio_stream.encode(None))
        except NemoError:
            raise
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise RenderError(f"The encoder failed ({type(exc).__name__}: {exc}).") from None
        finally:
            stop.set()
            with contextlib.suppress(queue.Empty):
                while True:
                    items.get_nowait()
            if producer.is_alive():
                producer.join(timeout=5)
        return frames

    def _produce(
        self, frames: int, compose: Compose, items: queue.Queue[Any], stop: threading.Event
    ) -> None:
        """Producer thread: compose each frame straight into the planes of an encoder frame
        from a small pool (no copy per frame), hand it over."""
        try:
            # A frame goes back to the pool only after it has been encoded: at most
            # QUEUE_FRAMES wait in the queue and one is being encoded (x264 copies its input).
            pool = [_encoder_frame(self.size) for _ in range(QUEUE_FRAMES + 2)]
            for index in range(frames):
                if stop.is_set():
                    return
                frame, planes = pool[index % len(pool)]
                compose(index, planes)
                while not stop.is_set():
                    with contextlib.suppress(queue.Full):
                        items.put(frame, timeout=0.1)
                        break
        except BaseException as exc:  # handed to the encoding thread, which raises it
            with contextlib.suppress(queue.Full):
                items.put(exc, timeout=1)

    def _video_stream(self, container: Any) -> Any:
        stream = container.add_stream("libx264", rate=Fraction(self.fps, 1))
        stream.width, stream.height = self.size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": PRESET, "crf": str(CRF)}
        return stream

    def _audio_stream(self, container: Any) -> Any:
        if self.audio is None:
            return None
        stream = container.add_stream("aac", rate=self.audio_rate)
        stream.layout = "stereo"
        return stream

    def _mux_audio(self, container: Any, stream: Any, upto_s: float | None) -> None:
        """Encode the samples up to ``upto_s`` seconds (all when ``None``) in AAC frames."""
        import av
        import numpy as np

        audio = self.audio
        if stream is None or audio is None:
            return
        end = audio.shape[1]
        stop = end if upto_s is None else min(end, int(upto_s * self.audio_rate))
        position = self._written_audio
        while stop - position >= AUDIO_FRAME or (stop == end and position < stop):
            chunk = np.ascontiguousarray(audio[:, position : min(stop, position + AUDIO_FRAME)])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = self.audio_rate
            frame.pts = position
            container.mux(stream.encode(frame))
            position += chunk.shape[1]
        self._written_audio = position
