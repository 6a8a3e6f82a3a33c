"""What the pose adapter's zoom costs and finds, side by side with it off.

Three sets of frames, each read with zoom on and off in turns (so the ratio
holds on a shared, noisy machine):

- ``found``: a committed 4 m render (``w02_left``) where the full frame finds
  the person in every frame: zoom never runs, the cost should be nil;
- ``far``: the same frames shrunk to half, at the middle of a blank frame of
  the same size (the person as if 8 m away): the full frame finds nobody;
- ``empty``: a blank frame: nobody anywhere, the worst case (a detector run
  on the full frame and one on a crop, every frame).

    python benchmarks/pose_zoom.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2
import numpy as np
from _common import REPO, interleaved, write_results

from hiprot.capture import open_video
from hiprot.pose import PoseEstimator
from hiprot.types import Frame

CLIP = REPO / "benchmarks" / "render_suite" / "wide" / "w02_left.mp4"
FRAMES = 150
SHRINK = 2


def _shrunk(frame: Frame) -> Frame:
    height, width = frame.image.shape[:2]
    canvas = np.full_like(frame.image, 128)
    small = cv2.resize(frame.image, (width // SHRINK, height // SHRINK), cv2.INTER_AREA)
    top, left = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    return Frame(frame.index, frame.t_s, canvas)


def main() -> None:
    with open_video(CLIP) as frames:
        found = [f for f in frames if f.index < FRAMES]
    sets = {
        "found": found,
        "far": [_shrunk(f) for f in found],
        "empty": [Frame(f.index, f.t_s, np.full_like(f.image, 128)) for f in found],
    }
    with_pose: dict[str, int] = {}

    def reader(name: str, zoom: bool) -> Callable[[], int]:
        def run() -> int:
            with PoseEstimator(zoom=zoom) as estimator:
                with_pose[f"{name}_{'zoom' if zoom else 'plain'}"] = sum(
                    p.has_pose for p in estimator.track(sets[name])
                )
            return len(sets[name])

        return run

    runs = {f"{n}_{m}": reader(n, m == "zoom") for n in sets for m in ("plain", "zoom")}
    fps = interleaved(runs, rounds=5)
    ratios = {f"{n}_zoom_vs_plain": fps[f"{n}_zoom"] / fps[f"{n}_plain"] for n in sets}
    for name, value in fps.items():
        print(f"{name:>12}: {value:6.1f} frames/s, a person in {with_pose[name]}/{FRAMES}")
    for name, value in ratios.items():
        print(f"{name:>22}: {value:5.2f}x")
    path = write_results(
        "pose_zoom",
        {
            "clip": CLIP.name,
            "frames": FRAMES,
            "shrink": SHRINK,
            "fps": fps,
            "ratios": ratios,
            "frames_with_pose": with_pose,
        },
    )
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
