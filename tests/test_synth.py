"""The synthetic drill generator: its truth must be exactly what hiprot measures."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from hiprot import drill
from hiprot.landmarks import Side
from hiprot.reading.geometry import leg_angles
from hiprot.recording import read_recording
from hiprot.synth import NOISE_LEVELS, SCENARIOS, SessionSpec, generate, write_session
from hiprot.synth.body import BodyShape, LegSetup, Posture, body_points
from hiprot.synth.camera import PLACEMENTS, WORKING_PLACEMENTS
from hiprot.synth.suite import head_end_specs, reporting_specs, tuning_specs

TOLERANCE_DEG = 0.1


def _stack(arrays: list[np.ndarray | None]) -> np.ndarray:
    return np.stack([np.full((33, 4), np.nan) if a is None else a for a in arrays])


def _assert_recovers(world: np.ndarray, truth: dict, side: Side) -> None:
    angles = leg_angles(world, side)
    offset = truth["neutral_offset_deg"][side.value]
    leg = truth["frames"][side.value]
    np.testing.assert_allclose(angles.femur_deg - offset, leg["femur_deg"], atol=TOLERANCE_DEG)
    np.testing.assert_allclose(angles.foot_deg - offset, leg["foot_deg"], atol=TOLERANCE_DEG)


# ---------------------------------------------------------------- geometry


@pytest.mark.parametrize("knee_flexion_deg", [5.0, 12.0, 25.0])
@pytest.mark.parametrize("stance_width_m", [0.10, 0.35, 0.90])
def test_body_frame_angles_are_recovered(knee_flexion_deg: float, stance_width_m: float) -> None:
    # 3D body frame, no camera: the estimator gives back theta and theta + phi.
    rng = np.random.default_rng(0)
    shape = BodyShape.sample(rng)
    setups = {
        Side.LEFT: LegSetup(knee_flexion_deg, 80.0, -7.0),
        Side.RIGHT: LegSetup(knee_flexion_deg, 84.0, -3.0),
    }
    posture = Posture(stance_width_m, 45.0, setups)
    femur = {s: rng.uniform(-55.0, 45.0, 50) for s in Side}
    twist = {s: rng.uniform(-35.0, 35.0, 50) for s in Side}
    points = body_points(shape, posture, femur, twist)
    landmarks = np.concatenate([points, np.ones((*points.shape[:2], 1))], axis=-1)
    for side in Side:
        angles = leg_angles(landmarks, side)
        offset = setups[side].turnout_deg
        np.testing.assert_allclose(angles.femur_deg - offset, femur[side], atol=TOLERANCE_DEG)
        np.testing.assert_allclose(
            angles.foot_deg - offset,
            femur[side] + twist[side],
            atol=TOLERANCE_DEG,
        )


@pytest.mark.parametrize("placement", sorted(PLACEMENTS))
def test_world_landmarks_recover_truth_from_every_placement(placement: str) -> None:
    spec = SessionSpec(
        seed=len(placement),
        scenario="mixed",
        placement=placement,
        noise="none",
        reps_per_set=2,
        knee_flexion_deg=6.0,
    )
    session = generate(spec)
    world = _stack([f.world for f in session.frames])
    for side in Side:
        _assert_recovers(world, session.truth, side)


@pytest.mark.parametrize(
    "mode, other_leg",
    [("left", "off_wall"), ("right", "wall"), ("both", "wall")],
)
def test_one_leg_sessions_recover_the_active_leg(mode: str, other_leg: str) -> None:
    spec = SessionSpec(
        seed=5,
        scenario="ankle",
        noise="none",
        mode=mode,
        other_leg=other_leg,
        reps_per_set=3,
    )
    session = generate(spec)
    world = _stack([f.world for f in session.frames])
    for side in spec.active_legs:
        _assert_recovers(world, session.truth, side)
    assert set(session.truth["legs"]) == {s.value for s in spec.active_legs}
    assert {r["leg"] for r in session.truth["reps"]} == {s.value for s in spec.active_legs}


def test_recording_round_trip_keeps_the_angles(tmp_path) -> None:
    session = generate(
        SessionSpec(seed=11, scenario="tempo", noise="none", reps_per_set=2, stance_width_m=0.6),
    )
    recording, truth_path = write_session(session, tmp_path)
    assert recording.name == f"{session.spec.name}.landmarks.jsonl.gz"
    info, frames = read_recording(recording)
    assert info == session.info
    assert [f.index for f in frames] == [f.index for f in session.frames]
    truth = json.loads(truth_path.read_text())
    assert truth == json.loads(json.dumps(session.truth))
    world = _stack([f.world for f in frames])
    for side in Side:
        _assert_recovers(world, truth, side)


def test_round_trip_keeps_dropouts(tmp_path) -> None:
    session = generate(SessionSpec(seed=2, scenario="clean", noise="high", reps_per_set=3))
    assert any(not f.has_pose for f in session.frames)
    recording, _ = write_session(session, tmp_path / "x.landmarks.jsonl.gz")
    assert (tmp_path / "x.truth.json").is_file()
    _, frames = read_recording(recording)
    assert [f.has_pose for f in frames] == [f.has_pose for f in session.frames]
    for ours, theirs in zip(session.frames, frames):
        if ours.has_pose:
            np.testing.assert_allclose(theirs.image, ours.image, atol=1e-5)


# ---------------------------------------------------------------- truth


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("mode", ["both", "left"])
def test_truth_counts_match_the_script(scenario: str, mode: str) -> None:
    reps_per_set = 4
    spec = SessionSpec(
        seed=3,
        scenario=scenario,
        noise="none",
        mode=mode,
        reps_per_set=reps_per_set,
    )
    truth = generate(spec).truth
    expected = SCENARIOS[scenario].sets * reps_per_set
    for leg in spec.active_legs:
        assert truth["legs"][leg.value]["reps"] == expected
        rows = [r for r in truth["reps"] if r["leg"] == leg.value]
        assert [r["index"] for r in rows] == list(range(1, expected + 1))
    assert len(truth["reps"]) == expected * len(spec.active_legs)


@pytest.mark.parametrize("seed", range(6))
def test_every_rep_keeps_clear_margins(seed: int) -> None:
    session = generate(SessionSpec(seed=seed, scenario="mixed", noise="none", reps_per_set=8))
    for rep in session.script.reps():
        assert not 0.6 < rep.hold_s < 1.3, rep
        assert not 0.6 < rep.inward_s < 1.5, rep
        if rep.compensation:
            assert rep.twist_sweep_deg >= 30.0 and rep.femur_sweep_deg <= 10.0
        else:
            assert rep.twist_sweep_deg <= 5.0
            assert rep.peak_external_deg <= -drill.REP_MIN_EXCURSION_DEG - 5.0
            assert rep.peak_internal_deg >= drill.REP_MIN_EXCURSION_DEG + 5.0
        assert rep.held == (rep.hold_s >= drill.HOLD_MIN_S)
        assert rep.controlled == (rep.inward_s >= drill.CONTROLLED_MIN_INWARD_S)


def test_scenarios_produce_what_they_promise() -> None:
    def reps(scenario: str) -> list[dict]:
        return generate(
            SessionSpec(seed=1, scenario=scenario, noise="none", reps_per_set=12)
        ).truth["reps"]

    assert all(r["held"] and r["controlled"] and not r["compensation"] for r in reps("clean"))
    assert sum(not r["controlled"] for r in reps("fast")) >= 12
    assert sum(not r["held"] for r in reps("no_hold")) >= 8
    ankle = [r for r in reps("ankle") if r["compensation"]]
    assert ankle and all(
        abs(r["peak_internal_deg"]) < 10 and abs(r["peak_external_deg"]) < 10 for r in ankle
    )


def test_session_starts_with_neutral_stillness() -> None:
    truth = generate(SessionSpec(seed=4, scenario="partials", noise="none", reps_per_set=3)).truth
    t = np.asarray(truth["frames"]["t"])
    still = t < 3.0
    for side in Side:
        for key in ("femur_deg", "foot_deg"):
            assert np.abs(np.asarray(truth["frames"][side.value][key])[still]).max() <= 0.5
    assert truth["neutral_until_s"] >= 3.0
    assert truth["reps"][0]["start_s"] > truth["neutral_until_s"]


def test_partials_and_fidgets_stay_inside_the_neutral_band() -> None:
    session = generate(SessionSpec(seed=8, scenario="partials", noise="none", reps_per_set=6))
    t = np.asarray(session.truth["frames"]["t"])
    outside_reps = np.ones_like(t, dtype=bool)
    for rep in session.script.reps():
        outside_reps &= ~((t >= rep.start_s - 0.05) & (t <= rep.end_s + 0.05))
    for side in Side:
        foot = np.asarray(session.truth["frames"][side.value]["foot_deg"])
        femur = np.asarray(session.truth["frames"][side.value]["femur_deg"])
        assert np.abs(femur[outside_reps]).max() < drill.NEUTRAL_BAND_DEG
        assert np.abs(foot[outside_reps]).max() < drill.NEUTRAL_BAND_DEG


def test_truth_format() -> None:
    truth = generate(SessionSpec(seed=9, scenario="asymmetric", reps_per_set=2)).truth
    assert truth["format"] == "hiprot-synth-truth" and truth["version"] == 1
    assert truth["spec"]["seed"] == 9
    assert set(truth["neutral_offset_deg"]) == {"left", "right"}
    n = len(truth["frames"]["t"])
    for side in ("left", "right"):
        assert {k: len(v) for k, v in truth["frames"][side].items()} == dict.fromkeys(
            ("femur_deg", "twist_deg", "foot_deg"), n
        )
        assert set(truth["legs"][side]) == {
            "reps",
            "held_reps",
            "controlled_reps",
            "compensated_reps",
            "peak_internal_deg",
            "peak_external_deg",
        }
    assert set(truth["reps"][0]) == {
        "leg",
        "index",
        "start_s",
        "end_s",
        "peak_internal_deg",
        "peak_external_deg",
        "hold_s",
        "held",
        "controlled",
        "compensation",
    }
    json.dumps(truth)


# ---------------------------------------------------------------- streams and noise


def test_same_seed_same_session_other_seed_other_session() -> None:
    spec = SessionSpec(seed=21, scenario="mixed", noise="realistic", reps_per_set=3)
    a, b, c = (
        generate(spec),
        generate(spec),
        generate(SessionSpec(seed=22, scenario="mixed", reps_per_set=3)),
    )
    assert a.truth == b.truth
    assert len(a.frames) == len(b.frames)
    for fa, fb in zip(a.frames, b.frames):
        assert fa.t_s == fb.t_s
        if fa.has_pose:
            np.testing.assert_array_equal(fa.image, fb.image)
            np.testing.assert_array_equal(fa.world, fb.world)
    assert a.truth["frames"] != c.truth["frames"]


@pytest.mark.parametrize("noise", sorted(NOISE_LEVELS))
def test_frame_times_increase_strictly(noise: str) -> None:
    session = generate(SessionSpec(seed=6, scenario="fast", noise=noise, reps_per_set=3))
    t = np.array([f.t_s for f in session.frames])
    index = np.array([f.index for f in session.frames])
    assert t[0] == 0.0 and np.all(np.diff(t) > 0.0) and np.all(np.diff(index) > 0)
    np.testing.assert_allclose(t, session.truth["frames"]["t"], atol=1e-4)


def test_noise_levels_are_ordered() -> None:
    errors = {}
    base = SessionSpec(seed=13, scenario="tempo", noise="none", reps_per_set=3)
    exact = generate(base)
    exact_by_index = {f.index: f for f in exact.frames}
    for level in ("none", "low", "realistic", "high"):
        noisy = generate(SessionSpec(**{**base.__dict__, "noise": level}))
        pixel, metre = [], []
        for f in noisy.frames:
            ref = exact_by_index.get(f.index)
            if f.has_pose and ref is not None and abs(ref.t_s - f.t_s) < 1e-12:
                pixel.append(np.abs(f.image[:, :2] - ref.image[:, :2]) * [640, 480])
                metre.append(np.abs(f.world[:, :3] - ref.world[:, :3]))
        errors[level] = (float(np.median(pixel)), float(np.median(metre)))
    assert errors["none"] == (0.0, 0.0)
    for low, high in [("none", "low"), ("low", "realistic"), ("realistic", "high")]:
        assert errors[low][0] < errors[high][0] and errors[low][1] < errors[high][1], errors
    assert 0.3 < errors["realistic"][0] < 3.0  # a pixel or so, like MediaPipe on a still person


def test_spec_is_validated() -> None:
    with pytest.raises(ValueError, match="placement"):
        SessionSpec(seed=0, placement="ceiling")
    with pytest.raises(ValueError, match="mode"):
        SessionSpec(seed=0, mode="both_legs")


def test_duration_cuts_unfinished_reps() -> None:
    full = generate(SessionSpec(seed=3, scenario="clean", noise="none", reps_per_set=4))
    cut_at = full.truth["reps"][-1]["end_s"] - 0.5
    cut = generate(
        SessionSpec(seed=3, scenario="clean", noise="none", reps_per_set=4, duration_s=cut_at),
    )
    assert cut.frames[-1].t_s <= cut_at
    assert all(r["end_s"] <= cut_at for r in cut.truth["reps"])
    assert len(cut.truth["reps"]) < len(full.truth["reps"])


def test_sets_override_the_scenario_s_sets_with_a_rest_between() -> None:
    one = generate(SessionSpec(seed=3, scenario="clean", noise="none", reps_per_set=3))
    two = generate(SessionSpec(seed=3, scenario="clean", noise="none", reps_per_set=3, sets=2))
    assert two.spec.name.endswith("-2sets-s3") and two.spec.name != one.spec.name
    assert len(two.truth["reps"]) == 2 * len(one.truth["reps"]) == 12
    left = [r for r in two.truth["reps"] if r["leg"] == "left"]
    gaps = [b["start_s"] - a["end_s"] for a, b in itertools.pairwise(left)]
    assert gaps[2] >= 4.0 > max(gaps[:2] + gaps[3:])  # the rest, after the third rep
    with pytest.raises(ValueError, match="sets"):
        SessionSpec(seed=0, sets=0)


# ---------------------------------------------------------------- suite


def test_suite_is_large_disjoint_and_spans_everything() -> None:
    tuning, reporting, head_end = tuning_specs(), reporting_specs(), head_end_specs()
    assert len(tuning) + len(reporting) >= 100
    assert not {s.seed for s in tuning} & {s.seed for s in reporting}
    for group in (tuning, reporting):
        assert {s.scenario for s in group} == set(SCENARIOS)
        assert {s.placement for s in group} == set(WORKING_PLACEMENTS)
        assert {s.noise for s in group} == set(NOISE_LEVELS)
        assert {s.mode for s in group} == {"both", "left", "right"}
    assert {s.placement for s in head_end} == {"head_end"}
    assert "head_end" not in WORKING_PLACEMENTS
