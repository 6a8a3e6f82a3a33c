"""Is the person placed so the drill can be measured? One frame's check.

``check_view`` reads one PoseFrame's image landmarks: someone found, lying
down (not standing), the worked legs and feet in the picture, and each leg
in the drill's position (``hiprot.reading.position.leg_ok``). The coach
debounces it over time. ``LegSize`` follows each worked leg's length in the
picture while the person is placed, and says once which are too small to
count reliably (``hiprot.reading.size``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from hiprot.coach_io import Cue
from hiprot.landmarks import LEGS, MIN_VISIBILITY, PoseLandmark, Side
from hiprot.reading.position import Verdict, leg_ok
from hiprot.reading.size import (
    MIN_LEG_PX,
    LegLength,
    is_unseen,
    judged_lengths,
    leg_px,
    median_px,
    short_legs,
)
from hiprot.types import PoseFrame

#: A torso within this many degrees of vertical in the image, shoulders above
#: hips and ankles below them, is a standing person, not one lying down.
STANDING_MAX_TILT_DEG = 30.0


@dataclass(frozen=True)
class ViewCheck:
    """Is the person placed so the drill can be measured?

    Attributes:
        person: Someone was found.
        standing: Their torso is upright in the image (not lying down).
        legs_in_view: Every worked leg's hip, knee, ankle, heel and toes are
            visible inside the image.
        position_ok: Per leg, this frame alone in the drill's position
            (``hiprot.reading.position.leg_ok``; None: not known); None when not judged.
        in_position: Every worked leg is in position, debounced (the coach
            sets it from ``position_ok``).
    """

    person: bool
    standing: bool
    legs_in_view: bool
    position_ok: Mapping[Side, Verdict | bool | None] | None = None
    in_position: bool = True

    @property
    def ready(self) -> bool:
        return self.person and not self.standing and self.legs_in_view and self.in_position

    @property
    def cue(self) -> Cue | None:
        """What to ask for when not ready."""
        if not self.person or self.standing:
            return Cue.LIE_DOWN
        if not self.legs_in_view:
            return Cue.FEET_INTO_VIEW
        return None if self.in_position else Cue.LEGS_UP


def check_view(
    pose_frame: PoseFrame, sides: tuple[Side, ...], size_wh: tuple[int, int] | None = None
) -> ViewCheck:
    """Check placement from the image landmarks of one frame; with the
    image's ``size_wh``, also judge each leg's position (``position_ok``)."""
    rows = pose_frame.image
    if rows is None:
        position = None if size_wh is None else dict.fromkeys(Side)
        return ViewCheck(person=False, standing=False, legs_in_view=False, position_ok=position)

    def mid(a: PoseLandmark, b: PoseLandmark) -> np.ndarray:
        return (rows[a, :2] + rows[b, :2]) / 2.0

    shoulders = mid(PoseLandmark.LEFT_SHOULDER, PoseLandmark.RIGHT_SHOULDER)
    hips = mid(PoseLandmark.LEFT_HIP, PoseLandmark.RIGHT_HIP)
    ankles = mid(PoseLandmark.LEFT_ANKLE, PoseLandmark.RIGHT_ANKLE)
    torso = shoulders - hips  # image y grows downwards
    tilt_deg = math.degrees(math.atan2(abs(torso[0]), abs(torso[1]) + 1e-9))
    standing = tilt_deg < STANDING_MAX_TILT_DEG and torso[1] < 0 and ankles[1] > hips[1]

    indices = [i for side in sides for i in LEGS[side].indices]
    leg_rows = rows[indices]
    inside = np.all((leg_rows[:, :2] >= 0.0) & (leg_rows[:, :2] <= 1.0), axis=1)
    in_view = bool(np.all(inside & (leg_rows[:, 3] >= MIN_VISIBILITY)))
    position = None if size_wh is None else leg_ok(pose_frame, size_wh)
    return ViewCheck(
        person=True, standing=bool(standing), legs_in_view=in_view, position_ok=position
    )


@dataclass
class LegSize:
    """Each worked leg's length in the picture, over the frames the person is
    placed and in position, judged once per leg against ``MIN_LEG_PX``: on
    its own frames, or, once it has gone unseen long enough to tell
    (``MIN_SEEN_SHARE``), on the person's other leg, as review judges it
    (``hiprot.reading.size.judged_lengths``).

    Attributes:
        size_wh: The image size, pixels.
        min_px: The shortest leg that counts reliably.
        lengths: Per worked leg, its length once judged.
    """

    size_wh: tuple[int, int]
    min_px: float = MIN_LEG_PX
    lengths: dict[Side, LegLength] = field(default_factory=dict)
    _seen: dict[Side, list[float | None]] = field(default_factory=lambda: {s: [] for s in Side})

    def update(
        self,
        pose_frame: PoseFrame,
        sides: tuple[Side, ...],
        placed: bool,
        in_position: Mapping[Side, bool] | None = None,
    ) -> list[Side]:
        """Take one frame (``placed``: ready, the worked legs in position;
        ``in_position``: per leg, None: every leg); returns the legs judged
        too small on this frame (``short_legs``); each leg is judged once."""
        if not placed or all(side in self.lengths for side in sides):
            return []
        for side in Side:
            if in_position is None or in_position.get(side, False):
                self._seen[side].append(leg_px(pose_frame.image, self.size_wh, side))
        own = {side: median_px(seen) for side, seen in self._seen.items()}
        unseen = [s for s in Side if is_unseen(self._seen[s])]
        warned = []
        for side in sides:
            if side in self.lengths or (own[side] is None and side not in unseen):
                continue
            judged = judged_lengths(own, (side,), unseen).get(side)
            if judged is not None:
                self.lengths[side] = judged
                warned += list(short_legs(own, self.min_px, (side,), unseen))
        return warned
