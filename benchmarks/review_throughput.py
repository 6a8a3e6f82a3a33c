"""Frames per second of `hiprot review` end to end against bare MediaPipe.

Bare MediaPipe runs on frames decoded in advance; review decodes, runs
MediaPipe, analyses and writes every report file (JSON, CSV, plot, HTML),
as `hiprot review FILE --no-history` does. A third run adds the annotated
video. All run on the same clip in the same process, in turns, so the ratios
hold on a shared, noisy machine. Target: review >= 0.9x bare MediaPipe.

The real clip is 3 s long, so review's fixed costs (the plot alone takes
~0.2-0.3 s) weigh more than they would on a real set of a minute or two;
the clip looped ``LOOPS`` times (written to a temporary file, never into the
repository) stands in for a longer set. A clip of a real set (e.g.
``sample_videos/wall_left_leg.mp4``) is measured as it is.

Review decodes in a thread a few frames ahead of MediaPipe
(``hiprot.readahead``): on the looped clip that took decode+MediaPipe from
0.94x to 1.06x of bare MediaPipe; on the 91-frame clip it made no difference.

With ``--models``, review end to end (no annotated video) runs once per
MediaPipe model on the same clip in turns instead, and is reported as
frames a second and times real time (the clip's own frame rate); results
in ``review_throughput_models.json``. That is what the choice of review's
default model rests on.

    python benchmarks/review_throughput.py [VIDEO]
    python benchmarks/review_throughput.py --models [VIDEO]
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, interleaved, write_results

from hiprot.capture import open_video, probe_video
from hiprot.errors import HiprotWarning
from hiprot.pose import PoseEstimator
from hiprot.review_files import ReviewPaths, review_file
from hiprot.sink import VideoSink

DEFAULT_CLIP = REPO.parent / "shared" / "footage" / "physioplus-bridging.mp4"
TARGET_RATIO = 0.9
LOOPS = 5
#: Clips shorter than this are also measured looped (fixed costs dominate them).
SHORT_CLIP_FRAMES = 300


def measure(clip: Path) -> dict[str, object]:
    """Interleaved frames/s of bare MediaPipe, review, and review with annotation."""
    with open_video(clip) as frames:
        decoded = list(frames)

    def mediapipe_only() -> int:
        with PoseEstimator() as estimator:
            return sum(1 for _ in estimator.track(decoded))

    def review(annotate: bool) -> int:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            paths = ReviewPaths.in_folder(out, out / "annotated.mp4" if annotate else None)
            return review_file(clip, paths)[1].summary.tracking.frames

    fps = interleaved(
        {
            "mediapipe": mediapipe_only,
            "review": lambda: review(annotate=False),
            "review_annotated": lambda: review(annotate=True),
        }
    )
    ratios = {
        "review_vs_mediapipe": fps["review"] / fps["mediapipe"],
        "review_annotated_vs_mediapipe": fps["review_annotated"] / fps["mediapipe"],
    }
    print(f"{clip.name}: {len(decoded)} frames")
    for name, value in fps.items():
        print(f"{name:>30}: {value:7.1f} frames/s")
    for name, value in ratios.items():
        print(f"{name:>30}: {value:5.2f}x")
    return {"frames": len(decoded), "fps": fps, "ratios": ratios}


def looped(clip: Path, loops: int, out: Path) -> Path:
    """``clip`` played ``loops`` times in a row, as one mp4."""
    with open_video(clip, max_width=None) as frames:
        images = [frame.image for frame in frames]
    height, width = images[0].shape[:2]
    fps = 30.0
    with VideoSink(out, fps, (width, height)) as sink:
        for _ in range(loops):
            for image in images:
                sink.write(image)
    return out


def measure_models(clip: Path, models: tuple[str, ...] = ("full", "heavy")) -> dict[str, object]:
    """Interleaved review frames/s and times real time per installed model."""
    fps_video = probe_video(clip).fps

    def review(model: str) -> int:
        with tempfile.TemporaryDirectory() as tmp:
            paths = ReviewPaths.in_folder(Path(tmp), None)
            return review_file(clip, paths, model=model)[1].summary.tracking.frames

    fps = interleaved({model: (lambda m=model: review(m)) for model in models})
    per_model = {
        model: {"review_fps": rate, "review_x_real_time": rate / fps_video}
        for model, rate in fps.items()
    }
    for model, row in per_model.items():
        print(
            f"{model:>6}: review {row['review_fps']:5.1f} frames/s, "
            f"{row['review_x_real_time']:.2f}x real time"
        )
    return {"video_fps": fps_video, "models": per_model}


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--models"]
    clip = Path(args[0]) if args else DEFAULT_CLIP
    if "--models" in sys.argv[1:]:
        warnings.simplefilter("ignore", HiprotWarning)
        result = measure_models(clip)
        path = write_results("review_throughput_models", {"source": clip.name, **result})
        print(f"wrote {path.relative_to(REPO)}")
        return
    warnings.simplefilter("ignore", HiprotWarning)  # the clip has no still period: fine here
    results = {"clip": measure(clip)}
    if results["clip"]["frames"] < SHORT_CLIP_FRAMES:  # type: ignore[operator]
        with tempfile.TemporaryDirectory() as tmp:
            results[f"clip_x{LOOPS}"] = measure(looped(clip, LOOPS, Path(tmp) / f"loop{LOOPS}.mp4"))
    for name, result in results.items():
        ratio = result["ratios"]["review_vs_mediapipe"]  # type: ignore[index]
        verdict = "meets" if ratio >= TARGET_RATIO else "misses"
        print(f"{name}: review {ratio:.2f}x bare MediaPipe, {verdict} the {TARGET_RATIO}x target")
    path = write_results(
        "review_throughput",
        {"source": clip.name, "target_review_vs_mediapipe": TARGET_RATIO, **results},
    )
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
