"""A sanity picture: generated image landmarks drawn as skeletons, per placement.

Regenerate with ``python -m hiprot.synth.preview docs/images/synth_placements.png``.
Each placement shows three noiseless frames: neutral, the external peak and
the internal peak of the first rep (both legs).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, SKELETON, PoseLandmark, Side
from hiprot.synth import SessionSpec, generate
from hiprot.synth.camera import PLACEMENTS

_COLOURS = {Side.LEFT: (60, 180, 255), Side.RIGHT: (255, 160, 60)}  # BGR: left orange, right blue
_BODY = (200, 200, 200)


def draw_skeleton(image: npt.NDArray[np.uint8], landmarks: npt.NDArray[np.float64]) -> None:
    """Draw ``(33, 4)`` normalised landmarks on a BGR image in place.

    Legs are coloured by side (left orange, right blue); dim points have low
    visibility.
    """
    height, width = image.shape[:2]
    xy = np.round(landmarks[:, :2] * [width, height]).astype(int)
    side_of = {i: side for side in Side for i in LEGS[side].indices}
    for a, b in sorted(SKELETON):
        same_leg = a in side_of and side_of.get(b) is side_of[a]
        colour = _COLOURS[side_of[a]] if same_leg else _BODY
        cv2.line(image, tuple(xy[a]), tuple(xy[b]), colour, 2, cv2.LINE_AA)
    for i, (x, y) in enumerate(xy):
        shade = int(80 + 175 * float(landmarks[i, 3]))
        cv2.circle(image, (int(x), int(y)), 3, (shade, shade, shade), -1, cv2.LINE_AA)
    nose = xy[PoseLandmark.NOSE]
    cv2.circle(image, tuple(nose), 7, _BODY, 1, cv2.LINE_AA)


def placements_grid(
    path: str | Path, tile_wh: tuple[int, int] = (320, 240), per_row: int = 2,
) -> Path:
    """Write the grid PNG of every placement; returns its path."""
    tiles = []
    for seed, name in enumerate(PLACEMENTS):
        session = generate(
            SessionSpec(
                seed=seed, scenario="clean", placement=name, noise="none", reps_per_set=1, jitter_camera=False,
            )
        )
        rep = session.script.reps()[0]
        t = np.array([f.t_s for f in session.frames])
        femur = np.asarray(session.truth["frames"]["left"]["femur_deg"])
        in_rep = (t >= rep.start_s) & (t <= rep.end_s)
        picks = {
            "neutral": 0,
            "external": int(np.argmin(np.where(in_rep, femur, np.inf))),
            "internal": int(np.argmax(np.where(in_rep, femur, -np.inf))),
        }
        for label, k in picks.items():
            canvas = np.full((session.info.height, session.info.width, 3), 40, np.uint8)
            frame = session.frames[k]
            assert frame.image is not None
            draw_skeleton(canvas, frame.image)
            tile = cv2.resize(canvas, tile_wh, interpolation=cv2.INTER_AREA)
            cv2.putText(
                tile, f"{name}: {label} {femur[k]:+.0f} deg", (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA,
            )
            cv2.rectangle(tile, (0, 0), (tile_wh[0] - 1, tile_wh[1] - 1), (90, 90, 90), 1)
            tiles.append(tile)
    row_len = 3 * per_row
    blank = np.zeros_like(tiles[0])
    tiles += [blank] * (-len(tiles) % row_len)
    rows = [np.hstack(tiles[i : i + row_len]) for i in range(0, len(tiles), row_len)]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), np.vstack(rows))
    return out


if __name__ == "__main__":
    print(placements_grid(sys.argv[1] if len(sys.argv) > 1 else "docs/images/synth_placements.png"))
