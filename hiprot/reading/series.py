"""Whole-recording angle series: PoseFrames -> per-leg absolute angles.

The first stage of the reading for review (``angle_series``,
``smooth_series``), and the per-frame records (``AngleSample``) that both
review and live hand to the rep counter. Pure numpy: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, Side
from hiprot.reading.filters import zero_phase
from hiprot.reading.geometry import (
    CameraView,
    LegAngles,
    body_view_ratio,
    camera_view,
    image_leg_angles,
    leg_angles,
    near_side,
    torso_depth_sign,
)
from hiprot.reading.position import Gate
from hiprot.types import PoseFrame, landmark_array

#: Review smoothing window (zero-phase, no lag).
REVIEW_WINDOW_S = 0.3


@dataclass(frozen=True)
class AngleSeries:
    """Per-leg angles of a whole recording.

    Attributes:
        t_s: ``(n_frames,)`` seconds since the first frame.
        has_pose: ``(n_frames,)`` bool, a person was found.
        legs: ``LegAngles`` per side, arrays of shape ``(n_frames,)``.
        estimator: ``"image"`` (2D knee and foot, the default) or
            ``"world"`` (3D geometry on MediaPipe's world landmarks).
        near: The leg nearer the camera (``near_side``), None if unknown.
        view_ratio: ``body_view_ratio`` of the recording (NaN if unknown),
            which sets ``view``.
        pose_model: The landmark model (``"full"``, ``"heavy"``), which
            also sets ``view``.
    """

    t_s: npt.NDArray[np.float64]
    has_pose: npt.NDArray[np.bool_]
    legs: dict[Side, LegAngles]
    estimator: str = "image"
    near: Side | None = None
    view_ratio: float = math.nan
    pose_model: str = "full"

    @property
    def view(self) -> CameraView:
        """The camera placement the knee's circle is read for (``camera_view``)."""
        return camera_view(self.view_ratio, self.pose_model)

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if len(self.t_s) > 1 else 0.0

    def map_legs(self, fn) -> AngleSeries:
        return replace(self, legs={side: fn(side, angles) for side, angles in self.legs.items()})


def wrap_deg(angle_deg: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Wrap angles (any shape; the same returned) into [-180, 180)."""
    return (np.asarray(angle_deg, dtype=np.float64) + 180.0) % 360.0 - 180.0


def _unwrap_deg(angle_deg: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Remove 360° jumps between consecutive measured samples (NaN kept)."""
    out = angle_deg.copy()
    finite = np.isfinite(out)
    out[finite] = np.degrees(np.unwrap(np.radians(out[finite])))
    return out


ESTIMATORS = ("image", "world")

#: Span of the running median that steadies the hip and ankle points of the
#: image estimator: long next to a set, so a rep's own landmark wobble
#: averages out (chosen on the tuning renders), short enough to follow a
#: person who shifts between sets.
ANCHOR_WINDOW_S = 120.0


def steady_anchors(
    t_s: npt.NDArray[np.float64],
    image: npt.NDArray[np.float64],
    size_wh: tuple[int, int],
    side: Side,
    window_s: float = ANCHOR_WINDOW_S,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Hip and ankle pixel positions as a centred running median over time.

    Args:
        t_s: ``(n_frames,)`` timestamps.
        image: ``(n_frames, 33, 4)`` image landmarks (normalised x, y).

    Returns:
        ``(hip, ankle)``, each ``(n_frames, 2)`` pixels; NaN where no frame
        within the window saw the person.
    """
    leg = LEGS[side]
    points = image[:, [leg.hip, leg.ankle], :2] * np.asarray(size_wh, dtype=np.float64)
    starts = np.searchsorted(t_s, t_s - window_s / 2, side="left")
    ends = np.searchsorted(t_s, t_s + window_s / 2, side="right")
    steady = np.full_like(points, np.nan)
    for i, (a, b) in enumerate(zip(starts, ends)):
        window = points[a:b]
        seen = np.isfinite(window).all(axis=(1, 2))
        if seen.any():
            steady[i] = np.median(window[seen], axis=0)
    return steady[:, 0], steady[:, 1]


def angle_series(
    pose_frames: Sequence[PoseFrame],
    size_wh: tuple[int, int],
    estimator: str = "image",
    pose_model: str = "full",
) -> AngleSeries:
    """Absolute per-leg angles of a recording, before the neutral is known.

    ``"image"`` (default) reads the knee's sideways offset and the foot's
    image angle from MediaPipe's 2D landmarks (docs/angles.md: its depth does
    not follow the drill's rotation); ``"world"`` applies the exact 3D
    geometry of docs/geometry.md to its world landmarks. Angles are
    unwrapped over time so smoothing never averages across the +-180° seam.

    Args:
        pose_frames: The recording's frames, in time order.
        size_wh: Pixel size of the frames the landmarks came from.
        estimator: ``"image"`` or ``"world"``.
        pose_model: The landmark model that made them (sets the knee's circle).
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    t = np.array([p.t_s for p in pose_frames], dtype=np.float64)
    has_pose = np.array([p.has_pose for p in pose_frames], dtype=bool)
    world = landmark_array(pose_frames, "world")
    view_ratio = math.nan
    if estimator == "image":
        image = landmark_array(pose_frames, "image")
        view_ratio = body_view_ratio(image, world, size_wh)
        depth_sign = torso_depth_sign(world)
        raw = {
            side: image_leg_angles(
                image, size_wh, side, depth_sign, steady_anchors(t, image, size_wh, side)
            )
            for side in Side
        }
    else:
        raw = {side: leg_angles(world, side) for side in Side}

    def unwrapped(a: LegAngles) -> LegAngles:
        # the image femur reading is a scaled knee offset, not an angle: no seam
        femur = a.femur_deg if estimator == "image" else _unwrap_deg(a.femur_deg)
        foot = _unwrap_deg(a.foot_deg)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    legs = {side: unwrapped(a) for side, a in raw.items()}
    return AngleSeries(t, has_pose, legs, estimator, near_side(world), view_ratio, pose_model)


def smooth_series(series: AngleSeries, window_s: float = REVIEW_WINDOW_S) -> AngleSeries:
    """Zero-phase smoothing of every angle (review: no lag, sees the future)."""

    def smooth(_: Side, a: LegAngles) -> LegAngles:
        femur, foot = zero_phase(series.t_s, np.stack([a.femur_deg, a.foot_deg], 1), window_s).T
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return series.map_legs(smooth)


@dataclass(frozen=True)
class LegSample:
    """One leg at one instant, degrees from neutral; NaN when not measured.
    ``in_position``: the leg is in the drill's position (``hiprot.reading.position``)."""

    femur_deg: float
    foot_deg: float
    twist_deg: float
    confidence: float
    in_position: bool = True

    @property
    def valid(self) -> bool:
        return bool(np.isfinite(self.femur_deg) and np.isfinite(self.foot_deg))


@dataclass(frozen=True)
class AngleSample:
    """Both legs at one instant: what the rep counter consumes."""

    t_s: float
    has_pose: bool
    legs: dict[Side, LegSample]


def samples(series: AngleSeries) -> list[AngleSample]:
    """Split a series into per-frame samples, in time order."""
    out = []
    for i, t in enumerate(series.t_s):
        legs = {
            side: LegSample(
                float(a.femur_deg[i]),
                float(a.foot_deg[i]),
                float(a.twist_deg[i]),
                float(a.confidence[i]),
            )
            for side, a in series.legs.items()
        }
        out.append(AngleSample(float(t), bool(series.has_pose[i]), legs))
    return out


def gated(sample: AngleSample, gates: Mapping[Side, Gate]) -> AngleSample:
    """The sample as the rep counter should take it, per leg: in position as
    it is; just out of position (``Gate.WAIT``) as a dropout, so a leg
    on its way down moves no count before it is judged out; out of
    position (``Gate.OUT``) marked so, which ends an attempt without a rep."""
    legs = {}
    for side, leg in sample.legs.items():
        gate = gates.get(side, Gate.COUNT)
        if gate is Gate.WAIT:
            leg = replace(leg, confidence=0.0)
        elif gate is Gate.OUT:
            leg = replace(leg, in_position=False)
        legs[side] = leg
    return replace(sample, legs=legs)
