"""The person's neutral per leg, found from stillness and kept as JSON.

Angles from ``hiprot.angles`` are absolute in the leg's own frame; a person's
relaxed neutral has some natural turnout, different per leg and per set-up.
Calibration records that neutral (femur and foot angle per leg) so every
reported angle is "degrees from your neutral". Files are versioned JSON, one
per person and camera set-up, in the user's data folder
(``hiprot.profiles.calibration_dir``); the repository's ``calibration/``
holds the format's documentation and an example.
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.safe_io import AbsurdNumber, atomic_write, load_json, write_error

FORMAT_NAME = "hiprot-calibration"
FORMAT_VERSION = 1

#: Auto-neutral looks for the first period this long ...
STILL_MIN_S = 2.0
#: ... in which every foot angle stays this close to the period's median ...
STILL_TOLERANCE_DEG = 10.0
#: ... apart from excursions (or missing samples) no longer than this: pose
#: noise and its slow drift. The live countdown uses the same rule.
STILL_MAX_OUTLIER_S = 0.5


class CalibrationError(HiprotError):
    """A calibration file is missing, corrupt or from another set-up."""


@dataclass(frozen=True)
class LegNeutral:
    """Neutral angles of one leg, degrees in the leg frame of hiprot.angles."""

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


class StillRun:
    """The current run of still samples, one sample at a time and robust to
    pose noise: a sample is still when every judged channel is within
    ``tolerance_deg`` of the run's median; outliers (or missing samples)
    lasting longer than ``max_outlier_s`` end the run.

    A steady webcam's foot reading wanders a few degrees in a still second
    (MediaPipe's jitter and slow drift), so a plain peak-to-peak limit
    either misses real stillness or has to be wide enough to admit motion.
    """

    def __init__(
        self, tolerance_deg: float = STILL_TOLERANCE_DEG, max_outlier_s: float = STILL_MAX_OUTLIER_S
    ) -> None:
        self.tolerance_deg = tolerance_deg
        self.max_outlier_s = max_outlier_s
        self._span_s: tuple[float, float] | None = None  # first and last still sample
        # per channel, the run's values in order: the median of a long run
        # (minutes of stillness in a recording) without re-sorting it each sample
        self._sorted: list[list[float]] = []
        self._outlier_since: float | None = None

    def reset(self) -> None:
        self._span_s = None
        self._sorted = []
        self._outlier_since = None

    def add(
        self,
        t_s: float,
        judged: npt.NDArray[np.float64],
        carried: npt.NDArray[np.float64] | None = None,
    ) -> bool | None:
        """Add a sample: True when it joined the run, None when it is an
        outlier the run tolerates, False when it ended the run (a new one
        starts after it).

        ``judged`` channels (shape ``(k,)``) decide stillness; ``carried``
        ones only get a median.
        """
        values = judged if carried is None else np.concatenate([judged, carried])
        still = bool(np.all(np.isfinite(values)))
        if still and self._span_s is not None:
            deviation = np.abs(judged - self.median()[: len(judged)])
            still = bool(np.all(deviation <= self.tolerance_deg))
        if still:
            self._span_s = (self._span_s[0] if self._span_s else t_s, t_s)
            self._sorted = self._sorted or [[] for _ in values]
            for channel, value in zip(self._sorted, values):
                bisect.insort(channel, float(value))
            self._outlier_since = None
            return True
        if self._outlier_since is None:
            self._outlier_since = t_s
        if t_s - self._outlier_since <= self.max_outlier_s:
            return None
        self.reset()
        return False

    @property
    def duration_s(self) -> float:
        return self._span_s[1] - self._span_s[0] if self._span_s else 0.0

    def median(self) -> npt.NDArray[np.float64]:
        """Per channel (judged, then carried), the median over the run: ``(k + m,)``."""
        return np.array([(c[(len(c) - 1) // 2] + c[len(c) // 2]) / 2.0 for c in self._sorted])


def find_still_period(
    t_s: npt.ArrayLike,
    angles_deg: npt.ArrayLike,
    min_duration_s: float = STILL_MIN_S,
) -> tuple[int, int] | None:
    """The first period of at least ``min_duration_s`` in which every angle is
    still (``StillRun``: the live countdown's rule).

    Args:
        t_s: ``(n,)`` increasing times.
        angles_deg: ``(n, channels)`` angles; NaN (no measurement) is an outlier.
        min_duration_s: Shortest still period to accept.

    Returns:
        ``(start, stop)`` indices (stop exclusive, after the last still
        sample) of the first still period, extended while it stays still,
        or None.
    """
    t = np.asarray(t_s, dtype=np.float64)
    a = np.asarray(angles_deg, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    run = StillRun()
    start = last = None

    def settled_start() -> int | None:
        """The run's first sample from which it stays still for
        ``min_duration_s``, or None: a slow turn can creep along with the
        run's median, so the first ``min_duration_s`` from that sample must
        stay within the tolerance too (their middle 80%). A run whose opening
        crept (a knee settling) starts where the creep ended."""
        if start is None:
            return None
        # candidate starts a tenth of a second apart: minutes of noisy
        # stillness are tried in well under a second
        latest = t[last] - min_duration_s + 1e-9
        candidates = np.searchsorted(t, np.arange(t[start], latest, 0.1))
        for first in np.unique(candidates):
            stop = int(np.searchsorted(t, t[first] + min_duration_s, side="right"))
            window = a[first:stop]
            percentile = np.percentile if np.isfinite(window).all() else np.nanpercentile
            low, high = percentile(window, [10, 90], axis=0)
            if np.all(high - low <= run.tolerance_deg):
                return int(first)
        return None

    for i, (t_i, row) in enumerate(zip(t, a)):
        joined = run.add(float(t_i), row)
        if joined:
            start = i if start is None else start
            last = i
        elif joined is False:
            first = settled_start()
            if first is not None:
                break
            start = last = None
    else:
        first = settled_start()
    return None if first is None or last is None else (first, last + 1)


def neutral_from_still(
    femur_deg: dict[Side, npt.NDArray[np.float64]],
    foot_deg: dict[Side, npt.NDArray[np.float64]],
    period: tuple[int, int],
) -> dict[Side, LegNeutral]:
    """Median femur and foot angle per leg over a still period."""
    start, stop = period
    return {
        side: LegNeutral(
            float(np.nanmedian(femur_deg[side][start:stop])),
            float(np.nanmedian(foot_deg[side][start:stop])),
        )
        for side in femur_deg
    }
