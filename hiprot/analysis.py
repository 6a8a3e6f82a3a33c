"""From PoseFrames to per-leg angle series relative to the person's neutral.

The angles stage of the pipeline for whole recordings (review) and for one
frame at a time (live). Pure numpy: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.angles import (
    SIDE_ON_RATIO,
    VIEW_RATIO_SPLIT,
    CameraView,
    LegAngles,
    body_view_ratio,
    camera_view,
    femur_from_knee_ratio,
    image_leg_angles,
    knee_phase_deg,
    knee_reading_range,
    leg_angles,
    near_side,
    torso_depth_sign,
)
from hiprot.calibration import (
    STILL_MIN_S,
    Calibration,
    LegNeutral,
    find_still_period,
    neutral_from_still,
)
from hiprot.filters import OneEuroFilter, SpikeFilter, jitter_deg, zero_phase
from hiprot.landmarks import LEGS, NUM_LANDMARKS, Side
from hiprot.position import Gate
from hiprot.types import PoseFrame

T = TypeVar("T")

#: Live smoothing: strong when still, quick to follow a rotation. Its lag on
#: drill-speed rotations is 30 ms alone, 65 ms after the spike filter
#: (benchmarks/accuracy_angles.py); not tuned further yet.
LIVE_FILTER = {"min_cutoff_hz": 1.0, "beta": 0.05, "d_cutoff_hz": 1.0}

#: Live: a running median over this many frames goes before the One Euro
#: filter (``SpikeFilter``). On the synthetic tuning seeds at realistic noise
#: it took live's count exact from 24% to 30% of session-legs (5 frames
#: gained a little more on a few legs but would lag about 100 ms).
LIVE_SPIKE_SAMPLES = 3

#: Review smoothing window (zero-phase, no lag).
REVIEW_WINDOW_S = 0.3

#: Live: the torso's depth sign, the near leg and the camera view are
#: majorities (medians) over this many frames.
_VOTE_FRAMES = 60
#: Live: how far past ``VIEW_RATIO_SPLIT`` the ratio must be to change the
#: view (the renders sit 0.25 or more from it; exact synthetic 45° views
#: reach 1.15-1.2).
_VIEW_HYSTERESIS = 0.15


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
    """Wrap angles into [-180, 180)."""
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
#: averages out (10 s windows did worse than whole-clip medians on the
#: renders), short enough to follow a person who shifts between sets.
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


#: Auto-neutral: the median over the last this many seconds of the first
#: still period, where MediaPipe's knee has settled.
_NEUTRAL_LAST_S = 2.0


def auto_calibration(series: AngleSeries) -> Calibration | None:
    """Neutral from the first still period (>= 2 s, both feet quiet), or None.

    Stillness is judged on the feet, as the hiprot-session format says
    (``find_still_period``): the image femur reading (the knee's offset) can
    creep for seconds after MediaPipe starts tracking while the person lies
    still. For the same reason the neutral is the median over the period's
    last ``_NEUTRAL_LAST_S`` (tuning clip ``tune_default_raised60``: the
    right knee crept 17° through a 4.5 s still start, and the whole
    period's median left the leg's rests outside the neutral band).
    """
    channels = np.stack([series.legs[s].foot_deg for s in Side], 1)
    period = find_still_period(series.t_s, channels)
    if period is None:
        return None
    settled = int(np.searchsorted(series.t_s, series.t_s[period[1] - 1] - _NEUTRAL_LAST_S))
    period = (max(period[0], settled), period[1])
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


def neutral_from_rests(
    series: AngleSeries,
    calibration: Calibration,
    rep_windows: dict[Side, Sequence[tuple[float, float]]],
    worked: Sequence[Side] = tuple(Side),
) -> Calibration:
    """The worked legs' neutral re-taken from every moment they rest between reps.

    MediaPipe's 2D knee does not come back to the same place after a rep: its
    offset at rest can settle 10-60% of the neutral reading away from where
    it was in the opening still period, most from the 60° view, where the
    neutral offset is small; and a few seconds of still start under webcam
    jitter and drift are a noisier neutral than the whole set's rests. The
    median reading outside the counted reps (the opening still period, the
    rests, the end; not the set-up before the still period the neutral
    came from) is the neutral the rest of the set is actually measured
    from, for the femur and the foot. Idle legs keep their neutral, and so
    does an image femur whose new reading would be no knee (``_retaken``).

    Args:
        series: Absolute angles (``angle_series``, smoothed).
        calibration: The first neutral, that the reps were counted with.
        rep_windows: Per leg, the counted reps' (start_s, end_s).
        worked: The legs doing reps.
    """
    neutral = dict(calibration.neutral)
    settled_from_s = calibration.setup.get("still_from_s") or -math.inf
    for side in worked:
        reading = series.legs[side].femur_deg
        rest = np.isfinite(reading) & (series.t_s >= settled_from_s)
        for start_s, end_s in rep_windows.get(side, ()):
            rest &= (series.t_s < start_s) | (series.t_s > end_s)
        first = calibration.neutral[side]
        neutral[side] = rested_neutral(
            first,
            reading[rest],
            series.legs[side].foot_deg[rest],
            first.femur_deg if series.estimator == "image" else None,
        )
    return replace(calibration, neutral=neutral)


def rested_neutral(
    kept: LegNeutral,
    femur_rests: npt.ArrayLike,
    foot_rests: npt.ArrayLike,
    first_knee_deg: float | None,
) -> LegNeutral:
    """One leg's neutral re-taken from its readings at rest (``(n,)`` each,
    NaN ignored): the median of each, where there are at least
    ``_REST_MIN_FRAMES``, else ``kept``'s (a foot lost at rest keeps its
    neutral). ``first_knee_deg``: the image knee reading the neutral started
    from, that a re-taken one must not turn round (``_retaken``); None for
    the world estimator's femur, taken as it rests.
    """
    femur, foot = (np.asarray(a, dtype=np.float64) for a in (femur_rests, foot_rests))
    femur, foot = femur[np.isfinite(femur)], foot[np.isfinite(foot)]
    femur_deg, foot_deg = kept.femur_deg, kept.foot_deg
    if len(femur) >= _REST_MIN_FRAMES:
        femur_deg = float(np.median(femur))
        if first_knee_deg is not None:
            femur_deg = _retaken(first_knee_deg, femur_deg)
    if len(foot) >= _REST_MIN_FRAMES:
        foot_deg = float(np.median(foot))
    return LegNeutral(femur_deg, foot_deg)


#: Fewer resting samples than this (half a second at 30 frames/s; 3 s live,
#: where they are taken every ``_REST_EVERY_S``): keep the first neutral.
_REST_MIN_FRAMES = 15
_REST_EVERY_S = 0.2


def _retaken(first: float, rested: float) -> float:
    """The re-taken neutral knee reading, unless it crossed the hip->ankle
    line (that would turn the leg's direction round) or left
    ``_KNEE_NEUTRAL_BOUNDS``: then the first one."""
    same_side = np.sign(rested) == np.sign(first) and first != 0
    in_bounds = _KNEE_NEUTRAL_BOUNDS[0] <= abs(rested) <= _KNEE_NEUTRAL_BOUNDS[1]
    return rested if same_side and in_bounds else first


#: Bounds of the neutral knee reading (nominal degrees, ``image_leg_angles``):
#: a knee offset at neutral outside 0.25-4x the nominal one is more likely a
#: tracking fault than a knee.
_KNEE_NEUTRAL_BOUNDS = (np.degrees(1.0) / 4.0, np.degrees(1.0) * 4.0)


def knee_neutral(
    calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> dict[Side, float]:
    """Each leg's signed neutral knee reading, with one shared magnitude.

    The knee's sideways swing per degree of femur rotation grows with its
    offset from the hip->ankle line at neutral, i.e. with the knee bend.
    Knees bent alike share the magnitude, since MediaPipe places a single
    knee a few pixels off: the worked legs always, and an idle leg only if
    its reading is within a factor of two of theirs (still on the wall, as
    in the one-leg renders), not when it rests off the wall bent any
    amount. A reading of exactly 0 is a placeholder, never a measured knee.
    0 when there is no neutral yet.
    """
    readings = {
        s: abs(n.femur_deg)
        for s, n in calibration.neutral.items()
        if np.isfinite(n.femur_deg) and n.femur_deg != 0
    }
    own = [v for s, v in readings.items() if s in worked]
    if not own:
        return {side: 0.0 for side in Side}
    alike = [v for s, v in readings.items() if s not in worked and 0.5 <= v / np.mean(own) <= 2.0]
    magnitude = float(np.mean(own + alike))
    magnitude = float(np.clip(magnitude, *_KNEE_NEUTRAL_BOUNDS))
    signs = {s: 1.0 if n.femur_deg >= 0 else -1.0 for s, n in calibration.neutral.items()}
    return {side: magnitude * signs.get(side, 1.0) for side in Side}


def femur_from_reading(
    reading: npt.ArrayLike, neutral: float, offset: float, phase_deg: float
) -> npt.NDArray[np.float64]:
    """Image femur reading (nominal degrees) -> degrees from neutral.

    Args:
        reading: ``image_leg_angles`` femur values.
        neutral: The leg's neutral reading.
        offset: ``knee_neutral`` for the leg; 0 keeps nominal degrees.
        phase_deg: ``knee_phase_deg`` for the leg.
    """
    change = np.asarray(reading, dtype=np.float64) - neutral  # an offset, not an angle
    if offset == 0:
        return change
    return femur_from_knee_ratio(1.0 + change / offset, float(np.sign(offset)), phase_deg)


def femur_range(
    series: AngleSeries, calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> dict[Side, tuple[float, float] | None]:
    """Per leg, the (lowest, highest) femur angle the image estimator can read
    with this neutral (``knee_reading_range``); None where there is no limit
    (the 3D estimator, or no neutral yet)."""
    if series.estimator != "image":
        return {side: None for side in Side}
    offsets = knee_neutral(calibration, worked)
    return {
        side: knee_reading_range(
            float(np.sign(offset)), knee_phase_deg(side, series.near, series.view)
        )
        if offset
        else None
        for side, offset in offsets.items()
    }


def relative_to_neutral(
    series: AngleSeries, calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> AngleSeries:
    """Subtract each leg's neutral: 0 = the person's relaxed neutral.

    Image femur readings are turned into degrees with the knee's circle
    (``femur_from_reading``). Foot angles stay in their raw scale until
    ``fit_foot_to_femur``.
    """
    offsets = knee_neutral(calibration, worked) if series.estimator == "image" else None

    def shift(side: Side, a: LegAngles) -> LegAngles:
        n = calibration.neutral[side]
        if offsets is None:
            femur = wrap_deg(a.femur_deg - n.femur_deg)
        else:
            phase = knee_phase_deg(side, series.near, series.view)
            femur = femur_from_reading(a.femur_deg, n.femur_deg, offsets[side], phase)
        foot = wrap_deg(a.foot_deg - n.foot_deg)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return series.map_legs(shift)


#: Live foot fit: the span of recent samples it is fitted on, and how many
#: new samples trigger a refit (about twice a second at 30 frames/s).
_LIVE_FOOT_WINDOW_S = 120.0
_LIVE_FOOT_REFIT = 15

#: Live jitter judgement (``knee_too_jittery``): over the last 600 frames in
#: position (20 s at 30 frames/s).
_LIVE_JITTER_SAMPLES = 600

#: Frames whose femur is further than this from neutral carry the foot fit.
_FOOT_FIT_MIN_FEMUR_DEG = 8.0

#: Fewer such frames than this: too little hip motion to fit the foot.
_FOOT_FIT_MIN_FRAMES = 15

#: A femur reading sweeping less than this (5th to 95th percentile over the
#: fit) hardly carried the reps, which go past -10° and +10° ...
_FEMUR_MIN_SWEEP_DEG = 2 * drill.REP_MIN_EXCURSION_DEG
#: ... when the foot's reading sweeps at least that far and this many times
#: as far as the femur's ...
_FOOT_TO_FEMUR_MIN_SWEEP = 2.0
#: ... in step with it (correlation at least this): ``flat_femur_sign``.
_FOOT_MIN_CORRELATION = 0.5
#: Live judges a flat femur only once its foot has been through a whole rep
#: (``_foot_went_round``) or its fit spans this long (several reps): early
#: in the first rep the foot can have swept 20° before the femur.
_LIVE_FLAT_MIN_SPAN_S = 30.0


def _sweep(angle_deg: npt.NDArray[np.float64]) -> float:
    """How far a reading swings, ignoring its extreme 5% each side: ``(n,)`` -> degrees."""
    low, high = np.percentile(angle_deg, [5, 95])
    return float(high - low)


def _foot_went_round(foot_deg: npt.NDArray[np.float64]) -> bool:
    """The foot reading (``(n,)``, oldest first) has been out and in past a
    rep's excursion, either way round (the view may mirror it), and is back
    in the neutral band: a whole rep, so the femur reading beside it has had
    its chance to show one."""
    low, high = np.percentile(foot_deg, [5, 95])
    reached = -low >= drill.REP_MIN_EXCURSION_DEG and high >= drill.REP_MIN_EXCURSION_DEG
    return bool(reached and abs(foot_deg[-1]) <= drill.NEUTRAL_BAND_DEG)


def _huber_slope(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    """Slope of ``y ~ gain * x`` by Huber-weighted least squares; 0 for too few points."""
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


def flat_femur_sign(femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike) -> float:
    """+-1 when the femur reading is too flat to be the femur, else 0.

    A femur reading that sweeps less than the reps need
    (``_FEMUR_MIN_SWEEP_DEG``) while the foot's sweeps that far and at least
    twice as far (``_FOOT_TO_FEMUR_MIN_SWEEP``), in step with it
    (``_FOOT_MIN_CORRELATION``), is not following the rotation: from some
    views MediaPipe's knee offset hardly changes with it. The sign is the
    correlation's: the foot's image angle may be mirrored. Such a leg is read
    from its foot alone (``fit_foot_to_femur``), so its ankle twist cannot be
    told apart: a working knee with a small range whose foot reads more
    than twice as far would lose its "from the ankles" flags.

    Args:
        femur_deg, foot_deg: ``(n,)`` readings relative to neutral.
    """
    y, x = np.asarray(femur_deg, dtype=np.float64), np.asarray(foot_deg, dtype=np.float64)
    both = np.isfinite(x) & np.isfinite(y)
    if both.sum() < _FOOT_FIT_MIN_FRAMES:
        return 0.0
    x, y = x[both], y[both]
    femur_sweep, foot_sweep = _sweep(y), _sweep(x)
    if not femur_sweep < _FEMUR_MIN_SWEEP_DEG <= foot_sweep:
        return 0.0
    if foot_sweep < _FOOT_TO_FEMUR_MIN_SWEEP * femur_sweep:
        return 0.0
    with np.errstate(invalid="ignore", divide="ignore"):  # a femur reading of one value
        correlation = float(np.corrcoef(x, y)[0, 1])
    return math.copysign(1.0, correlation) if abs(correlation) >= _FOOT_MIN_CORRELATION else 0.0


def foot_gain(
    femur_deg: npt.NDArray[np.float64], foot_deg: npt.NDArray[np.float64]
) -> tuple[float, float]:
    """Robust slopes mapping a raw image foot angle onto femur degrees.

    In most reps the foot turns with the femur, so over a session the foot's
    image angle is a scaled (and, by view, possibly mirrored) copy of the
    femur angle, foreshortened more on one side of neutral than the other;
    Huber-weighted least squares through the neutral finds one slope for
    readings below neutral and one above, while compensated (ankle-only)
    reps, which break the relation, are down-weighted. A side with too
    little data, or whose slope disagrees in sign, takes the overall slope.

    Returns:
        ``(below, above)`` slopes; both 0 when the femur hardly moved.
    """
    x, y = np.asarray(foot_deg, dtype=np.float64), np.asarray(femur_deg, dtype=np.float64)
    use = np.isfinite(x) & np.isfinite(y) & (np.abs(y) > _FOOT_FIT_MIN_FEMUR_DEG)
    x, y = x[use], y[use]
    overall = _huber_slope(x, y)
    sides = [_huber_slope(x[part], y[part]) for part in (x < 0, x > 0)]
    below, above = (g if g * overall > 0 else overall for g in sides)
    return below, above


def apply_foot_gain(foot_deg: npt.ArrayLike, gain: tuple[float, float]) -> npt.NDArray[np.float64]:
    """Raw foot angle (relative to neutral) -> femur degrees with ``foot_gain``'s slopes."""
    foot = np.asarray(foot_deg, dtype=np.float64)
    return np.where(foot < 0, foot * gain[0], foot * gain[1])


#: A foot further than this from its femur is a tracking fault, not an ankle:
#: the shank barely turns on the femur with the knee nearly straight, and
#: the foot turns about +-30° on the shank (ankle-only reps on the renders
#: measured up to 40°). MediaPipe's heel and toe can flicker to 50-100° off.
MAX_PLAUSIBLE_TWIST_DEG = 60.0


def plausible_foot(femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The foot angle, NaN where it is implausibly far from the femur."""
    femur, foot = np.asarray(femur_deg, dtype=np.float64), np.asarray(foot_deg, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(foot - femur) > MAX_PLAUSIBLE_TWIST_DEG, np.nan, foot)


def fit_foot_to_femur(series: AngleSeries) -> AngleSeries:
    """Bring image foot angles (relative to neutral) into femur degrees, per leg,
    and drop foot readings no ankle could produce (``plausible_foot``).

    A leg whose femur reading is too flat to be the femur
    (``flat_femur_sign``) is read from its foot alone: femur and foot are
    the foot's reading, so its reps count but no twist can be told apart.
    The world estimator's foot is already in degrees and is not rescaled.
    """

    def scaled(_: Side, a: LegAngles) -> LegAngles:
        femur, foot = a.femur_deg, a.foot_deg
        if series.estimator == "image":
            sign = flat_femur_sign(femur, foot)
            if sign:  # the foot at its own image scale is all there is
                femur = foot = sign * foot
            else:
                foot = apply_foot_gain(foot, foot_gain(femur, foot))
        foot = plausible_foot(femur, foot)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return series.map_legs(scaled)


#: A leg's knee reading is too jittery to drive the rep count when it
#: jitters (``jitter_deg``) more than ``KNEE_JITTER_RATIO`` times its foot
#: reading and more than ``KNEE_JITTER_MIN_DEG``. The knee is seen through an
#: offset of a few pixels (4-9° a pixel at 640x480), the foot through a
#: heel-toe line several times longer, so on a noisy webcam the knee reading
#: jitters first. Chosen on the synthetic tuning seeds with their noise mix:
#: count exact 28% (image) / 37% (3D) with either angle driving; the foot
#: driving past ratio 1.5, 2 or 3 (2° floor) gave 43/37/30% and 65/64/56%;
#: a 1° floor at ratio 2 the same. ``jitter_deg`` then took a median
#: absolute deviation; its mean, which also sees a knee flickering to its
#: limit and back, left the image noise mix at 52% exact (3D 66% -> 66%)
#: and took live at realistic noise from 23% to 24% (with the raw feet
#: re-scaled at each judgement). MediaPipe's knee on the rendered clips
#: jitters at most 1°, so the floor leaves them alone.
KNEE_JITTER_RATIO = 1.5
KNEE_JITTER_MIN_DEG = 2.0


def knee_too_jittery(femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike) -> bool:
    """Whether the foot should drive the rep count (``KNEE_JITTER_RATIO``).

    Args:
        femur_deg: ``(n,)`` raw (unsmoothed) femur angles from neutral.
        foot_deg: ``(n,)`` raw foot angles from neutral, in femur degrees; a
            foot that reads 0 throughout (no foot fit yet) never drives.
    """
    foot_deg = np.asarray(foot_deg, dtype=np.float64)
    measured = np.isfinite(foot_deg) & (foot_deg != 0.0)
    knee, foot = jitter_deg(femur_deg), jitter_deg(foot_deg)
    return bool(measured.any() and knee > KNEE_JITTER_MIN_DEG and knee > KNEE_JITTER_RATIO * foot)


def hold_bands(relative: AngleSeries) -> dict[Side, float]:
    """Per leg, how far a hold's reading may wander (the rep counter's
    ``hold_band_deg``): ``HOLD_TOLERANCE_DEG`` plus the jitter
    (``jitter_deg``) of the femur reading the counter gets (relative to
    neutral, smoothed), also on a leg whose foot drives the count (the
    foot's own jitter there timed realistic holds 0.77 s off, the larger
    of the two 0.66 s, as the femur's). Noise-free the band stays 3°;
    through 2-6° of webcam noise a 3° band broke most holds. On the first 12 tuning
    sessions at realistic noise, 3° + 0, 0.5, 1, 1.5 or 2 x the jitter
    timed holds 0.89, 0.77, 0.66, 0.66, 0.63 s off on average (bias
    -0.34, -0.18, -0.01, +0.12, +0.26 s); noise-free 0.38-0.40 s throughout;
    1 x adds no bias. MediaPipe on the tuning renders jitters under 1°.
    """
    bands = {side: hold_band(leg.femur_deg) for side, leg in relative.legs.items()}
    return {
        side: band if math.isfinite(band) else drill.HOLD_TOLERANCE_DEG
        for side, band in bands.items()
    }


def hold_band(femur_deg: npt.ArrayLike) -> float:
    """One leg's ``hold_bands`` from its femur readings (``(n,)``); NaN while
    there are too few to measure the jitter (``jitter_deg``)."""
    return drill.HOLD_TOLERANCE_DEG + jitter_deg(femur_deg)


#: A rep must reach out and in past this multiple of the jitter
#: (``jitter_deg``) of the drive the counter gets, where that is further than
#: ``REP_MIN_EXCURSION_DEG`` (``rep_excursions``): a still leg read through
#: webcam noise otherwise swings past 10° and back. Chosen on the synthetic
#: tuning seeds (docs/position.md, "Noise floor").
REP_EXCURSION_JITTER_RATIO = 3.0


def rep_excursions(relative: AngleSeries, foot_driven: Collection[Side]) -> dict[Side, float]:
    """Per leg, how far out and in a rep must reach (the rep counter's
    ``excursion_deg``): ``REP_MIN_EXCURSION_DEG``, or
    ``REP_EXCURSION_JITTER_RATIO`` times the jitter of the drive the counter
    gets (``counted_drive``, relative to neutral, smoothed) where that is
    further. ``foot_driven``: the legs whose foot alone drives the count."""
    return {
        side: rep_excursion(counted_drive(leg.femur_deg, leg.foot_deg, side in foot_driven))
        for side, leg in relative.legs.items()
    }


def counted_drive(
    femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike, foot_driven: bool
) -> np.ndarray:
    """The angle that drives the rep counter per frame (``(n,)``): the foot
    on a foot-driven leg, else whichever of femur and foot is further from
    neutral (``hiprot.reps.drive_deg``)."""
    femur = np.asarray(femur_deg, dtype=np.float64)
    foot = np.asarray(foot_deg, dtype=np.float64)
    if foot_driven:
        return foot
    return np.where(np.abs(foot) > np.abs(femur), foot, femur)


def rep_excursion(drive_deg: npt.ArrayLike) -> float:
    """One leg's ``rep_excursions`` from its drive readings (``(n,)``);
    ``REP_MIN_EXCURSION_DEG`` while there are too few to measure the jitter."""
    jitter = jitter_deg(drive_deg)
    if not math.isfinite(jitter):
        return drill.REP_MIN_EXCURSION_DEG
    return max(drill.REP_MIN_EXCURSION_DEG, REP_EXCURSION_JITTER_RATIO * jitter)


def jittery_knees(
    raw: AngleSeries, calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> frozenset[Side]:
    """The worked legs whose knee reading is too jittery to drive the rep
    count (``knee_too_jittery``), judged on the unsmoothed ``angle_series``."""
    relative = fit_foot_to_femur(relative_to_neutral(raw, calibration, worked))
    return frozenset(
        side
        for side in worked
        if knee_too_jittery(relative.legs[side].femur_deg, relative.legs[side].foot_deg)
    )


def flat_femurs(
    series: AngleSeries, calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> frozenset[Side]:
    """The worked legs ``fit_foot_to_femur`` reads from the foot alone
    (``flat_femur_sign``), from the smoothed ``angle_series``."""
    if series.estimator != "image":
        return frozenset()
    relative = relative_to_neutral(series, calibration, worked)
    return frozenset(
        side
        for side in worked
        if flat_femur_sign(relative.legs[side].femur_deg, relative.legs[side].foot_deg)
    )


def motionless_legs(relative: AngleSeries, legs: Sequence[Side]) -> frozenset[Side]:
    """Of ``legs``, those whose femur and foot readings (relative to neutral,
    after ``fit_foot_to_femur``) both sweep less than a rep needs
    (``_FEMUR_MIN_SWEEP_DEG``): nothing a rep could be counted from moved in
    the picture. From some views (side-on, low and far) a leg doing reps
    looks like this too."""
    return frozenset(
        side
        for side in legs
        if _shows_no_turn(relative.legs[side].femur_deg, relative.legs[side].foot_deg)
    )


def _shows_no_turn(femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike) -> bool:
    """Neither reading (``(n,)``, relative to neutral) sweeps a rep's range
    (``_FEMUR_MIN_SWEEP_DEG``) over enough frames to tell."""
    for reading in (femur_deg, foot_deg):
        seen = np.asarray(reading, dtype=np.float64)
        seen = seen[np.isfinite(seen)]
        if len(seen) >= _FOOT_FIT_MIN_FRAMES and _sweep(seen) >= _FEMUR_MIN_SWEEP_DEG:
            return False
    return True


@dataclass(frozen=True)
class LegSample:
    """One leg at one instant, degrees from neutral; NaN when not measured.
    ``in_position``: the leg is in the drill's position (``hiprot.position``)."""

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


class TrailingSamples:
    """Samples over the last ``window_s`` seconds, at most one every
    ``every_s``: the thinned trailing window behind live's running medians
    (``RunningAnchors``, ``LiveAngles.note_rest``)."""

    def __init__(self, window_s: float = ANCHOR_WINDOW_S, every_s: float = 0.2) -> None:
        self.window_s = window_s
        self.every_s = every_s
        self._seen: deque[tuple[float, npt.NDArray[np.float64]]] = deque()

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, t_s: float, value: npt.ArrayLike, learn: bool = True) -> bool:
        """Drop samples older than the window; keep ``value`` if ``learn``,
        finite and due. Returns whether the samples changed."""
        changed = False
        while self._seen and self._seen[0][0] < t_s - self.window_s:
            self._seen.popleft()
            changed = True
        value = np.asarray(value, dtype=np.float64)
        due = not self._seen or t_s - self._seen[-1][0] >= self.every_s
        if learn and due and np.isfinite(value).all():
            self._seen.append((t_s, value))
            changed = True
        return changed

    def values(self) -> npt.NDArray[np.float64]:
        """The samples, oldest first: ``(n, *value shape)``."""
        return np.array([v for _, v in self._seen], dtype=np.float64)

    def median(self) -> npt.NDArray[np.float64]:
        """Element-wise median of the samples (call only when there are any)."""
        return np.median(self.values(), axis=0)


class RecentSamples(Generic[T]):
    """The last ``maxlen`` samples, due for a re-judgement every ``every``
    new ones: behind live's periodic judgements of the knee's jitter and
    the hold band (``LiveAngles``)."""

    def __init__(self, maxlen: int, every: int) -> None:
        self.samples: deque[T] = deque(maxlen=maxlen)
        self.every = every
        self._new = 0

    def add(self, sample: T) -> bool:
        """Keep ``sample``; True once every ``every`` calls (time to re-judge)."""
        self.samples.append(sample)
        self._new += 1
        if self._new < self.every:
            return False
        self._new = 0
        return True


class RunningAnchors:
    """Live version of ``steady_anchors``: median hip and ankle pixels of one
    leg over the last ``window_s`` seconds, sampled every ``every_s`` (the
    median is recomputed only when a sample comes or goes, so a frame costs
    next to nothing)."""

    def __init__(self, window_s: float = ANCHOR_WINDOW_S, every_s: float = 0.2) -> None:
        self._samples = TrailingSamples(window_s, every_s)
        self._steady = np.full((2, 2), np.nan)

    def update(
        self,
        t_s: float,
        image: npt.NDArray[np.float64],
        size_wh: tuple[int, int],
        side: Side,
        learn: bool = True,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Add one frame's ``(33, 4)`` image landmarks (unless ``learn`` is
        False: the person is not in position yet); return ``(hip, ankle)``,
        each ``(1, 2)`` pixels (NaN until the leg has been seen)."""
        leg = LEGS[side]
        points = image[[leg.hip, leg.ankle], :2] * np.asarray(size_wh, dtype=np.float64)
        if self._samples.add(t_s, points, learn):
            self._steady = self._samples.median() if self._samples else np.full((2, 2), np.nan)
        return self._steady[:1], self._steady[1:]


@dataclass(frozen=True)
class LegTrack:
    """One leg's reading over a stretch of frames: ``(n,)`` arrays each."""

    t_s: npt.NDArray[np.float64]
    angle_deg: npt.NDArray[np.float64]
    confidence: npt.NDArray[np.float64]


class LiveAngles:
    """Frame-by-frame angles for live mode: spike and One Euro filters, then neutral.

    ``update`` returns the smoothed absolute sample (for calibration) and
    the sample relative to the current calibration. With the image
    estimator the foot's two slopes are learnt as the session goes:
    ``foot_gain`` refitted every ``_LIVE_FOOT_REFIT`` samples over the last
    ``_LIVE_FOOT_WINDOW_S``; until the hips have moved enough, the foot reads
    0 and the femur alone drives the rep counter. Frames taken while the
    person is not in position (``update(in_position=False)``) teach neither
    the anchors nor the foot fit. ``foot_driven`` names the legs whose knee
    reading jitters too much to drive the rep counter, judged as review does
    on the raw (unsmoothed) angles.

    ``worked``: the legs doing reps (``knee_neutral``); settable when the
    mode changes. ``pose_model``: the landmark model (sets the knee's circle,
    ``hiprot.angles.camera_view``).
    """

    def __init__(
        self,
        calibration: Calibration | None = None,
        size_wh: tuple[int, int] = (640, 480),
        estimator: str = "image",
        worked: Sequence[Side] = tuple(Side),
        pose_model: str = "full",
    ) -> None:
        if estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
        self.size_wh = size_wh
        self.estimator = estimator
        self.pose_model = pose_model
        self._filter = OneEuroFilter(**LIVE_FILTER)
        self._spikes = SpikeFilter(LIVE_SPIKE_SAMPLES)
        self._depth_signs: deque[float] = deque(maxlen=_VOTE_FRAMES)
        self._near_votes: deque[int] = deque(maxlen=_VOTE_FRAMES)
        self._view_ratios: deque[float] = deque(maxlen=_VOTE_FRAMES)
        self._current_view = camera_view(math.nan, pose_model)
        self._anchors = {side: RunningAnchors() for side in Side}
        self._last_foot_deg = {side: math.nan for side in Side}
        self._last_reading = {side: (math.nan, math.nan) for side in Side}
        self._worked = tuple(worked)
        self.calibration = calibration or Calibration.zero()

    @property
    def calibration(self) -> Calibration:
        return self._calibration

    @calibration.setter
    def calibration(self, calibration: Calibration) -> None:
        """A new neutral: the foot's scale is learnt afresh against it."""
        self._calibration = calibration
        self._knee_neutral = knee_neutral(calibration, self._worked)
        # per leg: recent (time, femur reading, foot reading, confidence),
        # absolute, the slopes fitted on them, and samples added since the last fit
        self._foot_pairs: dict[Side, deque[tuple[float, float, float, float]]] = {
            side: deque() for side in Side
        }
        self._foot_slopes = {side: (0.0, 0.0) for side in Side}
        self._femur_flat = {side: False for side in Side}  # read from the foot
        self._foot_seen_rep = {side: False for side in Side}  # judge ``_femur_flat``
        self._motionless = {side: False for side in Side}
        self._reread: dict[Side, LegTrack] = {}  # legs just switched to the foot
        self._foot_new = {side: 0 for side in Side}
        # per leg: absolute femur and foot readings while resting between
        # reps, re-taking the neutral this calibration started from
        self._rests = {side: TrailingSamples(ANCHOR_WINDOW_S, _REST_EVERY_S) for side in Side}
        self._foot_rests = {side: TrailingSamples(ANCHOR_WINDOW_S, _REST_EVERY_S) for side in Side}
        self._first_neutral = dict(calibration.neutral)
        # per leg: recent raw (femur, foot) from neutral, the foot in its own
        # units, judged by ``knee_too_jittery`` every ``_LIVE_FOOT_REFIT`` new ones
        self._raw_pairs = {
            side: RecentSamples(_LIVE_JITTER_SAMPLES, _LIVE_FOOT_REFIT) for side in Side
        }
        self._foot_driven: frozenset[Side] = frozenset()
        # per leg: recent smoothed femur from neutral, as the counter gets
        # it, whose jitter widens the hold band (``hold_bands``)
        self._counted_femur = {
            side: RecentSamples(_LIVE_JITTER_SAMPLES, _LIVE_FOOT_REFIT) for side in Side
        }
        self._hold_bands = {side: drill.HOLD_TOLERANCE_DEG for side in Side}
        # per leg: recent drive as the counter gets it, whose jitter raises
        # the rep's excursion thresholds (``rep_excursions``)
        self._counted_drive = {
            side: RecentSamples(_LIVE_JITTER_SAMPLES, _LIVE_FOOT_REFIT) for side in Side
        }
        self._excursions = {side: drill.REP_MIN_EXCURSION_DEG for side in Side}

    @property
    def worked(self) -> tuple[Side, ...]:
        return self._worked

    @worked.setter
    def worked(self, worked: Sequence[Side]) -> None:
        if tuple(worked) != self._worked:
            self._worked = tuple(worked)
            self._knee_neutral = knee_neutral(self._calibration, self._worked)

    def _raw(self, pose_frame: PoseFrame, in_position: bool) -> dict[Side, LegAngles]:
        world = landmark_array([pose_frame], "world")
        if self.estimator == "world":
            return {side: leg_angles(world, side) for side in Side}
        if np.isfinite(world).any():
            self._depth_signs.append(torso_depth_sign(world))
            near = near_side(world)
            if near is not None:
                self._near_votes.append(1 if near is Side.LEFT else -1)
        depth_sign = 1.0 if sum(self._depth_signs) > 0 else -1.0
        image = landmark_array([pose_frame], "image")
        ratio = body_view_ratio(image, world, self.size_wh)
        if in_position and np.isfinite(ratio):
            self._view_ratios.append(ratio)
        raw = {
            side: image_leg_angles(
                image,
                self.size_wh,
                side,
                depth_sign,
                self._anchors[side].update(
                    pose_frame.t_s, image[0], self.size_wh, side, learn=in_position
                ),
            )
            for side in Side
        }
        for side, a in raw.items():  # keep the foot's image angle continuous
            last = self._last_foot_deg[side]
            if np.isfinite(a.foot_deg[0]):
                if np.isfinite(last):
                    a.foot_deg[0] = last + float(wrap_deg(a.foot_deg[0] - last))
                self._last_foot_deg[side] = float(a.foot_deg[0])
        return raw

    @property
    def near(self) -> Side | None:
        """The leg nearer the camera, by majority over the recent frames; None
        before any vote (the 3D estimator never votes)."""
        votes = sum(self._near_votes)
        return None if votes == 0 else Side.LEFT if votes > 0 else Side.RIGHT

    @property
    def view_ratio(self) -> float:
        """``body_view_ratio`` over the recent frames in position (NaN before)."""
        return float(np.median(self._view_ratios)) if self._view_ratios else math.nan

    def _view(self) -> CameraView:
        """The camera view, changed only when the recent ratio is clearly on
        the other side of ``VIEW_RATIO_SPLIT`` (``_VIEW_HYSTERESIS``), so a
        ratio near the split cannot switch the knee's phase mid-set."""
        ratio = self.view_ratio
        if math.isfinite(ratio) and abs(ratio - VIEW_RATIO_SPLIT) > _VIEW_HYSTERESIS:
            self._current_view = camera_view(ratio, self.pose_model)
        return self._current_view

    @property
    def side_on(self) -> bool:
        """The camera has seen the person side-on for ``_VOTE_FRAMES``
        frames in position (``SIDE_ON_RATIO``)."""
        full = len(self._view_ratios) == self._view_ratios.maxlen
        return full and self.view_ratio < SIDE_ON_RATIO

    def _femur_from_neutral(self, side: Side, readings: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Absolute femur readings -> degrees from the current neutral (one
        camera-view lookup for all of them)."""
        n = self._calibration.neutral[side]
        readings = np.asarray(readings, dtype=np.float64)
        if self.estimator != "image":
            return wrap_deg(readings - n.femur_deg)
        phase = knee_phase_deg(side, self.near, self._view())
        return femur_from_reading(readings, n.femur_deg, self._knee_neutral[side], phase)

    def _foot_degrees(
        self,
        side: Side,
        t_s: float,
        femur: float,
        foot: float,
        confidence: float,
        learn: bool,
    ) -> float:
        """The foot reading in femur degrees: the running version of ``foot_gain``.

        ``femur`` and ``foot`` are the absolute (smoothed) readings; the fit
        sees its window through the current neutral, which the rests keep
        re-taking (``note_rest``).
        """
        foot_rel = float(wrap_deg(foot - self._calibration.neutral[side].foot_deg))
        if self.estimator != "image":
            return foot_rel
        pairs = self._foot_pairs[side]
        if learn and self._calibration.method != "none" and np.isfinite([femur, foot]).all():
            pairs.append((t_s, femur, foot, confidence))
            self._foot_new[side] += 1
        while pairs and pairs[0][0] < t_s - _LIVE_FOOT_WINDOW_S:
            pairs.popleft()
        if self._foot_new[side] >= _LIVE_FOOT_REFIT and pairs:
            t, femur_reading, foot_reading, conf = np.asarray(pairs).T
            femur = self._femur_from_neutral(side, femur_reading)
            foot = wrap_deg(foot_reading - self._calibration.neutral[side].foot_deg)
            long_enough = t[-1] - t[0] >= _LIVE_FLAT_MIN_SPAN_S
            self._foot_seen_rep[side] = (
                self._foot_seen_rep[side] or long_enough or _foot_went_round(foot)
            )
            sign = flat_femur_sign(femur, foot) if self._foot_seen_rep[side] else 0.0
            if sign and not self._femur_flat[side]:
                self._reread[side] = LegTrack(t, sign * foot, conf)
            self._femur_flat[side] = flat = bool(sign)
            self._foot_slopes[side] = (sign, sign) if flat else foot_gain(femur, foot)
            self._foot_new[side] = 0
            fitted_foot = apply_foot_gain(foot, self._foot_slopes[side])
            self._motionless[side] = long_enough and _shows_no_turn(femur, fitted_foot)
        return float(apply_foot_gain(foot_rel, self._foot_slopes[side]))

    def take_rereads(self) -> dict[Side, LegTrack]:
        """Legs just switched to being read from the foot (``read_from_foot``),
        with their recent frames read that way (the foot-fit window, from
        this calibration on), so the reps the flat knee missed can be
        counted again; each switch is handed out once."""
        rereads, self._reread = self._reread, {}
        return rereads

    @property
    def read_from_foot(self) -> frozenset[Side]:
        """Legs read from the foot alone, their femur reading too flat to be
        the femur (``flat_femur_sign`` at the last foot fit)."""
        return frozenset(side for side, flat in self._femur_flat.items() if flat)

    @property
    def motionless(self) -> frozenset[Side]:
        """Legs in which nothing turned a rep's range over the foot-fit
        window, once it spans ``_LIVE_FLAT_MIN_SPAN_S`` in position: live's
        ``motionless_legs``, the foot in femur degrees by the current fit
        (a foot that does not follow a femur that hardly moves fits to
        nothing, as in review). A leg doing reps looks like this from some
        views (side-on, low and far)."""
        return frozenset(side for side, still in self._motionless.items() if still)

    @property
    def foot_driven(self) -> frozenset[Side]:
        """Legs whose knee reading is too jittery to drive the rep count
        (``knee_too_jittery`` over the last ``_LIVE_JITTER_SAMPLES`` raw
        frames in position, once the foot fit exists). A leg stays in it
        until the next calibration: judged every half second against one
        threshold, a leg near it would otherwise switch what drives its
        count back and forth, mid-rep."""
        return self._foot_driven

    def _judge_jitter(self, side: Side, femur_rel: float, foot_rel: float) -> None:
        """Add one raw (unsmoothed) pair and, every ``_LIVE_FOOT_REFIT``, re-judge the leg.

        The foot is kept in its own units and brought into femur degrees with
        the current foot fit at each judgement: the first fits, on a few
        seconds of motion, can be far off, and feet scaled by them would
        sway the judgement until they left the window.
        """
        pairs = self._raw_pairs[side]
        if not pairs.add((femur_rel, foot_rel)):
            return
        femur, foot = np.asarray(pairs.samples).T
        if self.estimator == "image":
            foot = apply_foot_gain(foot, self._foot_slopes[side])
        foot = plausible_foot(femur, foot)  # as review judges
        both = np.isfinite(femur) & np.isfinite(foot)
        if knee_too_jittery(femur[both], foot[both]):  # for good: no switching mid-set
            self._foot_driven |= {side}

    @property
    def hold_bands(self) -> dict[Side, float]:
        """Per leg, the rep counter's ``hold_band_deg``: review's
        ``hold_bands`` over the last ``_LIVE_JITTER_SAMPLES`` frames in
        position, re-measured every ``_LIVE_FOOT_REFIT``."""
        return dict(self._hold_bands)

    @property
    def rep_excursions(self) -> dict[Side, float]:
        """Per leg, the rep counter's ``excursion_deg``: review's
        ``rep_excursions`` over the same frames as ``hold_bands``,
        re-measured as often."""
        return dict(self._excursions)

    def _note_counted_drive(self, side: Side, femur_deg: float, foot_deg: float) -> None:
        drive = counted_drive(femur_deg, foot_deg, side in self._foot_driven)
        counted = self._counted_drive[side]
        if counted.add(float(drive)):
            self._excursions[side] = rep_excursion(np.fromiter(counted.samples, dtype=np.float64))

    def _note_counted_femur(self, side: Side, femur_deg: float) -> None:
        counted = self._counted_femur[side]
        if not counted.add(femur_deg):
            return
        band = hold_band(np.fromiter(counted.samples, dtype=np.float64))
        if math.isfinite(band):  # else (too few frames yet) the band it had
            self._hold_bands[side] = band

    def note_rest(self, t_s: float, legs: Sequence[Side]) -> None:
        """These legs rest between reps at the last frame: re-take their femur
        and foot neutral from the rests, as review does
        (``neutral_from_rests``), over the last ``ANCHOR_WINDOW_S`` at 5
        samples a second."""
        if self.estimator != "image" or self._calibration.method == "none":
            return
        neutral = dict(self._calibration.neutral)
        for side in legs:
            femur, foot = self._last_reading[side]
            femur_rests, foot_rests = self._rests[side], self._foot_rests[side]
            changed = femur_rests.add(t_s, femur)
            changed = foot_rests.add(t_s, foot) or changed
            if not changed:
                continue
            neutral[side] = rested_neutral(
                neutral[side],
                femur_rests.values(),
                foot_rests.values(),
                self._first_neutral[side].femur_deg,
            )
        if neutral != self._calibration.neutral:
            self._calibration = replace(self._calibration, neutral=neutral)
            self._knee_neutral = knee_neutral(self._calibration, self._worked)

    def update(
        self, pose_frame: PoseFrame, in_position: bool = True
    ) -> tuple[AngleSample, AngleSample]:
        """One frame: (absolute, relative) samples. ``in_position`` False
        (setting up, walking in) keeps the frame from teaching the anchors
        and the foot fit."""
        raw = self._raw(pose_frame, in_position)
        values = [raw[s].femur_deg[0] for s in Side] + [raw[s].foot_deg[0] for s in Side]
        smoothed = self._filter(pose_frame.t_s, self._spikes(values))
        absolute: dict[Side, LegSample] = {}
        relative: dict[Side, LegSample] = {}
        calibrated = self._calibration.method != "none"  # before, nothing is in degrees yet
        for k, side in enumerate(Side):
            femur, foot = float(smoothed[k]), float(smoothed[k + 2])
            conf = float(raw[side].confidence[0])
            n: LegNeutral = self._calibration.neutral[side]
            absolute[side] = LegSample(femur, foot, float(wrap_deg(foot - femur)), conf)
            self._last_reading[side] = (femur, foot)
            # the smoothed reading for the counter, the raw one for the jitter judgement
            rf, raw_femur = map(
                float, self._femur_from_neutral(side, [femur, raw[side].femur_deg[0]])
            )
            rt = self._foot_degrees(side, pose_frame.t_s, femur, foot, conf, in_position)
            flat = self._femur_flat[side]
            if flat:  # as review reads such a leg
                rf = rt
            if calibrated:
                rt = float(plausible_foot(rf, rt))
            relative[side] = LegSample(rf, rt, float(wrap_deg(rt - rf)), conf)
            if in_position and calibrated:
                self._note_counted_femur(side, rf)
                self._note_counted_drive(side, rf, rt)
            fitted = self.estimator != "image" or self._foot_slopes[side] != (0.0, 0.0)
            if in_position and calibrated and fitted and not flat:
                raw_foot = float(wrap_deg(raw[side].foot_deg[0] - n.foot_deg))
                if math.isfinite(raw_femur) and math.isfinite(raw_foot):
                    self._judge_jitter(side, raw_femur, raw_foot)
        return (
            AngleSample(pose_frame.t_s, pose_frame.has_pose, absolute),
            AngleSample(pose_frame.t_s, pose_frame.has_pose, relative),
        )


#: ``first_still_neutral`` trusts a still period once this much has been
#: read past its end: beyond the smoothing window and the still rule's
#: tolerated blip (``STILL_MAX_OUTLIER_S``), so the end is really the end ...
STILL_LOOK_AHEAD_S = 2.0
#: ... or once the person has been still this long.
STILL_ENOUGH_S = 10.0


def first_still_neutral(
    pose_frames: Iterable[PoseFrame],
    size_wh: tuple[int, int],
    on_frame: Callable[[], None] | None = None,
) -> tuple[Calibration | None, tuple[float, float] | None, int]:
    """The neutral from the first still period, reading no further than needed.

    Once the still period is found (``STILL_LOOK_AHEAD_S`` past its end, or
    ``STILL_ENOUGH_S`` into it), reading goes on for half of
    ``ANCHOR_WINDOW_S`` past its end and stops: the image reading's steady
    hip and ankle points are a running median over that window, so the
    neutral is exactly the one the whole recording gives, and a still start
    of a ten-minute video reads about a minute of it.

    Returns:
        ``(calibration, (still_from_s, still_until_s), frames_read)``; the
        first two are None when no still period was found in the whole source.
    """
    frames: list[PoseFrame] = []
    next_check_s = STILL_MIN_S
    read_until_s = math.inf

    def look() -> tuple[Calibration | None, tuple[float, float] | None]:
        series = smooth_series(angle_series(frames, size_wh))
        channels = np.stack([series.legs[s].foot_deg for s in Side], 1)
        period = find_still_period(series.t_s, channels)
        if period is None:
            return None, None
        span = (float(series.t_s[period[0]]), float(series.t_s[period[1] - 1]))
        return auto_calibration(series), span

    for pose_frame in pose_frames:
        frames.append(pose_frame)
        if on_frame is not None:
            on_frame()
        if pose_frame.t_s >= read_until_s:
            break
        if pose_frame.t_s < next_check_s or read_until_s < math.inf:
            continue
        next_check_s = pose_frame.t_s + 0.5  # half-second steps keep the re-reads cheap
        if not any(p.has_pose for p in frames):
            continue
        _, span = look()
        if span is not None and (
            pose_frame.t_s - span[1] >= STILL_LOOK_AHEAD_S or span[1] - span[0] >= STILL_ENOUGH_S
        ):
            read_until_s = span[1] + ANCHOR_WINDOW_S / 2
    if not any(p.has_pose for p in frames):
        return None, None, len(frames)
    found, span = look()
    return found, span, len(frames)
