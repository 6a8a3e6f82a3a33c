"""Angle geometry against analytic truth (docs/geometry.md)."""

from __future__ import annotations

import numpy as np
import pytest

from hiprot.landmarks import LEGS, Side
from hiprot.landmarks import PoseLandmark as L
from hiprot.reading.geometry import leg_angles, project_onto_plane, signed_angle_deg


def rot_about(axis: np.ndarray, deg: float) -> np.ndarray:
    """Rodrigues rotation matrix, right hand about unit ``axis``."""
    k = axis / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    a = np.radians(deg)
    return np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K


def body_points(
    theta_deg: float,
    phi_deg: float,
    side: Side,
    knee_flexion_deg: float = 15.0,
    splay_deg: float = 0.0,
) -> np.ndarray:
    """Body frame (x left, y up, z towards the wall): one leg posed, shape (33, 4)."""
    pts = np.zeros((33, 4))
    pts[:, 3] = 1.0
    s = side.sign
    hip = np.array([0.1 * s, 0.1, 0.0])
    other_hip = np.array([-0.1 * s, 0.1, 0.0])
    u = rot_about(np.array([0, 0, 1.0]), -s * splay_deg) @ np.array([0, 1.0, 0])  # splay outwards
    femur, shank = 0.45, 0.43
    k = np.radians(knee_flexion_deg)
    span = np.sqrt(femur**2 + shank**2 + 2 * femur * shank * np.cos(k))
    alpha = np.arccos((femur**2 + span**2 - shank**2) / (2 * femur * span))
    lateral = np.array([1.0, 0, 0])
    anterior = np.cross(u, project_onto_plane(lateral, u))  # points to the head (-z)
    anterior /= np.linalg.norm(anterior)
    R = rot_about(u, s * theta_deg)
    Rf = rot_about(u, s * (theta_deg + phi_deg))
    ankle = hip + u * span
    knee = hip + R @ (u * femur * np.cos(alpha) + anterior * femur * np.sin(alpha))
    heel = ankle + u * 0.05 - Rf @ anterior * 0.05
    toe = ankle + u * 0.08 + Rf @ anterior * 0.18
    leg = LEGS[side]
    for index, point in [
        (leg.hip, hip),
        (leg.other_hip, other_hip),
        (leg.knee, knee),
        (leg.ankle, ankle),
        (leg.heel, heel),
        (leg.foot_index, toe),
    ]:
        pts[index, :3] = point
    for shoulder, x in [(L.LEFT_SHOULDER, 0.18), (L.RIGHT_SHOULDER, -0.18)]:
        pts[shoulder, :3] = [x, 0.1, -0.5]
    return pts


@pytest.mark.parametrize("side", list(Side))
@pytest.mark.parametrize(
    ("theta", "phi"), [(0, 0), (30, 0), (-40, 0), (10, 25), (-20, -30), (0, 35)]
)
@pytest.mark.parametrize("splay", [0.0, 12.0])
def test_recovers_femur_and_foot_rotation(
    side: Side, theta: float, phi: float, splay: float
) -> None:
    angles = leg_angles(body_points(theta, phi, side, splay_deg=splay)[None], side)
    assert angles.femur_deg[0] == pytest.approx(theta, abs=1e-6)
    assert angles.foot_deg[0] == pytest.approx(theta + phi, abs=1e-6)
    assert angles.twist_deg[0] == pytest.approx(phi, abs=1e-6)
    assert angles.confidence[0] == pytest.approx(1.0)
    assert angles.femur_confidence[0] == pytest.approx(1.0)


@pytest.mark.parametrize("side", list(Side))
def test_same_angles_in_a_camera_frame_and_a_mirrored_one(side: Side) -> None:
    pts = body_points(25, -10, side)
    cam = rot_about(np.array([0.3, 1.0, 0.2]), 70)
    moved = pts.copy()
    moved[:, :3] = pts[:, :3] @ cam.T + [0.5, -1.0, 2.0]
    mirrored = moved.copy()
    mirrored[:, 0] *= -1  # a selfie-mirrored view is a left-handed frame
    for variant in (moved, mirrored):
        angles = leg_angles(variant[None], side)
        assert angles.femur_deg[0] == pytest.approx(25, abs=1e-6)
        assert angles.foot_deg[0] == pytest.approx(15, abs=1e-6)


def test_internal_rotation_turns_toes_towards_the_midline() -> None:
    # left leg, internal 30: the toe moves towards the person's right (-x)
    pts = body_points(30, 0, Side.LEFT)
    toe = pts[L.LEFT_FOOT_INDEX, :3] - pts[L.LEFT_ANKLE, :3]
    assert toe[0] < 0


def test_straight_knee_has_no_femur_confidence() -> None:
    angles = leg_angles(body_points(20, 0, Side.RIGHT, knee_flexion_deg=0.0)[None], Side.RIGHT)
    assert angles.femur_confidence[0] == pytest.approx(0.0, abs=1e-6)
    assert angles.confidence[0] == pytest.approx(1.0)
    assert angles.foot_deg[0] == pytest.approx(20, abs=1e-6)


def test_missing_frames_are_nan_with_zero_confidence() -> None:
    pts = np.stack([body_points(10, 0, Side.LEFT), np.full((33, 4), np.nan)])
    angles = leg_angles(pts, Side.LEFT)
    assert np.isfinite(angles.femur_deg[0]) and np.isnan(angles.femur_deg[1])
    assert angles.confidence[1] == 0.0


def test_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"\(n_frames, 33, 4\)"):
        leg_angles(np.zeros((33, 4)), Side.LEFT)


def test_signed_angle_quadrants() -> None:
    z = np.array([0, 0, 1.0])
    x = np.array([1.0, 0, 0])
    for deg in (-170, -90, -30, 0, 45, 135, 180):
        b = rot_about(z, deg) @ x
        assert signed_angle_deg(x, b, z) == pytest.approx(deg if deg != -180 else 180, abs=1e-9)
