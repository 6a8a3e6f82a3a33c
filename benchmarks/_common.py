"""Shared helpers for benchmarks: timing side by side and writing results."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from hiprot.synth import NOISE_LEVELS
from hiprot.types import PoseFrame

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
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(
        json.dumps({"benchmark": name, "machine": machine(), **results}, indent=2) + "\n"
    )
    return path


def add_noise_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    """``--noise``: override every synthetic session's noise level."""
    parser.add_argument(
        "--noise",
        choices=list(NOISE_LEVELS),
        default=None,
        help=f"Override every session's noise level (default: {default_help}).",
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
    from hiprot.sources import open_pose_source  # loads MediaPipe for videos

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
