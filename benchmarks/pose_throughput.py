"""Frames per second of decoding, of MediaPipe alone, and of `hiprot extract`.

All three run on the same clip in the same process, in turns, so the ratios
hold even on a shared, noisy machine.

    python benchmarks/pose_throughput.py [VIDEO]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, interleaved, write_results

from hiprot.capture import open_video
from hiprot.pose import PoseEstimator
from hiprot.sources import extract_recording, open_pose_source

DEFAULT_CLIP = REPO.parent / "shared" / "footage" / "physioplus-bridging.mp4"


def main() -> None:
    clip = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CLIP
    with open_video(clip) as frames:
        decoded = list(frames)

    def decode_only() -> int:
        with open_video(clip) as frames:
            return sum(1 for _ in frames)

    def mediapipe_only() -> int:
        with PoseEstimator() as estimator:
            return sum(1 for _ in estimator.track(decoded))

    def extract_end_to_end() -> int:
        with tempfile.TemporaryDirectory() as tmp, open_pose_source(clip) as source:
            return extract_recording(source, Path(tmp) / "out.landmarks.jsonl.gz")[0]

    fps = interleaved(
        {"decode": decode_only, "mediapipe": mediapipe_only, "extract": extract_end_to_end}
    )
    ratios = {
        "extract_vs_mediapipe": fps["extract"] / fps["mediapipe"],
        "decode_vs_mediapipe": fps["decode"] / fps["mediapipe"],
    }
    for name, value in fps.items():
        print(f"{name:>10}: {value:7.1f} frames/s")
    for name, value in ratios.items():
        print(f"{name:>22}: {value:5.2f}x")
    path = write_results(
        "pose_throughput",
        {"clip": clip.name, "frames": len(decoded), "fps": fps, "ratios": ratios},
    )
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
