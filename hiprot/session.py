"""The session summary: the ``hiprot-session`` v1 JSON (``hiprot review --json``).

A public contract (landmarks-format.md section 2, documented in the README):
keys and meanings are fixed; a change bumps ``version`` and v1 stays
readable. ``SessionSummary`` is pure (built from the reps, validated,
converted to and from the JSON dict); ``write_session`` / ``read_session``
at the end are the only I/O.

Choices the contract leaves open:

- ``legs`` holds the legs the ``mode`` works (both, or just one), so a
  one-leg session never reports "0 reps" for the leg that was not trained.
  A worked leg without reps has ``null`` peaks.
- ``to_dict`` rounds seconds to 1 ms and angles to 0.01°; ``legs`` is
  derived from ``reps``, and a file whose ``legs`` disagree with its
  ``reps`` is rejected.
- Unknown extra keys are ignored when reading (tolerant of additions).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hiprot.errors import InputError
from hiprot.landmarks import Side
from hiprot.reps import Mode, Rep
from hiprot.safe_io import atomic_write

FORMAT_NAME = "hiprot-session"
FORMAT_VERSION = 1
CALIBRATION_METHODS = ("file", "auto")

_SECONDS_DECIMALS = 3
_DEGREES_DECIMALS = 2


class SessionFormatError(InputError, ValueError):
    """A session summary does not follow the hiprot-session v1 format."""


@dataclass(frozen=True)
class CalibrationInfo:
    """How the neutral was found and the femur neutral per leg (degrees, absolute)."""

    method: str
    neutral_deg: Mapping[Side, float]


@dataclass(frozen=True)
class Tracking:
    """How many frames were analysed, in how many a person was found, and by
    which landmark model (optional in v1: a summary without it was full's)."""

    frames: int
    frames_with_pose: int
    model: str = "full"


@dataclass(frozen=True)
class LegSummary:
    """One leg's totals; peaks are ``None`` when the leg has no reps."""

    reps: int
    held_reps: int
    controlled_reps: int
    compensated_reps: int
    peak_internal_deg: float | None
    peak_external_deg: float | None

    @classmethod
    def from_reps(cls, reps: Sequence[Rep]) -> LegSummary:
        return cls(
            reps=len(reps),
            held_reps=sum(rep.held for rep in reps),
            controlled_reps=sum(rep.controlled for rep in reps),
            compensated_reps=sum(rep.compensation for rep in reps),
            peak_internal_deg=max((rep.peak_internal_deg for rep in reps), default=None),
            peak_external_deg=min((rep.peak_external_deg for rep in reps), default=None),
        )


def _round_deg(value: float | None) -> float | None:
    return None if value is None else round(value, _DEGREES_DECIMALS)


def _round_s(value: float) -> float:
    return round(value, _SECONDS_DECIMALS)


@dataclass(frozen=True)
class SessionSummary:
    """Everything ``hiprot-session`` v1 records about one set.

    Attributes:
        source: Where the frames came from (file name, ``camera:0``).
        duration_s: Length of the analysed session.
        mode: Which legs were worked.
        calibration: How the neutral was found, and its value per leg.
        tracking: Frame counts.
        reps: Every counted rep of the worked legs; stored in start order.
        interrupted: The set was cut short (Ctrl-C): this covers only the
            frames before it (``"interrupted": true`` in the JSON).
        time_in_position_s: Per worked leg, seconds in the drill's position
            (``hiprot.reading.position``); None when not measured (older files).
        drill_seen: False when the recording never showed the drill's
            position, so nothing was counted (kept out of the history).

    Raises:
        ValueError: Inconsistent content (message says what).
    """

    source: str
    duration_s: float
    mode: Mode
    calibration: CalibrationInfo
    tracking: Tracking
    reps: tuple[Rep, ...]
    interrupted: bool = False
    time_in_position_s: Mapping[Side, float] | None = None
    drill_seen: bool = True

    def __post_init__(self) -> None:
        reps = tuple(sorted(self.reps, key=lambda rep: (rep.start_s, rep.leg.value, rep.index)))
        object.__setattr__(self, "reps", reps)
        if not (math.isfinite(self.duration_s) and self.duration_s >= 0):
            raise ValueError(f"duration_s must be a finite number >= 0, got {self.duration_s}")
        if self.calibration.method not in CALIBRATION_METHODS:
            raise ValueError(
                f"calibration method must be one of {CALIBRATION_METHODS}, "
                f"got {self.calibration.method!r}"
            )
        for side in self.mode.sides:
            if side not in self.calibration.neutral_deg:
                raise ValueError(f"calibration has no neutral for the {side.value} leg")
        if not 0 <= self.tracking.frames_with_pose <= self.tracking.frames:
            raise ValueError(
                "tracking needs 0 <= frames_with_pose <= frames, got "
                f"{self.tracking.frames_with_pose} of {self.tracking.frames}"
            )
        next_index = {side: 1 for side in self.mode.sides}
        for rep in reps:
            if rep.leg not in next_index:
                raise ValueError(f"a {rep.leg.value} rep in a {self.mode.value} session")
            if rep.index != next_index[rep.leg]:
                raise ValueError(
                    f"{rep.leg.value} rep indices must run 1, 2, ... in time order; "
                    f"found {rep.index} where {next_index[rep.leg]} was expected"
                )
            next_index[rep.leg] += 1
            numbers = (rep.start_s, rep.end_s, rep.peak_internal_deg, rep.peak_external_deg)
            if not all(math.isfinite(x) for x in numbers) or rep.end_s < rep.start_s:
                raise ValueError(f"{rep.leg.value} rep {rep.index}: times/peaks are not valid")
            if not (math.isfinite(rep.hold_s) and rep.hold_s >= 0):
                raise ValueError(f"{rep.leg.value} rep {rep.index}: hold_s must be >= 0")

    @property
    def legs(self) -> dict[Side, LegSummary]:
        return {
            side: LegSummary.from_reps([rep for rep in self.reps if rep.leg is side])
            for side in self.mode.sides
        }

    def to_dict(self) -> dict[str, Any]:
        """The v1 JSON object, keys in the contract's order."""
        data = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "source": self.source,
            "duration_s": _round_s(self.duration_s),
            "mode": self.mode.value,
            "calibration": {
                "method": self.calibration.method,
                "neutral_deg": {
                    side.value: _round_deg(self.calibration.neutral_deg[side])
                    for side in Side
                    if side in self.calibration.neutral_deg
                },
            },
            "legs": {
                side.value: {
                    "reps": leg.reps,
                    "held_reps": leg.held_reps,
                    "controlled_reps": leg.controlled_reps,
                    "compensated_reps": leg.compensated_reps,
                    "peak_internal_deg": _round_deg(leg.peak_internal_deg),
                    "peak_external_deg": _round_deg(leg.peak_external_deg),
                }
                for side, leg in self.legs.items()
            },
            "reps": [
                {
                    "leg": rep.leg.value,
                    "index": rep.index,
                    "start_s": _round_s(rep.start_s),
                    "end_s": _round_s(rep.end_s),
                    "peak_internal_deg": _round_deg(rep.peak_internal_deg),
                    "peak_external_deg": _round_deg(rep.peak_external_deg),
                    "hold_s": _round_s(rep.hold_s),
                    "held": rep.held,
                    "controlled": rep.controlled,
                    "compensation": rep.compensation,
                }
                for rep in self.reps
            ],
            "tracking": {
                "frames": self.tracking.frames,
                "frames_with_pose": self.tracking.frames_with_pose,
                "model": self.tracking.model,
            },
            **self._position_dict(),
        }
        if self.interrupted:
            data["interrupted"] = True
        return data

    def _position_dict(self) -> dict[str, Any]:
        """An addition to v1 (readers ignore unknown keys): time in position."""
        if self.time_in_position_s is None:
            return {}
        return {
            "position": {
                "drill_seen": self.drill_seen,
                "time_in_s": {
                    side.value: _round_s(self.time_in_position_s[side])
                    for side in Side
                    if side in self.time_in_position_s
                },
            }
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "session") -> SessionSummary:
        """Read a v1 JSON object, validating it.

        Raises:
            SessionFormatError: Not a v1 session summary; the message names
                ``where`` and the offending key.
        """
        if not isinstance(data, dict) or "format" not in data:
            raise SessionFormatError(f"{where}: not a {FORMAT_NAME!r} object")
        if data["format"] != FORMAT_NAME:
            raise SessionFormatError(
                f"{where}: format is {data['format']!r}, expected {FORMAT_NAME!r}"
            )
        if data.get("version") != FORMAT_VERSION or isinstance(data.get("version"), bool):
            raise SessionFormatError(
                f"{where}: version {data.get('version')!r} is not supported "
                f"(this hiprot reads version {FORMAT_VERSION})"
            )
        try:
            summary = _summary_from_dict(data)
            _check_legs(_object(data, "legs"), summary.to_dict()["legs"])
        except (KeyError, TypeError, ValueError) as exc:
            detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise SessionFormatError(f"{where}: {detail}") from None
        return summary


# ---------------------------------------------------------------- parsing helpers


def _object(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data[key]
    if not isinstance(value, dict):
        raise TypeError(f"{key!r} must be an object")
    return value


def _number(data: Mapping[str, Any], key: str) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{key!r} must be a finite number, got {value!r}")
    return float(value)


def _integer(data: Mapping[str, Any], key: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key!r} must be an integer, got {value!r}")
    return value


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data[key]
    if not isinstance(value, bool):
        raise TypeError(f"{key!r} must be true or false, got {value!r}")
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key!r} must be a string, got {value!r}")
    return value


def _check_legs(given: Mapping[str, Any], derived: Mapping[str, Mapping[str, Any]]) -> None:
    """``legs`` must be what ``reps`` add up to (peaks to within the rounding)."""
    if set(given) != set(derived):
        raise ValueError(f"'legs' must have exactly {sorted(derived)} for this mode")
    for leg, expected in derived.items():
        actual = _object(given, leg)
        for key, value in expected.items():
            got = actual[key]
            if isinstance(value, int):
                ok = _integer(actual, key) == value
            elif value is None:
                ok = got is None
            else:
                ok = got is not None and abs(_number(actual, key) - value) <= 0.01
            if not ok:
                raise ValueError(f"legs.{leg}.{key} is {got!r} but the reps give {value!r}")


def _rep_from_dict(data: Any) -> Rep:
    if not isinstance(data, dict):
        raise TypeError("every entry of 'reps' must be an object")
    return Rep(
        leg=Side(_text(data, "leg")),
        index=_integer(data, "index"),
        start_s=_number(data, "start_s"),
        end_s=_number(data, "end_s"),
        peak_internal_deg=_number(data, "peak_internal_deg"),
        peak_external_deg=_number(data, "peak_external_deg"),
        hold_s=_number(data, "hold_s"),
        held=_flag(data, "held"),
        controlled=_flag(data, "controlled"),
        compensation=_flag(data, "compensation"),
    )


def _summary_from_dict(data: Mapping[str, Any]) -> SessionSummary:
    calibration = _object(data, "calibration")
    neutral = _object(calibration, "neutral_deg")
    tracking = _object(data, "tracking")
    reps = data["reps"]
    if not isinstance(reps, list):
        raise TypeError("'reps' must be a list")
    return SessionSummary(
        source=_text(data, "source"),
        duration_s=_number(data, "duration_s"),
        mode=Mode(_text(data, "mode")),
        calibration=CalibrationInfo(
            method=_text(calibration, "method"),
            neutral_deg={Side(key): _number(neutral, key) for key in neutral},
        ),
        tracking=Tracking(
            _integer(tracking, "frames"),
            _integer(tracking, "frames_with_pose"),
            _text(tracking, "model") if "model" in tracking else "full",
        ),
        reps=tuple(_rep_from_dict(rep) for rep in reps),
        interrupted=_flag(data, "interrupted") if "interrupted" in data else False,
        **_position_from_dict(data),
    )


def _position_from_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    if "position" not in data:
        return {}
    position = _object(data, "position")
    times = _object(position, "time_in_s")
    return {
        "drill_seen": _flag(position, "drill_seen"),
        "time_in_position_s": {Side(key): _number(times, key) for key in times},
    }


# ---------------------------------------------------------------- files


def write_session(path: str | Path, summary: SessionSummary) -> Path:
    """Write the summary as JSON atomically (temp file + rename): a crash
    never leaves half a file where a previous summary was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a NaN or infinity is not JSON: an unknown number is written as null
    text = json.dumps(finite_or_null(summary.to_dict()), indent=2, allow_nan=False) + "\n"
    with atomic_write(path, encoding="utf-8") as f:
        f.write(text)
    return path


def finite_or_null(value: Any) -> Any:
    """``value`` with every NaN or infinite float (at any depth) replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_null(v) for v in value]
    return value


def read_session(path: str | Path) -> SessionSummary:
    """Read and validate a session summary file.

    Raises:
        SessionFormatError: Missing, unreadable or not a v1 session summary.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionFormatError(f"{path}: no such session file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionFormatError(f"{path}: cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionFormatError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    return SessionSummary.from_dict(data, str(path))
