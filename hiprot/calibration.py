"""The person's neutral per leg, found from stillness and kept as JSON.

Angles from ``hiprot.reading.geometry`` are absolute in the leg's own frame; a person's
relaxed neutral has some natural turnout, different per leg and per set-up.
Calibration records that neutral (femur and foot angle per leg) so every
reported angle is "degrees from your neutral". Files are versioned JSON, one
per person and camera set-up, in the user's data folder
(``hiprot.profiles.calibration_dir``); the repository's ``calibration/``
holds the format's documentation and an example.

A calibration may also carry each leg's range (``LegRange``): the readings at
full external and full internal rotation of the guided move ("turn both feet
fully out, then fully in"), which belong to the set-up, and the internal
range measured by hand (a goniometer), which belongs to the person and is
kept in the person's ``measured_range.json`` (``MeasuredRange``). Together
they put a leg's internal rotation on a scale of degrees
(``LegRange.internal_deg``); without both, hiprot's degrees are MediaPipe's
image degrees, whose scale differs by set-up and side.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.safe_io import AbsurdNumber, atomic_write, load_json, write_error

FORMAT_NAME = "hiprot-calibration"
FORMAT_VERSION = 2
#: Versions this hiprot reads (version 1 has no ranges).
READABLE_VERSIONS = (1, 2)
MEASURED_FORMAT = "hiprot-measured-range"
MEASURED_VERSION = 1
#: The person's hand-measured range, beside the set-ups' calibrations.
MEASURED_FILE_NAME = "measured_range.json"
#: How to mend an unusable measured range: both legs, as a one-leg --range keeps the other's.
MEASURED_HINT = "store it again with `hiprot calibrate --range LEFT,RIGHT` (both legs)"


class CalibrationError(HiprotError):
    """A calibration file is missing, corrupt or from another set-up."""


@dataclass(frozen=True)
class LegNeutral:
    """Neutral angles of one leg, degrees in the leg frame of hiprot.reading.geometry."""

    femur_deg: float
    foot_deg: float


#: A guided move whose internal reading is smaller than this (image degrees)
#: hardly turned the leg in the picture: no scale is taken from it (the
#: guided move's own threshold, ``hiprot.reading.guided.TURNED_DEG``).
MIN_GUIDED_READING_DEG = 5.0
#: Hand-measured internal range a hip can have (degrees); outside it, a typo.
MEASURED_RANGE_DEG = (1.0, 90.0)
#: A rep told this many times the range measured by hand went further than
#: the hip can: a goniometer's error is a few degrees and a set's warm-up
#: gain a few more, so the reading (a swapped or noisy leg) or the scale is off.
PAST_RANGE_RATIO = 1.5


@dataclass(frozen=True)
class LegRange:
    """One leg's range, for putting its readings on a scale of degrees.

    Attributes:
        out_reading_deg: The reading (image degrees from the neutral,
            negative) at full external rotation in the guided move; None: no
            guided move.
        in_reading_deg: The reading (positive) at full internal rotation in
            the guided move; None: no guided move.
        measured_in_deg: The leg's internal range measured by hand
            (goniometer), degrees; None: not measured.
        in_capped: The guided move's internal reading (or, in a review, the
            leg's best rep) sat at the most the camera view can read: the
            leg turned at least that far, so there is no scale.
        past_range: A rep read past what the hand measurement allows
            (``is_past_range``): the scale is not trusted for this recording.
    """

    out_reading_deg: float | None = None
    in_reading_deg: float | None = None
    measured_in_deg: float | None = None
    in_capped: bool = False
    past_range: bool = False

    @property
    def guided(self) -> bool:
        return self.in_reading_deg is not None and self.out_reading_deg is not None

    @property
    def in_scale(self) -> float | None:
        """Degrees per image degree on the internal side; None: unknown
        (no guided move, no hand measurement, or a move that did not turn)."""
        if self.measured_in_deg is None or self.in_reading_deg is None:
            return None
        if self.in_capped or self.past_range:
            return None
        if self.in_reading_deg < MIN_GUIDED_READING_DEG:
            return None
        return self.measured_in_deg / self.in_reading_deg

    def internal_deg(self, reading_deg: float | None) -> float | None:
        """An internal reading (image degrees) in degrees; None when the scale
        is unknown or the reading is missing. Readings past neutral on the
        external side are not scaled (only the internal range is known)."""
        scale = self.in_scale
        if scale is None or reading_deg is None:
            return None
        return reading_deg * scale if reading_deg > 0 else reading_deg

    def is_past_range(self, reading_deg: float | None) -> bool:
        """An internal reading that, on this leg's scale, goes past
        ``PAST_RANGE_RATIO`` times the range measured by hand."""
        told = self.internal_deg(reading_deg)
        return (
            told is not None
            and self.measured_in_deg is not None
            and told > PAST_RANGE_RATIO * self.measured_in_deg
        )

    def with_measured(self, measured_in_deg: float | None) -> LegRange:
        return replace(self, measured_in_deg=measured_in_deg)


@dataclass(frozen=True)
class Calibration:
    """A person's neutral per leg for one camera set-up.

    Attributes:
        neutral: Neutral femur and foot angle per leg.
        method: ``"file"`` (guided calibration, saved) or ``"auto"`` (first
            still period of a recording).
        setup: The camera set-up it was taken in (``camera``, ``width``,
            ``height``); a different set-up needs a new calibration.
        created: ISO 8601 time it was taken.
        ranges: Per leg, its range (guided move, hand measurement); a leg
            without one is absent.
    """

    neutral: dict[Side, LegNeutral]
    method: str = "file"
    setup: dict[str, Any] = field(default_factory=dict)
    created: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    ranges: dict[Side, LegRange] = field(default_factory=dict)

    def leg_range(self, side: Side) -> LegRange:
        return self.ranges.get(side, LegRange())

    @property
    def pose_model(self) -> str:
        """The landmark model the neutral was read from (files older than the field: full)."""
        return str(self.setup.get("pose_model", "full"))

    def with_measured(self, measured: MeasuredRange | None) -> Calibration:
        """This calibration with the person's hand-measured range (``paired_ranges``)."""
        return replace(self, ranges=paired_ranges(self.ranges, measured))

    @classmethod
    def zero(cls) -> Calibration:
        return cls({side: LegNeutral(0.0, 0.0) for side in Side}, method="none")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "created": self.created,
            "method": self.method,
            "setup": self.setup,
            "neutral_deg": {
                side.value: {"femur": round(n.femur_deg, 3), "foot": round(n.foot_deg, 3)}
                for side, n in self.neutral.items()
            },
            **({"range": _ranges_to_dict(self.ranges)} if self.ranges else {}),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "calibration") -> Calibration:
        hint = "run `hiprot calibrate` to make a new one"
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise CalibrationError(f"{where}: not a hiprot calibration file; {hint}")
        if data.get("version") not in READABLE_VERSIONS:
            raise CalibrationError(
                f"{where}: calibration version {data.get('version')!r} is not supported; {hint}"
            )
        try:
            neutral = {
                side: LegNeutral(
                    _finite(data["neutral_deg"][side.value]["femur"]),
                    _finite(data["neutral_deg"][side.value]["foot"]),
                )
                for side in Side
            }
        except (KeyError, TypeError, ValueError, OverflowError):
            raise CalibrationError(
                f"{where}: missing or invalid neutral_deg (needs left/right femur and foot, "
                f"each within ±{MAX_NEUTRAL_DEG:g}°); {hint}"
            ) from None
        setup = data.get("setup", {})
        if not isinstance(setup, dict):
            raise CalibrationError(f"{where}: 'setup' must be an object; {hint}")
        try:
            ranges = _ranges_from_dict(data.get("range", {}))
        except (KeyError, TypeError, ValueError, OverflowError):
            raise CalibrationError(
                f"{where}: invalid 'range' (per leg: guided out <= 0 <= guided in, measured "
                f"in {MEASURED_RANGE_DEG[0]:g}-{MEASURED_RANGE_DEG[1]:g}°); {hint}"
            ) from None
        return cls(
            neutral, str(data.get("method", "file")), setup, str(data.get("created", "")), ranges
        )

    def check_setup(self, setup: dict[str, Any], where: str = "calibration") -> None:
        """Raise if this calibration was taken with another camera set-up."""
        for key in ("camera", "width", "height"):
            if key in self.setup and key in setup and self.setup[key] != setup[key]:
                raise CalibrationError(
                    f"{where}: taken with {key}={self.setup[key]!r}, but this session has "
                    f"{key}={setup[key]!r}; run `hiprot calibrate` for this set-up"
                )


def paired_ranges(
    stored: Mapping[Side, LegRange],
    measured: MeasuredRange | None,
    sides: Iterable[Side] = tuple(Side),
    moved: Mapping[Side, LegRange] | None = None,
) -> dict[Side, LegRange]:
    """Which range goes with which leg: review, live and the calibration file all pair them here.

    Per leg in ``sides``: the guided move just read (``moved``), else the
    stored one (a calibration file's, the set-up's); with the person's hand
    measurement, else the stored one. A stored value is replaced only by a
    new value for the same leg, never dropped. Legs with neither a move nor
    a measurement are left out.
    """
    moved = moved or {}
    ranges = {}
    for side in sides:
        kept = stored.get(side, LegRange())
        leg = moved.get(side, kept)
        hand = None if measured is None else measured.internal_deg.get(side)
        if hand is None:
            hand = kept.measured_in_deg
        if hand is not None:
            leg = leg.with_measured(hand)
        if leg != LegRange():
            ranges[side] = leg
    return ranges


#: A neutral is an angle: beyond a full turn it is damage, not a calibration.
MAX_NEUTRAL_DEG = 360.0


def _finite(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    number = float(value)
    if not (math.isfinite(number) and abs(number) <= MAX_NEUTRAL_DEG):
        raise ValueError("not a finite angle within a turn")
    return number


_RANGE_KEYS = (
    ("guided_out", "out_reading_deg"),
    ("guided_in", "in_reading_deg"),
    ("measured_in", "measured_in_deg"),
)


def _ranges_to_dict(ranges: dict[Side, LegRange]) -> dict[str, dict[str, Any]]:
    return {
        side.value: {
            **{
                key: round(getattr(leg, attr), 3)
                for key, attr in _RANGE_KEYS
                if getattr(leg, attr) is not None
            },
            **({"guided_in_capped": True} if leg.in_capped else {}),
        }
        for side, leg in ranges.items()
    }


def _ranges_from_dict(data: Any) -> dict[Side, LegRange]:
    if not isinstance(data, dict):
        raise TypeError("range must be an object")
    ranges = {}
    for side in Side:
        if side.value not in data:
            continue
        leg = data[side.value]
        if not isinstance(leg, dict):
            raise TypeError("a leg's range must be an object")
        values = {
            attr: _finite(_json_number(leg[key])) if key in leg else None
            for key, attr in _RANGE_KEYS
        }
        out, inn = values["out_reading_deg"], values["in_reading_deg"]
        if (out is None) != (inn is None) or (out is not None and not out <= 0 <= inn):
            raise ValueError("a guided move reads out <= 0 <= in")
        if values["measured_in_deg"] is not None:
            _measured(values["measured_in_deg"])
        capped = leg.get("guided_in_capped", False)
        if not isinstance(capped, bool):
            raise TypeError("guided_in_capped is true or false")
        ranges[side] = LegRange(**values, in_capped=capped)
    return ranges


def _json_number(value: Any) -> float:
    """A number as JSON writes one (not a string that reads as one)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("not a number")
    return float(value)


def _measured(value: Any) -> float:
    number = _finite(value)
    low, high = MEASURED_RANGE_DEG
    if not low <= number <= high:
        raise ValueError(f"a hip's internal range is {low:g}-{high:g}°")
    return number


@dataclass(frozen=True)
class MeasuredRange:
    """A person's internal range per leg, measured by hand (goniometer).

    Attributes:
        internal_deg: Per leg, degrees from neutral (positive).
        created: ISO 8601 time it was stored.
    """

    internal_deg: dict[Side, float]
    created: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )

    def __post_init__(self) -> None:
        for deg in self.internal_deg.values():
            _measured(deg)

    @classmethod
    def parse(cls, text: str) -> MeasuredRange:
        """``"35,40"`` (left, right internal degrees); ``"35,"`` or ``",40"``
        for one leg. Raises ``ValueError`` with a message for the user."""
        parts = [p.strip() for p in text.split(",")]
        low, high = MEASURED_RANGE_DEG
        usage = (
            f"--range takes LEFT,RIGHT internal rotation in degrees, e.g. 35,40 "
            f"(one leg: 35, or ,40), each {low:g}-{high:g}; got {text!r}"
        )
        if len(parts) != 2 or not any(parts):
            raise ValueError(usage)
        values = {}
        for side, part in zip(Side, parts):
            if not part:
                continue
            try:
                values[side] = _measured(part.rstrip("°"))
            except ValueError:
                raise ValueError(usage) from None
        return cls(values)

    def updated(self, newer: MeasuredRange) -> MeasuredRange:
        """This range with ``newer``'s legs measured again: a leg measured
        once is kept until it is measured again (one leg at a time is how a
        goniometer is used)."""
        return MeasuredRange({**self.internal_deg, **newer.internal_deg}, newer.created)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MEASURED_FORMAT,
            "version": MEASURED_VERSION,
            "created": self.created,
            "internal_deg": {s.value: round(d, 1) for s, d in self.internal_deg.items()},
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "measured range") -> MeasuredRange:
        hint = MEASURED_HINT
        if not isinstance(data, dict) or data.get("format") != MEASURED_FORMAT:
            raise CalibrationError(f"{where}: not a hiprot measured range; {hint}")
        if data.get("version") != MEASURED_VERSION:
            raise CalibrationError(
                f"{where}: measured range version {data.get('version')!r} is not supported; {hint}"
            )
        try:
            internal = data["internal_deg"]
            values = {
                s: _measured(_json_number(internal[s.value])) for s in Side if s.value in internal
            }
        except (KeyError, TypeError, ValueError, OverflowError):
            raise CalibrationError(f"{where}: missing or invalid internal_deg; {hint}") from None
        return cls(values, str(data.get("created", "")))


def save_measured_range(measured: MeasuredRange, path: str | Path) -> Path:
    """Write atomically, like ``save_calibration``."""
    return _write_json(measured.to_dict(), Path(path), "the measured range")


def load_measured_range(path: str | Path) -> MeasuredRange | None:
    """The person's measured range; None when there is no such file."""
    path = Path(path)
    if not path.exists():
        return None
    data = _read_json(path, "measured range", MEASURED_HINT)
    return MeasuredRange.from_dict(data, str(path))


def person_measured_range(person: str) -> MeasuredRange | None:
    """The person's stored hand-measured range (``hiprot calibrate --range``), if any."""
    from hiprot.profiles import calibration_dir

    return load_measured_range(calibration_dir(person) / MEASURED_FILE_NAME)


def _read_json(path: Path, what: str, hint: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"{path}: cannot be read ({exc}); {hint}") from None
    try:
        return load_json(text)
    except (AbsurdNumber, json.JSONDecodeError) as exc:
        raise CalibrationError(f"{path}: corrupt {what} ({exc}); {hint}") from None


def save_calibration(calibration: Calibration, path: str | Path) -> Path:
    """Write atomically (temp file + rename), so a crash never leaves half a file."""
    return _write_json(calibration.to_dict(), Path(path), "the calibration")


def _write_json(data: dict[str, Any], path: Path, what: str) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, encoding="utf-8") as f:
            json.dump(data, f, indent=2)
    except OSError as exc:
        raise write_error(path, what, exc) from None
    return path


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration file; errors say how to recover."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalibrationError(
            f"{path}: no such calibration file; run `hiprot calibrate`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"{path}: cannot be read ({exc})") from None
    try:
        data = load_json(text)
    except AbsurdNumber as exc:
        raise CalibrationError(
            f"{path}: corrupt calibration ({exc}); run `hiprot calibrate` to make a new one"
        ) from None
    except json.JSONDecodeError as exc:
        raise CalibrationError(
            f"{path}: corrupt calibration (not valid JSON: {exc.msg}); "
            "run `hiprot calibrate` to make a new one"
        ) from None
    return Calibration.from_dict(data, str(path))


def setup_file_name(setup: dict[str, Any]) -> str:
    """A file name that identifies a camera set-up, e.g. ``camera-0-640x480.json``."""
    camera = "".join(c if c.isalnum() else "-" for c in str(setup.get("camera", "video")))
    return f"camera-{camera}-{setup.get('width', 0)}x{setup.get('height', 0)}.json"
