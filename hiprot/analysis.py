"""From PoseFrames to per-leg angle series relative to the person's neutral.

The angles stage of the pipeline for whole recordings (review) and for one
frame at a time (live). Pure numpy: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from hiprot.angles import LegAngles, leg_angles
from hiprot.calibration import Calibration, LegNeutral, find_still_period, neutral_from_still
from hiprot.filters import OneEuroFilter, zero_phase
from hiprot.landmarks import NUM_LANDMARKS, Side
from hiprot.types import PoseFrame

#: Live smoothing, chosen by measurement (benchmarks/accuracy_angles.py):
#: strong when still, quick to follow a rotation.
LIVE_FILTER = {"min_cutoff_hz": 1.0, "beta": 0.05, "d_cutoff_hz": 1.0}

#: Review smoothing window (zero-phase, no lag).
REVIEW_WINDOW_S = 0.3


def landmark_array(pose_frames: Sequence[PoseFrame], which: str = "world") -> npt.NDArray[np.float64]:
    """Stack one kind of landmarks into ``(n_frames, 33, 4)``; NaN where missing."""
    out = np.full((len(pose_frames), NUM_LANDMARKS, 4), np.nan)
    for i, pose_frame in enumerate(pose_frames):
        rows = getattr(pose_frame, which)
        if rows is not None:
            out[i] = rows
    return out


@dataclass(frozen=True)
class AngleSeries:
    """Per-leg angles of a whole recording.

    Attributes:
        t_s: ``(n_frames,)`` seconds since the first frame.
        has_pose: ``(n_frames,)`` bool, a person was found.
        legs: ``LegAngles`` per side, arrays of shape ``(n_frames,)``.
    """

    t_s: npt.NDArray[np.float64]
    has_pose: npt.NDArray[np.bool_]
    legs: dict[Side, LegAngles]

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if len(self.t_s) > 1 else 0.0

    def map_legs(self, fn) -> AngleSeries:  # noqa: ANN001 - fn: (Side, LegAngles) -> LegAngles
        return replace(self, legs={side: fn(side, angles) for side, angles in self.legs.items()})


def wrap_deg(angle_deg: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Wrap angles into [-180, 180)."""
    return (np.asarray(angle_deg, dtype=np.float64) + 180.0) % 360.0 - 180.0


def _unwrap_deg(angle_deg: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Remove 360° jumps between consecutive measured samples (NaN kept)."""
    out = angle_deg.copy()
    finite = np.isfinite(out)
    out[finite] = np.degrees(np.unwrap(np.radians(out[finite])))
    return out


def angle_series(pose_frames: Sequence[PoseFrame]) -> AngleSeries:
    """Absolute femur/foot/twist angles per leg from MediaPipe world landmarks.

    Angles are unwrapped over time so smoothing never averages across the
    +-180° seam.
    """
    t = np.array([p.t_s for p in pose_frames], dtype=np.float64)
    has_pose = np.array([p.has_pose for p in pose_frames], dtype=bool)
    world = landmark_array(pose_frames, "world")

    def unwrapped(side: Side) -> LegAngles:
        a = leg_angles(world, side)
        femur, foot = _unwrap_deg(a.femur_deg), _unwrap_deg(a.foot_deg)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return AngleSeries(t, has_pose, {side: unwrapped(side) for side in Side})


def smooth_series(series: AngleSeries, window_s: float = REVIEW_WINDOW_S) -> AngleSeries:
    """Zero-phase smoothing of every angle (review: no lag, sees the future)."""

    def smooth(_: Side, a: LegAngles) -> LegAngles:
        femur, foot = zero_phase(series.t_s, np.stack([a.femur_deg, a.foot_deg], 1), window_s).T
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return series.map_legs(smooth)


def auto_calibration(series: AngleSeries) -> Calibration | None:
    """Neutral from the first still period (>= 2 s, both legs quiet), or None."""
    channels = np.stack(
        [series.legs[s].femur_deg for s in Side] + [series.legs[s].foot_deg for s in Side], 1
    )
    period = find_still_period(series.t_s, channels)
    if period is None:
        return None
    neutral = neutral_from_still(
        {s: series.legs[s].femur_deg for s in Side},
        {s: series.legs[s].foot_deg for s in Side},
        period,
    )
    return Calibration(neutral, method="auto", setup={"still_from_s": float(series.t_s[period[0]])})


def median_calibration(series: AngleSeries) -> Calibration:
    """Fallback neutral: each angle's median over the whole recording."""
    neutral = {
        side: LegNeutral(float(np.nanmedian(a.femur_deg)), float(np.nanmedian(a.foot_deg)))
        for side, a in series.legs.items()
    }
    return Calibration(neutral, method="auto", setup={"still_from_s": None})


def relative_to_neutral(series: AngleSeries, calibration: Calibration) -> AngleSeries:
    """Subtract each leg's neutral: 0 = the person's relaxed neutral."""

    def shift(side: Side, a: LegAngles) -> LegAngles:
        n = calibration.neutral[side]
        femur, foot = wrap_deg(a.femur_deg - n.femur_deg), wrap_deg(a.foot_deg - n.foot_deg)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return series.map_legs(shift)


@dataclass(frozen=True)
class LegSample:
    """One leg at one instant, degrees from neutral; NaN when not measured."""

    femur_deg: float
    foot_deg: float
    twist_deg: float
    confidence: float

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
                float(a.femur_deg[i]), float(a.foot_deg[i]), float(a.twist_deg[i]), float(a.confidence[i])
            )
            for side, a in series.legs.items()
        }
        out.append(AngleSample(float(t), bool(series.has_pose[i]), legs))
    return out


class LiveAngles:
    """Frame-by-frame angles for live mode: One Euro smoothing, then neutral.

    ``update`` returns the smoothed absolute sample (for calibration) and
    the sample relative to the current calibration.
    """

    def __init__(self, calibration: Calibration | None = None) -> None:
        self.calibration = calibration or Calibration.zero()
        self._filter = OneEuroFilter(**LIVE_FILTER)

    def reset(self) -> None:
        self._filter.reset()

    def update(self, pose_frame: PoseFrame) -> tuple[AngleSample, AngleSample]:
        world = landmark_array([pose_frame], "world")
        raw = {side: leg_angles(world, side) for side in Side}
        values = [raw[s].femur_deg[0] for s in Side] + [raw[s].foot_deg[0] for s in Side]
        smoothed = self._filter(pose_frame.t_s, values)
        absolute: dict[Side, LegSample] = {}
        relative: dict[Side, LegSample] = {}
        for k, side in enumerate(Side):
            femur, foot = float(smoothed[k]), float(smoothed[k + 2])
            conf = float(raw[side].confidence[0])
            n: LegNeutral = self.calibration.neutral[side]
            absolute[side] = LegSample(femur, foot, float(wrap_deg(foot - femur)), conf)
            rf, rt = float(wrap_deg(femur - n.femur_deg)), float(wrap_deg(foot - n.foot_deg))
            relative[side] = LegSample(rf, rt, float(wrap_deg(rt - rf)), conf)
        return (
            AngleSample(pose_frame.t_s, pose_frame.has_pose, absolute),
            AngleSample(pose_frame.t_s, pose_frame.has_pose, relative),
        )
