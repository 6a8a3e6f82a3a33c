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

Scored per session-leg: rep count exact / within one; held reps counted
right; per matched rep, the held verdict, apart for reps whose true hold is
within ``HOLD_MARGIN_S`` of the 1 s rule (borderline) and those clear of
it; the leg's best internal rotation against the truth's, where the
reading is not at the camera view's limit (``hiprot.report.capped``); and
"from the ankles" (compensation) precision / recall over matched reps.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, match_reps, precision_recall, review_wide_clip, write_results

from hiprot import drill
from hiprot.review import review_pose_frames
from hiprot.sources import open_pose_source

FOLDER = REPO / "benchmarks" / "render_suite" / "wide"
#: A true hold this close to ``drill.HOLD_MIN_S`` is borderline (as accuracy_pixels.py).
HOLD_MARGIN_S = 0.2
WEBCAM_SUFFIX = "-webcam"
#: Manifest fields the results are split by.
SPLITS = ("outfit", "body", "lighting", "azimuth_deg", "height", "distance_m", "script")
#: Every camera of the suite stands on the person's left (azimuth 30-60 deg
#: from the left side towards the head): the left leg is the near one.
NEAR_LEG = "left"


def recordings(folder: Path) -> Iterator[tuple[str, str, dict, Path]]:
    """(clip, copy, truth, recording) of every recorded copy of every clip."""
    for truth_path in sorted(folder.glob("*.truth.json")):
        name = truth_path.name.removesuffix(".truth.json")
        truth = json.loads(truth_path.read_text())
        for copy, stem in (("clean", name), ("webcam", name + WEBCAM_SUFFIX)):
            rec = folder / f"{stem}.landmarks.jsonl.gz"
            if rec.exists():
                yield name, copy, truth, rec


def score_recording(name: str, copy: str, truth: dict, rec: Path) -> tuple[list, list, tuple]:
    """Session-leg rows, per-rep held rows, and (pairs, true, measured) reps."""
    legs, measured, at_limit = review_wide_clip(name, truth, rec)
    manifest = truth["manifest"]
    factors = {k: manifest[k] for k in SPLITS}
    rows, holds = [], []
    true_reps = [r for r in truth["reps"] if r["leg"] in legs]
    pairs = match_reps(true_reps, measured["reps"])
    for leg in legs:
        t, m = truth["legs"][leg], measured["legs"][leg]
        peak = m.get("peak_internal_deg")
        rows.append(
            {
                "clip": name,
                "copy": copy,
                "leg": leg,
                "side": "near" if leg == NEAR_LEG else "far",
                **factors,
                "reps_true": t["reps"],
                "reps_measured": m["reps"],
                "held_true": t["held_reps"],
                "held_measured": m["held_reps"],
                "peak_internal_true": t["peak_internal_deg"],
                "peak_internal_measured": peak,
                "peak_internal_capped": f"{leg}-in" in at_limit,
            }
        )
    for tr, mr in pairs:
        holds.append(
            {
                "clip": name,
                "copy": copy,
                "leg": tr["leg"],
                "side": "near" if tr["leg"] == NEAR_LEG else "far",
                **factors,
                "hold_true_s": tr["hold_s"],
                "held_true": tr["held"],
                "held_measured": mr["held"],
                "borderline": abs(tr["hold_s"] - drill.HOLD_MIN_S) <= HOLD_MARGIN_S,
            }
        )
    return rows, holds, (pairs, true_reps, measured["reps"])


def score_negative(name: str, copy: str, truth: dict, rec: Path) -> dict:
    """Issue #21's rendered negatives: true and measured reps per leg (the
    enter/exit clip has drill reps between entering and leaving; the leg
    raise none), reviewed as a both-leg set."""
    with open_pose_source(rec) as source:
        frames = list(source.frames)
        size_wh = (source.info.width, source.info.height)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = review_pose_frames(frames, name, "both", size_wh=size_wh)
    measured = review.summary.to_dict()["legs"]
    return {
        "clip": name,
        "copy": copy,
        "what": truth["manifest"]["script"],
        "reps_true": {leg: truth["legs"][leg]["reps"] for leg in ("left", "right")},
        "reps_measured": {leg: measured[leg]["reps"] for leg in ("left", "right")},
    }


def summarise(rows: list[dict], holds: list[dict]) -> dict:
    """Counts, held verdicts and peak error over some session-legs."""
    n = len(rows)
    diffs = [r["reps_measured"] - r["reps_true"] for r in rows]
    peaks = [
        abs(r["peak_internal_measured"] - r["peak_internal_true"])
        for r in rows
        if r["peak_internal_measured"] is not None and not r["peak_internal_capped"]
    ]
    clear = [h for h in holds if not h["borderline"]]
    border = [h for h in holds if h["borderline"]]
    return {
        "session_legs": n,
        "count_exact": sum(d == 0 for d in diffs),
        "count_within_one": sum(abs(d) <= 1 for d in diffs),
        "count_exact_rate": round(sum(d == 0 for d in diffs) / n, 3) if n else None,
        "count_within_one_rate": round(sum(abs(d) <= 1 for d in diffs) / n, 3) if n else None,
        "count_error_mean": round(float(np.mean(diffs)), 2) if n else None,
        "held_count_exact": sum(r["held_measured"] == r["held_true"] for r in rows),
        "held_verdict_clear": {
            "right": sum(h["held_true"] == h["held_measured"] for h in clear),
            "reps": len(clear),
        },
        "held_verdict_borderline": {
            "right": sum(h["held_true"] == h["held_measured"] for h in border),
            "reps": len(border),
        },
        "peak_internal_mae_deg": round(float(np.mean(peaks)), 1) if peaks else None,
        "peak_internal_max_error_deg": round(float(np.max(peaks)), 1) if peaks else None,
        "peak_internal_scored": len(peaks),
        "peak_internal_capped": sum(r["peak_internal_capped"] for r in rows),
    }


def split(rows: list[dict], holds: list[dict], field: str) -> dict:
    """summarise() per level of one manifest field."""
    levels = sorted({r[field] for r in rows}, key=str)
    return {
        str(level): summarise(
            [r for r in rows if r[field] == level], [h for h in holds if h[field] == level]
        )
        for level in levels
    }


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
        for field in ("side", "outfit", "body", "distance_m", "height", "azimuth_deg"):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=FOLDER)
    parser.add_argument("--markdown", type=Path, help="also write the tables as markdown here")
    args = parser.parse_args()
    rows, holds, rep_sets = [], [], {"clean": ([], [], []), "webcam": ([], [], [])}
    negatives = []
    for name, copy, truth, rec in recordings(args.folder):
        if truth["manifest"].get("negative"):
            negatives.append(score_negative(name, copy, truth, rec))
            print(f"{name:18s} {copy:6s} negative: {negatives[-1]}")
            continue
        r, h, (pairs, true_reps, measured) = score_recording(name, copy, truth, rec)
        rows += r
        holds += h
        for bucket, items in zip(rep_sets[copy], (pairs, true_reps, measured)):
            bucket.extend(items)
        for row in r:
            print(
                f"{name:18s} {copy:6s} {row['leg']:5s} reps {row['reps_measured']}/"
                f"{row['reps_true']} held {row['held_measured']}/{row['held_true']} "
                f"peak in {row['peak_internal_measured']} vs {row['peak_internal_true']}"
                f"{' (capped)' if row['peak_internal_capped'] else ''}"
            )
    if not rows and not negatives:
        raise SystemExit(f"{args.folder}: no recordings with truth yet")
    results = {"held_out": True, "clips": len({r["clip"] for r in rows})}
    for copy in ("clean", "webcam"):
        mine = [r for r in rows if r["copy"] == copy]
        my_holds = [h for h in holds if h["copy"] == copy]
        if not mine:
            continue
        pairs, true_reps, measured = rep_sets[copy]
        results[copy] = {
            "all": summarise(mine, my_holds),
            "from_ankles": precision_recall(pairs, true_reps, measured, "compensation"),
            "by": {field: split(mine, my_holds, field) for field in (*SPLITS, "side")},
        }
    results["negatives"] = negatives
    results["session_legs"] = rows
    path = write_results("accuracy_wide", results)
    for copy in ("clean", "webcam"):
        if copy in results:
            a = results[copy]["all"]
            print(
                f"{copy}: exact {a['count_exact']}/{a['session_legs']}, within one "
                f"{a['count_within_one']}/{a['session_legs']}, held verdicts (clear) "
                f"{a['held_verdict_clear']['right']}/{a['held_verdict_clear']['reps']}, "
                f"peak internal MAE {a['peak_internal_mae_deg']} deg "
                f"over {a['peak_internal_scored']}"
            )
    print(f"wrote {path}")
    if args.markdown:
        args.markdown.write_text(markdown(results))
        print(f"wrote {args.markdown}")


if __name__ == "__main__":
    main()
