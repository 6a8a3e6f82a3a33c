"""The foot fit: the foot's image angle brought into femur degrees.

The foot's heel-toe line turns with the femur in most reps, so its image
angle is a scaled (per view, possibly mirrored) copy of the femur angle;
``foot_gain`` finds the scale and ``fit_foot_to_femur`` applies it. A leg
whose knee reading hardly moves is read from its foot alone
(``flat_femur_sign``). Pure numpy.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.landmarks import Side
from hiprot.reading.geometry import (
    LegAngles,
)
from hiprot.reading.series import AngleSeries, wrap_deg

#: Frames whose femur is further than this from neutral carry the foot fit.
_FOOT_FIT_MIN_FEMUR_DEG = 8.0

#: Fewer such frames than this: too little hip motion to fit the foot.
FOOT_FIT_MIN_FRAMES = 15

#: A femur reading sweeping less than this (5th to 95th percentile over the
#: fit) hardly carried the reps, which go past -10° and +10° ...
FEMUR_MIN_SWEEP_DEG = 2 * drill.REP_MIN_EXCURSION_DEG
#: ... when the foot's reading sweeps at least that far and this many times
#: as far as the femur's ...
_FOOT_TO_FEMUR_MIN_SWEEP = 2.0
#: ... in step with it (correlation at least this): ``flat_femur_sign``.
_FOOT_MIN_CORRELATION = 0.5


def _sweep(angle_deg: npt.NDArray[np.float64]) -> float:
    """How far a reading swings, ignoring its extreme 5% each side: ``(n,)`` -> degrees."""
    low, high = np.percentile(angle_deg, [5, 95])
    return float(high - low)


def foot_went_round(foot_deg: npt.NDArray[np.float64]) -> bool:
    """The foot reading (``(n,)``, oldest first) has been out and in past a
    rep's excursion, either way round (the view may mirror it), and is back
    in the neutral band: a whole rep, so the femur reading beside it has had
    its chance to show one."""
    low, high = np.percentile(foot_deg, [5, 95])
    reached = -low >= drill.REP_MIN_EXCURSION_DEG and high >= drill.REP_MIN_EXCURSION_DEG
    return bool(reached and abs(foot_deg[-1]) <= drill.NEUTRAL_BAND_DEG)


def _huber_slope(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    """Slope of ``y ~ gain * x`` by Huber-weighted least squares; 0 for too few points."""
    return huber_fit(x, y)[0]


def huber_fit(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> tuple[float, npt.NDArray[np.float64]]:
    """``_huber_slope``'s slope and its final per-point weights (``(n,)``);
    (0, all ones) for too few points."""
    weights = np.ones_like(x)
    if len(x) < FOOT_FIT_MIN_FRAMES or not np.any(x):
        return 0.0, weights
    gain = 0.0
    for _ in range(8):
        gain = float(np.sum(weights * x * y) / np.sum(weights * x * x))
        residual = np.abs(y - gain * x)
        scale = 1.4826 * np.median(residual) + 1e-9
        weights = np.minimum(1.0, 1.5 * scale / np.maximum(residual, 1e-12))
    return gain, weights


def flat_femur_sign(femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike) -> float:
    """+-1 when the femur reading is too flat to be the femur, else 0.

    A femur reading that sweeps less than the reps need
    (``FEMUR_MIN_SWEEP_DEG``) while the foot's sweeps that far and at least
    twice as far (``_FOOT_TO_FEMUR_MIN_SWEEP``), in step with it
    (``_FOOT_MIN_CORRELATION``), is not following the rotation: from some
    views MediaPipe's knee offset hardly changes with it. The sign is the
    correlation's: the foot's image angle may be mirrored. Such a leg is read
    from its foot alone (``fit_foot_to_femur``), so its ankle twist cannot be
    told apart: a working knee with a small range whose foot reads more
    than twice as far would lose its "from the ankles" flags.

    Args:
        femur_deg, foot_deg: ``(n,)`` readings relative to neutral.
    """
    y, x = np.asarray(femur_deg, dtype=np.float64), np.asarray(foot_deg, dtype=np.float64)
    both = np.isfinite(x) & np.isfinite(y)
    if both.sum() < FOOT_FIT_MIN_FRAMES:
        return 0.0
    x, y = x[both], y[both]
    femur_sweep, foot_sweep = _sweep(y), _sweep(x)
    if not femur_sweep < FEMUR_MIN_SWEEP_DEG <= foot_sweep:
        return 0.0
    if foot_sweep < _FOOT_TO_FEMUR_MIN_SWEEP * femur_sweep:
        return 0.0
    with np.errstate(invalid="ignore", divide="ignore"):  # a femur reading of one value
        correlation = float(np.corrcoef(x, y)[0, 1])
    return math.copysign(1.0, correlation) if abs(correlation) >= _FOOT_MIN_CORRELATION else 0.0


def foot_gain(
    femur_deg: npt.NDArray[np.float64], foot_deg: npt.NDArray[np.float64]
) -> tuple[float, float]:
    """Robust slopes mapping a raw image foot angle onto femur degrees.

    In most reps the foot turns with the femur, so over a session the foot's
    image angle is a scaled (and, by view, possibly mirrored) copy of the
    femur angle, foreshortened more on one side of neutral than the other;
    Huber-weighted least squares through the neutral finds one slope for
    readings below neutral and one above, while compensated (ankle-only)
    reps, which break the relation, are down-weighted. A side with too
    little data, or whose slope disagrees in sign, takes the overall slope.

    Returns:
        ``(below, above)`` slopes; both 0 when the femur hardly moved.
    """
    x, y = np.asarray(foot_deg, dtype=np.float64), np.asarray(femur_deg, dtype=np.float64)
    use = np.isfinite(x) & np.isfinite(y) & (np.abs(y) > _FOOT_FIT_MIN_FEMUR_DEG)
    x, y = x[use], y[use]
    overall = _huber_slope(x, y)
    sides = [_huber_slope(x[part], y[part]) for part in (x < 0, x > 0)]
    below, above = (g if g * overall > 0 else overall for g in sides)
    return below, above


def apply_foot_gain(foot_deg: npt.ArrayLike, gain: tuple[float, float]) -> npt.NDArray[np.float64]:
    """Raw foot angles (relative to neutral, any shape) -> femur degrees, the
    same shape, with ``foot_gain``'s slopes (below, above neutral)."""
    foot = np.asarray(foot_deg, dtype=np.float64)
    return np.where(foot < 0, foot * gain[0], foot * gain[1])


#: A foot further than this from its femur is a tracking fault, not an ankle:
#: the shank barely turns on the femur with the knee nearly straight, and
#: the foot turns about +-30° on the shank (ankle-only reps on the renders
#: measured up to 40°). MediaPipe's heel and toe can flicker to 50-100° off.
MAX_PLAUSIBLE_TWIST_DEG = 60.0


def plausible_foot(femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The foot angles, NaN where implausibly far from the femur's (``femur_deg``
    and ``foot_deg`` of one shape, e.g. ``(n,)``; returned in it)."""
    femur, foot = np.asarray(femur_deg, dtype=np.float64), np.asarray(foot_deg, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(foot - femur) > MAX_PLAUSIBLE_TWIST_DEG, np.nan, foot)


def fit_foot_to_femur(series: AngleSeries) -> AngleSeries:
    """Bring image foot angles (relative to neutral) into femur degrees, per leg,
    and drop foot readings no ankle could produce (``plausible_foot``).

    A leg whose femur reading is too flat to be the femur
    (``flat_femur_sign``) is read from its foot alone: femur and foot are
    the foot's reading, so its reps count but no twist can be told apart.
    The world estimator's foot is already in degrees and is not rescaled.
    """

    def scaled(_: Side, a: LegAngles) -> LegAngles:
        femur, foot = a.femur_deg, a.foot_deg
        if series.estimator == "image":
            sign = flat_femur_sign(femur, foot)
            if sign:  # the foot at its own image scale is all there is
                femur = foot = sign * foot
            else:
                foot = apply_foot_gain(foot, foot_gain(femur, foot))
        foot = plausible_foot(femur, foot)
        return LegAngles(femur, foot, wrap_deg(foot - femur), a.confidence, a.femur_confidence)

    return series.map_legs(scaled)


def sweeps_a_rep(angle_deg: npt.ArrayLike) -> bool:
    """A reading (``(n,)``, relative to neutral) sweeps a rep's range
    (``FEMUR_MIN_SWEEP_DEG``) over enough frames to tell."""
    seen = np.asarray(angle_deg, dtype=np.float64)
    seen = seen[np.isfinite(seen)]
    return len(seen) >= FOOT_FIT_MIN_FRAMES and _sweep(seen) >= FEMUR_MIN_SWEEP_DEG


def shows_no_turn(femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike) -> bool:
    """Neither reading (``(n,)``, relative to neutral) sweeps a rep's range
    (``sweeps_a_rep``)."""
    return not (sweeps_a_rep(femur_deg) or sweeps_a_rep(foot_deg))
