"""Is each leg in the drill's position (lying on the back, the leg up the wall)?

Pure numpy on MediaPipe's landmarks, no clock: time comes in with every
frame. Per frame and leg, four scalars that do not depend on how far the
camera is (angles, and a ratio to the leg's own thigh length); the 2D ones
are measured in pixels (``size_wh``) so the image's aspect ratio does not
bend them:

- ``thigh_deg``: the angle between the torso axis (shoulder midpoint ->
  hip midpoint) and the thigh (hip -> knee), in 3D on MediaPipe's world
  landmarks (in the image where a frame has none). The drill's flexed hip
  puts the thigh about square to the torso (70-100°); lowering the leg
  towards the floor (a leg raise, a hollow hold, scissors) takes it
  towards 0°, and a knee pulled to the chest past 120°. A bridge lifts the
  hip onto the shoulder -> knee line, which takes it towards 0° too:
  "hips on the floor" is this same angle seen from the hip. In the image
  the angle depends on the view (a hollow hold's 30° reads up to 76° from
  near the head, the drill's 80° as little as 43° from a tripod), while
  the world landmarks' gross posture does not (docs/position.md), or
  less: from a camera raised to table height and looking down, the world
  angle still reads the drill's thigh 15-25° flatter than from the floor.
- ``knee_deg``: knee flexion, 180° minus the hip-knee-ankle angle. The
  drill keeps the knee nearly straight (5-25°); a dead bug, bicycle legs,
  windshield wipers, knee to chest and a bridge bend it 60-120°.
- ``reach``: how far the ankle lies beyond the knee along the thigh, in
  thigh lengths (``(ankle - hip) . (knee - hip) / |knee - hip|^2``): about
  2 with the foot up the wall, about 1 or less with the shin level or the
  foot on the floor ("feet above the knees").
- ``rise_deg``: how much steeper the leg (hip -> ankle) rises in the image
  than the torso does: lying on the back the legs go up and the torso lies
  across the picture; sitting up with the legs out it is the other way
  round.

A frame is in position for a leg when all four are within ``Criteria``
(``Verdict.IN``); a frame whose thigh is off by less than
``Criteria.stay_margin_deg`` while the rest holds is ``Verdict.NEAR``.
``PositionTracker`` debounces that in time, with hysteresis: a leg enters
after ``enter_s`` of IN frames without a break (or of frames IN, or NEAR
with the thigh just below the bound and steady: ``Criteria.steady_min_deg``,
a drill seen from above), and leaves after
``leave_s`` of frames that are OUT, or NEAR but off the leg's own level in
position by more than the margin; frames without a person neither enter
nor leave (a first verdict IN is taken as it comes: a
recording may start in position). ``gate`` tells the
rep counter what to do with a sample. Thresholds and their measured
distributions: docs/position.md.
"""

from __future__ import annotations

import enum
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, PoseLandmark, Side
from hiprot.types import PoseFrame, landmark_array

FloatArray = npt.NDArray[np.float64]

#: A leg enters the position after this long in it, and leaves after this
#: long out of it: passing through the position (a leg raise) is shorter.
ENTER_S = 0.5
LEAVE_S = 0.5

#: A leg starts down before a frame fails the criteria: bending the knee
#: and lowering the thigh swing the knee-circle femur reading through a
#: rep's range. Review takes a leg that left as out this long before its
#: first frame out of position: the criteria's median lag behind the legs
#: starting down on the tuning sessions (docs/position.md).
LEAVE_LEAD_S = 0.7

#: A recording in which no worked leg stays in position this long without a
#: break never showed the drill (a leg raise passes through it).
MIN_DRILL_S = 3.0


@dataclass(frozen=True)
class Criteria:
    """The ranges that make a frame "in position" (docs/position.md).

    Attributes:
        thigh_deg: (lowest, highest) torso-to-thigh angle.
        knee_max_deg: Most knee flexion.
        reach_min: Least ankle reach along the thigh, in thigh lengths.
        rise_min_deg: Least excess of the leg's rise over the torso's.
        stay_margin_deg: Hysteresis: how far a thigh already in position
            may go below (above) its own level in position, and outside
            ``thigh_deg``, and stay in it (``PositionTracker``): a body whose
            thigh reads near a bound should not flicker in and out, while
            a leg on its way down (a leg raise, scissors) leaves at the
            bound as before. 10°: how far the thigh reading wanders below
            its median within a session on the tuning renders.
        steady_min_deg: A leg also enters on frames NEAR below
            ``thigh_deg`` with their thigh at or above this (NEAR frames
            lie within ``stay_margin_deg`` of the bound), when the thigh
            stays within ``stay_margin_deg`` over the whole ``enter_s``:
            a drill seen from a raised camera reads its steady thigh as low
            as 55°, while a leg raise or scissors sweep through it. Just
            above what a hollow hold, which is steady, reaches on the
            tuning negatives (52° at the 99.5th percentile).
    """

    thigh_deg: tuple[float, float] = (60.0, 120.0)
    knee_max_deg: float = 50.0
    reach_min: float = 1.35
    rise_min_deg: float = 25.0
    stay_margin_deg: float = 10.0
    steady_min_deg: float = 55.0

    def __post_init__(self) -> None:
        lo, hi = self.thigh_deg
        if not 0.0 <= lo < hi <= 180.0:
            raise ValueError(f"thigh_deg must be 0 <= low < high <= 180, got {self.thigh_deg}")
        if not 0.0 < self.knee_max_deg <= 180.0:
            raise ValueError(f"knee_max_deg must be in (0, 180], got {self.knee_max_deg}")
        if not 0.0 <= self.stay_margin_deg <= lo:
            raise ValueError(
                f"stay_margin_deg must be in [0, {lo}] (the lowest thigh angle), "
                f"got {self.stay_margin_deg}"
            )
        if not 0.0 <= self.steady_min_deg <= lo:
            raise ValueError(
                f"steady_min_deg must be in [0, {lo}] (the lowest thigh angle), "
                f"got {self.steady_min_deg}"
            )


#: The criteria hiprot uses, chosen on the tuning data (docs/position.md).
CRITERIA = Criteria()


class Verdict(enum.IntEnum):
    """One frame's position for one leg, before debouncing."""

    OUT = 0  # out of position
    NEAR = 1  # only the thigh is off, by less than ``Criteria.stay_margin_deg``
    IN = 2  # every criterion holds


@dataclass(frozen=True)
class LegVerdict:
    """One frame's ``Verdict`` for one leg with its thigh angle (``leg_ok``)."""

    verdict: Verdict
    thigh_deg: float


@dataclass(frozen=True)
class LegPosture:
    """The scalars of ``judge`` for one leg, ``(n,)`` each; NaN without a person."""

    thigh_deg: FloatArray
    knee_deg: FloatArray
    reach: FloatArray
    rise_deg: FloatArray

    def ok(self, criteria: Criteria = CRITERIA) -> npt.NDArray[np.bool_]:
        """``(n,)``: every criterion holds, per frame (False where unknown)."""
        return self.verdicts(criteria) == Verdict.IN

    def verdicts(self, criteria: Criteria = CRITERIA) -> npt.NDArray[np.int8]:
        """``(n,)``: the ``Verdict`` per frame (as int; OUT where unknown)."""
        lo, hi = criteria.thigh_deg
        margin = criteria.stay_margin_deg
        with np.errstate(invalid="ignore"):
            rest = (
                (self.knee_deg <= criteria.knee_max_deg)
                & (self.reach >= criteria.reach_min)
                & (self.rise_deg >= criteria.rise_min_deg)
            )
            strict = (self.thigh_deg >= lo) & (self.thigh_deg <= hi)
            loose = (self.thigh_deg >= lo - margin) & (self.thigh_deg <= hi + margin)
        out = np.full(self.thigh_deg.shape, int(Verdict.OUT), dtype=np.int8)
        out[rest & loose] = Verdict.NEAR
        out[rest & strict] = Verdict.IN
        return out

    @property
    def known(self) -> npt.NDArray[np.bool_]:
        return np.isfinite(self.thigh_deg)


def _angle_deg(a: FloatArray, b: FloatArray) -> FloatArray:
    """Angle between 2D vectors ``(..., 2)``, degrees in [0, 180]."""
    dot = np.sum(a * b, axis=-1)
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def judge(
    image: npt.ArrayLike, size_wh: tuple[int, int], world: npt.ArrayLike | None = None
) -> dict[Side, LegPosture]:
    """The posture scalars of both legs.

    Args:
        image: ``(n, 33, 4)`` image landmarks (x, y in image units), NaN
            where no person was found.
        size_wh: Image size in pixels.
        world: ``(n, 33, 4)`` world landmarks (metres), NaN where missing;
            the thigh angle is read on them where present.

    Returns:
        Per leg, its ``LegPosture``.
    """
    rows = np.asarray(image, dtype=np.float64)
    if rows.ndim != 3 or rows.shape[1:] != (33, 4):
        raise ValueError(f"image must have shape (n, 33, 4), got {rows.shape}")
    xy = rows[..., :2] * np.asarray(size_wh, dtype=np.float64)
    shoulders = (xy[:, PoseLandmark.LEFT_SHOULDER] + xy[:, PoseLandmark.RIGHT_SHOULDER]) / 2.0
    hips = (xy[:, PoseLandmark.LEFT_HIP] + xy[:, PoseLandmark.RIGHT_HIP]) / 2.0
    torso = hips - shoulders
    # image y grows downwards: "rise" is -y
    torso_tilt = np.degrees(np.arctan2(np.abs(torso[:, 1]), np.abs(torso[:, 0])))
    w = None if world is None else np.asarray(world, dtype=np.float64)[..., :3]
    if w is not None and w.shape[:2] != rows.shape[:2]:
        raise ValueError(f"world must have shape {rows.shape}, got {np.shape(world)}")
    out = {}
    for side, leg in LEGS.items():
        hip, knee, ankle = xy[:, leg.hip], xy[:, leg.knee], xy[:, leg.ankle]
        thigh, shank, whole = knee - hip, ankle - knee, ankle - hip
        thigh_deg = _angle_deg(torso, thigh)
        if w is not None:
            w_torso = (w[:, PoseLandmark.LEFT_HIP] + w[:, PoseLandmark.RIGHT_HIP]) / 2.0 - (
                w[:, PoseLandmark.LEFT_SHOULDER] + w[:, PoseLandmark.RIGHT_SHOULDER]
            ) / 2.0
            w_thigh = w[:, leg.knee] - w[:, leg.hip]
            with np.errstate(invalid="ignore", divide="ignore"):
                cos = np.sum(w_torso * w_thigh, axis=-1) / (
                    np.linalg.norm(w_torso, axis=-1) * np.linalg.norm(w_thigh, axis=-1)
                )
            w_deg = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
            thigh_deg = np.where(np.isfinite(w_deg), w_deg, thigh_deg)
        with np.errstate(invalid="ignore", divide="ignore"):
            reach = np.sum(whole * thigh, axis=-1) / np.sum(thigh * thigh, axis=-1)
        rise = np.degrees(np.arctan2(-whole[:, 1], np.abs(whole[:, 0])))
        out[side] = LegPosture(
            thigh_deg=thigh_deg,
            knee_deg=_angle_deg(thigh, shank),
            reach=reach,
            rise_deg=rise - torso_tilt,
        )
    return out


class Gate(enum.Enum):
    """What the rep counter does with a leg's sample (``PositionTracker.gate``)."""

    COUNT = "count"  # in position: count as usual
    WAIT = "wait"  # in position, but out of it for less than LEAVE_S: skip the sample
    OUT = "out"  # out of position: end any attempt without a rep


class PositionTracker:
    """One leg's position state over time, debounced (``ENTER_S``, ``LEAVE_S``),
    with hysteresis on the thigh (``Criteria.stay_margin_deg``).

    A NEAR frame keeps a leg in position when its thigh lies within the
    margin of the leg's own level, the median thigh of its last
    ``LEVEL_FRAMES`` IN frames: a leg whose thigh reads 62° and wanders to
    53° stays in, and one that came up to 85° and is on its way down
    leaves at the bound (the stay bound is never past ``thigh_deg``'s).

    Example:
        >>> tracker = PositionTracker()
        >>> [tracker.update(t / 10, True) for t in range(7)][-1]
        True
    """

    #: How many of the latest IN frames' thighs make the leg's level.
    LEVEL_FRAMES = 256

    def __init__(
        self,
        enter_s: float = ENTER_S,
        leave_s: float = LEAVE_S,
        criteria: Criteria | None = None,
    ) -> None:
        if not (enter_s >= 0.0 and leave_s >= 0.0):
            raise ValueError(f"enter_s and leave_s must be >= 0, got {enter_s}, {leave_s}")
        self.enter_s, self.leave_s = float(enter_s), float(leave_s)
        self.criteria = CRITERIA if criteria is None else criteria
        self.reset()

    def reset(self) -> None:
        self._in = False
        self._raw: bool | None = None
        self._since: float | None = None  # when the current run of the other verdict began
        self._last_t: float | None = None
        self._time_in_s = 0.0
        self._entered_from_s: float | None = None
        self._levels: deque[float] = deque(maxlen=self.LEVEL_FRAMES)
        # the current run of frames that may bring the leg in: (t, thigh, steady-NEAR)
        self._run: deque[tuple[float, float, bool]] = deque()

    def _stays(self, thigh_deg: float) -> bool:
        """A NEAR frame's thigh is within the margin of the leg's level."""
        if not self._levels or not math.isfinite(thigh_deg):
            return False
        level = float(np.median(np.fromiter(self._levels, dtype=np.float64)))
        lo, hi = self.criteria.thigh_deg
        margin = self.criteria.stay_margin_deg
        stay_lo = min(max(level - margin, lo - margin), lo)
        stay_hi = max(min(level + margin, hi + margin), hi)
        return stay_lo <= thigh_deg <= stay_hi

    @property
    def in_position(self) -> bool:
        return self._in

    @property
    def entered_from_s(self) -> float | None:
        """When the run of frames that last brought the leg in began (None
        before it first entered, or when the first verdict was taken as it came)."""
        return self._entered_from_s

    @property
    def time_in_s(self) -> float:
        """Time spent in position so far (frame intervals that began in it)."""
        return self._time_in_s

    @property
    def gate(self) -> Gate:
        """What the counter does with the newest sample."""
        if not self._in:
            return Gate.OUT
        return Gate.WAIT if self._raw is False else Gate.COUNT

    def update(self, t_s: float, ok: LegVerdict | Verdict | bool | None) -> bool:
        """Feed one frame's verdict (True for ``Verdict.IN``, False for
        ``Verdict.OUT``, None: not known, e.g. nobody found); returns
        whether the leg is in position now. A NEAR verdict without its
        thigh angle keeps nobody in.

        Raises:
            ValueError: ``t_s`` does not increase.
        """
        t = float(t_s)
        if self._last_t is not None:
            if not t > self._last_t:
                raise ValueError(f"times must increase: {t} s after {self._last_t} s")
            if self._in:
                self._time_in_s += t - self._last_t
        self._last_t = t
        if ok is None:
            return self._in  # a dropout neither enters nor leaves
        if isinstance(ok, LegVerdict):
            verdict, thigh = ok.verdict, ok.thigh_deg
        elif isinstance(ok, bool):
            verdict, thigh = (Verdict.IN if ok else Verdict.OUT), math.nan
        else:
            verdict, thigh = Verdict(ok), math.nan
        if verdict is Verdict.IN and math.isfinite(thigh):
            self._levels.append(thigh)
        first = self._raw is None
        if self._in:
            if verdict is Verdict.NEAR:  # hysteresis: keeps a leg in
                self._raw = self._stays(thigh)
            else:
                self._raw = verdict is Verdict.IN
        elif first and verdict is Verdict.IN:  # a recording may start in position
            self._raw = self._in = True
            return True
        else:
            return self._enter(t, verdict, thigh)
        if self._raw:
            self._since = None
            return True
        if self._since is None:
            self._since = t
        if t - self._since >= self.leave_s:
            self._in, self._since = False, None
            self._levels.clear()  # a leg that comes back up finds its level afresh
        return self._in

    def _enter(self, t: float, verdict: Verdict, thigh: float) -> bool:
        """A leg out of position: extend the run of frames that may bring
        it in (IN, or NEAR below the bound but steady, see ``Criteria``),
        and bring it in once that run lasts ``enter_s``."""
        lo, _ = self.criteria.thigh_deg
        low_near = (
            verdict is Verdict.NEAR
            and math.isfinite(thigh)
            and self.criteria.steady_min_deg <= thigh < lo
        )
        self._raw = verdict is Verdict.IN or low_near
        if not self._raw:
            self._run.clear()
            return False
        self._run.append((t, thigh, low_near))
        # a run with a low frame must be steady: drop its oldest frames until it is
        while any(near for _, _, near in self._run):
            thighs = [th for _, th, _ in self._run if math.isfinite(th)]
            if max(thighs) - min(thighs) <= self.criteria.stay_margin_deg:
                break
            self._run.popleft()
        if t - self._run[0][0] >= self.enter_s:
            self._in = True  # the run's IN frames are in the level already
            self._entered_from_s = self._run[0][0]
            self._levels.extend(th for _, th, near in self._run if near)
            self._run.clear()
        return self._in


@dataclass(frozen=True)
class PositionSeries:
    """Per leg, what ``PositionTracker`` said at each frame of a recording.

    Attributes:
        t_s: ``(n,)`` frame times.
        ok: Per leg, ``(n,)`` bool: the frame alone is in position.
        in_position: Per leg, ``(n,)`` bool: the debounced state, looking
            back: the run of frames that brought a leg in is in position.
        gate: Per leg, the ``Gate`` of each frame, looking ahead: a frame
            the tracker left pending (``Gate.WAIT``) is ``OUT`` when the
            leg went on to leave, ``COUNT`` when it was a glitch.
        time_in_s: Per leg, seconds in position.
        longest_s: Per leg, the longest unbroken stretch in position.
        tracked: Per leg, ``(n,)`` bool: the tracker's own state, as live
            has it (in from the entering frame on); what review's counter
            and its still period (the auto-neutral) follow, so looking
            back changes what is reported, not what is counted.
    """

    t_s: FloatArray
    ok: dict[Side, npt.NDArray[np.bool_]]
    in_position: dict[Side, npt.NDArray[np.bool_]]
    gate: dict[Side, tuple[Gate, ...]]
    time_in_s: dict[Side, float]
    longest_s: dict[Side, float]
    tracked: dict[Side, npt.NDArray[np.bool_]]

    def seen(self, legs: Sequence[Side], min_s: float = MIN_DRILL_S) -> bool:
        """Some worked leg stayed in position for at least ``min_s``, or for
        the whole of a shorter recording."""
        span = float(self.t_s[-1] - self.t_s[0]) if len(self.t_s) else 0.0
        return any(
            self.in_position[side].any() and self.longest_s[side] >= min(min_s, span)
            for side in legs
        )


def position_series(
    pose_frames: Sequence[PoseFrame],
    size_wh: tuple[int, int],
    criteria: Criteria | None = None,
    enter_s: float = ENTER_S,
    leave_s: float = LEAVE_S,
    lead_s: float | None = None,
) -> PositionSeries:
    """Run ``judge`` and a ``PositionTracker`` per leg over a recording
    (``criteria``: ``CRITERIA`` when None; ``lead_s``: ``LEAVE_LEAD_S``)."""
    criteria = CRITERIA if criteria is None else criteria
    lead_s = LEAVE_LEAD_S if lead_s is None else lead_s
    t = np.array([f.t_s for f in pose_frames], dtype=np.float64)
    postures = judge(
        landmark_array(pose_frames, "image"), size_wh, landmark_array(pose_frames, "world")
    )
    ok, state, tracked, gates, time_in = {}, {}, {}, {}, {}
    for side, posture in postures.items():
        verdicts = posture.verdicts(criteria)
        known = posture.known
        tracker = PositionTracker(enter_s, leave_s, criteria)
        states, leg_gates, entered_from = np.zeros(len(t), dtype=bool), [], {}
        for i, ts in enumerate(t):
            verdict = LegVerdict(Verdict(verdicts[i]), float(posture.thigh_deg[i]))
            states[i] = tracker.update(float(ts), verdict if known[i] else None)
            leg_gates.append(tracker.gate)
            if states[i] and i and not states[i - 1] and tracker.entered_from_s is not None:
                entered_from[i] = tracker.entered_from_s
        tracked[side] = states.copy()
        for i, from_s in entered_from.items():
            _backdate(states, t, i, from_s)
        ok[side] = verdicts == Verdict.IN
        state[side], gates[side] = states, _resolved(leg_gates, t, lead_s)
        time_in[side] = float(np.sum(np.diff(t)[states[:-1]])) if len(t) > 1 else 0.0
    longest = {side: _longest_run_s(t, state[side]) for side in state}
    return PositionSeries(t, ok, state, gates, time_in, longest, tracked)


def _backdate(states: npt.NDArray[np.bool_], t_s: FloatArray, i: int, from_s: float) -> None:
    """The leg entered at frame ``i`` on a run of frames that began at
    ``from_s``: those frames were in position too (a recording can look
    back). Their gate stays ``OUT``: the counter starts where live's does,
    at the entering frame (a recording's first seconds are the still start,
    where an earlier start only gives noise a chance at a rep)."""
    j = i - 1
    while j >= 0 and not states[j] and t_s[j] >= from_s:
        states[j] = True
        j -= 1


def _resolved(gates: list[Gate], t_s: FloatArray, lead_s: float) -> tuple[Gate, ...]:
    """Settle each run of pending frames by what followed it, and take a
    leg that left as out for ``lead_s`` before its first frame out of
    position (a recording can look ahead; live cannot, and skips the
    pending frames)."""
    out = list(gates)
    end = len(out)
    for i in range(len(out) - 1, -1, -1):
        if out[i] is not Gate.WAIT:
            end = i
            continue
        after = out[end] if end < len(out) else Gate.COUNT
        out[i] = Gate.OUT if after is Gate.OUT else Gate.COUNT
    starts = [
        i
        for i in range(1, len(out))
        if gates[i] is Gate.WAIT and gates[i - 1] is Gate.COUNT and out[i] is Gate.OUT
    ]
    for i in starts:
        j = i - 1
        while j >= 0 and out[j] is Gate.COUNT and t_s[j] >= t_s[i] - lead_s:
            out[j] = Gate.OUT
            j -= 1
    return tuple(out)


def _longest_run_s(t_s: FloatArray, on: npt.NDArray[np.bool_]) -> float:
    """The longest stretch of consecutive ``on`` frames, first to last frame time."""
    best, start = 0.0, None
    for i, flag in enumerate(on):
        if flag and start is None:
            start = i
        if start is not None and (not flag or i == len(on) - 1):
            end = i if flag else i - 1
            best = max(best, float(t_s[end] - t_s[start]))
            start = None
    return best


def leg_ok(pose_frame: PoseFrame, size_wh: tuple[int, int]) -> dict[Side, LegVerdict | None]:
    """One frame's verdict per leg (None without a person): for live, which
    feeds it to a ``PositionTracker`` as review does."""
    if pose_frame.image is None:
        return dict.fromkeys(Side)
    world = None if pose_frame.world is None else pose_frame.world[None]
    postures = judge(pose_frame.image[None], size_wh, world)
    out: dict[Side, LegVerdict | None] = {}
    for side, p in postures.items():
        known = bool(p.known[0]) and math.isfinite(p.knee_deg[0])
        out[side] = LegVerdict(Verdict(p.verdicts()[0]), float(p.thigh_deg[0])) if known else None
    return out
