"""Drill recognition: nothing counts outside the drill's position.

- Reps counted by the review on every synthetic negative (``hiprot.synth``'s
  other supine exercises: every exercise x working placement x noise level,
  reporting seeds 70000+, both legs), where the truth is 0.
- Getting into and out of the position (``enter_exit``, every placement x
  noise level): stray reps, counted before the legs were up or after they
  came down and paired with no true rep (must be 0; a true last rep whose
  return was read only as the legs came down is timed outside the drill
  but is the drill's own, ``reps_timed_outside_the_drill``), count error
  against the drill's true reps next to the same drill without the
  entering and leaving (``clean``, same seed: the same person, script and
  camera), and the fraction of true drill frames judged in position.
- The fraction of frames judged in position on the renders (the drill all
  through), per worked leg, of every frame and of the frames in which
  MediaPipe found a person (the gate cannot judge the others): tuning
  clips (``sample_videos/``, ``benchmarks/render_suite/tuning/``) apart
  from the held-out
  ``benchmarks/render_suite/*.mp4`` and the wide suite's drill clips
  (``benchmarks/render_suite/wide/``, clean and webcam copies); and on the
  synthetic reporting suite.
- The shared real clip ``physioplus-bridging.mp4`` (a bridge; must count 0).
- Photos of real people lying with a leg raised or doing other exercises
  (``real-stills/`` in the shared footage, read in place): the position
  scalars and verdict per photo and leg, MediaPipe in static image mode.

    python benchmarks/accuracy_negatives.py [--landmarks DIR] [--only PART ...]
    python benchmarks/accuracy_negatives.py --candidate NAME --only PART ...
        # a generalization.py candidate, to results/accuracy_negatives_NAME.json

``--landmarks DIR`` reads ``NAME.landmarks.jsonl.gz`` from DIR (``hiprot
extract``) for a render or clip instead of running MediaPipe on it again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, RESULTS_DIR, match_reps, write_results
from generalization import CANDIDATES

from hiprot.landmarks import Side
from hiprot.reading.position import Verdict, position_series
from hiprot.review import review_pose_frames
from hiprot.synth import ENTER_EXIT, NEGATIVES, NOISE_LEVELS, SessionSpec, generate
from hiprot.synth.camera import WORKING_PLACEMENTS
from hiprot.synth.suite import reporting_specs
from hiprot.types import PoseFrame

SEED = 70_000
#: The entering-and-leaving sessions' seeds start this far past SEED.
ENTER_EXIT_SEEDS = 500
FOOTAGE = Path(os.environ.get("HIPROT_FOOTAGE", REPO.parent / "shared" / "footage"))


def _review(frames: list[PoseFrame], name: str, mode: str, size_wh: tuple[int, int]):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return review_pose_frames(frames, name, mode, size_wh=size_wh)


def _spread(values: list[float]) -> dict[str, float]:
    a = np.asarray(values, dtype=np.float64)
    return {
        "mean": float(a.mean()),
        "min": float(a.min()),
        "p5": float(np.percentile(a, 5)),
        "median": float(np.median(a)),
    }


def negative_specs() -> list[SessionSpec]:
    """Every other exercise (and lying still) at every working placement and noise level."""
    cells = [(name, p, n) for name in NEGATIVES for p in WORKING_PLACEMENTS for n in NOISE_LEVELS]
    return [
        SessionSpec(seed=SEED + k, scenario=name, placement=placement, noise=noise)
        for k, (name, placement, noise) in enumerate(cells)
    ]


def enter_exit_specs() -> list[SessionSpec]:
    """Getting into position, the drill, leaving it: every working placement and noise."""
    cells = [(p, n) for p in WORKING_PLACEMENTS for n in NOISE_LEVELS]
    return [
        SessionSpec(
            seed=SEED + ENTER_EXIT_SEEDS + k, scenario=ENTER_EXIT, placement=placement, noise=noise
        )
        for k, (placement, noise) in enumerate(cells)
    ]


def negatives() -> dict[str, object]:
    by_exercise: dict[str, list[int]] = defaultdict(list)
    by_noise: dict[str, list[int]] = defaultdict(list)
    by_placement: dict[str, list[int]] = defaultdict(list)
    nonzero = []
    for spec in negative_specs():
        session = generate(spec)
        reps = len(_review(session.frames, spec.name, "both", (640, 480)).reps)
        by_exercise[spec.scenario].append(reps)
        by_noise[spec.noise].append(reps)
        by_placement[spec.placement.rsplit("_", 1)[0]].append(reps)
        if reps:
            nonzero.append({"session": spec.name, "reps": reps})

    def table(groups: dict[str, list[int]]) -> dict[str, dict[str, float]]:
        return {
            key: {
                "sessions": len(v),
                "reps": int(sum(v)),
                "sessions_with_reps": int(sum(x > 0 for x in v)),
                "max_reps": int(max(v)),
            }
            for key, v in groups.items()
        }

    all_counts = [x for v in by_exercise.values() for x in v]
    return {
        "sessions": len(all_counts),
        "reps": int(sum(all_counts)),
        "sessions_with_reps": int(sum(x > 0 for x in all_counts)),
        "by_exercise": table(by_exercise),
        "by_noise": table(by_noise),
        "by_placement": table(by_placement),
        "sessions_counting_reps": nonzero,
    }


def enter_exit() -> dict[str, object]:
    outside, timed_outside, errors, fractions, baseline = [], [], [], [], []
    by_noise: dict[str, list[int]] = defaultdict(list)
    baseline_by_noise: dict[str, list[int]] = defaultdict(list)
    outside_sessions = []
    for spec in enter_exit_specs():
        session = generate(spec)
        review = _review(session.frames, spec.name, "both", (640, 480))
        entered, left = session.truth["drill_s"]
        timed_out = [r for r in review.reps if r.start_s < entered or r.end_s > left]
        # a true rep read late (its return read only as the legs came down) is
        # the drill's own rep; a stray is one that pairs with no true rep
        measured = [{"leg": r.leg.value, "start_s": r.start_s, "end_s": r.end_s} for r in timed_out]
        drill = [{"leg": r.leg.value, "start_s": r.start_s, "end_s": r.end_s} for r in review.reps]
        paired = match_reps(session.truth["reps"], drill)
        out = [r for r, m in zip(timed_out, measured) if not any(m == p for _, p in paired)]
        outside.append(len(out))
        timed_outside.append(len(timed_out))
        if timed_out:
            outside_sessions.append(
                {
                    "session": spec.name,
                    "reps": [[r.start_s, r.end_s] for r in timed_out],
                    "stray": [[r.start_s, r.end_s] for r in out],
                    "drill_s": [entered, left],
                }
            )
        err = len(review.reps) - len(session.truth["reps"])
        errors.append(err)
        by_noise[spec.noise].append(err)
        plain = replace(spec, scenario="clean")
        plain_session = generate(plain)
        plain_err = len(_review(plain_session.frames, plain.name, "both", (640, 480)).reps) - len(
            plain_session.truth["reps"]
        )
        baseline.append(plain_err)
        baseline_by_noise[spec.noise].append(plain_err)
        assert review.position is not None
        t = review.position.t_s
        inside = (t >= entered) & (t <= left)
        fractions += [float(review.position.in_position[s][inside].mean()) for s in Side]

    def summary(errs: list[int], groups: dict[str, list[int]]) -> dict[str, object]:
        return {
            "mean_abs": float(np.mean(np.abs(errs))),
            "exact_rate": float(np.mean(np.asarray(errs) == 0)),
            "by_noise_mean_abs": {n: float(np.mean(np.abs(v))) for n, v in groups.items()},
        }

    return {
        "sessions": len(outside),
        "reps_outside_the_drill": int(sum(outside)),
        "reps_timed_outside_the_drill": int(sum(timed_outside)),
        "sessions_with_reps_outside": outside_sessions,
        "count_error": summary(errors, by_noise),
        "count_error_same_drill_without_entering": summary(baseline, baseline_by_noise),
        "in_position_fraction_of_drill_frames": _spread(fractions),
    }


def synthetic_drill() -> dict[str, object]:
    fractions = []
    for spec in reporting_specs():
        session = generate(spec)
        position = position_series(session.frames, (spec.width, spec.height))
        fractions += [float(position.in_position[s].mean()) for s in spec.active_legs]
    return {"session_legs": len(fractions), "in_position_fraction": _spread(fractions)}


def _frames(video: Path, landmarks: Path | None) -> tuple[list[PoseFrame], tuple[int, int]]:
    from hiprot.sources import open_pose_source  # loads MediaPipe if it reads pixels

    cached = None if landmarks is None else landmarks / f"{video.stem}.landmarks.jsonl.gz"
    source = cached if cached is not None and cached.exists() else video
    with open_pose_source(source) as pose_source:
        return list(pose_source.frames), (pose_source.info.width, pose_source.info.height)


def renders(landmarks: Path | None) -> dict[str, object]:
    groups = {
        "tuning": [REPO / "sample_videos", REPO / "benchmarks" / "render_suite" / "tuning"],
        "held_out": [REPO / "benchmarks" / "render_suite"],
    }
    out: dict[str, object] = {}
    for group, folders in groups.items():
        clips = {}
        for folder in folders:
            for video in sorted(folder.glob("*.mp4")):
                truth_path = video.with_suffix(".truth.json")
                if not truth_path.exists():
                    continue
                clips[video.name] = _in_position(video, landmarks, truth_path)
        out[group] = _in_position_summary(clips)
    return out


def _in_position(
    video: Path, landmarks: Path | None, truth_path: Path
) -> dict[str, dict[str, float | None]]:
    """Per leg of the truth file, the fraction of the video's frames in
    position (``all``), and of the frames in which MediaPipe found a person
    (``seen``: the gate's own share; None where nobody is ever found)."""
    frames, size_wh = _frames(video, landmarks)
    position = position_series(frames, size_wh)
    seen = np.array([f.image is not None for f in frames])
    legs = json.loads(truth_path.read_text())["legs"]
    out = {}
    for leg in legs:
        state = position.in_position[Side(leg)]
        out[leg] = {
            "all": float(state.mean()),
            "seen": float(state[seen].mean()) if seen.any() else None,
        }
    return out


def _in_position_summary(clips: dict[str, dict[str, dict[str, float | None]]]) -> dict:
    fractions = [f["all"] for per_leg in clips.values() for f in per_leg.values()]
    seen = [f["seen"] for per_leg in clips.values() for f in per_leg.values()]
    seen = [f for f in seen if f is not None]
    return {
        "clips": {c: {leg: f["all"] for leg, f in legs.items()} for c, legs in clips.items()},
        "session_legs": len(fractions),
        "in_position_fraction": _spread(fractions),
        "legs_under_99": int(sum(f < 0.99 for f in fractions)),
        "of_frames_with_a_person": {
            "clips": {c: {leg: f["seen"] for leg, f in legs.items()} for c, legs in clips.items()},
            "session_legs": len(seen),
            "in_position_fraction": _spread(seen),
            "legs_under_99": int(sum(f < 0.99 for f in seen)),
        },
    }


def wide() -> dict[str, object]:
    """The wide render suite's drill clips (held out): fraction of frames in
    position per leg (both legs, the resting one of a one-leg clip too),
    clean and webcam copies; the full model's recordings, and under
    ``heavy`` the heavy model's (``wide/heavy/``)."""
    folder = REPO / "benchmarks" / "render_suite" / "wide"

    def copies(recordings: Path) -> dict[str, object]:
        out: dict[str, object] = {}
        for copy, suffix in (("clean", ""), ("webcam", "-webcam")):
            clips = {}
            for truth_path in sorted(folder.glob("w*.truth.json")):
                name = truth_path.name.removesuffix(".truth.json")
                recording = recordings / f"{name}{suffix}.landmarks.jsonl.gz"
                if recording.exists():
                    clips[name] = _in_position(recording, None, truth_path)
            out[copy] = _in_position_summary(clips)
        return out

    return {**copies(folder), "heavy": copies(folder / "heavy")}


def real_clip(landmarks: Path | None) -> dict[str, object]:
    video = FOOTAGE / "physioplus-bridging.mp4"
    if not video.exists():
        return {"clip": str(video), "missing": True}
    frames, size_wh = _frames(video, landmarks)
    review = _review(frames, video.name, "both", size_wh)
    return {
        "clip": video.name,
        "reps": len(review.reps),
        "drill_seen": review.summary.drill_seen,
        "time_in_position_s": {s.value: t for s, t in review.summary.time_in_position_s.items()},
    }


def real_stills() -> dict[str, object]:
    import cv2

    from hiprot.pose import PoseEstimator
    from hiprot.reading.position import CRITERIA, judge
    from hiprot.types import Frame

    folder = FOOTAGE / "real-stills"
    if not folder.is_dir():
        return {"folder": str(folder), "missing": True}
    photos: dict[str, object] = {}
    with PoseEstimator(static_image_mode=True) as estimator:
        for i, path in enumerate(sorted(folder.glob("*.jpg"))):
            image = cv2.imread(str(path))
            pose_frame = estimator.estimate(Frame(i, float(i), image))
            if pose_frame.image is None:
                photos[path.name] = None
                continue
            world = None if pose_frame.world is None else pose_frame.world[None]
            size_wh = (image.shape[1], image.shape[0])
            postures = judge(pose_frame.image[None], size_wh, world)
            photos[path.name] = {
                side.value: {
                    "thigh_deg": float(p.thigh_deg[0]),
                    "knee_deg": float(p.knee_deg[0]),
                    "reach": float(p.reach[0]),
                    "rise_deg": float(p.rise_deg[0]),
                    "verdict": Verdict(p.verdicts(CRITERIA)[0]).name,
                }
                for side, p in postures.items()
            }
    return {"folder": folder.name, "photos": photos}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=Path, default=None, help=__doc__.splitlines()[-2])
    parts = {
        "negatives": negatives,
        "enter_exit": enter_exit,
        "synthetic_drill": synthetic_drill,
        "renders": lambda: renders(args.landmarks),
        "wide": wide,
        "real_clip": lambda: real_clip(args.landmarks),
        "real_stills": real_stills,
    }
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(parts),
        help="Re-run these parts; keep the others from the results file.",
    )
    parser.add_argument(
        "--candidate",
        choices=list(CANDIDATES),
        help="review as this generalization.py candidate, the parts run only "
        "(results/accuracy_negatives_NAME.json)",
    )
    args = parser.parse_args()
    setup = CANDIDATES[args.candidate] if args.candidate else nullcontext
    results: dict[str, object] = {"candidate": args.candidate} if args.candidate else {}
    if args.only and not args.candidate:
        earlier = json.loads((RESULTS_DIR / "accuracy_negatives.json").read_text())
        results = {k: v for k, v in earlier.items() if k in parts}
    for name, run in parts.items():
        if not args.only or name in args.only:
            with setup():
                results[name] = run()
    path = write_results(
        f"accuracy_negatives_{args.candidate}" if args.candidate else "accuracy_negatives", results
    )
    print(json.dumps(results, indent=1)[:4000])
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
