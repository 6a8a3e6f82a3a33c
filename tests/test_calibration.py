"""Calibration files and the auto-neutral still-period search."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hiprot import drill
from hiprot.calibration import (
    Calibration,
    CalibrationError,
    LegNeutral,
    load_calibration,
    save_calibration,
    setup_file_name,
)
from hiprot.landmarks import Side
from hiprot.reading.filters import jitter_deg
from hiprot.reading.geometry import LegAngles
from hiprot.reading.judgements import REP_EXCURSION_JITTER_RATIO
from hiprot.reading.neutral import (
    StillRun,
    auto_calibration,
    find_still_period,
    neutral_from_still,
    still_period,
    still_readings,
    still_tolerances,
)
from hiprot.reading.series import AngleSeries

CAL = Calibration(
    {Side.LEFT: LegNeutral(-4.5, -9.0), Side.RIGHT: LegNeutral(3.25, 6.0)},
    setup={"camera": "0", "width": 640, "height": 480},
)


def test_round_trip(tmp_path: Path) -> None:
    path = save_calibration(CAL, tmp_path / "cal" / "c.json")
    assert load_calibration(path) == CAL


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "corrupt calibration"),
        ("", "corrupt calibration"),
        (json.dumps({"format": "something-else", "version": 1}), "not a hiprot calibration"),
        (json.dumps({**CAL.to_dict(), "version": 7}), "version 7"),
        (
            json.dumps({k: v for k, v in CAL.to_dict().items() if k != "neutral_deg"}),
            "missing or invalid",
        ),
        (
            json.dumps({**CAL.to_dict(), "neutral_deg": {"left": {"femur": 1, "foot": 2}}}),
            "missing or invalid",
        ),
        (
            json.dumps(
                {
                    **CAL.to_dict(),
                    "neutral_deg": {
                        "left": {"femur": "x", "foot": 2},
                        "right": {"femur": 1, "foot": 2},
                    },
                }
            ),
            "missing or invalid",
        ),
        ("[1, 2, 3]", "not a hiprot calibration"),
    ],
    ids=[
        "corrupt",
        "empty",
        "foreign",
        "wrong version",
        "no neutral",
        "one leg",
        "non-numeric",
        "array",
    ],
)
def test_bad_files_give_a_clear_error_and_say_how_to_recover(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "c.json"
    path.write_text(content)
    with pytest.raises(CalibrationError, match=message) as info:
        load_calibration(path)
    assert "hiprot calibrate" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="no such calibration"):
        load_calibration(tmp_path / "none.json")


def test_other_setup_is_refused() -> None:
    CAL.check_setup({"camera": "0", "width": 640, "height": 480})
    with pytest.raises(CalibrationError, match="width=1280"):
        CAL.check_setup({"camera": "0", "width": 1280, "height": 720})


def test_setup_file_name_is_filesystem_safe() -> None:
    assert (
        setup_file_name({"camera": "/dev/video0", "width": 640, "height": 480})
        == "camera--dev-video0-640x480.json"
    )


def test_still_period_found_after_initial_motion() -> None:
    t = np.arange(300) / 30.0
    angles = np.zeros((300, 2))
    angles[:60, 0] = 20 * np.sin(np.arange(60) / 5)  # 2 s of moving first
    angles[60:, :] = [3.0, -2.0]
    angles[200:, 1] = 30  # later motion
    start, stop = find_still_period(t, angles)
    # a run of moving samples ends once they have strayed for 0.5 s
    assert 60 <= start <= 60 + 15 and stop == 200
    neutral = neutral_from_still(
        {Side.LEFT: angles[:, 0], Side.RIGHT: angles[:, 1]},
        {Side.LEFT: angles[:, 0], Side.RIGHT: angles[:, 1]},
        (start, stop),
    )
    assert neutral[Side.LEFT].femur_deg == pytest.approx(3.0)
    assert neutral[Side.RIGHT].foot_deg == pytest.approx(-2.0)


def test_no_still_period_in_constant_motion_or_gaps() -> None:
    t = np.arange(300) / 30.0
    assert find_still_period(t, 20 * np.sin(t * 3)) is None
    gappy = np.zeros(300)
    for start in range(0, 300, 45):
        gappy[start : start + 18] = np.nan  # 0.6 s lost every 1.5 s
    assert find_still_period(t, gappy) is None


def test_still_period_shrugs_off_pose_noise_and_short_dropouts() -> None:
    t = np.arange(300) / 30.0
    rng = np.random.default_rng(2)
    # a foot reading wandering +-5 deg while the person lies still, as a webcam
    # gives it, with a 0.3 s dropout and a 0.2 s flicker 40 deg off
    noisy = 5 * np.sin(t * 2.1) + rng.normal(0, 1.0, t.size)
    noisy[100:109] = np.nan
    noisy[200:206] = 40.0
    assert find_still_period(t, noisy) == (0, 300)
    # a drill rep (out 30 deg, in 25 deg) after 1 s at rest is not still: the
    # period is the rest after it, and its median the neutral
    rep = np.interp(t, [0, 1, 3, 5, 7, 10], [0, 0, -30, 25, 0, 0])
    start, stop = find_still_period(t, rep)
    assert t[start] > 5.0 and stop == 300
    assert np.median(rep[start:stop]) == pytest.approx(0.0, abs=1.0)


@pytest.mark.parametrize("creep_deg", [15.0, 18.0])
def test_a_still_period_whose_opening_crept_starts_where_the_creep_ended(
    creep_deg: float,
) -> None:
    # a knee reading settling by creep_deg over the first second, then 19 s
    # dead still: one still run (the creep stays within the tolerance of the
    # run's median), but its first 2 s spread too wide to count as still
    t = np.arange(600) / 30.0
    settling = np.where(t < 1.0, creep_deg * (1.0 - t), 0.0)
    start, stop = find_still_period(t, settling)
    assert stop == 600
    assert 0.0 < t[start] < 1.0
    low, high = np.percentile(settling[start:][t[start:] <= t[start] + 2.0], [10, 90])
    assert high - low <= 10.0


def test_still_run_median_is_the_median_of_the_run_and_a_move_ends_it() -> None:
    rng = np.random.default_rng(4)
    values = rng.normal(0.0, 3.0, (101, 3))
    run = StillRun()
    assert all(run.add(k / 30.0, row[:2], row[2:]) for k, row in enumerate(values))
    assert run.median() == pytest.approx(np.median(values, axis=0))
    assert run.duration_s == pytest.approx(100 / 30.0)
    # a foot turned 30° away: tolerated for 0.5 s, then the run is over
    moved = np.array([30.0, 0.0])
    assert run.add(101 / 30.0, moved, np.zeros(1)) is None
    assert run.add(101 / 30.0 + 0.6, moved, np.zeros(1)) is False
    assert run.duration_s == 0.0


def _series(feet: np.ndarray, knees: np.ndarray) -> AngleSeries:
    """An image series at 30 frames/s with both legs' foot and knee readings."""
    t = np.arange(len(feet)) / 30.0
    zeros = np.zeros_like(t)
    legs = {side: LegAngles(knees, feet, feet - knees, zeros + 1, zeros + 1) for side in Side}
    return AngleSeries(t, np.ones(len(t), bool), legs, "image")


def test_a_still_foot_over_a_moving_knee_is_no_still_period() -> None:
    """A foot whose image angle hardly turns with the leg (small reps, the
    far foot) must not make the set part of the still start."""
    t = np.arange(600) / 30.0
    feet = np.zeros_like(t)
    # the knee rests for 3 s, then turns in reps for the other 17 s
    knees = np.where(t < 3.0, 0.0, 25.0 * np.sin(2 * np.pi * (t - 3.0) / 4.0))
    readings = still_readings(_series(feet, knees))
    assert find_still_period(t, readings[:, :2]) == (0, 600)  # the feet alone: all still
    start, stop = still_period(_series(feet, knees))
    assert start == 0 and 3.0 <= t[stop - 1] < 4.0
    calibration = auto_calibration(_series(feet, knees))
    assert calibration is not None and calibration.setup["still_from_s"] < 2.0
    # a knee moving from the first frame: no still period at all
    assert still_period(_series(feet, 25.0 * np.sin(2 * np.pi * t / 4.0))) is None
    assert auto_calibration(_series(feet, 25.0 * np.sin(2 * np.pi * t / 4.0))) is None


def test_feet_and_knees_still_within_their_noise_floor_give_the_still_period() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(600) / 30.0
    clean = np.full_like(t, 2.0)
    # a webcam's far foot: frame-to-frame noise whose 3x jitter is past 10°
    noisy = 1.5 + rng.normal(0.0, 6.0, t.size)
    series = _series(noisy, clean)
    tolerance = still_tolerances(t, still_readings(series))
    assert tolerance[2:] == pytest.approx(drill.REP_MIN_EXCURSION_DEG)  # the quiet knees
    assert tolerance[:2] == pytest.approx(REP_EXCURSION_JITTER_RATIO * jitter_deg(t, noisy))
    assert tolerance[0] > drill.REP_MIN_EXCURSION_DEG
    assert find_still_period(t, still_readings(series))[0] > 0  # at a fixed 10°: not from the start
    assert still_period(series) == (0, 600)
    calibration = auto_calibration(series)
    assert calibration is not None
    assert calibration.neutral[Side.LEFT].femur_deg == pytest.approx(2.0)
    assert calibration.neutral[Side.RIGHT].foot_deg == pytest.approx(1.5, abs=2.0)
    # both still and clean: the whole recording
    assert still_period(_series(clean, clean)) == (0, 600)
