"""Frame sources: a webcam, a video file or a folder of images.

Every source is a context manager that yields ``Frame``s and releases its
device or file on exit, also on ``break`` or Ctrl-C::

    with open_source("set.mp4") as frames:
        for frame in frames:
            ...

Live sources (a camera, or a video played in real time with ``realtime``)
read in a background thread and hand out only the newest frame: when the
consumer is slower than the camera, old frames are dropped rather than
queued, so the display never lags behind.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# FFmpeg's own messages ("moov atom not found") would bury hiprot's one-line
# errors; hiprot reports unreadable videos itself.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

import cv2
import numpy as np

from hiprot.errors import HiprotError, HiprotWarning, InputError
from hiprot.types import Frame

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")

#: Frames wider than this are downscaled on read: MediaPipe works on a
#: 256x256 crop anyway, and decoding 4K at full size only costs time.
DEFAULT_MAX_WIDTH = 1280

#: A live source that delivers nothing for this long is considered lost.
CAMERA_TIMEOUT_S = 3.0


class CameraError(HiprotError):
    """The camera cannot be opened, or stopped delivering frames."""


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, read from its container."""

    width: int
    height: int
    fps: float
    frame_count: int

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a video file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes)")


def _open_video(path: Path) -> cv2.VideoCapture:
    _check_file(path)
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise InputError(f"{path}: cannot be read as a video (unknown or damaged format)")
    # Phones store portrait video as landscape frames plus a rotation tag.
    # OpenCV 4.11 ignores the tag unless asked (CAP_PROP_ORIENTATION_AUTO is
    # off by default in the pip wheels); with it on, frames and the reported
    # width/height come upright, as every video player shows them.
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


def _codec_name(cap: cv2.VideoCapture) -> str:
    """The stream's four-character codec code (``avc1``, ``av01``...), if printable."""
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    text = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4))
    return text if text.isprintable() and text.strip() else "unknown"


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's size, frame rate and frame count without decoding it."""
    cap = _open_video(Path(path))
    try:
        return VideoInfo(
            width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=float(cap.get(cv2.CAP_PROP_FPS)) or 30.0,
            frame_count=max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT))),
        )
    finally:
        cap.release()


#: Mean pixel brightness (0-255) below which a frame is too dark for MediaPipe
#: to find a person (the pose tests' real clip, dimmed: found at 123, lost at 18).
DARK_MEAN_BRIGHTNESS = 40.0


def brightness(image: np.ndarray) -> float:
    """Mean brightness 0-255 of a BGR image (sampled every 8th pixel: cheap)."""
    return float(image[::8, ::8].mean()) if image.size else 0.0


def video_brightness(path: str | Path, max_frames: int = 60) -> float:
    """Mean brightness of a video's first ``max_frames`` frames."""
    values = []
    with open_video(path) as frames:
        for frame in frames:
            values.append(brightness(frame.image))
            if len(values) >= max_frames:
                break
    return float(np.mean(values)) if values else 0.0


def _downscale(image: np.ndarray, max_width: int | None) -> np.ndarray:
    if max_width is None or image.shape[1] <= max_width:
        return image
    scale = max_width / image.shape[1]
    size = (max_width, max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


#: A video that decodes fewer than this share of the frames its container
#: announces was cut off (a copy interrupted, a phone that died mid-recording).
CUT_OFF_SHARE = 0.9


def _video_frames(cap: cv2.VideoCapture, path: Path, max_width: int | None) -> Iterator[Frame]:
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    expected = max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
    last_t = -1.0
    index = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        # The container's presentation time of the frame just decoded; fall
        # back to index/fps when a container gives none or repeats it.
        t_s = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        if not np.isfinite(t_s) or t_s <= last_t:
            t_s = max(last_t + 1e-3, index / fps)
        last_t = t_s
        yield Frame(index=index, t_s=t_s, image=_downscale(image, max_width))
        index += 1
    if index == 0:
        raise InputError(
            f"{path}: no frame could be decoded (codec '{_codec_name(cap)}' not supported, or the "
            "file is damaged); convert it to H.264, e.g. ffmpeg -i IN -c:v libx264 OUT.mp4"
        )
    if index < CUT_OFF_SHARE * expected and expected - index >= 5:
        warnings.warn(
            f"{path}: the video ends after {index} of its {expected} frames ({last_t:.1f} s; "
            "the file is cut off or damaged); using the frames before it",
            HiprotWarning,
            stacklevel=2,
        )


@contextmanager
def open_video(
    path: str | Path, max_width: int | None = DEFAULT_MAX_WIDTH
) -> Iterator[Iterator[Frame]]:
    """Frames of a video file, timed by the container's timestamps."""
    path = Path(path)
    cap = _open_video(path)
    try:
        yield _video_frames(cap, path, max_width)
    finally:
        cap.release()


def _image_folder_frames(paths: list[Path], fps: float, max_width: int | None) -> Iterator[Frame]:
    for index, image_path in enumerate(paths):
        image = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
        if image is None:
            raise InputError(f"{image_path}: cannot be read as an image")
        yield Frame(index=index, t_s=index / fps, image=_downscale(image, max_width))


@contextmanager
def open_image_folder(
    folder: str | Path, fps: float = 30.0, max_width: int | None = DEFAULT_MAX_WIDTH
) -> Iterator[Iterator[Frame]]:
    """Frames from a folder of images in name order, timed at ``fps``."""
    folder = Path(folder)
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise InputError(f"{folder}: holds no images ({', '.join(IMAGE_SUFFIXES)})")
    yield _image_folder_frames(paths, fps, max_width)


class LatestFrameReader:
    """Reads frames in a background thread and keeps only the newest.

    ``read_image`` blocks until the next image is available and returns
    ``None`` when the source has ended. Iterating yields each new frame once;
    frames the consumer was too slow for are dropped (their index shows the
    gap). Raises ``CameraError`` when nothing arrives for ``timeout_s``.
    """

    def __init__(
        self,
        read_image: Callable[[], np.ndarray | None],
        name: str,
        timeout_s: float = CAMERA_TIMEOUT_S,
        max_width: int | None = DEFAULT_MAX_WIDTH,
    ) -> None:
        self._read_image = read_image
        self.name = name
        self.timeout_s = timeout_s
        self.max_width = max_width
        self._latest: Frame | None = None
        self._ended = False
        self._stop = threading.Event()
        self._new_frame = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"capture-{name}", daemon=True)
        self.dropped = 0

    def start(self) -> LatestFrameReader:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)

    def _run(self) -> None:
        start = time.monotonic()
        index = 0
        while not self._stop.is_set():
            image = self._read_image()
            if image is None:
                break
            frame = Frame(index, time.monotonic() - start, _downscale(image, self.max_width))
            with self._new_frame:
                if self._latest is not None:
                    self.dropped += 1
                self._latest = frame
                self._new_frame.notify_all()
            index += 1
        with self._new_frame:
            self._ended = True
            self._new_frame.notify_all()

    def __iter__(self) -> Iterator[Frame]:
        while True:
            with self._new_frame:
                got = self._new_frame.wait_for(
                    lambda: self._latest is not None or self._ended, timeout=self.timeout_s
                )
                if not got:
                    raise CameraError(
                        f"{self.name}: no frames for {self.timeout_s:.0f} s "
                        "(camera unplugged or in use by another program?)"
                    )
                frame, self._latest = self._latest, None
                ended = self._ended
            if frame is not None:
                yield frame
            elif ended:
                return


def _camera_reader(cap: cv2.VideoCapture) -> Callable[[], np.ndarray | None]:
    def read() -> np.ndarray | None:
        ok, image = cap.read()
        return image if ok else None

    return read


@contextmanager
def open_camera(
    index: int = 0, max_width: int | None = DEFAULT_MAX_WIDTH
) -> Iterator[Iterator[Frame]]:
    """Live frames from webcam ``index``, newest frame wins."""
    # OpenCV logs its own "Camera index out of range" at ERROR level when
    # probing backends; hiprot says it in one line below instead.
    level = cv2.getLogLevel()
    cv2.setLogLevel(0)  # silent
    try:
        cap = cv2.VideoCapture(index)
    finally:
        cv2.setLogLevel(level)
    if not cap.isOpened():
        cap.release()
        raise CameraError(
            f"camera {index}: cannot be opened (no camera at this index, or another "
            "program is using it; try --camera 1, or --source VIDEO)"
        )
    ok, _ = cap.read()
    if not ok:
        cap.release()
        raise CameraError(f"camera {index}: opened but delivers no frames (in use elsewhere?)")
    with _latest_frames(cap, _camera_reader(cap), f"camera {index}", max_width) as frames:
        yield frames


def _paced_reader(cap: cv2.VideoCapture, fps: float) -> Callable[[], np.ndarray | None]:
    period = 1.0 / fps
    next_due = [time.monotonic()]
    read_frame = _camera_reader(cap)

    def read() -> np.ndarray | None:
        delay = next_due[0] - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        next_due[0] += period
        return read_frame()

    return read


@contextmanager
def _latest_frames(
    cap: cv2.VideoCapture,
    read: Callable[[], np.ndarray | None],
    name: str,
    max_width: int | None,
) -> Iterator[Iterator[Frame]]:
    """``read``'s frames through a ``LatestFrameReader``; the reader stopped
    and ``cap`` released when the block ends, however it ends."""
    reader = LatestFrameReader(read, name, max_width=max_width)
    try:
        yield iter(reader.start())
    finally:
        reader.stop()
        cap.release()


@contextmanager
def open_realtime_video(
    path: str | Path, max_width: int | None = DEFAULT_MAX_WIDTH
) -> Iterator[Iterator[Frame]]:
    """A video file played at its own frame rate as if it were a camera."""
    path = Path(path)
    cap = _open_video(path)
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    with _latest_frames(cap, _paced_reader(cap, fps), str(path), max_width) as frames:
        yield frames


@contextmanager
def open_source(
    source: str | int | Path, realtime: bool = False, max_width: int | None = DEFAULT_MAX_WIDTH
) -> Iterator[Iterator[Frame]]:
    """Open a camera index, a video file or an image folder by what it is."""
    if isinstance(source, int) or (isinstance(source, str) and source.isdigit()):
        with open_camera(int(source), max_width) as frames:
            yield frames
        return
    path = Path(source)
    if path.is_dir():
        with open_image_folder(path, max_width=max_width) as frames:
            yield frames
    elif realtime:
        with open_realtime_video(path, max_width) as frames:
            yield frames
    else:
        with open_video(path, max_width) as frames:
            yield frames
