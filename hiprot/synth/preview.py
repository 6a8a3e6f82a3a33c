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

from hiprot.overlay import draw_skeleton
from hiprot.synth import SessionSpec, generate
from hiprot.synth.camera import PLACEMENTS


def placements_grid(
    path: str | Path,
    tile_wh: tuple[int, int] = (320, 240),
    per_row: int = 2,
) -> Path:
    """Write the grid PNG of every placement; returns its path."""
    tiles = []
    for seed, name in enumerate(PLACEMENTS):
        session = generate(
            SessionSpec(
                seed=seed,
                scenario="clean",
                placement=name,
                noise="none",
                reps_per_set=1,
                jitter_camera=False,
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
                tile,
                f"{name}: {label} {femur[k]:+.0f} deg",
                (6, 18),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.45,
                (255, 255, 255),
                1,
                cv2.LINE_AA,
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
