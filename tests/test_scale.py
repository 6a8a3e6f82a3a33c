"""hiprot.scale: a leg counted on its own scale when its readings agree but read short."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest

import hiprot.review as review_module
from hiprot import scale
from hiprot.angles import LegAngles
from hiprot.landmarks import Side
from hiprot.reps import Rep
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate


def _reps(amplitude: float, n: int = 600) -> np.ndarray:
    """A leg going out and in, ``amplitude`` degrees each way, 30 fps."""
    t = np.arange(n) / 30.0
    return amplitude * np.sin(2 * np.pi * t / 6.0)


def test_agreement_tells_a_turn_from_noise():
    rng = np.random.default_rng(0)
    turn = _reps(8.0)
    assert scale.agreement(turn, 1.1 * turn + rng.normal(0, 0.5, turn.size)) > 0.95
    noise = scale.agreement(rng.normal(0, 5, 600), rng.normal(0, 5, 600))
    assert abs(noise) < 0.2


def test_agreement_is_unknown_without_a_foot_or_frames():
    assert math.isnan(scale.agreement(_reps(8.0), np.zeros(600)))  # no foot fit yet
    assert math.isnan(scale.agreement(_reps(8.0, 20), _reps(8.0, 20)))
    assert math.isnan(scale.agreement(np.ones(600), _reps(8.0)))


def test_reach_is_the_further_side():
    drive = np.concatenate([np.full(100, -12.0), np.full(100, 6.0)])
    assert scale.reach(drive) == pytest.approx(12.0)
    assert math.isnan(scale.reach(np.full(10, 5.0)))


def test_a_coherent_short_leg_is_scaled_to_the_target():
    turn = _reps(15.0)
    s = scale.leg_scale(turn, turn, turn)
    assert s.scaled
    assert s.gain == pytest.approx(scale.TARGET_REACH_DEG / s.reach_deg)
    assert s.reach_deg == pytest.approx(15.0, abs=0.2)


def test_the_gain_is_capped():
    turn = _reps(2.0)
    assert scale.leg_scale(turn, turn, turn).gain == scale.MAX_GAIN


def test_a_full_reading_or_an_incoherent_leg_is_counted_as_read():
    turn = _reps(40.0)
    assert scale.leg_scale(turn, turn, turn).gain == 1.0
    rng = np.random.default_rng(1)
    femur, foot = rng.normal(0, 4, 600), rng.normal(0, 4, 600)
    noisy = scale.leg_scale(femur, foot, np.where(abs(foot) > abs(femur), foot, femur))
    assert noisy.gain == 1.0 and not noisy.scaled


def test_only_the_judged_frames_count():
    turn = _reps(10.0)
    out_of_position = np.concatenate([turn, np.full(600, 60.0)])
    judged = np.arange(1200) < 600
    assert scale.leg_scale(out_of_position, out_of_position, out_of_position, judged).scaled
    assert not scale.leg_scale(out_of_position, out_of_position, out_of_position).scaled


def test_scaled_leg_and_as_read_are_inverse_on_peaks():
    leg = LegAngles(
        femur_deg=_reps(10.0),
        foot_deg=_reps(11.0),
        twist_deg=_reps(1.0),
        confidence=np.ones(600),
        femur_confidence=np.ones(600),
    )
    s = scale.LegScale(gain=2.5, agreement=0.99, reach_deg=10.0)
    counted = scale.scaled_leg(leg, s)
    np.testing.assert_allclose(counted.femur_deg, 2.5 * leg.femur_deg)
    np.testing.assert_allclose(counted.twist_deg, counted.foot_deg - counted.femur_deg)
    assert scale.scaled_leg(leg, None) is leg
    rep = Rep(Side.LEFT, 1, 0.0, 6.0, 25.0, -25.0, 1.5, True, True, False)
    (back,) = scale.as_read([rep], {Side.LEFT: s})
    assert back.peak_internal_deg == pytest.approx(10.0)
    assert back.peak_external_deg == pytest.approx(-10.0)
    assert back.hold_s == rep.hold_s
    assert scale.as_read([rep], {}) == (rep,)


def test_synth_leg_gain_shrinks_the_landmarks_not_the_truth():
    spec = SessionSpec(seed=3, scenario="clean", noise="none", reps_per_set=2)
    plain, small = (
        generate(spec),
        generate(SessionSpec(**{**spec.__dict__, "leg_gain": (0.4, 1.0)})),
    )
    assert small.truth["frames"] == plain.truth["frames"]
    assert small.truth["legs"] == plain.truth["legs"]
    left_knee = [f.image[25, :2] for f in small.frames if f.image is not None]
    plain_knee = [f.image[25, :2] for f in plain.frames if f.image is not None]
    assert not np.allclose(left_knee, plain_knee)
    right_knee = [f.image[26, :2] for f in small.frames if f.image is not None]
    assert np.allclose(right_knee, [f.image[26, :2] for f in plain.frames if f.image is not None])


def test_synth_rejects_a_bad_gain_or_noise_scale():
    with pytest.raises(ValueError):
        SessionSpec(seed=1, leg_gain=(0.5,))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SessionSpec(seed=1, noise_scale=-1.0)


def test_review_counts_legs_that_read_short_and_says_their_degrees_are_short(monkeypatch):
    """Legs whose landmarks turn 0.4 as far (noise-free) count every rep on
    their own scale, review says their degrees read short, and as read
    they count none."""
    spec = SessionSpec(
        seed=20002,
        scenario="clean",
        placement="oblique45_left",
        noise="none",
        reps_per_set=5,
        leg_gain=(0.4, 0.4),
    )
    session = generate(spec)

    def counts() -> tuple[dict, str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            review = review_pose_frames(session.frames, spec.name, "both", size_wh=(640, 480))
        legs = review.summary.to_dict()["legs"]
        return {leg: v["reps"] for leg, v in legs.items()}, " ".join(str(w.message) for w in caught)

    scaled, said = counts()
    assert (
        scaled
        == {"left": 5, "right": 5}
        == {k: v["reps"] for k, v in session.truth["legs"].items()}
    )
    assert "leg's reading turned only" in said and "read short" in said
    monkeypatch.setattr(review_module, "_scales", lambda *args: {})
    as_read, said = counts()
    assert as_read == {"left": 0, "right": 0}
    assert "read short" not in said


def test_leg_length_is_the_median_over_frames():
    hip = np.array([[0.0, 0.0], [0.0, 0.0], [np.nan, np.nan], [0.0, 0.0]])
    ankle = np.array([[30.0, 40.0], [60.0, 80.0], [1.0, 1.0], [30.0, 40.0]])
    assert scale.leg_length_px(hip, ankle) == pytest.approx(50.0)
    assert math.isnan(scale.leg_length_px(np.full((2, 2), np.nan), np.zeros((2, 2))))


def test_camera_advice_says_move_closer_below_the_measured_length():
    assert scale.camera_advice(scale.MIN_LEG_PX + 1) is None
    assert scale.camera_advice(math.nan) is None
    advice = scale.camera_advice(scale.MIN_LEG_PX / 2)
    assert advice is not None
    assert "closer" in advice and f"{scale.MIN_LEG_PX / 2:.0f} px" in advice


def test_read_short_names_legs_with_reps_that_never_read_a_reps_reach():
    scales = {
        Side.LEFT: scale.LegScale(3.0, 0.95, 8.0),
        Side.RIGHT: scale.LegScale(1.4, 0.95, 22.0),
    }
    left = Rep(Side.LEFT, 1, 0.0, 6.0, 8.0, -7.0, 1.5, True, True, False)
    right = replace(left, leg=Side.RIGHT)
    assert scale.read_short([left, right], scales) == {Side.LEFT}
    assert scale.read_short([right], scales) == frozenset()
    assert scale.read_short([left], {}) == frozenset()
