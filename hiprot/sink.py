"""Writing frames to a video file: the annotated review video.

``VideoSink`` is the counterpart of ``hiprot.capture.open_video``: a context
manager around ``cv2.VideoWriter`` that fails with a clear ``HiprotError``
when the file cannot be written, instead of silently writing nothing::

    with VideoSink("out.mp4", fps=30.0, size_wh=(640, 480)) as sink:
        for frame in frames:
            sink.write(frame.image)
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import cv2
import numpy as np
import numpy.typing as npt

from hiprot.errors import HiprotError

#: mp4v plays in browsers' and phones' players and needs no extra codec
#: library (OpenCV's wheel has no H.264 encoder).
FOURCC = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "mp4v"}


class VideoSink:
    """A video file being written, frame by frame.

    Attributes:
        path: Output file; its suffix picks the codec (``FOURCC``).
        fps: Frame rate written into the container.
        size_wh: Frame size in pixels; every frame must have it.
        frames_written: How many frames went in so far.

    Raises:
        HiprotError: Unknown suffix, folder missing, or OpenCV cannot open a
            writer for the file (read-only location, full disk).
    """

    def __init__(self, path: str | Path, fps: float, size_wh: tuple[int, int]) -> None:
        self.path = Path(path)
        self.fps = fps
        self.size_wh = size_wh
        self.frames_written = 0
        self._writer: cv2.VideoWriter | None = None

    def __enter__(self) -> VideoSink:
        suffix = self.path.suffix.lower()
        if suffix not in FOURCC:
            raise HiprotError(
                f"{self.path}: cannot write a {suffix or 'suffix-less'} video; "
                f"use one of {', '.join(sorted(FOURCC))}"
            )
        if not self.path.parent.is_dir():
            raise HiprotError(f"{self.path}: the folder {self.path.parent} does not exist")
        if self.fps <= 0 or min(self.size_wh) <= 0:
            raise HiprotError(f"{self.path}: invalid frame rate {self.fps} or size {self.size_wh}")
        writer = cv2.VideoWriter(
            str(self.path), cv2.VideoWriter_fourcc(*FOURCC[suffix]), self.fps, self.size_wh
        )
        if not writer.isOpened():
            writer.release()
            raise HiprotError(f"{self.path}: cannot be opened for writing a video")
        self._writer = writer
        return self

    def write(self, image: npt.NDArray[np.uint8]) -> None:
        """Append one BGR frame of shape ``(height, width, 3)``."""
        if self._writer is None:
            raise RuntimeError("VideoSink is not open; use it in a with-block")
        if (image.shape[1], image.shape[0]) != self.size_wh:
            raise ValueError(f"frame size {image.shape[1]}x{image.shape[0]} is not {self.size_wh}")
        self._writer.write(image)
        self.frames_written += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
