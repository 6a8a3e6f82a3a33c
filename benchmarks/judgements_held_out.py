"""The jitter's window and its ratios held out at 30 frames/s (issue #22):
the synthetic reporting seeds (``accuracy_reps``' image estimator, the
noise mix), ``accuracy_negatives``' lying-still sessions (seeds 70000+)
and its entering and leaving sessions, each session under
``window_31_samples`` (the jitter over 31 samples, rep floor 3, knee
switch 1.5: the reading before ``filters.JITTER_WINDOW_S``) and
``shipped`` (1.5 s, 3.5, 1.25), side by side in one run.

Prints one line per session-leg (``ROW setting noise count_diff
held_right held_clear``), per still session (``STILL setting noise reps
name``) or per entering-and-leaving session (``ENTER setting noise
reps_outside count_diff name``); docs/generalization.md, "The jitter's
window in seconds", sums them. Nothing is chosen on these.

    python benchmarks/judgements_held_out.py reps|still|enter
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tune_judgements as tj
from accuracy_negatives import enter_exit_specs, negative_specs

from hiprot.synth import generate
from hiprot.synth.suite import reporting_specs

SETTINGS = {
    "window_31_samples": {"window_s": None, "hold_ratio": 1.5},
    "shipped": {"window_s": 1.5, "rep_ratio": 3.5, "hold_ratio": 1.5, "knee_ratio": 1.25},
}


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
    for spec in (s for s in negative_specs() if s.scenario == "still"):
        frames = generate(spec).frames
        for name, kw in SETTINGS.items():
            with tj.setting(**kw):
                n = len(tj._review(spec.name, frames, spec.name, "both", (640, 480)).reps)
            print(f"STILL {name} {spec.noise} {n} {spec.name}", flush=True)
        tj._CACHE.clear()


def enter() -> None:
    for spec in enter_exit_specs():
        session = generate(spec)
        entered, left = session.truth["drill_s"]
        for name, kw in SETTINGS.items():
            with tj.setting(**kw):
                found = tj._review(spec.name, session.frames, spec.name, "both", (640, 480)).reps
            out = sum(r.start_s < entered or r.end_s > left for r in found)
            diff = len(found) - len(session.truth["reps"])
            print(f"ENTER {name} {spec.noise} {out} {diff} {spec.name}", flush=True)
        tj._CACHE.clear()


if __name__ == "__main__":
    with tj.stage_cache():
        {"reps": reps, "still": still, "enter": enter}[sys.argv[1]]()
