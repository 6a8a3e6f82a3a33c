"""The person's neutral: its one owner, for review and live.

Every neutral hiprot measures comes from here: the first still period of a
recording (``auto_calibration``, ``first_still_neutral``) or of the live
countdown (``StillRun``, ``neutral_from_countdown``), the whole recording's
median as a fallback, and the neutral re-taken from the rests between reps
(``neutral_from_rests`` in review, ``rested_neutral`` live). It also turns
absolute readings into degrees from that neutral (``relative_to_neutral``).
The neutral's file format lives in ``hiprot.calibration``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.calibration import Calibration, LegNeutral
from hiprot.landmarks import Side
from hiprot.reading.geometry import (
    CameraView,
    LegAngles,
    femur_from_knee_ratio,
    knee_phase_deg,
    knee_reading_range,
)
from hiprot.reading.series import (
    ANCHOR_WINDOW_S,
    AngleSample,
    AngleSeries,
    angle_series,
    smooth_series,
    wrap_deg,
)
from hiprot.types import PoseFrame

#: Auto-neutral looks for the first period this long ...
STILL_MIN_S = 2.0
#: ... in which every judged angle stays this close to the period's median
#: (live's countdown; the auto-neutral widens it to each reading's noise
#: floor, ``still_tolerances``) ...
STILL_TOLERANCE_DEG = 10.0
#: ... apart from excursions (or missing samples) no longer than pose noise
#: makes. The live countdown uses the same rule.
STILL_MAX_OUTLIER_S = drill.NOISE_EXCURSION_MAX_S


class StillRun:
    """The current run of still samples, one sample at a time and robust to
    pose noise: a sample is still when every judged channel is within
    ``tolerance_deg`` (one for all, or one per judged channel) of the run's
    median; outliers (or missing samples)
    lasting longer than ``max_outlier_s`` end the run.

    A steady webcam's foot reading wanders a few degrees in a still second
    (MediaPipe's jitter and slow drift), so a plain peak-to-peak limit
    either misses real stillness or has to be wide enough to admit motion.
    """

    def __init__(
        self,
        tolerance_deg: float | npt.NDArray[np.float64] = STILL_TOLERANCE_DEG,
        max_outlier_s: float = STILL_MAX_OUTLIER_S,
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

    @property
    def start_s(self) -> float | None:
        """When the run began (None: no run)."""
        return self._span_s[0] if self._span_s else None

    def median(self) -> npt.NDArray[np.float64]:
        """Per channel (judged, then carried), the median over the run: ``(k + m,)``."""
        return np.array([(c[(len(c) - 1) // 2] + c[len(c) // 2]) / 2.0 for c in self._sorted])


def find_still_period(
    t_s: npt.ArrayLike,
    angles_deg: npt.ArrayLike,
    min_duration_s: float = STILL_MIN_S,
    tolerance_deg: float | npt.NDArray[np.float64] = STILL_TOLERANCE_DEG,
) -> tuple[int, int] | None:
    """The first period of at least ``min_duration_s`` in which every angle is
    still (``StillRun``: the live countdown's rule).

    Args:
        t_s: ``(n,)`` increasing times.
        angles_deg: ``(n, channels)`` angles; NaN (no measurement) is an outlier.
        min_duration_s: Shortest still period to accept.
        tolerance_deg: How far a still angle may stray, for all channels or
            ``(channels,)`` one each.

    Returns:
        ``(start, stop)`` indices (stop exclusive, after the last still
        sample) of the first still period, extended while it stays still,
        or None.
    """
    t = np.asarray(t_s, dtype=np.float64)
    a = np.asarray(angles_deg, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    run = StillRun(tolerance_deg)
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
    """Median femur and foot angle per leg (``(n,)`` each) over a still
    period, frames ``[start, stop)``."""
    start, stop = period
    return {
        side: LegNeutral(
            float(np.nanmedian(femur_deg[side][start:stop])),
            float(np.nanmedian(foot_deg[side][start:stop])),
        )
        for side in femur_deg
    }


def neutral_from_countdown(
    run: StillRun,
    sides: Sequence[Side],
    kept: Calibration | None,
    absolute: AngleSample,
) -> Calibration:
    """The neutral live's countdown took: per worked leg the median femur
    and foot reading over the still ``run`` (fed ``(foot per side, femur
    per side)`` of ``sides``, the feet judged); a leg not worked keeps its
    ``kept`` neutral, or else its current ``absolute`` reading (0 where
    unmeasured). Its ``setup`` says when the still run began
    (``still_from_s``, as ``auto_calibration``'s).

    The feet alone are judged, within ``STILL_TOLERANCE_DEG``, not
    ``still_period``'s feet and knees on their noise floor: the countdown
    ends the run at its length, so it cannot run on into the set, and a
    knee creeping after tracking starts would restart it."""
    median = run.median()
    n = len(sides)
    neutral = {
        side: LegNeutral(float(median[n + k]), float(median[k])) for k, side in enumerate(sides)
    }
    for side in Side:
        if side not in neutral:
            leg = absolute.legs[side]
            neutral[side] = (kept.neutral[side] if kept else None) or LegNeutral(
                *(x if math.isfinite(x) else 0.0 for x in (leg.femur_deg, leg.foot_deg))
            )
    return Calibration(neutral, method="file", setup={"still_from_s": run.start_s})


#: Auto-neutral: the median over the last this many seconds of the first
#: still period, where MediaPipe's knee has settled.
_NEUTRAL_LAST_S = 2.0


def still_readings(series: AngleSeries) -> npt.NDArray[np.float64]:
    """``(n, 4)``: the readings the auto-neutral's still period is judged on,
    both feet and both femurs (the image knee readings).

    The feet alone are not enough: where a foot's image angle hardly turns
    with the leg (small reps, the far foot, a low view) a still period
    judged on the feet runs on into the set, and the neutral taken from
    its end is mid-set (docs/generalization.md, "Why the webcam copies
    miscount").
    """
    feet = [series.legs[s].foot_deg for s in Side]
    return np.stack(feet + [series.legs[s].femur_deg for s in Side], 1)


def still_tolerances(t_s: npt.ArrayLike, readings: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Per channel of ``(n, channels)`` readings at times ``t_s``, how far a still one may
    stray: the rep floor on its own readings (``rep_excursion``: the wider
    of ``REP_MIN_EXCURSION_DEG`` and ``REP_EXCURSION_JITTER_RATIO`` times
    its jitter). Within it a reading does nothing a rep could be told from,
    so a webcam's noisy foot or knee still finds its still start."""
    # judgements reads through the neutral (relative_to_neutral): imported late
    from hiprot.reading.judgements import rep_excursion

    a = np.asarray(readings, dtype=np.float64)
    return np.array([rep_excursion(t_s, a[:, k]) for k in range(a.shape[1])])


def still_period(series: AngleSeries) -> tuple[int, int] | None:
    """The auto-neutral's still period (``find_still_period``): the first in
    which the feet and the knees (``still_readings``) are each still within
    their noise floor (``still_tolerances``); None if there is none."""
    readings = still_readings(series)
    return find_still_period(
        series.t_s, readings, tolerance_deg=still_tolerances(series.t_s, readings)
    )


def auto_calibration(series: AngleSeries) -> Calibration | None:
    """Neutral from the first still period (``still_period``: >= 2 s, the
    feet and the knees quiet), or None.

    The image femur reading (the knee's offset) can creep for seconds after
    MediaPipe starts tracking while the person lies still: the period
    starts where the creep settled (``find_still_period``), and the neutral
    is the median over its last ``_NEUTRAL_LAST_S`` (docs/counting.md, "How
    the judgements were chosen").
    """
    return calibration_from_still(series, still_period(series))


def calibration_from_still(
    series: AngleSeries, period: tuple[int, int] | None
) -> Calibration | None:
    """The auto-neutral over the last ``_NEUTRAL_LAST_S`` of a still
    ``period`` (``(start, stop)`` indices of ``series``); None without one."""
    if period is None:
        return None
    settled = int(np.searchsorted(series.t_s, series.t_s[period[1] - 1] - _NEUTRAL_LAST_S))
    period = (max(period[0], settled), period[1])
    neutral = neutral_from_still(
        {s: series.legs[s].femur_deg for s in Side},
        {s: series.legs[s].foot_deg for s in Side},
        period,
    )
    return Calibration(neutral, method="auto", setup={"still_from_s": float(series.t_s[period[0]])})


def median_calibration(series: AngleSeries) -> Calibration:
    """Fallback neutral: each angle's median over the whole recording."""
    neutral = {
        side: LegNeutral(float(np.nanmedian(a.femur_deg)), float(np.nanmedian(a.foot_deg)))
        for side, a in series.legs.items()
    }
    return Calibration(neutral, method="auto", setup={"still_from_s": None})


def neutral_from_rests(
    series: AngleSeries,
    calibration: Calibration,
    rep_windows: dict[Side, Sequence[tuple[float, float]]],
    worked: Sequence[Side] = tuple(Side),
) -> Calibration:
    """The worked legs' neutral re-taken from every moment they rest between reps.

    MediaPipe's 2D knee does not come back to the same place after a rep: its
    offset at rest can settle 10-60% of the neutral reading away from where
    it was in the opening still period, most from the 60° view, where the
    neutral offset is small; and a few seconds of still start under webcam
    jitter and drift are a noisier neutral than the whole set's rests. The
    median reading outside the counted reps (the opening still period, the
    rests, the end; not the set-up before the still period the neutral
    came from) is the neutral the rest of the set is actually measured
    from, for the femur and the foot. Idle legs keep their neutral, and so
    does an image femur whose new reading would be no knee (``_retaken``).

    Args:
        series: Absolute angles (``angle_series``, smoothed).
        calibration: The first neutral, that the reps were counted with.
        rep_windows: Per leg, the counted reps' (start_s, end_s).
        worked: The legs doing reps.
    """
    neutral = dict(calibration.neutral)
    settled_from_s = calibration.setup.get("still_from_s") or -math.inf
    for side in worked:
        reading = series.legs[side].femur_deg
        rest = np.isfinite(reading) & (series.t_s >= settled_from_s)
        for start_s, end_s in rep_windows.get(side, ()):
            rest &= (series.t_s < start_s) | (series.t_s > end_s)
        first = calibration.neutral[side]
        neutral[side] = rested_neutral(
            first,
            reading[rest],
            series.legs[side].foot_deg[rest],
            first.femur_deg if series.estimator == "image" else None,
        )
    return replace(calibration, neutral=neutral)


def rested_neutral(
    kept: LegNeutral,
    femur_rests: npt.ArrayLike,
    foot_rests: npt.ArrayLike,
    first_knee_deg: float | None,
) -> LegNeutral:
    """One leg's neutral re-taken from its readings at rest (``(n,)`` each,
    NaN ignored): the median of each, where there are at least
    ``_REST_MIN_FRAMES``, else ``kept``'s (a foot lost at rest keeps its
    neutral). ``first_knee_deg``: the image knee reading the neutral started
    from, that a re-taken one must not turn round (``_retaken``); None for
    the world estimator's femur, taken as it rests.
    """
    femur, foot = (np.asarray(a, dtype=np.float64) for a in (femur_rests, foot_rests))
    femur, foot = femur[np.isfinite(femur)], foot[np.isfinite(foot)]
    femur_deg, foot_deg = kept.femur_deg, kept.foot_deg
    if len(femur) >= _REST_MIN_FRAMES:
        femur_deg = float(np.median(femur))
        if first_knee_deg is not None:
            femur_deg = _retaken(first_knee_deg, femur_deg)
    if len(foot) >= _REST_MIN_FRAMES:
        foot_deg = float(np.median(foot))
    return LegNeutral(femur_deg, foot_deg)


#: Fewer resting samples than this (half a second at 30 frames/s; 3 s live,
#: where they are thinned, ``hiprot.reading.running.THIN_EVERY_S``): keep
#: the first neutral.
_REST_MIN_FRAMES = 15


def _retaken(first: float, rested: float) -> float:
    """The re-taken neutral knee reading, unless it crossed the hip->ankle
    line (that would turn the leg's direction round) or left
    ``_KNEE_NEUTRAL_BOUNDS``: then the first one."""
    same_side = np.sign(rested) == np.sign(first) and first != 0
    in_bounds = _KNEE_NEUTRAL_BOUNDS[0] <= abs(rested) <= _KNEE_NEUTRAL_BOUNDS[1]
    return rested if same_side and in_bounds else first


#: Bounds of the neutral knee reading (nominal degrees, ``image_leg_angles``):
#: a knee offset at neutral outside 0.25-4x the nominal one is more likely a
#: tracking fault than a knee.
_KNEE_NEUTRAL_BOUNDS = (np.degrees(1.0) / 4.0, np.degrees(1.0) * 4.0)


def knee_neutral(
    calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> dict[Side, float]:
    """Each leg's signed neutral knee reading, with one shared magnitude.

    The knee's sideways swing per degree of femur rotation grows with its
    offset from the hip->ankle line at neutral, i.e. with the knee bend.
    Knees bent alike share the magnitude, since MediaPipe places a single
    knee a few pixels off: the worked legs always, and an idle leg only if
    its reading is within a factor of two of theirs (still on the wall, as
    in the one-leg renders), not when it rests off the wall bent any
    amount. A reading of exactly 0 is a placeholder, never a measured knee.
    0 when there is no neutral yet.
    """
    readings = {
        s: abs(n.femur_deg)
        for s, n in calibration.neutral.items()
        if np.isfinite(n.femur_deg) and n.femur_deg != 0
    }
    own = [v for s, v in readings.items() if s in worked]
    if not own:
        return {side: 0.0 for side in Side}
    alike = [v for s, v in readings.items() if s not in worked and 0.5 <= v / np.mean(own) <= 2.0]
    magnitude = float(np.mean(own + alike))
    magnitude = float(np.clip(magnitude, *_KNEE_NEUTRAL_BOUNDS))
    signs = {s: 1.0 if n.femur_deg >= 0 else -1.0 for s, n in calibration.neutral.items()}
    return {side: magnitude * signs.get(side, 1.0) for side in Side}


def femur_from_reading(
    reading: npt.ArrayLike, neutral: float, offset: float, phase_deg: float
) -> npt.NDArray[np.float64]:
    """Image femur reading (nominal degrees) -> degrees from neutral.

    Args:
        reading: ``image_leg_angles`` femur values.
        neutral: The leg's neutral reading.
        offset: ``knee_neutral`` for the leg; 0 keeps nominal degrees.
        phase_deg: ``knee_phase_deg`` for the leg.
    """
    change = np.asarray(reading, dtype=np.float64) - neutral  # an offset, not an angle
    if offset == 0:
        return change
    return femur_from_knee_ratio(1.0 + change / offset, float(np.sign(offset)), phase_deg)


def femur_range(
    series: AngleSeries, calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> dict[Side, tuple[float, float] | None]:
    """Per leg, the (lowest, highest) femur angle the image estimator can read
    with this neutral (``knee_reading_range``); None where there is no limit
    (the 3D estimator, or no neutral yet)."""
    if series.estimator != "image":
        return {side: None for side in Side}
    return knee_limits(knee_neutral(calibration, worked), series.near, series.view)


def knee_limits(
    offsets: Mapping[Side, float], near: Side | None, view: CameraView
) -> dict[Side, tuple[float, float] | None]:
    """Per leg, the (lowest, highest) femur angle its knee's reading can give
    (``knee_reading_range``) from its ``knee_neutral`` offset, with ``near``
    the leg nearer the camera and ``view`` the camera's; None where the
    offset is 0 (no neutral yet). Review's (``femur_range``) and live's."""
    return {
        side: knee_reading_range(float(np.sign(offset)), knee_phase_deg(side, near, view))
        if offset
        else None
        for side, offset in offsets.items()
    }


#: A peak within this of the view's limit counts as at the limit.
_AT_LIMIT_DEG = 0.5


def at_limit(peak_deg: float | None, limit_deg: float | None) -> bool:
    """Whether a leg's best rotation one way is as far as the view can read."""
    return (
        peak_deg is not None
        and limit_deg is not None
        and abs(peak_deg - limit_deg) <= _AT_LIMIT_DEG
    )


def relative_to_neutral(
    series: AngleSeries, calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> AngleSeries:
    """Subtract each leg's neutral: 0 = the person's relaxed neutral.

    Image femur readings are turned into degrees with the knee's circle
    (``femur_from_reading``). Foot angles stay in their raw scale until
    ``fit_foot_to_femur``.
    """
    offsets = knee_neutral(calibration, worked) if series.estimator == "image" else None

    def shift(side: Side, a: LegAngles) -> LegAngles:
        n = calibration.neutral[side]
        if offsets is None:
            femur = wrap_deg(a.femur_deg - n.femur_deg)
        else:
            phase = knee_phase_deg(side, series.near, series.view)
            femur = femur_from_reading(a.femur_deg, n.femur_deg, offsets[side], phase)
        foot = wrap_deg(a.foot_deg - n.foot_deg)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return series.map_legs(shift)


#: ``first_still_neutral`` trusts a still period once this much has been
#: read past its end: beyond the smoothing window and the still rule's
#: tolerated blip (``STILL_MAX_OUTLIER_S``), so the end is really the end ...
STILL_LOOK_AHEAD_S = 2.0
#: ... or once the person has been still this long.
STILL_ENOUGH_S = 10.0


def first_still_neutral(
    pose_frames: Iterable[PoseFrame],
    size_wh: tuple[int, int],
    on_frame: Callable[[], None] | None = None,
) -> tuple[Calibration | None, tuple[float, float] | None, int]:
    """The neutral from the first still period, reading no further than needed.

    Once the still period is found (``STILL_LOOK_AHEAD_S`` past its end, or
    ``STILL_ENOUGH_S`` into it), reading goes on for half of
    ``ANCHOR_WINDOW_S`` past its end and stops: the image reading's steady
    hip and ankle points are a running median over that window, so the
    neutral is the one the whole recording gives (the still rule's noise
    floors measured on what was read), and a still start of a ten-minute
    video reads about a minute of it.

    Returns:
        ``(calibration, (still_from_s, still_until_s), frames_read)``; the
        first two are None when no still period was found in the whole source.
    """
    frames: list[PoseFrame] = []
    next_check_s = STILL_MIN_S
    read_until_s = math.inf

    def look() -> tuple[Calibration | None, tuple[float, float] | None]:
        series = smooth_series(angle_series(frames, size_wh))
        period = still_period(series)
        if period is None:
            return None, None
        span = (float(series.t_s[period[0]]), float(series.t_s[period[1] - 1]))
        return calibration_from_still(series, period), span

    for pose_frame in pose_frames:
        frames.append(pose_frame)
        if on_frame is not None:
            on_frame()
        if pose_frame.t_s >= read_until_s:
            break
        if pose_frame.t_s < next_check_s or read_until_s < math.inf:
            continue
        next_check_s = pose_frame.t_s + 0.5  # half-second steps keep the re-reads cheap
        if not any(p.has_pose for p in frames):
            continue
        _, span = look()
        if span is not None and (
            pose_frame.t_s - span[1] >= STILL_LOOK_AHEAD_S or span[1] - span[0] >= STILL_ENOUGH_S
        ):
            read_until_s = span[1] + ANCHOR_WINDOW_S / 2
    if not any(p.has_pose for p in frames):
        return None, None, len(frames)
    found, span = look()
    return found, span, len(frames)
