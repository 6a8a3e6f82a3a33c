"""The guided calibration move: "turn both feet fully out and hold, then fully in and hold".

Done once right after the still neutral, it shows each leg's full range in
the picture: the femur reading (image degrees from the neutral) at full
external and at full internal rotation. With the internal range measured by
hand (``hiprot calibrate --range``), that reading is the leg's scale
(``hiprot.calibration.LegRange``): MediaPipe's knee travel per true degree
differs several-fold by set-up and side (benchmarks/mediapipe_error.py).

What tells the move from the first rep is the held external end: a rep
turns round at the outward end, the move stays out for seconds.
Pure numpy over a relative ``AngleSeries``; no clock.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.calibration import Calibration, LegRange
from hiprot.landmarks import Side
from hiprot.reading.filters import running_median, runs
from hiprot.reading.neutral import femur_range, relative_to_neutral
from hiprot.reading.series import AngleSeries, angle_series, smooth_series
from hiprot.types import PoseFrame

FloatArray = npt.NDArray[np.float64]

#: Past this many image degrees from neutral a leg is turned: half the rep
#: counter's band (``findings.LEG_PARTIAL``), as the far leg's external
#: side can read a third of the near leg's.
TURNED_DEG = 5.0
#: A hold is the time spent within this fraction of the turn's extreme...
HOLD_BAND = 0.3
#: ...on the reading's running median over this long (a far knee's reading
#: jitters by half its range under webcam noise).
MEDIAN_S = 1.0
#: The outward end held at least this long is the move, not a rep (hiprot
#: asks for 3 s; a rep turns round at the outward end).
OUT_HOLD_MIN_S = 2.0
#: The inward end held at least this long.
IN_HOLD_MIN_S = 1.5
#: The move starts within this long after the still neutral ends...
START_WITHIN_S = 10.0
#: ...and turns in within this long after leaving the outward end.
TURN_IN_WITHIN_S = 4.0
#: How far past the still neutral's end a whole move can reach (its start,
#: two holds and the turns between): what ``hiprot calibrate`` reads.
LOOK_S = START_WITHIN_S + 4 * drill.GUIDED_HOLD_S + TURN_IN_WITHIN_S
#: Dips back across the band shorter than this (noise) do not end a hold.
BRIDGE_S = 0.3


@dataclass(frozen=True)
class GuidedMove:
    """The move as one leg made it.

    Attributes:
        start_s: When the leg left neutral for the outward end.
        end_s: When it came back from the inward end (within ``TURNED_DEG``).
        out_hold_s: ``(start_s, end_s)`` of the hold at the outward end.
        in_hold_s: ``(start_s, end_s)`` of the hold at the inward end.
        out_reading_deg: The reading held at the outward end (negative).
        in_reading_deg: The reading held at the inward end (positive).
    """

    start_s: float
    end_s: float
    out_hold_s: tuple[float, float]
    in_hold_s: tuple[float, float]
    out_reading_deg: float
    in_reading_deg: float

    def read(self, t_s: FloatArray, femur_deg: FloatArray) -> GuidedMove | None:
        """The same move read on ``femur_deg`` ``(n,)`` at ``t_s`` ``(n,)`` (the
        recording relative to another neutral); None when a hold has no
        reading there."""
        out_deg = held_reading(t_s, femur_deg, self.out_hold_s)
        in_deg = held_reading(t_s, femur_deg, self.in_hold_s)
        if out_deg is None or in_deg is None:
            return None
        return replace(self, out_reading_deg=out_deg, in_reading_deg=in_deg)


def held_reading(
    t_s: FloatArray, values: FloatArray, span_s: tuple[float, float] | None
) -> float | None:
    """The median of ``values`` ``(n,)`` (at times ``t_s`` ``(n,)``) over
    ``span_s``: the reading held there (the
    move's ends, a rep's timed hold). A frame's extreme is the noise's, and
    a scale multiplies it. None: no span, or no reading in it."""
    if span_s is None:
        return None
    inside = (t_s >= span_s[0]) & (t_s <= span_s[1]) & np.isfinite(values)
    return float(np.median(values[inside])) if inside.any() else None


def _runs(t_s: FloatArray, mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[start, stop)`` index runs where ``mask`` holds, gaps under ``BRIDGE_S`` bridged."""
    bridged: list[tuple[int, int]] = []
    for start, stop in runs(mask):
        if bridged and t_s[start] - t_s[bridged[-1][1] - 1] <= BRIDGE_S:
            bridged[-1] = (bridged[-1][0], int(stop))
        else:
            bridged.append((int(start), int(stop)))
    return bridged


def _hold(t_s: FloatArray, values: FloatArray) -> tuple[float, tuple[float, float]]:
    """(seconds spent near the extreme, from the first to the last time
    there) of one turn."""
    extreme = float(np.nanpercentile(np.abs(values), 95))
    near = np.abs(values) >= (1.0 - HOLD_BAND) * extreme
    dt = np.diff(t_s, append=t_s[-1])
    held = t_s[near]
    return float(dt[near].sum()), (float(held[0]), float(held[-1]))


def leg_guided_move(t_s: FloatArray, femur_deg: FloatArray, after_s: float) -> GuidedMove | None:
    """The guided move of one leg after ``after_s`` (the still neutral's end).

    Args:
        t_s: ``(n,)`` frame times, increasing.
        femur_deg: ``(n,)`` femur reading relative to the neutral (NaN: not seen).
        after_s: Where to look from.

    Returns:
        The move, or None when the first turn after ``after_s`` is not one
        (no held outward end followed by a held inward end).
    """
    t_s, femur = np.asarray(t_s, dtype=np.float64), np.asarray(femur_deg, dtype=np.float64)
    steady = running_median(t_s, femur, MEDIAN_S)
    late = t_s >= after_s
    soon = after_s + START_WITHIN_S
    outs = [r for r in _runs(t_s, late & (steady < -TURNED_DEG)) if t_s[r[0]] <= soon]
    if not outs:
        return None
    o0, o1 = outs[0]
    out_s, out_hold = _hold(t_s[o0:o1], steady[o0:o1])
    if out_s < OUT_HOLD_MIN_S:
        return None  # turned round at the outward end: a rep
    ins = [r for r in _runs(t_s, late & (steady > TURNED_DEG)) if r[0] >= o1]
    if not ins:
        return None
    i0, i1 = ins[0]
    in_s, in_hold = _hold(t_s[i0:i1], steady[i0:i1])
    if t_s[i0] - t_s[o1 - 1] > TURN_IN_WITHIN_S or in_s < IN_HOLD_MIN_S:
        return None
    start = o0
    while start > 0 and late[start - 1] and steady[start - 1] < 0:
        start -= 1  # back to where it left neutral
    move = GuidedMove(float(t_s[start]), float(t_s[i1 - 1]), out_hold, in_hold, 0.0, 0.0)
    return move.read(t_s, femur)


def guided_moves(
    relative: AngleSeries, after_s: float, legs: Sequence[Side]
) -> dict[Side, GuidedMove]:
    """Per worked leg, its guided move after ``after_s``, where it shows: a
    leg the view reads poorly may not (it then has no range of its own)."""
    moves = {}
    for side in legs:
        move = leg_guided_move(relative.t_s, relative.legs[side].femur_deg, after_s)
        if move is not None:
            moves[side] = move
    return moves


def guided_span(moves: dict[Side, GuidedMove]) -> tuple[float, float] | None:
    """From the first leg leaving neutral to the last leaving the inward end."""
    if not moves:
        return None
    return min(m.start_s for m in moves.values()), max(m.end_s for m in moves.values())


def guided_ranges(
    moves: dict[Side, GuidedMove], limits: dict[Side, tuple[float, float] | None]
) -> dict[Side, LegRange]:
    """Each leg's ``LegRange`` from its move, capped where the held internal
    reading is the most the view reads (``limits``, from
    ``hiprot.reading.neutral.femur_range``: the reading is clipped there, so
    a held median at it means the leg went at least that far)."""
    ranges = {}
    for side, move in moves.items():
        limit = limits.get(side)
        capped = limit is not None and move.in_reading_deg >= limit[1] - 1e-6
        ranges[side] = LegRange(move.out_reading_deg, move.in_reading_deg, in_capped=capped)
    return ranges


def calibration_ranges(
    pose_frames: Sequence[PoseFrame],
    size_wh: tuple[int, int],
    calibration: Calibration,
    after_s: float,
    pose_model: str = "full",
) -> dict[Side, LegRange]:
    """The guided move's ranges in a calibration recording (``hiprot
    calibrate``): both legs, read from ``calibration``'s neutral after the
    still period that ends at ``after_s``; {} when there is no move."""
    series = smooth_series(angle_series(pose_frames, size_wh, "image", pose_model))
    legs = tuple(Side)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        relative = relative_to_neutral(series, calibration, legs)
        moves = guided_moves(relative, after_s, legs)
        return guided_ranges(moves, femur_range(series, calibration, legs))
