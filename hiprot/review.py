"""Review a recorded set: PoseFrames -> angles -> calibration -> reps -> summary.

The same stages as live mode, run over a whole recording: smoothing can look
ahead (zero-phase) and the neutral can come from the recording's first still
period when no calibration file is given. Only frames in the drill's
position count (``hiprot.position``): frames with no worked leg in it are
read as frames without a person, and each leg's samples are gated by its
own position. A recording that never shows the position counts nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import astuple, dataclass

import numpy as np

from hiprot.analysis import (
    AngleSeries,
    angle_series,
    auto_calibration,
    counted_drive,
    femur_range,
    fit_foot_to_femur,
    flat_femurs,
    gated,
    hold_bands,
    jittery_knees,
    median_calibration,
    motionless_legs,
    neutral_from_rests,
    relative_to_neutral,
    rep_excursions,
    samples,
    smooth_series,
)
from hiprot.angles import SIDE_ON_RATIO, LegAngles
from hiprot.calibration import Calibration
from hiprot.errors import HiprotError, HiprotWarning
from hiprot.landmarks import Side
from hiprot.position import Gate, PositionSeries, position_series
from hiprot.reps import BilateralCounter, Mode, Rep, min_confidence
from hiprot.scale import LegScale, as_read, leg_scale, read_short, scaled_leg
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
            view can read (``hiprot.analysis.femur_range``); None when there
            is no such limit (the 3D estimator).
        foot_driven: Legs whose knee reading was too jittery to drive the
            rep count, so their foot drove it (``hiprot.analysis.jittery_knees``).
        position: Per leg and frame, the drill position (``hiprot.position``).
    """

    series: AngleSeries
    calibration: Calibration
    reps: tuple[Rep, ...]
    summary: SessionSummary
    femur_range_deg: dict[Side, tuple[float, float] | None]
    foot_driven: frozenset[Side]
    position: PositionSeries | None = None


#: Rounds of re-taking the neutral from the rests and counting again: the
#: rests come from the reps, and the reps from the neutral (a second round
#: lifted the 3D estimator from 65% to 71% exact on the synthetic tuning
#: seeds at realistic noise; the image estimator's noise mix 49% -> 52%).
_REST_ROUNDS = 2


def _count(
    series: AngleSeries,
    calibration: Calibration,
    mode: Mode,
    foot_driven: frozenset[Side],
    position: PositionSeries,
    pose_model: str = "full",
) -> tuple[AngleSeries, tuple[Rep, ...], dict[Side, LegScale]]:
    """Angles relative to the neutral, the reps counted on them, and the
    scale each leg was counted on (``hiprot.scale``)."""
    relative = fit_foot_to_femur(relative_to_neutral(series, calibration, mode.sides))
    scales = _scales(relative, mode, foot_driven, position) if series.estimator == "image" else {}
    counted = relative.map_legs(lambda side, leg: scaled_leg(leg, scales.get(side)))
    counter = BilateralCounter(
        mode,
        near=series.near if series.estimator == "image" else None,
        min_confidence=min_confidence(pose_model),
        foot_driven=foot_driven,
        hold_band_deg=hold_bands(counted),
        excursion_deg=rep_excursions(counted, foot_driven),
    )
    frame_samples = samples(counted)
    for i, sample in enumerate(frame_samples):
        counter.update(gated(sample, {side: position.gate[side][i] for side in mode.sides}))
    counter.finish(frame_samples[-1].t_s)
    return relative, as_read(counter.reps, scales), scales


def _scales(
    relative: AngleSeries, mode: Mode, foot_driven: frozenset[Side], position: PositionSeries
) -> dict[Side, LegScale]:
    """Per worked leg, its ``hiprot.scale.LegScale``, judged in position."""
    return {
        side: leg_scale(
            relative.legs[side].femur_deg,
            relative.legs[side].foot_deg,
            counted_drive(
                relative.legs[side].femur_deg, relative.legs[side].foot_deg, side in foot_driven
            ),
            [gate is Gate.COUNT for gate in position.gate[side]],
        )
        for side in mode.sides
    }


def review_pose_frames(
    pose_frames: Sequence[PoseFrame],
    source: str,
    mode: Mode | str = Mode.BOTH,
    calibration: Calibration | None = None,
    *,
    size_wh: tuple[int, int],
    estimator: str = "image",
    pose_model: str = "full",
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
        estimator: ``"image"`` or ``"world"`` (``hiprot.analysis.angle_series``).
        pose_model: The landmark model that made ``pose_frames`` (``"full"``,
            ``"heavy"``): the reading is fitted to it, and the summary names it.

    Raises:
        HiprotError: no frames, or no person in any of them.
    """
    # NaN-aware statistics over stretches where a leg is not seen are
    # expected; numpy's RuntimeWarnings about them say nothing to a user
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _review(pose_frames, source, mode, calibration, size_wh, estimator, pose_model)


def _review(
    pose_frames: Sequence[PoseFrame],
    source: str,
    mode: Mode | str,
    calibration: Calibration | None,
    size_wh: tuple[int, int],
    estimator: str,
    pose_model: str,
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
        warnings.warn(
            f"{source}: the drill position (legs up the wall) was never seen; nothing counted",
            HiprotWarning,
            stacklevel=2,
        )
        return _not_the_drill(
            pose_frames, source, mode, calibration, size_wh, estimator, position, pose_model
        )
    raw = angle_series(pose_frames, size_wh, estimator, pose_model)
    series = smooth_series(raw)
    if series.estimator == "image" and series.view_ratio < SIDE_ON_RATIO:
        warnings.warn(
            f"{source}: filmed from the side, where hip rotation hardly shows, so the "
            "angles and counts are unreliable; put the camera about 45° round from your side "
            "towards your head (README: where to put the camera)",
            HiprotWarning,
            stacklevel=2,
        )
    if calibration is None:
        # the neutral is taken lying still in position, not before getting into it
        calibration = auto_calibration(_in_position_only(series, position, mode.sides))
        if calibration is None:
            warnings.warn(
                f"{source}: no still period of 2 s to take your neutral from, so the median "
                "angle is used; start recordings with a few seconds lying still in neutral",
                HiprotWarning,
                stacklevel=2,
            )
            calibration = median_calibration(series)
    foot_driven = jittery_knees(raw, calibration, mode.sides)
    relative, reps, scales = _count(series, calibration, mode, foot_driven, position, pose_model)
    for _ in range(_REST_ROUNDS):
        windows = {side: [(r.start_s, r.end_s) for r in reps if r.leg is side] for side in Side}
        calibration = neutral_from_rests(series, calibration, windows, mode.sides)
        foot_driven = jittery_knees(raw, calibration, mode.sides)
        relative, reps, scales = _count(
            series, calibration, mode, foot_driven, position, pose_model
        )
    for side in sorted(read_short(reps, scales)):
        warnings.warn(
            f"{source}: the {side.value} leg's reading turned only about "
            f"{scales[side].reach_deg:.0f}° at most, so its reps were counted on its own scale; "
            "its degrees read short by an unknown factor (README: where to put the camera)",
            HiprotWarning,
            stacklevel=2,
        )
    flat = flat_femurs(series, calibration, mode.sides)
    foot_driven -= flat  # read from the foot already
    for side in sorted(flat):
        warnings.warn(
            f"{source}: the {side.value} knee hardly moved in the picture while the foot "
            "turned, so that leg was read from its foot alone: its reps count, but twisting "
            "the ankle cannot be told from turning the hip; another camera height or "
            "distance may show the knee better (README: where to put the camera)",
            HiprotWarning,
            stacklevel=2,
        )
    if foot_driven:  # one warning for both legs: the cause (light, distance) is shared
        knees = " and ".join(side.value for side in sorted(foot_driven))
        knees += " knees' readings jitter" if len(foot_driven) > 1 else " knee's reading jitters"
        warnings.warn(
            f"{source}: the {knees} much more than the feet's, so reps were counted from the "
            "feet, and peaks, holds and 'from the ankles' are less reliable; more light, or "
            "the camera closer, steadies it",
            HiprotWarning,
            stacklevel=2,
        )
    counted = {rep.leg for rep in reps}
    motionless = motionless_legs(relative, mode.sides)
    for side in sorted(set(mode.sides) - counted):
        if side in motionless:
            why = (
                "neither its knee nor its foot turned a rep's range (20°) in the picture; "
                "if it did reps, this camera position does not show the turn "
                "(README: where to put the camera)"
            )
        else:
            why = (
                "it moved, but never out past -10° and then in past +10° of its neutral: "
                "partial reps, or a neutral taken while the leg was not relaxed "
                "(hiprot calibrate)"
            )
        warnings.warn(
            f"{source}: no reps counted for the {side.value} leg: {why}",
            HiprotWarning,
            stacklevel=2,
        )
    tracking = Tracking(len(series), frames_with_pose, pose_model)
    summary = _summary(source, series, mode, calibration, tracking, reps, in_position)
    limits = femur_range(series, calibration, mode.sides)
    return Review(relative, calibration, reps, summary, limits, foot_driven, position)


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
    """The series with every frame in which no worked leg is in position blanked."""
    out = np.zeros(len(series), dtype=bool)
    for side in legs:
        out |= position.in_position[side]

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
