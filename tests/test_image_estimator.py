"""The image estimator's parts: the knee circle, near leg, steady anchors, foot fit."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest

from hiprot import drill
from hiprot.calibration import Calibration, LegNeutral
from hiprot.errors import HiprotWarning
from hiprot.landmarks import LEGS, Side
from hiprot.landmarks import PoseLandmark as L
from hiprot.reading import geometry as angles
from hiprot.reading.foot import (
    apply_foot_gain,
    fit_foot_to_femur,
    flat_femur_sign,
    foot_gain,
    plausible_foot,
)
from hiprot.reading.geometry import (
    femur_from_knee_ratio,
    knee_phase_deg,
    knee_reading_range,
    near_side,
)
from hiprot.reading.judgements import (
    HOLD_JITTER_RATIO,
    hold_bands,
    knee_too_jittery,
    motionless_legs,
    still_feet,
)
from hiprot.reading.live import LiveAngles
from hiprot.reading.neutral import (
    auto_calibration,
    femur_from_reading,
    femur_range,
    knee_neutral,
    neutral_from_rests,
    relative_to_neutral,
)
from hiprot.reading.running import RunningAnchors
from hiprot.reading.series import AngleSeries, angle_series, smooth_series, steady_anchors
from hiprot.report import advice
from hiprot.review import review_pose_frames
from hiprot.session import LegSummary
from hiprot.sources import open_pose_source
from hiprot.synth import SessionSpec, generate
from hiprot.synth.noise import jitter_knees
from tests.conftest import FLAT_KNEE_SPEC, REPO

WIDE = REPO / "benchmarks" / "render_suite" / "wide"


@pytest.mark.parametrize("phase", [30.0, 45.0, 60.0])
@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_knee_circle_is_inverted_on_the_branch_through_neutral(
    phase: float, direction: float
) -> None:
    psi = np.radians(direction * phase)
    # every rotation the inversion does not clip: short of the apex by the margin
    limit = phase - angles.KNEE_APEX_MARGIN_DEG - 0.5
    theta = np.linspace(-45.0, limit, 60) * direction
    ratio = np.cos(np.radians(theta) - psi) / np.cos(psi)
    assert femur_from_knee_ratio(ratio, direction, phase) == pytest.approx(theta, abs=1e-6)


def test_knee_circle_saturates_near_the_apex_instead_of_exploding() -> None:
    theta = femur_from_knee_ratio(np.array([1.5, 10.0, np.nan]), 1.0, 45.0)
    apex = 45.0 - angles.KNEE_APEX_MARGIN_DEG
    assert theta[0] == pytest.approx(apex) and theta[1] == pytest.approx(apex)
    assert np.isnan(theta[2])


def test_a_straight_line_reading_is_stretched_on_one_side_and_squeezed_on_the_other() -> None:
    """The reason for the sinusoid: equal knee offsets either side of neutral
    are unequal rotations."""
    inward, outward = femur_from_knee_ratio(np.array([1.3, 0.7]), 1.0, 45.0)
    assert inward > 0 > outward and inward > abs(outward) + 5


def test_reading_in_nominal_degrees_maps_through_the_person_s_neutral() -> None:
    calibration = Calibration(
        {Side.LEFT: LegNeutral(50.0, 0.0), Side.RIGHT: LegNeutral(-70.0, 0.0)}
    )
    offsets = knee_neutral(calibration)
    assert offsets == {Side.LEFT: 60.0, Side.RIGHT: -60.0}  # shared size, own sign
    at_neutral = femur_from_reading(np.array([50.0]), 50.0, offsets[Side.LEFT], 45.0)
    assert at_neutral == pytest.approx([0.0])
    # readings grow inward for either sign of neutral (image_leg_angles)
    turned_in, turned_out = femur_from_reading(
        np.array([-50.0, -90.0]), -70.0, offsets[Side.RIGHT], 45.0
    )
    assert turned_in > 10 and turned_out < -10
    # no neutral yet: nominal degrees pass through
    assert femur_from_reading(np.array([12.0]), 2.0, 0.0, 45.0) == pytest.approx([10.0])


def _world(left_depth: float, right_depth: float, n: int = 5) -> np.ndarray:
    world = np.full((n, 33, 4), np.nan)
    for side, depth in ((Side.LEFT, left_depth), (Side.RIGHT, right_depth)):
        leg = LEGS[side]
        world[:, [leg.hip, leg.knee], :] = [0.0, 0.0, depth, 1.0]
    return world


def test_near_leg_is_the_one_closer_in_depth() -> None:
    assert near_side(_world(-0.1, 0.1)) is Side.LEFT
    assert near_side(_world(0.2, -0.05)) is Side.RIGHT
    assert near_side(np.full((3, 33, 4), np.nan)) is None


@pytest.mark.parametrize("view", [angles.OBLIQUE45, angles.OBLIQUE60])
def test_far_leg_is_seen_further_round_the_knee_circle(view: angles.CameraView) -> None:
    near = knee_phase_deg(Side.LEFT, Side.LEFT, view)
    far = knee_phase_deg(Side.RIGHT, Side.LEFT, view)
    assert near < view.phase_deg < far
    assert knee_phase_deg(Side.RIGHT, None, view) == view.phase_deg


def _lying_body(azimuth_deg: float, n: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Image and world landmarks of a body lying on the floor (hips 0.3 m
    wide, shoulders 0.4 m, torso 0.5 m), seen from ``azimuth_deg`` round
    from its left side towards its head by a level orthographic camera."""
    world = np.full((n, 33, 4), np.nan)
    lm = L
    body = {  # x: the person's left, z: towards the head, on the floor
        lm.LEFT_HIP: (0.15, 0.0),
        lm.RIGHT_HIP: (-0.15, 0.0),
        lm.LEFT_SHOULDER: (0.2, 0.5),
        lm.RIGHT_SHOULDER: (-0.2, 0.5),
    }
    a = np.radians(azimuth_deg)
    image = np.full((n, 33, 4), np.nan)
    for index, (x, z) in body.items():
        world[:, index] = (x, 0.0, z, 1.0)
        # image x: the horizontal across the view; 200 px per metre on 400x400
        across = x * np.sin(a) - z * np.cos(a)
        image[:, index] = (0.5 + across / 2, 0.5, 0.0, 1.0)
    return image, world


@pytest.mark.parametrize(("azimuth", "view"), [(45, angles.OBLIQUE45), (60, angles.OBLIQUE60)])
def test_the_body_s_proportions_tell_the_camera_view(azimuth: float, view) -> None:
    image, world = _lying_body(azimuth)
    ratio = angles.body_view_ratio(image, world, (400, 400))
    assert ratio == pytest.approx(np.tan(np.radians(azimuth)), rel=0.05)
    assert angles.camera_view(ratio) is view
    assert angles.camera_view(math.nan) is angles.OBLIQUE45


def test_the_neutral_is_retaken_from_the_rests_between_reps() -> None:
    t = np.arange(0.0, 30.0, 0.1)
    reading = np.where(t < 5, 20.0, 30.0)  # the knee settles 10 further after the first rep
    in_rep = ((t >= 5) & (t <= 10)) | ((t >= 15) & (t <= 20))
    reading[in_rep] = 60.0
    foot = np.where(in_rep, 40.0, -3.0)  # the foot rests at -3
    legs = {side: angles.LegAngles(reading, foot, *(np.zeros_like(t),) * 3) for side in Side}
    series = AngleSeries(t, np.ones(len(t), bool), legs, "image")
    first = Calibration({side: LegNeutral(20.0, 1.5) for side in Side})
    windows = {Side.LEFT: [(5.0, 10.0), (15.0, 20.0)], Side.RIGHT: []}
    rested = neutral_from_rests(series, first, windows, [Side.LEFT])
    # left: 5 s at 20 and 15 s at 30 outside its reps; the right leg is idle
    assert rested.neutral[Side.LEFT].femur_deg == pytest.approx(30.0)
    assert rested.neutral[Side.LEFT].foot_deg == pytest.approx(-3.0)
    assert rested.neutral[Side.RIGHT] == first.neutral[Side.RIGHT]
    assert rested.method == first.method
    # a foot not seen at rest keeps its neutral (no NaN neutral)
    lost = {
        side: angles.LegAngles(reading, np.full_like(t, np.nan), *(np.zeros_like(t),) * 3)
        for side in Side
    }
    rested = neutral_from_rests(
        AngleSeries(t, np.ones(len(t), bool), lost, "image"), first, windows
    )
    assert rested.neutral[Side.LEFT] == LegNeutral(30.0, 1.5)
    # with the 3D estimator the femur reading is an angle: no knee bounds
    world = AngleSeries(t, np.ones(len(t), bool), legs, "world")
    low = Calibration({side: LegNeutral(-2.0, 0.0) for side in Side})
    rested = neutral_from_rests(world, low, windows, [Side.LEFT])
    assert rested.neutral[Side.LEFT].femur_deg == pytest.approx(30.0)


def test_the_auto_neutral_is_where_the_knee_settled_in_the_still_start() -> None:
    """MediaPipe's knee reading can creep for seconds after tracking starts
    while the feet lie still: the neutral is the still period's last 2 s."""
    t = np.arange(0.0, 12.0, 1 / 30)
    femur = np.clip(t / 4.0, 0.0, 1.0) * 10.0  # creeps 0 -> 10 over 4 s
    foot = np.where(t < 5.0, 0.0, 30.0 * np.sin(t))  # still 5 s, then reps
    legs = {side: angles.LegAngles(femur, foot, *(np.zeros_like(t),) * 3) for side in Side}
    calibration = auto_calibration(AngleSeries(t, np.ones(len(t), bool), legs, "image"))
    assert calibration is not None
    assert calibration.setup["still_from_s"] == pytest.approx(3.0, abs=0.1)  # 2 s before 5 s
    assert calibration.neutral[Side.LEFT].femur_deg > 9.0  # the whole period's median: 6.2


def test_review_measures_each_rep_floor_up_to_the_still_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each leg's rep floor (``rep_excursions``) is the jitter of the
    recording's opening in position up to the end of its still start, where
    no rep crosses neutral, in every round of the count, with the
    auto-neutral and with a neutral from a file alike."""
    import hiprot.review as review

    spec = SessionSpec(seed=3, noise="low")
    session = generate(spec)
    size = (spec.width, spec.height)
    rests: list[tuple[np.ndarray, dict | None]] = []
    floors = review.rep_excursions

    def spy(relative, foot_driven, at_rest=None):
        rests.append((relative.t_s, at_rest))
        return floors(relative, foot_driven, at_rest)

    monkeypatch.setattr(review, "rep_excursions", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HiprotWarning)  # what it finds is not the point
        auto = review_pose_frames(session.frames, "s", spec.mode, size_wh=size)
        review_pose_frames(session.frames, "s", spec.mode, auto.calibration, size_wh=size)
    assert len(rests) == 2 * (1 + review._REST_ROUNDS)
    first_rep_s = min(rep["start_s"] for rep in session.truth["reps"])
    for t, at_rest in rests:
        assert at_rest is not None
        for side in Side:
            end_s = t[at_rest[side]].max()
            assert session.truth["neutral_until_s"] - 2.5 < end_s < first_rep_s + 0.5
            assert at_rest[side].sum() > 0.8 * np.sum(t <= end_s)  # in position from the start


def _leg_image(hip_xy: np.ndarray, ankle_xy: np.ndarray, side: Side) -> np.ndarray:
    """``(n, 33, 4)`` image landmarks (normalised to 100x100 px) with one leg's hip and ankle."""
    image = np.full((len(hip_xy), 33, 4), np.nan)
    leg = LEGS[side]
    image[:, leg.hip, :2] = hip_xy / 100.0
    image[:, leg.ankle, :2] = ankle_xy / 100.0
    return image


def test_steady_anchors_are_a_running_median_that_ignores_glitches_and_gaps() -> None:
    t = np.arange(40) * 0.5  # 20 s
    hip = np.tile([30.0, 60.0], (40, 1))
    ankle = np.tile([35.0, 10.0], (40, 1))
    hip[5] = [90.0, 90.0]  # a one-frame glitch
    hip[6] = np.nan  # a lost frame
    hip[30:] += [4.0, 0.0]  # the person shifts on the mat at 15 s
    steady_hip, steady_ankle = steady_anchors(
        t, _leg_image(hip, ankle, Side.LEFT), (100, 100), Side.LEFT, window_s=6.0
    )
    assert steady_hip[5] == pytest.approx([30.0, 60.0])
    assert np.isfinite(steady_hip[6]).all()
    assert steady_hip[-1] == pytest.approx([34.0, 60.0])  # follows the shift
    assert steady_ankle == pytest.approx(ankle)


def test_running_anchors_forget_what_left_the_window() -> None:
    anchors = RunningAnchors(window_s=2.0)
    frame = np.full((33, 4), np.nan)
    leg = LEGS[Side.RIGHT]
    hip = ankle = None
    for i in range(10):
        frame[leg.hip, :2] = [0.5 if i < 5 else 0.6, 0.5]
        frame[leg.ankle, :2] = [0.5, 0.1]
        hip, ankle = anchors.update(i * 1.0, frame, (100, 100), Side.RIGHT)
    assert hip == pytest.approx(np.array([[60.0, 50.0]]))
    assert ankle == pytest.approx(np.array([[50.0, 10.0]]))
    lost = np.full((33, 4), np.nan)
    hip, _ = anchors.update(20.0, lost, (100, 100), Side.RIGHT)
    assert np.isnan(hip).all()


def test_foot_fit_has_a_slope_per_side_and_shrugs_off_ankle_reps() -> None:
    rng = np.random.default_rng(3)
    femur = np.concatenate([np.linspace(-35, 30, 400), np.linspace(30, -35, 400)])
    # the foot's image angle: foreshortened three times more on the inward side
    foot = np.where(femur > 0, femur / 3.0, femur / 1.2) + rng.normal(0, 0.5, femur.size)
    # an ankle rep: the foot swings, the femur stays put near 12 deg
    femur = np.concatenate([femur, np.full(60, 12.0)])
    foot = np.concatenate([foot, np.linspace(-25, 25, 60)])
    below, above = foot_gain(femur, foot)
    assert below == pytest.approx(1.2, rel=0.1) and above == pytest.approx(3.0, rel=0.1)
    mapped = apply_foot_gain(np.array([-10.0, 5.0]), (below, above))
    assert mapped == pytest.approx([-12.0, 15.0], rel=0.1)


def test_foot_fit_falls_back_to_one_slope_when_a_side_is_unseen() -> None:
    femur = np.linspace(-35, -9, 100)
    foot = femur / 2.0
    below, above = foot_gain(femur, foot)
    assert below == pytest.approx(2.0) and above == pytest.approx(2.0)
    assert foot_gain(np.zeros(50), np.ones(50)) == (0.0, 0.0)


def test_a_femur_reading_too_flat_for_the_reps_is_told_apart() -> None:
    rng = np.random.default_rng(5)
    turn = 35.0 * np.sin(np.linspace(0.0, 40.0, 1200))  # reps of +-35 deg
    flat_femur = 0.15 * turn + rng.normal(0, 0.5, turn.size)  # a knee that hardly shows it
    assert flat_femur_sign(flat_femur, -0.8 * turn) == -1.0  # the view mirrors the foot
    assert flat_femur_sign(flat_femur, 0.8 * turn) == 1.0
    # a foot that does not move with it is not trusted either
    assert flat_femur_sign(flat_femur, rng.normal(0, 15.0, turn.size)) == 0.0
    # a femur sweeping a rep's range is the femur
    assert flat_femur_sign(0.9 * turn, -0.8 * turn) == 0.0
    # nor is a small range read by a working knee: its foot reads less than
    # twice as far (ankle twist on top of it)
    small = 0.3 * turn  # +-10.5 deg: sweeps under 20
    assert flat_femur_sign(small, 1.4 * small) == 0.0
    # a flat femur's leg is read from the foot alone, at the foot's scale
    t = np.arange(turn.size) / 30.0
    ones = np.ones_like(t)
    leg = angles.LegAngles(flat_femur, -0.8 * turn, -0.8 * turn - flat_femur, ones, ones)
    series = AngleSeries(t, np.ones_like(t, dtype=bool), {Side.LEFT: leg, Side.RIGHT: leg})
    read = fit_foot_to_femur(series).legs[Side.LEFT]
    assert read.femur_deg == pytest.approx(0.8 * turn)
    assert read.foot_deg == pytest.approx(0.8 * turn) and np.all(read.twist_deg == 0.0)


def test_reps_count_from_the_foot_when_the_knee_reading_hardly_moves() -> None:
    # the fitted foot read nothing on this leg before it was read from the foot
    spec = FLAT_KNEE_SPEC
    session = generate(spec)
    size = (spec.width, spec.height)
    with pytest.warns(HiprotWarning, match="right knee hardly moves"):
        review = review_pose_frames(session.frames, "s", spec.mode, size_wh=size)
    raw = angle_series(session.frames, size)
    femur = relative_to_neutral(raw, review.calibration).legs[Side.RIGHT].femur_deg
    assert np.nanpercentile(femur, 95) - np.nanpercentile(femur, 5) < 20.0
    right = review.summary.legs[Side.RIGHT]
    assert right.reps == session.truth["legs"]["right"]["reps"]
    # read from the foot alone: no twist, so no rep is called "from the ankles"
    leg = review.series.legs[Side.RIGHT]
    assert np.array_equal(leg.femur_deg, leg.foot_deg, equal_nan=True)
    assert right.compensated_reps == 0
    # live reads it the same way once its foot fit has seen the reps
    live = LiveAngles(review.calibration, size_wh=size, worked=[Side.RIGHT])
    rows, flat_at = [], []
    for frame in session.frames:
        reading = live.update(frame)
        rows.append(reading.relative.legs[Side.RIGHT])
        flat_at.append(Side.RIGHT in reading.read_from_foot)
    assert rows[-1].femur_deg == rows[-1].foot_deg
    # judged once the first rep is over (out, in and back), not during it,
    # and for good from then on
    t = np.array([frame.t_s for frame in session.frames])
    true_femur = np.asarray(session.truth["frames"]["right"]["femur_deg"])
    went_out = int(np.argmax(true_femur < -10.0))
    went_in = went_out + int(np.argmax(true_femur[went_out:] > 10.0))
    back = went_in + int(np.argmax(np.abs(true_femur[went_in:]) < 5.0))
    assert not np.any(np.array(flat_at)[t < t[back]])
    assert np.all(np.array(flat_at)[t > t[back] + 2.0])


def test_hold_bands_widen_by_the_femur_readings_jitter() -> None:
    t = np.arange(900) / 30.0
    turn = 30.0 * np.sin(t / 2.0)  # drill-speed reps are not jitter
    noise = np.random.default_rng(0).normal(0.0, 2.0, t.size)
    ones = np.ones_like(t)
    clean = angles.LegAngles(turn, turn, 0 * turn, ones, ones)
    noisy = angles.LegAngles(turn + noise, turn, noise, ones, ones)
    bands = hold_bands(AngleSeries(t, ones.astype(bool), {Side.LEFT: clean, Side.RIGHT: noisy}))
    assert bands[Side.LEFT] == pytest.approx(3.0, abs=0.1)
    assert bands[Side.RIGHT] == pytest.approx(3.0 + HOLD_JITTER_RATIO * 2.0, abs=0.5)


def test_motionless_legs_are_those_where_neither_reading_sweeps_a_reps_range() -> None:
    t = np.arange(600) / 30.0
    turn = 30.0 * np.sin(t)
    ones = np.ones_like(t)
    still = angles.LegAngles(0.1 * turn, 0.2 * turn, 0.1 * turn, ones, ones)
    foot_only = angles.LegAngles(0.1 * turn, turn, 0.9 * turn, ones, ones)
    series = AngleSeries(t, ones.astype(bool), {Side.LEFT: still, Side.RIGHT: foot_only})
    assert motionless_legs(series, list(Side)) == {Side.LEFT}
    assert motionless_legs(series, [Side.RIGHT]) == frozenset()


def test_still_feet_are_the_foot_driven_legs_whose_foot_sweeps_less_than_a_rep() -> None:
    t = np.arange(600) / 30.0
    turn = 30.0 * np.sin(t)
    ones = np.ones_like(t)
    # a knee swinging a rep's range beside a foot that hardly turns
    foot_still = angles.LegAngles(turn, 0.2 * turn, -0.8 * turn, ones, ones)
    foot_turns = angles.LegAngles(turn, 0.9 * turn, -0.1 * turn, ones, ones)
    series = AngleSeries(t, ones.astype(bool), {Side.LEFT: foot_still, Side.RIGHT: foot_turns})
    assert still_feet(series, list(Side)) == {Side.LEFT}
    # a leg whose knee drives the count is not judged on its foot
    assert still_feet(series, [Side.RIGHT]) == frozenset()
    assert still_feet(series, []) == frozenset()
    # the knee sweeps, so the leg is not motionless: the two judgements differ
    assert motionless_legs(series, list(Side)) == frozenset()


def _review_messages(*args: object, **kwargs: object) -> list[str]:
    """``review_pose_frames``' warnings, all of them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        review_pose_frames(*args, **kwargs)  # type: ignore[arg-type]
    return [str(w.message) for w in caught]


def test_review_says_why_a_leg_counted_no_reps() -> None:
    # filmed side-on, the far leg's knee and foot hardly move in the picture
    spec = SessionSpec(
        seed=10060, scenario="clean", placement="side_left", noise="none", mode="right"
    )
    session = generate(spec)
    size = (spec.width, spec.height)
    said = _review_messages(session.frames, "s", spec.mode, size_wh=size)
    assert any("no reps counted for the right leg: neither its knee" in m for m in said)
    # a recording that stops as the leg turns back in from its first
    # outward turn: the leg moved, never a whole rep, and the message says so
    spec = SessionSpec(seed=3, noise="none", mode="left")
    session = generate(spec)
    size = (spec.width, spec.height)
    femur = np.asarray(session.truth["frames"]["left"]["femur_deg"])
    went_out = int(np.argmax(femur < -20.0))
    cut = went_out + int(np.argmax(femur[went_out:] > 0.0))
    said = _review_messages(session.frames[:cut], "s", spec.mode, size_wh=size, estimator="world")
    assert any("no reps counted for the left leg: it moved" in m for m in said)
    # reps counted: no such message
    said = _review_messages(session.frames, "s", spec.mode, size_wh=size, estimator="world")
    assert not any("no reps counted" in m for m in said)


def test_review_says_when_a_jittery_knees_foot_hardly_turned() -> None:
    # heavy's recording of a rendered partial set through a webcam: the near
    # (left) knee swings with the reps but jitters, the foot that counts
    # instead turns about 8° in the picture, and that leg counts nothing
    recording = WIDE / "heavy" / "w10_partial-webcam.landmarks.jsonl.gz"
    with open_pose_source(recording) as source:
        frames, info = list(source.frames), source.info
    said = _review_messages(
        frames, "s", "both", size_wh=(info.width, info.height), pose_model=info.landmark_model
    )
    uncounted = [m for m in said if "no reps counted" in m]
    assert len(uncounted) == 1
    assert "the left leg: its knee jitters too much" in uncounted[0]
    assert "turns less than a rep's range (20°)" in uncounted[0]


def test_near_side_reads_the_hips_and_knees_only() -> None:
    world = _world(-0.1, 0.1)
    world[:, L.LEFT_ANKLE, :] = [0.0, 0.0, 5.0, 1.0]  # ankles say nothing
    assert near_side(world) is Side.LEFT


def test_a_foot_no_ankle_could_turn_to_is_dropped() -> None:
    femur = np.array([27.0, 27.0, 0.0, -30.0, np.nan])
    foot = np.array([30.0, -78.0, 40.0, 35.0, 5.0])  # a flicker to -78 during a hold
    kept = plausible_foot(femur, foot)
    assert kept[0] == 30.0 and np.isnan(kept[1]) and kept[2] == 40.0
    assert np.isnan(kept[3])
    assert kept[4] == 5.0  # no femur to judge it by: kept


@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_readings_stop_short_of_the_top_of_the_knee_circle(direction: float) -> None:
    phase = 45.0
    lowest, highest = knee_reading_range(direction, phase)
    ratios = np.linspace(-3.0, 3.0, 601)  # every offset the knee could show, and more
    readings = femur_from_knee_ratio(ratios, direction, phase)
    assert readings.min() == pytest.approx(lowest) and readings.max() == pytest.approx(highest)
    # the cap sits on the side the offset grows towards: inward for +1
    cap = phase - angles.KNEE_APEX_MARGIN_DEG
    assert (highest if direction > 0 else -lowest) == pytest.approx(cap)


def _summary(left: tuple[float, float], right: tuple[float, float]) -> dict[Side, LegSummary]:
    """Six clean reps per leg with these (best in, best out) peaks."""
    return {
        side: LegSummary(6, 6, 6, 0, inward, outward)
        for side, (inward, outward) in ((Side.LEFT, left), (Side.RIGHT, right))
    }


def test_a_leg_at_the_view_s_limit_is_said_so_and_not_called_the_weaker_one() -> None:
    summary = _summary((30.0, -35.0), (42.0, -50.0))
    assert any("smaller on the left" in tip for tip in advice(summary))
    ranges = {Side.LEFT: (-145.0, 30.0), Side.RIGHT: (-50.0, 145.0)}
    tips = advice(summary, ranges)
    assert not any("smaller" in tip for tip in tips)
    assert any(tip.startswith("Left leg: turned in to +30° or further") for tip in tips)
    assert any(tip.startswith("Right leg: turned out to −50° or further") for tip in tips)
    # the limit is the reading's, also from the recommended view: never "move the camera"
    assert not any("camera further round" in tip or "move" in tip for tip in tips)
    # a leg short of its limit is still compared, and gets no limit tip
    tips = advice(_summary((20.0, -35.0), (38.0, -40.0)), ranges)
    assert any("smaller on the left" in tip for tip in tips)
    assert not any("capped" in tip for tip in tips)


def test_a_difference_within_the_measurement_error_is_no_asymmetry() -> None:
    gap = drill.MEASUREMENT_ERROR_DEG
    assert not any("smaller" in tip for tip in advice(_summary((30.0, -35.0), (29.0 + gap, -35.0))))
    assert any("smaller" in tip for tip in advice(_summary((30.0, -35.0), (30.0 + gap, -35.0))))


def test_a_one_leg_set_reviewed_as_both_legs_names_the_mode() -> None:
    summary = _summary((30.0, -35.0), (30.0, -35.0))
    summary[Side.RIGHT] = replace(summary[Side.RIGHT], reps=0)
    tips = advice(summary)
    assert any(
        "--mode left" in tip and tip.startswith("No reps were seen for the right") for tip in tips
    )
    summary[Side.LEFT] = replace(summary[Side.LEFT], reps=0)
    assert not any("--mode" in tip for tip in advice(summary))  # nothing counted: the view


@pytest.mark.parametrize("noise", ["none", "low"])
def test_live_reads_the_angles_review_reads(noise: str) -> None:
    """The live estimator (trailing anchors, online foot fit, frame by frame)
    and the review one (centred anchors, whole-session fit) agree once live
    has seen a few reps."""
    spec = SessionSpec(seed=11, scenario="ankle", placement="oblique45_left", noise=noise)
    session = generate(spec)
    with warnings.catch_warnings():  # a noisy session may have no still period: median neutral
        warnings.simplefilter("ignore", HiprotWarning)
        review = review_pose_frames(
            session.frames, "s", spec.mode, size_wh=(spec.width, spec.height)
        )
    live = LiveAngles(review.calibration, size_wh=(spec.width, spec.height))
    rows = [live.update(frame).relative for frame in session.frames]
    later = review.series.t_s > 20.0
    for side in Side:
        a = review.series.legs[side]
        for name, mine in (("femur", a.femur_deg), ("foot", a.foot_deg)):
            theirs = np.array([getattr(r.legs[side], f"{name}_deg") for r in rows])
            both = later & np.isfinite(mine) & np.isfinite(theirs)
            assert both.sum() > 100
            assert np.median(np.abs(theirs[both] - mine[both])) < 3.0, (side, name)


def test_femur_range_caps_the_side_each_leg_s_knee_circle_tops_out() -> None:
    t = np.arange(10.0)
    legs = {side: angles.LegAngles(*(np.zeros(10),) * 5) for side in Side}
    series = AngleSeries(t, np.ones(10, bool), legs, "image", near=Side.LEFT)
    # left reading grows inward from a positive neutral; right from a negative one
    calibration = Calibration(
        {Side.LEFT: LegNeutral(60.0, 0.0), Side.RIGHT: LegNeutral(-55.0, 0.0)}
    )
    ranges = femur_range(series, calibration)
    view = angles.OBLIQUE45
    near_cap = view.phase_deg - view.spread_deg - angles.KNEE_APEX_MARGIN_DEG
    far_cap = view.phase_deg + view.spread_deg - angles.KNEE_APEX_MARGIN_DEG
    assert ranges[Side.LEFT][1] == pytest.approx(near_cap) and ranges[Side.LEFT][0] < -90
    assert ranges[Side.RIGHT][0] == pytest.approx(-far_cap) and ranges[Side.RIGHT][1] > 90
    assert femur_range(replace(series, estimator="world"), calibration) == {
        Side.LEFT: None,
        Side.RIGHT: None,
    }


def test_an_idle_leg_does_not_set_the_worked_knee_s_scale() -> None:
    calibration = Calibration({Side.LEFT: LegNeutral(40.0, 0.0), Side.RIGHT: LegNeutral(0.0, 0.0)})
    assert knee_neutral(calibration)[Side.LEFT] == 40.0  # a 0 placeholder is no reading
    bent = Calibration({Side.LEFT: LegNeutral(40.0, 0.0), Side.RIGHT: LegNeutral(-200.0, 0.0)})
    assert knee_neutral(bent, worked=(Side.LEFT,))[Side.LEFT] == 40.0
    assert knee_neutral(bent)[Side.LEFT] > 100  # both worked: shared
    alike = Calibration({Side.LEFT: LegNeutral(40.0, 0.0), Side.RIGHT: LegNeutral(-50.0, 0.0)})
    assert knee_neutral(alike, worked=(Side.LEFT,)) == {Side.LEFT: 45.0, Side.RIGHT: -45.0}


def test_live_drops_a_foot_no_ankle_could_turn_to() -> None:
    """Half a second of heel and toe swapped (a MediaPipe flicker) late in a
    session: live reads those feet as missing, not as a 180° ankle twist."""
    spec = SessionSpec(seed=11, scenario="clean", placement="oblique45_left", noise="none")
    session = generate(spec)
    review = review_pose_frames(session.frames, "s", spec.mode, size_wh=(spec.width, spec.height))
    live = LiveAngles(review.calibration, size_wh=(spec.width, spec.height))
    leg = LEGS[Side.LEFT]
    flicker = range(len(session.frames) - 40, len(session.frames) - 25)
    feet = []
    for i, frame in enumerate(session.frames):
        if i in flicker:
            image = frame.image.copy()
            image[[leg.heel, leg.foot_index]] = image[[leg.foot_index, leg.heel]]
            frame = replace(frame, image=image)
        feet.append(live.update(frame).relative.legs[Side.LEFT].foot_deg)
    assert np.isnan([feet[i] for i in flicker]).sum() >= 5
    assert np.isfinite(feet[len(feet) // 2 : flicker.start]).all()


def _knees_settled_aside(frames: list, after_s: float, shift_px: float, size: tuple) -> list:
    """The frames with both knees moved ``shift_px`` further from their
    hip->ankle line after ``after_s``: MediaPipe's knee settling somewhere
    else after the first rep."""
    scale = np.asarray(size, dtype=float)
    moved = []
    for frame in frames:
        if frame.t_s > after_s and frame.image is not None:
            image = frame.image.copy()
            for side in Side:
                leg = LEGS[side]
                span = (image[leg.ankle, :2] - image[leg.hip, :2]) * scale
                across = np.array([-span[1], span[0]]) / np.linalg.norm(span)
                outwards = np.sign(across @ ((image[leg.knee, :2] - image[leg.hip, :2]) * scale))
                image[leg.knee, :2] += shift_px * outwards * across / scale
            frame = replace(frame, image=image)
        moved.append(frame)
    return moved


def test_review_and_live_retake_the_neutral_the_knee_settles_to() -> None:
    """After the first rep the far knee's reading sits further aside for the
    rest of the set: review re-takes its neutral from everything outside the
    reps, and live from the moments it is told the leg rests."""
    spec = SessionSpec(seed=11, scenario="clean", placement="oblique45_left", noise="none")
    session = generate(spec)
    first_end = min(r["end_s"] for r in session.truth["reps"])
    size = (spec.width, spec.height)
    frames = _knees_settled_aside(session.frames, first_end, 0.8, size)
    settled = review_pose_frames(frames, "s", spec.mode, size_wh=size)
    untouched = review_pose_frames(session.frames, "s", spec.mode, size_wh=size)
    far = Side.RIGHT  # the camera is on the person's left
    t = settled.series.t_s
    truth = np.interp(
        t, session.truth["frames"]["t"], session.truth["frames"][far.value]["femur_deg"]
    )
    resting = (t > first_end) & (np.abs(truth) < 0.5)
    reading = smooth_series(angle_series(frames, size)).legs[far].femur_deg
    settled_reading = float(np.median(reading[resting]))
    before = untouched.calibration.neutral[far].femur_deg
    assert abs(settled_reading - before) > 3.0  # the knee did settle aside
    # review's rests include the opening still period: it moves part of the way
    retaken = settled.calibration.neutral[far].femur_deg
    assert abs(retaken - before) > 1.0
    assert min(before, settled_reading) <= retaken <= max(before, settled_reading)

    live = LiveAngles(untouched.calibration, size_wh=size)
    for frame, rests in zip(frames, resting):
        live.update(frame)
        live.note_rest(frame.t_s, [far] if rests else [])
    assert live.calibration.neutral[far].femur_deg == pytest.approx(settled_reading, abs=1.5)


def test_a_retaken_neutral_never_turns_a_leg_round() -> None:
    """A rested reading across the hip->ankle line (or no knee at all) keeps
    the first neutral: the leg's direction comes from its sign."""
    t = np.arange(0.0, 10.0, 0.1)
    legs = {
        side: angles.LegAngles(np.full_like(t, -20.0), *(np.zeros_like(t),) * 4) for side in Side
    }
    series = AngleSeries(t, np.ones(len(t), bool), legs, "image")
    first = Calibration({Side.LEFT: LegNeutral(15.0, 0.0), Side.RIGHT: LegNeutral(-30.0, 0.0)})
    rested = neutral_from_rests(series, first, {})
    assert rested.neutral[Side.LEFT].femur_deg == 15.0
    assert rested.neutral[Side.RIGHT].femur_deg == -20.0


def test_live_retakes_the_neutral_from_the_legs_at_rest() -> None:
    """Live re-takes a resting leg's femur and foot neutral as the median of
    its readings there, five a second (as review does from the rests
    between reps); a leg mid-rep keeps its neutral."""
    spec = SessionSpec(seed=11, scenario="clean", placement="oblique45_left", noise="none")
    session = generate(spec)
    first = Calibration({side: LegNeutral(90.0, 7.0) for side in Side})  # far off on purpose
    live = LiveAngles(first, size_wh=(spec.width, spec.height))
    readings = []
    for frame in session.frames:  # the still start and the reps: a skewed mix
        absolute = live.update(frame).absolute
        readings.append((absolute.legs[Side.LEFT].femur_deg, absolute.legs[Side.LEFT].foot_deg))
        live.note_rest(frame.t_s, [Side.LEFT])
    femur, foot = np.asarray(readings[::6][-600:]).T  # noted 5 times a second, the last 120 s
    assert np.median(femur) != pytest.approx(np.mean(femur), abs=0.5)
    assert live.calibration.neutral[Side.LEFT].femur_deg == pytest.approx(
        float(np.median(femur)), abs=0.5
    )
    assert live.calibration.neutral[Side.LEFT].foot_deg == pytest.approx(
        float(np.median(foot)), abs=0.5
    )
    assert live.calibration.neutral[Side.RIGHT] == LegNeutral(90.0, 7.0)


def test_a_jittery_knee_hands_the_count_to_the_foot() -> None:
    """1.5 px of knee jitter reads about 9-13° of femur jitter here; with
    the foot driving, both legs still count and hold exactly, and review
    says why. Without the jitter the knee drives as before."""
    spec = SessionSpec(seed=11, scenario="clean", placement="oblique45_left", noise="none")
    session = generate(spec)
    size = (spec.width, spec.height)
    clean = review_pose_frames(session.frames, "s", spec.mode, size_wh=size)
    assert clean.foot_driven == frozenset()
    with pytest.warns(HiprotWarning, match="knee jitters in the picture") as caught:
        noisy = review_pose_frames(jitter_knees(session.frames, 1.5, size), "s", size_wh=size)
    assert noisy.foot_driven == {Side.LEFT, Side.RIGHT}
    assert len([w for w in caught if "jitter" in str(w.message)]) == 2  # one line per leg
    for side in Side:
        truth = session.truth["legs"][side.value]
        got = noisy.summary.to_dict()["legs"][side.value]
        assert (got["reps"], got["held_reps"]) == (truth["reps"], truth["held_reps"]), side


def test_the_report_says_which_knee_jittered() -> None:
    summary = _summary((30.0, -35.0), (30.0, -35.0))
    assert not any("jitters" in tip for tip in advice(summary))
    tips = [tip for tip in advice(summary, jittery={Side.RIGHT}) if "jitters" in tip]
    assert len(tips) == 1 and tips[0].startswith("The right knee jitters")


def test_knee_jitter_is_judged_against_the_foot_s() -> None:
    rng = np.random.default_rng(1)
    still, t = np.zeros(300), np.arange(300) / 30
    assert knee_too_jittery(t, still + rng.normal(0, 4, 300), still + rng.normal(0, 1, 300))
    # too little jitter to matter, however clean the foot
    assert not knee_too_jittery(t, still + rng.normal(0, 1.5, 300), still + rng.normal(0, 0.1, 300))
    # the foot about as jittery
    assert not knee_too_jittery(t, still + rng.normal(0, 4, 300), still + rng.normal(0, 3.5, 300))
    # no foot fit yet: the foot reads 0
    assert not knee_too_jittery(t, still + rng.normal(0, 4, 300), still)


def test_knee_jitter_at_rest_is_judged_on_the_rest_alone() -> None:
    # the knee jitters only in a burst (4 s of 10); at rest it is as steady as the foot
    rng = np.random.default_rng(2)
    t = np.arange(300) / 30
    burst = t < 4.0
    knee = rng.normal(0, 1, 300) + np.where(burst, rng.normal(0, 12, 300), 0.0)
    foot = rng.normal(0, 1, 300)
    assert knee_too_jittery(t, knee, foot)
    assert not knee_too_jittery(t, knee, foot, at_rest=~burst)
    # too few samples at rest for a jitter: judged on all, as without
    assert knee_too_jittery(t, knee, foot, at_rest=t > 9.5)


def test_live_hands_a_jittery_knee_to_the_foot() -> None:
    spec = SessionSpec(seed=11, scenario="clean", placement="oblique45_left", noise="none")
    session = generate(spec)
    size = (spec.width, spec.height)
    review = review_pose_frames(session.frames, "s", spec.mode, size_wh=size)
    for px, expected in ((0.0, frozenset()), (1.5, {Side.LEFT, Side.RIGHT})):
        live = LiveAngles(review.calibration, size_wh=size)
        for frame in jitter_knees(session.frames, px, size):
            reading = live.update(frame)
        assert reading.foot_driven == expected, px
