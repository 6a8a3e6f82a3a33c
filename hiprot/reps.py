"""Rep counting for the wall rotation drill: one explicit state machine per leg.

A ``RepCounter`` takes one ``RepSample`` at a time (angles relative to the
calibrated neutral, internal rotation positive, time from the caller) and
returns the ``RepEvent``s that sample caused. It reads no clock and does no
I/O, so a replayed recording gives the same events as the live session.
``hiprot.bilateral.BilateralCounter`` runs one per worked leg.

The cycle (``Phase``): NEUTRAL -> OUTWARD when the drive ``d`` (whichever
of femur and foot is further from neutral, ``drive_deg``, the foot against
the femur only once it stays, ``FOOT_FLICK_S``) leaves the neutral band ->
INWARD at ``d <= -external_min_deg`` -> END_RANGE at ``d >=
+internal_min_deg`` -> NEUTRAL again when ``d`` is back in the band
(REP_DONE). The rules, one by one (edge-on sides, hysteresis, the noise
floor, partial reps, position, dropouts, the hold, compensation, tempo),
are in docs/counting.md, "The rep counter, rule by rule".
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.holds import BandRun, checked_hold_band, hold_span, span_s
from hiprot.landmarks import Side

ArrayOrFloat = TypeVar("ArrayOrFloat", float, npt.NDArray[np.float64])

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
#: before a rep counts as "from the ankles": true ankle-only reps sweep 3x or
#: more (chosen on the tuning seeds, docs/counting.md).
COMPENSATION_MARGIN = 1.5


#: A set is a rhythm: with ``SET_MIN_REPS`` above 1 a rep counts only as
#: one of at least that many reps of its leg, each starting within
#: ``SET_MAX_GAP_S`` of the last one's end (``in_sets``). Lying still,
#: landmark noise turns a leg past the rep floor now and then, a lone turn;
#: the drill is 10-15 reps a set. Studied at 3 reps and 20 s on the tuning
#: data; held out it also takes the few reps counted on legs read badly, so
#: it is off here: 1 keeps every rep (docs/position.md, "A set is a rhythm").
SET_MIN_REPS = 1
SET_MAX_GAP_S = 20.0


def in_sets(
    reps: tuple[Rep, ...] | list[Rep],
    min_reps: int | None = None,
    max_gap_s: float | None = None,
) -> tuple[Rep, ...]:
    """The reps that belong to a set (``SET_MIN_REPS``), renumbered per leg,
    in start order. A run of a leg's reps ends where the next rep starts
    more than ``max_gap_s`` after the last one ended; a run of fewer than
    ``min_reps`` is dropped. It needs the whole recording (review, and
    live's re-read of each set): a run's first reps are kept only once its
    ``min_reps``-th has come. None: ``SET_MIN_REPS``, ``SET_MAX_GAP_S``."""
    min_reps = SET_MIN_REPS if min_reps is None else min_reps
    max_gap_s = SET_MAX_GAP_S if max_gap_s is None else max_gap_s
    if min_reps < 1 or not max_gap_s > 0.0:
        raise ValueError(
            f"a set needs min_reps >= 1 and max_gap_s > 0, got {min_reps}, {max_gap_s}"
        )
    kept: list[Rep] = []
    for side in Side:
        leg = sorted((r for r in reps if r.leg is side), key=lambda r: r.start_s)
        run: list[Rep] = []
        for rep in [*leg, None]:
            if rep is None or (run and rep.start_s - run[-1].end_s > max_gap_s):
                if len(run) >= min_reps:
                    kept += run
                run = []
            if rep is not None:
                run.append(rep)
    counted = {side: 0 for side in Side}
    out = []
    for rep in sorted(kept, key=lambda r: (r.start_s, r.leg.value)):
        counted[rep.leg] += 1
        out.append(replace(rep, index=counted[rep.leg]))
    return tuple(out)


@dataclass(frozen=True)
class Sweeps:
    """How far each reading swept over one attempt (max - min, degrees)."""

    femur_deg: float
    foot_deg: float
    twist_deg: float


def from_the_ankles(rep: Sweeps, earlier: Sequence[Sweeps] = ()) -> bool:
    """Whether a rep with these sweeps came "from the ankles": its twist
    swept at least ``COMPENSATION_MIN_TWIST_DEG`` and more than
    ``COMPENSATION_MARGIN`` times the drill's ratio of the femur's sweep.
    ``earlier``: the leg's reps counted before it, for a rule that judges a
    rep against the leg's own reps (unused here; docs/generalization.md,
    "From the ankles, rep by rep")."""
    return (
        rep.twist_deg >= drill.COMPENSATION_MIN_TWIST_DEG
        and rep.twist_deg
        > COMPENSATION_MARGIN * drill.COMPENSATION_TWIST_TO_FEMUR_RATIO * rep.femur_deg
    )


def drive_deg(
    femur_deg: ArrayOrFloat,
    foot_deg: ArrayOrFloat,
    turned_deg: float = drill.REP_MIN_EXCURSION_DEG,
) -> ArrayOrFloat:
    """The angle that drives the cycle (a float, or an array of the inputs'
    shape): whichever of femur and foot is further from neutral, but not a
    foot on the other side of neutral from a femur turned ``turned_deg``, a
    rep's excursion. The drill turns the foot with the femur or in its place
    (from the ankles), not back against a femur turned that far: there it is
    MediaPipe's heel and toe flicking, which would end a rep mid-turn and
    start another."""
    femur = np.asarray(femur_deg, dtype=np.float64)
    foot = np.asarray(foot_deg, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        against = (np.abs(femur) >= turned_deg) & (femur * foot < 0)
        drive = np.where((np.abs(foot) > np.abs(femur)) & ~against, foot, femur)
    return float(drive) if drive.ndim == 0 else drive


#: A foot reading on the other side of neutral from a femur out of the
#: neutral band (and further out than it) drives the cycle only once it has
#: been so this long: MediaPipe's heel and toe flick across for a frame or a
#: few, a foot turned from the ankle stays (0: at once).
FOOT_FLICK_S = drill.NOISE_EXCURSION_MAX_S


def _against(femur_deg: float, foot_deg: float) -> bool:
    """The foot, further from neutral than a femur out of the neutral band,
    reads the other side of it (``FOOT_FLICK_S``)."""
    return (
        abs(femur_deg) > drill.NEUTRAL_BAND_DEG
        and femur_deg * foot_deg < 0
        and abs(foot_deg) > abs(femur_deg)
    )


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
        in_position: The leg is in the drill's position (``hiprot.reading.position``);
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
    """One leg of a per-frame sample (e.g. ``hiprot.reading.series.LegSample``)."""

    @property
    def femur_deg(self) -> float: ...
    @property
    def foot_deg(self) -> float: ...
    @property
    def confidence(self) -> float: ...

    # optional: ``in_position`` (bool), True when absent


class FrameReading(Protocol):
    """Both legs at one instant (e.g. ``hiprot.reading.series.AngleSample``)."""

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
    foot_min_deg: float = math.inf
    foot_max_deg: float = -math.inf
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
    drive_run: BandRun = field(init=False)
    femur_run: BandRun = field(init=False)
    hold_announced: bool = False

    def __post_init__(self) -> None:
        self.drive_run = BandRun(self.in_t_s, self.in_drive_deg, self.hold_band_deg)
        self.femur_run = BandRun(self.in_t_s, self.in_femur_deg, self.hold_band_deg)

    @property
    def longest_hold_s(self) -> float:
        """The live timer: the longest hold so far by the record's rule
        (``_close``), each run judged against the peak when it ran; the
        femur's counts once the femur has reached the internal end range."""
        femur_reached = self.femur_run.peak >= drill.REP_MIN_EXCURSION_DEG
        return max(self.drive_run.longest_s, self.femur_run.longest_s if femur_reached else 0.0)


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
        self._sweeps: list[Sweeps] = []  # each counted rep's, for from_the_ankles
        self._partial_count = 0
        self._last_t_s: float | None = None
        self._last_valid_t_s: float | None = None
        self._neutral_last_s: float | None = None
        self._valid_count = 0
        # ---- when d last left the band, and on which side (start_s of the next attempt)
        self._band_side = 0
        self._band_exit_s: float | None = None
        self._settled = True  # False from leaving the position until back in the band
        self._against_s: float | None = None  # since when the foot reads against the femur

    @property
    def hold_band_deg(self) -> float:
        """How far a hold's reading may wander (module docstring, Hold);
        settable, from the next attempt on."""
        return self._hold_band_deg

    @hold_band_deg.setter
    def hold_band_deg(self, band_deg: float) -> None:
        self._hold_band_deg = checked_hold_band(band_deg)

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
            self._against_s = None
        self._last_valid_t_s = t
        self._valid_count += 1
        drive = foot if self.foot_driven else self._drive(t, femur, foot)
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
        self._against_s = None
        return events

    def _drive(self, t: float, femur: float, foot: float) -> float:
        """``drive_deg``, but the femur's reading while the foot has read
        against it (``_against``) for less than ``FOOT_FLICK_S``."""
        if not _against(femur, foot):
            self._against_s = None
            return drive_deg(femur, foot)
        if self._against_s is None:
            self._against_s = t
        return femur if t - self._against_s < FOOT_FLICK_S else drive_deg(femur, foot)

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
        a.foot_min_deg, a.foot_max_deg = min(a.foot_min_deg, foot), max(a.foot_max_deg, foot)
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
        hold = max(spans, key=span_s)
        hold_s = span_s(hold)
        reached_s = next(ts for ts, d in zip(a.in_t_s, a.in_drive_deg) if d >= drive_floor)
        sweeps = Sweeps(
            femur_deg=a.femur_max_deg - a.femur_min_deg,
            foot_deg=a.foot_max_deg - a.foot_min_deg,
            twist_deg=a.twist_max_deg - a.twist_min_deg,
        )
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
            compensation=from_the_ankles(sweeps, tuple(self._sweeps)),
            inward_s=reached_s,
            hold_span_s=hold,
        )
        self._reps.append(rep)
        self._sweeps.append(sweeps)
        self._attempt = None
        self._phase = Phase.NEUTRAL
        events = [RepEvent(RepEventKind.REP_DONE, self.side, t, rep)]
        if not rep.controlled:
            events.append(RepEvent(RepEventKind.TOO_FAST, self.side, t, rep))
        if rep.compensation:
            events.append(RepEvent(RepEventKind.COMPENSATION, self.side, t, rep))
        return events
