"""The true reps of a scripted session, by the same definitions as ``hiprot.drill``.

Truth rule (``rep_truth``), applied to the noiseless trajectory
(``hiprot.synth.script`` samples it at ``TRUTH_RATE_HZ``):

- The rep's *driving angle* is the femur angle; for an all-ankle rep (the
  femur never reaches +-``REP_MIN_EXCURSION_DEG``) it is the foot angle
  ``theta + phi``. Rep timing comes from the driving angle, peaks are always
  the femur's.
- Within the scripted rep window: the external peak is the driving angle's
  minimum (its last moment, if the leg pauses there), the internal peak its
  maximum after that.
- ``start_s``: the driving angle leaves the neutral band
  (``-NEUTRAL_BAND_DEG``) on the way out; ``end_s``: it re-enters the band
  (``+NEUTRAL_BAND_DEG``) after the internal peak.
- ``hold_s``: length of the contiguous stretch around the internal peak in
  which the driving angle stays within ``HOLD_TOLERANCE_DEG`` of the peak;
  ``held = hold_s >= HOLD_MIN_S``.
- inward phase: external peak -> first reaching the hold zone (peak minus
  ``HOLD_TOLERANCE_DEG``); ``controlled = inward_s >= CONTROLLED_MIN_INWARD_S``.
- compensation: over ``[start_s, end_s]`` the twist swept at least
  ``COMPENSATION_MIN_TWIST_DEG`` and more than
  ``COMPENSATION_TWIST_TO_FEMUR_RATIO`` times the femur's sweep.
- Partial reps and fidgets never leave the neutral band, so they are not reps.

Every sampled rep is checked against margins around these thresholds
(``_MARGINS``: e.g. clean reps twist <= 5 degrees, controlled inward >= 1.5 s,
fast inward <= 0.6 s, held >= 1.3 s, unheld <= 0.6 s) and redrawn if it falls
inside one, so the truth is unambiguous for any reasonable counter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.landmarks import Side

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RepTruth:
    """The true outcome of one rep (angles relative to neutral, seconds)."""

    leg: Side
    start_s: float
    end_s: float
    peak_internal_deg: float
    peak_external_deg: float
    hold_s: float
    held: bool
    inward_s: float
    controlled: bool
    twist_sweep_deg: float
    femur_sweep_deg: float
    compensation: bool
    driven_by: str

    def summary(self, index: int) -> dict[str, object]:
        """This rep in the ``hiprot-session`` summary shape."""
        return {
            "leg": self.leg.value,
            "index": index,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "peak_internal_deg": round(self.peak_internal_deg, 2),
            "peak_external_deg": round(self.peak_external_deg, 2),
            "hold_s": round(self.hold_s, 3),
            "held": self.held,
            "controlled": self.controlled,
            "compensation": self.compensation,
        }


def rep_truth(leg: Side, t_s: FloatArray, femur_deg: FloatArray, twist_deg: FloatArray) -> RepTruth:
    """The truth of one rep from its noiseless, densely sampled window.

    Args:
        leg: Which leg.
        t_s: ``(n,)`` uniformly spaced times covering the scripted rep window
            (starting and ending near neutral).
        femur_deg, twist_deg: ``(n,)`` true angles at ``t_s``.

    See the module docstring for the rule.
    """
    foot_deg = femur_deg + twist_deg
    femur_is_rep = (
        femur_deg.min() <= -drill.REP_MIN_EXCURSION_DEG
        and femur_deg.max() >= drill.REP_MIN_EXCURSION_DEG
    )
    drive = femur_deg if femur_is_rep else foot_deg
    ext = drive.size - 1 - int(np.argmin(drive[::-1]))  # the last moment out
    peak = ext + int(np.argmax(drive[ext:]))
    zone = drive >= drive[peak] - drill.HOLD_TOLERANCE_DEG
    # The hold: the run of in-zone samples around the peak.
    first = peak - int(np.argmin(zone[peak::-1])) + 1 if not zone[: peak + 1].all() else 0
    last = peak + int(np.argmin(zone[peak:])) - 1 if not zone[peak:].all() else drive.size - 1
    reached = ext + int(np.argmax(zone[ext:]))
    outside = np.flatnonzero(drive[:ext] > -drill.NEUTRAL_BAND_DEG)
    start = int(outside[-1]) + 1 if outside.size else 0
    back = np.flatnonzero(drive[peak:] < drill.NEUTRAL_BAND_DEG)
    end = peak + int(back[0]) if back.size else drive.size - 1
    dt = float(t_s[1] - t_s[0])
    span = slice(start, end + 1)
    twist_sweep = float(np.ptp(twist_deg[span]))
    femur_sweep = float(np.ptp(femur_deg[span]))
    hold_s = (last - first + 1) * dt
    inward_s = float(t_s[reached] - t_s[ext])
    return RepTruth(
        leg=leg,
        start_s=float(t_s[start]),
        end_s=float(t_s[end]),
        peak_internal_deg=float(femur_deg[span].max()),
        peak_external_deg=float(femur_deg[span].min()),
        hold_s=hold_s,
        held=hold_s >= drill.HOLD_MIN_S,
        inward_s=inward_s,
        controlled=inward_s >= drill.CONTROLLED_MIN_INWARD_S,
        twist_sweep_deg=twist_sweep,
        femur_sweep_deg=femur_sweep,
        compensation=bool(
            twist_sweep >= drill.COMPENSATION_MIN_TWIST_DEG
            and twist_sweep > drill.COMPENSATION_TWIST_TO_FEMUR_RATIO * femur_sweep
        ),
        driven_by="femur" if femur_is_rep else "foot",
    )


#: Margins each rep kind must keep from the drill thresholds.
_MARGINS = {
    "held_min_s": 1.3,
    "unheld_max_s": 0.6,
    "controlled_min_s": 1.5,
    "fast_max_s": 0.6,
    "clean_twist_max_deg": 5.0,
    "ankle_twist_min_deg": 30.0,
    "ankle_femur_max_deg": 10.0,
    "excursion_min_deg": drill.REP_MIN_EXCURSION_DEG + 5.0,
}


def keeps_margins(kind: str, truth: RepTruth) -> bool:
    held = kind in ("clean", "fast_held", "ankle")
    controlled = kind in ("clean", "unheld", "ankle")
    m = _MARGINS
    ok = truth.hold_s >= m["held_min_s"] if held else truth.hold_s <= m["unheld_max_s"]
    ok &= (
        truth.inward_s >= m["controlled_min_s"] if controlled else truth.inward_s <= m["fast_max_s"]
    )
    if kind == "ankle":
        ok &= truth.twist_sweep_deg >= m["ankle_twist_min_deg"]
        ok &= truth.femur_sweep_deg <= m["ankle_femur_max_deg"]
    else:
        ok &= truth.twist_sweep_deg <= m["clean_twist_max_deg"]
        ok &= truth.peak_external_deg <= -m["excursion_min_deg"]
        ok &= truth.peak_internal_deg >= m["excursion_min_deg"]
    return bool(ok)
