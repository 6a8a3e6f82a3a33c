"""The guided move in live: asked for, found, and its scale against review's.

The first ``--sessions`` synthetic reporting sessions (default 16: 4 at each
noise level; all 64 with 64) are generated again with the guided move after
their still start (``SessionSpec(guided_move=True)``) and 3 reps a set (a
live run replays every frame: this keeps it short), after ``accuracy_live.LEAD_IN_S`` of stillness
(live's set-up check and countdown come first). Each is run through live
(``LiveSession``, asked for the move: ``CoachConfig(guided_move=True)``,
the true internal range as the hand measurement) and reviewed on the same
frames with the same hand measurement. Per worked leg:

- whether live found the move, and whether review did;
- where both give a scale, live's over review's (``LegRange.in_scale``);
- the error against the truth of the session-leg's peak internal rotation
  as live announced it (its own reading, in image degrees: the session
  that reads the move uses its scale only for what it stores), as live
  stored it (the set's re-read) and as review gave it;
- the rep count live announced, the one it stored and review's, against the truth.

    python benchmarks/guided_live.py [--sessions N]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timezone
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, error_stats, write_results
from accuracy_live import _with_lead_in

from hiprot.calibration import MeasuredRange
from hiprot.coach import Coach, CoachConfig
from hiprot.display import NullDisplay
from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.live import HistorySaver, LiveSession
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate
from hiprot.synth.suite import reporting_specs
from hiprot.voice import SilentPlayer, Speaker

#: Sessions run at once.
JOBS = 2
REPS = 3


def _peak(reps, side: Side) -> float | None:
    peaks = [r.peak_internal_deg for r in reps if r.leg is side and r.peak_internal_deg is not None]
    return max(peaks) if peaks else None


def _one_session(spec: SessionSpec) -> list[dict]:
    session = generate(replace(spec, guided_move=True, reps_per_set=REPS))
    truth = session.truth
    measured = MeasuredRange({Side(k): v["internal"] for k, v in truth["range_deg"].items()})
    frames = _with_lead_in(session.frames)
    live = LiveSession(
        coach=Coach(
            CoachConfig(mode=spec.mode, target_reps=1000, sets=1, guided_move=True),
            source=spec.name,
        ),
        speaker=Speaker(SilentPlayer()),
        saver=HistorySaver(None, spec.name, datetime.now(timezone.utc)),
        display=NullDisplay(),
        log=lambda line: None,
        setup={"width": spec.width, "height": spec.height},
        measured=measured,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live.run((None, frame) for frame in frames)
        try:
            review = review_pose_frames(
                frames, spec.name, spec.mode, size_wh=(640, 480), measured=measured
            )
        except HiprotError:
            review = None
    rows = []
    for side in spec.active_legs:
        leg_truth = truth["legs"][side.value]
        live_range = live.leg_ranges().get(side)  # the set-up's, with this session's move
        review_range = None if review is None else review.ranges.get(side)
        rows.append(
            {
                "noise": spec.noise,
                "live_found": live_range is not None and live_range.guided,
                "review_found": review is not None
                and review.guided_s is not None
                and review_range is not None
                and review_range.guided,
                "live_scale": None if live_range is None else live_range.in_scale,
                "review_scale": None if review_range is None else review_range.in_scale,
                "true_peak": leg_truth["peak_internal_deg"],
                "announced_peak": _peak(live.announced_reps, side),
                "stored_peak": _peak(live.coach.reps, side),
                "review_peak": None if review is None else _peak(review.reps, side),
                "true_reps": leg_truth["reps"],
                "announced_reps": sum(r.leg is side for r in live.announced_reps),
                "stored_reps": sum(r.leg is side for r in live.coach.reps),
                "review_reps": None if review is None else sum(r.leg is side for r in review.reps),
            }
        )
    print(f"  {spec.name}", flush=True)
    return rows


def summarise(rows: list[dict]) -> dict[str, dict]:
    """Per noise level and over all: finds, scale agreement, peak errors, counts."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["noise"]].append(row)
        groups["all"].append(row)
    out = {}
    for name, group in groups.items():
        both = [r for r in group if r["live_scale"] is not None and r["review_scale"] is not None]
        ratio = [r["live_scale"] / r["review_scale"] - 1.0 for r in both]
        scaled = [r for r in group if r["live_scale"] is not None and r["true_peak"] is not None]
        errors = {
            path: [
                r[f"{path}_peak"] - r["true_peak"] for r in scaled if r[f"{path}_peak"] is not None
            ]
            for path in ("announced", "stored", "review")
        }
        out[name] = {
            "legs": len(group),
            "live_found": sum(r["live_found"] for r in group),
            "review_found": sum(r["review_found"] for r in group),
            "both_found": sum(r["live_found"] and r["review_found"] for r in group),
            "live_scaled": len(scaled),
            "both_scaled": len(both),
            "scale_live_over_review_minus_1": {
                "median_abs": round(float(np.median(np.abs(ratio))), 4) if ratio else None,
                "max_abs": round(float(np.max(np.abs(ratio))), 4) if ratio else None,
            },
            "peak_error_live_scaled_legs": {path: error_stats(e) for path, e in errors.items()},
            "reps_exact": {
                "announced": sum(r["announced_reps"] == r["true_reps"] for r in group),
                "stored": sum(r["stored_reps"] == r["true_reps"] for r in group),
                "review": sum(r["review_reps"] == r["true_reps"] for r in group),
            },
            "stored_reps_equal_review": sum(r["stored_reps"] == r["review_reps"] for r in group),
        }
    return dict(sorted(out.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=16, help="first N reporting sessions")
    specs = reporting_specs()[: parser.parse_args().sessions]
    with Pool(JOBS) as pool:
        done = pool.map(_one_session, specs)
    rows = [row for session in done for row in session]
    results = {
        "sessions": len(specs),
        "reps_per_set": REPS,
        "summary": summarise(rows),
        "legs": rows,
    }
    for name, s in results["summary"].items():
        print(name, {k: v for k, v in s.items() if k != "peak_error_live_scaled_legs"})
        print("   ", s["peak_error_live_scaled_legs"])
    path = write_results("guided_live", results)
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
