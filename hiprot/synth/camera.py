"""Camera placements a user would choose, and MediaPipe-style projection.

A placement is where the laptop or phone stands relative to the person
(body frame of ``docs/geometry.md``: ``x`` the person's left, ``y`` up, ``z``
from the head towards the wall, origin on the floor under the hip midpoint).
``Camera.observe`` turns body-frame points into what MediaPipe Pose reports:

- image landmarks: ``x`` right, ``y`` down in units of image width/height,
  ``z`` depth relative to the hip midpoint in roughly the units of ``x``;
- world landmarks: metres, origin at the hip midpoint, camera-aligned axes
  (``x`` right, ``y`` down, ``z`` away from the camera);
- a visibility per landmark from a simple rule: landmarks on the body side
  turned away from the camera, a face the camera cannot see and points outside
  the image get low values.

The head-end placement (camera beyond the head, looking along the body at the
wall) is kept for completeness but MediaPipe does not find people from there
(see /work/shared/measurement-notes.md); the suite keeps it as a separate,
expected-to-fail group.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import PoseLandmark

FloatArray = npt.NDArray[np.float64]

#: Landmarks on the person's left / right (MediaPipe: odd = left, even = right).
LEFT_LANDMARKS = tuple(lm for lm in PoseLandmark if lm.name.startswith(("LEFT_", "MOUTH_LEFT")))
RIGHT_LANDMARKS = tuple(lm for lm in PoseLandmark if lm.name.startswith(("RIGHT_", "MOUTH_RIGHT")))
FACE_LANDMARKS = tuple(PoseLandmark(i) for i in range(PoseLandmark.MOUTH_RIGHT + 1))

#: Visibility of a landmark the camera sees well, and the most it loses when
#: its body side faces away (MediaPipe gave ~1.0 and 0.05-0.6 on a real side
#: view: /work/shared/footage/physioplus-bridging.mp4).
_VISIBLE = 0.97
_SELF_OCCLUDED_LOSS = 0.6


@dataclass(frozen=True)
class CameraPlacement:
    """Where the camera stands, in the body frame.

    Attributes:
        name: Preset name (``side_left``, ``oblique45_right``, ...).
        azimuth_deg: Horizontal direction from ``target`` to the camera:
            0 = the person's left side (``+x``), 90 = beyond the head
            (``-z``), 180 = the right side.
        distance_m: Horizontal distance from ``target`` to the lens.
        height_m: Lens height above the floor.
        target: Body-frame point at the image centre.
        hfov_deg: Horizontal field of view (laptop webcams: ~60-70).
        roll_deg: Tilt of the camera about its optical axis.
    """

    name: str
    azimuth_deg: float
    distance_m: float
    height_m: float
    target: tuple[float, float, float] = (0.0, 0.38, -0.3)
    hfov_deg: float = 64.0
    roll_deg: float = 0.0

    def jittered(self, rng: np.random.Generator) -> CameraPlacement:
        """The same placement as a user would set it up on another day."""
        tx, ty, tz = self.target
        return replace(
            self,
            azimuth_deg=self.azimuth_deg + float(rng.uniform(-5.0, 5.0)),
            distance_m=self.distance_m * float(rng.uniform(0.92, 1.08)),
            height_m=max(0.1, self.height_m + float(rng.uniform(-0.05, 0.05))),
            target=(
                tx + float(rng.uniform(-0.05, 0.05)),
                ty + float(rng.uniform(-0.05, 0.05)),
                tz + float(rng.uniform(-0.08, 0.08)),
            ),
            hfov_deg=self.hfov_deg + float(rng.uniform(-4.0, 4.0)),
            roll_deg=self.roll_deg + float(rng.uniform(-3.0, 3.0)),
        )


def _presets() -> dict[str, CameraPlacement]:
    presets = {}
    for side, base in (("left", 0.0), ("right", 180.0)):
        toward_head = 1.0 if side == "left" else -1.0
        presets[f"side_{side}"] = CameraPlacement(f"side_{side}", base, 2.5, 0.3)
        for angle in (30, 45, 60):
            presets[f"oblique{angle}_{side}"] = CameraPlacement(
                f"oblique{angle}_{side}", base + toward_head * angle, 2.5, 0.3
            )
        # Laptop on a chair: oblique, a little higher.
        presets[f"chair_{side}"] = CameraPlacement(
            f"chair_{side}", base + toward_head * 40.0, 2.3, 0.5
        )
        # Phone on a shelf or tripod, looking down at the feet.
        presets[f"tripod_{side}"] = CameraPlacement(
            f"tripod_{side}", base + toward_head * 30.0, 2.0, 1.5, target=(0.0, 0.45, -0.15)
        )
    presets["head_end"] = CameraPlacement("head_end", 90.0, 2.4, 0.3, target=(0.0, 0.4, -0.1))
    return presets


#: Named placements. ``head_end`` is expected to fail (see module docstring).
PLACEMENTS: dict[str, CameraPlacement] = _presets()

#: Placements MediaPipe is expected to handle.
WORKING_PLACEMENTS: tuple[str, ...] = tuple(name for name in PLACEMENTS if name != "head_end")


@dataclass(frozen=True)
class Camera:
    """A pinhole camera, OpenCV axes (x right, y down, z forward).

    Attributes:
        position: ``(3,)`` lens centre in the body frame.
        rotation: ``(3, 3)`` rows are the camera's right, down and forward
            axes in the body frame.
        focal_px: Focal length, pixels (square pixels, centred principal point).
        width: Image width, pixels.
        height: Image height, pixels.
    """

    position: FloatArray
    rotation: FloatArray
    focal_px: float
    width: int
    height: int

    @classmethod
    def from_placement(
        cls,
        placement: CameraPlacement,
        width: int = 640,
        height: int = 480,
    ) -> Camera:
        target = np.asarray(placement.target, dtype=np.float64)
        azimuth = np.radians(placement.azimuth_deg)
        position = np.array(
            [
                target[0] + placement.distance_m * np.cos(azimuth),
                placement.height_m,
                target[2] - placement.distance_m * np.sin(azimuth),
            ]
        )
        forward = target - position
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        roll = np.radians(placement.roll_deg)
        right, down = (
            np.cos(roll) * right + np.sin(roll) * down,
            -np.sin(roll) * right + np.cos(roll) * down,
        )
        focal = (width / 2.0) / np.tan(np.radians(placement.hfov_deg) / 2.0)
        return cls(position, np.stack([right, down, forward]), float(focal), width, height)

    def to_camera(self, points: FloatArray) -> FloatArray:
        """Body-frame ``(..., 3)`` points in camera coordinates, metres."""
        return (np.asarray(points) - self.position) @ self.rotation.T

    def observe(self, points: FloatArray) -> tuple[FloatArray, FloatArray]:
        """What MediaPipe would report for exact body-frame landmarks.

        Args:
            points: ``(n_frames, 33, 3)`` body-frame points, metres.

        Returns:
            ``(image, world)``, each ``(n_frames, 33, 4)`` rows ``x, y, z,
            visibility`` in MediaPipe's conventions (module docstring).
        """
        points = np.asarray(points, dtype=np.float64)
        cam = self.to_camera(points)
        hips = 0.5 * (cam[:, PoseLandmark.LEFT_HIP] + cam[:, PoseLandmark.RIGHT_HIP])
        depth = cam[..., 2]
        hip_depth = hips[:, 2:3]
        image_xyz = np.stack(
            [
                (self.focal_px * cam[..., 0] / depth + self.width / 2.0) / self.width,
                (self.focal_px * cam[..., 1] / depth + self.height / 2.0) / self.height,
                self.focal_px * (depth - hip_depth) / (hip_depth * self.width),
            ],
            axis=-1,
        )
        world_xyz = cam - hips[:, None, :]
        visibility = self.visibility(points, image_xyz)
        return (
            np.concatenate([image_xyz, visibility[..., None]], axis=-1),
            np.concatenate([world_xyz, visibility[..., None]], axis=-1),
        )

    def visibility(self, points: FloatArray, image_xyz: FloatArray) -> FloatArray:
        """A simple visibility rule, ``(n_frames, 33)`` in 0..1.

        A landmark on the body side facing away from the camera (the far arm,
        far leg) loses up to ``_SELF_OCCLUDED_LOSS``; the face loses it when
        the camera looks at the top of the head; points outside the image
        keep 30 %.
        """
        to_camera = self.position - points
        to_camera /= np.linalg.norm(to_camera, axis=-1, keepdims=True)
        facing = np.zeros(points.shape[:2])
        facing[:, list(LEFT_LANDMARKS)] = to_camera[:, list(LEFT_LANDMARKS), 0]
        facing[:, list(RIGHT_LANDMARKS)] = -to_camera[:, list(RIGHT_LANDMARKS), 0]
        loss = _SELF_OCCLUDED_LOSS * np.clip(-facing, 0.0, 1.0)
        face = list(FACE_LANDMARKS)
        # The face looks at the ceiling; seen from beyond the head only the
        # crown shows.
        loss[:, face] = np.maximum(
            loss[:, face], _SELF_OCCLUDED_LOSS * np.clip(-to_camera[:, face, 2], 0.0, 1.0)
        )
        visibility = _VISIBLE - loss
        inside = np.all((image_xyz[..., :2] >= 0.0) & (image_xyz[..., :2] <= 1.0), axis=-1)
        return np.where(inside, visibility, 0.3 * visibility)
