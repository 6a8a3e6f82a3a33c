"""The drill position (hiprot.reading.position), the counter's gate, and the negatives.

Each other supine exercise of ``hiprot.synth`` must count no rep through the
review; getting into and out of the position must count none either; the
shared real clip of a bridge must count none.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hiprot import reps as reps_module
from hiprot.bilateral import BilateralCounter
from hiprot.coach import Coach, CoachConfig, Cue, Stage, ViewCheck
from hiprot.errors import HiprotWarning
from hiprot.landmarks import Side
from hiprot.reading import judgements
from hiprot.reading.geometry import LegAngles
from hiprot.reading.position import (
    CRITERIA,
    Criteria,
    Gate,
    LegPosture,
    LegVerdict,
    PositionTracker,
    Verdict,
    judge,
    position_series,
)
from hiprot.reading.series import AngleSeries, samples
from hiprot.reps import Mode, Phase, RepCounter, RepEventKind, RepSample, in_sets
from hiprot.reread import SetSpan, reread_set
from hiprot.review import review_pose_frames
from hiprot.synth import ENTER_EXIT, NEGATIVES, SessionSpec, generate
from hiprot.types import landmark_array
from tests.test_live import run_live_window, xvfb  # noqa: F401  (xvfb: the fixture)

SIZE = (640, 480)


# ---------------------------------------------------------------- the tracker


#: A frame interval exact in binary, so 4 of them are exactly 0.5 s.
DT = 0.125


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        # starts in position: taken as it comes, no wait
        ([True] * 3, [True] * 3),
        # starts out; in for 0.375 s is not enough, 0.5 s is
        ([False] + [True] * 5, [False] * 5 + [True]),
        # in, then out for 0.375 s (a glitch): stays in
        ([True] * 3 + [False] * 4 + [True], [True] * 8),
        # in, then out for 0.5 s: leaves
        ([True] * 2 + [False] * 5, [True] * 6 + [False]),
        # frames without a person neither enter nor leave
        ([True] + [None] * 7, [True] * 8),
        ([False] + [None] * 6 + [True], [False] * 8),
    ],
)
def test_tracker_debounces_entering_and_leaving(verdicts, expected) -> None:
    tracker = PositionTracker(enter_s=0.5, leave_s=0.5)
    got = [tracker.update(i * DT, ok) for i, ok in enumerate(verdicts)]
    assert got == expected


IN, NEAR, OUT = Verdict.IN, Verdict.NEAR, Verdict.OUT


def _v(verdict: Verdict, thigh_deg: float) -> LegVerdict:
    return LegVerdict(verdict, thigh_deg)


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        # near below the steady bound is not enough to enter
        ([_v(OUT, 40)] + [_v(NEAR, 52)] * 7, [False] * 8),
        # near just below the bound but steady for 0.5 s enters: a drill seen from above
        ([_v(OUT, 40)] + [_v(NEAR, 57)] * 7, [False] * 5 + [True] * 3),
        # ... but a thigh sweeping up through it (a leg raise) enters only
        # 0.5 s after its first IN frame, as without that rule
        (
            [_v(OUT, 40), _v(NEAR, 56)] + [_v(IN, a) for a in (64, 72, 80, 88, 90, 90)],
            [False] * 6 + [True] * 2,
        ),
        # a run of IN broken by NEAR below the steady bound starts again:
        # 0.375 s + 0.375 s is not 0.5 s
        ([_v(OUT, 40)] + [_v(IN, 62)] * 3 + [_v(NEAR, 53)] + [_v(IN, 62)] * 3, [False] * 8),
        # a thigh that reads 62° in position and wanders to 50° for 1 s: stays in
        ([_v(IN, 62)] * 2 + [_v(NEAR, 50)] * 8, [True] * 10),
        # ... but not to 46°, 16° below its level: leaves after 0.5 s
        ([_v(IN, 62)] * 2 + [_v(NEAR, 46)] * 5, [True] * 6 + [False]),
        # a leg up at 85° on its way down leaves at the bound, as without hysteresis
        ([_v(IN, 85)] * 2 + [_v(NEAR, 58)] * 5, [True] * 6 + [False]),
        # the same above: in at 115°, near at 125°, stays; in at 90°, leaves
        ([_v(IN, 115)] * 2 + [_v(NEAR, 125)] * 8, [True] * 10),
        ([_v(IN, 90)] * 2 + [_v(NEAR, 125)] * 5, [True] * 6 + [False]),
        # near without its thigh angle keeps nobody in
        ([IN] * 2 + [NEAR] * 5, [True] * 6 + [False]),
        # a recording that starts near starts out
        ([_v(NEAR, 55)] * 3, [False] * 3),
    ],
)
def test_tracker_enters_on_in_and_stays_near_its_level(verdicts, expected) -> None:
    tracker = PositionTracker(enter_s=0.5, leave_s=0.5, criteria=Criteria(stay_margin_deg=15.0))
    got = [tracker.update(i * DT, verdict) for i, verdict in enumerate(verdicts)]
    assert got == expected


def test_a_leg_that_left_finds_its_level_afresh() -> None:
    tracker = PositionTracker(criteria=Criteria(stay_margin_deg=15.0))
    t = iter(np.arange(40) * DT)
    for _ in range(8):  # up at 95°, then out
        tracker.update(next(t), _v(IN, 95))
    for _ in range(5):
        tracker.update(next(t), _v(OUT, 20))
    assert not tracker.in_position
    for _ in range(5):  # back, at 62° this time: its earlier 95° do not count
        tracker.update(next(t), _v(IN, 62))
    for _ in range(8):
        tracker.update(next(t), _v(NEAR, 50))
    assert tracker.in_position and tracker.gate is Gate.COUNT


def test_near_gates_like_in_once_in_position() -> None:
    tracker = PositionTracker()
    tracker.update(0.0, _v(IN, 62))
    tracker.update(DT, _v(NEAR, 55))
    assert tracker.gate is Gate.COUNT
    tracker.update(2 * DT, _v(OUT, 30))
    assert tracker.gate is Gate.WAIT


def test_verdicts_widen_only_the_thigh_bound_for_near() -> None:
    criteria = Criteria(thigh_deg=(60.0, 120.0), stay_margin_deg=15.0)
    thigh = np.array([90.0, 59.0, 45.0, 44.0, 121.0, 135.0, 136.0, 90.0, np.nan])
    knee = np.array([10.0] * 7 + [60.0, 10.0])  # the 8th frame's knee is bent
    posture = LegPosture(thigh, knee, np.full(9, 2.0), np.full(9, 60.0))
    assert posture.verdicts(criteria).tolist() == [IN, NEAR, NEAR, OUT, NEAR, NEAR, OUT, OUT, OUT]
    assert posture.ok(criteria).tolist() == [True] + [False] * 8
    assert (posture.verdicts(Criteria(stay_margin_deg=0.0)) != NEAR).all()


def test_tracker_gates_and_times_the_position() -> None:
    tracker = PositionTracker()
    tracker.update(0.0, True)
    assert tracker.gate is Gate.COUNT
    tracker.update(DT, False)
    assert tracker.in_position and tracker.gate is Gate.WAIT  # not out yet: skip the sample
    for i in range(2, 6):
        tracker.update(i * DT, False)
    assert not tracker.in_position and tracker.gate is Gate.OUT
    assert tracker.time_in_s == pytest.approx(5 * DT)  # in until it left
    with pytest.raises(ValueError, match="increase"):
        tracker.update(0.5, True)


def test_review_takes_a_leg_that_left_as_out_a_lead_before_it_did() -> None:
    from hiprot.reading.position import _resolved

    c, w, o = Gate.COUNT, Gate.WAIT, Gate.OUT
    t = np.arange(20) * DT
    # in, a glitch (pending, then in again), in, then out for good from frame 14
    gates = [c] * 4 + [w] * 2 + [c] * 8 + [w] * 4 + [o] * 2
    got = _resolved(gates, t, lead_s=0.5)
    # the glitch counts and takes nothing before it out; the departure takes
    # the 0.5 s before its first frame out of position (frames 10-13) out
    assert got == (c,) * 10 + (o,) * 10
    assert _resolved(gates, t, lead_s=0.0) == (c,) * 14 + (o,) * 6


def test_review_takes_the_run_that_brought_a_leg_in_as_in_position() -> None:
    from hiprot.reading.position import _backdate

    tracker = PositionTracker(enter_s=0.5, leave_s=0.5)
    got = [tracker.update(i * DT, ok) for i, ok in enumerate([False] + [True] * 6)]
    assert got == [False] * 5 + [True] * 2
    assert tracker.entered_from_s == DT  # the first IN frame of the run
    states = np.array(got)
    _backdate(states, np.arange(7) * DT, 5, tracker.entered_from_s)
    assert states.tolist() == [False] + [True] * 6


def test_a_recording_that_starts_near_enters_from_its_first_frame() -> None:
    tracker = PositionTracker(enter_s=0.5, leave_s=0.5)
    for i in range(6):
        tracker.update(i * DT, _v(NEAR, 57))  # steady just below the bound
    assert tracker.in_position and tracker.entered_from_s == 0.0


def test_review_is_in_position_from_the_legs_settling_up_the_wall() -> None:
    spec = SessionSpec(seed=72, scenario=ENTER_EXIT, placement="oblique30_left", noise="low")
    session = generate(spec)
    position = position_series(session.frames, SIZE)
    for side in Side:
        tracker = PositionTracker()
        verdicts = judge(
            landmark_array(session.frames, "image"), SIZE, landmark_array(session.frames, "world")
        )[side]
        entered_at = entered_from = None
        for i, frame in enumerate(session.frames):
            verdict = LegVerdict(Verdict(verdicts.verdicts()[i]), float(verdicts.thigh_deg[i]))
            if tracker.update(frame.t_s, verdict) and entered_at is None:
                entered_at, entered_from = frame.t_s, tracker.entered_from_s
        first_in = position.t_s[np.argmax(position.in_position[side])]
        # live enters ENTER_S after the run began; review counts the run itself
        assert entered_from is not None and entered_at - entered_from >= 0.5
        assert first_in == entered_from
        # ... but counts, and looks for its still start, as live does: from
        # the entering frame on
        first_count = position.t_s[position.gate[side].index(Gate.COUNT)]
        assert first_count == entered_at
        assert position.t_s[np.argmax(position.tracked[side])] == entered_at
        intervals = np.diff(position.t_s)[position.in_position[side][:-1]]
        assert position.time_in_s[side] == pytest.approx(float(intervals.sum()))


def test_criteria_are_checked() -> None:
    with pytest.raises(ValueError, match="thigh_deg"):
        Criteria(thigh_deg=(120.0, 60.0))
    with pytest.raises(ValueError, match="stay_margin_deg"):
        Criteria(thigh_deg=(60.0, 120.0), stay_margin_deg=61.0)
    with pytest.raises(ValueError, match="steady_min_deg"):
        Criteria(thigh_deg=(60.0, 120.0), steady_min_deg=61.0)


# ---------------------------------------------------------------- the scalars


def _legs_ok(scenario: str, placement: str = "oblique45_left") -> np.ndarray:
    session = generate(
        SessionSpec(seed=5, scenario=scenario, placement=placement, noise="none", mode="both")
    )
    postures = judge(
        landmark_array(session.frames, "image"), SIZE, landmark_array(session.frames, "world")
    )
    return np.stack([postures[s].ok(CRITERIA) for s in Side])


@pytest.mark.parametrize("placement", ["side_left", "oblique45_right", "chair_left", "tripod_left"])
def test_the_drill_is_in_position_from_every_placement(placement: str) -> None:
    assert _legs_ok("clean", placement).all()


@pytest.mark.parametrize("exercise", ["bridge", "dead_bug", "knee_to_chest", "bicycle", "wipers"])
def test_bent_knee_exercises_are_mostly_out_of_position(exercise: str) -> None:
    # they pass near the position only on the way between their own poses
    assert _legs_ok(exercise).mean() < 0.2


def test_a_hollow_hold_is_never_in_position() -> None:
    assert not _legs_ok("hollow").any()


# ---------------------------------------------------------------- the counter's gate


def _rep(t0: float, dt: float = 0.1) -> list[RepSample]:
    """Out to -20, in to +20 held 1.5 s, back: one full rep."""
    path = [0, -8, -20, -20, -10, 0, 10, 20] + [20] * 15 + [10, 0, 0]
    return [RepSample(t0 + i * dt, a, a) for i, a in enumerate(path)]


def test_leaving_the_position_ends_an_attempt_without_a_rep() -> None:
    counter = RepCounter(Side.LEFT)
    samples = _rep(0.0)
    events = []
    for sample in samples[:15]:  # reached the internal end and holding
        events += counter.update(sample)
    assert counter.phase is Phase.END_RANGE
    events += counter.update(RepSample(samples[15].t_s, 20.0, 20.0, in_position=False))
    assert RepEventKind.PARTIAL_REP in {e.kind for e in events}
    assert counter.rep_count == 0 and counter.phase is Phase.NEUTRAL
    # back in position with the leg still turned in: it must settle into neutral first
    counter.update(RepSample(samples[16].t_s, 20.0, 20.0))
    assert counter.phase is Phase.NEUTRAL
    for sample in samples[17:]:
        counter.update(sample)
    counter.finish(samples[-1].t_s)
    assert counter.rep_count == 0  # never reached the external end after coming back
    for sample in _rep(samples[-1].t_s + 1.0):  # a whole rep in position counts
        counter.update(sample)
    assert counter.rep_count == 1


def test_out_of_position_samples_never_count() -> None:
    counter = RepCounter(Side.LEFT)
    for sample in _rep(0.0):
        counter.update(RepSample(sample.t_s, sample.femur_deg, sample.foot_deg, in_position=False))
    counter.finish(5.0)
    assert counter.rep_count == 0 and counter.partial_count == 0


# ---------------------------------------------------------------- the review


def _review(spec: SessionSpec):
    session = generate(spec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        review = review_pose_frames(session.frames, spec.name, spec.mode, size_wh=SIZE)
    return session, review, [str(w.message) for w in caught]


@pytest.mark.parametrize("exercise", sorted(NEGATIVES))
def test_every_other_exercise_counts_nothing(exercise: str) -> None:
    spec = SessionSpec(seed=71, scenario=exercise, placement="oblique45_left", noise="low")
    session, review, messages = _review(spec)
    assert session.truth["reps"] == []
    assert review.reps == ()
    never_seen = any("was never seen; nothing counted" in m for m in messages)
    assert never_seen is (session.truth["drill_s"] is None)  # "still" is in position
    assert review.position is not None and review.position.seen(Side) is not never_seen


def test_getting_into_and_out_of_the_position_counts_no_rep() -> None:
    spec = SessionSpec(seed=72, scenario=ENTER_EXIT, placement="oblique30_left", noise="low")
    session, review, _ = _review(spec)
    entered, left = session.truth["drill_s"]
    assert review.reps, "the drill itself counts"
    assert all(entered <= r.start_s and r.end_s <= left for r in review.reps)
    assert abs(len(review.reps) - len(session.truth["reps"])) <= 2
    assert review.position is not None
    inside = (review.position.t_s >= entered + 0.5) & (review.position.t_s <= left)
    for side in Side:
        assert review.position.in_position[side][inside].mean() >= 0.99
        # in only on the last swing up (0.8-1.5 s), never while lying before it
        assert not review.position.in_position[side][review.position.t_s < entered - 1.5].any()
    times = review.summary.time_in_position_s
    assert times is not None
    # within the last swing up (<= 1.5 s) and the first one down (<= 1.2 s, + 0.5 s to leave)
    assert all(-0.5 < times[s] - (left - entered) < 3.2 for s in Side)
    assert review.summary.to_dict()["position"]["drill_seen"] is True


def test_a_recording_without_the_drill_says_so_in_one_line() -> None:
    spec = SessionSpec(seed=73, scenario="bridge", placement="side_left", noise="realistic")
    _, review, messages = _review(spec)
    assert messages == [
        f"{spec.name}: the drill position (legs up the wall) was never seen; nothing counted"
    ]
    assert review.reps == () and not review.summary.drill_seen
    assert review.summary.to_dict()["position"] == {
        "drill_seen": False,
        "time_in_s": {"left": 0.0, "right": 0.0},
    }


@pytest.mark.pose
def test_the_real_bridging_clip_counts_nothing(bridging_clip: Path) -> None:
    from hiprot.sources import open_pose_source

    with open_pose_source(bridging_clip) as source:
        frames = list(source.frames)
        size_wh = (source.info.width, source.info.height)
    with pytest.warns(HiprotWarning, match="never seen; nothing counted"):
        review = review_pose_frames(frames, bridging_clip.name, "both", size_wh=size_wh)
    assert review.reps == () and not review.summary.drill_seen
    assert position_series(frames, size_wh).time_in_s == {Side.LEFT: 0.0, Side.RIGHT: 0.0}


# ---------------------------------------------------------------- live


def _view(ok: bool | None) -> ViewCheck:
    return ViewCheck(
        person=True, standing=False, legs_in_view=True, position_ok=dict.fromkeys(Side, ok)
    )


def test_live_waits_for_the_position_and_pauses_the_set_when_the_legs_come_down() -> None:
    from hiprot.calibration import Calibration
    from hiprot.reading.live import LiveReading
    from hiprot.reading.series import AngleSample, LegSample

    coach = Coach(CoachConfig(target_reps=3, sets=1), calibration=Calibration.zero())
    still = AngleSample(0.0, True, {s: LegSample(0.0, 0.0, 0.0, 1.0) for s in Side})

    def feed(t: float, ok: bool, angle: float = 0.0):
        sample = AngleSample(t, True, {s: LegSample(angle, angle, 0.0, 1.0) for s in Side})
        return coach.update(t, _view(ok), LiveReading(still, sample))

    said = []
    t = 0.0
    for _ in range(50):  # 5 s lying flat: the countdown never starts
        t += 0.1
        out = feed(t, False)
        said += [u.clip for u in out.say]
    assert coach.stage is Stage.SETUP
    assert out.view.cue is Cue.LEGS_UP and "legs_up" in said
    while coach.stage is Stage.SETUP:  # legs up: set-up, then the set starts
        t += 0.1
        feed(t, True)
    assert coach.stage is Stage.SET
    # a rep's worth of turning with the legs down: paused, nothing counted
    said = []
    for angle in [-20.0] * 10 + [20.0] * 20 + [0.0] * 10:
        t += 0.1
        out = feed(t, False, angle)
        said += [u.clip for u in out.say]
    assert coach.reps == ()
    assert out.view.title.endswith("paused") and "legs_up" in said
    for angle in [0.0] * 10 + [-20.0] * 10 + [20.0] * 20 + [0.0] * 10:  # back up: counts again
        t += 0.1
        out = feed(t, True, angle)
    assert len(coach.reps) == 2 and not out.view.title.endswith("paused")
    times = coach.time_in_position_s
    assert times is not None and all(math.isfinite(v) and v > 5.0 for v in times.values())


@pytest.mark.pose
def test_cli_live_on_a_bridge_never_starts_the_set(
    xvfb: dict[str, str],  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    bridging_clip: Path,
) -> None:
    """``hiprot live --source`` on the real bridging clip, in a window on
    Xvfb: the person is lying down with the legs and feet in view, but never
    up the wall, so set-up waits and neither the neutral nor a rep is taken."""
    code, stdout, stderr = run_live_window(xvfb, tmp_path, bridging_clip)
    assert code == 0, stderr
    assert "Get ready" in stdout
    assert "Calibrating" not in stdout and "rep 1" not in stdout
    # the end screen says why nothing was done, not "Well done"
    assert "No set done: Legs never up the wall." in stdout and "Well done" not in stdout


def test_cli_review_of_another_exercise_says_so_and_keeps_it_out_of_the_history(
    tmp_path: Path,
) -> None:
    from hiprot.history import HistoryStore
    from hiprot.synth import write_session

    spec = SessionSpec(seed=74, scenario="dead_bug", placement="chair_left", noise="low")
    recording, _ = write_session(generate(spec), tmp_path)
    db = tmp_path / "h.sqlite3"
    drill, _ = write_session(generate(SessionSpec(seed=74, noise="low")), tmp_path)
    for source in (recording, drill):
        run = subprocess.run(
            # --history: a synthetic drill is kept out of histories unless asked;
            # another exercise stays out even then
            [sys.executable, "-m", "hiprot", "review", str(source), "--db", str(db), "--history"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
        seen = source == drill
        never = [line for line in run.stderr.splitlines() if "never seen" in line]
        assert never == (
            []
            if seen
            else [
                f"hiprot: warning: {recording.name}: the drill position (legs up the wall) was "
                "never seen; nothing counted"
            ]
        )
        assert "In position (legs up the wall):" in run.stdout
    with HistoryStore(db) as store:
        sources = [record.source for record in store.sessions()]
    assert sources == [drill.name]


# ---------------------------------------------------------------- the noise floor


def _rep_profile(t_s: np.ndarray, start_s: float) -> np.ndarray:
    """A clean 30° rep from ``start_s``: out to -30° (1.5 s), in to +30°
    (2 s), held there 1.5 s, back to neutral (1 s); 0 elsewhere."""
    knots_t = start_s + np.array([0.0, 1.5, 3.5, 5.0, 6.0])
    knots_deg = np.array([0.0, -30.0, 30.0, 30.0, 0.0])
    return np.interp(t_s, knots_t, knots_deg, left=0.0, right=0.0)


def test_a_still_leg_through_realistic_noise_counts_no_rep_but_a_30_degree_rep_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # lying still at realistic noise: the right leg's reading swings past
    # +-10° and back, so the fixed 10° rule counts reps; its jitter raises them
    # (the left leg of this seed counts phantom reps with the jitter over
    # 1.5 s: docs/generalization.md, "The jitter's window in seconds")
    spec = SessionSpec(seed=175, scenario="still", placement="chair_left", noise="realistic")
    _, review, _ = _review(spec)
    assert [rep for rep in review.reps if rep.leg is Side.RIGHT] == []
    excursions = judgements.rep_excursions(review.series, review.foot_driven)
    assert excursions[Side.RIGHT] > 10.0 + 3.0  # this leg's noise raised its thresholds
    with monkeypatch.context() as fixed:
        fixed.setattr(judgements, "REP_EXCURSION_JITTER_RATIO", 0.0)
        _, at_ten, _ = _review(spec)
    assert len(at_ten.reps) >= 2

    # the counter: the same noisy reading with a real 30° rep added counts it
    t = review.series.t_s
    rep = _rep_profile(t, start_s=0.5 * (t[0] + t[-1]))

    def with_rep(side: Side, a: LegAngles) -> LegAngles:
        if side is not Side.RIGHT:
            return a
        return replace(a, femur_deg=a.femur_deg + rep, foot_deg=a.foot_deg + rep)

    for added, expected in ((None, 0), (with_rep, 1)):
        series = review.series if added is None else review.series.map_legs(added)
        counter = _count_one_leg(series, Side.RIGHT, review.foot_driven)
        assert counter[Side.RIGHT].rep_count == expected, added

    # the review: a drill at the same noise level counts its reps (4 a leg)
    drill_spec = SessionSpec(seed=201, scenario="clean", placement="chair_left", reps_per_set=4)
    session, drill_review, _ = _review(drill_spec)
    assert drill_spec.noise == spec.noise
    got = {leg: v["reps"] for leg, v in drill_review.summary.to_dict()["legs"].items()}
    assert got == {leg: v["reps"] for leg, v in session.truth["legs"].items()}


def _count_one_leg(
    series: AngleSeries, side: Side, foot_driven: frozenset[Side]
) -> BilateralCounter:
    """Review's counter on one leg of ``series``, its rep floor from its own
    drive (``rep_excursion``), run to the end."""
    leg = series.legs[side]
    drive = judgements.counted_drive(leg.femur_deg, leg.foot_deg, side in foot_driven)
    counter = BilateralCounter(
        side.value,
        foot_driven=foot_driven,
        excursion_deg={side: judgements.rep_excursion(series.t_s, drive)},
    )
    frames = samples(series)
    for frame in frames:
        counter.update(frame)
    counter.finish(frames[-1].t_s)
    return counter


# ---------------------------------------------------------------- a set is a rhythm


def test_lying_still_a_lone_turn_is_no_set_in_review_and_live(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # lying still at realistic noise: the counter counts a lone rep on this
    # seed (over the rep floor); with the set rule on (``SET_MIN_REPS``,
    # off by default) it belongs to no set, in review and in live's stored set
    spec = SessionSpec(seed=170018, scenario="still", placement="chair_left", noise="realistic")
    session, review, _ = _review(spec)
    span = SetSpan(1, session.frames[0].t_s, session.frames[-1].t_s)
    stored = reread_set(session.frames, span, Mode.BOTH, review.calibration, SIZE)
    assert len(review.reps) >= 1
    assert stored is not None and len(stored.reps) >= 1
    with monkeypatch.context() as sets:
        sets.setattr(reps_module, "SET_MIN_REPS", 3)
        _, in_a_set, _ = _review(spec)
        stored = reread_set(session.frames, span, Mode.BOTH, in_a_set.calibration, SIZE)
    assert in_a_set.reps == ()
    assert stored is not None and stored.reps == ()  # live's stored set

    # the counter on the same leg's reading: the lone turn is counted, and
    # is no set; a short set of three real 30° reps over the same noise is
    t = review.series.t_s
    mid = 0.5 * (t[0] + t[-1])
    three = sum(_rep_profile(t, mid + 7.0 * k) for k in (-1, 0, 1))

    def with_reps(side: Side, a: LegAngles) -> LegAngles:
        if side is not Side.LEFT:
            return a
        return replace(a, femur_deg=a.femur_deg + three, foot_deg=a.foot_deg + three)

    for series, counted_n, kept_n in (
        (review.series, 1, 0),
        (review.series.map_legs(with_reps), 3, 3),
    ):
        counter = _count_one_leg(series, Side.LEFT, review.foot_driven)
        assert len(counter.reps) == counted_n
        assert len(in_sets(counter.reps, 3, 20.0)) == kept_n
