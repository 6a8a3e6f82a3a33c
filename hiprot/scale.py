"""Counting that does not hang on the set-up's scale (docs/generalization.md).

MediaPipe's knee follows a turn of the femur only partly on some set-ups
and sides (``benchmarks/mediapipe_error.py``: 0.2-1.4 of the true travel),
so a leg can read a full rep as a few degrees, short of the rep counter's
10° and its neutral band. A leg that turns moves its two readings in step
(the femur, from the knee, and the foot, from the heel-toe line, see one
rotation through different landmarks), while landmark noise moves them
independently; so a leg whose readings agree over the set (``COHERENT``)
but whose reach (the further of its drive's 2nd and 98th percentiles)
falls short of ``TARGET_REACH_DEG`` is counted on its own scale: the
counter gets its readings times up to ``MAX_GAIN`` (``leg_scale``,
``scaled_leg``), so its thresholds (neutral band, excursion, hold band)
stand in proportion to the leg's own range. The reps' peaks are divided
back (``as_read``); the leg's degrees are then known to read short by an
unknown factor, and the caller says so.

A leg whose readings do not agree is counted as read: scaling it up would
scale its noise into reps. Lying still through a noisy picture is such a
leg, and is not helped here (docs/generalization.md).

Pure numpy, clock-free. Review uses it over the whole recording; live does
not yet (it counts as read).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.landmarks import Side
from hiprot.reps import Rep

#: Fewest frames with both readings before anything is judged.
MIN_FRAMES = 50

#: Femur-foot correlation over the set above which a leg's short reading is
#: scaled up (it turned; the knee only shows it small).
COHERENT = 0.8

#: A coherent leg whose reach is shorter than this is scaled to reach it.
TARGET_REACH_DEG = 30.0

#: At most this scale-up: beyond it the reading is mostly noise.
MAX_GAIN = 3.0

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LegScale:
    """How one leg is counted.

    Attributes:
        gain: The counter gets the readings times this (1: as read).
        agreement: Femur-foot correlation over the set; NaN when unknown
            (too few frames, or no foot reading).
        reach_deg: The drive's reach (``reach``); NaN when unknown.
    """

    gain: float = 1.0
    agreement: float = math.nan
    reach_deg: float = math.nan

    @property
    def scaled(self) -> bool:
        """Whether the count used a scale other than the reading's own."""
        return self.gain > 1.0


def agreement(femur_deg: npt.ArrayLike, foot_deg: npt.ArrayLike) -> float:
    """Pearson correlation of the femur and foot readings (``(n,)`` each)
    over the frames where both are measured (a foot reading exactly 0 is no
    foot fit yet); NaN with fewer than ``MIN_FRAMES`` or a flat reading."""
    femur = np.asarray(femur_deg, dtype=np.float64)
    foot = np.asarray(foot_deg, dtype=np.float64)
    both = np.isfinite(femur) & np.isfinite(foot) & (foot != 0.0)
    if both.sum() < MIN_FRAMES:
        return math.nan
    f, t = femur[both], foot[both]
    if np.std(f) == 0.0 or np.std(t) == 0.0:
        return math.nan
    return float(np.corrcoef(f, t)[0, 1])


def reach(drive_deg: npt.ArrayLike) -> float:
    """How far a drive reading (``(n,)``) goes: the further of its 2nd
    percentile (out) and 98th (in) from 0; NaN with fewer than ``MIN_FRAMES``."""
    drive = np.asarray(drive_deg, dtype=np.float64)
    drive = drive[np.isfinite(drive)]
    if len(drive) < MIN_FRAMES:
        return math.nan
    low, high = np.percentile(drive, [2.0, 98.0])
    return float(max(-low, high, 0.0))


def leg_scale(
    femur_deg: npt.ArrayLike,
    foot_deg: npt.ArrayLike,
    drive_deg: npt.ArrayLike,
    judged: npt.ArrayLike | None = None,
) -> LegScale:
    """One leg's ``LegScale`` from its readings relative to neutral (``(n,)``
    each), ``drive_deg`` the angle that drives its count
    (``hiprot.analysis.counted_drive``), over the frames ``judged`` (bool
    ``(n,)``, e.g. in position; all when None)."""
    mask = (
        np.ones(len(np.asarray(drive_deg)), dtype=bool)
        if judged is None
        else np.asarray(judged, dtype=bool)
    )
    femur, foot = (
        np.asarray(femur_deg, dtype=np.float64)[mask],
        np.asarray(foot_deg, dtype=np.float64)[mask],
    )
    agree, far = agreement(femur, foot), reach(np.asarray(drive_deg, dtype=np.float64)[mask])
    gain = 1.0
    if agree >= COHERENT and far > 0.0:
        gain = float(np.clip(TARGET_REACH_DEG / far, 1.0, MAX_GAIN))
    return LegScale(gain, agree, far)


class _Leg(Protocol):
    femur_deg: FloatArray
    foot_deg: FloatArray
    twist_deg: FloatArray


L = TypeVar("L", bound=_Leg)


def scaled_leg(leg: L, scale: LegScale | None) -> L:
    """``leg`` (a ``hiprot.angles.LegAngles``) with its readings times the
    scale's gain, as the counter is to get them."""
    if scale is None or not scale.scaled:
        return leg
    g = scale.gain
    return replace(
        leg, femur_deg=leg.femur_deg * g, foot_deg=leg.foot_deg * g, twist_deg=leg.twist_deg * g
    )  # type: ignore[type-var]


def as_read(reps: Sequence[Rep], scales: Mapping[Side, LegScale]) -> tuple[Rep, ...]:
    """Reps counted on scaled readings (``scaled_leg``) with their peaks in
    the reading's own degrees again."""
    out = []
    for rep in reps:
        gain = scales.get(rep.leg, LegScale()).gain
        if gain != 1.0:
            rep = replace(
                rep,
                peak_internal_deg=rep.peak_internal_deg / gain,
                peak_external_deg=rep.peak_external_deg / gain,
            )
        out.append(rep)
    return tuple(out)


def read_short(reps: Sequence[Rep], scales: Mapping[Side, LegScale]) -> frozenset[Side]:
    """The legs with reps whose reading never reached the
    ``REP_MIN_EXCURSION_DEG`` a rep must reach (``LegScale.reach_deg``):
    they counted only on the leg's own scale, so its degrees are short by
    an unknown factor."""
    least = drill.REP_MIN_EXCURSION_DEG
    return frozenset(rep.leg for rep in reps if scales.get(rep.leg, LegScale()).reach_deg < least)


#: Hip-to-ankle length in the picture (pixels): the shortest at which counts
#: were measured right (the renders' far legs); at half the synthetic
#: suite's lengths (66-108 px) counts broke at realistic noise
#: (docs/generalization.md, "Too far, too small").
MIN_LEG_PX = 136.0


def leg_length_px(hip_xy: npt.ArrayLike, ankle_xy: npt.ArrayLike) -> float:
    """Median hip-to-ankle length in pixels over frames (``(n, 2)`` pixel
    points each; NaN rows skipped); NaN with none measured."""
    hip = np.asarray(hip_xy, dtype=np.float64).reshape(-1, 2)
    ankle = np.asarray(ankle_xy, dtype=np.float64).reshape(-1, 2)
    lengths = np.hypot(*(hip - ankle).T)
    lengths = lengths[np.isfinite(lengths)]
    return float(np.median(lengths)) if len(lengths) else math.nan


def camera_advice(leg_px: float) -> str | None:
    """What to tell the user about a leg ``leg_px`` long in the picture
    (``leg_length_px``): None when long enough (or unknown), else a line
    saying to move the camera closer, with the length it should reach."""
    if not leg_px < MIN_LEG_PX:
        return None
    return (
        f"your legs are only about {leg_px:.0f} px long in the picture; counts stay right "
        f"from about {MIN_LEG_PX:.0f} px: move the camera closer (or film at a higher resolution)"
    )
