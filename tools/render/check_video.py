"""Measure MediaPipe on a sample video against its render truth.

Tracks the video the way hiprot does (MediaPipe video mode, model
complexity 1) and reports the detection rate, the median pixel error per
landmark, and how the 2D observables of placements.py follow the true femur
rotation over the whole set (Pearson r, per leg). Run in the hiprot venv:
    /work/venv/bin/python tools/render/check_video.py sample_videos/wall_both_legs.mp4
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
from detect import MP_INDEX, detect, make_pose
from placements import CIRCULAR, LEGS, OBSERVABLES, as_points, unwrap


def track(video: Path) -> list:
    """MediaPipe landmarks (or None) for every frame of a video."""
    found = []
    capture = cv2.VideoCapture(str(video))
    with make_pose(static=False) as pose:
        ok, frame = capture.read()
        while ok:
            found.append(detect(pose, frame))
            ok, frame = capture.read()
    capture.release()
    return found


def summarise(video: Path) -> str:
    """Markdown lines describing MediaPipe's accuracy on one video."""
    truth = json.loads(video.with_name(video.stem + ".truth.json").read_text())
    found = track(video)
    frames = truth["frames"]
    seen = [i for i, f in enumerate(found) if f is not None]
    lines = [f"### {video.name}", "", f"- frames with a pose: {len(seen)}/{len(found)}"]
    errors = {
        name: np.median([np.hypot(*(found[i][idx, :2] - frames["pixels"][name][i])) for i in seen])
        for name, idx in MP_INDEX.items()
    }
    lines.append("- median pixel error: " + ", ".join(f"{k} {v:.1f}" for k, v in errors.items()))
    for name, fn in OBSERVABLES.items():
        for leg in LEGS:
            theta = np.asarray(frames[leg]["femur_deg"])[seen]
            if np.ptp(theta) == 0:
                continue
            values = [fn(as_points(found[i]), leg) for i in seen]
            if name in CIRCULAR:
                values = unwrap(values, float(np.median(values)))
            r = np.corrcoef(values, theta)[0, 1]
            lines.append(f"- {name}, {leg} leg: r = {r:.2f} with the true femur rotation")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(summarise(Path(arg)))
