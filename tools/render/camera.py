"""Camera placements and the pinhole projection shared with Blender.

The projection here is the one Blender's camera performs (sensor fit
horizontal, square pixels, principal point at the image centre), so the
truth pixels of the rig's joints land where the rendered body shows them.
World frame: see pose.py (z up, head towards +y, person's left +x).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

WIDTH, HEIGHT = 640, 480
SENSOR_WIDTH_MM = 36.0
#: 28 mm on a 36 mm sensor: about 65 degrees horizontal, a webcam-like view.
FOCAL_MM = 28.0
WORLD_UP = np.array([0.0, 0.0, 1.0])
#: Horizontal distance of the floor and raised cameras from their target.
DISTANCE_M = 2.5
#: Aim point for whole-body views: between the hips and the lifted feet.
BODY_TARGET = (0.0, 0.25, 0.35)
#: Aim point for the high camera that looks down at the feet.
FEET_TARGET = (0.0, 0.05, 0.55)


@dataclass(frozen=True)
class Placement:
    """A camera: where it stands, what it aims at, and its lens."""

    name: str
    azimuth_deg: float  # 0 = on the person's left side, 90 = beyond the head
    height_m: float
    distance_m: float = DISTANCE_M
    target: tuple = BODY_TARGET
    focal_mm: float = FOCAL_MM

    @property
    def position(self) -> np.ndarray:
        """Camera centre in the world frame."""
        a = np.radians(self.azimuth_deg)
        offset = self.distance_m * np.array([np.cos(a), np.sin(a), 0.0])
        pos = np.asarray(self.target, float) + offset
        pos[2] = self.height_m
        return pos

    def axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unit right, up and forward vectors of a level (no roll) camera."""
        forward = np.asarray(self.target, float) - self.position
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, WORLD_UP)
        right /= np.linalg.norm(right)
        return right, np.cross(right, forward), forward

    def matrix_world(self) -> np.ndarray:
        """4x4 camera-to-world matrix in Blender's convention (looks down -z)."""
        right, up, forward = self.axes()
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = right, up, -forward, self.position
        return m

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates (x right, y down) of world points, shape (..., 2)."""
        right, up, forward = self.axes()
        rel = np.asarray(points, float) - self.position
        depth = rel @ forward
        f_px = self.focal_mm / SENSOR_WIDTH_MM * WIDTH
        x = WIDTH / 2 + f_px * (rel @ right) / depth
        y = HEIGHT / 2 - f_px * (rel @ up) / depth
        return np.stack([x, y], axis=-1)

    def describe(self, hip_mid_y: float = 0.0) -> dict:
        """Placement as JSON, with the camera also in geometry.md's body frame
        (origin on the floor under the hip joints; see pose.py)."""
        x, y, z = self.position
        return {
            **asdict(self),
            "target": list(self.target),
            "position_world_m": [round(v, 4) for v in (x, y, z)],
            "position_body_frame_m": [round(v, 4) for v in (x, z, hip_mid_y - y)],
            "width": WIDTH,
            "height": HEIGHT,
            "sensor_width_mm": SENSOR_WIDTH_MM,
        }


PLACEMENTS = {
    p.name: p
    for p in (
        Placement("side_floor", azimuth_deg=0.0, height_m=0.3),
        Placement("oblique30_floor", azimuth_deg=30.0, height_m=0.3),
        Placement("oblique45_floor", azimuth_deg=45.0, height_m=0.3),
        Placement("oblique60_floor", azimuth_deg=60.0, height_m=0.3),
        Placement("oblique45_raised", azimuth_deg=45.0, height_m=0.6),
        Placement("oblique60_raised", azimuth_deg=60.0, height_m=0.6),
        Placement("oblique45_high", azimuth_deg=45.0, height_m=1.5, target=FEET_TARGET),
    )
}


#: Camera heights of the wide suite (benchmarks/render_suite/wide/): a laptop
#: on the floor, on a chair, on a table.
HEIGHTS_M = {"floor": 0.3, "chair": 0.6, "table": 1.0}


def wide_name(azimuth_deg: float, height: str, distance_m: float) -> str:
    """Placement name for the wide suite, e.g. ``a45-chair-d3.0``."""
    return f"a{azimuth_deg:g}-{height}-d{distance_m:.1f}"


def placement_named(name: str) -> Placement:
    """A named placement: one of PLACEMENTS, or a wide-suite name (wide_name)."""
    if name in PLACEMENTS:
        return PLACEMENTS[name]
    try:
        azimuth, height, distance = name.split("-")
        return Placement(
            name,
            azimuth_deg=float(azimuth.removeprefix("a")),
            height_m=HEIGHTS_M[height],
            distance_m=float(distance.removeprefix("d")),
        )
    except (ValueError, KeyError):
        raise KeyError(f"unknown placement {name!r}") from None
