"""Where PoseFrames come from: a video (via MediaPipe) or a landmark recording.

Every command that analyses a "FILE" accepts both; this module is the one
place that decides which, so the analysis downstream never knows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hiprot.capture import open_video, probe_video
from hiprot.errors import InputError
from hiprot.readahead import read_ahead
from hiprot.recording import RecordingInfo, RecordingReader, RecordingWriter, is_recording
from hiprot.types import PoseFrame


@dataclass(frozen=True)
class PoseSource:
    """An open stream of PoseFrames and what is known about it up front."""

    path: Path
    info: RecordingInfo
    frame_count: int | None
    frames: Iterator[PoseFrame]


@contextmanager
def open_pose_source(path: str | Path, model: str = "full") -> Iterator[PoseSource]:
    """Open a video or a ``*.landmarks.jsonl[.gz]`` recording as PoseFrames.

    ``model`` is the landmark model run on a video; a recording's landmarks
    are already made (its header names their model).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if is_recording(path):
        with RecordingReader(path) as reader:
            assert reader.info is not None
            yield PoseSource(path, reader.info, None, iter(reader))
        return
    from hiprot.pose import PoseEstimator, model_name  # imports mediapipe: only for videos

    video = probe_video(path)
    info = RecordingInfo(video.fps, video.width, video.height, path.name, model_name(model), model)
    # decoding runs a few frames ahead in a thread, overlapping with MediaPipe
    with (
        open_video(path) as frames,
        read_ahead(frames) as ahead,
        PoseEstimator(model=model) as estimator,
    ):
        yield PoseSource(path, info, video.frame_count or None, estimator.track(ahead))


def check_readable(path: str | Path) -> None:
    """Fail early, with a clear message, on a path that cannot be analysed."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a video or a landmark recording")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes)")


def extract_recording(
    source: PoseSource, output: str | Path, on_frame: Callable[[PoseFrame], None] | None = None
) -> tuple[int, int]:
    """Write every PoseFrame of ``source`` to a recording at ``output``.

    Each frame is flushed as it is written, so an interruption keeps what was
    done. Returns ``(frames, frames_with_pose)``.
    """
    frames = with_pose = 0
    with RecordingWriter(output, source.info) as writer:
        for pose_frame in source.frames:
            writer.write(pose_frame)
            frames += 1
            with_pose += pose_frame.has_pose
            if on_frame is not None:
                on_frame(pose_frame)
    return frames, with_pose
