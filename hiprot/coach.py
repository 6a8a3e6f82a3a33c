"""The live coaching flow as an explicit state machine: no clock, no I/O, no window.

``Coach.update`` takes one frame's worth of input (time, what the camera
sees, the angles) and returns what to show (``CoachView``), what to say
(``Utterance``s) and what to save (new ``Rep``s, a new ``Calibration``).
Time comes in with every call, so a scripted sequence of samples replays
the same session every time, in tests as in ``hiprot live``.

The flow (``Stage``)::

    SETUP --legs and feet in view for setup_s--> CALIBRATION --still for
    calibration_s--> SET --target reps--> REST --rest_s--> SETUP -> SET ...
    --last set--> SUMMARY

SETUP skips CALIBRATION when a calibration is already known (a saved one
for this camera set-up, or the one taken before the first set). The
``RECALIBRATE`` command goes back to CALIBRATION from anywhere and returns
to where it was; ``PAUSE`` freezes counting and timers; the mode commands
switch the worked legs. The rep counter (``hiprot.reps``) lives inside: the
coach decides when counting happens (only in SET) and turns its events
into cues.

Only the drill's position counts (``hiprot.position``, as in review): each
leg's position is debounced here from ``ViewCheck.position_ok``; SETUP and
CALIBRATION wait until every worked leg is up the wall, and in a SET a leg
out of position ends its attempt without a rep, while the set pauses with
the ``LEGS_UP`` cue and goes on once the legs are back.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from hiprot import drill
from hiprot.calibration import Calibration, LegNeutral
from hiprot.landmarks import LEGS, PoseLandmark, Side
from hiprot.reading.live import LegTrack
from hiprot.reading.neutral import STILL_TOLERANCE_DEG, StillRun
from hiprot.reading.position import PositionTracker, leg_ok
from hiprot.reading.series import AngleSample, gated
from hiprot.reps import (
    BilateralCounter,
    Mode,
    Phase,
    Rep,
    RepEventKind,
    RepSample,
    min_confidence,
)
from hiprot.session import CalibrationInfo, SessionSummary, Tracking
from hiprot.types import PoseFrame

#: Landmarks below this visibility count as not in view.
MIN_VISIBILITY = 0.3

#: A torso within this many degrees of vertical in the image, shoulders above
#: hips and ankles below them, is a standing person, not one lying down.
STANDING_MAX_TILT_DEG = 30.0

#: A leg out of its neutral band longer than this is doing no rep (a slow
#: one with its hold takes under 10 s): its reading is off its neutral, and
#: live re-takes the neutral from it as from a rest (``Coach.resting_legs``).
#: On the synthetic tuning seeds at realistic noise, with the feet's
#: neutral re-taken too, live's mean count error went from 3.6 to 3.1 reps.
STUCK_OUT_OF_BAND_S = 15.0

#: A bad view (legs out of view, nobody found) counts only once it lasts
#: this long: pose dropouts of a few frames are not worth a word.
BAD_VIEW_S = 0.5


class Stage(enum.Enum):
    """Where the session is."""

    SETUP = "setup"  # waiting until the worked legs and feet are in view
    CALIBRATION = "calibration"  # lying still in neutral while a countdown runs
    SET = "set"  # counting reps
    REST = "rest"  # rest timer between sets
    SUMMARY = "summary"  # the session is over


class Cue(enum.Enum):
    """What the person should change; the value is the on-screen text."""

    LIE_DOWN = "Lie down with legs up the wall"
    FEET_INTO_VIEW = "Bring your feet into view"
    HOLD_STILL = "Hold still"
    HOLD = "Hold"
    SLOWER = "Slower"
    FROM_THE_HIPS = "From the hips, not the ankles"
    LEGS_UP = "Legs back up the wall"

    @property
    def clip(self) -> str:
        return self.name.lower()


class Command(enum.Enum):
    """What the person asked for (keys in the live window)."""

    PAUSE = "pause"
    RECALIBRATE = "recalibrate"
    MODE_LEFT = "left"
    MODE_RIGHT = "right"
    MODE_BOTH = "both"


class Say(enum.IntEnum):
    """Kinds of utterance, in the order they are spoken when several wait."""

    CUE = 0  # corrective; dropped rather than said late (see hiprot.voice)
    ANNOUNCE = 1  # a stage change: "go", "rest", "next set", "done"
    COUNT = 2  # the rep count: always said, and first


@dataclass(frozen=True)
class Utterance:
    """One thing to say: a clip name (``hiprot/voice/clips/<clip>.wav``) and its kind."""

    clip: str
    kind: Say

    @classmethod
    def count(cls, n: int) -> Utterance:
        return cls(f"count_{n}", Say.COUNT)

    @classmethod
    def cue(cls, cue: Cue) -> Utterance:
        return cls(cue.clip, Say.CUE)

    @classmethod
    def announce(cls, clip: str) -> Utterance:
        return cls(clip, Say.ANNOUNCE)


@dataclass(frozen=True)
class CoachConfig:
    """How a session runs. Validated on construction.

    Attributes:
        mode: Legs worked at the start (keys switch it).
        target_reps: Reps per leg per set.
        sets: Sets in the session.
        rest_s: Rest between sets.
        setup_s: Legs and feet must stay in view this long before starting.
        calibration_s: Stillness needed for the neutral (the countdown).
        still_tolerance_deg: How far a worked foot angle may stray from its
            median and still count as still (the femur angle is too noisy
            to judge stillness; its neutral is the median).
        cue_show_s: How long a cue stays on screen.
        window: Whether a window shows the session (its keys are named).
        pose_model: The landmark model reading the camera (the summary names it).
    """

    mode: Mode = Mode.BOTH
    target_reps: int = 12
    sets: int = 3
    rest_s: float = 60.0
    setup_s: float = 1.0
    calibration_s: float = 3.0
    still_tolerance_deg: float = STILL_TOLERANCE_DEG
    cue_show_s: float = 3.0
    window: bool = True
    pose_model: str = "full"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", Mode(self.mode))
        if self.target_reps < 1:
            raise ValueError(
                f"target reps must be at least 1, got {self.target_reps}; 10-15 is the drill"
            )
        if self.sets < 1:
            raise ValueError(f"sets must be at least 1, got {self.sets}")
        for name in ("rest_s", "setup_s", "calibration_s", "cue_show_s"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not self.still_tolerance_deg > 0:
            raise ValueError(f"still_tolerance_deg must be > 0, got {self.still_tolerance_deg}")


# ---------------------------------------------------------------- what the camera sees


@dataclass(frozen=True)
class ViewCheck:
    """Is the person placed so the drill can be measured?

    Attributes:
        person: Someone was found.
        standing: Their torso is upright in the image (not lying down).
        legs_in_view: Every worked leg's hip, knee, ankle, heel and toes are
            visible inside the image.
        position_ok: Per leg, this frame alone in the drill's position
            (``hiprot.position.leg_ok``; None: not known); None when not judged.
        in_position: Every worked leg is in position, debounced (the coach
            sets it from ``position_ok``).
    """

    person: bool
    standing: bool
    legs_in_view: bool
    position_ok: Mapping[Side, bool | None] | None = None
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


# ---------------------------------------------------------------- what to show


@dataclass(frozen=True)
class RangeBest:
    """A leg's best femur range, degrees from neutral; None when never measured."""

    internal_deg: float | None = None
    external_deg: float | None = None

    def extend(self, reps: Sequence[Rep]) -> RangeBest:
        """This best, improved by ``reps``."""
        internal = [r.peak_internal_deg for r in reps] + [self.internal_deg]
        external = [r.peak_external_deg for r in reps] + [self.external_deg]
        return RangeBest(
            max((x for x in internal if x is not None), default=None),
            min((x for x in external if x is not None), default=None),
        )


@dataclass(frozen=True)
class LegGauge:
    """One leg on the HUD: femur degrees from neutral (internal positive).

    ``this_set`` is the range of this set's reps, ``best`` the person's best
    (earlier sessions and this one); ``current_deg`` is NaN when unmeasured.
    """

    side: Side
    current_deg: float
    reps: int
    hold_s: float
    this_set: RangeBest
    best: RangeBest


@dataclass(frozen=True)
class CoachView:
    """Everything the HUD draws for one frame.

    Attributes:
        stage: Where the session is.
        title: The big headline ("Set 2 of 3", "Calibrating", "Rest").
        detail: One line under it saying what to do now.
        cue: The correction on screen, if any.
        countdown_s: Seconds left of a calibration or rest, if counting down.
        hold_s: Longest live hold among the worked legs (0 when not holding).
        paused: Counting and timers are frozen.
        summary: The session so far, in SUMMARY.
    """

    stage: Stage
    title: str
    detail: str
    cue: Cue | None
    mode: Mode
    set_number: int
    sets: int
    target_reps: int
    legs: tuple[LegGauge, ...]
    countdown_s: float | None
    hold_s: float
    paused: bool
    summary: SessionSummary | None = None


@dataclass(frozen=True)
class CoachOutput:
    """The result of one input: what to show, say and save."""

    view: CoachView
    say: tuple[Utterance, ...] = ()
    reps: tuple[Rep, ...] = ()  # newly completed, numbered per leg across the session
    calibration: Calibration | None = None  # newly taken


# ---------------------------------------------------------------- the machine


class Coach:
    """Runs one live session: set-up check, calibration, sets, rests, summary.

    Example:
        >>> coach = Coach(CoachConfig(target_reps=12, sets=3))
        >>> for pose_frame in pose_frames:
        ...     absolute, relative = live_angles.update(pose_frame)
        ...     out = coach.update(pose_frame.t_s, check_view(pose_frame, coach.mode.sides),
        ...                        absolute, relative)
        ...     if out.calibration: live_angles.calibration = out.calibration
    """

    def __init__(
        self,
        config: CoachConfig,
        calibration: Calibration | None = None,
        source: str = "live",
        history_best: Mapping[Side, RangeBest] | None = None,
    ) -> None:
        """
        Args:
            config: How the session runs.
            calibration: A known neutral (skips calibration), or None.
            source: Where the frames come from, for the summary.
            history_best: The person's best range per leg before this session.
        """
        self.config = config
        self.source = source
        self.history_best = dict(history_best or {})
        self.calibration = calibration
        self.mode = config.mode
        self.stage = Stage.SETUP
        self.set_number = 1
        self.paused = False
        #: The leg nearer the camera (image angles), for the counters of the
        #: next set: its inward side and the other leg's outward side are
        #: seen edge-on (``BilateralCounter``). Set by the caller.
        self.near: Side | None = None
        self._foot_driven: frozenset[Side] = frozenset()
        self._hold_bands: dict[Side, float] = {}
        self._excursions: dict[Side, float] = {}
        self._reps: list[Rep] = []  # the session's, numbered per leg
        self._set_reps: list[Rep] = []
        self._recounted: list[Rep] = []  # found by ``recount``, told with the next frame
        self._counter = self._new_counter()
        self._spoken_count = 0
        self._stillness = StillRun(config.still_tolerance_deg)
        self._ready_since: float | None = None
        self._bad_view_since: float | None = None
        self._rest_until = 0.0
        self._after_calibration = Stage.SET  # or REST, when recalibrating during a rest
        self._set_open = False  # a set started and not yet ended (a recalibration resumes it)
        self._cue: Cue | None = None
        self._cue_until = -math.inf
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._paused_at = 0.0
        self._frames = 0
        self._frames_with_pose = 0
        self._relative: AngleSample | None = None
        self._position = {side: PositionTracker() for side in Side}
        self._judged = False  # position_ok has come with a frame
        self._out_of_position = False  # a set paused: legs down

    @property
    def foot_driven(self) -> frozenset[Side]:
        """Legs whose foot alone drives the rep count (their knee reading
        jitters, ``hiprot.reading.knee_too_jittery``); set by the caller,
        applies at once, also mid-set."""
        return self._foot_driven

    @foot_driven.setter
    def foot_driven(self, legs: frozenset[Side]) -> None:
        self._foot_driven = frozenset(legs)
        self._counter.foot_driven = self._foot_driven

    @property
    def hold_bands(self) -> dict[Side, float]:
        """Per leg, how far a hold's reading may wander
        (``hiprot.reading.LiveAngles.hold_bands``); set by the caller,
        applies from each leg's next rep."""
        return dict(self._hold_bands)

    @hold_bands.setter
    def hold_bands(self, bands: Mapping[Side, float]) -> None:
        self._hold_bands = dict(bands)
        self._counter.hold_band_deg = self._hold_bands

    @property
    def rep_excursions(self) -> dict[Side, float]:
        """Per leg, how far out and in a rep must reach
        (``hiprot.reading.LiveAngles.rep_excursions``); set by the caller,
        applies at once."""
        return dict(self._excursions)

    @rep_excursions.setter
    def rep_excursions(self, excursions: Mapping[Side, float]) -> None:
        self._excursions = dict(excursions)
        self._counter.excursion_deg = self._excursions

    def _new_counter(self) -> BilateralCounter:
        return BilateralCounter(
            self.mode,
            near=self.near,
            min_confidence=min_confidence(self.config.pose_model),
            foot_driven=self._foot_driven,
            hold_band_deg=self._hold_bands,
            excursion_deg=self._excursions,
        )

    # ---------------------------------------------------------------- read-only state

    @property
    def reps(self) -> tuple[Rep, ...]:
        return tuple(self._reps)

    def summary(self) -> SessionSummary | None:
        """The session so far; None before any calibration (nothing measured)."""
        if self.calibration is None:
            return None
        sides = {rep.leg for rep in self._reps} | set(self.mode.sides)
        mode = Mode.BOTH if len(sides) == 2 else Mode(next(iter(sides)).value)
        duration = (self._last_t - self._first_t) if self._first_t is not None else 0.0
        return SessionSummary(
            source=self.source,
            duration_s=max(0.0, duration or 0.0),
            mode=mode,
            calibration=CalibrationInfo(
                "auto" if self.calibration.method == "auto" else "file",
                {side: self.calibration.neutral[side].femur_deg for side in Side},
            ),
            tracking=Tracking(self._frames, self._frames_with_pose, self.config.pose_model),
            reps=tuple(self._reps),
            time_in_position_s=self.time_in_position_s,
        )

    def resting_legs(self) -> tuple[Side, ...]:
        """Worked legs back in neutral between reps of a set, or out of it
        for longer than any rep lasts (``STUCK_OUT_OF_BAND_S``): where
        live re-takes the neutral (``LiveAngles.note_rest``). A reading
        measured from a neutral that is off by more than the band never
        comes back to neutral, so without the second rule its neutral could
        never be put right."""
        if self.stage is not Stage.SET or self.paused or self._last_t is None:
            return ()
        now = self._last_t
        return tuple(
            side
            for side, c in self._counter.counters.items()
            if c.phase is Phase.NEUTRAL
            or (c.neutral_last_s is not None and now - c.neutral_last_s > STUCK_OUT_OF_BAND_S)
        )

    # ---------------------------------------------------------------- input

    def recount(self, side: Side, track: LegTrack) -> None:
        """Count a leg's set so far again from another reading of it, when
        the first reading counted none of its reps: live found the knee too
        flat to read and now reads the leg from its foot
        (``hiprot.reading.LiveAngles.take_rereads``). The reps found are
        recorded and told with the next frame of the set (not while paused:
        nothing would tell them)."""
        if self.stage is not Stage.SET or self.paused or side not in self.mode.sides:
            return
        if any(rep.leg is side for rep in self._set_reps):
            return
        samples = (
            RepSample(float(t), float(a), float(a), float(c))
            for t, a, c in zip(track.t_s, track.angle_deg, track.confidence)
        )
        self._recounted += [self._record(rep) for rep in self._counter.recount(side, samples)]

    def update(
        self, t_s: float, view: ViewCheck, absolute: AngleSample, relative: AngleSample
    ) -> CoachOutput:
        """Feed one frame. ``relative`` must be measured from ``self.calibration``
        (live re-takes its femur neutral from the rests, ``resting_legs``).

        Raises:
            ValueError: ``t_s`` does not increase.
        """
        if self._last_t is not None and t_s <= self._last_t:
            raise ValueError(f"times must increase: {t_s} s after {self._last_t} s")
        if self._first_t is None:
            self._first_t = t_s
        self._last_t = t_s
        self._frames += 1
        self._frames_with_pose += view.person
        self._relative = relative
        view = self._track_position(t_s, view)
        if view.ready:
            self._bad_view_since = None
        elif self._bad_view_since is None:
            self._bad_view_since = t_s
        if self._bad_view_since is not None and t_s - self._bad_view_since < BAD_VIEW_S:
            view = replace(view, person=True, standing=False, legs_in_view=True)  # a glitch
        if self.paused or self.stage is Stage.SUMMARY:
            return self._output(t_s)
        step = {
            Stage.SETUP: self._setup,
            Stage.CALIBRATION: self._calibrate,
            Stage.SET: self._count,
            Stage.REST: self._rest,
        }[self.stage]
        return step(t_s, view, absolute, relative)

    def _track_position(self, t_s: float, view: ViewCheck) -> ViewCheck:
        """Debounce each leg's position; the view says whether every worked
        leg is in it."""
        if view.position_ok is None:
            return view
        self._judged = True
        for side, tracker in self._position.items():
            tracker.update(t_s, view.position_ok.get(side))
        return replace(
            view, in_position=all(self._position[s].in_position for s in self.mode.sides)
        )

    @property
    def in_position(self) -> dict[Side, bool]:
        """Per leg, the debounced drill position (True until judged)."""
        return {side: t.in_position or not self._judged for side, t in self._position.items()}

    @property
    def time_in_position_s(self) -> dict[Side, float] | None:
        """Per worked leg, seconds in position so far (None until judged)."""
        if not self._judged:
            return None
        return {side: self._position[side].time_in_s for side in self.mode.sides}

    def command(self, command: Command, t_s: float) -> CoachOutput:
        """Act on a key press at ``t_s`` (not before the last frame)."""
        t_s = max(t_s, self._last_t or t_s)
        if self.stage is Stage.SUMMARY:
            return self._output(t_s)
        if command is Command.PAUSE:
            return self._toggle_pause(t_s)
        reps = self._settle_counter(t_s) if self.stage is Stage.SET else ()
        if command is Command.RECALIBRATE:
            if self.stage is not Stage.CALIBRATION:
                self._after_calibration = Stage.REST if self.stage is Stage.REST else Stage.SET
            self._enter_calibration()
            return self._output(t_s, reps=reps, say=(Utterance.announce(Cue.HOLD_STILL.clip),))
        self.mode = Mode(command.value)
        self._counter = self._new_counter()
        self._stillness.reset()
        return self._output(t_s, reps=reps)

    def finish(self, t_s: float) -> CoachOutput:
        """End the session now (quit, or the source ended): settle and summarise."""
        t_s = max(t_s, self._last_t or t_s)
        reps = self._settle_counter(t_s) if self.stage is Stage.SET else ()
        self._enter_stage(Stage.SUMMARY)
        self.paused = False
        return self._output(t_s, reps=reps, say=(Utterance.announce("done"),))

    # ---------------------------------------------------------------- stages

    def _setup(self, t: float, view: ViewCheck, *_: AngleSample) -> CoachOutput:
        if not view.ready:
            self._ready_since = None
            return self._output(t, cue=view.cue)
        if self._ready_since is None:
            self._ready_since = t
        if t - self._ready_since < self.config.setup_s:
            return self._output(t)
        self._ready_since = None
        if self.calibration is None:
            self._after_calibration = Stage.SET
            self._enter_calibration()
            return self._output(t, say=(Utterance.announce(Cue.HOLD_STILL.clip),))
        return self._start_set(t)

    def _calibrate(
        self, t: float, view: ViewCheck, absolute: AngleSample, _: AngleSample
    ) -> CoachOutput:
        sides = self.mode.sides
        foot = np.array([absolute.legs[s].foot_deg for s in sides])
        femur = np.array([absolute.legs[s].femur_deg for s in sides])
        if not view.ready:
            self._stillness.reset()
            return self._output(t, cue=view.cue)
        if self._stillness.add(t, foot, femur) is False:
            return self._output(t, cue=Cue.HOLD_STILL)
        if self._stillness.duration_s < self.config.calibration_s:
            return self._output(t)
        median = self._stillness.median()
        n = len(sides)
        neutral = {
            side: LegNeutral(float(median[n + k]), float(median[k])) for k, side in enumerate(sides)
        }
        for side in Side:  # a leg not worked now keeps its old neutral, or its current angle
            if side not in neutral:
                old = self.calibration.neutral[side] if self.calibration else None
                leg = absolute.legs[side]
                neutral[side] = old or LegNeutral(
                    *(x if math.isfinite(x) else 0.0 for x in (leg.femur_deg, leg.foot_deg))
                )
        self.calibration = Calibration(neutral, method="file")
        if self._after_calibration is Stage.SET:
            return replace(self._start_set(t), calibration=self.calibration)
        self._enter_stage(self._after_calibration)
        return self._output(t, calibration=self.calibration)

    def _count(
        self, t: float, view: ViewCheck, _: AngleSample, relative: AngleSample
    ) -> CoachOutput:
        cue = view.cue
        say: list[Utterance] = []
        new_reps, self._recounted = self._recounted, []
        if self._judged:  # out of position: no count, attempts end without a rep
            relative = gated(relative, {side: t.gate for side, t in self._position.items()})
        self._out_of_position = not view.in_position
        if new_reps and self._set_count() > self._spoken_count:
            self._spoken_count = self._set_count()
            say.append(Utterance.count(self._spoken_count))
        for event in self._counter.update(relative):
            if event.kind is RepEventKind.REP_DONE and event.rep is not None:
                new_reps.append(self._record(event.rep))
                count = self._set_count()
                if count > self._spoken_count:
                    self._spoken_count = count
                    say.append(Utterance.count(count))
            elif event.kind is RepEventKind.INTERNAL_END_REACHED:
                cue = Cue.HOLD
            elif event.kind is RepEventKind.TOO_FAST:
                cue = Cue.SLOWER
            elif event.kind is RepEventKind.COMPENSATION:
                cue = Cue.FROM_THE_HIPS
        done = self._set_done()
        if done:
            return self._end_set(t, tuple(new_reps), tuple(say))
        return self._output(t, cue=cue, say=tuple(say), reps=tuple(new_reps))

    def _rest(self, t: float, *_: AngleSample) -> CoachOutput:
        if t < self._rest_until:
            return self._output(t)
        self.set_number += 1
        self._enter_stage(Stage.SETUP)
        self._ready_since = None
        return self._output(t, say=(Utterance.announce("next_set"),))

    # ---------------------------------------------------------------- transitions

    def _enter_stage(self, stage: Stage) -> None:
        """Change stage; a cue about the previous stage is no longer on screen."""
        self.stage = stage
        self._cue_until = -math.inf

    def _enter_calibration(self) -> None:
        self._enter_stage(Stage.CALIBRATION)
        self._stillness.reset()

    def _start_set(self, t: float) -> CoachOutput:
        if not self._set_open:
            self._set_reps = []
            self._spoken_count = 0
            self._set_open = True
        self._enter_stage(Stage.SET)
        self._counter = self._new_counter()
        return self._output(t, say=(Utterance.announce("go"),))

    def _end_set(self, t: float, reps: tuple[Rep, ...], say: tuple[Utterance, ...]) -> CoachOutput:
        self._set_open = False
        if self.set_number >= self.config.sets:
            self._enter_stage(Stage.SUMMARY)
            return self._output(t, reps=reps, say=(*say, Utterance.announce("done")))
        self._enter_stage(Stage.REST)
        self._rest_until = t + self.config.rest_s
        return self._output(t, reps=reps, say=(*say, Utterance.announce("rest")))

    def _toggle_pause(self, t: float) -> CoachOutput:
        if not self.paused:
            self.paused = True
            self._paused_at = t
            return self._output(t)
        self.paused = False
        self._rest_until += t - self._paused_at  # the rest timer stood still
        self._ready_since = None
        self._stillness.reset()
        return self._output(t)

    def _settle_counter(self, t: float) -> tuple[Rep, ...]:
        reps = tuple(
            self._record(e.rep)
            for e in self._counter.finish(t)
            if e.kind is RepEventKind.REP_DONE and e.rep is not None
        )
        self._counter = self._new_counter()
        return reps

    def _record(self, rep: Rep) -> Rep:
        """Number a counter's rep across the session (each set's counter starts at 1)."""
        index = 1 + sum(r.leg is rep.leg for r in self._reps)
        numbered = replace(rep, index=index)
        self._reps.append(numbered)
        self._set_reps.append(numbered)
        return numbered

    def _set_count(self) -> int:
        """Reps of this set: the leg furthest along (both legs move together)."""
        return max(sum(r.leg is side for r in self._set_reps) for side in self.mode.sides)

    def _set_done(self) -> bool:
        """Target reached, and no leg is mid-rep (a lagging leg may finish its rep)."""
        return self._set_count() >= self.config.target_reps and all(
            c.phase is Phase.NEUTRAL for c in self._counter.counters.values()
        )

    # ---------------------------------------------------------------- the view

    def _output(
        self,
        t: float,
        *,
        cue: Cue | None = None,
        say: tuple[Utterance, ...] = (),
        reps: tuple[Rep, ...] = (),
        calibration: Calibration | None = None,
    ) -> CoachOutput:
        if cue is not None:
            if cue is not self._cue or t >= self._cue_until:
                say = (*say, Utterance.cue(cue))
            self._cue, self._cue_until = cue, t + self.config.cue_show_s
        shown = self._cue if t < self._cue_until else None
        return CoachOutput(self._view(t, shown), say, reps, calibration)

    def _gauges(self) -> tuple[LegGauge, ...]:
        gauges = []
        for side in self.mode.sides:
            mine = [r for r in self._reps if r.leg is side]
            this_set = [r for r in self._set_reps if r.leg is side]
            leg = self._relative.legs[side] if self._relative is not None else None
            measured = self.stage is Stage.SET and leg is not None and leg.valid
            counter = self._counter.counters.get(side)
            gauges.append(
                LegGauge(
                    side=side,
                    current_deg=leg.femur_deg if measured and leg is not None else math.nan,
                    reps=len(this_set),
                    hold_s=counter.current_hold_s
                    if counter is not None and self.stage is Stage.SET
                    else 0.0,
                    this_set=RangeBest().extend(this_set),
                    best=self.history_best.get(side, RangeBest()).extend(mine),
                )
            )
        return tuple(gauges)

    def _view(self, t: float, cue: Cue | None) -> CoachView:
        countdown: float | None = None
        set_label = f"Set {self.set_number} of {self.config.sets}"
        if self.stage is Stage.SETUP:
            title, detail = "Get ready", "Legs up the wall, both feet in view"
            if self.set_number > 1:
                title = set_label
        elif self.stage is Stage.CALIBRATION:
            countdown = max(0.0, self.config.calibration_s - self._stillness.duration_s)
            title, detail = "Calibrating", "Lie still, feet relaxed"
        elif self.stage is Stage.SET and self._out_of_position:
            title, detail = f"{set_label}: paused", "Legs back up the wall to go on"
        elif self.stage is Stage.SET:
            title = set_label
            detail = f"Feet out, slowly in, hold {drill.HOLD_MIN_S:.0f}-2 s"
        elif self.stage is Stage.REST:
            countdown = max(0.0, self._rest_until - (self._paused_at if self.paused else t))
            title, detail = "Rest", f"Next: set {self.set_number + 1} of {self.config.sets}"
        else:
            close = " Press q to close" if self.config.window else ""
            if self.calibration is None:  # never got as far as a set
                title, detail = "No set done", "Legs never up the wall." + close
            else:
                title, detail = "Session complete", "Well done." + close
        gauges = self._gauges()
        return CoachView(
            stage=self.stage,
            title=title,
            detail=detail,
            cue=cue,
            mode=self.mode,
            set_number=self.set_number,
            sets=self.config.sets,
            target_reps=self.config.target_reps,
            legs=gauges,
            countdown_s=countdown,
            hold_s=max((g.hold_s for g in gauges), default=0.0),
            paused=self.paused,
            summary=self.summary() if self.stage is Stage.SUMMARY else None,
        )
