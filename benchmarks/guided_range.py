"""Peak internal rotation in degrees: what the guided move and a range
measured by hand add, on the synthetic reporting seeds.

Every reporting session (64: every scenario, placement, noise level and
mode) is generated again with the guided calibration move after their still start
(``SessionSpec(guided_move=True)``: both worked legs fully out and held,
then fully in and held, to the person's true full range) and reviewed
once; per session-leg, the error of the leg's peak internal rotation
against the truth, four ways (the scaling is the
review's own, ``LegRange.internal_deg`` on the image peak and the move's
readings):

- *image degrees*: the review's reading with no hand measurement, the
  reps' highest reading (the move left out of the count, as it is whenever
  a measured range is known);
- *guided + hand*: the person's true internal range given as measured by
  hand (``hiprot calibrate --range``), so the peak (the reading a rep
  held, as the move's ends are read: ``hiprot.reading.guided.held_reading``)
  is scaled by the guided move's reading (``hiprot.calibration.LegRange``);
- *guided + hand +-5 deg*: the same with the hand measurement 5 deg too high
  and 5 deg too low (a goniometer's error; both pooled);
- *guided + typical range*: no hand measurement; every leg assumed to have
  the mean true internal range of the tuning seeds (what the guided move
  alone could give).

Legs whose best reading is capped by the view (``report.capped_readings``)
are scored apart (review gives them no scale). The review is run with the
true range as the hand measurement, which makes it look for the move.
Also: how often the move is found (sessions with it), and how often one is
found in the plain reporting sessions (false finds).

    python benchmarks/guided_range.py
"""

from __future__ import annotations

import sys
import warnings
from collections import defaultdict
from dataclasses import replace
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, error_stats, write_results

from hiprot.calibration import LegRange, MeasuredRange
from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.report import capped_readings
from hiprot.review import Review, review_pose_frames
from hiprot.synth import SCENARIOS, SessionSpec, SyntheticSession, generate
from hiprot.synth.script import build_script
from hiprot.synth.suite import reporting_specs, tuning_specs

HAND_ERROR_DEG = 5.0
#: Sessions reviewed at once.
JOBS = 2


def typical_range_deg() -> float:
    """Mean true internal range over the tuning seeds' worked legs (their
    scripts alone, drawn as ``hiprot.synth.generate`` draws them)."""
    ranges = []
    for spec in tuning_specs():
        script_rng = np.random.default_rng(np.random.SeedSequence(spec.seed).spawn(4)[1])
        script = build_script(SCENARIOS[spec.scenario], spec.active_legs, script_rng, None, True)
        ranges += [script.ranges[side].internal_deg for side in spec.active_legs]
    return float(np.mean(ranges))


def review_session(session: SyntheticSession, measured: MeasuredRange | None = None) -> Review:
    """Review a synthetic session as ``hiprot review`` would, with ``measured``
    as the person's hand-measured range."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return review_pose_frames(
            session.frames,
            session.spec.name,
            session.spec.mode,
            size_wh=(640, 480),
            measured=measured,
        )


def _one_session(spec: SessionSpec, typical: float) -> tuple[dict, list[tuple[str, str, float]]]:
    """One reporting session: its find counts and its (group, measure, error) rows."""
    found: dict[str, int] = defaultdict(int)
    rows: list[tuple[str, str, float]] = []
    plain = generate(spec)
    try:  # review looks for the move only when a measured range is known
        anyone = MeasuredRange(dict.fromkeys(spec.active_legs, 30.0))
        found["false_finds"] += review_session(plain, anyone).guided_s is not None
    except HiprotError:
        pass
    found["plain_sessions"] += 1
    session = generate(replace(spec, guided_move=True))
    truth = session.truth
    true_range = {Side(k): v["internal"] for k, v in truth["range_deg"].items()}
    measures = {
        "image degrees": [None],
        "guided + hand": [true_range],
        f"guided + hand +-{HAND_ERROR_DEG:g} deg": [
            {s: d + sign * HAND_ERROR_DEG for s, d in true_range.items()} for sign in (1, -1)
        ],
        "guided + typical range": [dict.fromkeys(true_range, typical)],
    }
    found["guided_sessions"] += 1
    try:
        review = review_session(session, MeasuredRange(true_range))
    except HiprotError:
        return dict(found), rows
    found["found"] += review.guided_s is not None
    image = review
    if review.scaled_legs:  # the same review with no hand measurement: image degrees
        image = review_session(session, MeasuredRange({}))
    capped = capped_readings(review)
    for side, leg in review.summary.legs.items():
        true_peak = truth["legs"][side.value]["peak_internal_deg"]
        if leg.peak_internal_deg is None or true_peak is None:
            continue
        guided = review.ranges.get(side, LegRange())
        scaled = guided.in_scale is not None  # a move that gives a scale
        image_peak = image.summary.legs[side].peak_internal_deg
        held = leg.peak_internal_deg / guided.in_scale if scaled else image_peak
        group = "capped" if f"{side.value}-in" in capped else "not capped"
        for name, hands in measures.items():
            for hand in hands:
                leg_range = guided if hand is None else guided.with_measured(hand[side])
                deg = None if hand is None else leg_range.internal_deg(held)
                err = (image_peak if deg is None else deg) - true_peak
                for key in (
                    f"{spec.noise}/{group}",
                    f"{spec.noise}/{group}/{'scaled' if scaled else 'unscaled'}",
                    f"all/{group}",
                    f"all/{group}/{'scaled' if scaled else 'unscaled'}",
                ):
                    rows.append((key, name, err))
    print(f"  {session.spec.name}", flush=True)
    return dict(found), rows


def main() -> None:
    typical = typical_range_deg()
    print(f"typical internal range (tuning seeds): {typical:.1f} deg")
    errors: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    specs = reporting_specs()
    with Pool(JOBS) as pool:
        done = pool.starmap(_one_session, [(spec, typical) for spec in specs])
    for spec, (counts, rows) in zip(specs, done):
        for what, n in counts.items():
            found[spec.noise][what] += n
        for key, name, err in rows:
            errors[key][name].append(err)
    results = {
        "typical_internal_range_deg": round(typical, 2),
        "hand_error_deg": HAND_ERROR_DEG,
        "peak_internal_error": {
            group: {name: error_stats(e) for name, e in readings.items()}
            for group, readings in sorted(errors.items())
        },
        "guided_move_found": {noise: dict(c) for noise, c in sorted(found.items())},
    }
    for group, readings in results["peak_internal_error"].items():
        cells = "  ".join(f"{n} {r['mae_deg']}" for n, r in readings.items())
        print(f"{group:34} {cells}")
    for noise, c in results["guided_move_found"].items():
        print(
            f"{noise:10} found {c['found']}/{c['guided_sessions']}, "
            f"false {c['false_finds']}/{c['plain_sessions']}"
        )
    path = write_results("guided_range", results)
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
