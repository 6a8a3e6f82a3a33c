"""MediaPipe's full and heavy landmark models side by side, one run, same clips.

Every rendered clip with a ``*.truth.json`` (held out: ``sample_videos/`` and
``benchmarks/render_suite/*.mp4``; tuning: ``benchmarks/render_suite/tuning/``,
reported apart) goes through both models, clip by clip with the models taking
turns (which goes first alternates), so load from other processes on the
machine hits both alike:

- **landmark pixel error** of hip, knee, ankle, heel and toe against the
  renders' true joint pixels, in tracking mode (every frame, as review runs)
  and in static mode (every ``STATIC_STEP``-th frame, detected afresh);
- **speed**: pose inference alone (``PoseEstimator.estimate``), and review
  end to end (decoding + pose + the reading), as frames a second and as a
  ratio to real time of the clip (15 fps renders) and of a 30 fps webcam;
- **the reading**: ``review_pose_frames`` told which model made the
  landmarks, scored like ``accuracy_pixels``: femur MAE / p95, count exact,
  held exact per session-leg. ``heavy_every2`` reviews every 2nd frame of
  heavy's tracking run (an approximation of analysing every 2nd frame:
  tracking on the kept frames alone would see twice the motion per step).

Landmarks are cached as recordings under ``--cache`` so the reading can be
re-scored without MediaPipe (``--rescore``), and an interrupted run resumes.

    python benchmarks/pose_models.py [--cache DIR] [--rescore]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    HELD_OUT,
    JOINTS,
    MODELS,
    REPO,
    TUNING,
    clips,
    pixel_errors,
    read_cached,
    review_scores,
    stats,
    write_results,
)

from hiprot import reps
from hiprot.capture import open_video, probe_video
from hiprot.reading import geometry as angles
from hiprot.recording import RecordingInfo, RecordingWriter
from hiprot.types import PoseFrame

STATIC_STEP = 20


def placement(truth: dict) -> str:
    return str(truth["placement"]["name"])


def run_model(video: Path, model: str, static: bool) -> tuple[list[PoseFrame], float, float]:
    """``(pose_frames, pose_seconds, wall_seconds)`` of one model over one clip."""
    from hiprot.pose import PoseEstimator

    pose_frames, pose_s = [], 0.0
    wall = time.perf_counter()
    with (
        open_video(video) as frames,
        PoseEstimator(model=model, static_image_mode=static) as estimator,
    ):
        for frame in frames:
            if static and frame.index % STATIC_STEP:
                continue
            start = time.perf_counter()
            pose_frames.append(estimator.estimate(frame))
            pose_s += time.perf_counter() - start
    return pose_frames, pose_s, time.perf_counter() - wall


def extract(videos: list[Path], cache: Path, check: bool = True) -> dict:
    """Run both models over every clip, models in turns; cache the landmarks.

    A clip already in the cache (landmarks, timing and static errors) is not
    run again, so an interrupted run resumes.
    """
    for k, video in enumerate(videos):
        done = cache / "clips" / f"{video.stem}.json"
        if done.exists():
            continue
        truth = json.loads(video.with_suffix(".truth.json").read_text())
        info = probe_video(video)
        order = MODELS if k % 2 == 0 else MODELS[::-1]
        timing: dict[str, dict[str, float]] = {}
        for model in order:
            frames, pose_s, wall_s = run_model(video, model, static=False)
            timing[model] = {
                "frames": len(frames),
                "pose_s": pose_s,
                "wall_s": wall_s,
                "video_s": len(frames) / info.fps,
            }
            out = cache / model / (video.stem + ".landmarks.jsonl.gz")
            out.parent.mkdir(parents=True, exist_ok=True)
            rec = RecordingInfo(info.fps, info.width, info.height, video.name, model, model)
            with RecordingWriter(out, rec) as writer:
                for f in frames:
                    writer.write(f)
            print(f"{video.name} {model}: {len(frames) / pose_s:.1f} pose fps", flush=True)
        static = {}
        for model in order:
            frames, pose_s, _ = run_model(video, model, static=True)
            timing[f"{model}_static"] = {"frames": len(frames), "pose_s": pose_s}
            static[model] = {
                j: e.tolist()
                for j, e in pixel_errors(truth, frames, (info.width, info.height)).items()
            }
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(json.dumps({"timing": timing, "static": static}))
    return load_clips(cache, videos) if check else {}


def load_clips(cache: Path, videos: list[Path]) -> dict:
    """Summed timing per model, and static errors per (clip, model)."""
    timing: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    static: dict = {}
    for video in videos:
        data = json.loads((cache / "clips" / f"{video.stem}.json").read_text())
        for model, t in data["timing"].items():
            for key, value in t.items():
                timing[model][key] += value
        for model, errs in data["static"].items():
            static[(video.name, model)] = {j: np.asarray(e) for j, e in errs.items()}
    return {"timing": timing, "static": static}


#: Visibility gates tried for heavy on the tuning clips (``reps.MIN_CONFIDENCE_BY_MODEL``).
GATES = (0.3, 0.2, 0.1, 0.05, 0.0)


def gate_sweep(videos: list[Path], cache: Path) -> dict:
    """Heavy's reading on the tuning clips with each visibility gate (how it was chosen)."""
    chosen = reps.MIN_CONFIDENCE_BY_MODEL["heavy"]
    out = {}
    try:
        for gate in GATES:
            reps.MIN_CONFIDENCE_BY_MODEL["heavy"] = gate
            per_clip = []
            for video in videos:
                truth = json.loads(video.with_suffix(".truth.json").read_text())
                size = probe_video(video)
                frames = read_cached(cache, "heavy", video)
                per_clip.append(
                    review_scores(video, truth, frames, "heavy", (size.width, size.height))
                )
            out[str(gate)] = summarise(per_clip)
    finally:
        reps.MIN_CONFIDENCE_BY_MODEL["heavy"] = chosen
    return {"chosen": chosen, "by_gate": out}


#: Knee-circle views tried for heavy on the tuning clips (``angles.VIEWS``):
#: (phase, spread) at 45° and at 60°, scored on the tuning clips of that view.
VIEW_GRID = {
    0: [(p, s) for p in (40.0, 45.0, 50.0, 55.0) for s in (0.0, 5.0, 10.0, 15.0, 20.0)],
    1: [(p, s) for p in (65.0, 70.0, 75.0, 80.0) for s in (0.0, 2.5, 5.0, 10.0)],
}


def view_sweep(videos: list[Path], cache: Path) -> dict:
    """Heavy's reading on the tuning clips with each knee-circle view (how it was chosen)."""
    chosen = angles.VIEWS["heavy"]
    data = []
    for video in videos:
        truth = json.loads(video.with_suffix(".truth.json").read_text())
        size = probe_video(video)
        data.append((video, truth, read_cached(cache, "heavy", video), (size.width, size.height)))
    out: dict = {}
    try:
        for k, grid in VIEW_GRID.items():
            name = chosen[k].name
            clips_of_view = [d for d in data if placement(d[1]).startswith(name)]
            out[name] = {}
            for phase, spread in grid:
                views = list(chosen)
                views[k] = angles.CameraView(name, phase, spread)
                angles.VIEWS["heavy"] = tuple(views)
                per_clip = [review_scores(v, t, f, "heavy", wh) for v, t, f, wh in clips_of_view]
                out[name][f"phase {phase:g} spread {spread:g}"] = summarise(per_clip)
    finally:
        angles.VIEWS["heavy"] = chosen
    return {
        "chosen": {v.name: {"phase_deg": v.phase_deg, "spread_deg": v.spread_deg} for v in chosen},
        "by_view": out,
    }


def summarise(per_clip: list[dict]) -> dict:
    legs = [leg for c in per_clip for leg in c["legs"].values()]
    femur = np.concatenate([c["femur_err"] for c in per_clip]) if per_clip else np.array([])
    return {
        "clips": len(per_clip),
        "session_legs": len(legs),
        "femur": stats(femur),
        "femur_mae_per_clip_deg": [round(float(np.mean(c["femur_err"])), 2) for c in per_clip],
        "count_exact": sum(m == t for m, t in (leg["reps"] for leg in legs)),
        "held_exact": sum(m == t for m, t in (leg["held_reps"] for leg in legs)),
    }


def pixel_summary(errors_by_clip: dict[str, dict[str, np.ndarray]]) -> dict:
    out = {}
    for joint in JOINTS:
        values = [d[joint] for d in errors_by_clip.values() if joint in d]
        if values:
            e = np.concatenate(values)
            out[joint] = {
                "median_px": round(float(np.median(e)), 2),
                "p95_px": round(float(np.percentile(e, 95)), 2),
                "per_clip_median_px": [round(float(np.median(v)), 2) for v in values],
            }
    return out


VARIANTS = {"full": ("full", 1), "heavy": ("heavy", 1), "heavy_every2": ("heavy", 2)}


def score_group(
    group: str, videos: list[Path], cache: Path, static: dict, review_s: dict[str, float]
) -> dict:
    """Each variant's reading and each model's landmark pixel error over ``videos``,
    per placement; adds each variant's reading time to ``review_s``."""
    by_variant: dict[str, dict[str, list]] = {v: defaultdict(list) for v in VARIANTS}
    pixels: dict = {
        f"{m}_{mode}": defaultdict(dict) for m in MODELS for mode in ("tracking", "static")
    }
    for video in videos:
        truth = json.loads(video.with_suffix(".truth.json").read_text())
        where = placement(truth)
        cached = {m: read_cached(cache, m, video) for m in MODELS}
        size = probe_video(video)
        size_wh = (size.width, size.height)
        for model in MODELS:
            pixels[f"{model}_tracking"][where][video.name] = pixel_errors(
                truth, cached[model], size_wh
            )
            pixels[f"{model}_static"][where][video.name] = static[(video.name, model)]
        for variant, (model, step) in VARIANTS.items():
            scores = review_scores(video, truth, cached[model][::step], model, size_wh)
            review_s[variant] += scores["review_s"]
            by_variant[variant][where].append(scores)
            by_variant[variant]["all"].append(scores)
            print(
                f"{group} {video.name} {variant}: femur MAE "
                f"{np.mean(scores['femur_err']):.1f}, counts "
                f"{ {leg: v['reps'] for leg, v in scores['legs'].items()} }",
                flush=True,
            )
    return {
        "reading": {
            v: {where: summarise(c) for where, c in d.items()} for v, d in by_variant.items()
        },
        "landmark_pixel_error": {
            k: {where: pixel_summary(d) for where, d in v.items()} for k, v in pixels.items()
        },
    }


def speeds(timing: dict, review_s: dict[str, float]) -> dict:
    """Pose and review frame rates per model, and heavy on every second frame."""
    speed = {}
    for model in MODELS:
        t = timing[model]
        pose_fps = t["frames"] / t["pose_s"]
        # review end to end: decoding and pose (the tracking loop's wall time) plus the reading
        e2e_fps = t["frames"] / (t["wall_s"] + review_s[model])
        speed[model] = {
            "pose_fps": round(pose_fps, 1),
            "pose_ms_per_frame": round(1000 / pose_fps, 1),
            "static_pose_fps": round(
                timing[f"{model}_static"]["frames"] / timing[f"{model}_static"]["pose_s"], 1
            ),
            "review_end_to_end_fps": round(e2e_fps, 1),
            "review_x_real_time_15fps": round(e2e_fps / 15, 2),
            "review_x_real_time_30fps": round(e2e_fps / 30, 2),
        }
    t = timing["heavy"]
    e2e2 = t["frames"] / (t["wall_s"] / 2 + review_s["heavy_every2"])
    speed["heavy_every2"] = {
        "review_end_to_end_fps_of_video": round(e2e2, 1),
        "review_x_real_time_15fps": round(e2e2 / 15, 2),
        "review_x_real_time_30fps": round(e2e2 / 30, 2),
        "note": "every 2nd frame through heavy: half of heavy's decode+pose time (decoding "
        "skipped frames is not free, so this is an upper bound) plus the reading",
    }
    return speed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/hiprot-pose-models"))
    parser.add_argument("--rescore", action="store_true", help="Reuse cached landmarks.")
    parser.add_argument(
        "--extract-only",
        action="store_true",
        help="Only fill the cache, clips in reverse order (a second worker beside a full run).",
    )
    args = parser.parse_args()
    held_out, tuning = clips(HELD_OUT), clips(TUNING)
    videos = tuning + held_out  # tuning first: the reading is fitted on them
    if args.extract_only:
        extract(videos[::-1], args.cache, check=False)
        return
    loaded = load_clips(args.cache, videos) if args.rescore else extract(videos, args.cache)
    review_s: dict[str, float] = defaultdict(float)
    results = {
        group: score_group(group, group_videos, args.cache, loaded["static"], review_s)
        for group, group_videos in (("held_out", held_out), ("tuning", tuning))
    }
    results["tuning"]["heavy_visibility_gate"] = gate_sweep(tuning, args.cache)
    results["tuning"]["heavy_knee_views"] = view_sweep(tuning, args.cache)
    speed = speeds(loaded["timing"], review_s)
    out = {
        "how": {
            "held_out": [str(v.relative_to(REPO)) for v in held_out],
            "tuning": [str(v.relative_to(REPO)) for v in tuning],
            "tracking": "every frame, models in turns clip by clip",
            "static": f"every {STATIC_STEP}th frame (subsampled to keep the run short)",
            "reading": "review_pose_frames(pose_model=...), scored like accuracy_pixels",
        },
        "speed": speed,
        **results,
    }
    path = write_results("pose_models", out)
    print(json.dumps(speed, indent=1))
    for group in ("held_out", "tuning"):
        for v, d in results[group]["reading"].items():
            a = d["all"]
            print(
                f"{group} {v}: femur {a['femur']['mae_deg']:.1f}/{a['femur']['p95_deg']:.1f}, "
                f"count exact {a['count_exact']}/{a['session_legs']}, held exact "
                f"{a['held_exact']}/{a['session_legs']}"
            )
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
