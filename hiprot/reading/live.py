"""Live: the same reading of the legs, one frame at a time.

``LiveAngles.update`` takes one PoseFrame and returns one ``LiveReading``:
the smoothed absolute and relative samples and everything the rep counter
needs to count as review does (foot-driven legs, hold bands, excursions,
the near leg, legs to count again). Per leg the state is one ``_LegState``.
Pure numpy, no clock: time comes with each frame.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.calibration import Calibration, LegNeutral
from hiprot.landmarks import LEGS, Side
from hiprot.reading.filters import OneEuroFilter, SpikeFilter
from hiprot.reading.foot import (
    apply_foot_gain,
    flat_femur_sign,
    foot_gain,
    foot_went_round,
    plausible_foot,
    shows_no_turn,
)
from hiprot.reading.geometry import (
    SIDE_ON_RATIO,
    VIEW_RATIO_SPLIT,
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
from hiprot.reading.neutral import REST_EVERY_S, femur_from_reading, knee_neutral, rested_neutral
from hiprot.reading.series import (
    ANCHOR_WINDOW_S,
    ESTIMATORS,
    AngleSample,
    LegSample,
    landmark_array,
    wrap_deg,
)
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

#: Live: the torso's depth sign, the near leg and the camera view are
#: majorities (medians) over this many frames.
_VOTE_FRAMES = 60
#: Live: how far past ``VIEW_RATIO_SPLIT`` the ratio must be to change the
#: view (the renders sit 0.25 or more from it; exact synthetic 45° views
#: reach 1.15-1.2).
_VIEW_HYSTERESIS = 0.15


#: Live foot fit: the span of recent samples it is fitted on, and how many
#: new samples trigger a refit (about twice a second at 30 frames/s).
_LIVE_FOOT_WINDOW_S = 120.0
_LIVE_FOOT_REFIT = 15

#: Live jitter judgement (``knee_too_jittery``): over the last 600 frames in
#: position (20 s at 30 frames/s).
_LIVE_JITTER_SAMPLES = 600
#: Live judges a flat femur only once its foot has been through a whole rep
#: (``foot_went_round``) or its fit spans this long (several reps): early
#: in the first rep the foot can have swept 20° before the femur.
_LIVE_FLAT_MIN_SPAN_S = 30.0


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
    ``hiprot.reading.geometry.camera_view``).
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
        self._rests = {side: TrailingSamples(ANCHOR_WINDOW_S, REST_EVERY_S) for side in Side}
        self._foot_rests = {side: TrailingSamples(ANCHOR_WINDOW_S, REST_EVERY_S) for side in Side}
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
                self._foot_seen_rep[side] or long_enough or foot_went_round(foot)
            )
            sign = flat_femur_sign(femur, foot) if self._foot_seen_rep[side] else 0.0
            if sign and not self._femur_flat[side]:
                self._reread[side] = LegTrack(t, sign * foot, conf)
            self._femur_flat[side] = flat = bool(sign)
            self._foot_slopes[side] = (sign, sign) if flat else foot_gain(femur, foot)
            self._foot_new[side] = 0
            fitted_foot = apply_foot_gain(foot, self._foot_slopes[side])
            self._motionless[side] = long_enough and shows_no_turn(femur, fitted_foot)
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
