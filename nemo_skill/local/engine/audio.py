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
    # bpm (the default tempo), chords (semitones from A3=220 Hz), brightness, drums (kick and
    # hats), pulse (the accent on each beat's bass note, for the styles without drums), noise
    "lo-fi": {"bpm": 76, "chords": [[3, 7, 10, 14], [0, 3, 7, 10], [-4, 0, 3, 7], [-2, 2, 5, 8]],
              "bright": 0.35, "beat": True, "pulse": 0.0, "noise": 0.004},
    "upbeat": {"bpm": 118, "chords": [[3, 7, 10], [-2, 2, 5], [0, 3, 7], [-4, 0, 3]],
               "bright": 0.8, "beat": True, "pulse": 0.0, "noise": 0.0},
    "calm": {"bpm": 60, "chords": [[3, 7, 10, 14], [-4, 0, 3, 10], [0, 3, 7, 12], [-2, 2, 5, 9]],
             "bright": 0.2, "beat": False, "pulse": 0.22, "noise": 0.0},
    "cinematic": {"bpm": 64, "chords": [[0, 3, 7], [-4, 0, 3], [-9, -5, -2], [-7, -3, 0]],
                  "bright": 0.5, "beat": False, "pulse": 0.32, "noise": 0.0},
}  # fmt: skip
MIN_BPM, MAX_BPM = 40, 240
ATTACK_S = 0.008  # note onsets ramp up this fast (an instant step clicks)
RELEASE_S = 0.06  # chords fade out over this before the next bar
BEAT_RELEASE_S = 0.02  # per-beat sounds fade out over this before the next beat (fast tempos)
AUDIO_EXTENSIONS = ("mp3", "wav", "m4a", "aac", "ogg", "flac")


def default_bpm(style: str) -> int:
    """The tempo synthesised music of ``style`` has when the draft names none (unknown → lo-fi)."""
    return int(STYLES.get(style, STYLES["lo-fi"])["bpm"])


def synthesize(style: str, seconds: float, bpm: float | None = None) -> np.ndarray:
    """Stereo float32 music, shape ``(2, n)``, in ``style`` (unknown → lo-fi).

    Every beat starts at ``k · 60 / bpm`` s exactly (sample-accurate): the kick in the styles
    with drums, a soft low pulse in the others, and the bass note in all of them; chords
    change on every fourth beat. ``bpm`` defaults to the style's and is clamped to 40-240.
    """
    import numpy as np

    spec = STYLES.get(style, STYLES["lo-fi"])
    tempo = min(MAX_BPM, max(MIN_BPM, float(bpm if bpm is not None else spec["bpm"])))
    n = max(1, int(seconds * RATE))
    beat_s = 60.0 / tempo
    beats = _beat_starts(n, beat_s)
    phase = _phase(n, beats)
    # what is left of a beat's sound fades out just before the next one: a fast tempo would
    # otherwise cut it off mid-swing (a click)
    gate = np.clip((beat_s - phase) / BEAT_RELEASE_S, 0.0, 1.0)
    out = _chords(spec, n, beats[::4], phase, gate)
    if spec["beat"]:
        kick = np.sin(2 * np.pi * (50 + 60 * np.exp(-phase * 30)) * phase) * np.exp(-phase * 18)
        out += 0.35 * (kick * gate).astype(np.float32)
        rng = np.random.default_rng(7)
        hat_phase = _phase(n, _beat_starts(n, beat_s / 2))
        hats = rng.standard_normal(n).astype(np.float32) * np.exp(-hat_phase * 60)
        out += 0.03 * spec["bright"] * hats
    if spec["noise"]:
        out += spec["noise"] * np.random.default_rng(11).standard_normal(n).astype(np.float32)
    out /= max(1e-6, float(np.max(np.abs(out)))) / 0.8
    return np.stack([out, np.roll(out, 80)])


def _beat_starts(n: int, beat_s: float) -> np.ndarray:
    """The sample where each beat starts, ``round(k · beat_s · RATE)``, a bar past the end
    included: every beat on its own nearest sample, so none drifts over a long clip."""
    import numpy as np

    count = int(n / RATE / beat_s) + 5
    starts: np.ndarray = np.round(np.arange(count) * beat_s * RATE).astype(np.int64)
    return starts


def _phase(n: int, starts: np.ndarray) -> np.ndarray:
    """Seconds since the latest of ``starts``, for each of ``n`` samples (float32)."""
    import numpy as np

    index = np.arange(n, dtype=np.int64)
    latest = starts[np.searchsorted(starts, index, side="right") - 1]
    phase: np.ndarray = ((index - latest) / RATE).astype(np.float32)
    return phase


def _chords(
    spec: Mapping[str, Any], n: int, bars: np.ndarray, phase: np.ndarray, gate: np.ndarray
) -> np.ndarray:
    """The chord progression (a chord per bar of four beats, from sample ``bars[i]``) and the
    bass note on each beat."""
    import numpy as np

    out = np.zeros(n, dtype=np.float32)
    chords = spec["chords"]
    for bar, (start, end) in enumerate(zip(bars[:-1].tolist(), bars[1:].tolist(), strict=True)):
        if start >= n:
            break
        stop = min(n, end)
        local = np.arange(stop - start, dtype=np.float32) / RATE
        # Soft attack and a release before the next chord: no step in the waveform (a click).
        release = np.clip(((end - start) / RATE - local) / RELEASE_S, 0.0, 1.0)
        env = np.minimum(1.0, local / 0.08) * np.exp(-local * 0.6) * release
        for semitone in chords[bar % len(chords)]:
            freq = 220.0 * 2 ** (semitone / 12)
            tone = np.sin(2 * np.pi * freq * local) + spec["bright"] * 0.3 * np.sin(
                4 * np.pi * freq * local
            )
            out[start:stop] += 0.12 * env * tone
        root = 110.0 * 2 ** (chords[bar % len(chords)][0] / 12)
        pluck = phase[start:stop]
        # the bass note on every beat; the styles without drums accent it (a felt-mallet
        # thump on the same pitch: a beat you hear, and nothing beating against the bass)
        level = 0.18 * np.exp(-pluck * 2) + spec["pulse"] * np.exp(-pluck * 9)
        bass_env = np.minimum(1.0, pluck / ATTACK_S) * level * gate[start:stop] * release
        out[start:stop] += np.sin(2 * np.pi * root * local) * bass_env
    return out


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


def _bpm(seg: Mapping[str, Any], style: str) -> float:
    """The segment's ``bpm`` (strict: a non-number names the field), clamped to 40-240."""
    return STRICT.number(seg, "bpm", default_bpm(style), lo=MIN_BPM, hi=MAX_BPM)


def music_for(seg: Mapping[str, Any], seconds: float, resolve: Any) -> np.ndarray:
    """The audio of one audio segment with its volume and fades applied."""
    import numpy as np

    src = seg.get("src")
    style = STRICT.text(seg, "style", "lo-fi")
    samples = (
        load_audio(resolve(src), seconds)
        if isinstance(src, str) and src
        else synthesize(style, seconds, _bpm(seg, style))
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
