"""Review a recorded set: PoseFrames -> angles -> calibration -> reps -> summary.

The same stages as live mode, run over a whole recording: smoothing can look
ahead (zero-phase) and the neutral can come from the recording's first still
period when no calibration file is given. Only frames in the drill's
position count (``hiprot.reading.position``): frames with no worked leg in it are
read as frames without a person, and each leg's samples are gated by its
own position. A recording that never shows the position counts nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field, replace

import numpy as np
import numpy.typing as npt

from hiprot import findings
from hiprot.bilateral import BilateralCounter
from hiprot.calibration import Calibration, LegRange, MeasuredRange, paired_ranges
from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.reading.foot import fit_foot_to_femur
from hiprot.reading.geometry import SIDE_ON_RATIO, LegAngles
from hiprot.reading.guided import guided_moves, guided_ranges, guided_span, held_reading
from hiprot.reading.judgements import (
    flat_femurs,
    hold_bands,
    jittery_knees,
    motionless_legs,
    rep_excursions,
    still_feet,
)
from hiprot.reading.neutral import (
    at_limit,
    calibration_from_still,
    femur_range,
    median_calibration,
    neutral_from_rests,
    relative_to_neutral,
    still_period,
)
from hiprot.reading.position import Gate, PositionSeries, position_series
from hiprot.reading.series import AngleSeries, angle_series, gated, samples, smooth_series
from hiprot.reading.size import LegLength, leg_sizes, short_legs
from hiprot.report import small_leg
from hiprot.reps import Mode, Rep, in_sets, min_confidence
from hiprot.session import CalibrationInfo, SessionSummary, Tracking
from hiprot.types import PoseFrame


@dataclass(frozen=True)
class Review:
    """The analysed set.

    Attributes:
        series: Smoothed angles relative to the neutral, per leg.
        calibration: The neutral used (from a file, or found automatically).
        reps: Counted reps of the worked legs, in start order.
        summary: The ``hiprot-session`` summary.
        femur_range_deg: Per leg, the (lowest, highest) femur angle this
            view can read (``hiprot.reading.neutral.femur_range``); None when there
            is no such limit (the 3D estimator).
        foot_driven: Legs whose knee reading was too jittery to drive the
            rep count, so their foot drove it (``hiprot.reading.judgements.jittery_knees``).
        position: Per leg and frame, the drill position (``hiprot.reading.position``).
        leg_px: Per leg, its length in the picture while in position
            (``hiprot.reading.size.leg_lengths_px``); None: not measured.
        unseen: The legs the model did not see clearly while in position
            (``hiprot.reading.size.unseen_legs``).
        ranges: Per worked leg, its range (``hiprot.calibration.LegRange``):
            the guided move's readings (this recording's, else the
            calibration file's) and the hand-measured range. Where both are
            known (``LegRange.in_scale``), the internal side of ``series``'
            femur, the reps' peaks and the readable limit are in degrees;
            elsewhere they are MediaPipe's image degrees.
        guided_s: The guided move at the start of this recording, not
            counted as a rep; None: it has none.
    """

    series: AngleSeries
    calibration: Calibration
    reps: tuple[Rep, ...]
    summary: SessionSummary
    femur_range_deg: dict[Side, tuple[float, float] | None]
    foot_driven: frozenset[Side]
    position: PositionSeries | None = None
    leg_px: dict[Side, float | None] | None = None
    ranges: dict[Side, LegRange] = field(default_factory=dict)
    guided_s: tuple[float, float] | None = None
    unseen: frozenset[Side] = frozenset()

    @property
    def scaled_legs(self) -> frozenset[Side]:
        """The worked legs whose internal rotation is in degrees (a known scale)."""
        return frozenset(s for s, r in self.ranges.items() if r.in_scale is not None)

    @property
    def small_legs(self) -> dict[Side, LegLength]:
        """The worked legs too small in the picture, with their length."""
        worked = self.summary.mode.sides
        return short_legs(self.leg_px or {}, worked=worked, unseen=self.unseen)


#: Rounds of re-taking the neutral from the rests and counting again: the
#: rests come from the reps, and the reps from the neutral (two chosen on
#: the synthetic tuning seeds, benchmarks/accuracy_reps.py).
_REST_ROUNDS = 2


def _count(
    series: AngleSeries,
    calibration: Calibration,
    mode: Mode,
    foot_driven: frozenset[Side],
    position: PositionSeries,
    pose_model: str = "full",
    guided_s: tuple[float, float] | None = None,
    at_rest: dict[Side, npt.NDArray[np.bool_]] | None = None,
) -> tuple[AngleSeries, tuple[Rep, ...]]:
    """Angles relative to the neutral, and the reps counted on them (none in
    the guided move, ``guided_s``: it is out of position for the counter).
    Each leg's rep floor is its jitter on its ``at_rest`` samples (``(n,)``
    bool: in position up to the still start's end), where given: as live
    judges it."""
    relative = fit_foot_to_femur(relative_to_neutral(series, calibration, mode.sides))
    counter = BilateralCounter(
        mode,
        near=series.near if series.estimator == "image" else None,
        min_confidence=min_confidence(pose_model),
        foot_driven=foot_driven,
        hold_band_deg=hold_bands(relative),
        excursion_deg=rep_excursions(relative, foot_driven, at_rest),
    )
    frame_samples = samples(relative)
    for i, sample in enumerate(frame_samples):
        guided = guided_s is not None and guided_s[0] <= sample.t_s <= guided_s[1]
        gates = {side: Gate.OUT if guided else position.gate[side][i] for side in mode.sides}
        counter.update(gated(sample, gates))
    counter.finish(frame_samples[-1].t_s)
    return relative, tuple(counter.reps)


def review_pose_frames(
    pose_frames: Sequence[PoseFrame],
    source: str,
    mode: Mode | str = Mode.BOTH,
    calibration: Calibration | None = None,
    *,
    size_wh: tuple[int, int],
    estimator: str = "image",
    pose_model: str = "full",
    measured: MeasuredRange | None = None,
    has_move: bool = True,
) -> Review:
    """Analyse a whole recording's PoseFrames (pure: no I/O).

    Args:
        pose_frames: The recording, in time order.
        source: Its name, for messages and the summary.
        mode: Which legs the set works.
        calibration: A saved neutral; None takes it from the recording's
            first still period. Either way the neutral is then re-taken
            from the rests between reps (``neutral_from_rests``);
            ``Review.calibration`` is that one.
        size_wh: Pixel size of the frames the landmarks came from.
        estimator: ``"image"`` or ``"world"`` (``hiprot.reading.series.angle_series``).
        pose_model: The landmark model that made ``pose_frames`` (``"full"``,
            ``"heavy"``): the reading is fitted to it, and the summary names it.
        measured: The person's internal range per leg measured by hand; with
            a guided move (in this recording, else in ``calibration``) it
            puts the internal rotation on a scale of degrees
            (``Review.ranges``).
        has_move: False: the recording cannot hold a guided move (a live
            set that live did not ask for one in), so none is looked for
            and none can take a rep; a calibration's move still gives the scale.

    Raises:
        HiprotError: no frames, or no person in any of them.
    """
    # NaN-aware statistics over stretches where a leg is not seen are
    # expected; numpy's RuntimeWarnings about them say nothing to a user
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _review(
            pose_frames,
            source,
            mode,
            calibration,
            size_wh,
            estimator,
            pose_model,
            measured,
            has_move,
        )


def _review(
    pose_frames: Sequence[PoseFrame],
    source: str,
    mode: Mode | str,
    calibration: Calibration | None,
    size_wh: tuple[int, int],
    estimator: str,
    pose_model: str,
    measured: MeasuredRange | None = None,
    has_move: bool = True,
) -> Review:
    mode = Mode(mode)
    if not pose_frames:
        raise HiprotError(f"{source}: no frames to analyse")
    frames_with_pose = sum(f.has_pose for f in pose_frames)
    if frames_with_pose == 0:
        raise HiprotError(f"{source}: no person was found in any frame")
    position = position_series(pose_frames, size_wh)
    in_position = {side: position.time_in_s[side] for side in mode.sides}
    if not position.seen(mode.sides):
        findings.NOT_IN_POSITION.warn(source)
        return _not_the_drill(
            pose_frames, source, mode, calibration, size_wh, estimator, position, pose_model
        )
    sizes = leg_sizes(pose_frames, size_wh, position.in_position)
    leg_px, unseen = sizes.lengths, sizes.unseen
    for side, length in sorted(short_legs(leg_px, worked=mode.sides, unseen=unseen).items()):
        finding, params = small_leg(side, length)
        finding.warn(source, **params)
    raw = angle_series(pose_frames, size_wh, estimator, pose_model)
    series = smooth_series(raw)
    _warn_if_side_on(source, series)
    file_calibration = calibration
    # the first still period in position: the auto-neutral's, and the rep
    # floor's rest (``rep_excursions``) whatever the neutral's source
    placed = _in_position_only(series, position, mode.sides)
    still = still_period(placed)
    still_end_s = None if still is None else float(series.t_s[still[1] - 1])
    at_rest = None
    if still_end_s is not None:
        at_rest = {s: (series.t_s <= still_end_s) & position.tracked[s] for s in Side}
    if calibration is None:
        calibration = _auto_neutral(source, series, placed, still)
    # looked for only when a measured range can use it: a set whose first
    # rep pauses long at the outward end would lose that rep to a false find
    hand = has_move and (
        measured is not None
        or any(
            r.measured_in_deg is not None
            for r in (file_calibration or Calibration.zero()).ranges.values()
        )
    )
    after_s = still_end_s if hand else None
    moves = {}
    if after_s is not None:
        first = relative_to_neutral(series, calibration, mode.sides)
        moves = guided_moves(first, after_s, mode.sides)
    guided_s = guided_span(moves)
    calibration, foot_driven, relative, reps = _count_with_rests(
        raw, series, calibration, mode, position, pose_model, guided_s, at_rest
    )
    reps = in_sets(reps)  # a lone turn lying still is noise, not a set (when on)
    flat = flat_femurs(series, calibration, mode.sides)
    foot_driven -= flat  # read from the foot already
    _warn_flat_and_jittery(source, flat, foot_driven)
    _warn_uncounted(
        source, mode, reps, motionless_legs(relative, mode.sides), still_feet(relative, foot_driven)
    )
    limits = femur_range(series, calibration, mode.sides)
    # found on the first neutral (the count needs it), read on the rests' one
    reread = {s: m.read(relative.t_s, relative.legs[s].femur_deg) for s, m in moves.items()}
    moves = {side: move for side, move in reread.items() if move is not None}
    # this recording's move, else the file's (same set-up), with the
    # person's hand measurement, else the file's
    stored = {} if file_calibration is None else file_calibration.ranges
    ranges = paired_ranges(stored, measured, mode.sides, guided_ranges(moves, limits))
    ranges = _past_range(_capped_peaks(ranges, reps, limits), reps, relative)
    relative, reps, limits = _in_degrees(relative, reps, limits, ranges)
    tracking = Tracking(len(series), frames_with_pose, pose_model)
    summary = _summary(source, series, mode, calibration, tracking, reps, in_position)
    return Review(
        relative,
        calibration,
        reps,
        summary,
        limits,
        foot_driven,
        position,
        leg_px,
        ranges,
        guided_s if moves else None,
        unseen,
    )


def _capped_peaks(
    ranges: dict[Side, LegRange],
    reps: tuple[Rep, ...],
    limits: dict[Side, tuple[float, float] | None],
) -> dict[Side, LegRange]:
    """A leg whose best rep reads the view's limit turned at least that far:
    scaling a lower bound gives no degrees, so it keeps image degrees (capped)."""
    out = dict(ranges)
    for side, leg in ranges.items():
        best = max((r.peak_internal_deg for r in reps if r.leg is side), default=None)
        limit = limits.get(side)
        if limit is not None and at_limit(best, limit[1]):
            out[side] = replace(leg, in_capped=True)
    return out


def _past_range(
    ranges: dict[Side, LegRange], reps: tuple[Rep, ...], relative: AngleSeries
) -> dict[Side, LegRange]:
    """A leg with a rep told past what its hand measurement allows
    (``LegRange.is_past_range``) keeps image degrees: its scale or its
    reading is off, and a number in degrees would look measured."""
    out = dict(ranges)
    for side, leg in ranges.items():
        if any(leg.is_past_range(_held(relative, r)) for r in reps if r.leg is side):
            out[side] = replace(leg, past_range=True)
    return out


def _held(relative: AngleSeries, rep: Rep) -> float | None:
    """The internal reading a rep is told at: the reading it held
    (``held_reading``), else its peak (a one-frame extreme is noise, multiplied)."""
    held = held_reading(relative.t_s, relative.legs[rep.leg].femur_deg, rep.hold_span_s)
    return rep.peak_internal_deg if held is None else held


def _in_degrees(
    relative: AngleSeries,
    reps: tuple[Rep, ...],
    limits: dict[Side, tuple[float, float] | None],
    ranges: dict[Side, LegRange],
) -> tuple[AngleSeries, tuple[Rep, ...], dict[Side, tuple[float, float] | None]]:
    """The internal side of each leg with a known scale in degrees: its femur
    reading, its reps' peaks and its readable limit. Counting is done by then:
    the counter's thresholds stay on the reading it was tuned on. A rep's
    peak in degrees is the reading it held (``held_reading``), the move's
    ends being read the same way: a one-frame extreme is noise, multiplied."""
    scales = {s: r.in_scale for s, r in ranges.items() if r.in_scale is not None}
    if not scales:
        return relative, reps, limits

    def scaled(side: Side, a: LegAngles) -> LegAngles:
        if side not in scales:
            return a
        femur = np.where(a.femur_deg > 0, a.femur_deg * scales[side], a.femur_deg)
        return replace(a, femur_deg=femur)

    def peak(r: Rep) -> float | None:
        return ranges[r.leg].internal_deg(_held(relative, r))

    reps = tuple(replace(r, peak_internal_deg=peak(r)) if r.leg in scales else r for r in reps)
    limits = dict(limits)
    for side in scales:
        limit = limits.get(side)
        if limit is not None:
            limits[side] = (limit[0], ranges[side].internal_deg(limit[1]))
    return relative.map_legs(scaled), reps, limits


def _count_with_rests(
    raw: AngleSeries,
    series: AngleSeries,
    calibration: Calibration,
    mode: Mode,
    position: PositionSeries,
    pose_model: str,
    guided_s: tuple[float, float] | None = None,
    at_rest: dict[Side, npt.NDArray[np.bool_]] | None = None,
) -> tuple[Calibration, frozenset[Side], AngleSeries, tuple[Rep, ...]]:
    """Count, re-take the neutral from the rests between the reps, count
    again (``_REST_ROUNDS``): (neutral, foot-driven legs, relative angles, reps).
    The guided move (``guided_s``) is neither a rep nor a rest; each leg's
    rep floor is measured on its ``at_rest`` samples (``_count``)."""
    foot_driven = jittery_knees(raw, calibration, mode.sides)
    relative, reps = _count(
        series, calibration, mode, foot_driven, position, pose_model, guided_s, at_rest
    )
    for _ in range(_REST_ROUNDS):
        windows = {side: [(r.start_s, r.end_s) for r in reps if r.leg is side] for side in Side}
        if guided_s is not None:
            windows = {side: [*w, guided_s] for side, w in windows.items()}
        calibration = neutral_from_rests(series, calibration, windows, mode.sides)
        foot_driven = jittery_knees(raw, calibration, mode.sides)
        relative, reps = _count(
            series, calibration, mode, foot_driven, position, pose_model, guided_s, at_rest
        )
    return calibration, foot_driven, relative, reps


def _warn_if_side_on(source: str, series: AngleSeries) -> None:
    if series.estimator == "image" and series.view_ratio < SIDE_ON_RATIO:
        findings.SIDE_ON.warn(source)


def _auto_neutral(
    source: str, series: AngleSeries, placed: AngleSeries, still: tuple[int, int] | None
) -> Calibration:
    """The neutral from the first still period in position (``still`` of
    ``placed``, the series in position only), else the median."""
    # the neutral is taken lying still in position, not before getting into it
    calibration = calibration_from_still(placed, still)
    if calibration is None:
        findings.NO_STILL_START.warn(source)
        calibration = median_calibration(series)
    return calibration


def _warn_flat_and_jittery(
    source: str, flat: frozenset[Side], foot_driven: frozenset[Side]
) -> None:
    for side in sorted(flat):
        findings.KNEE_FLAT.warn(source, leg=side)
    for side in sorted(foot_driven):  # per leg, as live and the report say it
        findings.KNEE_JITTER.warn(source, leg=side)


def _warn_uncounted(
    source: str,
    mode: Mode,
    reps: tuple[Rep, ...],
    motionless: frozenset[Side],
    still_feet: frozenset[Side],
) -> None:
    counted = {rep.leg for rep in reps}
    for side in sorted(set(mode.sides) - counted):
        if side in motionless:
            finding = findings.LEG_UNSEEN
        elif side in still_feet:
            finding = findings.LEG_FOOT_STILL
        else:
            finding = findings.LEG_PARTIAL
        finding.warn(source, leg=side)


def _summary(
    source: str,
    series: AngleSeries,
    mode: Mode,
    calibration: Calibration,
    tracking: Tracking,
    reps: tuple[Rep, ...],
    in_position: dict[Side, float],
    drill_seen: bool = True,
) -> SessionSummary:
    return SessionSummary(
        source=source,
        duration_s=series.duration_s,
        mode=mode,
        calibration=CalibrationInfo(
            "auto" if calibration.method == "auto" else "file",
            {side: calibration.neutral[side].femur_deg for side in Side},
        ),
        tracking=tracking,
        reps=reps,
        time_in_position_s=in_position,
        drill_seen=drill_seen,
    )


def _in_position_only(
    series: AngleSeries, position: PositionSeries, legs: Sequence[Side]
) -> AngleSeries:
    """The series with every frame in which no worked leg is in position
    (as the tracker had it, as live has it) blanked."""
    out = np.zeros(len(series), dtype=bool)
    for side in legs:
        out |= position.tracked[side]

    def blank(_: Side, a: LegAngles) -> LegAngles:
        return LegAngles(*(np.where(out, x, np.nan) for x in astuple(a)))

    return series.map_legs(blank)


def _not_the_drill(
    pose_frames: Sequence[PoseFrame],
    source: str,
    mode: Mode,
    calibration: Calibration | None,
    size_wh: tuple[int, int],
    estimator: str,
    position: PositionSeries,
    pose_model: str,
) -> Review:
    """The review of a recording that never showed the drill: its angles
    (for the report's plot), no reps."""
    series = smooth_series(angle_series(pose_frames, size_wh, estimator, pose_model))
    calibration = calibration or median_calibration(series)
    in_position = {side: position.time_in_s[side] for side in mode.sides}
    tracking = Tracking(len(series), int(series.has_pose.sum()), pose_model)
    summary = _summary(source, series, mode, calibration, tracking, (), in_position, False)
    relative = relative_to_neutral(series, calibration, mode.sides)
    limits = femur_range(series, calibration, mode.sides)
    return Review(relative, calibration, (), summary, limits, frozenset(), position)
