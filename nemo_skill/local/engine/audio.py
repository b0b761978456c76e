"""Background music: a supplied file (trimmed or looped) or synthesised in a named style.

Synthesis is deterministic numpy: a chord progression of soft additive tones,
a bass line and (for some styles) a light beat. No network, no assets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.draft import STRICT
from nemo_skill.errors import UnsupportedFileError

if TYPE_CHECKING:
    import numpy as np

RATE = 44_100
STYLES: dict[str, dict[str, Any]] = {
    # bpm, chords (semitones from A3=220 Hz), brightness, beat
    "lo-fi": {"bpm": 76, "chords": [[3, 7, 10, 14], [0, 3, 7, 10], [-4, 0, 3, 7], [-2, 2, 5, 8]],
              "bright": 0.35, "beat": True, "noise": 0.004},
    "upbeat": {"bpm": 118, "chords": [[3, 7, 10], [-2, 2, 5], [0, 3, 7], [-4, 0, 3]],
               "bright": 0.8, "beat": True, "noise": 0.0},
    "calm": {"bpm": 60, "chords": [[3, 7, 10, 14], [-4, 0, 3, 10], [0, 3, 7, 12], [-2, 2, 5, 9]],
             "bright": 0.2, "beat": False, "noise": 0.0},
    "cinematic": {"bpm": 64, "chords": [[0, 3, 7], [-4, 0, 3], [-9, -5, -2], [-7, -3, 0]],
                  "bright": 0.5, "beat": False, "noise": 0.0},
}  # fmt: skip
ATTACK_S = 0.008  # note onsets ramp up this fast (an instant step clicks)
RELEASE_S = 0.06  # chords fade out over this before the next bar
AUDIO_EXTENSIONS = ("mp3", "wav", "m4a", "aac", "ogg", "flac")


def synthesize(style: str, seconds: float) -> np.ndarray:
    """Stereo float32 music, shape ``(2, n)``, in ``style`` (unknown → lo-fi)."""
    import numpy as np

    spec = STYLES.get(style, STYLES["lo-fi"])
    n = max(1, int(seconds * RATE))
    t = np.arange(n, dtype=np.float32) / RATE
    beat_s = 60.0 / spec["bpm"]
    bar_s = beat_s * 4
    out = np.zeros(n, dtype=np.float32)
    chords = spec["chords"]
    for bar in range(int(seconds / bar_s) + 1):
        start = int(bar * bar_s * RATE)
        stop = min(n, int((bar + 1) * bar_s * RATE))
        if start >= n:
            break
        local = t[start:stop] - bar * bar_s
        # Soft attack and a release before the next chord: no step in the waveform (a click).
        release = np.clip((bar_s - local) / RELEASE_S, 0.0, 1.0)
        env = np.minimum(1.0, local / 0.08) * np.exp(-local * 0.6) * release
        for semitone in chords[bar % len(chords)]:
            freq = 220.0 * 2 ** (semitone / 12)
            tone = np.sin(2 * np.pi * freq * local) + spec["bright"] * 0.3 * np.sin(
                4 * np.pi * freq * local
            )
            out[start:stop] += 0.12 * env * tone
        root = 110.0 * 2 ** (chords[bar % len(chords)][0] / 12)
        pluck = local % beat_s
        bass_env = np.minimum(1.0, pluck / ATTACK_S) * np.exp(-pluck * 2) * release
        out[start:stop] += 0.18 * np.sin(2 * np.pi * root * local) * bass_env
    if spec["beat"]:
        phase = t % beat_s
        kick = np.sin(2 * np.pi * (50 + 60 * np.exp(-phase * 30)) * phase) * np.exp(-phase * 18)
        out += 0.35 * kick.astype(np.float32)
        rng = np.random.default_rng(7)
        hat_phase = t % (beat_s / 2)
        hats = rng.standard_normal(n).astype(np.float32) * np.exp(-hat_phase * 60)
        out += 0.03 * spec["bright"] * hats
    if spec["noise"]:
        out += spec["noise"] * np.random.default_rng(11).standard_normal(n).astype(np.float32)
    out /= max(1e-6, float(np.max(np.abs(out)))) / 0.8
    return np.stack([out, np.roll(out, 80)])


def load_audio(path: Path, seconds: float) -> np.ndarray:
    """A supplied track decoded to stereo float32 at 44.1 kHz, trimmed or looped."""
    import av
    import numpy as np

    chunks: list[np.ndarray] = []
    need = max(1, int(seconds * RATE))
    got = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise UnsupportedFileError(f"{path.name} has no audio track.")
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
                    got += chunks[-1].shape[1]
                if got >= need:  # a long song is decoded only as far as the clip needs
                    break
    except UnsupportedFileError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise UnsupportedFileError(
            f"Cannot decode the music file {path.name} ({type(exc).__name__}).",
            hint="Use MP3, WAV, M4A or AAC.",
        ) from None
    if not chunks:
        raise UnsupportedFileError(f"The music file {path.name} has no samples.")
    track = np.concatenate(chunks, axis=1).astype(np.float32)
    reps = -(-need // track.shape[1])
    return np.tile(track, (1, reps))[:, :need]


def music_for(seg: Mapping[str, Any], seconds: float, resolve: Any) -> np.ndarray:
    """The audio of one audio segment with its volume and fades applied."""
    import numpy as np

    src = seg.get("src")
    samples = (
        load_audio(resolve(src), seconds)
        if isinstance(src, str) and src
        else synthesize(STRICT.text(seg, "style", "lo-fi"), seconds)
    )
    samples = samples * STRICT.number(seg, "volume", 0.35, lo=0.0, hi=1.0)
    n = samples.shape[1]
    fade_in = min(n, STRICT.ms(seg, "fade_in", 500) * RATE // 1000)
    fade_out = min(n, STRICT.ms(seg, "fade_out", 1000) * RATE // 1000)
    if fade_in:
        samples[:, :fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)
    if fade_out:
        samples[:, n - fade_out :] *= np.linspace(1, 0, fade_out, dtype=np.float32)
    return samples.astype(np.float32)
