"""Judgements on a leg's reading that set how its reps are counted.

Whether the knee is too jittery to drive the count (``knee_too_jittery``),
too flat to be the femur (``flat_femurs``) or shows no turn at all
(``motionless_legs``; on a foot-driven leg, ``still_feet``); how far a hold
may wander (``hold_band``: the hold band's one home) and how far out and in
a rep must reach (``rep_excursions``). Review judges a whole recording;
live calls the same functions on its recent frames (``hiprot.reading.live``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.calibration import Calibration
from hiprot.landmarks import Side
from hiprot.reading.filters import jitter_deg
from hiprot.reading.foot import fit_foot_to_femur, flat_femur_sign, shows_no_turn, sweeps_a_rep
from hiprot.reading.neutral import relative_to_neutral
from hiprot.reading.series import AngleSeries
from hiprot.reps import drive_deg

#: A leg's knee reading is too jittery to drive the rep count when it
#: jitters (``jitter_deg``) more than ``KNEE_JITTER_RATIO`` times its foot
#: reading and more than ``KNEE_JITTER_MIN_DEG``: the knee is seen through an
#: offset of a few pixels, the foot through a heel-toe line several times
#: longer, so on a noisy webcam the knee jitters first. The ratio chosen
#: with the jitter's window at 15 and 30 frames/s on the synthetic tuning
#: seeds (docs/generalization.md, "The jitter's window in seconds").
KNEE_JITTER_RATIO = 1.25
KNEE_JITTER_MIN_DEG = 2.0


def knee_too_jittery(
    t_s: npt.ArrayLike,
    femur_deg: npt.ArrayLike,
    foot_deg: npt.ArrayLike,
    at_rest: npt.ArrayLike | None = None,
) -> bool:
    """Whether the foot should drive the rep count (``KNEE_JITTER_RATIO``).

    Args:
        t_s: ``(n,)`` the samples' times, seconds (the jitter's window is a duration).
        femur_deg: ``(n,)`` raw (unsmoothed) femur angles from neutral.
        foot_deg: ``(n,)`` raw foot angles from neutral, in femur degrees; a
            foot that reads 0 throughout (no foot fit yet) never drives.
        at_rest: ``(n,)`` bool: both jitters of these samples only, where
            there are as many as the jitter needs (else of all), as
            ``rep_excursion``'s.
    """
    foot_deg = np.asarray(foot_deg, dtype=np.float64)
    measured = np.isfinite(foot_deg) & (foot_deg != 0.0)
    knee = foot = math.nan
    if at_rest is not None:
        knee, foot = jitter_deg(t_s, femur_deg, at=at_rest), jitter_deg(t_s, foot_deg, at=at_rest)
    if not (math.isfinite(knee) and math.isfinite(foot)):
        knee, foot = jitter_deg(t_s, femur_deg), jitter_deg(t_s, foot_deg)
    return bool(measured.any() and knee > KNEE_JITTER_MIN_DEG and knee > KNEE_JITTER_RATIO * foot)


def hold_bands(relative: AngleSeries) -> dict[Side, float]:
    """Per leg, how far a hold's reading may wander (the rep counter's
    ``hold_band_deg``): ``HOLD_TOLERANCE_DEG`` plus ``HOLD_JITTER_RATIO``
    times the jitter (``jitter_deg``) of the femur reading the counter gets (relative to
    neutral, smoothed), also on a leg whose foot drives the count.
    Noise-free the band stays 3°; through webcam noise a 3° band breaks
    most holds (docs/counting.md, "How the judgements were chosen").
    """
    bands = {side: hold_band(relative.t_s, leg.femur_deg) for side, leg in relative.legs.items()}
    return {
        side: band if math.isfinite(band) else drill.HOLD_TOLERANCE_DEG
        for side, band in bands.items()
    }


#: The hold band's width in jitters beyond ``HOLD_TOLERANCE_DEG``: chosen at
#: 15 and 30 frames/s on the synthetic tuning seeds (docs/generalization.md,
#: "The rep floor and the hold band"); counts do not depend on it.
HOLD_JITTER_RATIO = 1.5


def hold_band(t_s: npt.ArrayLike, femur_deg: npt.ArrayLike) -> float:
    """One leg's ``hold_bands`` from its femur readings (``(n,)``, at times ``t_s``):
    ``HOLD_TOLERANCE_DEG`` plus ``HOLD_JITTER_RATIO`` jitters; NaN while
    there are too few to measure the jitter (``jitter_deg``)."""
    return drill.HOLD_TOLERANCE_DEG + HOLD_JITTER_RATIO * jitter_deg(t_s, femur_deg)


#: A rep must reach out and in past this multiple of the jitter
#: (``jitter_deg``) of the drive the counter gets, where that is further than
#: ``REP_MIN_EXCURSION_DEG`` (``rep_excursions``): a still leg read through
#: webcam noise otherwise swings past 10° and back. Chosen with the jitter's
#: window at 15 and 30 frames/s on the synthetic tuning seeds, lying still
#: included (docs/generalization.md, "The jitter's window in seconds").
REP_EXCURSION_JITTER_RATIO = 3.5


def rep_excursions(
    relative: AngleSeries,
    foot_driven: Collection[Side],
    at_rest: Mapping[Side, npt.ArrayLike] | None = None,
) -> dict[Side, float]:
    """Per leg, how far out and in a rep must reach (the rep counter's
    ``excursion_deg``): ``REP_MIN_EXCURSION_DEG``, or
    ``REP_EXCURSION_JITTER_RATIO`` times the jitter of the drive the counter
    gets (``counted_drive``, relative to neutral, smoothed) where that is
    further. ``foot_driven``: the legs whose foot alone drives the count.
    ``at_rest``: per leg, ``(n,)`` bool, the samples its jitter is measured
    on (``rep_excursion``'s): review gives the recording's opening up to the
    end of its still start, where no rep crosses neutral, so fast reps are
    not taken for noise; a leg not in it, all its samples."""
    rest = at_rest or {}
    return {
        side: rep_excursion(
            relative.t_s,
            counted_drive(leg.femur_deg, leg.foot_deg, side in foot_driven),
            rest.get(side),
        )
        for side, leg in relative.legs.items()
    }


def counted_drive(
    femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike, foot_driven: bool
) -> np.ndarray:
    """The angle that drives the rep counter per frame (``(n,)``): the foot
    on a foot-driven leg, else ``hiprot.reps.drive_deg``'s, before the
    counter holds back a foot flicking against the femur
    (``hiprot.reps.FOOT_FLICK_S``): the rep floor measured on it covers
    the flicks' noise too."""
    femur = np.asarray(femur_deg, dtype=np.float64)
    foot = np.asarray(foot_deg, dtype=np.float64)
    if foot_driven:
        return foot
    return drive_deg(femur, foot)


def rep_excursion(
    t_s: npt.ArrayLike, drive_deg: npt.ArrayLike, at_rest: npt.ArrayLike | None = None
) -> float:
    """One leg's ``rep_excursions`` from its drive readings (``(n,)``, at times ``t_s``);
    ``REP_MIN_EXCURSION_DEG`` while there are too few to measure the jitter.
    ``at_rest`` (``(n,)`` bool): the jitter of these samples only, where
    there are as many as the jitter needs (else of all)."""
    jitter = math.nan if at_rest is None else jitter_deg(t_s, drive_deg, at=at_rest)
    if not math.isfinite(jitter):
        jitter = jitter_deg(t_s, drive_deg)
    if not math.isfinite(jitter):
        return drill.REP_MIN_EXCURSION_DEG
    return max(drill.REP_MIN_EXCURSION_DEG, REP_EXCURSION_JITTER_RATIO * jitter)


def jittery_knees(
    raw: AngleSeries, calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> frozenset[Side]:
    """The worked legs whose knee reading is too jittery to drive the rep
    count (``knee_too_jittery``), judged on the unsmoothed ``angle_series``."""
    relative = fit_foot_to_femur(relative_to_neutral(raw, calibration, worked))
    return frozenset(
        side
        for side in worked
        if knee_too_jittery(
            relative.t_s, relative.legs[side].femur_deg, relative.legs[side].foot_deg
        )
    )


def flat_femurs(
    series: AngleSeries, calibration: Calibration, worked: Sequence[Side] = tuple(Side)
) -> frozenset[Side]:
    """The worked legs ``fit_foot_to_femur`` reads from the foot alone
    (``flat_femur_sign``), from the smoothed ``angle_series``."""
    if series.estimator != "image":
        return frozenset()
    relative = relative_to_neutral(series, calibration, worked)
    return frozenset(
        side
        for side in worked
        if flat_femur_sign(relative.legs[side].femur_deg, relative.legs[side].foot_deg)
    )


def motionless_legs(relative: AngleSeries, legs: Sequence[Side]) -> frozenset[Side]:
    """Of ``legs``, those whose femur and foot readings (relative to neutral,
    after ``fit_foot_to_femur``) both sweep less than a rep needs
    (``FEMUR_MIN_SWEEP_DEG``): nothing a rep could be counted from moved in
    the picture. From some views (side-on, low and far) a leg doing reps
    looks like this too."""
    return frozenset(
        side
        for side in legs
        if shows_no_turn(relative.legs[side].femur_deg, relative.legs[side].foot_deg)
    )


def still_feet(relative: AngleSeries, foot_driven: Collection[Side]) -> frozenset[Side]:
    """Of the ``foot_driven`` legs (``jittery_knees``), those whose foot
    reading (relative to neutral, after ``fit_foot_to_femur``) sweeps less
    than a rep needs (``sweeps_a_rep``): the count reads a foot that hardly
    turned, beside a knee too jittery to count from, so neither shows reps."""
    return frozenset(side for side in foot_driven if not sweeps_a_rep(relative.legs[side].foot_deg))
