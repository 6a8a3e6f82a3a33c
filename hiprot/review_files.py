"""Reviewing files: one video or recording into a report folder, or a whole folder
of them in parallel (a physiotherapist going through a client's week).

``review_file`` runs the pipeline on one source and writes every output;
``review_folder`` runs it in a process pool, one file per task (each process
loads its own MediaPipe), and turns any failure into a one-line message for
that file while the others carry on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from hiprot import findings
from hiprot.calibration import Calibration, MeasuredRange
from hiprot.errors import HiprotError, InputError
from hiprot.recording import RecordingInfo, is_recording, recording_stem, recording_suffix
from hiprot.reps import Mode
from hiprot.review import Review, review_pose_frames
from hiprot.safe_io import (
    atomic_path,
    clean_stale_partials,
    os_error_words,
    partial_path,
)
from hiprot.session import SessionSummary, write_session
from hiprot.sources import check_readable, open_pose_source
from hiprot.types import PoseFrame, landmark_array

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")


def report_dir_name(source: Path) -> str:
    """Report folder name for ``source``.

    ``clip.mp4`` -> ``clip-hiprot``; ``s.landmarks.jsonl.gz`` -> ``s-landmarks-jsonl-gz-hiprot``.
    """
    suffix = recording_suffix(source)
    if suffix is None:
        return Path(source.name).stem + "-hiprot"
    return recording_stem(source) + source.name[-len(suffix) :].replace(".", "-") + "-hiprot"


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
        return cls(
            out_dir / "session.json",
            out_dir / "angles.csv",
            out_dir / "plot.png",
            out_dir / "report.html",
            annotated,
        )


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
        interrupted: Ctrl-C stopped the reading: the report covers the
            recording up to ``interrupted_at_s`` only (marked so), and is
            not for the history.
        capped: Best readings at the camera view's limit (``report.capped_readings``).
        kept_earlier: Interrupted with a complete earlier report in place:
            that one was kept and nothing was written.
        content_id: sha256 of the source file: what the history knows it by.
        annotation_interrupted: Ctrl-C while the annotated video was being
            written: the report is complete, no video was written (an
            earlier one was kept).
    """

    source: Path
    paths: ReviewPaths
    summary: SessionSummary
    started_at: datetime
    warnings: tuple[str, ...] = ()
    interrupted: bool = False
    interrupted_at_s: float | None = None
    capped: frozenset[str] = frozenset()
    kept_earlier: bool = False
    content_id: str | None = None
    annotation_interrupted: bool = False


def file_sha256(path: Path) -> str:
    """The file's sha256: two copies of one set are one session, two sets
    with the same name and time are two."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def recorded_at(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone()


#: A stretch this long with nobody in view is worth telling the user about
#: (shorter dropouts are bridged by the rep counter, see ``drill.MAX_GAP_S``).
LONG_GAP_S = 5.0


def longest_gap(pose_frames: Sequence[PoseFrame]) -> tuple[float, float] | None:
    """``(start_s, end_s)`` of the longest stretch with nobody in view, or None.

    The stretch runs from the first frame without a person to the next frame
    with one (or the last frame).
    """
    best: tuple[float, float] | None = None
    start: float | None = None
    for pose_frame in pose_frames:
        if not pose_frame.has_pose:
            start = pose_frame.t_s if start is None else start
            end = pose_frame.t_s
            continue
        if start is not None:
            end = pose_frame.t_s
            if best is None or end - start > best[1] - best[0]:
                best = (start, end)
            start = None
    if start is not None and (best is None or end - start > best[1] - best[0]):
        best = (start, end)
    return best


def _warn_about_gaps(pose_frames: Sequence[PoseFrame], name: str) -> None:
    if not any(p.has_pose for p in pose_frames):
        return  # "no person in any frame" is the analysis' error
    gap = longest_gap(pose_frames)
    if gap is not None and gap[1] - gap[0] >= LONG_GAP_S:
        missing = sum(not p.has_pose for p in pose_frames)
        findings.LONG_GAP.warn(
            name,
            start_s=gap[0],
            end_s=gap[1],
            gap_s=gap[1] - gap[0],
            missing_pc=100 * missing / len(pose_frames),
        )


def _warn_about_setup(calibration: Calibration, info: RecordingInfo, source: Path) -> None:
    """A calibration from frames of another size was most likely another camera set-up;
    one from another landmark model reads the knee on another scale."""
    made_by = calibration.pose_model
    if made_by != info.landmark_model:
        findings.CALIBRATION_MODEL.warn(source, made_by=made_by, model=info.landmark_model)
    taken = (calibration.setup.get("width"), calibration.setup.get("height"))
    if None in taken or taken == (info.width, info.height):
        return
    findings.CALIBRATION_SIZE.warn(
        source, taken=f"{taken[0]}x{taken[1]}", size=f"{info.width}x{info.height}"
    )


def _with_darkness_hint(
    exc: HiprotError, source: Path, pose_frames: Sequence[PoseFrame]
) -> HiprotError:
    """ "No person found" in a very dark video: say that light is what is missing."""
    from hiprot.capture import DARK_MEAN_BRIGHTNESS, video_brightness

    if is_recording(source) or any(p.has_pose for p in pose_frames):
        return exc
    try:
        level = video_brightness(source)
    except HiprotError:
        return exc
    if level >= DARK_MEAN_BRIGHTNESS:
        return exc
    return type(exc)(
        f"{exc}: the video is very dark (mean brightness {level:.0f} of 255): "
        f"{findings.TOO_DARK.text()}, and record again"
    )


def _output_folders(paths: ReviewPaths) -> list[Path]:
    outputs = [paths.json, paths.csv, paths.plot, paths.html]
    if paths.annotated is not None:
        outputs.append(paths.annotated)
    return list(dict.fromkeys(p.parent for p in outputs))


def _prepare_folders(paths: ReviewPaths) -> list[Path]:
    """Create the output folders and check they can be written, before the
    (possibly long) analysis. Returns the folders it created.

    Raises:
        HiprotError: a folder cannot be created or written.
    """
    created: list[Path] = []
    for folder in _output_folders(paths):
        try:
            missing = [p for p in (folder, *folder.parents) if not p.exists()]
            folder.mkdir(parents=True, exist_ok=True)
            created.extend(reversed(missing))
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            _remove_empty(created)
            raise HiprotError(
                f"{folder}: cannot write the report there ({os_error_words(exc)}); "
                "choose another folder with -o"
            ) from None
        clean_stale_partials(folder)  # left by a run killed outright (kill -9)
    return created


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if still empty


def _write_outputs(
    review: Review,
    paths: ReviewPaths,
    mode: Mode,
    source: Path,
    person: str | None = None,
) -> None:
    """Write the four report files all or nothing.

    Each goes to a hidden file beside its target first; only when all four
    are complete do they replace the targets, so a failure (disk full, a
    folder made read-only) leaves an earlier report exactly as it was.
    """
    from hiprot.report import degree_notes, plot_session, write_csv, write_html

    finals = (paths.json, paths.csv, paths.plot, paths.html)
    staged = {f: partial_path(f) for f in finals}
    try:
        write_session(staged[paths.json], review.summary)
        write_csv(review.series, staged[paths.csv])
        plot_session(review.series, review.reps, mode.sides, staged[paths.plot], title=source.name)
        write_html(
            review.summary,
            staged[paths.plot],
            staged[paths.html],
            review.femur_range_deg,
            review.foot_driven,
            review.small_legs,
            degree_notes(mode.sides, review.ranges),
            person,
            recorded_at(source),
        )
        for tmp in staged.values():
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        for final, tmp in staged.items():
            os.replace(tmp, final)
    except OSError as exc:
        # name the file the user asked for, not its temporary twin
        where = next((f for f, t in staged.items() if str(t) == exc.filename), None)
        where = where or exc.filename or paths.html.parent
        raise HiprotError(
            f"{where}: cannot write the report ({os_error_words(exc)}); an earlier report "
            "there was left as it was"
        ) from None
    finally:
        for tmp in staged.values():
            with contextlib.suppress(OSError):
                tmp.unlink()


def _collect(
    source: Path, on_frame: Callable[[str], None] | None, keep_partial: bool, model: str = "full"
) -> tuple[list[PoseFrame], RecordingInfo, bool]:
    """The source's PoseFrames; on Ctrl-C (with ``keep_partial``) the ones so far.

    Returns ``(pose_frames, info, interrupted)``.
    """
    pose_frames: list[PoseFrame] = []
    info: RecordingInfo | None = None
    try:
        with open_pose_source(source, model) as pose_source:
            info = pose_source.info
            for pose_frame in pose_source.frames:
                pose_frames.append(pose_frame)
                if on_frame is not None:
                    on_frame("analyse")
    except KeyboardInterrupt:
        if not keep_partial or info is None or not pose_frames:
            raise
        return pose_frames, info, True
    assert info is not None
    return pose_frames, info, False


def _complete_report(path: Path) -> bool:
    """``path`` holds a session summary that is not marked interrupted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and "format" in data and data.get("interrupted") is not True


def review_file(
    source: Path,
    paths: ReviewPaths,
    mode: Mode = Mode.BOTH,
    calibration: Calibration | None = None,
    on_frame: Callable[[str], None] | None = None,
    keep_partial: bool = True,
    model: str = "full",
    measured: MeasuredRange | None = None,
    person: str | None = None,
) -> tuple[Review, ReviewOutcome]:
    """Analyse ``source`` and write the summary JSON, CSV, plot, HTML and
    (for a video, when asked) the annotated video.

    ``on_frame`` is called with a stage name (``"analyse"``, ``"annotate"``)
    after each frame, for progress. The output folders are checked before
    the analysis starts; the report replaces an earlier one only once it is
    completely written. ``model`` is the landmark model run on a video;
    ``measured`` the person's hand-measured range (``review_pose_frames``);
    ``person`` whose set it is, named in the report.

    On Ctrl-C while frames are read (``keep_partial``), the frames so far are
    reported, marked interrupted, unless a complete earlier report is at
    ``paths`` (``kept_earlier``); with nothing to report, ``KeyboardInterrupt``
    is raised. Ctrl-C while the annotated video is written keeps the report
    and any earlier video (``annotation_interrupted``).

    Raises:
        HiprotError: Unreadable source, nobody in view, outputs not writable,
            or an annotated video asked of a landmark recording.
    """
    from hiprot.report import capped_readings

    mode = Mode(mode)
    check_readable(source)
    if paths.annotated is not None and is_recording(source):
        raise InputError(f"{source}: --annotate needs a video; a landmark recording has no pixels")
    review, pose_frames, interrupted, said = _analyse_caught(
        source, paths, mode, calibration, on_frame, keep_partial, model, measured
    )
    if interrupted:
        review = replace(review, summary=replace(review.summary, interrupted=True))
        paths = replace(paths, annotated=None)
    kept_earlier = interrupted and _complete_report(paths.json)
    if not kept_earlier:
        _write_outputs(review, paths, mode, source, person)
    annotation_interrupted = paths.annotated is not None and _annotate(
        source, review, pose_frames, mode, paths.annotated, on_frame, keep_partial
    )
    outcome = ReviewOutcome(
        source,
        replace(paths, annotated=None) if annotation_interrupted else paths,
        review.summary,
        recorded_at(source),
        said,
        interrupted,
        pose_frames[-1].t_s if interrupted else None,
        capped_readings(review),
        kept_earlier,
        None if interrupted else file_sha256(source),
        annotation_interrupted,
    )
    return review, outcome


def _analyse_caught(
    source: Path,
    paths: ReviewPaths,
    mode: Mode,
    calibration: Calibration | None,
    on_frame: Callable[[str], None] | None,
    keep_partial: bool,
    model: str,
    measured: MeasuredRange | None = None,
) -> tuple[Review, list[PoseFrame], bool, tuple[str, ...]]:
    """``_analyse`` with the output folders prepared (removed again if it fails)
    and its warnings caught: said once it is over, and returned as messages."""
    created = _prepare_folders(paths)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            review, pose_frames, interrupted = _analyse(
                source, mode, calibration, on_frame, keep_partial, model, measured
            )
    except BaseException:
        _remove_empty(created)
        raise
    for warning in caught:
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return review, pose_frames, interrupted, tuple(str(w.message) for w in caught)


def _analyse(
    source: Path,
    mode: Mode,
    calibration: Calibration | None,
    on_frame: Callable[[str], None] | None,
    keep_partial: bool,
    model: str,
    measured: MeasuredRange | None = None,
) -> tuple[Review, list[PoseFrame], bool]:
    """Read ``source`` and review it, warning about the set-up and long gaps.

    Returns ``(review, pose_frames, interrupted)``; an interrupt with too
    little read to say anything raises ``KeyboardInterrupt``.
    """
    pose_frames, info, interrupted = _collect(source, on_frame, keep_partial, model)
    if calibration is not None:
        _warn_about_setup(calibration, info, source)
    _warn_about_gaps(pose_frames, source.name)
    try:
        review = review_pose_frames(
            pose_frames,
            source.name,
            mode,
            calibration,
            size_wh=(info.width, info.height),
            pose_model=info.landmark_model,
            measured=measured,
        )
    except HiprotError as exc:
        if interrupted:  # too little so far to say anything: just stop
            raise KeyboardInterrupt from None
        raise _with_darkness_hint(exc, source, pose_frames) from None
    return review, pose_frames, interrupted


def _annotate(
    source: Path,
    review: Review,
    pose_frames: Sequence[PoseFrame],
    mode: Mode,
    path: Path,
    on_frame: Callable[[str], None] | None,
    keep_partial: bool,
) -> bool:
    """The annotated video, replacing an earlier one only once complete.

    Returns whether Ctrl-C stopped it (then nothing was written); without
    ``keep_partial`` the ``KeyboardInterrupt`` is raised instead.
    """
    from hiprot.annotate import frame_annotations, write_annotated_video

    annotations = frame_annotations(review.series, review.reps, mode.sides)
    try:
        with atomic_path(path) as partial:
            write_annotated_video(
                source,
                landmark_array(pose_frames, "image"),
                annotations,
                partial,
                None if on_frame is None else lambda: on_frame("annotate"),
            )
    except KeyboardInterrupt:
        if not keep_partial:
            raise
        return True
    return False


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
    recordings = [p for p in files if is_recording(p)]
    recorded_stems = {recording_stem(p) for p in recordings}
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


def _review_task(
    source: Path,
    out_dir: Path,
    mode: Mode,
    calibration: Calibration | None,
    model: str = "full",
    measured: MeasuredRange | None = None,
    person: str | None = None,
) -> ReviewOutcome | FileFailure:
    """One file in a worker process; never raises, so one bad file stops nothing."""
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            return review_file(
                source,
                ReviewPaths.in_folder(out_dir),
                mode,
                calibration,
                keep_partial=False,
                model=model,
                measured=measured,
                person=person,
            )[1]
    except HiprotError as exc:
        return FileFailure(source, str(exc))
    except Exception as exc:
        return FileFailure(source, f"{source}: could not be reviewed ({type(exc).__name__}: {exc})")


def review_folder(
    sources: Sequence[Path],
    out_root: Path | None = None,
    mode: Mode = Mode.BOTH,
    calibration: Calibration | None = None,
    workers: int | None = None,
    model: str = "full",
    measured: MeasuredRange | None = None,
    person: str | None = None,
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
            pool.submit(
                _review_task,
                source,
                (out_root or source.parent) / report_dir_name(source),
                mode,
                calibration,
                model,
                measured,
                person,
            )
            for source in sources
        ]
        for future in as_completed(futures):
            yield future.result()
