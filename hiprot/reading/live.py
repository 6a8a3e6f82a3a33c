"""Live: the same reading of the legs, one frame at a time.

``LiveAngles.update`` takes one PoseFrame and returns one ``LiveReading``:
the smoothed absolute and relative samples, the neutral they are measured
from, and everything the rep counter needs to count as review does
(foot-driven legs, hold bands, rep excursions, the near leg, legs to count
again). Each leg's running state is one ``_LegState``. The functions it
runs are review's (``hiprot.reading.neutral``, ``foot``, ``judgements``)
over trailing windows. Pure numpy, no clock: time comes with each frame.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.calibration import Calibration, LegNeutral
from hiprot.landmarks import Side
from hiprot.reading.filters import OneEuroFilter, SpikeFilter, jitter_deg
from hiprot.reading.foot import (
    apply_foot_gain,
    flat_femur_sign,
    foot_gain,
    foot_went_round,
    plausible_foot,
    shows_no_turn,
    sweeps_a_rep,
)
from hiprot.reading.geometry import (
    SIDE_ON_RATIO,
    VIEW_RATIO_SPLIT,
    VIEW_RATIO_SPLIT_30,
    VIEWS_30,
    CameraView,
    LegAngles,
    body_view_ratio,
    camera_view,
    image_leg_angles,
    knee_phase_deg,
    leg_angles,
    near_side,
    torso_depth_sign,
)
from hiprot.reading.judgements import counted_drive, hold_band, knee_too_jittery, rep_excursion
from hiprot.reading.neutral import femur_from_reading, knee_limits, knee_neutral, rested_neutral
from hiprot.reading.running import RecentSamples, RunningAnchors, TrailingSamples
from hiprot.reading.series import (
    ANCHOR_WINDOW_S,
    ESTIMATORS,
    AngleSample,
    LegSample,
    wrap_deg,
)
from hiprot.types import PoseFrame, landmark_array

#: Live smoothing: strong when still, quick to follow a rotation
#: (lag measured by benchmarks/accuracy_angles.py).
LIVE_FILTER = {"min_cutoff_hz": 1.0, "beta": 0.05, "d_cutoff_hz": 1.0}

#: Live: a running median over this many frames goes before the One Euro
#: filter (``SpikeFilter``), chosen on the synthetic tuning seeds
#: (benchmarks/accuracy_live.py); longer ones lag about 100 ms.
LIVE_SPIKE_SAMPLES = 3

#: Live: the torso's depth sign, the near leg and the camera view are
#: majorities (medians) over this many frames.
_VOTE_FRAMES = 60
#: Live: how far past ``VIEW_RATIO_SPLIT`` the ratio must be to change the
#: view (the renders sit 0.25 or more from it).
_VIEW_HYSTERESIS = 0.15

#: Live foot fit: the span of recent samples it is fitted on, and how many
#: new samples trigger a refit (about twice a second at 30 frames/s).
_LIVE_FOOT_WINDOW_S = 120.0
_LIVE_FOOT_REFIT = 15

#: Live judgements (jitter, hold band, excursion): over the last 600 frames
#: in position (20 s at 30 frames/s).
_LIVE_JITTER_SAMPLES = 600
#: Live judges a flat femur only once its foot has been through a whole rep
#: (``foot_went_round``) or its fit spans this long (several reps): early
#: in the first rep the foot can have swept 20° before the femur.
_LIVE_FLAT_MIN_SPAN_S = 30.0


@dataclass(frozen=True)
class LegTrack:
    """One leg's reading over a stretch of frames: ``(n,)`` arrays each."""

    t_s: npt.NDArray[np.float64]
    angle_deg: npt.NDArray[np.float64]
    confidence: npt.NDArray[np.float64]


@dataclass(frozen=True)
class LiveReading:
    """One frame of live's reading: everything the coach consumes.

    Attributes:
        absolute: Smoothed absolute angles (the countdown's neutral comes from them).
        relative: Degrees from ``calibration``: what the rep counter counts.
        calibration: The neutral in use, re-taken from the rests
            (``LiveAngles.note_rest``); method ``"none"`` before any.
        near: The leg nearer the camera, None when not known.
        foot_driven: Legs whose knee jitters too much to drive the count.
        hold_bands: Per leg, the rep counter's ``hold_band_deg``.
        excursions: Per leg, the rep counter's ``excursion_deg``.
        read_from_foot: Legs read from the foot alone (their knee reading is flat).
        motionless: Legs that showed no turn over the foot-fit window.
        foot_still: Foot-driven legs whose foot showed no turn over the
            foot-fit window (``hiprot.reading.judgements.still_feet``'s rule).
        rereads: Legs just switched to being read from the foot, with their
            recent frames read that way (handed out once).
        side_on: The camera has seen the person side-on.
        limits: Per leg, the (lowest, highest) femur reading this view can
            give from the neutral (``hiprot.reading.neutral.knee_limits``,
            review's rule, on live's near leg and view); None: no limit.
    """

    absolute: AngleSample
    relative: AngleSample
    calibration: Calibration = field(default_factory=Calibration.zero)
    near: Side | None = None
    foot_driven: frozenset[Side] = frozenset()
    hold_bands: Mapping[Side, float] = field(default_factory=dict)
    excursions: Mapping[Side, float] = field(default_factory=dict)
    read_from_foot: frozenset[Side] = frozenset()
    motionless: frozenset[Side] = frozenset()
    rereads: Mapping[Side, LegTrack] = field(default_factory=dict)
    side_on: bool = False
    limits: Mapping[Side, tuple[float, float] | None] = field(default_factory=dict)
    foot_still: frozenset[Side] = frozenset()


_Sample = TypeVar("_Sample")


def _recent() -> RecentSamples[_Sample]:
    """The recent samples live re-judges from (jitter, hold band, excursion)."""
    return RecentSamples(_LIVE_JITTER_SAMPLES, _LIVE_FOOT_REFIT)


def _rests() -> TrailingSamples:
    return TrailingSamples(ANCHOR_WINDOW_S)


@dataclass
class _LegState:
    """One leg's running state. ``anchors``, ``last_foot_deg`` and
    ``reading`` outlive a new neutral; the rest start afresh with it
    (``restarted``): the foot's scale and the judgements are learnt against
    the neutral."""

    anchors: RunningAnchors = field(default_factory=RunningAnchors)
    last_foot_deg: float = math.nan  # keeps the foot's image angle continuous
    reading: tuple[float, float] = (math.nan, math.nan)  # smoothed absolute femur, foot
    first_neutral: LegNeutral = field(default_factory=lambda: LegNeutral(0.0, 0.0))  # re-taken
    # the foot fit: recent (t, femur reading, foot reading, confidence), absolute
    foot_pairs: deque[tuple[float, float, float, float]] = field(default_factory=deque)
    foot_new: int = 0  # pairs since the last fit
    foot_slopes: tuple[float, float] = (0.0, 0.0)
    femur_flat: bool = False  # read from the foot
    foot_seen_rep: bool = False  # may judge ``femur_flat``
    motionless: bool = False
    foot_still: bool = False  # the fitted foot sweeps less than a rep (``sweeps_a_rep``)
    reread: LegTrack | None = None  # just switched to the foot
    # readings at rest between reps (absolute femur, foot): the neutral re-taken
    femur_rests: TrailingSamples = field(default_factory=_rests)
    foot_rests: TrailingSamples = field(default_factory=_rests)
    # raw (t, femur, foot) from neutral, the foot in its own units: the jitter judgement
    raw_pairs: RecentSamples[tuple[float, float, float]] = field(default_factory=_recent)
    foot_driven: bool = False  # for good, until the next neutral: no switching mid-set
    # smoothed (t, femur) and (t, drive) as the counter gets them: hold band and excursion
    counted_femur: RecentSamples[tuple[float, float]] = field(default_factory=_recent)
    hold_band: float = drill.HOLD_TOLERANCE_DEG
    counted_drive: RecentSamples[tuple[float, float]] = field(default_factory=_recent)
    excursion: float = drill.REP_MIN_EXCURSION_DEG
    # smoothed absolute (t, femur, foot) while settling in position before a
    # set (``update(settling=True)``): the rep floor's rest, re-read on a new neutral
    settled: RecentSamples[tuple[float, float, float]] = field(default_factory=_recent)
    settled_floor: float = math.nan  # the rep floor they give; NaN: too few yet

    def restarted(self, neutral: LegNeutral) -> _LegState:
        kept = (self.anchors, self.last_foot_deg, self.reading, neutral)
        return _LegState(*kept, settled=self.settled)


class LiveAngles:
    """Frame-by-frame reading for live mode: spike and One Euro filters, then neutral.

    With the image estimator the foot's two slopes are learnt as the
    session goes (``foot_gain`` refitted every ``_LIVE_FOOT_REFIT`` samples
    over the last ``_LIVE_FOOT_WINDOW_S``); until the hips have moved
    enough, the foot reads 0 and the femur alone drives the rep counter.
    Frames taken while the person is not in position
    (``update(in_position=False)``) teach neither the anchors nor the foot
    fit nor the judgements. Each leg's rep floor is its jitter while it
    settled in position before the set (``update(settling=True)``: set-up
    and countdown), as review measures it up to the still start's end;
    until there are enough such frames, over its recent frames.

    ``worked``: the legs doing reps (``knee_neutral``); settable when the
    mode changes. ``pose_model``: the landmark model (sets the knee's circle,
    ``hiprot.reading.geometry.camera_view``).

    Example:
        >>> angles = LiveAngles(calibration, size_wh=(640, 480))
        >>> for pose_frame in pose_frames:
        ...     reading = angles.update(pose_frame)
        ...     out = coach.update(pose_frame.t_s, view, reading)
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
        self._legs = {side: _LegState() for side in Side}
        self._worked = tuple(worked)
        self.calibration = calibration or Calibration.zero()

    @property
    def calibration(self) -> Calibration:
        """The neutral in use: the one set, re-taken from the rests since."""
        return self._calibration

    @calibration.setter
    def calibration(self, calibration: Calibration) -> None:
        """A new neutral: the foot's scale and the judgements are learnt afresh."""
        self._calibration = calibration
        self._knee_neutral = knee_neutral(calibration, self._worked)
        self._legs = {
            side: leg.restarted(calibration.neutral[side]) for side, leg in self._legs.items()
        }
        if calibration.method != "none":
            for side, leg in self._legs.items():
                self._judge_settled(side, leg)

    @property
    def worked(self) -> tuple[Side, ...]:
        return self._worked

    @worked.setter
    def worked(self, worked: Sequence[Side]) -> None:
        if tuple(worked) != self._worked:
            self._worked = tuple(worked)
            self._knee_neutral = knee_neutral(self._calibration, self._worked)

    # ---------------------------------------------------------------- the frame

    def update(
        self, pose_frame: PoseFrame, in_position: bool = True, settling: bool = False
    ) -> LiveReading:
        """One frame -> one ``LiveReading``. ``in_position`` False (setting
        up, walking in) keeps the frame from teaching the anchors, the foot
        fit and the judgements. ``settling``: the person lies still before a
        set (the coach's set-up and countdown); in position, the frame is
        one the rep floor is measured on."""
        raw = self._raw(pose_frame, in_position)
        values = [raw[s].femur_deg[0] for s in Side] + [raw[s].foot_deg[0] for s in Side]
        smoothed = self._filter(pose_frame.t_s, self._spikes(values))
        absolute: dict[Side, LegSample] = {}
        relative: dict[Side, LegSample] = {}
        for k, side in enumerate(Side):
            reading = (float(smoothed[k]), float(smoothed[k + 2]))
            absolute[side], relative[side] = self._read_leg(
                side, pose_frame.t_s, reading, raw[side], in_position, settling
            )
        return self._record(
            AngleSample(pose_frame.t_s, pose_frame.has_pose, absolute),
            AngleSample(pose_frame.t_s, pose_frame.has_pose, relative),
        )

    def _record(self, absolute: AngleSample, relative: AngleSample) -> LiveReading:
        legs = self._legs
        rereads = {side: leg.reread for side, leg in legs.items() if leg.reread is not None}
        for leg in legs.values():
            leg.reread = None  # each switch is handed out once
        return LiveReading(
            absolute,
            relative,
            self._calibration,
            self.near,
            frozenset(side for side, leg in legs.items() if leg.foot_driven),
            {side: leg.hold_band for side, leg in legs.items()},
            {side: leg.excursion for side, leg in legs.items()},
            frozenset(side for side, leg in legs.items() if leg.femur_flat),
            frozenset(side for side, leg in legs.items() if leg.motionless),
            rereads,
            self.side_on,
            self._limits(),
            frozenset(side for side, leg in legs.items() if leg.foot_driven and leg.foot_still),
        )

    def _limits(self) -> dict[Side, tuple[float, float] | None]:
        if self.estimator != "image":
            return dict.fromkeys(Side)
        return knee_limits(self._knee_neutral, self.near, self._view())

    def _read_leg(
        self,
        side: Side,
        t_s: float,
        reading: tuple[float, float],
        raw: LegAngles,
        in_position: bool,
        settling: bool = False,
    ) -> tuple[LegSample, LegSample]:
        """One leg's (absolute, relative) sample from its smoothed absolute
        ``reading`` (femur, foot); the raw one feeds the jitter judgement."""
        leg = self._legs[side]
        femur, foot = leg.reading = reading
        conf = float(raw.confidence[0])
        absolute = LegSample(femur, foot, float(wrap_deg(foot - femur)), conf)
        # the smoothed reading for the counter, the raw one for the jitter judgement
        rf, raw_femur = map(float, self._femur_from_neutral(side, [femur, raw.femur_deg[0]]))
        rt = self._foot_degrees(side, t_s, femur, foot, conf, in_position)
        calibrated = self._calibration.method != "none"  # before, nothing is in degrees yet
        if calibrated:  # a leg is read from its foot only once its foot is fitted
            rf, rt = map(float, self._as_counted(leg, rf, rt))
        if in_position and settling and leg.settled.add((t_s, femur, foot)) and calibrated:
            self._judge_settled(side, leg)
        if in_position and calibrated:
            raw_foot = float(self._foot_from_neutral(side, raw.foot_deg[0]))
            self._judge(side, t_s, rf, rt, raw_femur, raw_foot)
        return absolute, LegSample(rf, rt, float(wrap_deg(rt - rf)), conf)

    def _raw(self, pose_frame: PoseFrame, in_position: bool) -> dict[Side, LegAngles]:
        """Both legs' unsmoothed absolute angles of one frame (arrays of shape ``(1,)``)."""
        world = landmark_array([pose_frame], "world")
        if self.estimator == "world":
            return {side: leg_angles(world, side) for side in Side}
        depth_sign = self._vote(world)
        image = landmark_array([pose_frame], "image")
        ratio = body_view_ratio(image, world, self.size_wh)
        if in_position and np.isfinite(ratio):
            self._view_ratios.append(ratio)
        raw = {}
        for side in Side:
            anchors = self._legs[side].anchors.update(
                pose_frame.t_s, image[0], self.size_wh, side, learn=in_position
            )
            raw[side] = a = image_leg_angles(image, self.size_wh, side, depth_sign, anchors)
            last = self._legs[side].last_foot_deg  # keep the foot's image angle continuous
            if np.isfinite(a.foot_deg[0]):
                if np.isfinite(last):
                    a.foot_deg[0] = last + float(wrap_deg(a.foot_deg[0] - last))
                self._legs[side].last_foot_deg = float(a.foot_deg[0])
        return raw

    def _vote(self, world: npt.NDArray[np.float64]) -> float:
        """Add this frame's votes (torso depth sign, near leg); the depth sign
        by majority over the recent frames."""
        if np.isfinite(world).any():
            self._depth_signs.append(torso_depth_sign(world))
            near = near_side(world)
            if near is not None:
                self._near_votes.append(1 if near is Side.LEFT else -1)
        return 1.0 if sum(self._depth_signs) > 0 else -1.0

    # ---------------------------------------------------------------- the view

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
        ratio near the split cannot switch the knee's phase mid-set; the
        same about ``VIEW_RATIO_SPLIT_30`` for a model with a 30° circle."""
        ratio = self.view_ratio
        splits = [VIEW_RATIO_SPLIT]
        if self.pose_model in VIEWS_30:
            splits.append(VIEW_RATIO_SPLIT_30)
        if math.isfinite(ratio) and all(abs(ratio - s) > _VIEW_HYSTERESIS for s in splits):
            self._current_view = camera_view(ratio, self.pose_model)
        return self._current_view

    @property
    def side_on(self) -> bool:
        """The camera has seen the person side-on for ``_VOTE_FRAMES``
        frames in position (``SIDE_ON_RATIO``)."""
        full = len(self._view_ratios) == self._view_ratios.maxlen
        return full and self.view_ratio < SIDE_ON_RATIO

    # ---------------------------------------------------------------- neutral and foot

    def _femur_from_neutral(self, side: Side, readings: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Absolute femur readings -> degrees from the current neutral (one
        camera-view lookup for all of them)."""
        n = self._calibration.neutral[side]
        readings = np.asarray(readings, dtype=np.float64)
        if self.estimator != "image":
            return wrap_deg(readings - n.femur_deg)
        phase = knee_phase_deg(side, self.near, self._view())
        return femur_from_reading(readings, n.femur_deg, self._knee_neutral[side], phase)

    def _foot_from_neutral(self, side: Side, readings: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Absolute foot readings (any shape) -> their own degrees from the
        current neutral (not yet in femur degrees: ``apply_foot_gain``)."""
        return wrap_deg(
            np.asarray(readings, dtype=np.float64) - self._calibration.neutral[side].foot_deg
        )

    @staticmethod
    def _as_counted(
        leg: _LegState, femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Femur and fitted foot (degrees from neutral, one shape) as the
        counter reads them, as review does: a leg read from its foot has the
        foot for its femur, and a foot implausibly far from it is NaN."""
        femur = np.asarray(foot_deg if leg.femur_flat else femur_deg, dtype=np.float64)
        return femur, plausible_foot(femur, foot_deg)

    def _foot_degrees(
        self, side: Side, t_s: float, femur: float, foot: float, confidence: float, learn: bool
    ) -> float:
        """The foot reading in femur degrees: the running version of ``foot_gain``.

        ``femur`` and ``foot`` are the absolute (smoothed) readings; the fit
        sees its window through the current neutral, which the rests keep
        re-taking (``note_rest``).
        """
        foot_rel = float(self._foot_from_neutral(side, foot))
        if self.estimator != "image":
            return foot_rel
        leg = self._legs[side]
        pairs = leg.foot_pairs
        if learn and self._calibration.method != "none" and np.isfinite([femur, foot]).all():
            pairs.append((t_s, femur, foot, confidence))
            leg.foot_new += 1
        while pairs and pairs[0][0] < t_s - _LIVE_FOOT_WINDOW_S:
            pairs.popleft()
        if leg.foot_new >= _LIVE_FOOT_REFIT and pairs:
            self._refit_foot(side, leg)
        return float(apply_foot_gain(foot_rel, leg.foot_slopes))

    def _refit_foot(self, side: Side, leg: _LegState) -> None:
        """Fit the foot's slopes on the leg's window, as review does over a
        recording (``foot_gain``, ``flat_femur_sign``, ``shows_no_turn``)."""
        t, femur_reading, foot_reading, conf = np.asarray(leg.foot_pairs).T
        femur = self._femur_from_neutral(side, femur_reading)
        foot = self._foot_from_neutral(side, foot_reading)
        long_enough = t[-1] - t[0] >= _LIVE_FLAT_MIN_SPAN_S
        leg.foot_seen_rep = leg.foot_seen_rep or long_enough or foot_went_round(foot)
        sign = flat_femur_sign(femur, foot) if leg.foot_seen_rep else 0.0
        if sign and not leg.femur_flat:
            leg.reread = LegTrack(t, sign * foot, conf)
        leg.femur_flat = bool(sign)
        leg.foot_slopes = (sign, sign) if sign else foot_gain(femur, foot)
        leg.foot_new = 0
        fitted_foot = apply_foot_gain(foot, leg.foot_slopes)
        leg.motionless = long_enough and shows_no_turn(femur, fitted_foot)
        leg.foot_still = long_enough and not sweeps_a_rep(fitted_foot)
        self._judge_settled(side, leg)  # the drive at rest, read with the new fit

    # ---------------------------------------------------------------- judgements

    def _judge(
        self,
        side: Side,
        t_s: float,
        femur_deg: float,
        foot_deg: float,
        raw_femur: float,
        raw_foot: float,
    ) -> None:
        """Add one frame in position to the leg's judgements: the hold band
        and the excursion on what the counter gets, the knee's jitter on the
        raw reading (once the foot fit exists, and not on a leg read from its foot)."""
        leg = self._legs[side]
        if leg.counted_femur.add((t_s, femur_deg)):
            band = hold_band(*np.asarray(leg.counted_femur.samples).T)
            if math.isfinite(band):  # else (too few frames yet) the band it had
                leg.hold_band = band
        drive = float(counted_drive(femur_deg, foot_deg, leg.foot_driven))
        if leg.counted_drive.add((t_s, drive)) and not math.isfinite(leg.settled_floor):
            leg.excursion = rep_excursion(*np.asarray(leg.counted_drive.samples).T)
        fitted = self.estimator != "image" or leg.foot_slopes != (0.0, 0.0)
        if fitted and not leg.femur_flat and math.isfinite(raw_femur) and math.isfinite(raw_foot):
            was_foot_driven = leg.foot_driven
            self._judge_jitter(leg, t_s, raw_femur, raw_foot)
            if leg.foot_driven and not was_foot_driven:
                self._judge_settled(side, leg)  # the drive is the foot now

    def _judge_settled(self, side: Side, leg: _LegState) -> None:
        """The leg's rep floor from its frames settling in position
        (``rep_excursion`` on the drive they give from the current neutral,
        as ``_read_leg`` reads it), once there are enough to measure."""
        if not leg.settled.samples:
            return
        t, femur, foot = np.asarray(leg.settled.samples).T
        rt = self._foot_from_neutral(side, foot)
        if self.estimator == "image":
            rt = apply_foot_gain(rt, leg.foot_slopes)
        rf, rt = self._as_counted(leg, self._femur_from_neutral(side, femur), rt)
        drive = counted_drive(rf, rt, leg.foot_driven)
        if math.isfinite(jitter_deg(t, drive)):
            leg.settled_floor = leg.excursion = rep_excursion(t, drive)

    def _judge_jitter(self, leg: _LegState, t_s: float, femur_rel: float, foot_rel: float) -> None:
        """Add one raw (unsmoothed) pair and, every ``_LIVE_FOOT_REFIT``, re-judge the leg.

        The foot is kept in its own units and brought into femur degrees with
        the current foot fit at each judgement: the first fits, on a few
        seconds of motion, can be far off, and feet scaled by them would
        sway the judgement until they left the window.
        """
        if not leg.raw_pairs.add((t_s, femur_rel, foot_rel)):
            return
        t, femur, foot = np.asarray(leg.raw_pairs.samples).T
        if self.estimator == "image":
            foot = apply_foot_gain(foot, leg.foot_slopes)
        foot = plausible_foot(femur, foot)  # as review judges
        both = np.isfinite(femur) & np.isfinite(foot)
        if knee_too_jittery(t[both], femur[both], foot[both]):  # for good: no switching mid-set
            leg.foot_driven = True

    def note_rest(self, t_s: float, legs: Sequence[Side]) -> None:
        """These legs rest between reps at the last frame: re-take their femur
        and foot neutral from the rests, as review does
        (``hiprot.reading.neutral.rested_neutral``), over the last
        ``ANCHOR_WINDOW_S``, thinned (``TrailingSamples``)."""
        if self.estimator != "image" or self._calibration.method == "none":
            return
        neutral = dict(self._calibration.neutral)
        for side in legs:
            leg = self._legs[side]
            femur, foot = leg.reading
            changed = leg.femur_rests.add(t_s, femur)
            changed = leg.foot_rests.add(t_s, foot) or changed
            if changed:
                neutral[side] = rested_neutral(
                    neutral[side],
                    leg.femur_rests.values(),
                    leg.foot_rests.values(),
                    leg.first_neutral.femur_deg,
                )
        if neutral != self._calibration.neutral:
            self._calibration = replace(self._calibration, neutral=neutral)
            self._knee_neutral = knee_neutral(self._calibration, self._worked)
