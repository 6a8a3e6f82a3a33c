"""The hiprot-session v1 summary: exact contract keys, round trips, rejection."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hiprot.bilateral import BilateralCounter
from hiprot.errors import InputError
from hiprot.landmarks import Side
from hiprot.reps import Mode, Rep
from hiprot.session import (
    CalibrationInfo,
    SessionFormatError,
    SessionSummary,
    Tracking,
    read_session,
    write_session,
)

# The example of landmarks-format.md section 2 (plus the optional tracking.model): the
# key contract.
CONTRACT_EXAMPLE = json.loads("""
{"format": "hiprot-session", "version": 1,
 "source": "wall.mp4", "duration_s": 62.3, "mode": "both|left|right",
 "calibration": {"method": "file|auto", "neutral_deg": {"left": 0.0, "right": 0.0}},
 "legs": {
   "left":  {"reps": 12, "held_reps": 10, "controlled_reps": 11, "compensated_reps": 1,
             "peak_internal_deg": 31.5, "peak_external_deg": -38.0},
   "right": {"reps": 12, "held_reps": 11, "controlled_reps": 12, "compensated_reps": 0,
             "peak_internal_deg": 28.0, "peak_external_deg": -41.2}},
 "reps": [{"leg": "left", "index": 1, "start_s": 3.2, "end_s": 8.9,
           "peak_internal_deg": 30.1, "peak_external_deg": -36.4,
           "hold_s": 1.4, "held": true, "controlled": true, "compensation": false}],
 "tracking": {"frames": 1869, "frames_with_pose": 1850, "model": "full"}}
""")  # tracking.model: optional in v1, added with the heavy landmark model


def rep(
    leg: Side,
    index: int,
    start_s: float,
    *,
    peak_internal_deg: float = 30.0,
    peak_external_deg: float = -35.0,
    hold_s: float = 1.4,
    controlled: bool = True,
    compensation: bool = False,
) -> Rep:
    return Rep(
        leg=leg,
        index=index,
        start_s=start_s,
        end_s=start_s + 6.0,
        peak_internal_deg=peak_internal_deg,
        peak_external_deg=peak_external_deg,
        hold_s=hold_s,
        held=hold_s >= 1.0,
        controlled=controlled,
        compensation=compensation,
    )


def summary(mode: Mode = Mode.BOTH, reps: tuple[Rep, ...] | None = None) -> SessionSummary:
    if reps is None:
        reps = (
            rep(Side.LEFT, 1, 3.2, peak_internal_deg=30.1, peak_external_deg=-36.4),
            rep(Side.RIGHT, 1, 3.4, peak_internal_deg=28.0, hold_s=0.8),
            rep(Side.LEFT, 2, 10.1, peak_internal_deg=31.5, compensation=True),
            rep(Side.RIGHT, 2, 10.3, peak_external_deg=-41.2, controlled=False),
        )
    return SessionSummary(
        source="wall.mp4",
        duration_s=62.3,
        mode=mode,
        calibration=CalibrationInfo("auto", {Side.LEFT: -4.25, Side.RIGHT: 6.5}),
        tracking=Tracking(frames=1869, frames_with_pose=1850),
        reps=reps,
    )


def keys_tree(value: Any) -> Any:
    """The nested key structure of a JSON value (lists: their first item's)."""
    if isinstance(value, dict):
        return {key: keys_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys_tree(value[0])] if value else []
    return None


# ---------------------------------------------------------------- building


def test_keys_are_exactly_the_contract() -> None:
    data = summary().to_dict()
    assert keys_tree(data) == keys_tree(CONTRACT_EXAMPLE)
    assert list(data) == list(CONTRACT_EXAMPLE)  # and in the documented order


def test_values_follow_the_contract() -> None:
    data = summary().to_dict()
    assert (data["format"], data["version"], data["mode"]) == ("hiprot-session", 1, "both")
    assert data["calibration"] == {"method": "auto", "neutral_deg": {"left": -4.25, "right": 6.5}}
    assert data["legs"]["left"] == {
        "reps": 2,
        "held_reps": 2,
        "controlled_reps": 2,
        "compensated_reps": 1,
        "peak_internal_deg": 31.5,
        "peak_external_deg": -36.4,
    }
    assert data["legs"]["right"] == {
        "reps": 2,
        "held_reps": 1,
        "controlled_reps": 1,
        "compensated_reps": 0,
        "peak_internal_deg": 30.0,
        "peak_external_deg": -41.2,
    }
    assert [(r["leg"], r["index"]) for r in data["reps"]] == [
        ("left", 1),
        ("right", 1),
        ("left", 2),
        ("right", 2),
    ]
    assert data["reps"][0] == {
        "leg": "left",
        "index": 1,
        "start_s": 3.2,
        "end_s": 9.2,
        "peak_internal_deg": 30.1,
        "peak_external_deg": -36.4,
        "hold_s": 1.4,
        "held": True,
        "controlled": True,
        "compensation": False,
    }
    assert data["tracking"] == {"frames": 1869, "frames_with_pose": 1850, "model": "full"}
    json.dumps(data, allow_nan=False)  # plain JSON


def test_reps_are_stored_in_start_order() -> None:
    shuffled = summary().reps[::-1]
    assert summary(reps=shuffled).reps == summary().reps


@pytest.mark.parametrize(
    ("mode", "legs"),
    [
        (Mode.BOTH, {"left", "right"}),  # both legs reported, even one without reps
        (Mode.LEFT, {"left"}),  # one-leg session: only the worked leg
        (Mode.RIGHT, {"right"}),
    ],
)
def test_legs_follow_the_mode(mode: Mode, legs: set[str]) -> None:
    data = summary(mode, reps=()).to_dict()
    assert set(data["legs"]) == legs
    for leg in data["legs"].values():
        assert leg == {
            "reps": 0,
            "held_reps": 0,
            "controlled_reps": 0,
            "compensated_reps": 0,
            "peak_internal_deg": None,
            "peak_external_deg": None,
        }


def test_rounds_seconds_and_degrees() -> None:
    raw = rep(Side.LEFT, 1, 3.21234567, peak_internal_deg=30.123456, hold_s=1.4004999)
    data = summary(Mode.LEFT, reps=(raw,)).to_dict()
    assert data["reps"][0]["start_s"] == 3.212
    assert data["reps"][0]["peak_internal_deg"] == 30.12
    assert data["reps"][0]["hold_s"] == 1.4
    assert data["legs"]["left"]["peak_internal_deg"] == 30.12


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(duration_s=-1.0), "duration_s"),  # negative duration
        (dict(duration_s=float("nan")), "duration_s"),  # NaN would not be JSON
        (dict(calibration=CalibrationInfo("none", {})), "method"),  # not file|auto
        (dict(calibration=CalibrationInfo("file", {Side.LEFT: 0.0})), "right"),  # neutral missing
        (dict(tracking=Tracking(10, 11)), "frames_with_pose"),  # more poses than frames
        (dict(mode=Mode.LEFT), "right rep in a left session"),  # rep of an unworked leg
        (dict(reps=(rep(Side.LEFT, 2, 1.0),)), "indices"),  # index must start at 1
        (dict(reps=(rep(Side.LEFT, 1, 1.0, hold_s=-0.1),)), "hold_s"),  # negative hold
    ],
)
def test_inconsistent_summaries_are_refused(change: dict[str, Any], message: str) -> None:
    fields = dict(
        source="x",
        duration_s=1.0,
        mode=Mode.BOTH,
        calibration=CalibrationInfo("file", {Side.LEFT: 0.0, Side.RIGHT: 0.0}),
        tracking=Tracking(10, 10),
        reps=summary().reps,
    )
    fields.update(change)
    with pytest.raises(ValueError, match=message):
        SessionSummary(**fields)


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize("mode", list(Mode))
def test_dict_round_trip(mode: Mode) -> None:
    reps = tuple(r for r in summary().reps if r.leg in mode.sides)
    original = summary(mode, reps)
    data = original.to_dict()
    restored = SessionSummary.from_dict(json.loads(json.dumps(data)))
    assert restored == original
    assert restored.to_dict() == data


def test_file_round_trip(tmp_path: Path) -> None:
    path = write_session(tmp_path / "out" / "session.json", summary())
    assert read_session(path) == summary()
    assert json.loads(path.read_text())["format"] == "hiprot-session"
    assert os.listdir(path.parent) == ["session.json"]  # no temp file left


def test_write_replaces_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_session(tmp_path / "session.json", summary(Mode.LEFT, reps=()))
    write_session(path, summary())  # overwrites
    assert read_session(path) == summary()

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_session(path, summary(Mode.LEFT, reps=()))
    assert read_session(path) == summary()  # the previous complete file is untouched
    assert os.listdir(tmp_path) == ["session.json"]


Mutation = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Mutation:
    """Set ``a.b.0.c`` in a JSON object."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[int(last) if isinstance(target, list) else last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[last]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_set("format", "hiprot-landmarks"), "format is 'hiprot-landmarks'"),  # another format
        (_delete("format"), "not a 'hiprot-session' object"),  # no format at all
        (_set("version", 2), "version 2 is not supported"),  # a future version
        (_set("version", "1"), "version '1'"),  # a string is not a version
        (_set("version", True), "version True"),  # true == 1 in Python, not in the format
        (_delete("duration_s"), "missing key 'duration_s'"),  # required key
        (_delete("tracking"), "missing key 'tracking'"),
        (_delete("reps.0.held"), "missing key 'held'"),
        (_set("mode", "both legs"), "both legs"),  # unknown mode
        (_set("duration_s", "62.3"), "'duration_s' must be a finite number"),  # number as text
        (_set("reps", {}), "'reps' must be a list"),
        (_set("reps.0.held", 1), "'held' must be true or false"),
        (_set("reps.0.index", 1.0), "'index' must be an integer"),
        (_set("reps.0.leg", "middle"), "middle"),  # unknown leg
        (_set("tracking.frames", True), "'frames' must be an integer"),
        (_set("calibration.method", "guess"), "method"),
        (_set("legs.left.reps", 3), r"legs.left.reps is 3 but the reps give 2"),  # edited count
        (_set("legs.right.peak_internal_deg", 45.0), "peak_internal_deg"),  # edited peak
        (_delete("legs.right"), "'legs' must have exactly"),
        (_set("reps.1.index", 2), "indices"),  # right leg's first rep numbered 2
    ],
)
def test_invalid_files_are_rejected(mutate: Mutation, message: str) -> None:
    data = copy.deepcopy(summary().to_dict())
    mutate(data)
    with pytest.raises(SessionFormatError, match=message):
        SessionSummary.from_dict(data, where="s.json")


def test_the_landmark_model_round_trips_and_defaults_to_full() -> None:
    heavy = replace(summary(), tracking=Tracking(1869, 1850, "heavy"))
    assert SessionSummary.from_dict(heavy.to_dict()).tracking.model == "heavy"
    old = summary().to_dict()
    del old["tracking"]["model"]  # written before the field existed
    assert SessionSummary.from_dict(old).tracking.model == "full"


def test_extra_keys_are_ignored() -> None:
    data = summary().to_dict()
    data["comment"] = "added by a later tool"
    data["reps"][0]["note"] = "x"
    assert SessionSummary.from_dict(data) == summary()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such session file"),  # missing file
        ("{not json", "not valid JSON"),  # corrupt
        ("[1, 2]", "not a 'hiprot-session' object"),  # JSON but not an object
    ],
)
def test_read_errors_are_user_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "s.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SessionFormatError, match=message) as info:
        read_session(path)
    assert isinstance(info.value, InputError)
    assert str(path) in str(info.value)


# ---------------------------------------------------------------- from the counter


class _Leg:
    def __init__(self, femur_deg: float, foot_deg: float) -> None:
        self.femur_deg, self.foot_deg, self.confidence = femur_deg, foot_deg, 1.0


class _Frame:
    def __init__(self, t_s: float, left: float, right: float) -> None:
        self.t_s = t_s
        self.legs = {Side.LEFT: _Leg(left, left), Side.RIGHT: _Leg(right, right)}


def test_summary_from_a_counted_session() -> None:
    # left: 3 slow reps (-30 -> +30, 1.5 s hold); right: 2 fast ones, no hold
    t = np.arange(0.0, 24.0, 1 / 30)
    slow = np.interp(t % 8.0, [0, 1, 2.5, 5.0, 6.5, 7.5, 8], [0, 0, -30, 30, 30, 0, 0])
    fast = np.interp(t % 12.0, [0, 1, 1.5, 2.0, 2.5, 12], [0, -30, 30, 30, 0, 0])
    counter = BilateralCounter(Mode.BOTH)
    for ti, left, right in zip(t, slow, fast):
        counter.update(_Frame(float(ti), float(left), float(right)))
    counter.finish(float(t[-1]))
    built = SessionSummary(
        source="synthetic",
        duration_s=float(t[-1]),
        mode=counter.mode,
        calibration=CalibrationInfo("file", {Side.LEFT: 0.0, Side.RIGHT: 0.0}),
        tracking=Tracking(len(t), len(t)),
        reps=counter.reps,
    )
    legs = built.to_dict()["legs"]
    counts = ("reps", "held_reps", "controlled_reps")
    assert [legs["left"][key] for key in counts] == [3, 3, 3]
    assert [legs["right"][key] for key in counts] == [2, 0, 0]
    assert legs["left"]["peak_internal_deg"] == 30.0
    assert SessionSummary.from_dict(built.to_dict()).to_dict() == built.to_dict()
