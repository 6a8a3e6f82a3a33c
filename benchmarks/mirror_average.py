"""Mirror-image averaging, tried on a few rendered clips: each frame's landmarks
averaged with those of its mirror image (left and right swapped back).

MediaPipe runs a second time, in tracking mode, on the horizontally flipped
video; the flipped landmarks are mirrored back (x -> 1 - x, left <-> right)
and averaged with the plain run's, which comes from ``pose_models.py``'s
cache. Both go through the review as it ships for that model, scored like
``pose_models.py`` (femur error, counts, held counts, landmark pixel error).
It doubles the pose inference.

    python benchmarks/mirror_average.py --cache DIR --model full CLIP_STEM ...
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    HELD_OUT,
    MODELS,
    TUNING,
    clips,
    pixel_errors,
    read_cached,
    review_scores,
    write_results,
)

from hiprot.capture import open_video
from hiprot.landmarks import PoseLandmark
from hiprot.types import Frame, PoseFrame

_NAMES = [lm.name for lm in PoseLandmark]
#: Each landmark's mirror partner (LEFT_KNEE <-> RIGHT_KNEE; the nose is its own).
PARTNER = [
    _NAMES.index(n.replace("LEFT", "TMP").replace("RIGHT", "LEFT").replace("TMP", "RIGHT"))
    for n in _NAMES
]


def unmirror(rows: np.ndarray, flip_x: float) -> np.ndarray:
    """Landmarks of the flipped frame, as the plain frame's (``flip_x`` 1: image, 0: world)."""
    out = rows[PARTNER].copy()
    out[:, 0] = flip_x - out[:, 0] if flip_x else -out[:, 0]
    return out


def mirror_averaged(video: Path, plain: list[PoseFrame], model: str) -> list[PoseFrame]:
    from hiprot.pose import PoseEstimator

    out = []
    with open_video(video) as frames, PoseEstimator(model=model) as estimator:
        for frame, own in zip(frames, plain):
            flipped = estimator.estimate(
                Frame(frame.index, frame.t_s, np.ascontiguousarray(frame.image[:, ::-1]))
            )
            if own.image is None or flipped.image is None:
                out.append(own)
                continue
            image = (own.image + unmirror(flipped.image, 1.0)) / 2
            world = own.world
            if own.world is not None and flipped.world is not None:
                world = (own.world + unmirror(flipped.world, 0.0)) / 2
            out.append(dataclasses.replace(own, image=image, world=world))
    return out


def score(video: Path, truth: dict, frames: list[PoseFrame], model: str) -> dict:
    s = review_scores(video, truth, frames, model, (640, 480))
    px = pixel_errors(truth, frames, (640, 480))
    return {
        "femur_mae_deg": round(float(np.mean(s["femur_err"])), 2),
        "femur_p95_deg": round(float(np.percentile(s["femur_err"], 95)), 1),
        "legs": s["legs"],
        "median_px": {j: round(float(np.median(px[j])), 2) for j in ("knee", "ankle", "toe")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--model", choices=MODELS, default="full")
    parser.add_argument("clips", nargs="+", help="Clip stems (held-out or tuning renders).")
    args = parser.parse_args()
    videos = {v.stem: v for v in clips(HELD_OUT + TUNING)}
    results = {}
    for name in args.clips:
        video = videos[name]
        truth = json.loads(video.with_suffix(".truth.json").read_text())
        plain = read_cached(args.cache, args.model, video)
        results[name] = {
            "plain": score(video, truth, plain, args.model),
            "mirror_averaged": score(
                video, truth, mirror_averaged(video, plain, args.model), args.model
            ),
        }
        print(name, json.dumps(results[name]), flush=True)
    path = write_results(f"mirror_average_{args.model}", {"model": args.model, "clips": results})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
