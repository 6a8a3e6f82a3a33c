"""Regenerate the spoken clips in ``hiprot/voice/clips/`` with espeak-ng.

Run once after changing ``PHRASES``: ``python -m hiprot.voice.make_clips``
(Debian: ``apt-get install espeak-ng``). The clips ship with hiprot, so a
live session speaks offline with no speech engine installed; they are
16 kHz mono 16-bit WAV to stay small.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from hiprot import findings
from hiprot.landmarks import Side
from hiprot.voice import CLIP_DIR, MAX_SPOKEN_COUNT, SAMPLE_RATE_HZ

NUMBERS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
).split()


def _spoken(finding: findings.Finding) -> list[tuple[str, str]]:
    """(clip, words) of a finding, one per leg when it names the leg."""
    legs = [{"leg": side} for side in Side] if "leg" in finding.params else [{}]
    return [(str(finding.clip_name(**leg)), str(finding.said(**leg))) for leg in legs]


#: Clip name -> words: the counts, the stage announcements, and each
#: finding's clip (``hiprot.findings``), per leg where it names one.
PHRASES: dict[str, str] = {
    **{f"count_{n}": NUMBERS[n - 1] for n in range(1, MAX_SPOKEN_COUNT + 1)},
    "go": "Go.",
    "rest": "Set complete. Rest.",
    "next_set": "Next set. Legs up the wall.",
    "done": "Session complete. Well done.",
    **{
        name: words
        for finding in findings.ALL.values()
        if finding.clip is not None
        for name, words in _spoken(finding)
    },
}

VOICE = ["-v", "en-gb", "-s", "150"]
SILENCE_LEVEL = 200  # of 32767
TRIM_PAD_S = 0.03


def _to_16k_mono(source: Path, target: Path) -> None:
    with wave.open(str(source), "rb") as wav:
        rate, channels = wav.getframerate(), wav.getnchannels()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).reshape(-1, channels)
    mono = pcm.mean(axis=1)
    loud = np.flatnonzero(np.abs(mono) > SILENCE_LEVEL)
    if loud.size:  # espeak pads with silence; a cue said late is a wrong cue
        pad = rate * TRIM_PAD_S
        mono = mono[max(0, loud[0] - int(pad)) : loud[-1] + int(pad)]
    resampled = resample_poly(mono, SAMPLE_RATE_HZ, rate) if rate != SAMPLE_RATE_HZ else mono
    out = np.clip(np.round(resampled), -32768, 32767).astype(np.int16)
    with wave.open(str(target), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE_HZ)
        wav.writeframes(out.tobytes())


def make_clips(out_dir: Path = CLIP_DIR) -> list[Path]:
    engine = shutil.which("espeak-ng")
    if engine is None:
        raise SystemExit("espeak-ng not found (Debian: apt-get install espeak-ng)")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in PHRASES.items():
            raw = Path(tmp) / f"{name}.wav"
            subprocess.run([engine, *VOICE, "-w", str(raw), text], check=True)
            _to_16k_mono(raw, out_dir / f"{name}.wav")
            written.append(out_dir / f"{name}.wav")
    return written


if __name__ == "__main__":
    paths = make_clips(Path(sys.argv[1]) if len(sys.argv) > 1 else CLIP_DIR)
    print(f"Wrote {len(paths)} clips, {sum(p.stat().st_size for p in paths) // 1024} KiB")
