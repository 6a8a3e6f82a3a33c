"""Kinematic model of a person lying supine with the legs up a wall.

Everything is in the body frame of ``docs/geometry.md`` (metres, right-handed):
``x`` the person's left, ``y`` up from the floor, ``z`` from the head towards
the wall; the origin is on the floor under the hip midpoint.

Per leg and frame the model takes the femur rotation ``theta`` (knee, shank
and foot turn rigidly about the hip->ankle axis ``u`` through the hip) and the
ankle twist ``phi`` (the foot alone turns about ``u`` through the ankle), both
internal positive, on top of a constant natural turnout. It builds the knee
and foot exactly the way ``hiprot.reading.geometry`` measures them (reference
``r = u x l``), so noiseless landmarks give back ``turnout + theta`` and
``turnout + theta + phi`` to rounding error.

The rest of the body (torso, arms out 45 degrees palms up, head) is static:
it only has to put all 33 MediaPipe landmarks in plausible places.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, NUM_LANDMARKS, PoseLandmark, Side

FloatArray = npt.NDArray[np.float64]

_L = PoseLandmark


@dataclass(frozen=True)
class BodyShape:
    """One person's anatomy (metres). Joint centres, as MediaPipe marks them.

    Attributes:
        hip_width_m: Distance between the hip-joint centres.
        femur_m: Hip -> knee.
        shank_m: Knee -> ankle.
        sole_m: Ankle -> sole along the leg axis (how far heel and toe sit
            "above" the ankle when the sole faces the ceiling).
        heel_back_m: Ankle -> heel landmark, towards the wall.
        toe_m: Ankle -> foot-index landmark, towards the head.
        torso_m: Hip midpoint -> shoulder midpoint.
        shoulder_width_m: Between the shoulder joints.
        upper_arm_m: Shoulder -> elbow.
        forearm_m: Elbow -> wrist.
        hand_m: Wrist -> index knuckle.
        neck_m: Shoulder midpoint -> nose, along the floor.
        hip_height_m: Hip-joint centre above the floor (lying supine).
    """

    hip_width_m: float = 0.22
    femur_m: float = 0.43
    shank_m: float = 0.42
    sole_m: float = 0.06
    heel_back_m: float = 0.05
    toe_m: float = 0.16
    torso_m: float = 0.50
    shoulder_width_m: float = 0.38
    upper_arm_m: float = 0.29
    forearm_m: float = 0.26
    hand_m: float = 0.09
    neck_m: float = 0.22
    hip_height_m: float = 0.10

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BodyShape:
        """A random adult: one overall size, each segment varied a little."""
        size = rng.uniform(0.88, 1.12)

        def part(length_m: float, spread: float = 0.05) -> float:
            return float(length_m * size * rng.uniform(1.0 - spread, 1.0 + spread))

        return cls(
            hip_width_m=part(0.22, 0.12),
            femur_m=part(0.43),
            shank_m=part(0.42),
            sole_m=part(0.06, 0.15),
            heel_back_m=part(0.05, 0.15),
            toe_m=part(0.16, 0.1),
            torso_m=part(0.50),
            shoulder_width_m=part(0.38, 0.08),
            upper_arm_m=part(0.29),
            forearm_m=part(0.26),
            hand_m=part(0.09),
            neck_m=part(0.22),
            hip_height_m=part(0.10, 0.15),
        )


@dataclass(frozen=True)
class LegSetup:
    """How one leg rests, constant over a session.

    Attributes:
        knee_flexion_deg: 0 (straight) .. 25 on the wall; the knee sits on the
            head side of the hip->ankle line.
        elevation_deg: Angle of the hip->ankle axis above the floor in the
            sagittal plane, towards the wall; 90 is vertical, ~75-88 up the
            wall.
        turnout_deg: Natural neutral rotation (negative = toes out), the
            offset calibration removes.
        on_wall: False for the idle leg taken off the wall in the one-leg
            variation. Lying with the seat ~0.2 m from the wall there is no
            room to lower a leg towards the wall or the floor, so it rests
            bent (knee 35-60 degrees, hip flexed to about vertical) with the
            foot 10-25 cm off the wall.
    """

    knee_flexion_deg: float = 10.0
    elevation_deg: float = 82.0
    turnout_deg: float = -6.0
    on_wall: bool = True


@dataclass(frozen=True)
class Posture:
    """The person's set-up on the mat, constant over a session.

    Attributes:
        stance_width_m: Distance between the ankles of legs on the wall,
            from feet together (~0.1) to wide (~0.9).
        arm_abduction_deg: Arms out from the sides, on the floor.
        legs: Per-leg set-up.
    """

    stance_width_m: float = 0.25
    arm_abduction_deg: float = 45.0
    legs: dict[Side, LegSetup] = field(
        default_factory=lambda: {Side.LEFT: LegSetup(), Side.RIGHT: LegSetup()}
    )

    @classmethod
    def sample(cls, rng: np.random.Generator, off_wall: Side | None = None) -> Posture:
        """A random plausible set-up; ``off_wall`` names an idle leg off the wall."""
        elevation = rng.uniform(75.0, 88.0)
        legs = {}
        for side in Side:
            if side is off_wall:
                legs[side] = LegSetup(
                    knee_flexion_deg=float(rng.uniform(35.0, 60.0)),
                    elevation_deg=float(rng.uniform(86.0, 95.0)),
                    turnout_deg=float(rng.uniform(-15.0, 0.0)),
                    on_wall=False,
                )
            else:
                legs[side] = LegSetup(
                    knee_flexion_deg=float(rng.uniform(5.0, 25.0)),
                    elevation_deg=float(elevation + rng.uniform(-2.0, 2.0)),
                    turnout_deg=float(rng.uniform(-15.0, 0.0)),
                )
        return cls(
            stance_width_m=float(rng.uniform(0.10, 0.90)),
            arm_abduction_deg=float(rng.uniform(38.0, 52.0)),
            legs=legs,
        )


def rotate_about(v: FloatArray, axis: FloatArray, angle_deg: FloatArray) -> FloatArray:
    """Rotate vectors ``v`` about unit ``axis`` by ``angle_deg`` (right hand).

    ``v`` and ``axis`` have shape ``(..., 3)``, ``angle_deg`` shape ``(...)``;
    broadcasting applies. Rodrigues' formula.
    """
    a = np.radians(angle_deg)[..., None]
    along = np.sum(v * axis, axis=-1, keepdims=True) * axis
    return v * np.cos(a) + np.cross(axis, v) * np.sin(a) + along * (1.0 - np.cos(a))


def _unit(v: FloatArray) -> FloatArray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


@dataclass(frozen=True)
class LegFrame:
    """The fixed geometry of one leg: hip, hip->ankle axis, neutral direction.

    Attributes:
        hip: ``(3,)`` hip-joint centre.
        axis: ``(3,)`` unit hip->ankle axis ``u``.
        reference: ``(3,)`` unit ``r = u x l`` (towards the head), the zero of
            the angle in ``hiprot.reading.geometry``.
        length_m: Hip -> ankle distance.
    """

    hip: FloatArray
    axis: FloatArray
    reference: FloatArray
    length_m: float

    @property
    def ankle(self) -> FloatArray:
        return self.hip + self.length_m * self.axis


def hip_centres(shape: BodyShape) -> dict[Side, FloatArray]:
    """Hip-joint centres, ``(3,)`` each: left at ``+x``."""
    return {
        side: np.array([side.sign * shape.hip_width_m / 2.0, shape.hip_height_m, 0.0])
        for side in Side
    }


def leg_frame(shape: BodyShape, posture: Posture, side: Side) -> LegFrame:
    """Where one leg's axis points, and its angle reference."""
    setup = posture.legs[side]
    hips = hip_centres(shape)
    flexion = np.radians(setup.knee_flexion_deg)
    length = float(
        np.sqrt(
            shape.femur_m**2
            + shape.shank_m**2
            + 2.0
            * shape.femur_m
            * shape.shank_m
            * np.cos(
                flexion,
            )
        )
    )
    half_stance = posture.stance_width_m / 2.0 if setup.on_wall else shape.hip_width_m / 2.0 + 0.05
    sideways = np.clip((half_stance - shape.hip_width_m / 2.0) / length, -0.6, 0.6)
    elevation = np.radians(setup.elevation_deg)
    sagittal = np.sqrt(1.0 - sideways**2)
    axis = np.array(
        [side.sign * sideways, sagittal * np.sin(elevation), sagittal * np.cos(elevation)]
    )
    lateral = hips[Side.LEFT] - hips[Side.RIGHT]
    lateral = lateral - np.dot(lateral, axis) * axis
    reference = _unit(np.cross(axis, lateral))
    return LegFrame(hip=hips[side], axis=axis, reference=reference, length_m=length)


def _leg_points(
    shape: BodyShape, posture: Posture, side: Side, femur_deg: FloatArray, twist_deg: FloatArray
) -> dict[int, FloatArray]:
    """Knee, ankle, heel, toe of one leg, each ``(n_frames, 3)``."""
    setup = posture.legs[side]
    frame = leg_frame(shape, posture, side)
    n = femur_deg.shape[0]
    # Knee: distance ``along`` the axis and ``offset`` off it (law of cosines).
    along = (shape.femur_m**2 - shape.shank_m**2 + frame.length_m**2) / (2.0 * frame.length_m)
    offset = np.sqrt(max(shape.femur_m**2 - along**2, 0.0))
    # The right leg turns about -u for internal rotation (docs/geometry.md).
    knee_dir = rotate_about(
        frame.reference,
        frame.axis,
        side.sign * (setup.turnout_deg + femur_deg),
    )
    foot_dir = rotate_about(
        frame.reference, frame.axis, side.sign * (setup.turnout_deg + femur_deg + twist_deg)
    )
    ankle = np.broadcast_to(frame.ankle, (n, 3))
    sole = ankle + shape.sole_m * frame.axis
    leg = LEGS[side]
    return {
        leg.knee: frame.hip + along * frame.axis + offset * knee_dir,
        leg.ankle: ankle,
        leg.heel: sole - shape.heel_back_m * foot_dir,
        leg.foot_index: sole + shape.toe_m * foot_dir,
    }


_ARMS = {
    Side.LEFT: (
        _L.LEFT_SHOULDER,
        _L.LEFT_ELBOW,
        _L.LEFT_WRIST,
        _L.LEFT_PINKY,
        _L.LEFT_INDEX,
        _L.LEFT_THUMB,
    ),
    Side.RIGHT: (
        _L.RIGHT_SHOULDER,
        _L.RIGHT_ELBOW,
        _L.RIGHT_WRIST,
        _L.RIGHT_PINKY,
        _L.RIGHT_INDEX,
        _L.RIGHT_THUMB,
    ),
}
_FACE = {
    Side.LEFT: (_L.LEFT_EYE_INNER, _L.LEFT_EYE, _L.LEFT_EYE_OUTER, _L.LEFT_EAR, _L.MOUTH_LEFT),
    Side.RIGHT: (
        _L.RIGHT_EYE_INNER,
        _L.RIGHT_EYE,
        _L.RIGHT_EYE_OUTER,
        _L.RIGHT_EAR,
        _L.MOUTH_RIGHT,
    ),
}


def _static_points(shape: BodyShape, posture: Posture) -> dict[int, FloatArray]:
    """Torso, arms and head: ``(3,)`` each, fixed over the session."""
    hips = hip_centres(shape)
    shoulder_y = shape.hip_height_m - 0.02
    points: dict[int, FloatArray] = {
        _L.LEFT_HIP: hips[Side.LEFT],
        _L.RIGHT_HIP: hips[Side.RIGHT],
    }
    for side in Side:
        points.update(_arm_points(shape, posture, side, shoulder_y))
    points.update(_head_points(shape, shoulder_y))
    return points


def _arm_points(
    shape: BodyShape, posture: Posture, side: Side, shoulder_y: float
) -> dict[int, FloatArray]:
    """One arm on the floor, out from the side towards the feet; palm up, so
    the thumb is on the outer side and the pinky on the inner side."""
    shoulder, elbow, wrist, pinky, index, thumb = _ARMS[side]
    abduction = np.radians(posture.arm_abduction_deg)
    s = side.sign
    shoulder_p = np.array([s * shape.shoulder_width_m / 2.0, shoulder_y, -shape.torso_m])
    direction = np.array([s * np.sin(abduction), 0.0, np.cos(abduction)])
    outward = np.array([s * np.cos(abduction), 0.0, -np.sin(abduction)])
    elbow_p = shoulder_p + shape.upper_arm_m * direction + np.array([0.0, -0.02, 0.0])
    wrist_p = elbow_p + shape.forearm_m * direction + np.array([0.0, -0.03, 0.0])
    return {
        shoulder: shoulder_p,
        elbow: elbow_p,
        wrist: wrist_p,
        index: wrist_p + shape.hand_m * direction + np.array([0.0, 0.01, 0.0]),
        pinky: wrist_p
        + 0.8 * shape.hand_m * direction
        - 0.03 * outward
        + np.array([0.0, 0.01, 0.0]),
        thumb: wrist_p
        + 0.45 * shape.hand_m * direction
        + 0.04 * outward
        + np.array([0.0, 0.02, 0.0]),
    }


def _head_points(shape: BodyShape, shoulder_y: float) -> dict[int, FloatArray]:
    """The face, up; the top of the head points to -z."""
    nose = np.array([0.0, shoulder_y + 0.13, -shape.torso_m - shape.neck_m])
    eye_z = nose[2] - 0.035
    eye_y = nose[1] - 0.03
    points: dict[int, FloatArray] = {}
    for side, (inner, eye, outer, ear, mouth) in _FACE.items():
        s = side.sign
        points[inner] = np.array([s * 0.015, eye_y, eye_z])
        points[eye] = np.array([s * 0.032, eye_y - 0.005, eye_z])
        points[outer] = np.array([s * 0.048, eye_y - 0.01, eye_z])
        points[ear] = np.array([s * 0.075, nose[1] - 0.10, eye_z + 0.01])
        points[mouth] = np.array([s * 0.025, nose[1] - 0.025, nose[2] + 0.045])
    points[_L.NOSE] = nose
    return points


def body_points(
    shape: BodyShape,
    posture: Posture,
    femur_deg: dict[Side, FloatArray],
    twist_deg: dict[Side, FloatArray],
) -> FloatArray:
    """All 33 landmarks over time in the body frame.

    Args:
        shape: The person.
        posture: The set-up (stance, knee flexion, turnout, leg off the wall).
        femur_deg: Per leg, ``(n_frames,)`` femur rotation ``theta`` relative to
            the person's neutral, internal positive.
        twist_deg: Per leg, ``(n_frames,)`` ankle twist ``phi``, same convention.

    Returns:
        ``(n_frames, 33, 3)`` points, metres.
    """
    n = np.asarray(femur_deg[Side.LEFT]).shape[0]
    points = np.empty((n, NUM_LANDMARKS, 3))
    for index, point in _static_points(shape, posture).items():
        points[:, index] = point
    for side in Side:
        legs = _leg_points(
            shape,
            posture,
            side,
            np.asarray(femur_deg[side], dtype=np.float64),
            np.asarray(twist_deg[side], dtype=np.float64),
        )
        for index, point in legs.items():
            points[:, index] = point
    return points
