"""Shared helpers for benchmarks: timing side by side, writing results, matching
reps and angles against truth, and the pose models' cached landmarks.

Benchmarks are scripts, not a package: each puts this folder on ``sys.path``
and imports what it shares from here, never from another benchmark."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from hiprot.landmarks import LEGS, Side
from hiprot.reading.series import AngleSeries
from hiprot.recording import RecordingReader
from hiprot.review import Review, review_pose_frames
from hiprot.safe_io import atomic_write
from hiprot.sources import open_pose_source
from hiprot.synth import NOISE_LEVELS, SessionSpec
from hiprot.types import PoseFrame, landmark_array

RESULTS_DIR = Path(__file__).resolve().parent / "results"
REPO = Path(__file__).resolve().parents[1]


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def interleaved(runs: dict[str, Callable[[], int]], rounds: int = 3) -> dict[str, float]:
    """Median items/s of each callable, run in turns so machine load hits all alike.

    Each callable does its work and returns how many items (frames, samples)
    it processed.
    """
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            count = run()
            rates[name].append(count / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in rates.items()}


def write_results(name: str, results: dict[str, object]) -> Path:
    """``results/NAME.json`` (``name`` may be a path without the suffix),
    with the machine block, written atomically: an interrupted run leaves
    the last complete file."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    with atomic_write(path) as f:
        f.write(json.dumps({"benchmark": name, "machine": machine(), **results}, indent=2) + "\n")
    return path


def write_outputs(
    name: str,
    results: dict,
    markdown_path: Path | None = None,
    markdown: Callable[[dict], str] | None = None,
) -> Path:
    """``write_results``, then, with ``markdown_path``, ``markdown(results)``
    there (atomically too); says what it wrote. Returns the JSON's path."""
    path = write_results(name, results)
    print(f"wrote {path}")
    if markdown_path is not None and markdown is not None:
        with atomic_write(markdown_path) as f:
            f.write(markdown(results))
        print(f"wrote {markdown_path}")
    return path


def add_noise_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    """``--noise``: override every synthetic session's noise level."""
    parser.add_argument(
        "--noise",
        choices=list(NOISE_LEVELS),
        default=None,
        help=f"Override every session's noise level (default: {default_help}).",
    )


def wander_floor(
    window_s: float, ratio: float, jitter_window_s: float | None = None
) -> Callable[[object, object], float]:
    """A rep floor (``judgements.rep_excursion``'s signature) at ``ratio``
    times the drive's ``filters.wander_deg`` over ``window_s``, where that
    is further than ``REP_MIN_EXCURSION_DEG``; with ``jitter_window_s``,
    also at least ``REP_EXCURSION_JITTER_RATIO`` times its (mean) jitter
    over that window (docs/generalization.md, "A rep floor that fast reps
    do not raise")."""
    from hiprot import drill
    from hiprot.reading import judgements
    from hiprot.reading.filters import jitter_deg, wander_deg

    def rep_excursion(t_s, drive_deg, at_rest=None) -> float:  # on every sample
        wander = wander_deg(t_s, drive_deg, window_s)
        if not math.isfinite(wander):
            return drill.REP_MIN_EXCURSION_DEG
        jitter = 0.0 if jitter_window_s is None else jitter_deg(t_s, drive_deg, jitter_window_s)
        floors = (ratio * wander, judgements.REP_EXCURSION_JITTER_RATIO * jitter)
        return max(drill.REP_MIN_EXCURSION_DEG, *floors)

    return rep_excursion


def review_synthetic(
    frames: Sequence[PoseFrame], spec: SessionSpec, estimator: str = "image"
) -> Review:
    """``hiprot review`` of a synthetic session's frames (its spec's name,
    mode and frame size), its findings unprinted: what the synthetic
    benchmarks score."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return review_pose_frames(
            frames, spec.name, spec.mode, size_wh=(spec.width, spec.height), estimator=estimator
        )


def match_reps(truth: list[dict], measured: list[dict]) -> list[tuple[dict, dict]]:
    """Pair each true rep with the measured rep of the same leg it overlaps most."""
    pairs, used = [], set()
    for t in truth:
        best, best_overlap = None, 0.0
        for k, m in enumerate(measured):
            overlap = min(t["end_s"], m["end_s"]) - max(t["start_s"], m["start_s"])
            if k not in used and m["leg"] == t["leg"] and overlap > best_overlap:
                best, best_overlap = k, overlap
        if best is not None:
            used.add(best)
            pairs.append((t, measured[best]))
    return pairs


def precision_recall(
    pairs: list[tuple[dict, dict]],
    truth: list[dict],
    measured: list[dict],
    flag: str,
    negate: bool = False,
) -> dict[str, float | None]:
    def f(rep: dict) -> bool:
        return (not rep[flag]) if negate else bool(rep[flag])

    tp = sum(f(t) and f(m) for t, m in pairs)
    predicted = sum(f(m) for m in measured)
    actual = sum(f(t) for t in truth)
    return {
        "precision": tp / predicted if predicted else None,
        "recall": tp / actual if actual else None,
        "true": actual,
        "flagged": predicted,
    }


@dataclass(frozen=True)
class RenderedClip:
    """A rendered drill video with its truth, as MediaPipe saw it."""

    video: Path
    truth: dict
    pose_frames: list[PoseFrame]
    size_wh: tuple[int, int]
    fps: float

    @property
    def worked_legs(self) -> list[str]:
        """The legs that do reps in the truth."""
        return [leg for leg, counts in self.truth["legs"].items() if counts["reps"] > 0]


def rendered_clips(
    folders: Iterable[Path], model: str = "full", cache: Path | None = None
) -> Iterator[RenderedClip]:
    """Every ``*.mp4`` with a ``*.truth.json`` beside it, folder by folder in
    name order, through MediaPipe's ``model`` (once per clip, as it is
    reached), or from ``cache/<model>/<name>.landmarks.jsonl.gz`` when that
    exists (``pose_models.py --cache`` writes them)."""

    for folder in folders:
        for video in sorted(folder.glob("*.mp4")):
            truth_path = video.with_suffix(".truth.json")
            if not truth_path.exists():
                continue
            cached = cache / model / f"{video.stem}.landmarks.jsonl.gz" if cache else None
            with open_pose_source(cached if cached and cached.exists() else video, model) as source:
                pose_frames = list(source.frames)
                size_wh = (source.info.width, source.info.height)
                fps = source.info.fps
            yield RenderedClip(video, json.loads(truth_path.read_text()), pose_frames, size_wh, fps)


# ---------------------------------------------------------------- angles against truth


def errors(series: AngleSeries, truth_frames: dict, sides: Sequence[str]) -> dict[str, np.ndarray]:
    """Absolute femur and twist errors (deg) at the measured frames, truth interpolated."""
    t_true = np.asarray(truth_frames["t"], dtype=float)
    out: dict[str, list[np.ndarray]] = {"femur": [], "twist": [], "foot": []}
    for leg in sides:
        a = series.legs[Side(leg)]
        truth = dict(truth_frames[leg])
        truth.setdefault("foot_deg", np.add(truth["femur_deg"], truth["twist_deg"]))
        for name, measured in (
            ("femur", a.femur_deg),
            ("twist", a.twist_deg),
            ("foot", a.foot_deg),
        ):
            true = np.interp(series.t_s, t_true, np.asarray(truth[f"{name}_deg"], dtype=float))
            err = np.abs(measured - true)
            out[name].append(err[np.isfinite(err)])
    return {k: np.concatenate(v) if v else np.array([]) for k, v in out.items()}


def stats(err: np.ndarray) -> dict[str, float | None]:
    if err.size == 0:
        return {"mae_deg": None, "p95_deg": None, "frames": 0}
    return {
        "mae_deg": float(np.mean(err)),
        "p95_deg": float(np.percentile(err, 95)),
        "frames": int(err.size),
    }


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


# ---------------------------------------------------------------- pose models over the renders

MODELS = ("full", "heavy")
JOINTS = ("hip", "knee", "ankle", "heel", "toe")
HELD_OUT = (REPO / "sample_videos", REPO / "benchmarks" / "render_suite")
TUNING = (REPO / "benchmarks" / "render_suite" / "tuning",)


def clips(folders) -> list[Path]:
    return [
        v for f in folders for v in sorted(f.glob("*.mp4")) if v.with_suffix(".truth.json").exists()
    ]


def pixel_errors(truth: dict, frames: list[PoseFrame], size_wh) -> dict[str, np.ndarray]:
    """Per joint, the pixel distance of every found landmark from the true joint."""
    found = [f for f in frames if f.has_pose]
    out: dict[str, list[np.ndarray]] = defaultdict(list)
    if not found:
        return {}
    t_s = np.array([f.t_s for f in found])
    pixels = landmark_array(found, "image")[..., :2] * np.asarray(size_wh, dtype=float)
    t_true = np.asarray(truth["frames"]["t"], dtype=float)
    for side in Side:
        leg = LEGS[side]
        index = dict(zip(JOINTS, (leg.hip, leg.knee, leg.ankle, leg.heel, leg.foot_index)))
        for joint in JOINTS:
            xy = np.asarray(truth["frames"]["pixels"][f"{side.value}_{joint}"], dtype=float)
            true = np.stack([np.interp(t_s, t_true, xy[:, i]) for i in range(2)], axis=1)
            out[joint].append(np.linalg.norm(pixels[:, index[joint]] - true, axis=1))
    return {joint: np.concatenate(v) for joint, v in out.items()}


def read_cached(cache: Path, model: str, video: Path) -> list[PoseFrame]:
    with RecordingReader(cache / model / (video.stem + ".landmarks.jsonl.gz")) as reader:
        return list(reader)


def review_scores(video: Path, truth: dict, frames: list[PoseFrame], model: str, size_wh) -> dict:
    legs = [leg for leg, counts in truth["legs"].items() if counts["reps"] > 0]
    mode = "both" if len(legs) == 2 else legs[0]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = review_pose_frames(frames, video.name, mode, size_wh=size_wh, pose_model=model)
    seconds = time.perf_counter() - start
    measured = review.summary.to_dict()
    err = errors(review.series, truth["frames"], legs)
    return {
        "review_s": seconds,
        "femur_err": err["femur"],
        "legs": {
            leg: {
                "reps": [measured["legs"][leg]["reps"], truth["legs"][leg]["reps"]],
                "held_reps": [measured["legs"][leg]["held_reps"], truth["legs"][leg]["held_reps"]],
            }
            for leg in legs
        },
    }


def error_stats(errors: list[float]) -> dict[str, float | int | None]:
    """n, MAE, median, 90th percentile and largest of absolute errors (degrees)."""
    if not errors:
        return {"n": 0, "mae_deg": None}
    e = np.abs(np.asarray(errors))
    return {
        "n": int(e.size),
        "mae_deg": round(float(e.mean()), 2),
        "median_deg": round(float(np.median(e)), 2),
        "p90_deg": round(float(np.percentile(e, 90)), 2),
        "max_deg": round(float(e.max()), 2),
    }
