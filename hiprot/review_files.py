"""Reviewing files: one video or recording into a report folder, or a whole folder
of them in parallel (a physiotherapist going through a client's week).

``review_file`` runs the pipeline on one source and writes every output;
``review_folder`` runs it in a process pool, one file per task (each process
loads its own MediaPipe), and turns any failure into a one-line message for
that file while the others carry on.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hiprot.analysis import landmark_array
from hiprot.calibration import Calibration
from hiprot.errors import HiprotError, InputError
from hiprot.recording import is_recording
from hiprot.reps import Mode
from hiprot.review import Review, review_pose_frames
from hiprot.session import SessionSummary, write_session
from hiprot.sources import check_readable, open_pose_source

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")
RECORDING_SUFFIXES = (".landmarks.jsonl", ".landmarks.jsonl.gz")


def report_dir_name(source: Path) -> str:
    """``clip.mp4`` -> ``clip-hiprot``; ``s.landmarks.jsonl.gz`` -> ``s-landmarks-jsonl-gz-hiprot``."""
    name = source.name
    for suffix in RECORDING_SUFFIXES[::-1]:
        if name.endswith(suffix):
            name = name[: -len(suffix)] + suffix.replace(".", "-")
            break
    return Path(name).stem + "-hiprot"


@dataclass(frozen=True)
class ReviewPaths:
    """Where one review writes its outputs; ``annotated`` is ``None`` for no video."""

    json: Path
    csv: Path
    plot: Path
    html: Path
    annotated: Path | None = None

    @classmethod
    def in_folder(cls, out_dir: Path, annotated: Path | None = None) -> ReviewPaths:
        return cls(out_dir / "session.json", out_dir / "angles.csv", out_dir / "plot.png",
                   out_dir / "report.html", annotated)


@dataclass(frozen=True)
class ReviewOutcome:
    """One reviewed file: what was written and what was found.

    Attributes:
        source: The reviewed file.
        paths: The outputs written.
        summary: The session summary.
        started_at: When the set was recorded (the file's modification
            time: the best guess a file gives), timezone-aware.
        warnings: Messages of the ``HiprotWarning``s raised on the way.
    """

    source: Path
    paths: ReviewPaths
    summary: SessionSummary
    started_at: datetime
    warnings: tuple[str, ...] = ()


def recorded_at(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone()


def review_file(
    source: Path,
    paths: ReviewPaths,
    mode: Mode = Mode.BOTH,
    calibration: Calibration | None = None,
    on_frame: Callable[[str], None] | None = None,
) -> tuple[Review, ReviewOutcome]:
    """Analyse ``source`` and write the summary JSON, CSV, plot, HTML and
    (for a video, when asked) the annotated video.

    ``on_frame`` is called with a stage name (``"analyse"``, ``"annotate"``)
    after each frame, for progress.

    Raises:
        HiprotError: Unreadable source, nobody in view, outputs not writable,
            or an annotated video asked of a landmark recording.
    """
    from hiprot.annotate import frame_annotations, write_annotated_video
    from hiprot.report import plot_session, write_csv, write_html

    check_readable(source)
    if paths.annotated is not None and is_recording(source):
        raise InputError(f"{source}: --annotate needs a video; a landmark recording has no pixels")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with open_pose_source(source) as pose_source:
            pose_frames = []
            for pose_frame in pose_source.frames:
                pose_frames.append(pose_frame)
                if on_frame is not None:
                    on_frame("analyse")
        review = review_pose_frames(pose_frames, source.name, mode, calibration)
    for warning in caught:
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)

    try:
        for path in (paths.json, paths.csv, paths.plot, paths.html):
            path.parent.mkdir(parents=True, exist_ok=True)
        write_session(paths.json, review.summary)
        write_csv(review.series, paths.csv)
        plot_session(review.series, review.reps, Mode(mode).sides, paths.plot, title=source.name)
        write_html(review.summary.to_dict(), paths.plot, paths.html)
    except OSError as exc:
        raise HiprotError(f"{exc.filename or source}: cannot write the report ({exc.strerror})") from None
    if paths.annotated is not None:
        annotations = frame_annotations(review.series, review.reps, Mode(mode).sides)
        write_annotated_video(
            source, landmark_array(pose_frames, "image"), annotations, paths.annotated,
            None if on_frame is None else lambda: on_frame("annotate"),
        )
    outcome = ReviewOutcome(source, paths, review.summary, recorded_at(source),
                            tuple(str(w.message) for w in caught))
    return review, outcome


# ---------------------------------------------------------------- folders


def folder_sources(folder: Path) -> tuple[list[Path], list[Path]]:
    """The videos and recordings directly in ``folder``, in name order.

    Returns ``(to_review, skipped)``: a video whose landmark recording (from
    ``hiprot extract``) sits beside it is skipped in favour of the recording,
    so one set is never counted twice.

    Raises:
        InputError: ``folder`` holds no videos or recordings.
    """
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    recordings = [p for p in files if p.name.lower().endswith(RECORDING_SUFFIXES)]
    recorded_stems = {p.name.split(".landmarks")[0] for p in recordings}
    videos = [p for p in files if p.suffix.lower() in VIDEO_SUFFIXES]
    skipped = [p for p in videos if p.stem in recorded_stems]
    if not recordings and not videos:
        raise InputError(
            f"{folder}: holds no videos ({', '.join(VIDEO_SUFFIXES)}) or landmark recordings"
        )
    return sorted([*recordings, *(p for p in videos if p not in skipped)]), skipped


@dataclass(frozen=True)
class FileFailure:
    """A file of a folder that could not be reviewed, and why (one line)."""

    source: Path
    message: str


def _review_task(source: Path, out_dir: Path, mode: Mode, calibration: Calibration | None
                 ) -> ReviewOutcome | FileFailure:
    """One file in a worker process; never raises, so one bad file stops nothing."""
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            return review_file(source, ReviewPaths.in_folder(out_dir), mode, calibration)[1]
    except HiprotError as exc:
        return FileFailure(source, str(exc))
    except Exception as exc:  # noqa: BLE001 - a damaged file must not end the batch
        return FileFailure(source, f"{source}: could not be reviewed ({type(exc).__name__}: {exc})")


def review_folder(
    sources: Sequence[Path],
    out_root: Path | None = None,
    mode: Mode = Mode.BOTH,
    calibration: Calibration | None = None,
    workers: int | None = None,
) -> Iterator[ReviewOutcome | FileFailure]:
    """Review ``sources`` (from ``folder_sources``) in parallel, yielding each as it finishes.

    Each file gets its report folder ``<name>-hiprot/`` beside it, or under
    ``out_root`` when given. ``workers`` defaults to the number of cores.
    """
    workers = max(1, min(workers or os.cpu_count() or 1, len(sources)))
    # spawn: a fresh interpreter per worker, never a fork of a process that
    # may hold MediaPipe or OpenCV threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(_review_task, source, (out_root or source.parent) / report_dir_name(source),
                        mode, calibration)
            for source in sources
        ]
        for future in as_completed(futures):
            yield future.result()
