"""The guided move in live: asked for, found, and the degrees live announces.

The first ``--sessions`` synthetic reporting sessions (default 16: 4 at each
noise level; all 64 with 64) are generated again with the guided move after
their still start (``SessionSpec(guided_move=True)``), ``--sets`` sets
(default 2) of 3 reps with a rest between (a live run replays every frame:
this keeps it short), after ``accuracy_live.LEAD_IN_S`` of stillness (live's
set-up check and countdown come first). Each is run through live
(``LiveSession``, asked for the move: ``CoachConfig(guided_move=True)``,
the true internal range as the hand measurement, a set of 3 reps, a rest of
``REST_S``) and reviewed on the same frames with the same hand measurement.
Per worked leg:

- whether live found the move, and whether review did;
- the scale live read right after the move (on the countdown's neutral),
  the one the first set's re-read gave (what live announces the later sets
  in) and review's (``LegRange.in_scale``);
- per set, the error against the truth of the set-leg's peak internal
  rotation as live announced it (set 1: image degrees; from set 2: degrees
  where the first set's re-read gave the leg a scale, until a rep reads
  the view's limit: image degrees from then on), as live stored it (each
  set's re-read) and as review gave it;
- the rep count live announced, the one it stored and review's, against the
  truth (the whole session).

A set's reps are the ones that start before the middle of the synthetic
rest that ends it (the truth's, not live's: live's set may end early).

    python benchmarks/guided_live.py [--sessions N] [--sets N]
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

from hiprot.calibration import LegRange, MeasuredRange
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
#: Live's rest between sets: shorter than the synthetic person's (4-10 s,
#: ``hiprot.synth.script``), who does not wait for "go", so that live's rest
#: and set-up check do not swallow the next set's first rep.
REST_S = 2.0
PATHS = ("announced", "stored", "review")


def _peak(reps, side: Side, span_s: tuple[float, float]) -> float | None:
    peaks = [
        r.peak_internal_deg
        for r in reps
        if r.leg is side and span_s[0] <= r.start_s < span_s[1] and r.peak_internal_deg is not None
    ]
    return max(peaks) if peaks else None


def _set_spans(reps: list[dict], sets: int) -> list[tuple[float, float]]:
    """Each set's time span, split at the middle of each rest: between the
    end of the truth's last rep of a set and the start of the next set's
    first (the truth numbers each leg's reps; a set holds ``REPS`` a leg)."""
    bounds = [-np.inf]
    for k in range(1, sets):
        before = max(r["end_s"] for r in reps if r["index"] <= k * REPS)
        after = min(r["start_s"] for r in reps if r["index"] == k * REPS + 1)
        bounds.append((before + after) / 2)
    bounds.append(np.inf)
    return [(bounds[k], bounds[k + 1]) for k in range(sets)]


def _one_session(args: tuple[SessionSpec, int]) -> list[dict]:
    spec, sets = args
    session = generate(replace(spec, guided_move=True, reps_per_set=REPS, sets=sets))
    truth = session.truth
    measured = MeasuredRange({Side(k): v["internal"] for k, v in truth["range_deg"].items()})
    frames = _with_lead_in(session.frames, session.truth["neutral_until_s"])
    shift_s = frames[len(frames) - len(session.frames)].t_s - session.frames[0].t_s
    live = LiveSession(
        coach=Coach(
            CoachConfig(
                mode=spec.mode, target_reps=REPS, sets=sets, rest_s=REST_S, guided_move=True
            ),
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
    true_reps = [
        {
            **r,
            "start_s": r["start_s"] + shift_s,
            "end_s": r["end_s"] + shift_s,
            "leg": Side(r["leg"]),
        }
        for r in truth["reps"]
    ]
    spans = _set_spans(true_reps, sets)
    rows = []
    for side in spec.active_legs:
        move_range = live.move_ranges.get(side)
        # the set-up's ranges after the first set's re-read: the later sets' scale
        reread_range = live.leg_ranges().get(side, LegRange())
        told = live.coach.ranges.get(side, LegRange())
        review_range = None if review is None else review.ranges.get(side)
        per_set = []
        for span in spans:
            true = [
                r["peak_internal_deg"]
                for r in true_reps
                if r["leg"] is side and span[0] <= r["start_s"] < span[1]
            ]
            per_set.append(
                {
                    "true_peak": max(true) if true else None,
                    "announced_peak": _peak(live.announced_reps, side, span),
                    "stored_peak": _peak(live.coach.reps, side, span),
                    "review_peak": None if review is None else _peak(review.reps, side, span),
                }
            )
        rows.append(
            {
                "session": spec.name,
                "leg": side.value,
                "noise": spec.noise,
                "live_found": move_range is not None and move_range.guided,
                "review_found": review is not None
                and review.guided_s is not None
                and review_range is not None
                and review_range.guided,
                "live_scale": None
                if move_range is None
                else move_range.with_measured(measured.internal_deg.get(side)).in_scale,
                "reread_scale": reread_range.in_scale,
                # a rep of a later set read the view's limit: image degrees from then on
                "capped_in_live": reread_range.in_scale is not None and told.in_scale is None,
                "review_scale": None if review_range is None else review_range.in_scale,
                "sets": per_set,
                "true_reps": truth["legs"][side.value]["reps"],
                "announced_reps": sum(r.leg is side for r in live.announced_reps),
                "stored_reps": sum(r.leg is side for r in live.coach.reps),
                "review_reps": None if review is None else sum(r.leg is side for r in review.reps),
            }
        )
    print(f"  {spec.name}", flush=True)
    return rows


def _ratio(rows: list[dict], key: str) -> dict[str, float | None]:
    both = [r for r in rows if r[key] is not None and r["review_scale"] is not None]
    ratio = [abs(r[key] / r["review_scale"] - 1.0) for r in both]
    return {
        "n": len(ratio),
        "median_abs": round(float(np.median(ratio)), 4) if ratio else None,
        "max_abs": round(float(np.max(ratio)), 4) if ratio else None,
    }


def _errors(rows: list[dict], sets: slice, path: str) -> list[float]:
    """``path``'s peak errors against the truth over ``sets`` of each row's legs."""
    return [
        s[f"{path}_peak"] - s["true_peak"]
        for r in rows
        for s in r["sets"][sets]
        if s[f"{path}_peak"] is not None and s["true_peak"] is not None
    ]


def summarise(rows: list[dict]) -> dict[str, dict]:
    """Per noise level and over all: finds, scale agreement, peak errors, counts."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["noise"]].append(row)
        groups["all"].append(row)
    out = {}
    for name, group in groups.items():
        told = [r for r in group if r["reread_scale"] is not None]  # sets 2+ in degrees
        untold = [r for r in group if r["reread_scale"] is None]
        kept = [r for r in told if not r["capped_in_live"]]
        out[name] = {
            "legs": len(group),
            "live_found": sum(r["live_found"] for r in group),
            "review_found": sum(r["review_found"] for r in group),
            "both_found": sum(r["live_found"] and r["review_found"] for r in group),
            "live_scaled": sum(r["live_scale"] is not None for r in group),
            "reread_scaled": len(told),
            "capped_in_live": len(told) - len(kept),
            "live_scale_vs_review": _ratio(group, "live_scale"),
            "reread_scale_vs_review": _ratio(group, "reread_scale"),
            # the legs whose later sets live told in degrees: set 1 (image
            # degrees) beside sets 2+ (degrees), on the same legs
            "peak_error_scaled_legs": {
                "set_1": {path: error_stats(_errors(told, slice(0, 1), path)) for path in PATHS},
                "sets_2_on": {
                    path: error_stats(_errors(told, slice(1, None), path)) for path in PATHS
                },
                # the same, without the legs live capped (told in degrees throughout)
                "sets_2_on_not_capped": {
                    path: error_stats(_errors(kept, slice(1, None), path)) for path in PATHS
                },
            },
            # the legs live kept in image degrees (no scale known)
            "peak_error_unscaled_legs_sets_2_on": {
                path: error_stats(_errors(untold, slice(1, None), path)) for path in PATHS
            },
            "reps_exact": {
                path: sum(r[f"{path}_reps"] == r["true_reps"] for r in group) for path in PATHS
            },
            "stored_reps_equal_review": sum(r["stored_reps"] == r["review_reps"] for r in group),
        }
    return dict(sorted(out.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=16, help="first N reporting sessions")
    parser.add_argument("--sets", type=int, default=2, help="sets per session (2 or more)")
    args = parser.parse_args()
    if args.sets < 2:
        parser.error("--sets must be at least 2: the later sets are what is measured")
    specs = reporting_specs()[: args.sessions]
    with Pool(JOBS) as pool:
        done = pool.map(_one_session, [(spec, args.sets) for spec in specs])
    rows = [row for session in done for row in session]
    results = {
        "sessions": len(specs),
        "sets": args.sets,
        "reps_per_set": REPS,
        "rest_s": REST_S,
        "summary": summarise(rows),
        "legs": rows,
    }
    for name, s in results["summary"].items():
        print(name, {k: v for k, v in s.items() if not k.startswith("peak_error")})
        for key in ("set_1", "sets_2_on", "sets_2_on_not_capped"):
            print(f"    {key}", s["peak_error_scaled_legs"][key])
        print("    unscaled sets 2+", s["peak_error_unscaled_legs_sets_2_on"])
    path = write_results("guided_live", results)
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
