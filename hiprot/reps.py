"""Rep counting for the wall rotation drill: one explicit state machine per leg.

A ``RepCounter`` takes one ``RepSample`` at a time (angles relative to the
calibrated neutral, internal rotation positive, time from the caller) and
returns the ``RepEvent``s that sample caused. It reads no clock and does no
I/O, so a replayed recording gives the same events as the live session.

The rules (thresholds from ``hiprot.drill``; ``d`` is the drive angle):

- **The drive is whichever of the femur and foot angles is further from
  neutral** at each sample. A hip-driven rep moves both (the foot's image
  angle is foreshortened on one side, depending on the view, so the femur
  carries that side); a rep done "all from the ankles" swings only the
  foot, so it still counts (with ``compensation``); a hip rotation cancelled
  by an opposite ankle twist still counts through the femur. Peaks are the
  femur's, as the drill defines them.
- **Phases** (``Phase``): NEUTRAL -> OUTWARD when ``|d|`` leaves the neutral
  band (REP_STARTED; the rep's ``start_s`` is when ``d`` crossed the band
  edge) -> INWARD when ``d <= -external_min_deg`` (EXTERNAL_END_REACHED)
  -> END_RANGE when ``d >= +internal_min_deg`` (INTERNAL_END_REACHED); both
  ``REP_MIN_EXCURSION_DEG`` except on edge-on sides (below)
  -> back to NEUTRAL when ``d`` returns into the band (REP_DONE, then
  TOO_FAST / COMPENSATION describing that rep).
- **A jittery knee** (``foot_driven``): on a leg whose knee reading
  jitters much more than its foot's (``hiprot.reading.knee_too_jittery``,
  a noisy webcam), the foot alone drives the cycle, so the knee's jitter
  cannot open or close reps. Peaks and "from the ankles" still read the
  femur, holds are timed on the foot and the femur, tempo on the foot (as
  below), so they are only as good as those readings.
- **Edge-on sides** (``BilateralCounter(near=...)``, image angles): from
  one camera each leg has a side it turns along the line of sight, the
  near leg's inward side and the far leg's outward side. There MediaPipe's
  knee and foot move 1.5-10 times less per degree (docs/angles.md), so a
  true 25° can read 7°: on that side the end of the range counts as
  reached once ``d`` clearly leaves the band (``NEUTRAL_BAND_DEG + h``)
  instead of at ``REP_MIN_EXCURSION_DEG``.
- **Hysteresis** (``HYSTERESIS_DEG``): an attempt starts only beyond
  ``NEUTRAL_BAND_DEG + h`` and the band counts as re-entered only below
  ``NEUTRAL_BAND_DEG - h``. The excursion thresholds latch, so jitter there
  never matters. A rep needs ``<= -10°`` then ``>= +10°`` then ``< 3°`` in
  that order (7° on an edge-on side), so jitter cannot count one twice. Jitter wider than ``2 h``
  peak to peak (unsmoothed input) can still produce spurious
  REP_STARTED/PARTIAL_REP pairs at the band edge, never a rep.
- **Noise floor** (``BilateralCounter(excursion_deg=...)``): on a leg
  whose reading jitters, the caller may raise how far out and in a rep must
  reach above ``REP_MIN_EXCURSION_DEG`` (review and live use
  ``hiprot.reading.rep_excursions``: 3 times the jitter of the drive), and
  an edge-on side's band edge by as much, so a still leg's noise swinging
  past +-10° and back is not a rep.
- **Partial reps** (PARTIAL_REP, never counted): an attempt that comes back
  into the band before reaching the external end range (this includes turning
  in first), or one that reached the external end, came back to the band
  without reaching the internal end and then reaches the external end again
  (reported when that next attempt starts). Requiring a full new external
  excursion there, not a mere band exit, keeps jitter at the band edge during
  a slow inward sweep from splitting a real rep; on a far leg's edge-on
  outward side the external end is the band edge itself, so there a swing
  back out past it after turning in does split the attempt.
- **Position** (``RepSample.in_position``, ``hiprot.position``): a sample
  taken while the leg is out of the drill's position (legs down, knees
  bent, hips lifted) ends the attempt in progress without a rep, even one
  that reached the internal end range, and once the leg is back in
  position the next attempt starts only after it has settled into the
  neutral band (legs swung up the wall come up turned any way). Rotation
  counts only while the thigh stays up the wall.
- **Dropouts**: invalid samples (NaN angle, confidence below
  ``min_confidence``) are skipped; gaps between valid samples up to
  ``max_gap_s`` are bridged as if tracking never stopped (a hold continues
  across them). A longer gap ends the attempt in progress as at the end of a
  session (below) and the next valid sample starts afresh.
- **End of session** (``finish``) and long gaps: an attempt that already
  reached the internal end range counts as a rep (only the return to neutral
  is missing; recordings often stop right after the last hold), ending at the
  last valid sample; any other attempt in progress is a partial rep.
- **Hold** (``hold_span``): on the rep's inward side (samples after the
  external end with ``d`` beyond the band inward), the longest unbroken run
  that stays within a ``hold_band_deg`` band reaching within
  ``HOLD_TOLERANCE_DEG`` of the peak there, timed on the drive and, if the
  femur itself reached the internal end range, on the femur: the longer
  wins (a rep swung from the ankles is timed on the foot alone, as in
  ``hiprot.synth``'s truth). For a hold at the peak, as people do it, that
  is the drill's run within the tolerance of the peak (exact synthetic
  angles time the same); but a hold may sit up to twice the tolerance below
  a brief peak, so a measured reading that overshoots into the hold and
  settles a few degrees lower keeps its hold
  (within the peak's tolerance alone it broke 4 of 29 clear holds of the
  tuning renders). The band is ``HOLD_TOLERANCE_DEG`` wide, plus, where the
  caller measured it, the reading's own jitter
  (``hiprot.reading.hold_bands``): a hold read through 2-6° of webcam
  noise wanders further than the 3° a person holds still within. In a
  hip-driven rep both stay still together; which one
  is steadier depends on the view and the estimator. The live timer
  (``current_hold_s``, HOLD_COMPLETE) applies the same rule as the samples
  come, on both angles, judging each run against the peak so far
  (``_BandRun``), and shows the longest such hold of the rep so far, so it
  stays put as the leg leaves the hold, until the rep is done. The ``Rep``
  record judges against the final peak: a leg that pushes further after an
  announced hold (by as little as a degree, when the hold sat low in its
  band) can still end up not ``held``.
- **Compensation**: over the attempt the twist (foot minus femur) swept at
  least ``COMPENSATION_MIN_TWIST_DEG`` and more than ``COMPENSATION_MARGIN``
  times the drill's ratio (``COMPENSATION_TWIST_TO_FEMUR_RATIO``) of the
  femur's sweep: the margin keeps a flickering foot on a hip-driven rep,
  whose measured sweeps come out about even, from reading as "from the
  ankles"; a rep done from the ankles sweeps 3 or more times as much twist.
- **Controlled**: on the drive, from the external peak to first reaching
  within ``HOLD_TOLERANCE_DEG`` of the internal peak, compared with
  ``CONTROLLED_MIN_INWARD_S``; it is known when the rep ends, so TOO_FAST
  comes with REP_DONE.
"""

from __future__ import annotations

import enum
import math
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from hiprot import drill
from hiprot.landmarks import Side

#: Hysteresis around the neutral band edge: jitter smaller than twice this,
#: peak to peak, never opens or closes an attempt by itself.
HYSTERESIS_DEG = 2.0

#: Gaps between valid samples up to this long are bridged; with margin over
#: the 0.5 s dropouts the counter must survive (plus a frame interval).
MAX_GAP_S = 1.0

#: Samples whose confidence is below this are treated as missing.
MIN_CONFIDENCE = 0.3

#: ``MIN_CONFIDENCE`` per pose landmark model. Heavy gives the far leg a
#: visibility of 0.05-0.3 while placing its joints closer than full does, so its
#: visibility tells nothing here and it is not gated (a frame without a
#: person still drops out: its angles are NaN). Chosen on the rendered
#: tuning clips (docs/pose_models.md).
MIN_CONFIDENCE_BY_MODEL = {"full": MIN_CONFIDENCE, "heavy": 0.0}


def min_confidence(pose_model: str) -> float:
    """The confidence gate for landmarks from ``pose_model`` (full's for any other)."""
    return MIN_CONFIDENCE_BY_MODEL.get(pose_model, MIN_CONFIDENCE)


#: Measured twist must sweep this many times the drill's twist-to-femur ratio
#: before a rep counts as "from the ankles". Chosen on the tuning seeds with
#: realistic noise (compensation F1 0.16 at 1.0, 0.30 at 1.25, 0.36 at 1.5,
#: 0.30 at 2.0), where noise-free seeds and the tuning renders came out the
#: same for every value; true ankle-only reps sweep 3x or more.
COMPENSATION_MARGIN = 1.5


def drive_deg(femur_deg: float, foot_deg: float) -> float:
    """The angle that drives the cycle: whichever is further from neutral."""
    return femur_deg if abs(femur_deg) >= abs(foot_deg) else foot_deg


class Phase(enum.Enum):
    """Where a leg is in the rep cycle (what the live HUD shows)."""

    NEUTRAL = "neutral"  # no attempt in progress
    OUTWARD = "outward"  # left the band, external end range not reached yet
    INWARD = "inward"  # external end reached, turning in towards the internal end
    END_RANGE = "end_range"  # internal end reached: hold, then return to neutral


class RepEventKind(enum.Enum):
    """What a ``RepEvent`` reports. Every REP_STARTED is closed by exactly one
    REP_DONE or PARTIAL_REP."""

    REP_STARTED = "rep_started"  # an attempt left the neutral band
    EXTERNAL_END_REACHED = "external_end_reached"  # drive <= -external_min_deg
    INTERNAL_END_REACHED = "internal_end_reached"  # drive >= +internal_min_deg
    HOLD_COMPLETE = "hold_complete"  # live hold timer reached HOLD_MIN_S (once per rep)
    REP_DONE = "rep_done"  # a rep was counted; carries the Rep
    COMPENSATION = "compensation"  # that rep came from the ankles (after REP_DONE)
    TOO_FAST = "too_fast"  # that rep turned in too fast (after REP_DONE)
    PARTIAL_REP = "partial_rep"  # the attempt ended without a full cycle; not counted


class Mode(str, enum.Enum):
    """Which legs a session works: both together or one at a time."""

    BOTH = "both"
    LEFT = "left"
    RIGHT = "right"

    @property
    def sides(self) -> tuple[Side, ...]:
        return (Side.LEFT, Side.RIGHT) if self is Mode.BOTH else (Side(self.value),)


@dataclass(frozen=True)
class RepSample:
    """One leg at one instant, as the counter takes it.

    Attributes:
        t_s: Seconds (any origin); must increase from sample to sample.
        femur_deg: Femur rotation from neutral, internal positive; NaN if unmeasured.
        foot_deg: Foot rotation (femur + ankle twist), same convention.
        confidence: 0..1 trust in the measurement.
        in_position: The leg is in the drill's position (``hiprot.position``);
            False ends the attempt in progress without a rep.
    """

    t_s: float
    femur_deg: float
    foot_deg: float
    confidence: float = 1.0
    in_position: bool = True

    @classmethod
    def missing(cls, t_s: float) -> RepSample:
        """A sample in which the leg was not measured (a dropout)."""
        return cls(t_s, math.nan, math.nan, 0.0)


class LegReading(Protocol):
    """One leg of a per-frame sample (e.g. ``hiprot.reading.LegSample``)."""

    @property
    def femur_deg(self) -> float: ...
    @property
    def foot_deg(self) -> float: ...
    @property
    def confidence(self) -> float: ...

    # optional: ``in_position`` (bool), True when absent


class FrameReading(Protocol):
    """Both legs at one instant (e.g. ``hiprot.reading.AngleSample``)."""

    @property
    def t_s(self) -> float: ...
    @property
    def legs(self) -> Mapping[Side, LegReading]: ...


@dataclass(frozen=True)
class Rep:
    """One counted rep of one leg; angles are the femur's, degrees from neutral.

    ``inward_s`` (when the turn inward reached the internal end range) and
    ``hold_span_s`` (``(start_s, end_s)`` of the timed hold, None without one)
    are what the counter measured, for drawing; a rep read back from a
    session file or the history has neither, and they never affect equality.
    """

    leg: Side
    index: int  # 1-based, per leg
    start_s: float
    end_s: float
    peak_internal_deg: float
    peak_external_deg: float
    hold_s: float
    held: bool
    controlled: bool
    compensation: bool
    inward_s: float | None = field(default=None, compare=False)
    hold_span_s: tuple[float, float] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RepEvent:
    """Something that happened to one leg at ``t_s``; ``rep`` is set for
    REP_DONE and for the TOO_FAST / COMPENSATION verdicts that follow it."""

    kind: RepEventKind
    leg: Side
    t_s: float
    rep: Rep | None = None


class _BandRun:
    """The live half of ``hold_span``: the longest run of samples ending at
    the newest one that stays within a ``band_deg`` band, kept
    with the same monotonic deques as one step of ``hold_span``'s pass.

    It reads the attempt's inward-side lists (``t_s``, ``values``), which
    only grow; ``add`` is called after each append.
    """

    def __init__(self, t_s: list[float], values: list[float], band_deg: float) -> None:
        self._t_s, self._values = t_s, values
        self._band_deg = band_deg
        self._start = 0
        self._highs: deque[int] = deque()  # positions of falling maxima in the run
        self._lows: deque[int] = deque()  # positions of rising minima in the run
        self.peak = -math.inf
        self.longest_s = 0.0  # the longest ``seconds()`` so far

    def add(self, contiguous: bool) -> None:
        """The newest value joins the run; ``contiguous`` False starts a new one."""
        values, end = self._values, len(self._values) - 1
        value = values[end]
        self.peak = max(self.peak, value)
        if not contiguous:
            self.clear()
            self._start = end
        while self._highs and values[self._highs[-1]] <= value:
            self._highs.pop()
        self._highs.append(end)
        while self._lows and values[self._lows[-1]] >= value:
            self._lows.pop()
        self._lows.append(end)
        while values[self._highs[0]] - values[self._lows[0]] > self._band_deg:
            self._start += 1
            if self._highs[0] < self._start:
                self._highs.popleft()
            if self._lows[0] < self._start:
                self._lows.popleft()
        self.longest_s = max(self.longest_s, self.seconds())

    def clear(self) -> None:
        """The leg left the inward side: no run until the next ``add``."""
        self._highs.clear()
        self._lows.clear()

    def seconds(self) -> float:
        """How long the run has lasted, if it reaches within the tolerance of
        the peak so far (a hold); else 0."""
        if not self._highs or self._values[self._highs[0]] < self.peak - drill.HOLD_TOLERANCE_DEG:
            return 0.0
        return self._t_s[-1] - self._t_s[self._start]


@dataclass
class _Attempt:
    """What has been measured of the attempt in progress."""

    start_s: float
    hold_band_deg: float  # how far a hold may wander (``RepCounter``)
    returned: bool = False  # back in the band since the external end (INWARD only)
    # ---- sweeps over the whole attempt (compensation)
    femur_min_deg: float = math.inf
    femur_max_deg: float = -math.inf
    twist_min_deg: float = math.inf
    twist_max_deg: float = -math.inf
    # ---- external side
    ext_drive_deg: float = math.inf
    ext_drive_s: float = math.nan
    ext_femur_deg: float = math.inf
    # ---- inward side: valid samples after the external end with d beyond the band
    in_index: list[int] = field(default_factory=list)
    in_t_s: list[float] = field(default_factory=list)
    in_femur_deg: list[float] = field(default_factory=list)
    in_drive_deg: list[float] = field(default_factory=list)
    # the live hold runs on both angles, as the record times both (their
    # peaks are the inward side's so far)
    drive_run: _BandRun = field(init=False)
    femur_run: _BandRun = field(init=False)
    hold_announced: bool = False

    def __post_init__(self) -> None:
        self.drive_run = _BandRun(self.in_t_s, self.in_drive_deg, self.hold_band_deg)
        self.femur_run = _BandRun(self.in_t_s, self.in_femur_deg, self.hold_band_deg)

    @property
    def longest_hold_s(self) -> float:
        """The live timer: the longest hold so far by the record's rule
        (``_close``), each run judged against the peak when it ran; the
        femur's counts once the femur has reached the internal end range."""
        femur_reached = self.femur_run.peak >= drill.REP_MIN_EXCURSION_DEG
        return max(self.drive_run.longest_s, self.femur_run.longest_s if femur_reached else 0.0)


def hold_span(
    t_s: Sequence[float],
    values: Sequence[float],
    index: Sequence[int] | None = None,
    band_deg: float = drill.HOLD_TOLERANCE_DEG,
) -> tuple[float, float] | None:
    """(start, end) seconds of the longest hold in one angle's samples.

    A hold is an unbroken run of samples that stays within a ``band_deg``
    band reaching within ``HOLD_TOLERANCE_DEG`` of the highest value
    (module docstring, Hold). Non-finite values break runs, and
    so do gaps in ``index`` (consecutive counts of valid samples) when given.
    One pass: for each end, the earliest start whose run fits in the band
    (the band's width only grows with the run, so that start only moves on).

    Args:
        t_s: ``(n,)`` sample times, increasing.
        values: ``(n,)`` angles, degrees.
        index: ``(n,)`` optional sample numbers; a jump of more than one
            breaks a run.
        band_deg: How far the run may wander (``RepCounter``'s ``hold_band_deg``).
    """
    finite = [math.isfinite(v) for v in values]
    if not any(finite):
        return None
    peak = max(v for v, ok in zip(values, finite) if ok)
    best: tuple[float, float] | None = None
    start = 0
    highs: deque[int] = deque()  # positions of falling maxima in the run
    lows: deque[int] = deque()  # positions of rising minima in the run
    for end, value in enumerate(values):
        if not finite[end]:  # a missing value ends the run before it
            highs.clear()
            lows.clear()
            start = end + 1
            continue
        if end > 0 and index is not None and index[end] != index[end - 1] + 1:
            highs.clear()  # a gap in the sample numbers: a new run starts here
            lows.clear()
            start = end
        while highs and values[highs[-1]] <= value:
            highs.pop()
        highs.append(end)
        while lows and values[lows[-1]] >= value:
            lows.pop()
        lows.append(end)
        while values[highs[0]] - values[lows[0]] > band_deg:
            start += 1
            if highs[0] < start:
                highs.popleft()
            if lows[0] < start:
                lows.popleft()
        if values[highs[0]] >= peak - drill.HOLD_TOLERANCE_DEG and (
            best is None or t_s[end] - t_s[start] > best[1] - best[0]
        ):
            best = (float(t_s[start]), float(t_s[end]))
    return best


def _span_s(span: tuple[float, float] | None) -> float:
    return 0.0 if span is None else span[1] - span[0]


def _checked_hold_band(band_deg: float) -> float:
    if not band_deg >= drill.HOLD_TOLERANCE_DEG:
        raise ValueError(
            f"hold_band_deg must be at least {drill.HOLD_TOLERANCE_DEG}, got {band_deg}"
        )
    return float(band_deg)


class RepCounter:
    """Counts reps of one leg from a stream of ``RepSample``s.

    Example:
        >>> counter = RepCounter(Side.LEFT)
        >>> for sample in samples:
        ...     for event in counter.update(sample):
        ...         print(event.kind, event.t_s)
        >>> counter.finish(samples[-1].t_s)
        >>> counter.rep_count
    """

    def __init__(
        self,
        side: Side,
        *,
        hysteresis_deg: float = HYSTERESIS_DEG,
        max_gap_s: float = MAX_GAP_S,
        min_confidence: float = MIN_CONFIDENCE,
        external_min_deg: float = drill.REP_MIN_EXCURSION_DEG,
        internal_min_deg: float = drill.REP_MIN_EXCURSION_DEG,
        foot_driven: bool = False,
        hold_band_deg: float = drill.HOLD_TOLERANCE_DEG,
    ) -> None:
        """``foot_driven``: the foot alone drives the cycle (module
        docstring); settable at any time, e.g. once live has measured the
        jitter. ``hold_band_deg``: how far a hold's reading may wander (module
        docstring, Hold); at least ``HOLD_TOLERANCE_DEG``."""
        if not 0.0 <= hysteresis_deg < drill.NEUTRAL_BAND_DEG:
            raise ValueError(
                f"hysteresis_deg must be in [0, {drill.NEUTRAL_BAND_DEG}) (the neutral band), "
                f"got {hysteresis_deg}; {HYSTERESIS_DEG} usually works"
            )
        if not max_gap_s > 0.0:
            raise ValueError(f"max_gap_s must be > 0, got {max_gap_s}; {MAX_GAP_S} usually works")
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1], got {min_confidence}")
        self.hold_band_deg = hold_band_deg
        self.side = Side(side)
        self.hysteresis_deg = float(hysteresis_deg)
        self.max_gap_s = float(max_gap_s)
        band_out = drill.NEUTRAL_BAND_DEG + hysteresis_deg
        for name, value in (("external", external_min_deg), ("internal", internal_min_deg)):
            if not value >= band_out:
                raise ValueError(
                    f"{name}_min_deg must be at least the band edge {band_out}, got {value}"
                )
        self.min_confidence = float(min_confidence)
        self.external_min_deg = float(external_min_deg)
        self.internal_min_deg = float(internal_min_deg)
        self.foot_driven = foot_driven
        self._phase = Phase.NEUTRAL
        self._attempt: _Attempt | None = None
        self._reps: list[Rep] = []
        self._partial_count = 0
        self._last_t_s: float | None = None
        self._last_valid_t_s: float | None = None
        self._neutral_last_s: float | None = None
        self._valid_count = 0
        # ---- when d last left the band, and on which side (start_s of the next attempt)
        self._band_side = 0
        self._band_exit_s: float | None = None
        self._settled = True  # False from leaving the position until back in the band

    @property
    def hold_band_deg(self) -> float:
        """How far a hold's reading may wander (module docstring, Hold);
        settable, from the next attempt on."""
        return self._hold_band_deg

    @hold_band_deg.setter
    def hold_band_deg(self, band_deg: float) -> None:
        self._hold_band_deg = _checked_hold_band(band_deg)

    # ---------------------------------------------------------------- read-only state

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def neutral_last_s(self) -> float | None:
        """The last sample time the leg was in NEUTRAL (None before any
        valid sample): attempts can follow one another without a return."""
        return self._neutral_last_s

    @property
    def reps(self) -> tuple[Rep, ...]:
        return tuple(self._reps)

    @property
    def rep_count(self) -> int:
        return len(self._reps)

    @property
    def held_count(self) -> int:
        return sum(rep.held for rep in self._reps)

    @property
    def controlled_count(self) -> int:
        return sum(rep.controlled for rep in self._reps)

    @property
    def compensated_count(self) -> int:
        return sum(rep.compensation for rep in self._reps)

    @property
    def partial_count(self) -> int:
        return self._partial_count

    @property
    def current_hold_s(self) -> float:
        """Live hold timer: the longest hold of this rep so far, from when it
        reaches the internal end range until it is done (0 otherwise); it
        rises while the leg holds and stays put as the leg leaves."""
        if self._phase is not Phase.END_RANGE or self._attempt is None:
            return 0.0
        return self._attempt.longest_hold_s

    # ---------------------------------------------------------------- input

    def update(self, sample: RepSample) -> list[RepEvent]:
        """Feed one sample; returns the events it caused, in order.

        Raises:
            ValueError: ``t_s`` is not finite or does not increase.
        """
        t = float(sample.t_s)
        if not math.isfinite(t):
            raise ValueError(f"sample time must be a finite number of seconds, got {t}")
        if self._last_t_s is not None and t <= self._last_t_s:
            raise ValueError(f"sample times must increase: {t} s after {self._last_t_s} s")
        self._last_t_s = t
        if not sample.in_position:
            return self._leave(t)
        femur, foot = float(sample.femur_deg), float(sample.foot_deg)
        valid = (
            math.isfinite(femur)
            and math.isfinite(foot)
            and float(sample.confidence) >= self.min_confidence
        )
        if not valid:
            return []
        events: list[RepEvent] = []
        if self._last_valid_t_s is not None and t - self._last_valid_t_s > self.max_gap_s:
            events += self._cut(t)
            self._band_side, self._band_exit_s = 0, None
        self._last_valid_t_s = t
        self._valid_count += 1
        drive = foot if self.foot_driven else drive_deg(femur, foot)
        self._track_band_exit(t, drive)
        if not self._settled:
            self._settled = abs(drive) < drill.NEUTRAL_BAND_DEG - self.hysteresis_deg
            return events

        before = self._attempt
        if before is not None:
            self._observe(before, t, femur, foot, drive)
        events += self._advance(t, drive)
        if self._phase is Phase.NEUTRAL or self._neutral_last_s is None:
            self._neutral_last_s = t
        after = self._attempt
        if after is not None and after is not before:
            self._observe(after, t, femur, foot, drive)
        if (
            self._phase is Phase.END_RANGE
            and after is not None
            and not after.hold_announced
            and after.longest_hold_s >= drill.HOLD_MIN_S
        ):
            after.hold_announced = True
            events.append(RepEvent(RepEventKind.HOLD_COMPLETE, self.side, t))
        return events

    def finish(self, t_s: float) -> list[RepEvent]:
        """End the session at ``t_s``: settle the attempt in progress.

        An attempt that reached the internal end range counts as a rep; any
        other is a partial rep. The counter can be fed on afterwards.
        """
        t = float(t_s)
        if not math.isfinite(t) or (self._last_t_s is not None and t < self._last_t_s):
            raise ValueError(f"finish time must be finite and not before the last sample, got {t}")
        self._last_t_s = t
        events = self._cut(t)
        self._band_side, self._band_exit_s = 0, None
        return events

    # ---------------------------------------------------------------- the state machine

    def _leave(self, t: float) -> list[RepEvent]:
        """Out of position: the attempt ends without a rep, and the next one
        starts afresh once the leg is back."""
        events = [self._drop(t)] if self._attempt is not None else []
        self._phase = Phase.NEUTRAL
        self._band_side, self._band_exit_s = 0, None
        self._last_valid_t_s = None
        self._settled = False
        return events

    def _track_band_exit(self, t: float, drive: float) -> None:
        side = 0 if abs(drive) <= drill.NEUTRAL_BAND_DEG else (1 if drive > 0 else -1)
        if side != self._band_side:
            self._band_side = side
            self._band_exit_s = t if side else None

    def _advance(self, t: float, d: float) -> list[RepEvent]:
        """Apply every transition this drive value triggers (a gap can jump several)."""
        band_in = drill.NEUTRAL_BAND_DEG - self.hysteresis_deg
        band_out = drill.NEUTRAL_BAND_DEG + self.hysteresis_deg
        external, internal = self.external_min_deg, self.internal_min_deg
        events: list[RepEvent] = []
        while True:
            if self._phase is Phase.NEUTRAL:
                if abs(d) <= band_out:
                    return events
                events.append(self._open(t))
            elif self._phase is Phase.OUTWARD:
                if d <= -external:
                    self._phase = Phase.INWARD
                    events.append(RepEvent(RepEventKind.EXTERNAL_END_REACHED, self.side, t))
                elif abs(d) < band_in:
                    events.append(self._drop(t))
                else:
                    return events
            elif self._phase is Phase.INWARD:
                assert self._attempt is not None
                if d >= internal:
                    self._phase = Phase.END_RANGE
                    events.append(RepEvent(RepEventKind.INTERNAL_END_REACHED, self.side, t))
                elif d <= -external and self._attempt.returned:
                    events.append(self._drop(t))
                    events.append(self._open(t))
                else:
                    if d > -band_in:
                        self._attempt.returned = True
                    return events
            else:  # Phase.END_RANGE
                if d >= band_in:
                    return events
                events += self._close(t, t)

    def _open(self, t: float) -> RepEvent:
        """Start an attempt; it began when ``d`` last left the band."""
        assert self._band_exit_s is not None, "an attempt opens only outside the band"
        self._attempt = _Attempt(self._band_exit_s, self.hold_band_deg)
        self._phase = Phase.OUTWARD
        return RepEvent(RepEventKind.REP_STARTED, self.side, t)

    def _drop(self, t: float) -> RepEvent:
        self._attempt = None
        self._phase = Phase.NEUTRAL
        self._partial_count += 1
        return RepEvent(RepEventKind.PARTIAL_REP, self.side, t)

    def _cut(self, t: float) -> list[RepEvent]:
        """End the attempt in progress without its return to neutral."""
        if self._phase is Phase.END_RANGE:
            assert self._last_valid_t_s is not None
            return self._close(t, self._last_valid_t_s)
        if self._attempt is not None:
            return [self._drop(t)]
        return []

    def _observe(self, a: _Attempt, t: float, femur: float, foot: float, drive: float) -> None:
        """Add one valid sample to the attempt's measurements."""
        twist = foot - femur
        a.femur_min_deg, a.femur_max_deg = min(a.femur_min_deg, femur), max(a.femur_max_deg, femur)
        a.twist_min_deg, a.twist_max_deg = min(a.twist_min_deg, twist), max(a.twist_max_deg, twist)
        if self._phase in (Phase.OUTWARD, Phase.INWARD):
            if drive < a.ext_drive_deg:
                a.ext_drive_deg, a.ext_drive_s = drive, t
            if drive < -drill.NEUTRAL_BAND_DEG:
                a.ext_femur_deg = min(a.ext_femur_deg, femur)
        if self._phase is Phase.OUTWARD:
            return
        if drive <= drill.NEUTRAL_BAND_DEG:
            a.drive_run.clear()  # off the inward side: any hold is broken
            a.femur_run.clear()
            return
        # ---- inward side: keep the samples and the live hold runs
        contiguous = bool(a.in_index) and a.in_index[-1] == self._valid_count - 1
        a.in_index.append(self._valid_count)
        a.in_t_s.append(t)
        a.in_femur_deg.append(femur)
        a.in_drive_deg.append(drive)
        a.drive_run.add(contiguous)
        a.femur_run.add(contiguous)

    def _close(self, t: float, end_s: float) -> list[RepEvent]:
        """Count the attempt in progress as a rep; ``t`` is when it was decided."""
        a = self._attempt
        assert a is not None and a.in_index, "a rep reached the internal end range"
        peak = a.femur_run.peak
        drive_floor = a.drive_run.peak - drill.HOLD_TOLERANCE_DEG
        # timed on both angles, the steadier one wins (see Hold above); a
        # femur that never reached the internal end range has no hold to time
        spans = [hold_span(a.in_t_s, a.in_drive_deg, a.in_index, a.hold_band_deg)]
        if peak >= drill.REP_MIN_EXCURSION_DEG:
            spans.append(hold_span(a.in_t_s, a.in_femur_deg, a.in_index, a.hold_band_deg))
        hold = max(spans, key=_span_s)
        hold_s = _span_s(hold)
        reached_s = next(ts for ts, d in zip(a.in_t_s, a.in_drive_deg) if d >= drive_floor)
        twist_sweep = a.twist_max_deg - a.twist_min_deg
        femur_sweep = a.femur_max_deg - a.femur_min_deg
        rep = Rep(
            leg=self.side,
            index=len(self._reps) + 1,
            start_s=a.start_s,
            end_s=end_s,
            peak_internal_deg=peak,
            peak_external_deg=a.ext_femur_deg,
            hold_s=hold_s,
            held=hold_s >= drill.HOLD_MIN_S,
            controlled=reached_s - a.ext_drive_s >= drill.CONTROLLED_MIN_INWARD_S,
            compensation=twist_sweep >= drill.COMPENSATION_MIN_TWIST_DEG
            and twist_sweep
            > COMPENSATION_MARGIN * drill.COMPENSATION_TWIST_TO_FEMUR_RATIO * femur_sweep,
            inward_s=reached_s,
            hold_span_s=hold,
        )
        self._reps.append(rep)
        self._attempt = None
        self._phase = Phase.NEUTRAL
        events = [RepEvent(RepEventKind.REP_DONE, self.side, t, rep)]
        if not rep.controlled:
            events.append(RepEvent(RepEventKind.TOO_FAST, self.side, t, rep))
        if rep.compensation:
            events.append(RepEvent(RepEventKind.COMPENSATION, self.side, t, rep))
        return events


class BilateralCounter:
    """One ``RepCounter`` per worked leg, fed one per-frame sample of both legs.

    With ``near`` (image angles) the near leg's inward and the far leg's
    outward end of the range are edge-on sides (module docstring).

    Example:
        >>> counter = BilateralCounter(Mode.BOTH)
        >>> for frame in angle_samples:        # e.g. hiprot.reading.AngleSample
        ...     events = counter.update(frame)
        >>> counter.finish(angle_samples[-1].t_s)
        >>> counter[Side.LEFT].rep_count
    """

    def __init__(
        self,
        mode: Mode | str = Mode.BOTH,
        *,
        near: Side | None = None,
        hysteresis_deg: float = HYSTERESIS_DEG,
        max_gap_s: float = MAX_GAP_S,
        min_confidence: float = MIN_CONFIDENCE,
        foot_driven: Collection[Side] = (),
        hold_band_deg: Mapping[Side, float] | None = None,
        excursion_deg: Mapping[Side, float] | None = None,
    ) -> None:
        """``near``: the leg nearer the camera, when the angles come from the
        image: its inward side and the other leg's outward side are seen
        edge-on and need only to leave the band (module docstring).
        ``foot_driven``: legs whose foot alone drives the cycle (settable).
        ``hold_band_deg``: per leg, ``RepCounter``'s; ``HOLD_TOLERANCE_DEG``
        for a leg not in it. ``excursion_deg``: per leg, how far out and in a
        rep must reach (Noise floor in the module docstring);
        ``REP_MIN_EXCURSION_DEG`` for a leg not in it (settable)."""
        self.mode = Mode(mode)
        self._near = near
        self._hysteresis_deg = hysteresis_deg
        self._settings = {
            side: dict(
                hysteresis_deg=hysteresis_deg,
                max_gap_s=max_gap_s,
                min_confidence=min_confidence,
                hold_band_deg=(hold_band_deg or {}).get(side, drill.HOLD_TOLERANCE_DEG),
            )
            for side in self.mode.sides
        }
        self._excursion_deg: dict[Side, float] = {}
        for side in self.mode.sides:
            self._set_excursion(side, (excursion_deg or {}).get(side, drill.REP_MIN_EXCURSION_DEG))
        self._counters = {
            side: RepCounter(side, foot_driven=side in foot_driven, **settings)
            for side, settings in self._settings.items()
        }
        self._span_s: tuple[float, float] | None = None  # first and last frame fed

    def _set_excursion(self, side: Side, excursion_deg: float) -> None:
        """One leg's thresholds: ``excursion_deg`` out and in, and on an
        edge-on side the band edge raised by as much as ``excursion_deg``
        exceeds ``REP_MIN_EXCURSION_DEG``."""
        if not excursion_deg >= drill.REP_MIN_EXCURSION_DEG:
            raise ValueError(
                f"excursion_deg must be at least {drill.REP_MIN_EXCURSION_DEG}, got {excursion_deg}"
            )
        raised = excursion_deg - drill.REP_MIN_EXCURSION_DEG
        edge = drill.NEUTRAL_BAND_DEG + self._hysteresis_deg + raised
        settings = self._settings[side]
        settings["external_min_deg"] = settings["internal_min_deg"] = excursion_deg
        if self._near is not None:
            settings["internal_min_deg" if side is self._near else "external_min_deg"] = edge
        self._excursion_deg[side] = float(excursion_deg)
        counter = getattr(self, "_counters", {}).get(side)
        if counter is not None:
            counter.external_min_deg = settings["external_min_deg"]
            counter.internal_min_deg = settings["internal_min_deg"]

    @property
    def excursion_deg(self) -> dict[Side, float]:
        """Per worked leg, how far out and in a rep must reach."""
        return dict(self._excursion_deg)

    @excursion_deg.setter
    def excursion_deg(self, excursions: Mapping[Side, float]) -> None:
        """Applies at once to each leg's attempt in progress (the thresholds
        are read sample by sample) and to its recounts; a leg not named gets
        ``REP_MIN_EXCURSION_DEG``."""
        wanted = {s: excursions.get(s, drill.REP_MIN_EXCURSION_DEG) for s in self._counters}
        if not all(e >= drill.REP_MIN_EXCURSION_DEG for e in wanted.values()):
            raise ValueError(
                f"excursion_deg must be at least {drill.REP_MIN_EXCURSION_DEG}, got {wanted}"
            )
        for side, excursion in wanted.items():
            self._set_excursion(side, excursion)

    @property
    def foot_driven(self) -> frozenset[Side]:
        """The worked legs whose foot alone drives the cycle."""
        return frozenset(side for side, c in self._counters.items() if c.foot_driven)

    @foot_driven.setter
    def foot_driven(self, legs: Collection[Side]) -> None:
        for side, counter in self._counters.items():
            counter.foot_driven = side in legs

    @property
    def hold_band_deg(self) -> dict[Side, float]:
        """Per worked leg, its counter's ``hold_band_deg``."""
        return {side: c.hold_band_deg for side, c in self._counters.items()}

    @hold_band_deg.setter
    def hold_band_deg(self, bands: Mapping[Side, float]) -> None:
        """Applies from each leg's next attempt (and to its recounts); a leg
        not named gets ``HOLD_TOLERANCE_DEG``."""
        checked = {
            side: _checked_hold_band(bands.get(side, drill.HOLD_TOLERANCE_DEG))
            for side in self._counters
        }
        for side, band in checked.items():
            self._counters[side].hold_band_deg = self._settings[side]["hold_band_deg"] = band

    @property
    def counters(self) -> Mapping[Side, RepCounter]:
        return MappingProxyType(self._counters)

    def __getitem__(self, side: Side) -> RepCounter:
        return self._counters[side]

    @property
    def reps(self) -> tuple[Rep, ...]:
        """Reps of all worked legs, in the order they started."""
        reps = [rep for counter in self._counters.values() for rep in counter.reps]
        return tuple(sorted(reps, key=lambda rep: (rep.start_s, rep.leg.value, rep.index)))

    def update(self, frame: FrameReading) -> list[RepEvent]:
        """Feed one frame; a worked leg missing from ``frame.legs`` is a dropout."""
        self._span_s = (self._span_s[0] if self._span_s else frame.t_s, frame.t_s)
        events: list[RepEvent] = []
        for side, counter in self._counters.items():
            leg = frame.legs.get(side)
            sample = (
                RepSample.missing(frame.t_s)
                if leg is None
                else RepSample(
                    frame.t_s,
                    leg.femur_deg,
                    leg.foot_deg,
                    leg.confidence,
                    bool(getattr(leg, "in_position", True)),
                )
            )
            events += counter.update(sample)
        return events

    def recount(self, side: Side, samples: Iterable[RepSample]) -> tuple[Rep, ...]:
        """Count one worked leg afresh over another reading of the frames fed
        so far (``samples`` outside their span are ignored), and go on from
        there: the reps it finds replace the leg's. Live re-reads a leg this
        way once it finds its knee too flat to read (``hiprot.reading.LiveAngles``).
        """
        old = self._counters[side]
        fresh = RepCounter(side, foot_driven=old.foot_driven, **self._settings[side])
        if self._span_s is not None:
            first, last = self._span_s
            for sample in samples:
                if first <= sample.t_s <= last:
                    fresh.update(sample)
        self._counters[side] = fresh
        return fresh.reps

    def finish(self, t_s: float) -> list[RepEvent]:
        events: list[RepEvent] = []
        for counter in self._counters.values():
            events += counter.finish(t_s)
        return events
