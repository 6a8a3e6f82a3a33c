"""Calibration files and the auto-neutral still-period search."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hiprot.calibration import (
    Calibration,
    CalibrationError,
    LegNeutral,
    find_still_period,
    load_calibration,
    neutral_from_still,
    save_calibration,
    setup_file_name,
)
from hiprot.landmarks import Side

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
    assert 55 <= start <= 61 and stop == 200
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
    gappy[::45] = np.nan  # never 2 s without a missing sample
    assert find_still_period(t, gappy) is None
