"""What counts as a rep, a hold, a controlled rep and compensation.

One definition shared by the rep counter (``hiprot.reps``) and the synthetic
ground truth (``hiprot.synth``), so measured and true counts mean the same
thing. The counter reads two of them with a margin for measurement noise
(``hiprot.reps`` docstring): a hold may settle within a band reaching
within the tolerance of the peak, and "from the ankles" needs 1.5 times the
ratio. All angles are degrees relative to the calibrated neutral, internal
rotation positive. The README documents these numbers for users.
"""

from __future__ import annotations

#: Motion that stays within +-this of neutral is not a rep (fidgeting, a
#: partial rep).
NEUTRAL_BAND_DEG = 5.0

#: A rep must reach at least this far out (external, as a negative angle)
#: and this far in (internal) to count.
REP_MIN_EXCURSION_DEG = 10.0

#: The internal end range is "held" while the angle stays within this many
#: degrees of the rep's internal peak.
HOLD_TOLERANCE_DEG = 3.0

#: A hold of at least this long makes a rep ``held`` (the drill asks 1-2 s).
HOLD_MIN_S = 1.0

#: The inward rotation (external peak -> internal end range) must take at
#: least this long for the rep to be ``controlled``; faster is "too fast".
CONTROLLED_MIN_INWARD_S = 1.0

#: Compensation: during the rep the ankle twist (foot minus femur) swept at
#: least this many degrees ...
COMPENSATION_MIN_TWIST_DEG = 15.0

#: ... and more than this multiple of the femur's own sweep.
COMPENSATION_TWIST_TO_FEMUR_RATIO = 1.0

#: How far apart two readings must be before hiprot calls them different
#: (left against right, one week against another): the README's "differences
#: under ~10° are not meaningful". It sits between the per-frame femur error's
#: mean and 95th percentile that ``benchmarks/accuracy_angles.py`` measures on
#: the renders (``benchmarks/results/accuracy_angles.json``).
MEASUREMENT_ERROR_DEG = 10.0

#: How long pose noise can carry a reading away and back (a flicker, heel
#: and toe swapped for a moment, a lost frame): a still period tolerates
#: excursions this short, and the rep counter does not let the foot turn
#: against the femur for less (``hiprot.reps.FOOT_FLICK_S``).
NOISE_EXCURSION_MAX_S = 0.5

#: Beyond these a best reading is flagged as implausible (a misread, not a
#: range): well past the normal hip range of about 45° internal and 60° external.
PLAUSIBLE_INTERNAL_MAX_DEG = 60.0
PLAUSIBLE_EXTERNAL_MAX_DEG = 80.0

#: The guided calibration move after the still neutral: both feet fully out,
#: held this long, then fully in, held this long (``hiprot.reading.guided``).
GUIDED_HOLD_S = 3.0
