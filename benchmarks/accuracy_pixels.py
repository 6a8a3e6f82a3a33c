"""End to end on pixels: rendered drill videos with truth through the whole pipeline.

Every ``*.mp4`` with a ``*.truth.json`` beside it (``sample_videos/``,
``benchmarks/render_suite/`` and any folder given) goes through MediaPipe and
``hiprot.review`` exactly as ``hiprot review`` runs it, and is scored against
the truth: per session-leg rep count, held and controlled and compensated
counts, per-rep hold error, rep-level compensation and too-fast precision /
recall, and femur / twist angle error.

Held verdicts are also scored per rep, apart for reps whose true hold lies
within ``HOLD_MARGIN_S`` of ``drill.HOLD_MIN_S``: the rendered scripts'
unheld reps hold 0.4-0.93 s and some held ones only 1.0-1.07 s against the
1 s rule, where a hold timed
within the 0.2 s the drill allows can land either side, so per-leg held
counts there measure luck as much as the timer.

    python benchmarks/accuracy_pixels.py [FOLDER ...]
    python benchmarks/accuracy_pixels.py --tuning   # the tuning clips only, written apart
    python benchmarks/accuracy_pixels.py --cache DIR  # DIR/full/NAME.landmarks.jsonl.gz
                                                      # (hiprot extract) instead of MediaPipe
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    REPO,
    RenderedClip,
    errors,
    fmt,
    match_reps,
    precision_recall,
    rendered_clips,
    stats,
    write_results,
)

from hiprot import drill
from hiprot.review import review_pose_frames

COUNTS = ("reps", "held_reps", "controlled_reps", "compensated_reps")

#: A true hold this close to ``drill.HOLD_MIN_S`` is borderline (the
#: hold-duration error the drill tolerates, issue #6).
HOLD_MARGIN_S = 0.2


def held_verdicts(pairs: list[tuple[dict, dict]]) -> dict[str, dict[str, int]]:
    """Right held verdicts per rep, for clear and borderline true holds."""
    out = {"clear": {"right": 0, "reps": 0}, "borderline": {"right": 0, "reps": 0}}
    for true, measured in pairs:
        kind = "borderline" if abs(true["hold_s"] - drill.HOLD_MIN_S) <= HOLD_MARGIN_S else "clear"
        out[kind]["reps"] += 1
        out[kind]["right"] += true["held"] == measured["held"]
    return out


def score(clip: RenderedClip) -> tuple[dict, tuple[list, list, list]]:
    """The video's scores, and its (pairs, true reps, measured reps) for the
    rep-level precision / recall pooled over all videos."""
    truth, pose_frames = clip.truth, clip.pose_frames
    legs = clip.worked_legs
    mode = "both" if len(legs) == 2 else legs[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = review_pose_frames(pose_frames, clip.video.name, mode, size_wh=clip.size_wh)
    measured = review.summary.to_dict()
    pairs = match_reps(truth["reps"], measured["reps"])
    err = errors(review.series, truth["frames"], legs)
    return {
        "mode": mode,
        "detection_rate": sum(p.has_pose for p in pose_frames) / max(len(pose_frames), 1),
        "legs": {
            leg: {
                name: {"measured": measured["legs"][leg][name], "true": truth["legs"][leg][name]}
                for name in COUNTS
            }
            for leg in legs
        },
        "hold_abs_error_s": [abs(m["hold_s"] - t["hold_s"]) for t, m in pairs],
        "femur": stats(err["femur"]),
        "twist": stats(err["twist"]),
    }, (pairs, [r for r in truth["reps"] if r["leg"] in legs], measured["reps"])


def summarise(videos: dict, all_pairs: list, all_truth: list, all_measured: list) -> dict:
    """Session-leg count rates and rep-level verdicts over every video."""
    session_legs = [leg for v in videos.values() for leg in v["legs"].values()]

    def exact_rate(name: str) -> float:
        return float(np.mean([leg[name]["measured"] == leg[name]["true"] for leg in session_legs]))

    summary = {
        "videos": len(videos),
        "session_legs": len(session_legs),
        "count_exact_rate": exact_rate("reps"),
        "count_within_one_rate": float(
            np.mean(
                [abs(leg["reps"]["measured"] - leg["reps"]["true"]) <= 1 for leg in session_legs]
            )
        ),
        "held_exact_rate": exact_rate("held_reps"),
        "held_verdicts": held_verdicts(all_pairs),
        "hold_abs_error_s_median": float(
            np.median([e for v in videos.values() for e in v["hold_abs_error_s"]])
        ),
        "controlled_exact_rate": exact_rate("controlled_reps"),
        "compensated_exact_rate": exact_rate("compensated_reps"),
    }
    # rep level, over every video: a rep flagged "from the ankles" that was
    # not (or was not a rep at all) costs precision, a missed one recall
    for flag, negate in (("compensation", False), ("controlled", True)):
        pr = precision_recall(all_pairs, all_truth, all_measured, flag, negate)
        summary[f"{'too_fast' if negate else flag}_precision"] = pr["precision"]
        summary[f"{'too_fast' if negate else flag}_recall"] = pr["recall"]
    return summary


def main() -> None:
    args = sys.argv[1:]
    cache = None
    if "--cache" in args:  # landmark recordings of the videos: no MediaPipe run
        at = args.index("--cache")
        cache = Path(args[at + 1])
        del args[at : at + 2]
    tuning = "--tuning" in args
    if tuning:  # the clips the estimator's constants were chosen on, scored apart
        folders = [REPO / "benchmarks" / "render_suite" / "tuning"]
    else:
        folders = [REPO / "sample_videos", REPO / "benchmarks" / "render_suite"]
    folders += [Path(a) for a in args if a != "--tuning"]
    videos = {}
    all_pairs, all_truth, all_measured = [], [], []
    for clip in rendered_clips(folders, cache=cache):
        result, (pairs, true_reps, measured_reps) = score(clip)
        videos[clip.video.name] = result
        all_pairs += pairs
        all_truth += true_reps
        all_measured += measured_reps
    summary = summarise(videos, all_pairs, all_truth, all_measured)
    for name, v in videos.items():
        counts = {
            leg: {k: f"{c[k]['measured']}/{c[k]['true']}" for k in COUNTS}
            for leg, c in v["legs"].items()
        }
        print(f"{name}: detected {v['detection_rate']:.0%}, measured/true {counts}")
        print(
            f"   femur MAE {v['femur']['mae_deg']:.1f} p95 {v['femur']['p95_deg']:.1f}, twist MAE "
            f"{v['twist']['mae_deg']:.1f} p95 {v['twist']['p95_deg']:.1f}, hold error "
            f"{np.mean(v['hold_abs_error_s']):.2f} s"
        )
    verdicts = summary["held_verdicts"]
    print(
        f"{summary['session_legs']} session-legs: "
        f"count exact {summary['count_exact_rate']:.0%}, within one "
        f"{summary['count_within_one_rate']:.0%}, held exact {summary['held_exact_rate']:.0%}, "
        f"compensated exact {summary['compensated_exact_rate']:.0%}; rep level: held verdict "
        f"right on {verdicts['clear']['right']}/{verdicts['clear']['reps']} clear reps and "
        f"{verdicts['borderline']['right']}/{verdicts['borderline']['reps']} borderline ones "
        f"(true hold {drill.HOLD_MIN_S - HOLD_MARGIN_S:.1f}-{drill.HOLD_MIN_S + HOLD_MARGIN_S:.1f}"
        f" s), hold error median {summary['hold_abs_error_s_median']:.2f} s, compensation "
        f"P/R {fmt(summary['compensation_precision'])}/{fmt(summary['compensation_recall'])}, "
        f"too fast P/R {fmt(summary['too_fast_precision'])}/{fmt(summary['too_fast_recall'])}"
    )
    name = "accuracy_pixels_tuning" if tuning else "accuracy_pixels"
    path = write_results(name, {"summary": summary, "videos": videos})
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
