"""Drawing on frames: skeleton, angles, rep count and coaching cues.

Used by the annotated review video and the live window. Pure drawing on
BGR images; no analysis happens here.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, SKELETON, Side

#: BGR colours, chosen to stay distinct on skin, clothes and mats.
LEFT_COLOUR = (255, 160, 0)  # blue-ish: the person's left leg
RIGHT_COLOUR = (0, 140, 255)  # orange: the person's right leg
BODY_COLOUR = (230, 230, 230)
MIN_VISIBILITY = 0.3


def _side_of(a: int, b: int) -> Side | None:
    for side, leg in LEGS.items():
        if a in leg.indices and b in leg.indices:
            return side
    return None


def draw_skeleton(
    image: npt.NDArray[np.uint8],
    landmarks: npt.NDArray[np.float64] | None,
    thickness: int | None = None,
) -> npt.NDArray[np.uint8]:
    """Draw MediaPipe image landmarks ``(33, 4)`` onto ``image`` in place.

    Legs are coloured by side (left blue, right orange) so a left/right
    swap by the pose model is visible at a glance.
    """
    if landmarks is None:
        return image
    h, w = image.shape[:2]
    thickness = thickness or max(2, round(w / 320))
    xy = np.round(landmarks[:, :2] * (w, h)).astype(int)
    visible = landmarks[:, 3] >= MIN_VISIBILITY
    for a, b in sorted(SKELETON):
        if not (visible[a] and visible[b]):
            continue
        side = _side_of(a, b)
        colour = {Side.LEFT: LEFT_COLOUR, Side.RIGHT: RIGHT_COLOUR, None: BODY_COLOUR}[side]
        cv2.line(image, tuple(xy[a]), tuple(xy[b]), colour, thickness, cv2.LINE_AA)
    for index in np.flatnonzero(visible):
        cv2.circle(image, tuple(xy[index]), thickness + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return image
