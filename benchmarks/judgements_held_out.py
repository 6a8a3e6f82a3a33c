"""The tuning study's judgements held out at 30 frames/s (issue #22): the
synthetic reporting seeds (``accuracy_reps``' image estimator, the noise
mix) or ``accuracy_negatives``' lying-still sessions (seeds 70000+), each
session under ``band_1`` (the hold band 3° + 1 x jitter, main's before
``judgements.HOLD_JITTER_RATIO``), ``band_1.5`` (3° + 1.5 x jitter, shipped)
and ``floor_4`` (the rep floor 4 x jitter, band 1 x jitter), side by side
in one run.

Prints one line per session-leg (``ROW setting noise count_diff
held_right held_clear``) or per still session (``STILL setting noise
reps name``); docs/generalization.md, "The rep floor and the hold band",
sums them. Nothing is chosen on these.

    python benchmarks/judgements_held_out.py reps|still
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tune_judgements as tj

from hiprot.synth import NEGATIVES, NOISE_LEVELS, SessionSpec, generate
from hiprot.synth.camera import WORKING_PLACEMENTS
from hiprot.synth.suite import reporting_specs

SETTINGS = {
    "band_1": {"window_s": None},
    "band_1.5": {"window_s": None, "hold_ratio": 1.5},
    "floor_4": {"window_s": None, "rep_ratio": 4.0},
}
#: accuracy_negatives' first seed; its still sessions follow the other negatives.
NEGATIVES_SEED = 70_000


def reps() -> None:
    for spec in reporting_specs():
        session = generate(spec)
        for name, kw in SETTINGS.items():
            with tj.setting(**kw):
                size = (spec.width, spec.height)
                review = tj._review(spec.name, session.frames, spec.name, spec.mode, size)
                for row in tj.score_drill(review, session.truth, spec.mode):
                    diff, right, clear = row["diff"], row["held_right"], row["held_reps"]
                    print(f"ROW {name} {spec.noise} {diff} {right} {clear}", flush=True)
        tj._CACHE.clear()


def still() -> None:
    k = list(NEGATIVES).index("still") * len(WORKING_PLACEMENTS) * len(NOISE_LEVELS)
    for placement in WORKING_PLACEMENTS:
        for noise in NOISE_LEVELS:
            spec = SessionSpec(
                seed=NEGATIVES_SEED + k, scenario="still", placement=placement, noise=noise
            )
            k += 1
            frames = generate(spec).frames
            for name, kw in SETTINGS.items():
                with tj.setting(**kw):
                    n = len(tj._review(spec.name, frames, spec.name, "both", (640, 480)).reps)
                print(f"STILL {name} {noise} {n} {spec.name}", flush=True)
            tj._CACHE.clear()


if __name__ == "__main__":
    {"reps": reps, "still": still}[sys.argv[1]]()
