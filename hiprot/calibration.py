"""The person's neutral per leg, found from stillness and kept as JSON.

Angles from ``hiprot.reading.geometry`` are absolute in the leg's own frame; a person's
relaxed neutral has some natural turnout, different per leg and per set-up.
Calibration records that neutral (femur and foot angle per leg) so every
reported angle is "degrees from your neutral". Files are versioned JSON, one
per person and camera set-up, in the user's data folder
(``hiprot.profiles.calibration_dir``); the repository's ``calibration/``
holds the format's documentation and an example.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.safe_io import AbsurdNumber, atomic_write, load_json, write_error

FORMAT_NAME = "hiprot-calibration"
FORMAT_VERSION = 1


class CalibrationError(HiprotError):
    """A calibration file is missing, corrupt or from another set-up."""


@dataclass(frozen=True)
class LegNeutral:
    """Neutral angles of one leg, degrees in the leg frame of hiprot.reading.geometry."""

    femur_deg: float
    foot_deg: float


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
    """

    neutral: dict[Side, LegNeutral]
    method: str = "file"
    setup: dict[str, Any] = field(default_factory=dict)
    created: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )

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
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "calibration") -> Calibration:
        hint = "run `hiprot calibrate` to make a new one"
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise CalibrationError(f"{where}: not a hiprot calibration file; {hint}")
        if data.get("version") != FORMAT_VERSION:
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
        return cls(neutral, str(data.get("method", "file")), setup, str(data.get("created", "")))

    def check_setup(self, setup: dict[str, Any], where: str = "calibration") -> None:
        """Raise if this calibration was taken with another camera set-up."""
        for key in ("camera", "width", "height"):
            if key in self.setup and key in setup and self.setup[key] != setup[key]:
                raise CalibrationError(
                    f"{where}: taken with {key}={self.setup[key]!r}, but this session has "
                    f"{key}={setup[key]!r}; run `hiprot calibrate` for this set-up"
                )


#: A neutral is an angle: beyond a full turn it is damage, not a calibration.
MAX_NEUTRAL_DEG = 360.0


def _finite(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    number = float(value)
    if not (math.isfinite(number) and abs(number) <= MAX_NEUTRAL_DEG):
        raise ValueError("not a finite angle within a turn")
    return number


def save_calibration(calibration: Calibration, path: str | Path) -> Path:
    """Write atomically (temp file + rename), so a crash never leaves half a file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, encoding="utf-8") as f:
            json.dump(calibration.to_dict(), f, indent=2)
    except OSError as exc:
        raise write_error(path, "the calibration", exc) from None
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
