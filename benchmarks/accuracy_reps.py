"""Rep counting accuracy against synthetic truth (the reporting seeds).

Runs the whole review analysis (angles -> auto-neutral -> reps) on every
session of ``hiprot.synth.suite.reporting_specs()`` and compares with the
truth: per session-leg rep count, held-rep count, hold duration, and
rep-level compensation and too-fast precision/recall, for both angle
estimators: ``world`` (exact on synthetic world landmarks, so it isolates
the rep counter) and ``image`` (the default for real MediaPipe data). Also
times the rep counter per sample next to the angle stage.

    python benchmarks/accuracy_reps.py [--noise none|low|realistic|high]
    python benchmarks/accuracy_reps.py --candidate NAME  # a generalization.py candidate,
                                                          # to results/accuracy_reps_NAME.json
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    REPO,
    add_noise_option,
    fmt,
    match_reps,
    precision_recall,
    review_synthetic,
    write_results,
)
from generalization import CANDIDATES

from hiprot.bilateral import BilateralCounter
from hiprot.reading.series import ESTIMATORS, angle_series, samples, smooth_series
from hiprot.synth import generate
from hiprot.synth.suite import reporting_specs


def evaluate(noise: str | None, estimator: str) -> dict[str, object]:
    specs = reporting_specs()
    if noise is not None:
        specs = [replace(s, noise=noise) for s in specs]
    count_err, held_err, hold_dt = [], [], []
    all_truth, all_measured, all_pairs = [], [], []
    by_scenario: dict[str, list[int]] = defaultdict(list)
    by_placement: dict[str, list[int]] = defaultdict(list)
    by_noise: dict[str, list[int]] = defaultdict(list)
    for spec in specs:
        session = generate(spec)
        measured = review_synthetic(session.frames, spec, estimator).summary.to_dict()
        for leg, true_leg in session.truth["legs"].items():
            got = measured["legs"][leg]
            count_err.append(got["reps"] - true_leg["reps"])
            held_err.append(got["held_reps"] - true_leg["held_reps"])
            by_scenario[spec.scenario].append(abs(count_err[-1]))
            by_placement[spec.placement.rsplit("_", 1)[0]].append(abs(count_err[-1]))
            by_noise[spec.noise].append(abs(count_err[-1]))
        pairs = match_reps(session.truth["reps"], measured["reps"])
        hold_dt += [abs(m["hold_s"] - t["hold_s"]) for t, m in pairs]
        all_truth += session.truth["reps"]
        all_measured += measured["reps"]
        all_pairs += pairs
    errors = np.abs(count_err)
    return {
        "sessions": len(specs),
        "session_legs": len(count_err),
        "count_exact_rate": float(np.mean(errors == 0)),
        "count_off_by_one_rate": float(np.mean(errors == 1)),
        "count_within_one_rate": float(np.mean(errors <= 1)),
        "count_mean_abs_error": float(np.mean(errors)),
        "held_count_exact_rate": float(np.mean(np.abs(held_err) == 0)),
        "hold_duration_mean_abs_error_s": float(np.mean(hold_dt)) if hold_dt else None,
        "compensation": precision_recall(all_pairs, all_truth, all_measured, "compensation"),
        "too_fast": precision_recall(all_pairs, all_truth, all_measured, "controlled", negate=True),
        "count_exact_rate_by_scenario": {
            name: float(np.mean(np.array(errs) == 0)) for name, errs in sorted(by_scenario.items())
        },
        "count_exact_rate_by_placement": {
            name: float(np.mean(np.array(errs) == 0)) for name, errs in sorted(by_placement.items())
        },
        "count_exact_rate_by_noise": {
            name: float(np.mean(np.array(errs) == 0)) for name, errs in by_noise.items()
        },
    }


def per_sample_cost() -> dict[str, float]:
    """Microseconds per frame of the angle stage and of the rep counter, side by side."""
    spec = reporting_specs()[0]
    session = generate(spec)
    size = (spec.width, spec.height)
    frame_samples = samples(smooth_series(angle_series(session.frames, size)))
    start = time.perf_counter()
    series = smooth_series(angle_series(session.frames, size))
    angles_us = (time.perf_counter() - start) / len(series) * 1e6
    start = time.perf_counter()
    counter = BilateralCounter("both")
    for sample in frame_samples:
        counter.update(sample)
    reps_us = (time.perf_counter() - start) / len(frame_samples) * 1e6
    return {
        "angles_us_per_frame": angles_us,
        "reps_us_per_frame": reps_us,
        "mediapipe_us_per_frame_reference": 25_000.0,
        "reps_vs_mediapipe": reps_us / 25_000.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_noise_option(parser, "the suite's mix")
    parser.add_argument(
        "--candidate",
        choices=list(CANDIDATES),
        help="count as this generalization.py candidate (results/accuracy_reps_NAME.json)",
    )
    args = parser.parse_args()
    setup = CANDIDATES[args.candidate] if args.candidate else nullcontext
    results: dict[str, object] = {"suite": "reporting", "noise": args.noise or "suite mix"}
    if args.candidate:
        results["candidate"] = args.candidate
    for estimator in ESTIMATORS:
        for level in [args.noise] if args.noise else [None, "none"]:
            key = f"{estimator}/{level or 'suite_mix'}"
            with setup():
                r = evaluate(level, estimator)
            results[key] = r
            print(
                f"[{key}] {r['session_legs']} session-legs: "
                f"count exact {r['count_exact_rate']:.1%}, "
                f"within one {r['count_within_one_rate']:.1%}, "
                f"held exact {r['held_count_exact_rate']:.1%}, "
                f"hold error {r['hold_duration_mean_abs_error_s']:.2f} s, compensation P/R "
                f"{fmt(r['compensation']['precision'])}/{fmt(r['compensation']['recall'])}, "
                "too fast P/R "
                f"{fmt(r['too_fast']['precision'])}/{fmt(r['too_fast']['recall'])}"
            )
            for factor in ("placement", "noise"):
                print(
                    f"    count exact by {factor}:",
                    {k: round(v, 2) for k, v in r[f"count_exact_rate_by_{factor}"].items()},
                )
    results["cost"] = per_sample_cost()
    print(
        f"cost: angles {results['cost']['angles_us_per_frame']:.0f} us/frame, reps "
        f"{results['cost']['reps_us_per_frame']:.0f} us/frame "
        f"({results['cost']['reps_vs_mediapipe']:.2%} of MediaPipe's ~25 ms)"
    )
    name = f"accuracy_reps_{args.candidate}" if args.candidate else "accuracy_reps"
    path = write_results(name, results)
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
