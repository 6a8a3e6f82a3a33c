"""MediaPipe Pose behind a small adapter: Frames in, PoseFrames out.

The only module that imports mediapipe. It uses the legacy solution API with
the "full" landmark model (``model_complexity=1``), which ships inside the
mediapipe 0.10.21 wheel, or "heavy" (2) once ``hiprot models install heavy``
has put it in mediapipe's folder. Nothing is downloaded at run time: a model
that is not installed is refused here (``hiprot.models.resolve`` falls back
before it gets this far).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType

import cv2
import numpy as np

from hiprot.errors import HiprotError
from hiprot.models import COMPLEXITY, DEFAULT, is_installed
from hiprot.types import Frame, PoseFrame

# Quieten MediaPipe's C++ logging before it is imported.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import mediapipe as mp

_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None)


def model_name(model: str = DEFAULT) -> str:
    """The free-text model name recordings carry, e.g. ``mediapipe-pose-full-0.10.21``."""
    return f"mediapipe-pose-{model}-{mp.__version__}"


#: TFLite's start-up line. A MediaPipe worker thread prints it while the
#: graph opens, which runs on after ``Pose()`` returns: the terminal stays
#: muted from the graph's creation until the line has gone by.
_DELEGATE_LINE = b"XNNPACK delegate"
#: ... but never for more than this many frames (a MediaPipe that never prints it).
_MAX_MUTED_FRAMES = 30


class _Muted:
    """File descriptors 1 and 2 sent into a pipe until ``stop``.

    MediaPipe's C++ code writes its log lines straight to the descriptors,
    past Python's streams; C's own buffers are flushed before they are
    restored so nothing leaks out later. ``seen`` tells whether some bytes
    went by (the pipe drops output once full, it never blocks).
    """

    def __init__(self) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self._saved = {fd: os.dup(fd) for fd in (1, 2)}
        self._read, write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(write, False)
        for fd in self._saved:
            os.dup2(write, fd)
        os.close(write)
        self._muted = bytearray()

    def seen(self, text: bytes) -> bool:
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(self._read, 1 << 16):
                self._muted.extend(chunk)
        return text in self._muted

    def stop(self) -> None:
        _LIBC.fflush(None)
        for fd, copy in self._saved.items():
            os.dup2(copy, fd)
            os.close(copy)
        os.close(self._read)


@contextmanager
def _quiet_native_output() -> Iterator[None]:
    """Silence what MediaPipe's C++ code prints during the block."""
    muted = _Muted()
    try:
        yield
    finally:
        muted.stop()


def _landmark_array(landmark_list: object | None) -> np.ndarray | None:
    """MediaPipe landmark list -> ``(33, 4)`` array of x, y, z, visibility."""
    if landmark_list is None:
        return None
    return np.array(
        [(p.x, p.y, p.z, p.visibility) for p in landmark_list.landmark],  # type: ignore[attr-defined]
        dtype=np.float64,
    )


class PoseEstimator:
    """MediaPipe Pose in tracking (video) mode, as a context manager.

    Tracking mode reuses the previous frame's landmarks to find the person,
    which is faster and steadier than detecting afresh; feed frames in order.

    Example:
        >>> with open_video("set.mp4") as frames, PoseEstimator() as estimator:
        ...     for pose_frame in estimator.track(frames):
        ...         print(pose_frame.t_s, pose_frame.has_pose)
    """

    def __init__(
        self,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        model: str = DEFAULT,
        static_image_mode: bool = False,
    ) -> None:
        if model not in COMPLEXITY:
            raise ValueError(f"model must be one of {sorted(COMPLEXITY)}, got {model!r}")
        self.model = model
        self.static_image_mode = static_image_mode  # detect afresh each frame (benchmarks)
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self._pose: mp.solutions.pose.Pose | None = None
        self._muted: _Muted | None = None
        self._muted_frames_left = _MAX_MUTED_FRAMES

    def __enter__(self) -> PoseEstimator:
        # mediapipe would download a missing model: never at run time
        if self.model != "full" and not is_installed(self.model):
            raise HiprotError(
                f"the {self.model} pose model is not installed; run: hiprot models install "
                f"{self.model}"
            )
        self._muted = _Muted()  # until the start-up lines have gone by (estimate)
        try:
            self._pose = mp.solutions.pose.Pose(
                static_image_mode=self.static_image_mode,
                model_complexity=COMPLEXITY[self.model],
                smooth_landmarks=True,
                enable_segmentation=False,
                min_detection_confidence=self.min_detection_confidence,
                min_tracking_confidence=self.min_tracking_confidence,
            )
        except BaseException:
            self._unmute()
            raise
        return self

    def _unmute(self) -> None:
        if self._muted is not None:
            self._muted.stop()
            self._muted = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._unmute()
        if self._pose is not None:
            with _quiet_native_output():  # its log buffer is flushed on close
                self._pose.close()
            self._pose = None

    def estimate(self, frame: Frame) -> PoseFrame:
        """Landmarks of the person in ``frame``, or an empty PoseFrame."""
        if self._pose is None:
            raise RuntimeError("PoseEstimator is not open; use it in a with-block")
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        results = self._pose.process(rgb)
        if self._muted is not None:
            # muting is process-wide (file descriptors): it ends as soon as
            # TFLite's line has gone by
            self._muted_frames_left -= 1
            if self._muted_frames_left <= 0 or self._muted.seen(_DELEGATE_LINE):
                self._unmute()
        return PoseFrame(
            index=frame.index,
            t_s=frame.t_s,
            image=_landmark_array(results.pose_landmarks),
            world=_landmark_array(results.pose_world_landmarks),
        )

    def track(self, frames: Iterable[Frame]) -> Iterator[PoseFrame]:
        """Estimate every frame in order."""
        for frame in frames:
            yield self.estimate(frame)
