"""Each leg's range: the calibration format, the guided move, the scaled
degrees in review, and ``hiprot calibrate --range``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hiprot import findings
from hiprot.calibration import (
    Calibration,
    CalibrationError,
    LegNeutral,
    LegRange,
    MeasuredRange,
    load_calibration,
    load_measured_range,
    paired_ranges,
    save_calibration,
)
from hiprot.landmarks import Side
from hiprot.reading.guided import calibration_ranges, held_reading, leg_guided_move
from hiprot.reading.neutral import first_still_neutral
from hiprot.report import degree_notes
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate, write_session
from hiprot.synth.script import Track

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from guided_range import review_session  # benchmarks/ is not a package

NEUTRAL = {side: LegNeutral(-4.0, 2.0) for side in Side}


# ---------------------------------------------------------------- the file format


def test_a_calibration_keeps_its_ranges_and_reads_version_1(tmp_path: Path) -> None:
    ranges = {
        Side.LEFT: LegRange(-20.0, 25.0, 35.0),
        Side.RIGHT: LegRange(-8.0, 30.0, in_capped=True),
    }
    path = save_calibration(Calibration(NEUTRAL, ranges=ranges), tmp_path / "c.json")
    data = json.loads(path.read_text())
    assert data["version"] == 2
    assert data["range"]["left"] == {"guided_out": -20.0, "guided_in": 25.0, "measured_in": 35.0}
    assert load_calibration(path).ranges == ranges

    del data["range"]
    data["version"] = 1  # files written before ranges existed
    path.write_text(json.dumps(data))
    old = load_calibration(path)
    assert old.ranges == {} and old.neutral == NEUTRAL
    assert old.leg_range(Side.LEFT) == LegRange()


@pytest.mark.parametrize(
    "leg",
    [
        {"guided_out": 5.0, "guided_in": 20.0},  # out is outward: negative
        {"guided_in": 20.0},  # half a move
        {"measured_in": 400.0},  # a typo, not a hip
        {"measured_in": "35"},
        {"guided_out": -5.0, "guided_in": 20.0, "guided_in_capped": "yes"},
    ],
)
def test_a_damaged_range_is_refused_with_a_hint(tmp_path: Path, leg: dict) -> None:
    data = Calibration(NEUTRAL).to_dict() | {"range": {"left": leg}}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CalibrationError, match=r"invalid 'range'.*hiprot calibrate"):
        load_calibration(path)


def test_the_scale_is_known_only_with_a_move_that_turned_and_a_hand_measurement() -> None:
    assert LegRange(-10.0, 20.0, 30.0).in_scale == pytest.approx(1.5)
    assert LegRange(-10.0, 20.0, 30.0).internal_deg(10.0) == pytest.approx(15.0)
    assert LegRange(-10.0, 20.0, 30.0).internal_deg(-6.0) == -6.0  # external: not known
    assert LegRange(-10.0, 20.0).in_scale is None  # no hand measurement
    assert LegRange(measured_in_deg=30.0).in_scale is None  # no guided move
    assert LegRange(-10.0, 20.0, 30.0, in_capped=True).in_scale is None
    assert LegRange(-10.0, 2.0, 30.0).in_scale is None  # hardly turned in the picture
    assert LegRange(-10.0, 20.0, 30.0).internal_deg(None) is None


def test_a_reading_told_past_half_again_the_hand_measurement_is_past_range() -> None:
    leg = LegRange(-10.0, 20.0, 30.0)  # x1.5: the range allows up to 45 degrees told
    assert not leg.is_past_range(29.0)  # 43.5
    assert leg.is_past_range(31.0)  # 46.5
    assert not leg.is_past_range(-40.0)  # the external side is not scaled
    assert not LegRange(-10.0, 20.0).is_past_range(80.0)  # no scale: nothing to judge
    assert LegRange(-10.0, 20.0, 30.0, past_range=True).in_scale is None


def test_one_rule_pairs_a_move_with_the_hand_measurement() -> None:
    """``paired_ranges``, review's and live's: the person's measurement
    first, else the range's own; legs with neither left out."""
    ranges = {Side.LEFT: LegRange(-10.0, 20.0, 30.0), Side.RIGHT: LegRange(-8.0, 16.0)}
    person = MeasuredRange({Side.RIGHT: 40.0})
    paired = paired_ranges(ranges, person, Side)
    assert paired[Side.LEFT].in_scale == pytest.approx(1.5)  # its own measurement
    assert paired[Side.RIGHT].in_scale == pytest.approx(2.5)  # the person's
    assert paired_ranges(ranges, None, Side)[Side.RIGHT].in_scale is None
    assert paired_ranges({}, person, Side) == {Side.RIGHT: LegRange(measured_in_deg=40.0)}
    assert paired_ranges(ranges, person, (Side.LEFT,)).keys() == {Side.LEFT}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("35,40", {Side.LEFT: 35.0, Side.RIGHT: 40.0}),
        (",40", {Side.RIGHT: 40.0}),
        ("35°,", {Side.LEFT: 35.0}),
    ],
)
def test_a_measured_range_parses(text: str, want: dict) -> None:
    assert MeasuredRange.parse(text).internal_deg == want


@pytest.mark.parametrize("text", ["35", "35,40,45", ",", "a,b", "0,40", "35,95", "nan,30"])
def test_a_bad_measured_range_says_how_to_write_it(text: str) -> None:
    with pytest.raises(ValueError, match="--range takes LEFT,RIGHT"):
        MeasuredRange.parse(text)


@pytest.mark.parametrize(
    "content",
    [b'{"format": "hiprot-meas', b"garbage", b"\xff\xfe", b'{"format": "other"}'],
    ids=["cut off", "not json", "not text", "another format"],
)
def test_an_unusable_measured_range_says_how_to_mend_it(tmp_path: Path, content: bytes) -> None:
    # it stops every review and live of the person: the error must say what to run
    from hiprot.calibration import CalibrationError, load_measured_range

    path = tmp_path / "measured_range.json"
    path.write_bytes(content)
    with pytest.raises(CalibrationError) as raised:
        load_measured_range(path)
    assert str(raised.value).endswith(
        "; store it again with `hiprot calibrate --range LEFT,RIGHT` (both legs)"
    )
    assert path.read_bytes() == content


def test_a_calibration_takes_the_persons_measured_range() -> None:
    guided = Calibration(NEUTRAL, ranges={Side.LEFT: LegRange(-10.0, 20.0)})
    both = guided.with_measured(MeasuredRange({Side.LEFT: 30.0, Side.RIGHT: 36.0}))
    assert both.ranges[Side.LEFT] == LegRange(-10.0, 20.0, 30.0)
    assert both.ranges[Side.RIGHT] == LegRange(measured_in_deg=36.0)
    assert guided.with_measured(None).ranges == {Side.LEFT: LegRange(-10.0, 20.0)}


def test_a_stored_measured_range_outlives_a_measurement_of_the_other_leg() -> None:
    # the file has the left leg measured by hand; the person measures only the right
    stored = Calibration(NEUTRAL, ranges={Side.LEFT: LegRange(-10.0, 20.0, 30.0)})
    both = stored.with_measured(MeasuredRange({Side.RIGHT: 36.0}))
    assert both.ranges == {
        Side.LEFT: LegRange(-10.0, 20.0, 30.0),
        Side.RIGHT: LegRange(measured_in_deg=36.0),
    }
    assert stored.with_measured(None).ranges == stored.ranges


MOVE = LegRange(-12.0, 24.0)


@pytest.mark.parametrize(
    ("stored", "measured", "moved", "want"),
    [
        # a recording's move replaces the file's readings, not its measurement
        (
            {Side.LEFT: LegRange(-10.0, 20.0, 30.0)},
            None,
            {Side.LEFT: MOVE},
            LegRange(-12.0, 24.0, 30.0),
        ),
        # the person's measurement replaces the file's
        (
            {Side.LEFT: LegRange(-10.0, 20.0, 30.0)},
            {Side.LEFT: 40.0},
            {},
            LegRange(-10.0, 20.0, 40.0),
        ),
        # a measurement alone, no move anywhere: kept for a move to come
        ({}, {Side.LEFT: 40.0}, {}, LegRange(measured_in_deg=40.0)),
        # the other leg's measurement leaves this one's alone
        (
            {Side.LEFT: LegRange(measured_in_deg=30.0)},
            {Side.RIGHT: 40.0},
            {Side.LEFT: MOVE},
            LegRange(-12.0, 24.0, 30.0),
        ),
        # nothing at all: the leg is left out
        ({}, {Side.RIGHT: 40.0}, {}, None),
    ],
)
def test_one_rule_pairs_each_legs_range_and_measurement(
    stored: dict, measured: dict | None, moved: dict, want: LegRange | None
) -> None:
    hand = None if measured is None else MeasuredRange(measured)
    ranges = paired_ranges(stored, hand, (Side.LEFT,), moved)
    assert ranges.get(Side.LEFT) == want
    assert set(ranges) <= {Side.LEFT}  # only the legs asked for


# ---------------------------------------------------------------- the guided move


def _trajectory(keys: list[tuple[float, float]], noise_deg: float = 0.0, seed: int = 0):
    t = np.arange(0.0, keys[-1][0], 1 / 30)
    track = Track(
        np.array([k[0] for k in keys]), np.array([k[1] for k in keys]), np.zeros(len(keys))
    )
    femur, _ = track.at(t)
    return t, femur + np.random.default_rng(seed).normal(0.0, noise_deg, t.size)


def test_the_move_is_found_with_the_readings_it_held() -> None:
    # still to 4 s, out to -18 held 3 s, in to +24 held 3 s, back
    keys = [(0, 0), (4, 0), (5.2, -18), (8.2, -18), (10, 24), (13, 24), (14, 0), (20, 0)]
    move = leg_guided_move(*_trajectory(keys, noise_deg=1.0), after_s=4.0)
    assert move is not None
    assert move.out_reading_deg == pytest.approx(-18.0, abs=1.0)
    assert move.in_reading_deg == pytest.approx(24.0, abs=1.0)
    assert 4.0 <= move.start_s <= 4.8 and 13.4 <= move.end_s <= 14.0


def test_a_held_reading_is_the_holds_median_not_a_frames_spike() -> None:
    t = np.arange(0.0, 4.0, 1 / 30)
    femur = np.where((t > 1.0) & (t < 3.0), 20.0, 0.0)
    femur[60] = 45.0  # one frame of landmark flicker inside the hold
    femur[61] = np.nan  # and one unseen
    assert held_reading(t, femur, (1.1, 2.9)) == pytest.approx(20.0)
    assert held_reading(t, femur, None) is None
    assert held_reading(t, np.full_like(t, np.nan), (1.1, 2.9)) is None


def test_a_move_read_again_on_another_neutral_moves_with_it() -> None:
    keys = [(0, 0), (4, 0), (5.2, -18), (8.2, -18), (10, 24), (13, 24), (14, 0), (20, 0)]
    t, femur = _trajectory(keys, noise_deg=1.0)
    move = leg_guided_move(t, femur, after_s=4.0)
    assert move is not None
    again = move.read(t, femur - 3.0)  # the neutral re-taken 3 deg further in
    assert again is not None and (again.start_s, again.in_hold_s) == (move.start_s, move.in_hold_s)
    assert again.in_reading_deg == pytest.approx(move.in_reading_deg - 3.0, abs=0.3)
    assert again.out_reading_deg == pytest.approx(move.out_reading_deg - 3.0, abs=0.3)


@pytest.mark.parametrize(
    "keys",
    [
        # a rep: out, straight back in, held in (the outward end is not held)
        [(0, 0), (4, 0), (5.5, -25), (6.0, -25), (8.5, 25), (10.5, 25), (11.5, 0), (16, 0)],
        # held out, but never turned in after it
        [(0, 0), (4, 0), (5.2, -18), (8.2, -18), (9.5, 0), (20, 0)],
        # the move long after the still start: not a calibration move
        [(0, 0), (16, 0), (17.2, -18), (20.2, -18), (22, 24), (25, 24), (26, 0), (30, 0)],
    ],
)
def test_what_is_not_the_move_is_not_found(keys: list) -> None:
    assert leg_guided_move(*_trajectory(keys), after_s=4.0) is None


def test_review_leaves_the_move_out_of_the_count_and_scales_the_peak() -> None:
    session = generate(SessionSpec(seed=3, scenario="clean", noise="none", guided_move=True))
    truth = session.truth
    measured = MeasuredRange({Side(k): v["internal"] for k, v in truth["range_deg"].items()})
    scaled = review_session(session, measured)
    assert scaled.guided_s is not None
    assert scaled.guided_s[0] == pytest.approx(truth["guided_move_s"][0], abs=1.0)
    for side, leg in scaled.summary.legs.items():
        assert leg.reps == truth["legs"][side.value]["reps"]  # the move is no rep
    # the right leg's move gives a scale; its peak comes within 1° of the truth
    right = scaled.ranges[Side.RIGHT]
    true_right = truth["legs"]["right"]["peak_internal_deg"]
    assert Side.RIGHT in scaled.scaled_legs and right.in_scale != pytest.approx(1.0, abs=0.2)
    assert scaled.summary.legs[Side.RIGHT].peak_internal_deg == pytest.approx(true_right, abs=1.0)
    image_peak = scaled.summary.legs[Side.RIGHT].peak_internal_deg / right.in_scale
    assert abs(image_peak - true_right) > 3
    # the left leg reached the view's limit: no scale, and the note says why
    assert scaled.ranges[Side.LEFT].in_capped and Side.LEFT not in scaled.scaled_legs
    notes = degree_notes(scaled.summary.legs, scaled.ranges)
    assert notes[0].startswith("Left leg: its degrees are MediaPipe's image degrees")
    assert findings.why_image_degrees("capped") in notes[0]
    assert notes[1].startswith("Right leg: internal rotation is in degrees, scaled to the")


def test_without_a_measured_range_review_does_not_look_for_the_move() -> None:
    # a set whose first rep pauses at the outward end must not lose it to a
    # false find, so the move is looked for only when it can be used; done
    # without a measured range, it counts as a rep
    session = generate(SessionSpec(seed=3, scenario="clean", noise="none", guided_move=True))
    review = review_session(session)
    assert review.guided_s is None and review.ranges == {}
    for side, leg in review.summary.legs.items():
        assert leg.reps == session.truth["legs"][side.value]["reps"] + 1
    notes = degree_notes(review.summary.legs, review.ranges)
    assert len(notes) == 1 and findings.why_image_degrees("nothing") in notes[0]


def test_a_session_without_the_move_keeps_image_degrees_and_says_why() -> None:
    session = generate(SessionSpec(seed=3, scenario="clean", noise="none"))
    review = review_session(session, MeasuredRange({Side.LEFT: 30.0, Side.RIGHT: 30.0}))
    assert review.guided_s is None and review.scaled_legs == frozenset()
    left, right = degree_notes(review.summary.legs, review.ranges)
    assert findings.why_image_degrees("capped") in left  # its best rep reads the view's limit
    assert findings.why_image_degrees("no_guided_move") in right


def test_a_calibration_file_move_scales_a_set_without_one() -> None:
    # the move in the calibration recording, the set filmed after it with the same set-up
    calib = generate(SessionSpec(seed=3, scenario="clean", noise="none", guided_move=True))
    size = (640, 480)
    found, span, _ = first_still_neutral(iter(calib.frames), size)
    assert found is not None and span is not None
    ranges = calibration_ranges(calib.frames, size, found, span[1])
    assert set(ranges) == set(Side) and ranges[Side.LEFT].in_capped
    assert ranges[Side.RIGHT].in_reading_deg > 5
    calibration = Calibration(found.neutral, ranges=ranges)
    measured = MeasuredRange({Side.RIGHT: 40.0})
    review = review_pose_frames(
        calib.frames, "set", "both", calibration, size_wh=size, measured=measured
    )
    assert review.ranges[Side.RIGHT].measured_in_deg == 40.0


# ---------------------------------------------------------------- hiprot calibrate --range


def hiprot(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HIPROT_HOME": str(home), "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "hiprot", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_reps_read_far_past_the_stored_move_keep_the_leg_in_image_degrees() -> None:
    """A stored move whose inward reading is half the real one scales a
    set's reps (the same set-up, no move) to twice the hand measurement:
    review does not tell those degrees, and says why."""
    calib = generate(SessionSpec(seed=3, scenario="clean", noise="none", guided_move=True))
    drill = generate(SessionSpec(seed=3, scenario="clean", noise="none"))
    size = (640, 480)
    found, span, _ = first_still_neutral(iter(calib.frames), size)
    assert found is not None and span is not None
    right = calibration_ranges(calib.frames, size, found, span[1])[Side.RIGHT]
    measured = MeasuredRange({Side.RIGHT: 40.0})

    def review_with(in_reading_deg: float):
        ranges = {Side.RIGHT: LegRange(right.out_reading_deg, in_reading_deg)}
        calibration = Calibration(found.neutral, ranges=ranges)
        return review_pose_frames(
            drill.frames, "set", "both", calibration, size_wh=size, measured=measured
        )

    assert Side.RIGHT in review_with(right.in_reading_deg).scaled_legs
    halved = review_with(right.in_reading_deg / 2)
    assert halved.ranges[Side.RIGHT].past_range and Side.RIGHT not in halved.scaled_legs
    notes = degree_notes(halved.summary.legs, halved.ranges)
    assert any(findings.why_image_degrees("past_range") in n for n in notes)


def test_calibrate_range_stores_it_for_the_person(tmp_path: Path) -> None:
    result = hiprot("calibrate", "--range", "35,41", "--person", "Ann", home=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "calibration" / "Ann" / "measured_range.json"
    assert "left 35°, right 41°" in result.stdout and str(path) in result.stdout
    stored = load_measured_range(path)
    assert stored is not None and stored.internal_deg == {Side.LEFT: 35.0, Side.RIGHT: 41.0}


def test_calibrate_range_for_one_leg_keeps_the_other_legs_stored_value(tmp_path: Path) -> None:
    assert hiprot("calibrate", "--range", "35,41", "--person", "Ann", home=tmp_path).returncode == 0
    result = hiprot("calibrate", "--range", ",44", "--person", "Ann", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "left 35°, right 44°" in result.stdout
    stored = load_measured_range(tmp_path / "calibration" / "Ann" / "measured_range.json")
    assert stored is not None and stored.internal_deg == {Side.LEFT: 35.0, Side.RIGHT: 44.0}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--range", "35"], "--range takes LEFT,RIGHT"),
        (["--range", "35,400"], "--range takes LEFT,RIGHT"),
        ([], "give SOURCE"),
        (["--range", "35,40", "-o", "x.json"], "-o names the calibration"),
    ],
)
def test_calibrate_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, args: list[str], says: str
) -> None:
    folder = tmp_path / "calibration" / "Ann"
    folder.mkdir(parents=True)
    earlier = folder / "measured_range.json"
    earlier.write_text(json.dumps(MeasuredRange({Side.LEFT: 30.0}).to_dict()))
    before = earlier.read_text()
    result = hiprot("calibrate", *args, "--person", "Ann", home=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and says in result.stderr
    assert earlier.read_text() == before and sorted(p.name for p in folder.iterdir()) == [
        "measured_range.json"
    ]


def test_calibrate_finds_the_move_and_review_uses_the_persons_range(tmp_path: Path) -> None:
    session = generate(SessionSpec(seed=3, scenario="clean", noise="none", guided_move=True))
    recording = write_session(session, tmp_path / "clips")[0]
    assert hiprot("calibrate", "--range", ",30", "--person", "Ann", home=tmp_path).returncode == 0
    result = hiprot("calibrate", str(recording), "--person", "Ann", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Guided move found, read in the picture: left out" in result.stdout
    assert "(capped: as far as this view reads)" in result.stdout
    saved = next((tmp_path / "calibration" / "Ann").glob("camera-*.json"))
    calibration = load_calibration(saved)
    assert calibration.ranges[Side.RIGHT].measured_in_deg == 30.0  # the person's, copied in
    assert calibration.ranges[Side.RIGHT].in_reading_deg > 5

    review = hiprot(
        "review",
        str(recording),
        "--person",
        "Ann",
        "--no-history",
        "-o",
        str(tmp_path / "r"),
        home=tmp_path,
    )
    assert review.returncode == 0, review.stderr
    assert "Right leg: internal rotation is in degrees, scaled to the 30°" in review.stdout
    assert "Left leg: its degrees are MediaPipe's image degrees" in review.stdout
    html = (tmp_path / "r" / "report.html").read_text()
    assert "scaled to the 30°" in html


def test_synth_adds_the_move_on_asking_and_only_to_the_drill(tmp_path: Path) -> None:
    result = hiprot("synth", str(tmp_path / "s"), "--seed", "3", "--guided-move", home=tmp_path)
    assert result.returncode == 0, result.stderr
    truth = json.loads(next((tmp_path / "s").glob("*.truth.json")).read_text())
    assert truth["spec"]["guided_move"] is True
    start, end = truth["guided_move_s"]
    assert start >= truth["neutral_until_s"] and end - start > 2 * 3.0
    assert set(truth["range_deg"]) == {"left", "right"}
    plain = generate(SessionSpec(seed=3))
    assert "guided_move_s" not in plain.truth and "range_deg" not in plain.truth
    bad = hiprot(
        "synth", str(tmp_path / "n"), "--scenario", "bridge", "--guided-move", home=tmp_path
    )
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "--guided-move starts a drill scenario" in bad.stderr and not (tmp_path / "n").exists()


def test_legs_that_share_a_reason_get_one_sentence() -> None:
    both = degree_notes([Side.LEFT, Side.RIGHT], {})
    assert len(both) == 1 and both[0].startswith("Both legs: their degrees are MediaPipe's")
    assert findings.why_image_degrees("nothing") in both[0]
    (one,) = degree_notes([Side.RIGHT], {})
    assert one.startswith("Right leg: its degrees are MediaPipe's image degrees")
