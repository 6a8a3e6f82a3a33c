"""From PoseFrames to per-leg angle series relative to the person's neutral.

The angles stage of the pipeline for whole recordings (review) and for one
frame at a time (live). Pure numpy: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from hiprot.angles import LegAngles, image_leg_angles, leg_angles, torso_depth_sign
from hiprot.calibration import Calibration, LegNeutral, find_still_period, neutral_from_still
from hiprot.filters import OneEuroFilter, zero_phase
from hiprot.landmarks import NUM_LANDMARKS, Side
from hiprot.types import PoseFrame

#: Live smoothing: strong when still, quick to follow a rotation. Its lag on
#: drill-speed rotations is 30 ms (benchmarks/accuracy_angles.py); not tuned
#: further yet.
LIVE_FILTER = {"min_cutoff_hz": 1.0, "beta": 0.05, "d_cutoff_hz": 1.0}

#: Review smoothing window (zero-phase, no lag).
REVIEW_WINDOW_S = 0.3

#: Live: the torso's depth sign is the majority over this many frames.
_DEPTH_SIGN_FRAMES = 60


def landmark_array(
    pose_frames: Sequence[PoseFrame], which: str = "world"
) -> npt.NDArray[np.float64]:
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
        estimator: ``"image"`` (2D knee and foot, the default) or
            ``"world"`` (3D geometry on MediaPipe's world landmarks).
    """

    t_s: npt.NDArray[np.float64]
    has_pose: npt.NDArray[np.bool_]
    legs: dict[Side, LegAngles]
    estimator: str = "image"

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if len(self.t_s) > 1 else 0.0

    def map_legs(self, fn) -> AngleSeries:
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


ESTIMATORS = ("image", "world")


def angle_series(
    pose_frames: Sequence[PoseFrame], size_wh: tuple[int, int], estimator: str = "image"
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
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    t = np.array([p.t_s for p in pose_frames], dtype=np.float64)
    has_pose = np.array([p.has_pose for p in pose_frames], dtype=bool)
    world = landmark_array(pose_frames, "world")
    if estimator == "image":
        image = landmark_array(pose_frames, "image")
        depth_sign = torso_depth_sign(world)
        raw = {side: image_leg_angles(image, size_wh, side, depth_sign) for side in Side}
    else:
        raw = {side: leg_angles(world, side) for side in Side}

    def unwrapped(a: LegAngles) -> LegAngles:
        femur, foot = _unwrap_deg(a.femur_deg), _unwrap_deg(a.foot_deg)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return AngleSeries(t, has_pose, {side: unwrapped(a) for side, a in raw.items()}, estimator)


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


#: Bounds of the per-person rescaling of image femur angles: a knee offset
#: at neutral outside 0.25-4x the nominal one is more likely a tracking fault
#: than a knee.
_KNEE_SCALE_BOUNDS = (0.25, 4.0)


def knee_scale(estimator: str, calibration: Calibration) -> float:
    """Factor from nominal to this person's femur degrees (image estimator).

    The knee's sideways swing per degree of femur rotation grows with the
    knee's offset from the hip->ankle line, i.e. with the knee bend; the
    neutral femur reading (nominal degrees, proportional to that offset)
    measures it. Both legs are averaged: MediaPipe places a single knee a few
    pixels off, and the two knees bend alike in this drill.
    """
    if estimator != "image":
        return 1.0
    offsets = [abs(n.femur_deg) for n in calibration.neutral.values() if np.isfinite(n.femur_deg)]
    if not offsets or np.mean(offsets) == 0:
        return 1.0
    return float(np.clip(np.degrees(1.0) / np.mean(offsets), *_KNEE_SCALE_BOUNDS))


def relative_to_neutral(series: AngleSeries, calibration: Calibration) -> AngleSeries:
    """Subtract each leg's neutral: 0 = the person's relaxed neutral.

    Image femur angles are also rescaled to the person's knee bend
    (``knee_scale``). Foot angles stay in their raw scale until
    ``fit_foot_to_femur``.
    """
    scale = knee_scale(series.estimator, calibration)

    def shift(side: Side, a: LegAngles) -> LegAngles:
        n = calibration.neutral[side]
        femur = wrap_deg(a.femur_deg - n.femur_deg) * scale
        foot = wrap_deg(a.foot_deg - n.foot_deg)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return series.map_legs(shift)


#: Frames whose femur is further than this from neutral carry the foot fit.
_FOOT_FIT_MIN_FEMUR_DEG = 8.0
#: Fewer such frames than this: too little hip motion to fit the foot.
_FOOT_FIT_MIN_FRAMES = 15


def foot_gain(femur_deg: npt.NDArray[np.float64], foot_deg: npt.NDArray[np.float64]) -> float:
    """Robust slope mapping a raw image foot angle onto femur degrees.

    In most reps the foot turns with the femur, so over a session the foot's
    image angle is a scaled (and, by view, possibly mirrored) copy of the
    femur angle; Huber-weighted least squares through the neutral finds the
    scale while compensated (ankle-only) reps, which break the relation,
    are down-weighted. Returns 0 when the femur hardly moved.
    """
    x, y = np.asarray(foot_deg, dtype=np.float64), np.asarray(femur_deg, dtype=np.float64)
    use = np.isfinite(x) & np.isfinite(y) & (np.abs(y) > _FOOT_FIT_MIN_FEMUR_DEG)
    x, y = x[use], y[use]
    if len(x) < _FOOT_FIT_MIN_FRAMES or not np.any(x):
        return 0.0
    weights = np.ones_like(x)
    gain = 0.0
    for _ in range(8):
        gain = float(np.sum(weights * x * y) / np.sum(weights * x * x))
        residual = np.abs(y - gain * x)
        scale = 1.4826 * np.median(residual) + 1e-9
        weights = np.minimum(1.0, 1.5 * scale / np.maximum(residual, 1e-12))
    return gain


def fit_foot_to_femur(series: AngleSeries) -> AngleSeries:
    """Bring image foot angles (relative to neutral) into femur degrees, per leg.

    The world estimator's foot is already in degrees and is left alone.
    """
    if series.estimator != "image":
        return series

    def scaled(_: Side, a: LegAngles) -> LegAngles:
        foot = a.foot_deg * foot_gain(a.femur_deg, a.foot_deg)
        return LegAngles(
            a.femur_deg, foot, wrap_deg(foot - a.femur_deg), a.confidence, a.femur_confidence
        )

    return series.map_legs(scaled)


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
                float(a.femur_deg[i]),
                float(a.foot_deg[i]),
                float(a.twist_deg[i]),
                float(a.confidence[i]),
            )
            for side, a in series.legs.items()
        }
        out.append(AngleSample(float(t), bool(series.has_pose[i]), legs))
    return out


class LiveAngles:
    """Frame-by-frame angles for live mode: One Euro smoothing, then neutral.

    ``update`` returns the smoothed absolute sample (for calibration) and
    the sample relative to the current calibration. With the image
    estimator the foot's scale is learnt as the session goes (the running
    version of ``foot_gain``); until the hips have moved enough, the foot
    reads 0 and the femur alone drives the rep counter.
    """

    def __init__(
        self,
        calibration: Calibration | None = None,
        size_wh: tuple[int, int] = (640, 480),
        estimator: str = "image",
    ) -> None:
        if estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
        self.size_wh = size_wh
        self.estimator = estimator
        self._filter = OneEuroFilter(**LIVE_FILTER)
        self._depth_signs: deque[float] = deque(maxlen=_DEPTH_SIGN_FRAMES)
        self._last_foot_deg = {side: math.nan for side in Side}
        self.calibration = calibration or Calibration.zero()

    @property
    def calibration(self) -> Calibration:
        return self._calibration

    @calibration.setter
    def calibration(self, calibration: Calibration) -> None:
        """A new neutral: the foot's scale is learnt afresh against it."""
        self._calibration = calibration
        self._scale = knee_scale(self.estimator, calibration)
        self._foot_fit = {side: [0.0, 0.0, 0] for side in Side}  # sum xy, sum xx, count

    def reset(self) -> None:
        self._filter.reset()

    def _raw(self, pose_frame: PoseFrame) -> dict[Side, LegAngles]:
        world = landmark_array([pose_frame], "world")
        if self.estimator == "world":
            return {side: leg_angles(world, side) for side in Side}
        if np.isfinite(world).any():
            self._depth_signs.append(torso_depth_sign(world))
        depth_sign = 1.0 if sum(self._depth_signs) > 0 else -1.0
        image = landmark_array([pose_frame], "image")
        raw = {side: image_leg_angles(image, self.size_wh, side, depth_sign) for side in Side}
        for side, a in raw.items():  # keep the foot's image angle continuous
            last = self._last_foot_deg[side]
            if np.isfinite(a.foot_deg[0]):
                if np.isfinite(last):
                    a.foot_deg[0] = last + float(wrap_deg(a.foot_deg[0] - last))
                self._last_foot_deg[side] = float(a.foot_deg[0])
        return raw

    def _foot_gain(self, side: Side, femur_rel: float, foot_rel: float) -> float:
        if self.estimator != "image":
            return 1.0
        fit = self._foot_fit[side]
        if (
            self._calibration.method != "none"
            and abs(femur_rel) > _FOOT_FIT_MIN_FEMUR_DEG
            and np.isfinite(foot_rel)
        ):
            fit[0] += foot_rel * femur_rel
            fit[1] += foot_rel * foot_rel
            fit[2] += 1
        return fit[0] / fit[1] if fit[2] >= _FOOT_FIT_MIN_FRAMES and fit[1] > 0 else 0.0

    def update(self, pose_frame: PoseFrame) -> tuple[AngleSample, AngleSample]:
        raw = self._raw(pose_frame)
        values = [raw[s].femur_deg[0] for s in Side] + [raw[s].foot_deg[0] for s in Side]
        smoothed = self._filter(pose_frame.t_s, values)
        absolute: dict[Side, LegSample] = {}
        relative: dict[Side, LegSample] = {}
        for k, side in enumerate(Side):
            femur, foot = float(smoothed[k]), float(smoothed[k + 2])
            conf = float(raw[side].confidence[0])
            n: LegNeutral = self._calibration.neutral[side]
            absolute[side] = LegSample(femur, foot, float(wrap_deg(foot - femur)), conf)
            rf = float(wrap_deg(femur - n.femur_deg)) * self._scale
            rt = float(wrap_deg(foot - n.foot_deg))
            rt *= self._foot_gain(side, rf, rt)
            relative[side] = LegSample(rf, rt, float(wrap_deg(rt - rf)), conf)
        return (
            AngleSample(pose_frame.t_s, pose_frame.has_pose, absolute),
            AngleSample(pose_frame.t_s, pose_frame.has_pose, relative),
        )
