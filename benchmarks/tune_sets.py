"""Tuning study (issue #21): how many reps make a set and how long a rest
ends one (``hiprot.reps.in_sets``), chosen on TUNING data only.

Every session is reviewed once with the set rule off (``SET_MIN_REPS`` 1);
each candidate (``min_reps``, ``max_gap_s``) is then ``in_sets`` on those
reps, which is what review does with it on. Scored on:

- lying still (``still``, every working placement x every noise level,
  seeds 170000+, both legs, at 30 and 15 frames/s): reps counted (truth
  0), the constraint;
- the synthetic tuning seeds (``tuning_specs()``) at 30 and 15 frames/s
  and the tuning renders (``benchmarks/render_suite/tuning/``,
  ``sample_videos/``; landmark recordings from ``hiprot extract``, read
  from ``--landmarks``): count exact / within one per group, and which
  drill legs count further from the truth than with the rule off, the cost.

The pick: the fewest still reps among the candidates whose exact and
within-one counts are no lower than with the rule off in any group and
that move no drill leg from within one of its truth to outside it.
No held-out data is read.

    python benchmarks/tune_sets.py --landmarks DIR

Results: docs/position.md, "A set is a rhythm"; the written results are
not registered with ``make_docs.py``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_results
from tune_judgements import drill_sessions, render_clips

import hiprot.reps as reps_module
from hiprot.review import review_pose_frames
from hiprot.synth import NOISE_LEVELS, SessionSpec, generate
from hiprot.synth.camera import WORKING_PLACEMENTS

STILL_SEED = 170_000
RATES = (30.0, 15.0)
CANDIDATES = [(k, g) for k in (2, 3, 4, 5) for g in (6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0)]


def still_sessions():
    """(key, noise, frames, size) of lying still: every working placement x
    every noise level, one seed each, at each rate."""
    for fps in RATES:
        k = 0
        for placement in WORKING_PLACEMENTS:
            for noise in NOISE_LEVELS:
                spec = SessionSpec(
                    seed=STILL_SEED + k, scenario="still", placement=placement, noise=noise, fps=fps
                )
                k += 1
                yield (
                    f"{spec.name}@{fps:g}",
                    noise,
                    generate(spec).frames,
                    (spec.width, spec.height),
                )


def _review(frames, key: str, mode: str, size: tuple[int, int]):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return review_pose_frames(frames, key, mode, size_wh=size)


def reviewed(landmarks: Path) -> tuple[list[dict], list[dict]]:
    """Every session's reps with the set rule off: (still legs, drill legs)."""
    still, drills = [], []
    off = reps_module.SET_MIN_REPS
    reps_module.SET_MIN_REPS = 1
    try:
        for key, noise, frames, size in still_sessions():
            review = _review(frames, key, "both", size)
            for leg in ("left", "right"):
                reps = tuple(r for r in review.reps if r.leg.value == leg)
                still.append({"key": key, "leg": leg, "noise": noise, "reps": reps})
            print(f"still {key} {len(review.reps)}", flush=True)
        for key, group, frames, truth, size, mode in (
            *drill_sessions(RATES),
            *render_clips(landmarks),
        ):
            review = _review(frames, key, mode, size)
            for leg in ["left", "right"] if mode == "both" else [mode]:
                reps = tuple(r for r in review.reps if r.leg.value == leg)
                drills.append(
                    {
                        "key": key,
                        "leg": leg,
                        "group": group,
                        "reps": reps,
                        "truth": truth["legs"][leg]["reps"],
                    }
                )
            print(f"drill {key} {len(review.reps)}", flush=True)
    finally:
        reps_module.SET_MIN_REPS = off
    return still, drills


def score(still: list[dict], drills: list[dict], rule) -> dict:
    by_noise: dict[str, int] = {}
    for leg in still:
        by_noise[leg["noise"]] = by_noise.get(leg["noise"], 0) + len(rule(leg["reps"]))
    groups: dict[str, dict[str, int]] = {}
    worse, out, better = [], [], 0
    for leg in drills:
        before = len(leg["reps"]) - leg["truth"]
        after = len(rule(leg["reps"])) - leg["truth"]
        g = groups.setdefault(leg["group"], {"legs": 0, "exact": 0, "within_one": 0})
        g["legs"] += 1
        g["exact"] += after == 0
        g["within_one"] += abs(after) <= 1
        name = f"{leg['key']} {leg['leg']} {before:+d} -> {after:+d}"
        if abs(after) > abs(before):
            worse.append(name)
        if abs(after) < abs(before):
            better += 1
        if abs(before) <= 1 < abs(after):
            out.append(name)
    return {
        "still_reps": sum(by_noise.values()),
        "still_by_noise": by_noise,
        **groups,
        "legs_further": worse,
        "legs_closer": better,
        "legs_out_of_within_one": out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=Path, required=True)
    parser.add_argument("--out", default="tune_sets")
    args = parser.parse_args()
    still, drills = reviewed(args.landmarks)
    off = score(still, drills, lambda reps: reps)
    results = {"off": off}
    admitted = []
    for k, g in CANDIDATES:
        r = score(still, drills, lambda reps, k=k, g=g: reps_module.in_sets(reps, k, g))
        r["admitted"] = not r["legs_out_of_within_one"] and all(
            r[group][m] >= off[group][m]
            for group in ("synth30", "synth15", "renders")
            for m in ("exact", "within_one")
        )
        results[f"{k} reps, {g:g} s"] = r
        if r["admitted"]:
            admitted.append((r["still_reps"], len(r["legs_further"]), k, g))
        print(
            f"{k} {g:g}: still {r['still_reps']} {r['still_by_noise']} | "
            + " | ".join(
                f"{group} {r[group]['exact']}/{r[group]['within_one']}"
                for group in ("synth30", "synth15", "renders")
            )
            + f" | further {len(r['legs_further'])} | {'admitted' if r['admitted'] else ''}",
            flush=True,
        )
    results["admitted"] = sorted(admitted)
    print(f"wrote {write_results(args.out, {'tuning_only': True, 'candidates': results})}")


if __name__ == "__main__":
    main()
