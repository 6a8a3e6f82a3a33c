"""The live coaching flow as an explicit state machine: no clock, no I/O, no window.

``Coach.update`` takes one frame's worth of input (time, what the camera
sees, the reading of the legs) and returns what to show (``CoachView``), what to say
(``Utterance``s) and what to save (new ``Rep``s, a new ``Calibration``).
Time comes in with every call, so a scripted sequence of samples replays
the same session every time, in tests as in ``hiprot live``.

The flow (``Stage``)::

    SETUP --legs and feet in view for setup_s--> CALIBRATION --still for
    calibration_s--> [GUIDED --the move, skipped or timed out-->] SET
    --target reps--> REST --rest_s--> SETUP -> SET ... --last set--> SUMMARY

SETUP skips CALIBRATION when a calibration is already known (a saved one
for this camera set-up, or the one taken before the first set); with a
saved one, the first SETUP waits instead for the legs to lie still
``settle_s``, on which live measures each leg's rep floor at rest. GUIDED
(``CoachConfig.guided_move``) comes once, before the first set: it asks for
the guided move ("both feet fully out, then fully in") and waits until each
worked leg has made it (``hiprot.reading.guided.leg_guided_move``, the
function review finds it with), the ``SKIP`` command, or ``guided.LOOK_S``
after the still neutral; the set starts either way. The stage holds back
no count: the first set runs from the neutral's end, and its counter
first takes the stage's frames after the move (all, when none was seen).
With each leg's range
(``Coach.ranges``: the move's reading and the range measured by hand), the
reps' peaks and the gauges are in degrees, as review scales them. The
``RECALIBRATE`` command goes back to CALIBRATION from anywhere and returns
to where it was; ``PAUSE`` freezes counting and timers; the mode commands
switch the worked legs. The rep counter (``hiprot.reps``) lives inside: the
coach decides when counting happens (only in SET) and turns its events
into cues.

Only the drill's position counts (``hiprot.reading.position``, as in review): each
leg's position is debounced here from ``ViewCheck.position_ok``; SETUP and
CALIBRATION wait until every worked leg is up the wall, and in a SET a leg
out of position ends its attempt without a rep, while the set pauses with
the ``LEGS_UP`` cue and goes on once the legs are back.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from hiprot import drill, findings
from hiprot.bilateral import BilateralCounter
from hiprot.calibration import Calibration, LegRange
from hiprot.coach_io import (
    CoachConfig,
    CoachOutput,
    CoachView,
    Command,
    Cue,
    GuidedOutcome,
    LegGauge,
    RangeBest,
    Say,
    Stage,
    Utterance,
)
from hiprot.landmarks import Side
from hiprot.placement import ViewCheck, check_view
from hiprot.reading.guided import (
    LOOK_S,
    TURN_IN_WITHIN_S,
    GuidedMove,
    held_reading,
    leg_guided_move,
)
from hiprot.reading.live import LegTrack, LiveReading
from hiprot.reading.neutral import StillRun, at_limit, neutral_from_countdown
from hiprot.reading.position import PositionTracker
from hiprot.reading.series import AngleSample, gated
from hiprot.reps import Mode, Phase, Rep, RepEvent, RepEventKind, RepSample, min_confidence
from hiprot.reread import SetSpan
from hiprot.session import CalibrationInfo, SessionSummary, Tracking

#: The coach's inputs and outputs, importable from here too.
__all__ = [
    "Coach",
    "CoachConfig",
    "CoachOutput",
    "CoachView",
    "Command",
    "Cue",
    "GuidedOutcome",
    "LegGauge",
    "RangeBest",
    "Say",
    "Stage",
    "Utterance",
    "ViewCheck",
    "check_view",
]


#: A leg out of its neutral band longer than this is doing no rep (a slow
#: one with its hold takes under 10 s): its reading is off its neutral, and
#: live re-takes the neutral from it as from a rest (``Coach.resting_legs``).
STUCK_OUT_OF_BAND_S = 15.0

#: A bad view (legs out of view, nobody found) counts only once it lasts
#: this long: pose dropouts of a few frames are not worth a word.
BAD_VIEW_S = 0.5

#: While waiting for the guided move, look for it this often (the finder
#: reads its whole span again; a move takes seconds).
GUIDED_LOOK_EVERY_S = 0.25


@dataclass(frozen=True)
class GuidedFrame:
    """One frame of the guided stage.

    Attributes:
        t_s: The frame's time (``Coach.update``'s).
        sample: The frame's reading as the set's counter takes it (gated):
            a rep made while live waits for the move is counted all the same.
        femur_deg: Per leg, its femur reading relative to the neutral (NaN:
            not read), which the move is found on; None: the view was not
            ready, and the frame is not looked at.
    """

    t_s: float
    sample: AngleSample
    femur_deg: dict[Side, float] | None


# ---------------------------------------------------------------- the machine


class Coach:
    """Runs one live session: set-up check, calibration, sets, rests, summary.

    The reading of the legs comes in as one ``LiveReading`` per frame
    (``hiprot.reading.live.LiveAngles.update``): its relative angles are
    counted, its neutral is the session's (the coach adopts it, so the
    summary and the history store the neutral the reps were counted from),
    and its judgements (foot-driven legs, hold bands, excursions, the near
    leg, legs to count again) tune the set's rep counter.

    Example:
        >>> coach = Coach(CoachConfig(target_reps=12, sets=3))
        >>> for pose_frame in pose_frames:
        ...     reading = live_angles.update(pose_frame)
        ...     out = coach.update(pose_frame.t_s, check_view(pose_frame, coach.mode.sides),
        ...                        reading)
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
        self._reading: LiveReading | None = None  # the last frame's
        self._reps: list[Rep] = []  # the session's, numbered per leg
        self._rep_sets: list[int] = []  # the set of each of ``_reps``
        self._set_start_s = 0.0
        self._set_reps: list[Rep] = []
        self._recounted: list[Rep] = []  # found by ``recount``, told with the next frame
        self._counter = self._new_counter()
        self._spoken_count = 0
        self._stillness = StillRun(config.still_tolerance_deg)
        self._ready_since: float | None = None
        # the legs have lain still in position long enough for live to measure
        # each leg's rep floor at rest (a countdown, or ``settle_s`` in set-up)
        self._settled = False
        self._settle_asked = False  # "hold still" said for it
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
        self._position = {side: PositionTracker() for side in Side}
        self._judged = False  # position_ok has come with a frame
        self._out_of_position = False  # a set paused: legs down
        #: Per leg, its range (the guided move's reading, the hand-measured
        #: range): where ``LegRange.in_scale`` is known, peaks and gauges
        #: are in degrees. Set by whoever knows them (``hiprot.live``).
        self.ranges: dict[Side, LegRange] = {}
        self._guided_pending = config.guided_move  # asked once, before the first set
        self._guided_after_s = 0.0
        self._guided_looked_s = -math.inf
        self._guided_frames: list[GuidedFrame] = []
        # the samples the first set's counter still has to take (the guided
        # stage's after the move)
        self._replay: list[AngleSample] = []
        # the reading over the last seconds: a rep's peak in degrees is the
        # reading it held (``held_reading``), as in review
        self._trail: deque[tuple[float, dict[Side, float]]] = deque()

    def _new_counter(self) -> BilateralCounter:
        """A set's counter, tuned by the last reading: the near leg is set
        for the whole set (its inward side and the other leg's outward
        side are seen edge-on, ``BilateralCounter``)."""
        reading = self._reading
        if reading is None:
            return BilateralCounter(
                self.mode, min_confidence=min_confidence(self.config.pose_model)
            )
        return BilateralCounter(
            self.mode,
            near=reading.near,
            min_confidence=min_confidence(self.config.pose_model),
            foot_driven=reading.foot_driven,
            hold_band_deg=reading.hold_bands,
            excursion_deg=reading.excursions,
        )

    def _tune(self, reading: LiveReading) -> None:
        """Take the frame's reading: its neutral, and its judgements for the
        set's counter (foot-driven legs and excursions apply at once, hold
        bands from each leg's next rep); legs just read from the foot are
        counted again."""
        self._reading = reading
        if reading.calibration.method != "none" and self.calibration is not None:
            self.calibration = reading.calibration
        self._counter.retune(
            foot_driven=reading.foot_driven & set(self.mode.sides),
            hold_band_deg=reading.hold_bands,
            excursion_deg=reading.excursions,
        )
        for side, track in reading.rereads.items():
            self._recount(side, track)

    @property
    def counter(self) -> BilateralCounter:
        """The set's rep counter (read it, don't feed it: ``update`` does)."""
        return self._counter

    # ---------------------------------------------------------------- read-only state

    def view(self) -> CoachView:
        """What to show now (after ``restate_set``, the restated counts)."""
        return self._view(self._last_t or 0.0, None)

    @property
    def reps(self) -> tuple[Rep, ...]:
        return tuple(self._reps)

    def reps_by_set(self) -> dict[int, tuple[Rep, ...]]:
        """The session's reps, by the number of the set they were counted in."""
        by_set: dict[int, list[Rep]] = {}
        for number, rep in zip(self._rep_sets, self._reps, strict=True):
            by_set.setdefault(number, []).append(rep)
        return {number: tuple(reps) for number, reps in by_set.items()}

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

    def _recount(self, side: Side, track: LegTrack) -> None:
        """Count a leg's set so far again from another reading of it, when
        the first reading counted none of its reps: live found the knee too
        flat to read and now reads the leg from its foot
        (``LiveReading.rereads``). The reps found are
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

    def update(self, t_s: float, view: ViewCheck, reading: LiveReading) -> CoachOutput:
        """Feed one frame and its reading (``LiveAngles.update``).

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
        self._tune(reading)
        self._keep_trail(t_s, reading)
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
            Stage.GUIDED: self._guided,
            Stage.SET: self._count,
            Stage.REST: self._rest,
        }[self.stage]
        return step(t_s, view, reading)

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
        if command is Command.SKIP:
            if self.stage is not Stage.GUIDED:
                return self._output(t_s)
            return self._end_guided(t_s, {}, skipped=True)
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
        guided = None
        if self.stage is Stage.GUIDED:  # the reps made meanwhile are the first set's
            guided = self._end_guided(t_s, self._guided_made(t_s)).guided
        reps: tuple[Rep, ...] = ()
        if self.stage is Stage.SET:
            replay, self._replay = self._replay, []
            reps = tuple(self._take(replay)[0]) + self._settle_counter(t_s)
        done = self._close_set(t_s) if self._set_open else None
        self._enter_stage(Stage.SUMMARY)
        self.paused = False
        # "Session complete. Well done." only where the last set was reached
        say = () if self._ended_early() else (Utterance.announce("done"),)
        out = self._output(t_s, reps=reps, say=say)
        return replace(out, set_done=done, guided=guided)

    # ---------------------------------------------------------------- stages

    def _setup(self, t: float, view: ViewCheck, reading: LiveReading) -> CoachOutput:
        if not view.ready:
            self._ready_since = None
            self._stillness.reset()
            return self._output(t, cue=view.cue)
        if self._ready_since is None:
            self._ready_since = t
        if t - self._ready_since < self.config.setup_s:
            return self._output(t)
        if self.calibration is None:
            self._ready_since = None
            self._after_calibration = Stage.SET
            self._enter_calibration()
            return self._output(t, say=(Utterance.announce(Cue.HOLD_STILL.clip),))
        if not self._settled:  # a saved neutral: no countdown has measured the rep floor
            ask = () if self._settle_asked else (Utterance.announce(Cue.HOLD_STILL.clip),)
            self._settle_asked = True
            if not self._still(t, reading):
                return self._output(t, cue=Cue.HOLD_STILL, say=ask)
            if self._stillness.duration_s < self.config.settle_s:
                return self._output(t, say=ask)
            self._settled = True
        self._ready_since = None
        return self._go(t)

    def _settling(self, t: float) -> bool:
        """In set-up with a saved neutral, lying still for the rep floor (``settle_s``)."""
        ready = self._ready_since is not None and t - self._ready_since >= self.config.setup_s
        return self.calibration is not None and not self._settled and ready

    def _still(self, t: float, reading: LiveReading) -> bool:
        """Add the worked legs' absolute reading to the still run; False when it broke it."""
        sides, absolute = self.mode.sides, reading.absolute
        foot = np.array([absolute.legs[s].foot_deg for s in sides])
        femur = np.array([absolute.legs[s].femur_deg for s in sides])
        return self._stillness.add(t, foot, femur) is not False

    def _calibrate(self, t: float, view: ViewCheck, reading: LiveReading) -> CoachOutput:
        if not view.ready:
            self._stillness.reset()
            return self._output(t, cue=view.cue)
        if not self._still(t, reading):
            return self._output(t, cue=Cue.HOLD_STILL)
        if self._stillness.duration_s < self.config.calibration_s:
            return self._output(t)
        self._settled = True
        self.calibration = neutral_from_countdown(
            self._stillness, self.mode.sides, self.calibration, reading.absolute
        )
        if self._after_calibration is Stage.SET:
            return replace(self._go(t), calibration=self.calibration)
        self._enter_stage(self._after_calibration)
        return self._output(t, calibration=self.calibration)

    def _count(self, t: float, view: ViewCheck, reading: LiveReading) -> CoachOutput:
        cue = view.cue
        say: list[Utterance] = []
        new_reps, self._recounted = self._recounted, []
        relative = self._gated(reading)
        self._out_of_position = not view.in_position
        if new_reps and self._set_count() > self._spoken_count:
            self._spoken_count = self._set_count()
            say.append(Utterance.count(self._spoken_count))
        # the samples of the guided stage after the move come first; the
        # cues are the current frame's only
        replay, self._replay = self._replay, []
        counted, now = self._take([*replay, relative])
        new_reps += counted
        if counted and self._set_count() > self._spoken_count:
            self._spoken_count = self._set_count()
            say.append(Utterance.count(self._spoken_count))
        for event in now:
            if event.kind is RepEventKind.INTERNAL_END_REACHED:
                cue = Cue.HOLD
            elif event.kind is RepEventKind.TOO_FAST:
                cue = Cue.SLOWER
            elif event.kind is RepEventKind.COMPENSATION:
                cue = Cue.FROM_THE_HIPS
        done = self._set_done()
        if done:
            return self._end_set(t, tuple(new_reps), tuple(say))
        return self._output(t, cue=cue, say=tuple(say), reps=tuple(new_reps))

    def _take(self, samples: Sequence[AngleSample]) -> tuple[list[Rep], list[RepEvent]]:
        """Feed the set's counter: the reps it counted, and the last sample's events."""
        reps: list[Rep] = []
        events: list[RepEvent] = []
        for sample in samples:
            events = self._counter.update(sample)
            reps += [
                self._record(e.rep)
                for e in events
                if e.kind is RepEventKind.REP_DONE and e.rep is not None
            ]
        return reps, events

    def _guided(self, t: float, view: ViewCheck, reading: LiveReading) -> CoachOutput:
        """Wait for the guided move: each worked leg out and held, in and
        held, back to neutral (``leg_guided_move`` on live's reading since
        the still neutral's end), at most ``LOOK_S`` after it; once one
        leg has made it, the other has ``TURN_IN_WITHIN_S`` more."""
        late = t - self._guided_after_s >= LOOK_S
        legs = reading.relative.legs
        femur = {side: leg.femur_deg if leg.valid else math.nan for side, leg in legs.items()}
        self._guided_frames.append(
            GuidedFrame(t, self._gated(reading), femur if view.ready else None)
        )
        if not view.ready:
            return self._end_guided(t, {}) if late else self._output(t, cue=view.cue)
        if t - self._guided_looked_s < GUIDED_LOOK_EVERY_S and not late:
            return self._output(t)
        self._guided_looked_s = t
        made = self._guided_made(t)
        done = len(made) == len(self.mode.sides)
        if made and not done:
            done = t - max(m.end_s for m in made.values()) > TURN_IN_WITHIN_S
        if done or late:
            return self._end_guided(t, made)
        return self._output(t)

    def _guided_made(self, t: float) -> dict[Side, GuidedMove]:
        """The worked legs' moves found so far that are over (back from in)."""
        return {side: move for side, move in self._guided_moves().items() if move.end_s < t}

    def _guided_moves(self) -> dict[Side, GuidedMove]:
        seen = [f for f in self._guided_frames if f.femur_deg is not None]
        t_s = np.asarray([f.t_s for f in seen])
        moves = {}
        for side in self.mode.sides:
            femur = np.asarray([f.femur_deg[side] for f in seen])
            move = leg_guided_move(t_s, femur, self._guided_after_s)
            if move is not None:
                moves[side] = move
        return moves

    def _rest(self, t: float, view: ViewCheck, _: LiveReading) -> CoachOutput:
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

    def _go(self, t: float) -> CoachOutput:
        """After the neutral: the guided move if it is still to ask, else the set."""
        if not self._guided_pending:
            return self._start_set(t)
        self._enter_stage(Stage.GUIDED)
        self._guided_after_s = t
        self._guided_looked_s = -math.inf
        self._guided_frames = []
        return self._output(t, say=(Utterance.announce(self.guided_ask.clip_name(**self._leg())),))

    @property
    def guided_ask(self) -> findings.Finding:
        """How the guided move is asked for: both feet, or the one leg's."""
        return findings.GUIDED_MOVE_ASK if self.mode is Mode.BOTH else findings.GUIDED_MOVE_ASK_LEG

    def _leg(self) -> dict[str, Side]:
        return {} if self.mode is Mode.BOTH else {"leg": self.mode.sides[0]}

    def _end_guided(
        self, t: float, moves: dict[Side, GuidedMove], skipped: bool = False
    ) -> CoachOutput:
        self._guided_pending = False
        outcome = GuidedOutcome(self._guided_after_s, t, moves, skipped)
        out = self._start_set(t)
        # the first set runs from the neutral's end: its stored re-read
        # (review's reading, which finds the move and leaves it uncounted)
        # holds the reps made while live waited; its counter takes the
        # stage's samples after the move (all of them when none was seen:
        # a move live missed may then be counted, until the re-read)
        self._set_start_s = self._guided_after_s
        after_s = max((m.end_s for m in moves.values()), default=self._guided_after_s)
        self._replay = [f.sample for f in self._guided_frames if f.sample.t_s > after_s]
        self._guided_frames = []
        return replace(out, guided=outcome)

    def _gated(self, reading: LiveReading) -> AngleSample:
        """The frame's relative reading as the counter takes it: out of
        position, no count (attempts end without a rep)."""
        if not self._judged:
            return reading.relative
        return gated(reading.relative, {side: t.gate for side, t in self._position.items()})

    def _keep_trail(self, t: float, reading: LiveReading) -> None:
        self._trail.append((t, {side: reading.relative.legs[side].femur_deg for side in Side}))
        while self._trail and t - self._trail[0][0] > STUCK_OUT_OF_BAND_S:  # no rep lasts longer
            self._trail.popleft()

    def _in_degrees(self, rep: Rep) -> Rep:
        """A counted rep with its peak in degrees where its leg's scale is
        known: the reading it held times the scale, as review scales it. A
        rep whose peak reads the most the view reads turned at least that
        far: a scaled lower bound is no degrees, so, by review's rule
        (``hiprot.review``'s capped peaks), its leg keeps image degrees
        from then on (``LegRange.in_capped``); so does a leg whose rep is
        told past its hand measurement (``LegRange.past_range``)."""
        leg = self.ranges.get(rep.leg)
        if leg is None or leg.in_scale is None:
            return rep
        limit = None if self._reading is None else self._reading.limits.get(rep.leg)
        if limit is not None and at_limit(rep.peak_internal_deg, limit[1]):
            self.ranges = {**self.ranges, rep.leg: replace(leg, in_capped=True)}
            return rep
        t_s = np.array([t for t, _ in self._trail])
        femur = np.array([legs[rep.leg] for _, legs in self._trail])
        held = held_reading(t_s, femur, rep.hold_span_s) if len(t_s) else None
        reading = rep.peak_internal_deg if held is None else held
        if leg.is_past_range(reading):  # review's rule (``hiprot.review``'s past-range legs)
            self.ranges = {**self.ranges, rep.leg: replace(leg, past_range=True)}
            return rep
        return replace(rep, peak_internal_deg=leg.internal_deg(reading))

    def _start_set(self, t: float) -> CoachOutput:
        if not self._set_open:
            self._set_reps = []
            self._spoken_count = 0
            self._set_open = True
            self._set_start_s = t
        self._enter_stage(Stage.SET)
        self._counter = self._new_counter()
        return self._output(t, say=(Utterance.announce("go"),))

    def _end_set(self, t: float, reps: tuple[Rep, ...], say: tuple[Utterance, ...]) -> CoachOutput:
        done = self._close_set(t)
        if self.set_number >= self.config.sets:
            self._enter_stage(Stage.SUMMARY)
            out = self._output(t, reps=reps, say=(*say, Utterance.announce("done")))
        else:
            self._enter_stage(Stage.REST)
            self._rest_until = t + self.config.rest_s
            out = self._output(t, reps=reps, say=(*say, Utterance.announce("rest")))
        return replace(out, set_done=done)

    def _close_set(self, t: float) -> SetSpan:
        self._set_open = False
        return SetSpan(self.set_number, self._set_start_s, t)

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
        numbered = replace(self._in_degrees(rep), index=index)
        self._reps.append(numbered)
        self._rep_sets.append(self.set_number)
        self._set_reps.append(numbered)
        return numbered

    def restate_set(self, number: int, reps: Sequence[Rep]) -> tuple[Rep, ...]:
        """Replace set ``number``'s reps with another count of the set
        (``hiprot.reread``: the stored result); every rep of the session is
        numbered again per leg in time order. Returns the session's reps."""
        kept = [(s, r) for s, r in zip(self._rep_sets, self._reps) if s != number]
        pairs = sorted(
            kept + [(number, r) for r in reps],
            key=lambda pair: (pair[1].start_s, pair[1].leg.value),
        )
        numbered: list[tuple[int, Rep]] = []
        for s, r in pairs:
            index = 1 + sum(other.leg is r.leg for _, other in numbered)
            numbered.append((s, replace(r, index=index)))
        self._rep_sets = [s for s, _ in numbered]
        self._reps = [r for _, r in numbered]
        self._set_reps = [r for s, r in numbered if s == self.set_number]
        return self.reps

    def _ended_early(self) -> bool:
        """The session is over before its last set (q, or the source's end):
        only the last set's end leads to the summary otherwise."""
        return self.stage is Stage.SUMMARY and self.set_number < self.config.sets

    def _set_counts(self) -> list[int]:
        """Reps of this set, per worked leg."""
        return [sum(r.leg is side for r in self._set_reps) for side in self.mode.sides]

    def _set_count(self) -> int:
        """Reps of this set: the leg furthest along (both legs move together)."""
        return max(self._set_counts())

    def _set_done(self) -> bool:
        """Target reached, and no leg is mid-rep (a lagging leg may finish its
        rep); or every worked leg has reached it and one has just come back
        to neutral: legs turning out of step are never at neutral together,
        and a rep past the target is not waited for."""
        counts = self._set_counts()
        if max(counts) < self.config.target_reps:
            return False
        neutral = [c.phase is Phase.NEUTRAL for c in self._counter.counters.values()]
        return all(neutral) or (any(neutral) and min(counts) >= self.config.target_reps)

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
            leg = self._reading.relative.legs[side] if self._reading is not None else None
            measured = self.stage is Stage.SET and leg is not None and leg.valid
            counter = self._counter.counters.get(side)
            scale = self.ranges.get(side, LegRange())
            current = leg.femur_deg if measured and leg is not None else math.nan
            if scale.in_scale is not None and current > 0:
                current = float(scale.internal_deg(current))  # type: ignore[arg-type]
            gauges.append(
                LegGauge(
                    side=side,
                    current_deg=current,
                    reps=len(this_set),
                    hold_s=counter.current_hold_s
                    if counter is not None and self.stage is Stage.SET
                    else 0.0,
                    this_set=RangeBest().extend(this_set),
                    best=self.history_best.get(side, RangeBest()).extend(mine),
                    scaled=scale.in_scale is not None,
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
            if self._settling(t):
                countdown = max(0.0, self.config.settle_s - self._stillness.duration_s)
                detail = "Lie still, feet relaxed"
        elif self.stage is Stage.CALIBRATION:
            countdown = max(0.0, self.config.calibration_s - self._stillness.duration_s)
            title, detail = "Calibrating", "Lie still, feet relaxed"
        elif self.stage is Stage.GUIDED:
            countdown = max(0.0, self._guided_after_s + LOOK_S - t)
            title, detail = "Guided move (s: skip)", self.guided_ask.notice(**self._leg())
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
            elif self._ended_early():
                title = "Session ended"
                detail = f"Stopped in set {self.set_number} of {self.config.sets}." + close
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
