"""The small typed containers that flow between pipeline stages.

``Frame`` leaves capture, ``PoseFrame`` leaves pose (or a landmark
recording). Everything after pose sees only ``PoseFrame``, so analysis runs
the same on pixels and on recordings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import NUM_LANDMARKS

LANDMARK_SHAPE = (NUM_LANDMARKS, 4)


@dataclass(frozen=True)
class Frame:
    """One decoded image from a camera, a video file or an image folder.

    Attributes:
        index: Frame number from the source (0-based; gaps mean dropped frames).
        t_s: Seconds since the source's first frame (video: container time;
            camera: monotonic clock at capture).
        image: BGR pixels, shape ``(height, width, 3)``, uint8.
    """

    index: int
    t_s: float
    image: npt.NDArray[np.uint8]

    @property
    def size_wh(self) -> tuple[int, int]:
        return int(self.image.shape[1]), int(self.image.shape[0])


@dataclass(frozen=True)
class PoseFrame:
    """MediaPipe Pose landmarks for one frame, or no person.

    Attributes:
        index: Frame number (as in the source).
        t_s: Seconds since the first frame.
        image: ``(33, 4)`` float64 rows ``x, y, z, visibility``; x, y in units
            of image width/height, z MediaPipe's relative depth; ``None`` when
            no person was found.
        world: ``(33, 4)`` float64 rows ``x, y, z, visibility``; metres,
            origin at the hip midpoint, MediaPipe's camera-aligned axes
            (x right, y down, z away from the camera); may be ``None``.
    """

    index: int
    t_s: float
    image: npt.NDArray[np.float64] | None
    world: npt.NDArray[np.float64] | None

    def __post_init__(self) -> None:
        for name in ("image", "world"):
            value = getattr(self, name)
            if value is not None and np.shape(value) != LANDMARK_SHAPE:
                raise ValueError(
                    f"PoseFrame.{name} must have shape {LANDMARK_SHAPE}, got {np.shape(value)}"
                )

    @property
    def has_pose(self) -> bool:
        return self.image is not None

    @classmethod
    def empty(cls, index: int, t_s: float) -> PoseFrame:
        """A frame in which nobody was found."""
        return cls(index=index, t_s=t_s, image=None, world=None)


def landmark_array(
    pose_frames: Sequence[PoseFrame], which: str = "world"
) -> npt.NDArray[np.float64]:
    """Stack one kind of landmarks (``"image"`` or ``"world"``) of the frames
    into ``(n_frames, 33, 4)``; NaN where missing."""
    out = np.full((len(pose_frames), NUM_LANDMARKS, 4), np.nan)
    for i, pose_frame in enumerate(pose_frames):
        rows = getattr(pose_frame, which)
        if rows is not None:
            out[i] = rows
    return out
