"""MediaPipe Pose behind a small adapter: Frames in, PoseFrames out.

The only module that imports mediapipe. It uses the legacy solution API with
the "full" landmark model (``model_complexity=1``), which ships inside the
mediapipe 0.10.21 wheel, or "heavy" (2) once ``hiprot models install heavy``
has put it in mediapipe's folder. Nothing is downloaded at run time: a model
that is not installed is refused here (``hiprot.models.resolve`` falls back
before it gets this far).

A far person is found by zooming: MediaPipe's detector sees the whole frame
shrunk to 224 px, where someone lying 4 m away is a few dozen pixels and is
often missed, while its landmark model reads a crop of the full-resolution
frame. So when the full frame shows nobody, a second ``Pose`` looks in a crop
of the frame, and its landmarks are mapped back to the full frame: every later
stage sees ordinary full-frame landmarks.
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
from typing import Any

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


def _process(pose: mp.solutions.pose.Pose, rgb: np.ndarray, quiet: bool) -> Any:
    """``pose.process(rgb)``, muted when ``quiet``: a graph logs a warning
    (absl's "W0000 ... landmark_projection_calculator") on the first frame
    it finds someone on, which no environment variable silences."""
    if not quiet:
        return pose.process(rgb)
    with _quiet_native_output():
        return pose.process(rgb)


def _landmark_array(landmark_list: object | None) -> np.ndarray | None:
    """MediaPipe landmark list -> ``(33, 4)`` array of x, y, z, visibility."""
    if landmark_list is None:
        return None
    return np.array(
        [(p.x, p.y, p.z, p.visibility) for p in landmark_list.landmark],  # type: ignore[attr-defined]
        dtype=np.float64,
    )


#: A crop is the frame's width and height divided by this: the detector's 224 px
#: then see a far person twice as large, while the landmark model reads the
#: same full-resolution pixels as before.
ZOOM = 2
#: A tracked crop is moved once the person's box, grown by this much on each
#: side (MediaPipe's own margin round a person: its region is 1.25x their box),
#: pokes out of it where the crop could move.
_EDGE_MARGIN = 0.125

#: A person found in a crop is reported once its tracker has read them on
#: this many frames running: the landmark model then has accepted them on the
#: detector's region and again on the region of its own landmarks. A detector
#: hit on background clutter (a stack of weight plates, in a real still)
#: is dropped at the second look.
_CONFIRM_FRAMES = 2

#: A region of the frame in pixels: left, top, width, height.
Box = tuple[int, int, int, int]


def search_boxes(width: int, height: int) -> list[Box]:
    """The crops tried, one per frame, while nobody is found: centre first.

    A 3x3 grid of crops ``1/ZOOM`` of the frame each way, overlapping by half
    a crop, so a person up to half a crop's size lies wholly inside one.
    """
    w, h = width // ZOOM, height // ZOOM
    xs = (0, (width - w) // 2, width - w)
    ys = (0, (height - h) // 2, height - h)
    boxes = [(x, y, w, h) for y in ys for x in xs]
    return sorted(boxes, key=lambda b: abs(b[0] - xs[1]) + abs(b[1] - ys[1]))


def box_around(centre_xy: tuple[float, float], width: int, height: int) -> Box:
    """The crop centred on ``centre_xy`` (pixels), moved inside the frame."""
    w, h = width // ZOOM, height // ZOOM
    x = round(min(max(centre_xy[0] - w / 2, 0), width - w))
    y = round(min(max(centre_xy[1] - h / 2, 0), height - h))
    return (x, y, w, h)


def crop_to_frame(landmarks: np.ndarray, box: Box, width: int, height: int) -> np.ndarray:
    """``(33, 4)`` landmarks read in ``box`` -> the same in full-frame units.

    x and y are normalised by the crop's size in MediaPipe's output; z is on
    the scale of x (the crop's width), so it shrinks by the same factor as x;
    visibility is kept.
    """
    x0, y0, w, h = box
    out = np.array(landmarks, dtype=np.float64, copy=True)
    out[:, 0] = (x0 + out[:, 0] * w) / width
    out[:, 1] = (y0 + out[:, 1] * h) / height
    out[:, 2] = out[:, 2] * w / width
    return out


def _person_box(image: np.ndarray, width: int, height: int) -> tuple[float, float, float, float]:
    """Left, top, right, bottom in pixels of full-frame landmarks."""
    x, y = image[:, 0] * width, image[:, 1] * height
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def _pokes_out(
    person: tuple[float, float, float, float], box: Box, width: int, height: int
) -> bool:
    """Whether the person, with MediaPipe's margin, crosses an edge of ``box``
    that is not an edge of the frame (one the crop could move past)."""
    left, top, right, bottom = person
    mx, my = _EDGE_MARGIN * (right - left), _EDGE_MARGIN * (bottom - top)
    x0, y0, w, h = box
    return (
        (x0 > 0 and left - mx < x0)
        or (y0 > 0 and top - my < y0)
        or (x0 + w < width and right + mx > x0 + w)
        or (y0 + h < height and bottom + my > y0 + h)
    )


class PoseEstimator:
    """MediaPipe Pose in tracking (video) mode, as a context manager.

    Tracking mode reuses the previous frame's landmarks to find the person,
    which is faster and steadier than detecting afresh; feed frames in order.

    On a frame where the full frame shows nobody, ``zoom`` looks in one crop
    of it (``1/ZOOM`` of the frame each way) with a second tracker: first
    round where the person was last seen, then the crops of ``search_boxes``
    in turn, one per frame. Once someone is found, that crop is kept (its
    tracker keeps its state) until the person nears an edge the crop could
    move past, or is lost; they are reported from the second frame the
    tracker reads them on (``_CONFIRM_FRAMES``). Frames where the full frame finds someone cost and
    read exactly as without zoom. Static mode reads each image on its own and
    does not zoom.

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
        zoom: bool = True,
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
        self.zoom = zoom and not static_image_mode
        self._zoom_pose: mp.solutions.pose.Pose | None = None
        # each graph until it has found someone once (``_process``)
        self._pose_found = False
        self._zoom_found = False
        self._zoom_box: Box | None = None  # the crop its tracker follows someone in
        self._zoom_run = 0  # frames running on which that tracker read them
        self._last_seen: tuple[float, float, float, float] | None = None
        self._search_step = 0

    def __enter__(self) -> PoseEstimator:
        # mediapipe would download a missing model: never at run time
        if self.model != "full" and not is_installed(self.model):
            raise HiprotError(
                f"the {self.model} pose model is not installed; run: hiprot models install "
                f"{self.model}"
            )
        self._muted = _Muted()  # until the start-up lines have gone by (estimate)
        try:
            self._pose = self._new_pose()
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
        self._drop_zoom()
        if self._pose is not None:
            with _quiet_native_output():  # its log buffer is flushed on close
                self._pose.close()
            self._pose = None

    def _new_pose(self) -> mp.solutions.pose.Pose:
        return mp.solutions.pose.Pose(
            static_image_mode=self.static_image_mode,
            model_complexity=COMPLEXITY[self.model],
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence,
        )

    def _drop_zoom(self) -> None:
        """Forget the crop tracker's state (its landmarks belong to its crop)."""
        self._zoom_box = None
        self._zoom_run = 0
        if self._zoom_pose is not None:
            with _quiet_native_output():
                self._zoom_pose.close()
            self._zoom_pose = None

    def _search_box(self, width: int, height: int) -> Box:
        boxes = search_boxes(width, height)
        if self._last_seen is not None:
            left, top, right, bottom = self._last_seen
            boxes.insert(0, box_around(((left + right) / 2, (top + bottom) / 2), width, height))
        box = boxes[self._search_step % len(boxes)]
        self._search_step += 1
        return box

    def _zoom_in(self, rgb: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Landmarks (image, world) of a person found in a crop of ``rgb``."""
        height, width = rgb.shape[:2]
        box = self._zoom_box
        confirmed = self._zoom_run >= _CONFIRM_FRAMES  # then ``_last_seen`` is its read or newer
        if (
            box is not None
            and confirmed
            and self._last_seen is not None
            and _pokes_out(self._last_seen, box, width, height)
        ):
            self._drop_zoom()  # re-centre: a new tracker for the new crop
            box = None
        if box is None:
            box = self._search_box(width, height)
        x0, y0, w, h = box
        crop = np.ascontiguousarray(rgb[y0 : y0 + h, x0 : x0 + w])
        crop.flags.writeable = False
        if self._zoom_pose is None:
            with _quiet_native_output():  # a new graph prints its start-up lines
                self._zoom_pose = self._new_pose()
                results = self._zoom_pose.process(crop)
            self._zoom_found = False
        else:
            results = _process(self._zoom_pose, crop, quiet=not self._zoom_found)
        self._zoom_found |= results.pose_landmarks is not None
        if results.pose_landmarks is None:
            self._zoom_box = None
            self._zoom_run = 0
            return None, None
        image = crop_to_frame(_landmark_array(results.pose_landmarks), box, width, height)
        self._zoom_box = box
        self._zoom_run += 1
        if self._zoom_run < _CONFIRM_FRAMES:
            return None, None
        self._seen(image, width, height)
        return image, _landmark_array(results.pose_world_landmarks)

    def _seen(self, image: np.ndarray, width: int, height: int) -> None:
        self._last_seen = _person_box(image, width, height)
        self._search_step = 0  # a later search starts where the person was

    def estimate(self, frame: Frame) -> PoseFrame:
        """Landmarks of the person in ``frame``, or an empty PoseFrame."""
        if self._pose is None:
            raise RuntimeError("PoseEstimator is not open; use it in a with-block")
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        results = _process(self._pose, rgb, quiet=self._muted is None and not self._pose_found)
        self._pose_found |= results.pose_landmarks is not None
        if self._muted is not None:
            # muting is process-wide (file descriptors): it ends as soon as
            # TFLite's line has gone by
            self._muted_frames_left -= 1
            if self._muted_frames_left <= 0 or self._muted.seen(_DELEGATE_LINE):
                self._unmute()
        image = _landmark_array(results.pose_landmarks)
        world = _landmark_array(results.pose_world_landmarks)
        if self.zoom:
            height, width = rgb.shape[:2]
            if image is not None:
                self._seen(image, width, height)
            else:
                image, world = self._zoom_in(rgb)
        return PoseFrame(index=frame.index, t_s=frame.t_s, image=image, world=world)

    def track(self, frames: Iterable[Frame]) -> Iterator[PoseFrame]:
        """Estimate every frame in order."""
        for frame in frames:
            yield self.estimate(frame)
