"""Today's hiprot on the wide render suite (issue #22): counts, held verdicts
and peak internal rotation against the truth, per session-leg, split by
look, body, lighting and camera.

The clips in ``benchmarks/render_suite/wide/`` are HELD OUT: no constant of
hiprot is chosen on them. Each finished clip has ``NAME.truth.json`` (with
its manifest entry) and landmark recordings of the clean video and of its
webcam-degraded copy (``NAME.landmarks.jsonl.gz``,
``NAME-webcam.landmarks.jsonl.gz``, MediaPipe's full model, made by
``tools/render/wide_queue.sh``); this benchmark reads the recordings, so no
MediaPipe runs here. Each recording goes through ``hiprot.review`` as
``hiprot review REC --mode LEGS`` runs it, LEGS being the legs the clip
works (what the user would say).

    python benchmarks/accuracy_wide.py [--folder DIR] [--markdown OUT.md]
    python benchmarks/accuracy_wide.py --landmarks DIR   # e.g. heavy's recordings

``--landmarks DIR`` scores the recordings in DIR (named as the committed
ones) against the suite's truth; each is reviewed with the pose model its
header names (that model's gate and knee circle).

Scored per session-leg: rep count exact / within one; held reps counted
right; per matched rep, the held verdict, apart for reps whose true hold is
within ``HOLD_MARGIN_S`` of the 1 s rule (borderline) and those clear of
it; the leg's best internal rotation against the truth's, where the
reading is not at the camera view's limit (``hiprot.report.capped``); and
"from the ankles" (compensation) precision / recall over matched reps.
The rows are ``_wide.leg_rows``, as generalization.py's.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_outputs
from _wide import COPIES, FACTORS, FOLDER, recordings, score_recording

from hiprot.review import review_pose_frames
from hiprot.sources import open_pose_source

#: Manifest fields the results are split by.
SPLITS = FACTORS


def score_negative(name: str, copy: str, truth: dict, rec: Path) -> dict:
    """Issue #21's rendered negatives: true and measured reps per leg (the
    enter/exit clip has drill reps between entering and leaving; the leg
    raise none), reviewed as a both-leg set."""
    with open_pose_source(rec) as source:
        frames = list(source.frames)
        size_wh = (source.info.width, source.info.height)
        model = source.info.landmark_model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = review_pose_frames(frames, name, "both", size_wh=size_wh, pose_model=model)
    measured = review.summary.to_dict()["legs"]
    return {
        "clip": name,
        "copy": copy,
        "what": truth["manifest"]["script"],
        "reps_true": {leg: truth["legs"][leg]["reps"] for leg in ("left", "right")},
        "reps_measured": {leg: measured[leg]["reps"] for leg in ("left", "right")},
    }


def summarise(rows: list[dict]) -> dict:
    """Counts, held verdicts and peak error over some session-legs (rows of
    ``_wide.leg_rows``)."""
    n = len(rows)
    diffs = [r["reps_measured"] - r["reps_true"] for r in rows]
    peaks = [
        abs(r["peak_internal_measured"] - r["peak_internal_true"])
        for r in rows
        if r["peak_internal_measured"] is not None and not r["peak_internal_capped"]
    ]
    return {
        "session_legs": n,
        "count_exact": sum(d == 0 for d in diffs),
        "count_within_one": sum(abs(d) <= 1 for d in diffs),
        "count_exact_rate": round(sum(d == 0 for d in diffs) / n, 3) if n else None,
        "count_within_one_rate": round(sum(abs(d) <= 1 for d in diffs) / n, 3) if n else None,
        "count_error_mean": round(float(np.mean(diffs)), 2) if n else None,
        "held_count_exact": sum(r["held_measured"] == r["held_true"] for r in rows),
        "held_verdict_clear": {
            "right": sum(r["held_clear_right"] for r in rows),
            "reps": sum(r["held_clear_reps"] for r in rows),
        },
        "held_verdict_borderline": {
            "right": sum(r["held_borderline_right"] for r in rows),
            "reps": sum(r["held_borderline_reps"] for r in rows),
        },
        "peak_internal_mae_deg": round(float(np.mean(peaks)), 1) if peaks else None,
        "peak_internal_max_error_deg": round(float(np.max(peaks)), 1) if peaks else None,
        "peak_internal_scored": len(peaks),
        "peak_internal_capped": sum(r["peak_internal_capped"] for r in rows),
    }


def from_ankles(rows: list[dict]) -> dict[str, float | None]:
    """The "from the ankles" precision and recall over the rows' reps (as
    ``_common.precision_recall`` on their matched reps)."""
    right = sum(r["ankles_right"] for r in rows)
    flagged = sum(r["ankles_flagged"] for r in rows)
    true = sum(r["ankles_true"] for r in rows)
    return {
        "precision": right / flagged if flagged else None,
        "recall": right / true if true else None,
        "true": true,
        "flagged": flagged,
    }


def split(rows: list[dict], field: str) -> dict:
    """summarise() per level of one manifest field."""
    levels = sorted({r[field] for r in rows}, key=str)
    return {str(level): summarise([r for r in rows if r[field] == level]) for level in levels}


def markdown(results: dict) -> str:
    """Per session-leg rows and the main splits as markdown, from the results."""
    lines = [
        "| clip | copy | leg | body | outfit | lighting | camera | reps (measured / true) "
        "| held | peak internal (measured / true) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["session_legs"]:
        peak = r["peak_internal_measured"]
        peak_cell = "-" if peak is None else f"{peak:+.0f}°"
        if r["peak_internal_capped"]:
            peak_cell += " (at the view's limit)"
        lines.append(
            f"| {r['clip']} | {r['copy']} | {r['leg']} ({r['side']}) | {r['body']} | "
            f"{r['outfit']} | {r['lighting']} | {r['azimuth_deg']:g}°, {r['height']}, "
            f"{r['distance_m']:g} m | {r['reps_measured']} / {r['reps_true']} | "
            f"{r['held_measured']} / {r['held_true']} | {peak_cell} / "
            f"{r['peak_internal_true']:+.1f}° |"
        )
    lines += [
        "",
        "| subset | session-legs | count exact | within one | held verdicts, clear "
        "| peak internal MAE (scored) |",
        "|---|---|---|---|---|---|",
    ]
    for copy in ("clean", "webcam"):
        if copy not in results:
            continue
        subsets = [("all", results[copy]["all"])]
        for field in ("side", "reading", "outfit", "body", "distance_m", "height", "azimuth_deg"):
            subsets += [(f"{field} {k}", v) for k, v in results[copy]["by"][field].items()]
        for label, a in subsets:
            hv = a["held_verdict_clear"]
            mae = "-" if a["peak_internal_mae_deg"] is None else f"{a['peak_internal_mae_deg']}°"
            lines.append(
                f"| {copy}: {label} | {a['session_legs']} | {a['count_exact']} | "
                f"{a['count_within_one']} | {hv['right']}/{hv['reps']} | "
                f"{mae} ({a['peak_internal_scored']}) |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=FOLDER, help="the truth (and recordings)")
    parser.add_argument(
        "--landmarks",
        type=Path,
        help="score the recordings in this folder instead (e.g. another pose model's; "
        "a copy not there is left out); writes accuracy_wide_<model>.json unless --out",
    )
    parser.add_argument("--out", help="results file name (default accuracy_wide)")
    parser.add_argument("--markdown", type=Path, help="also write the tables as markdown here")
    args = parser.parse_args(argv)
    for folder in (args.folder, args.landmarks):
        if folder is not None and not folder.is_dir():
            raise SystemExit(f"{folder}: no such folder")
    rows: list[dict] = []
    negatives = []
    for name, copy, truth, rec in recordings(args.folder, args.landmarks, negatives=True):
        if truth["manifest"].get("negative"):
            negatives.append(score_negative(name, copy, truth, rec))
            print(f"{name:18s} {copy:6s} negative: {negatives[-1]}")
            continue
        r = score_recording(name, copy, truth, rec)
        rows += r
        for row in r:
            print(
                f"{name:18s} {copy:6s} {row['leg']:5s} reps {row['reps_measured']}/"
                f"{row['reps_true']} held {row['held_measured']}/{row['held_true']} "
                f"peak in {row['peak_internal_measured']} vs {row['peak_internal_true']}"
                f"{' (capped)' if row['peak_internal_capped'] else ''}"
            )
    if not rows and not negatives:
        raise SystemExit(f"{args.landmarks or args.folder}: no recordings with truth yet")
    models = sorted({r["pose_model"] for r in rows})
    results: dict = {"held_out": True, "clips": len({r["clip"] for r in rows})}
    if args.landmarks is not None:
        results["landmarks"] = str(args.landmarks)
        results["pose_models"] = models
    for copy in COPIES:
        mine = [r for r in rows if r["copy"] == copy]
        if not mine:
            continue
        results[copy] = {
            "all": summarise(mine),
            "from_ankles": from_ankles(mine),
            "by": {field: split(mine, field) for field in (*SPLITS, "side", "reading")},
        }
    results["negatives"] = negatives
    results["session_legs"] = rows
    out = args.out or (
        "accuracy_wide" if args.landmarks is None else f"accuracy_wide_{'+'.join(models)}"
    )
    for copy in COPIES:
        if copy in results:
            a = results[copy]["all"]
            print(
                f"{copy}: exact {a['count_exact']}/{a['session_legs']}, within one "
                f"{a['count_within_one']}/{a['session_legs']}, held verdicts (clear) "
                f"{a['held_verdict_clear']['right']}/{a['held_verdict_clear']['reps']}, "
                f"peak internal MAE {a['peak_internal_mae_deg']} deg "
                f"over {a['peak_internal_scored']}"
            )
    write_outputs(out, results, args.markdown, markdown)


if __name__ == "__main__":
    main()
