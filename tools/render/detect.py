"""Run MediaPipe Pose on cached renders and compare with the truth pixels.

Runs in the hiprot venv (mediapipe 0.10.21), not the render venv:
    /work/venv/bin/python tools/render/detect.py IMAGE.png [...]
Always model_complexity=1: the other models download at run time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np

#: MediaPipe Pose landmark index of each truth landmark.
MP_INDEX = {
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_toe": 31,
    "right_toe": 32,
}
TRUTH_COLOUR, DETECTED_COLOUR = (0, 255, 0), (0, 0, 255)
#: Lower-body skeleton edges drawn on the overlays (MediaPipe indices).
EDGES = [
    (23, 24),
    (23, 25),
    (25, 27),
    (27, 29),
    (29, 31),
    (27, 31),
    (24, 26),
    (26, 28),
    (28, 30),
    (30, 32),
    (28, 32),
    (11, 12),
    (11, 23),
    (12, 24),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
]


def make_pose(static: bool = True):
    """A MediaPipe Pose instance with the bundled full model."""
    import mediapipe as mp

    return mp.solutions.pose.Pose(
        static_image_mode=static, model_complexity=1, min_detection_confidence=0.5
    )


def detect(pose, bgr: np.ndarray) -> np.ndarray | None:
    """(33, 3) pixel x, pixel y, visibility, or None when nobody is found."""
    result = pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    if result.pose_landmarks is None:
        return None
    h, w = bgr.shape[:2]
    return np.array([[lm.x * w, lm.y * h, lm.visibility] for lm in result.pose_landmarks.landmark])


def pixel_errors(found: np.ndarray, truth_pixels: dict) -> dict:
    """Distance in pixels between each detected and true landmark."""
    return {
        name: float(np.hypot(*(found[i, :2] - np.asarray(truth_pixels[name]))))
        for name, i in MP_INDEX.items()
    }


def draw(bgr: np.ndarray, found: np.ndarray | None, truth_pixels: dict) -> np.ndarray:
    """Overlay: detected skeleton in red, truth landmarks as green dots."""
    out = bgr.copy()
    if found is not None:
        for a, b in EDGES:
            cv2.line(
                out,
                tuple(int(v) for v in found[a, :2]),
                tuple(int(v) for v in found[b, :2]),
                DETECTED_COLOUR,
                2,
            )
    for name in MP_INDEX:
        cv2.circle(out, tuple(int(v) for v in truth_pixels[name]), 3, TRUTH_COLOUR, -1)
    return out


if __name__ == "__main__":
    with make_pose() as pose:
        for arg in sys.argv[1:]:
            png = Path(arg)
            truth = json.loads(png.with_suffix(".json").read_text())
            image = cv2.imread(str(png))
            found = detect(pose, image)
            if found is None:
                print(f"{png.name}: no pose")
                continue
            errs = pixel_errors(found, truth["pixels"])
            print(png.name, {k: round(v, 1) for k, v in errs.items()})
            cv2.imwrite(str(png.with_suffix(".overlay.jpg")), draw(image, found, truth["pixels"]))
