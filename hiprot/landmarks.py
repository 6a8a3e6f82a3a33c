"""Named MediaPipe Pose landmarks and the leg segments hiprot measures.

MediaPipe numbers its 33 landmarks; even numbers are the right side of the
body. Code refers to them by name (``PoseLandmark.LEFT_HEEL``), never by a
bare index.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

NUM_LANDMARKS = 33

#: Landmarks below this visibility count as not in view.
MIN_VISIBILITY = 0.3


class PoseLandmark(enum.IntEnum):
    """MediaPipe Pose landmark indices (same order as ``mp.solutions.pose``)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


class Side(str, enum.Enum):
    """A body side, as the person sees it (not as the camera does)."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def sign(self) -> int:
        """+1 for left, -1 for right: mirrors lateral directions between legs."""
        return 1 if self is Side.LEFT else -1


@dataclass(frozen=True)
class LegLandmarks:
    """The landmark indices of one leg, from hip to toes."""

    side: Side
    hip: int
    knee: int
    ankle: int
    heel: int
    foot_index: int
    other_hip: int

    @property
    def indices(self) -> tuple[int, ...]:
        return (self.hip, self.knee, self.ankle, self.heel, self.foot_index)


LEGS: dict[Side, LegLandmarks] = {
    Side.LEFT: LegLandmarks(
        Side.LEFT,
        PoseLandmark.LEFT_HIP,
        PoseLandmark.LEFT_KNEE,
        PoseLandmark.LEFT_ANKLE,
        PoseLandmark.LEFT_HEEL,
        PoseLandmark.LEFT_FOOT_INDEX,
        PoseLandmark.RIGHT_HIP,
    ),
    Side.RIGHT: LegLandmarks(
        Side.RIGHT,
        PoseLandmark.RIGHT_HIP,
        PoseLandmark.RIGHT_KNEE,
        PoseLandmark.RIGHT_ANKLE,
        PoseLandmark.RIGHT_HEEL,
        PoseLandmark.RIGHT_FOOT_INDEX,
        PoseLandmark.LEFT_HIP,
    ),
}

#: Segments drawn as the skeleton (pairs of landmark indices).
SKELETON: frozenset[tuple[int, int]] = frozenset(
    {
        (PoseLandmark.LEFT_SHOULDER, PoseLandmark.RIGHT_SHOULDER),
        (PoseLandmark.LEFT_SHOULDER, PoseLandmark.LEFT_ELBOW),
        (PoseLandmark.LEFT_ELBOW, PoseLandmark.LEFT_WRIST),
        (PoseLandmark.RIGHT_SHOULDER, PoseLandmark.RIGHT_ELBOW),
        (PoseLandmark.RIGHT_ELBOW, PoseLandmark.RIGHT_WRIST),
        (PoseLandmark.LEFT_SHOULDER, PoseLandmark.LEFT_HIP),
        (PoseLandmark.RIGHT_SHOULDER, PoseLandmark.RIGHT_HIP),
        (PoseLandmark.LEFT_HIP, PoseLandmark.RIGHT_HIP),
        (PoseLandmark.LEFT_HIP, PoseLandmark.LEFT_KNEE),
        (PoseLandmark.LEFT_KNEE, PoseLandmark.LEFT_ANKLE),
        (PoseLandmark.LEFT_ANKLE, PoseLandmark.LEFT_HEEL),
        (PoseLandmark.LEFT_HEEL, PoseLandmark.LEFT_FOOT_INDEX),
        (PoseLandmark.LEFT_ANKLE, PoseLandmark.LEFT_FOOT_INDEX),
        (PoseLandmark.RIGHT_HIP, PoseLandmark.RIGHT_KNEE),
        (PoseLandmark.RIGHT_KNEE, PoseLandmark.RIGHT_ANKLE),
        (PoseLandmark.RIGHT_ANKLE, PoseLandmark.RIGHT_HEEL),
        (PoseLandmark.RIGHT_HEEL, PoseLandmark.RIGHT_FOOT_INDEX),
        (PoseLandmark.RIGHT_ANKLE, PoseLandmark.RIGHT_FOOT_INDEX),
        (PoseLandmark.NOSE, PoseLandmark.LEFT_EYE),
        (PoseLandmark.NOSE, PoseLandmark.RIGHT_EYE),
    }
)
