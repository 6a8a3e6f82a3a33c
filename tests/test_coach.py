"""The live coaching state machine, driven by scripted sequences (no window, no clock)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pytest

from hiprot import findings
from hiprot.calibration import Calibration, LegNeutral, LegRange
from hiprot.coach import (
    STUCK_OUT_OF_BAND_S,
    Coach,
    CoachConfig,
    CoachOutput,
    Command,
    Cue,
    RangeBest,
    Say,
    Stage,
    Utterance,
    ViewCheck,
    check_view,
)
from hiprot.landmarks import LEGS, PoseLandmark, Side
from hiprot.reading.guided import LOOK_S
from hiprot.reading.live import LegTrack, LiveReading
from hiprot.reading.series import AngleSample, LegSample
from hiprot.reps import Mode
from hiprot.synth import SessionSpec, generate
from hiprot.types import PoseFrame

FPS = 30.0
READY = ViewCheck(person=True, standing=False, legs_in_view=True)
NOBODY = ViewCheck(person=False, standing=False, legs_in_view=False)
STANDING = ViewCheck(person=True, standing=True, legs_in_view=True)
FEET_OUT = ViewCheck(person=True, standing=False, legs_in_view=False)
ZERO = Calibration({side: LegNeutral(0.0, 0.0) for side in Side})


def sample(
    t: float, left: float = 0.0, right: float | None = None, twist: float = 0.0
) -> AngleSample:
    """Both legs at ``t``: femur angles, foot = femur + twist."""
    right = left if right is None else right
    legs = {
        Side.LEFT: LegSample(left, left + twist, twist, 1.0),
        Side.RIGHT: LegSample(right, right + twist, twist, 1.0),
    }
    return AngleSample(t, True, legs)


@dataclass
class Script:
    """Feeds a coach frame by frame at 30 fps and keeps everything it returned."""

    coach: Coach
    t: float = 0.0
    outputs: list[tuple[float, CoachOutput]] | None = None
    #: What the view can read per leg (``LiveReading.limits``); none: no limit.
    limits: dict[Side, tuple[float, float] | None] | None = None

    def __post_init__(self) -> None:
        self.outputs = []

    def feed(
        self,
        seconds: float,
        angle: float = 0.0,
        view: ViewCheck = READY,
        twist: float = 0.0,
        rereads: dict[Side, LegTrack] | None = None,
    ) -> CoachOutput:
        """``rereads`` come with the first frame (``LiveReading.rereads``)."""
        out = None
        for _ in range(round(seconds * FPS)):
            self.t += 1 / FPS
            s = sample(self.t, angle, twist=twist)
            reading = LiveReading(s, s, rereads=rereads or {}, limits=self.limits or {})
            out = self.coach.update(self.t, view, reading)
            rereads = None
            self.outputs.append((self.t, out))
        assert out is not None
        return out

    def ramp(self, seconds: float, start: float, end: float, twist: float = 0.0) -> None:
        n = round(seconds * FPS)
        for k in range(n):
            self.feed(1 / FPS, start + (end - start) * (k + 1) / n, twist=twist)

    def rep(
        self, inward_s: float = 1.5, hold_s: float = 1.5, twist: float = 0.0, femur: float = 20.0
    ) -> None:
        """Out to -20°, slowly in to +20°, hold, back to neutral."""
        self.ramp(1.0, 0.0, -femur, twist=-twist)
        self.ramp(inward_s, -femur, femur, twist=twist)
        self.feed(hold_s, femur, twist=twist)
        self.ramp(1.0, femur, 0.0)
        self.feed(0.5, 0.0)

    def command(self, command: Command) -> CoachOutput:
        out = self.coach.command(command, self.t)
        self.outputs.append((self.t, out))
        return out

    @property
    def said(self) -> list[str]:
        return [u.clip for _, out in self.outputs for u in out.say]

    @property
    def stages(self) -> list[Stage]:
        seen: list[Stage] = []
        for _, out in self.outputs:
            if not seen or seen[-1] is not out.view.stage:
                seen.append(out.view.stage)
        return seen


def coach(**config) -> Coach:
    defaults = {"target_reps": 3, "sets": 2, "rest_s": 5.0}
    return Coach(CoachConfig(**{**defaults, **config}))


def test_legs_rest_between_reps_only_during_a_set() -> None:
    script = Script(coach(mode=Mode.BOTH))
    script.feed(0.5)
    assert script.coach.resting_legs() == ()  # setting up: not yet counting
    script.feed(4.0)
    assert script.coach.stage is Stage.SET
    assert set(script.coach.resting_legs()) == {Side.LEFT, Side.RIGHT}
    script.ramp(1.0, 0.0, -20.0)  # mid-rep
    assert script.coach.resting_legs() == ()
    # out of neutral longer than any rep: the neutral is what is off
    script.feed(STUCK_OUT_OF_BAND_S - 1.5, -20.0)
    assert script.coach.resting_legs() == ()
    script.feed(1.5, -20.0)
    assert set(script.coach.resting_legs()) == {Side.LEFT, Side.RIGHT}


def test_a_set_ends_when_both_legs_reach_the_target_turning_out_of_step() -> None:
    """Legs half a rep apart are never at neutral together: the set ends once
    each has the target, not at a moment that never comes."""

    def cycle(t: float) -> float:  # out 1 s, in 1.5 s, hold 1.5 s, back 1 s
        t %= 5.0
        if t < 1.0:
            return -20.0 * t
        if t < 2.5:
            return -20.0 + 40.0 * (t - 1.0) / 1.5
        return 20.0 if t < 4.0 else 20.0 * (5.0 - t)

    script = Script(coach(mode=Mode.BOTH, target_reps=3))
    script.feed(4.5)
    assert script.coach.stage is Stage.SET
    start, ended_s = script.t, None
    for _ in range(round(30 * FPS)):
        script.t += 1 / FPS
        s = sample(script.t, cycle(script.t - start), cycle(script.t - start - 2.5))
        out = script.coach.update(script.t, READY, LiveReading(s, s))
        if out.view.stage is not Stage.SET:
            ended_s = script.t - start
            break
    # the right leg's third rep ends at 2.5 + 3 x 5 s
    assert ended_s is not None and ended_s == pytest.approx(17.5, abs=0.5)
    counted = script.coach.reps
    assert {side: sum(r.leg is side for r in counted) for side in Side} == {
        Side.LEFT: 3,
        Side.RIGHT: 3,
    }


def test_full_session_flow_and_counts() -> None:
    # set-up 1 s, calibration 3 s, 3 reps, rest 5 s, set-up, 3 reps, summary
    script = Script(coach())
    script.feed(4.5)
    assert script.coach.stage is Stage.SET
    assert script.coach.calibration is not None
    for _ in range(3):
        script.rep()
    assert script.coach.stage is Stage.REST
    script.feed(5.2)
    script.feed(1.2)
    assert script.coach.stage is Stage.SET
    assert script.coach.set_number == 2
    for _ in range(3):
        script.rep()
    assert script.stages == [
        Stage.SETUP,
        Stage.CALIBRATION,
        Stage.SET,
        Stage.REST,
        Stage.SETUP,
        Stage.SET,
        Stage.SUMMARY,
    ]
    counts = [c for c in script.said if c.startswith("count_")]
    assert counts == ["count_1", "count_2", "count_3"] * 2
    assert [c for c in script.said if c in ("go", "rest", "next_set", "done")] == [
        "go",
        "rest",
        "next_set",
        "go",
        "done",
    ]
    summary = script.coach.summary()
    assert summary is not None and summary.mode is Mode.BOTH
    assert {side: leg.reps for side, leg in summary.legs.items()} == {Side.LEFT: 6, Side.RIGHT: 6}
    # numbered across the session, although each set's counter starts at 1
    assert [r.index for r in summary.reps if r.leg is Side.LEFT] == [1, 2, 3, 4, 5, 6]
    assert script.outputs[-1][1].view.summary == summary


def test_each_rep_is_reported_once_for_saving() -> None:
    script = Script(coach(target_reps=2, sets=1))
    script.feed(4.5)
    script.rep()
    script.rep()
    saved = [rep for _, out in script.outputs for rep in out.reps]
    assert len(saved) == 4 and len(set(saved)) == 4
    assert tuple(sorted(saved, key=lambda r: (r.start_s, r.leg.value))) == script.coach.reps


@pytest.mark.parametrize(
    "view, cue",
    [
        (NOBODY, Cue.LIE_DOWN),  # nobody on the mat yet
        (STANDING, Cue.LIE_DOWN),  # standing in front of the camera
        (FEET_OUT, Cue.FEET_INTO_VIEW),  # lying, feet cut off
    ],
)
def test_setup_asks_for_the_right_thing(view: ViewCheck, cue: Cue) -> None:
    script = Script(coach())
    out = script.feed(2.0, view=view)
    assert script.coach.stage is Stage.SETUP
    assert out.view.cue is cue
    assert script.said.count(cue.clip) >= 1


def test_setup_needs_a_steady_view_but_ignores_short_glitches() -> None:
    script = Script(coach())
    script.feed(0.6)
    script.feed(0.2, view=FEET_OUT)  # a dropout of a few frames: not worth a word
    script.feed(0.3)
    assert script.coach.stage is Stage.CALIBRATION
    assert Cue.FEET_INTO_VIEW.clip not in script.said

    script = Script(coach())
    script.feed(0.3)
    script.feed(1.0, view=FEET_OUT)  # a real loss: cue, and the 1 s wait starts over
    assert script.coach.stage is Stage.SETUP
    assert Cue.FEET_INTO_VIEW.clip in script.said
    script.feed(0.6)
    assert script.coach.stage is Stage.SETUP
    script.feed(0.5)
    assert script.coach.stage is Stage.CALIBRATION


def test_calibration_counts_down_and_restarts_on_movement() -> None:
    script = Script(coach())
    script.feed(1.0)
    out = script.feed(1.5, angle=2.0)
    assert out.view.stage is Stage.CALIBRATION
    assert out.view.countdown_s == pytest.approx(1.5, abs=0.1)
    script.ramp(1.0, 2.0, 30.0)  # the person moved: countdown starts over
    out = script.feed(1.0, angle=30.0)
    assert out.view.stage is Stage.CALIBRATION and out.view.countdown_s > 1.5
    assert Cue.HOLD_STILL.clip in script.said
    script.feed(2.5, angle=30.0)
    assert script.coach.stage is Stage.SET
    new = [out.calibration for _, out in script.outputs if out.calibration is not None]
    assert len(new) == 1
    assert new[0].neutral[Side.LEFT].foot_deg == pytest.approx(30.0)


def test_noise_spikes_do_not_restart_calibration() -> None:
    script = Script(coach())
    script.feed(1.0)
    rng = np.random.default_rng(0)
    for k in range(round(3.2 * FPS)):
        spike = 25.0 if k % 20 == 0 else 0.0  # one wild frame in 20
        script.feed(1 / FPS, angle=float(rng.normal(0, 2)) + spike)
    assert script.coach.stage is Stage.SET


def test_a_saved_calibration_skips_calibration() -> None:
    script = Script(Coach(CoachConfig(target_reps=3, sets=1, settle_s=0.0), calibration=ZERO))
    script.feed(1.2)
    assert script.stages == [Stage.SETUP, Stage.SET]
    assert all(out.calibration is None for _, out in script.outputs)


def test_a_saved_calibration_waits_for_the_legs_to_settle_once() -> None:
    """No countdown measures the rep floor at rest, so set-up waits for
    ``settle_s`` of stillness before the first set (a move starts it over),
    keeps the saved neutral, and does not wait again before the next set."""
    config = CoachConfig(target_reps=1, sets=2, rest_s=2.0, settle_s=2.0)
    script = Script(Coach(config, calibration=ZERO))
    out = script.feed(2.0)
    assert out.view.stage is Stage.SETUP and out.view.countdown_s == pytest.approx(1.0, abs=0.1)
    assert out.view.detail == "Lie still, feet relaxed"
    assert script.said == [Cue.HOLD_STILL.clip]  # asked once, as the countdown asks
    script.ramp(0.5, 0.0, 30.0)  # the person moved: the wait starts over
    out = script.feed(1.5, angle=30.0)
    assert out.view.stage is Stage.SETUP and Cue.HOLD_STILL.clip in script.said
    script.feed(1.0, angle=30.0)
    assert script.coach.stage is Stage.SET
    assert all(out.calibration is None for _, out in script.outputs)
    script.rep()
    script.feed(2.1)  # the rest
    assert script.coach.stage is Stage.SETUP and script.coach.set_number == 2
    script.feed(1.1)
    assert script.coach.stage is Stage.SET


@pytest.mark.parametrize(
    "rep_kwargs, cue",
    [
        ({}, Cue.HOLD),  # reaching the internal end range: hold
        ({"inward_s": 0.3}, Cue.SLOWER),  # turned in too fast
        ({"twist": 30.0, "femur": 4.0}, Cue.FROM_THE_HIPS),  # the feet turned, the femurs barely
    ],
)
def test_rep_cues(rep_kwargs: dict[str, float], cue: Cue) -> None:
    script = Script(coach(sets=1, target_reps=5))
    script.feed(4.5)
    script.rep(**rep_kwargs)
    assert cue.clip in script.said
    assert any(out.view.cue is cue for _, out in script.outputs)


@pytest.mark.parametrize("view, cue", [(STANDING, Cue.LIE_DOWN), (FEET_OUT, Cue.FEET_INTO_VIEW)])
def test_losing_the_view_mid_set_is_cued(view: ViewCheck, cue: Cue) -> None:
    script = Script(coach(sets=1))
    script.feed(4.5)
    out = script.feed(1.0, view=view)
    assert out.view.stage is Stage.SET and out.view.cue is cue
    assert script.said.count(cue.clip) == 1


def test_hold_timer_runs_at_the_internal_end_range() -> None:
    script = Script(coach(sets=1))
    script.feed(4.5)
    script.ramp(1.0, 0.0, -20.0)
    script.ramp(1.5, -20.0, 20.0)
    out = script.feed(1.2, 20.0)
    assert out.view.hold_s == pytest.approx(1.2, abs=0.15)
    assert out.view.legs[0].current_deg == pytest.approx(20.0)
    script.ramp(1.0, 20.0, 0.0)
    out = script.feed(0.5)
    assert out.view.hold_s == 0.0
    gauge = out.view.legs[0]
    assert gauge.this_set.internal_deg == pytest.approx(20.0, abs=0.5)
    assert gauge.this_set.external_deg == pytest.approx(-20.0, abs=0.5)


def test_best_range_includes_earlier_sessions() -> None:
    earlier = {Side.LEFT: RangeBest(35.0, -15.0), Side.RIGHT: RangeBest(None, None)}
    config = CoachConfig(target_reps=3, sets=1, settle_s=0.0)
    script = Script(Coach(config, ZERO, history_best=earlier))
    script.feed(1.2)
    script.rep()
    left, right = script.outputs[-1][1].view.legs
    assert left.best == RangeBest(35.0, pytest.approx(-20.0, abs=0.5))
    assert right.best == RangeBest(pytest.approx(20.0, abs=0.5), pytest.approx(-20.0, abs=0.5))


def test_pause_freezes_counting_and_the_rest_timer() -> None:
    script = Script(coach(target_reps=1, rest_s=5.0))
    script.feed(4.5)
    script.rep()
    assert script.coach.stage is Stage.REST
    script.feed(2.0)
    paused = script.command(Command.PAUSE).view
    assert paused.paused and paused.countdown_s > 2.0
    out = script.feed(10.0)
    assert out.view.paused and out.view.stage is Stage.REST
    assert out.view.countdown_s == pytest.approx(paused.countdown_s)
    script.command(Command.PAUSE)
    out = script.feed(2.0)
    assert out.view.stage is Stage.REST
    assert out.view.countdown_s == pytest.approx(paused.countdown_s - 2.0, abs=0.05)


def test_a_recount_records_and_tells_the_reps_a_flat_reading_missed() -> None:
    script = Script(coach(target_reps=5, sets=1))
    script.feed(4.5)
    assert script.coach.stage is Stage.SET
    start = script.t
    script.rep(femur=3.0)  # the knee reading hardly moves: no rep
    script.rep(femur=3.0)
    assert script.coach.reps == ()
    # the same two reps as the foot read them: out to -20, in to +20, hold, back
    one = [(0.0, 0.0), (1.0, -20.0), (2.5, 20.0), (4.0, 20.0), (5.0, 0.0), (5.5, 0.0)]
    keys_t = [start + k * 5.5 + dt for k in range(2) for dt, _ in one]
    keys_a = [a for _ in range(2) for _, a in one]
    t = np.arange(start + 1 / 30, script.t + 1e-9, 1 / 30)
    track = LegTrack(t, np.interp(t, keys_t, keys_a), np.ones_like(t))
    script.command(Command.PAUSE)  # nothing could tell them while paused
    script.feed(1 / 30, rereads={Side.LEFT: track})
    assert script.coach.reps == ()
    script.command(Command.PAUSE)
    out = script.feed(1 / 30, rereads={Side.LEFT: track})
    assert [(r.leg, r.index) for r in script.coach.reps] == [(Side.LEFT, 1), (Side.LEFT, 2)]
    assert [r.index for r in out.reps] == [1, 2] and script.said[-1] == "count_2"
    # a leg that already counted reps this set is not recounted
    script.feed(1 / 30, rereads={Side.LEFT: track})
    assert len(script.coach.reps) == 2


def test_recalibrating_mid_set_keeps_the_set_going() -> None:
    script = Script(coach(target_reps=3, sets=1))
    script.feed(4.5)
    script.rep()
    out = script.command(Command.RECALIBRATE)
    assert out.view.stage is Stage.CALIBRATION
    assert script.said[-1] == Cue.HOLD_STILL.clip
    script.feed(3.2, angle=3.0)
    assert script.coach.stage is Stage.SET
    assert script.coach.calibration.neutral[Side.LEFT].femur_deg == pytest.approx(3.0)
    script.rep()
    script.rep()
    assert script.coach.stage is Stage.SUMMARY
    assert [c for c in script.said if c.startswith("count_")] == ["count_1", "count_2", "count_3"]


def test_switching_legs_counts_only_the_worked_leg() -> None:
    script = Script(coach(target_reps=2, sets=1))
    script.feed(4.5)
    script.command(Command.MODE_LEFT)
    script.rep()
    script.rep()
    summary = script.coach.summary()
    assert summary is not None and summary.mode is Mode.LEFT
    assert [rep.leg for rep in summary.reps] == [Side.LEFT, Side.LEFT]
    assert [g.side for g in script.outputs[-1][1].view.legs] == [Side.LEFT]


def test_finish_settles_a_rep_at_its_hold() -> None:
    # the source ends (or q) while the last rep holds its end range: it counts
    script = Script(coach(sets=1))
    script.feed(4.5)
    script.ramp(1.0, 0.0, -20.0)
    script.ramp(1.5, -20.0, 20.0)
    script.feed(1.5, 20.0)
    out = script.coach.finish(script.t)
    assert out.view.stage is Stage.SUMMARY
    assert len(out.reps) == 2
    assert out.say == (Utterance("done", Say.ANNOUNCE),)


def test_a_session_quit_before_its_last_set_is_not_called_complete() -> None:
    # q (or the source's end) after the first of three sets: the end screen
    # says where it stopped, and the voice does not say "Well done"
    script = Script(coach(target_reps=2, sets=3))
    script.feed(4.5)
    script.rep()
    script.rep()
    assert script.coach.stage is Stage.REST
    out = script.coach.finish(script.t + 1.0)
    assert out.view.stage is Stage.SUMMARY
    assert out.view.title == "Session ended"
    assert out.view.detail.startswith("Stopped in set 1 of 3.")
    assert out.say == ()
    summary = script.coach.summary()
    assert summary is not None and {s: leg.reps for s, leg in summary.legs.items()} == {
        Side.LEFT: 2,
        Side.RIGHT: 2,
    }


def test_times_must_increase() -> None:
    c = coach()
    c.update(1.0, READY, LiveReading(sample(1.0), sample(1.0)))
    with pytest.raises(ValueError, match="increase"):
        c.update(1.0, READY, LiveReading(sample(1.0), sample(1.0)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target_reps": 0}, "target reps"),
        ({"sets": 0}, "sets"),
        ({"rest_s": -1.0}, "rest_s"),
        ({"still_tolerance_deg": 0.0}, "still_tolerance_deg"),
    ],
)
def test_config_is_validated(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CoachConfig(**kwargs)


# ---------------------------------------------------------------- check_view


def _synth_frame(placement: str) -> PoseFrame:
    session = generate(
        SessionSpec(seed=1, noise="none", placement=placement, reps_per_set=1, duration_s=1.0)
    )
    return session.frames[5]


@pytest.mark.parametrize("placement", ["side_left", "oblique45_left", "tripod_left", "head_end"])
def test_lying_person_with_legs_up_is_ready(placement: str) -> None:
    view = check_view(_synth_frame(placement), (Side.LEFT, Side.RIGHT))
    assert view == READY


def test_standing_person_is_told_to_lie_down() -> None:
    rows = np.zeros((33, 4))
    rows[:, 3] = 1.0
    y = {"SHOULDER": 0.3, "HIP": 0.55, "KNEE": 0.72, "ANKLE": 0.88, "HEEL": 0.9, "FOOT_INDEX": 0.9}
    for part, value in y.items():
        for side, x in (("LEFT", 0.55), ("RIGHT", 0.45)):
            rows[PoseLandmark[f"{side}_{part}"], :2] = (x, value)
    view = check_view(PoseFrame(0, 0.0, rows, rows), (Side.LEFT, Side.RIGHT))
    assert view.standing and view.cue is Cue.LIE_DOWN


def test_feet_outside_the_image_are_not_in_view() -> None:
    frame = _synth_frame("oblique45_left")
    rows = frame.image.copy()
    rows[LEGS[Side.RIGHT].foot_index, 1] = -0.05  # toes cut off at the top edge
    view = check_view(PoseFrame(0, 0.0, rows, frame.world), (Side.LEFT, Side.RIGHT))
    assert not view.legs_in_view and view.cue is Cue.FEET_INTO_VIEW
    assert check_view(PoseFrame(0, 0.0, rows, frame.world), (Side.LEFT,)).ready  # left leg only


def test_nobody_found() -> None:
    assert check_view(PoseFrame.empty(0, 0.0), (Side.LEFT,)) == NOBODY


def test_a_set_end_says_which_set_ended_and_restating_it_renumbers_the_session() -> None:
    """The output that ends a set names it (``set_done``), and a restated
    set (``hiprot.reread``: live's stored result) replaces that set's reps:
    the session's reps are numbered again per leg, and the summary and the
    view show the restated counts."""
    script = Script(coach(target_reps=2, sets=2, rest_s=5.0))
    script.feed(4.5)
    script.rep()
    script.rep()
    ended = [(t, out.set_done) for t, out in script.outputs if out.set_done is not None]
    assert len(ended) == 1
    t_end, span = ended[0]
    assert span.number == 1 and span.end_s == t_end
    assert span.start_s < script.coach.reps[0].start_s < script.coach.reps[-1].end_s <= t_end
    first, second = (r for r in script.coach.reps if r.leg is Side.LEFT)
    # the re-read found one left rep more, before the first, and the same right reps
    extra = dataclasses.replace(first, start_s=span.start_s + 0.1, end_s=first.start_s, index=9)
    rights = [r for r in script.coach.reps if r.leg is Side.RIGHT]
    reps = script.coach.restate_set(1, [extra, first, second, *rights])
    lefts = [r for r in reps if r.leg is Side.LEFT]
    assert [r.index for r in lefts] == [1, 2, 3]
    assert [r.start_s for r in lefts] == [extra.start_s, first.start_s, second.start_s]
    summary = script.coach.summary()
    assert summary is not None and summary.legs[Side.LEFT].reps == 3
    gauges = {g.side: g for g in script.coach.view().legs}
    assert gauges[Side.LEFT].reps == 3 and gauges[Side.RIGHT].reps == 2
    # the next set's reps are numbered on from the restated ones
    script.feed(7.0)
    assert script.coach.stage is Stage.SET
    script.rep()
    assert [r.index for r in script.coach.reps if r.leg is Side.LEFT] == [1, 2, 3, 4]


# ---------------------------------------------------------------- the guided move


def guided_move(script: Script, out_deg: float = -25.0, in_deg: float = 20.0) -> None:
    """Both feet out and held 3 s, in and held 3 s, back to neutral."""
    script.ramp(1.0, 0.0, out_deg)
    script.feed(3.0, out_deg)
    script.ramp(2.0, out_deg, in_deg)
    script.feed(3.0, in_deg)
    script.ramp(1.0, in_deg, 0.0)
    script.feed(0.5)


def test_the_guided_move_is_asked_for_once_found_and_the_set_follows() -> None:
    script = Script(coach(guided_move=True))
    script.feed(4.5)  # set-up and the still neutral
    assert script.stages == [Stage.SETUP, Stage.CALIBRATION, Stage.GUIDED]
    assert script.said == ["hold_still", "guided_move"]
    view = script.coach.view()
    assert view.title == "Guided move (s: skip)" and view.detail == findings.GUIDED_MOVE_ASK.short
    guided_move(script)
    (outcome,) = [out.guided for _, out in script.outputs if out.guided is not None]
    assert script.coach.stage is Stage.SET and script.said[-1] == "go"
    assert set(outcome.moves) == {Side.LEFT, Side.RIGHT} and not outcome.skipped
    for move in outcome.moves.values():  # the readings held at its ends
        assert move.out_reading_deg == pytest.approx(-25.0, abs=0.5)
        assert move.in_reading_deg == pytest.approx(20.0, abs=0.5)
    for _ in range(3):
        script.rep()
    assert len(script.coach.reps) == 6  # the move took none
    script.feed(5.5)  # the rest, then set 2 without asking again
    script.feed(1.5)
    assert script.coach.stage is Stage.SET and script.said.count("guided_move") == 1


def test_one_leg_is_asked_for_its_own_move() -> None:
    script = Script(coach(guided_move=True, mode=Mode.LEFT))
    script.feed(4.5)
    assert script.said[-1] == "guided_move_left"
    assert script.coach.view().detail == "Left foot fully out 3 s, fully in 3 s"


@pytest.mark.parametrize("skip", [True, False])
def test_a_guided_move_not_made_still_gives_a_set(skip: bool) -> None:
    """Skipped (the s key), or not seen until ``LOOK_S`` after the neutral:
    the set starts, the outcome says there is no move."""
    script = Script(coach(guided_move=True))
    script.feed(4.5)
    script.ramp(1.0, 0.0, -25.0)  # a turn out, not held: no move
    script.ramp(1.0, -25.0, 0.0)
    if skip:
        script.command(Command.SKIP)
        script.feed(0.1)
    else:
        script.feed(LOOK_S - 2.5)
        assert script.coach.stage is Stage.GUIDED
        script.feed(0.6)
    (outcome,) = [out.guided for _, out in script.outputs if out.guided is not None]
    assert outcome.moves == {} and outcome.skipped is skip
    assert script.coach.stage is Stage.SET
    script.rep()
    assert len(script.coach.reps) == 2


@pytest.mark.parametrize("quit_early", [False, True])
def test_reps_made_while_live_waits_for_the_move_belong_to_the_first_set(
    quit_early: bool,
) -> None:
    """No move seen, two reps made while live waits: counted once the stage
    ends (timed out, or the session quit), said as one count, and the first
    set (its stored re-read) runs from the neutral's end."""
    script = Script(coach(guided_move=True, target_reps=5))
    script.feed(4.5)
    neutral_end = next(t for t, out in script.outputs if out.view.stage is Stage.GUIDED)
    script.rep()
    script.rep()
    assert script.coach.stage is Stage.GUIDED and script.coach.reps == ()
    if quit_early:
        out = script.coach.finish(script.t)
        assert out.guided is not None and out.guided.moves == {}
    else:
        script.feed(LOOK_S - 11.0 + 0.2)  # past LOOK_S: the set starts
        assert script.coach.stage is Stage.SET
        assert script.said[-2:] == ["go", Utterance.count(2).clip]
        out = script.coach.finish(script.t)
    assert [(r.leg, r.index) for r in script.coach.reps] == [
        (Side.LEFT, 1),
        (Side.RIGHT, 1),
        (Side.LEFT, 2),
        (Side.RIGHT, 2),
    ]
    assert all(r.peak_internal_deg == pytest.approx(20.0, abs=0.5) for r in script.coach.reps)
    assert out.set_done is not None
    assert out.set_done.start_s == neutral_end
    assert len(out.set_done.reps_of(script.coach.reps)) == 4


def test_a_known_scale_puts_peaks_and_gauges_in_degrees() -> None:
    """Left: 30° measured, the move read 15 image degrees: x2 on the
    reading the rep held; right: no scale, image degrees."""
    script = Script(coach())
    script.coach.ranges = {
        Side.LEFT: LegRange(-20.0, 15.0, 30.0),
        Side.RIGHT: LegRange(-20.0, 10.0),
    }
    script.feed(4.5)
    script.ramp(1.0, 0.0, -20.0)
    script.ramp(1.5, -20.0, 20.0)
    script.feed(1.0, 20.0)
    gauges = {g.side: g for g in script.coach.view().legs}
    assert gauges[Side.LEFT].scaled and not gauges[Side.RIGHT].scaled
    assert gauges[Side.LEFT].current_deg == pytest.approx(40.0)
    assert gauges[Side.RIGHT].current_deg == pytest.approx(20.0)
    script.feed(0.5, 20.0)
    script.ramp(1.0, 20.0, 0.0)
    script.feed(0.5, 0.0)
    peaks = {r.leg: r.peak_internal_deg for r in script.coach.reps}
    assert peaks == {Side.LEFT: pytest.approx(40.0), Side.RIGHT: pytest.approx(20.0)}
    assert {r.leg: r.peak_external_deg for r in script.coach.reps}[Side.LEFT] == pytest.approx(-20)


def test_a_rep_at_the_view_s_limit_keeps_its_leg_in_image_degrees() -> None:
    """Review's rule for a capped leg, on live's reading: the left leg's
    scale is x3, and the view reads it up to +20°. A rep to +15° is told in
    degrees; one that reads +20° turned at least that far, so it is told
    in image degrees and so is the leg from then on (its gauge too)."""
    script = Script(coach(), limits={Side.LEFT: (-90.0, 20.0), Side.RIGHT: None})
    script.coach.ranges = {Side.LEFT: LegRange(-20.0, 10.0, 30.0)}
    script.feed(4.5)
    script.rep(femur=15.0)

    def peaks(side: Side) -> list[float]:
        return [r.peak_internal_deg for r in script.coach.reps if r.leg is side]

    assert peaks(Side.LEFT) == [pytest.approx(45.0)]
    assert {g.side: g.scaled for g in script.coach.view().legs}[Side.LEFT]
    script.rep(femur=20.0)
    script.rep(femur=15.0)
    assert peaks(Side.LEFT) == [pytest.approx(45.0), pytest.approx(20.0), pytest.approx(15.0)]
    assert peaks(Side.RIGHT) == [pytest.approx(15.0), pytest.approx(20.0), pytest.approx(15.0)]
    assert script.coach.ranges[Side.LEFT].in_capped
    assert not {g.side: g.scaled for g in script.coach.view().legs}[Side.LEFT]


def test_a_rep_told_past_the_hand_measurement_keeps_its_leg_in_image_degrees() -> None:
    """Review's past-range rule on live's reading: the left leg's scale is
    x3 on a hand measurement of 30 degrees. A rep to +15 reads 45 degrees,
    the most the rule allows; one to +16 would be 48, so it is told in
    image degrees and so is the leg from then on."""
    script = Script(coach(), limits={Side.LEFT: None, Side.RIGHT: None})
    script.coach.ranges = {Side.LEFT: LegRange(-20.0, 10.0, 30.0)}
    script.feed(4.5)
    script.rep(femur=15.0)
    script.rep(femur=16.0)
    script.rep(femur=12.0)
    left = [r.peak_internal_deg for r in script.coach.reps if r.leg is Side.LEFT]
    assert left == [pytest.approx(45.0), pytest.approx(16.0), pytest.approx(12.0)]
    assert script.coach.ranges[Side.LEFT].past_range
    assert not {g.side: g.scaled for g in script.coach.view().legs}[Side.LEFT]
