"""Per-leg rotation angles from pose landmarks: pure, vectorised numpy.

Geometry (see docs/geometry.md): each leg is measured in the plane
perpendicular to its hip->ankle axis ``u``. The reference direction in that
plane is ``r = u x l`` where ``l`` is the pelvis axis (right hip -> left hip)
projected into the plane; with the legs up a wall ``r`` points from the wall
towards the head (the leg's anterior side in neutral).

- femur rotation: angle of the knee's offset from the hip->ankle axis. With
  the knee slightly bent, the hip-knee-ankle plane turns with the femur but
  not with an ankle twist.
- foot rotation: angle of the heel->toe vector.
- ankle twist: foot minus femur (compensation shows as large twist).

Angles are degrees, internal rotation positive (toes turn towards the
midline), external negative. They are absolute in this frame; subtracting
the calibrated neutral (``hiprot.calibration``) makes them the user-facing
numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, PoseLandmark, Side

#: Knee offset (fraction of the hip->ankle length) at which the femur angle
#: is fully trusted (about 14° of knee flexion); a straighter knee gives a
#: noisier knee-plane angle.
FULL_CONFIDENCE_KNEE_OFFSET = 0.06

_EPS = 1e-9


@dataclass(frozen=True)
class LegAngles:
    """Angles of one leg over time. Every array has shape ``(n_frames,)``.

    NaN marks frames where the leg could not be measured.

    Attributes:
        femur_deg: Femur (hip) rotation, internal positive, degrees.
        foot_deg: Foot (heel->toe) rotation, same convention.
        twist_deg: ``foot_deg - femur_deg``: rotation below the knee.
        confidence: 0..1, how well the leg's landmarks are seen (visibility);
            the foot angle's trust.
        femur_confidence: 0..1, ``confidence`` times how bent the knee is:
            with a straight knee the knee-plane angle is undefined.
    """

    femur_deg: npt.NDArray[np.float64]
    foot_deg: npt.NDArray[np.float64]
    twist_deg: npt.NDArray[np.float64]
    confidence: npt.NDArray[np.float64]
    femur_confidence: npt.NDArray[np.float64]


def _normalize(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > _EPS, v / norm, np.nan)


def project_onto_plane(
    v: npt.NDArray[np.float64], normal: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Remove from ``v`` its component along the unit vector ``normal``.

    Both arrays have shape ``(..., 3)``; broadcasting applies.
    """
    return v - np.sum(v * normal, axis=-1, keepdims=True) * normal


def signed_angle_deg(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], axis: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Angle from ``a`` to ``b`` about the unit vector ``axis`` (right hand), degrees.

    Inputs have shape ``(..., 3)`` and should lie in the plane normal to
    ``axis``. Returns shape ``(...)`` in ``(-180, 180]``.

    Examples:
        >>> signed_angle_deg(np.array([1., 0, 0]), np.array([0., 1, 0]), np.array([0., 0, 1]))
        90.0
    """
    sin = np.sum(axis * np.cross(a, b), axis=-1)
    cos = np.sum(a * b, axis=-1)
    return np.degrees(np.arctan2(sin, cos))


def leg_angles(points: npt.NDArray[np.float64], side: Side) -> LegAngles:
    """Femur, foot and twist angles of one leg from 3D landmarks.

    Args:
        points: ``(n_frames, 33, 4)`` landmarks (x, y, z, visibility) in a
            metric frame of either handedness (a mirrored selfie video gives
            a mirrored frame); NaN rows mark missing frames. The sign is made
            anatomical from the body itself: the torso lies on the head side
            of the legs.
        side: Which leg.

    Returns:
        ``LegAngles`` with arrays of shape ``(n_frames,)``.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 3 or points.shape[1:] != (33, 4):
        raise ValueError(f"points must have shape (n_frames, 33, 4), got {points.shape}")
    leg = LEGS[side]
    xyz = points[..., :3]
    hip, knee, ankle = xyz[:, leg.hip], xyz[:, leg.knee], xyz[:, leg.ankle]
    heel, toe = xyz[:, leg.heel], xyz[:, leg.foot_index]
    left_hip = xyz[:, PoseLandmark.LEFT_HIP]
    right_hip = xyz[:, PoseLandmark.RIGHT_HIP]

    # ---- the measuring plane: perpendicular to the hip->ankle axis
    axis = _normalize(ankle - hip)
    lateral = _normalize(project_onto_plane(left_hip - right_hip, axis))
    reference = np.cross(axis, lateral)
    # ---- the body's handedness: the torso lies on the head side of the
    # legs (the reference direction points at the shoulders in a right-handed
    # frame). A mirrored frame (e.g. y-down camera axes) flips it.
    shoulders = 0.5 * (xyz[:, PoseLandmark.LEFT_SHOULDER] + xyz[:, PoseLandmark.RIGHT_SHOULDER])
    hips_mid = 0.5 * (left_hip + right_hip)
    torso = project_onto_plane(shoulders - hips_mid, axis)
    handedness = np.where(np.sum(torso * reference, axis=-1) < 0, -1.0, 1.0)
    reference = reference * handedness[:, None]
    turn_sign = side.sign * handedness

    # ---- femur: the knee's offset from the hip->ankle axis
    knee_offset = project_onto_plane(knee - hip, axis)
    femur_deg = turn_sign * signed_angle_deg(reference, knee_offset, axis)
    # ---- foot: the heel->toe vector
    foot = project_onto_plane(toe - heel, axis)
    foot_deg = turn_sign * signed_angle_deg(reference, foot, axis)
    twist_deg = (foot_deg - femur_deg + 180.0) % 360.0 - 180.0

    # ---- confidence: visibility of the leg's landmarks, and how bent the knee is
    leg_length = np.linalg.norm(ankle - hip, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        bend = np.linalg.norm(knee_offset, axis=-1) / leg_length
    visibility = np.min(points[:, list(leg.indices), 3], axis=-1)
    confidence = np.where(np.isfinite(foot_deg), np.clip(visibility, 0.0, 1.0), 0.0)
    femur_confidence = confidence * np.clip(bend / FULL_CONFIDENCE_KNEE_OFFSET, 0.0, 1.0)
    femur_confidence = np.where(np.isfinite(femur_deg), femur_confidence, 0.0)
    return LegAngles(
        femur_deg, foot_deg, twist_deg, np.nan_to_num(confidence), np.nan_to_num(femur_confidence)
    )


# ---------------------------------------------------------------- from 2D
#
# MediaPipe's depth does not follow the drill's small rotations, but its 2D
# knee does (docs/angles.md, docs/placements.md): with the knee slightly bent,
# a femur rotation swings the knee sideways off the hip->ankle line, and an
# ankle twist does not. The image estimator reads that sideways offset;
# ``hiprot.reading.neutral`` turns it into degrees on the knee's circle, whose size
# the person's neutral tells (``femur_from_knee_ratio``).

#: Knee offset from the hip->ankle line, in hip->ankle lengths, assumed
#: until a person's neutral is known (about 14° of knee bend).
NOMINAL_KNEE_OFFSET = 0.06


@dataclass(frozen=True)
class CameraView:
    """A camera placement the knee's circle is tuned for.

    ``phase_deg`` is where the knee sits on its circle about the hip->ankle
    axis at neutral, seen from the camera: 0 when its sideways image offset
    is at its widest (the knee points across the view), 90° when the knee
    points at the camera (its offset is 0, as seen from the head end). The
    leg further from the camera is seen further round than the near one
    (perspective, and the legs splay apart: 42° and 52° on the 45° renders'
    truth pixels), and MediaPipe squeezes the near knee's inward swing on
    top: the far leg's phase is ``spread_deg`` larger, the near leg's that
    much smaller. Both chosen on the rendered tuning clips (docs/angles.md).
    """

    name: str
    phase_deg: float
    spread_deg: float


#: Camera 45° round from the person's side towards the head.
OBLIQUE45 = CameraView("oblique45", phase_deg=45.0, spread_deg=10.0)
#: Camera 60° round: the knees point nearly at the camera, so their sideways
#: offset swings almost linearly through the whole range instead of topping
#: out inside it (not recommended all the same: MediaPipe's detector finds
#: the person in only 5 of 11 single frames there, docs/placements.md).
OBLIQUE60 = CameraView("oblique60", phase_deg=75.0, spread_deg=2.5)

#: ``body_view_ratio`` above this: the 60° view. The ratio grows with the
#: camera's azimuth: 0.57-0.85 on every 45° clip, 1.37-1.47 on the 60° ones.
VIEW_RATIO_SPLIT = 1.1
#: ``body_view_ratio`` below this: the camera is side-on (0.20 from the
#: side, 0.37 at 30°, 0.57-0.86 at 45° on the renders; 0.14-0.17 from the
#: side in the synthetic suite), where the knee's swing points along the
#: line of sight and hardly shows.
SIDE_ON_RATIO = 0.3

#: The inversion stops this far short of the knee's widest offset, where
#: the offset no longer changes with the rotation and noise would blow up.
#: 5° and 10° tie on the tuning clips' rep counts; 5° lets the leg nearer the
#: camera read inward rotation up to 30° instead of 25°.
KNEE_APEX_MARGIN_DEG = 5.0


def near_side(world: npt.NDArray[np.float64]) -> Side | None:
    """The leg nearer the camera, from the depth of the hips and knees.

    The ordering of two points 20 cm apart in depth is, like the torso's
    direction, something MediaPipe's world depth gets right.

    Args:
        world: ``(n_frames, 33, 4)`` world landmarks (NaN rows ignored).
    """
    xyz = np.asarray(world, dtype=np.float64)[..., :3]
    lm = PoseLandmark
    left_minus_right = (
        xyz[:, lm.LEFT_HIP, 2]
        + xyz[:, lm.LEFT_KNEE, 2]
        - xyz[:, lm.RIGHT_HIP, 2]
        - xyz[:, lm.RIGHT_KNEE, 2]
    )
    if not np.isfinite(left_minus_right).any():
        return None
    median = np.nanmedian(left_minus_right)
    if median == 0:
        return None
    return Side.LEFT if median < 0 else Side.RIGHT


def body_view_ratio(
    image: npt.NDArray[np.float64], world: npt.NDArray[np.float64], size_wh: tuple[int, int]
) -> float:
    """How square-on the camera sees the lying body's width (tan(azimuth) from afar, level).

    The hip and shoulder lines run across the body and the torso along it,
    all three on the floor; seen from the side the widths vanish, seen from
    the head end the torso does. Their image lengths over the same ratio in
    MediaPipe's world landmarks (body proportions, which its depth gets
    roughly right, unlike small rotations) take out the person's build.

    Args:
        image: ``(n_frames, 33, 4)`` image landmarks (normalised x, y).
        world: ``(n_frames, 33, 4)`` world landmarks.
        size_wh: Image width and height in pixels.

    Returns:
        The median ratio over the frames, NaN without a usable frame.
    """
    lm = PoseLandmark
    px = np.asarray(image, dtype=np.float64)[..., :2] * np.asarray(size_wh, dtype=np.float64)
    xyz = np.asarray(world, dtype=np.float64)[..., :3]

    def width_over_torso(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        hips = points[:, lm.LEFT_HIP] - points[:, lm.RIGHT_HIP]
        shoulders = points[:, lm.LEFT_SHOULDER] - points[:, lm.RIGHT_SHOULDER]
        torso = (
            points[:, lm.LEFT_SHOULDER]
            + points[:, lm.RIGHT_SHOULDER]
            - points[:, lm.LEFT_HIP]
            - points[:, lm.RIGHT_HIP]
        ) / 2
        widths = (np.linalg.norm(hips, axis=-1) + np.linalg.norm(shoulders, axis=-1)) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            return widths / np.linalg.norm(torso, axis=-1)

    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = width_over_torso(px) / width_over_torso(xyz)
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    return float(np.median(ratio)) if ratio.size else math.nan


#: The (45°, 60°) views per pose landmark model. Heavy follows the knees
#: more fully than full (its near knee's inward swing is squeezed less), so
#: its circles were fitted apart, on the same tuning clips and by the same
#: femur error (docs/pose_models.md).
VIEWS = {
    "full": (OBLIQUE45, OBLIQUE60),
    "heavy": (
        CameraView("oblique45", phase_deg=55.0, spread_deg=5.0),
        CameraView("oblique60", phase_deg=65.0, spread_deg=0.0),
    ),
}


#: ``body_view_ratio`` below this (and above ``SIDE_ON_RATIO``): the 30°
#: view, midway between the 30° render's 0.37 and the lowest 45° ratio, 0.57.
VIEW_RATIO_SPLIT_30 = 0.47
#: The 30° view's knee circle per pose landmark model, where it has its own;
#: a model without one reads 30° with its 45° circle.
VIEWS_30: dict[str, CameraView] = {}


def camera_view(ratio: float, pose_model: str = "full") -> CameraView:
    """The tuned view nearest a ``body_view_ratio`` (45° when unknown), for
    landmarks from ``pose_model`` (full's views for any other)."""
    model = pose_model if pose_model in VIEWS else "full"
    oblique45, oblique60 = VIEWS[model]
    if ratio > VIEW_RATIO_SPLIT:
        return oblique60
    if ratio < VIEW_RATIO_SPLIT_30 and model in VIEWS_30:
        return VIEWS_30[model]
    return oblique45


def knee_phase_deg(side: Side, near: Side | None, view: CameraView = OBLIQUE45) -> float:
    """The view's knee phase for one leg, spread by which leg is nearer the camera."""
    if near is None:
        return view.phase_deg
    return view.phase_deg + (-view.spread_deg if side is near else view.spread_deg)


def knee_reading_range(direction: float, phase_deg: float) -> tuple[float, float]:
    """The femur angles (lowest, highest) ``femur_from_knee_ratio`` can return.

    Past the top of the knee's circle its sideways offset shrinks again, so
    turning further that way cannot be told from turning less: readings stop
    ``KNEE_APEX_MARGIN_DEG`` short of the phase. For the leg whose offset
    grows inward (``direction`` +1, the leg nearer the camera in the
    renders) that caps internal rotation; for the other, external rotation.
    """
    top = phase_deg - KNEE_APEX_MARGIN_DEG
    bottom = phase_deg - 180.0
    return (bottom, top) if direction > 0 else (-top, -bottom)


def femur_from_knee_ratio(
    ratio: npt.ArrayLike, direction: float, phase_deg: float = OBLIQUE45.phase_deg
) -> npt.NDArray[np.float64]:
    """Femur rotation (degrees from neutral) from the knee's sideways offset.

    The bent knee circles the hip->ankle axis, so its offset across the
    hip->ankle image line goes as ``R cos(theta - psi)`` and is
    ``R cos(psi)`` at neutral: a straight-line reading stretches one side of
    the range and squeezes the other (by up to a third at 45°). This inverts
    the sinusoid on the branch through neutral.

    Args:
        ratio: Offset over the offset at neutral, any shape (1 at neutral).
        direction: +1 if the ratio grows with internal rotation, else -1.
        phase_deg: ``|psi|``, the knee's phase at neutral (``knee_phase_deg``).
    """
    phase = np.radians(phase_deg)
    top = np.cos(np.radians(KNEE_APEX_MARGIN_DEG))
    cosine = np.clip(np.asarray(ratio, dtype=np.float64) * np.cos(phase), -1.0, top)
    return np.degrees(direction * (phase - np.arccos(cosine)))


def _cross2(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def torso_depth_sign(world: npt.NDArray[np.float64]) -> float:
    """+1 if the torso points away from the camera, -1 if towards it.

    The sign of a 0.5 m vector's depth is about the one thing MediaPipe's
    world depth gets right; it tells which way a sideways knee swing turns.

    Args:
        world: ``(n_frames, 33, 4)`` world landmarks (NaN rows ignored).
    """
    xyz = np.asarray(world, dtype=np.float64)[..., :3]
    lm = PoseLandmark
    torso_z = 0.5 * (
        xyz[:, lm.LEFT_SHOULDER, 2]
        + xyz[:, lm.RIGHT_SHOULDER, 2]
        - xyz[:, lm.LEFT_HIP, 2]
        - xyz[:, lm.RIGHT_HIP, 2]
    )
    median = np.nanmedian(torso_z) if np.isfinite(torso_z).any() else np.nan
    return 1.0 if median > 0 else -1.0


def image_leg_angles(
    image: npt.NDArray[np.float64],
    size_wh: tuple[int, int],
    side: Side,
    depth_sign: float,
    anchors: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
) -> LegAngles:
    """Femur and foot signals of one leg from 2D image landmarks.

    Args:
        image: ``(n_frames, 33, 4)`` MediaPipe image landmarks (normalised x, y).
        size_wh: Image width and height in pixels, so x and y are isotropic.
        side: Which leg.
        depth_sign: ``torso_depth_sign`` of the recording.
        anchors: Optional steady hip and ankle pixel positions, each
            ``(n_frames, 2)``, that replace the per-frame ones in the knee
            offset. The hip and ankle stay put in this drill, while
            MediaPipe's points for them wander with the thigh's and foot's
            appearance (``hiprot.reading.series.steady_anchors``).

    Returns:
        ``LegAngles`` where ``femur_deg`` is a reading, not yet degrees: the
        knee's sideways offset from the hip->ankle image line over
        ``NOMINAL_KNEE_OFFSET``, in radians shown as degrees, signed to grow
        with internal rotation (``hiprot.reading.neutral.femur_from_reading`` turns
        it into degrees from neutral); ``foot_deg`` is the image angle
        of heel->toe (its sign and scale depend on the view and are fitted
        per session); confidence is the leg's landmark visibility.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 3 or image.shape[1:] != (33, 4):
        raise ValueError(f"image must have shape (n_frames, 33, 4), got {image.shape}")
    px = image[..., :2] * np.asarray(size_wh, dtype=np.float64)
    leg = LEGS[side]
    hip, knee, ankle = px[:, leg.hip], px[:, leg.knee], px[:, leg.ankle]
    if anchors is not None:
        hip, ankle = anchors
    span = ankle - hip
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = _cross2(span, knee - hip) / np.sum(span**2, axis=-1)
    # a right-hand turn about the leg axis moves the knee against the torso's
    # depth direction in the image; internal is +turn for the left leg
    femur_deg = -depth_sign * side.sign * np.degrees(offset / NOMINAL_KNEE_OFFSET)
    foot = px[:, leg.foot_index] - px[:, leg.heel]
    foot_deg = np.degrees(np.arctan2(foot[:, 1], foot[:, 0]))
    visibility = np.min(image[:, list(leg.indices), 3], axis=-1)
    confidence = np.where(
        np.isfinite(femur_deg) & np.isfinite(foot_deg), np.clip(visibility, 0, 1), 0.0
    )
    confidence = np.nan_to_num(confidence)
    return LegAngles(femur_deg, foot_deg, foot_deg - femur_deg, confidence, confidence)
