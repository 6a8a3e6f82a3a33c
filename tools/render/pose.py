"""Pose the MakeHuman body in the wall drill and skin it (numpy LBS).

Conventions follow docs/geometry.md. The neutral pose: supine, hips flexed
so the hip->ankle axis `u` stands nearly vertical (tilted a little towards
the wall), knees bent, feet dorsiflexed with heel->toe perpendicular to `u`
and pointing at the head, arms out about 45 degrees on the floor (the
rig's A-pose already holds them there), palms up. Femur rotation `theta`
turns every bone from the thigh down rigidly about `u` through the hip joint;
ankle twist `phi` then turns the foot bones about `u` through the ankle.
Internal rotation is positive: a right-hand turn about +u for the left leg,
a left-hand one for the right leg.

World frame (Blender scene): metres, z up, the floor (mat top) is z = 0,
x = 0 between the hip joints, the person's left is +x, the head lies towards
+y and the wall is the plane y = wall_y() facing +y. The body frame of
geometry.md is (x, z, y_hip - y) of this frame, y_hip being the hip joints'
y (about 0.05 m).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from body import Body

#: Knee flexion of the neutral pose (the drill allows 0-25 degrees).
KNEE_FLEXION_DEG = 15.0
#: Tilt of the hip->ankle axis from vertical towards the wall: the buttocks
#: rest a hand's width from the wall.
AXIS_TILT_TO_WALL_DEG = 6.0
#: The straightened arm is lowered this much towards the floor: the
#: shoulder joint sits a hand's height above it.
ARM_DROP_DEG = 11.0
#: Gap left between the back of the neutral heels and the wall.
HEEL_WALL_GAP_M = 0.005
#: Lying supine: rest (standing, facing -y) turned -90 degrees about x.
SUPINE_DEG = -90.0

SIDES = {"left": "L", "right": "R"}
#: docs/geometry.md: +theta about +u for the left leg, -theta for the right.
SIDE_SIGN = {"left": 1.0, "right": -1.0}
#: Landmarks whose truth pixels are reported (MediaPipe 23-32 per side).
LANDMARKS = ("hip", "knee", "ankle", "heel", "toe")
#: A heel landmark is the skin vertex at the back of the heel; this far
#: below the ankle joint (rest frame) the foot is heel, not ankle.
HEEL_BELOW_ANKLE_M = 0.04
#: Bone end used as "foot index" (MediaPipe 31/32): tip of the second toe.
TOE_TIP_BONE = "toe2-3"


def rotation(axis: np.ndarray, angle_deg: float) -> np.ndarray:
    """3x3 right-hand rotation about a unit axis (Rodrigues)."""
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    a = np.radians(angle_deg)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * (k @ k)


def about(point: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """4x4 transform rotating by `rot` about a fixed point."""
    m = np.eye(4)
    m[:3, :3] = rot
    m[:3, 3] = point - rot @ point
    return m


def apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a 4x4 transform to (N, 3) or (3,) points."""
    return pts @ m[:3, :3].T + m[:3, 3]


def subtree(body: Body, root: str) -> np.ndarray:
    """Boolean mask of a bone and all its descendants."""
    mask = np.zeros(len(body.bone_names), bool)
    mask[body.bone(root)] = True
    for i, parent in enumerate(body.parents):  # parents precede children
        if parent >= 0 and mask[parent]:
            mask[i] = True
    return mask


def forward(body: Body, local: dict[int, np.ndarray], root_transform: np.ndarray) -> np.ndarray:
    """(B, 4, 4) world transforms from per-bone rotations about rest heads.

    `local[b]` is a rotation expressed in rest coordinates, applied about
    bone b's rest head and inherited by its children; it avoids MakeHuman's
    bone-roll conventions entirely.
    """
    world = np.zeros((len(body.bone_names), 4, 4))
    for b, parent in enumerate(body.parents):
        own = about(body.heads[b], local.get(b, np.eye(3)))
        world[b] = (world[parent] if parent >= 0 else root_transform) @ own
    return world


def skin(body: Body, world: np.ndarray) -> np.ndarray:
    """Linear blend skinning of all rest vertices."""
    blended = np.einsum("vb,bij->vij", body.weights, world[:, :3, :])
    return np.einsum("vij,vj->vi", blended[:, :, :3], body.verts) + blended[:, :, 3]


@dataclass(frozen=True)
class Neutral:
    """The neutral drill pose: bone transforms plus the facts truth needs."""

    world: np.ndarray  # (B, 4, 4) bone transforms, theta = phi = 0
    axis: dict  # side -> unit hip->ankle axis u (world)
    heel_vertex: dict  # side -> skin vertex index used as the heel landmark


def yz_angle(v: np.ndarray) -> float:
    """Angle (deg) of a vector's projection in the rest y-z plane."""
    return float(np.degrees(np.arctan2(v[1], v[2])))


def leg_local(body: Body, side: str, hip_flex: float, foot_flex: float) -> dict:
    """Sagittal rotations (about rest x) of one leg's thigh, knee and foot."""
    s = SIDES[side]
    x = np.array([1.0, 0, 0])
    return {
        body.bone(f"upperleg01.{s}"): rotation(x, -hip_flex),
        body.bone(f"lowerleg01.{s}"): rotation(x, KNEE_FLEXION_DEG),
        body.bone(f"foot.{s}"): rotation(x, foot_flex),
    }


def minimal_rotation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction a onto direction b."""
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    axis = np.cross(a, b)
    if np.linalg.norm(axis) < 1e-9:
        return np.eye(3)
    return rotation(axis, np.degrees(np.arccos(np.clip(a @ b, -1, 1))))


def signed_angle(a: np.ndarray, b: np.ndarray, axis: np.ndarray) -> float:
    """Angle (deg) from a to b about axis, both projected perpendicular to it."""
    axis = axis / np.linalg.norm(axis)
    a, b = a - (a @ axis) * axis, b - (b @ axis) * axis
    return float(np.degrees(np.arctan2(np.cross(a, b) @ axis, a @ b)))


def arm_local(body: Body, side: str) -> dict:
    """Arms out on the floor, elbows straight, palms up.

    The A-pose already spreads the arms about 45 degrees from the trunk; the
    elbow is straightened (its rest bend would lift the forearm off the
    floor), the arm lowered onto the floor, and turned about its own axis
    until the thumb points away from the trunk (palm up when supine).
    """
    s = SIDES[side]
    shoulder, elbow = body.bone(f"upperarm01.{s}"), body.bone(f"lowerarm01.{s}")
    wrist = body.bone(f"wrist.{s}")
    upper = body.heads[elbow] - body.heads[shoulder]
    straighten = minimal_rotation(body.heads[wrist] - body.heads[elbow], upper)
    thumb = apply(about(body.heads[elbow], straighten), body.heads[body.bone(f"finger1-2.{s}")])
    pinky = apply(about(body.heads[elbow], straighten), body.heads[body.bone(f"finger5-1.{s}")])
    up_rest = np.array([0.0, 0.0, 1.0])
    lateral = up_rest - (up_rest @ upper) * upper / (upper @ upper)
    palm_up = rotation(upper, signed_angle(thumb - pinky, lateral, upper))
    drop = rotation(np.cross(upper, [0.0, 1.0, 0.0]), ARM_DROP_DEG)
    return {shoulder: drop @ palm_up, elbow: straighten}


def solve_leg(body: Body, side: str, heel_vertex: int) -> dict:
    """Find hip and ankle flexion giving the target axis tilt and a foot
    perpendicular to it (a few fixed-point steps; the rest leg is not
    exactly vertical, so the angles are solved rather than assumed)."""
    s = SIDES[side]
    hip, ankle = body.bone(f"upperleg01.{s}"), body.bone(f"foot.{s}")
    toe = body.bone(f"{TOE_TIP_BONE}.{s}")
    target_axis = -90.0 - AXIS_TILT_TO_WALL_DEG  # rest: -90 = straight forward
    hip_flex, foot_flex = 90.0, 0.0
    for _ in range(6):
        local = leg_local(body, side, hip_flex, foot_flex)
        world = forward(body, local, np.eye(4))
        u = apply(world[ankle], body.heads[ankle]) - apply(world[hip], body.heads[hip])
        hip_flex += target_axis - yz_angle(u)  # rot_x(-a) raises atan2(y, z) by a
        heel = apply(world[ankle], body.verts[heel_vertex])
        foot = apply(world[toe], body.tails[toe]) - heel
        foot_flex += yz_angle(foot) - (yz_angle(u) + 90.0)
    return leg_local(body, side, hip_flex, foot_flex)


def heel_vertex(body: Body, side: str) -> int:
    """The most posterior skin vertex of the heel (rest frame)."""
    s = SIDES[side]
    ankle = body.bone(f"foot.{s}")
    on_foot = body.weights[:, ankle] > 0.5
    low = body.verts[:, 2] < body.heads[ankle][2] - HEEL_BELOW_ANKLE_M
    candidates = np.flatnonzero(on_foot & low)
    return int(candidates[np.argmax(body.verts[candidates, 1])])


def build_neutral(body: Body) -> Neutral:
    """Neutral pose resting on the floor with the heels on the wall."""
    heels = {side: heel_vertex(body, side) for side in SIDES}
    local = {}
    for side in SIDES:
        local.update(solve_leg(body, side, heels[side]))
        local.update(arm_local(body, side))
    lie = np.eye(4)
    lie[:3, :3] = rotation([1.0, 0, 0], SUPINE_DEG)
    world = forward(body, local, lie)
    verts = skin(body, world)
    hips = [
        apply(world[body.bone(f"upperleg01.{s}")], body.heads[body.bone(f"upperleg01.{s}")])
        for s in SIDES.values()
    ]
    shift = np.eye(4)
    hip_mid = np.mean(hips, axis=0)
    shift[:3, 3] = [-hip_mid[0], 0.0, -verts[:, 2].min()]
    world = np.einsum("ij,bjk->bik", shift, world)
    axes = {}
    for side, s in SIDES.items():
        hip, ankle = body.bone(f"upperleg01.{s}"), body.bone(f"foot.{s}")
        u = apply(world[ankle], body.heads[ankle]) - apply(world[hip], body.heads[hip])
        axes[side] = u / np.linalg.norm(u)
    return Neutral(world, axes, heels)


def wall_y(body: Body, neutral: Neutral) -> float:
    """Wall plane position: just behind the neutral pose's heels."""
    verts = skin(body, neutral.world)
    return float(min(verts[neutral.heel_vertex[s], 1] for s in SIDES)) - HEEL_WALL_GAP_M


@dataclass(frozen=True)
class LegAngles:
    """Truth angles of one leg (degrees, internal positive)."""

    femur_deg: float = 0.0
    twist_deg: float = 0.0
    #: Hip extension from the drill's pose, about the left-right axis through
    #: the hip joint: positive lowers the leg towards the floor beyond the
    #: wall (a leg raise, wall-less scenes), negative tips it towards the
    #: head, feet off the wall (getting into or out of the position).
    lower_deg: float = 0.0


def pose_world(body: Body, neutral: Neutral, legs: dict[str, LegAngles]) -> np.ndarray:
    """Bone transforms for given femur rotation and ankle twist per leg."""
    world = neutral.world.copy()
    for side, s in SIDES.items():
        angles = legs.get(side, LegAngles())
        sign, u = SIDE_SIGN[side], neutral.axis[side]
        hip, ankle = body.bone(f"upperleg01.{s}"), body.bone(f"foot.{s}")
        hip_pt = apply(world[hip], body.heads[hip])
        ankle_pt = apply(world[ankle], body.heads[ankle])  # on the axis: fixed by theta
        femur = about(hip_pt, rotation(u, sign * angles.femur_deg))
        foot = about(ankle_pt, rotation(u, sign * angles.twist_deg))
        leg_mask, foot_mask = subtree(body, f"upperleg01.{s}"), subtree(body, f"foot.{s}")
        world[leg_mask] = np.einsum("ij,bjk->bik", femur, world[leg_mask])
        world[foot_mask] = np.einsum("ij,bjk->bik", foot, world[foot_mask])
        if angles.lower_deg:
            lower = about(hip_pt, rotation([1.0, 0.0, 0.0], angles.lower_deg))
            world[leg_mask] = np.einsum("ij,bjk->bik", lower, world[leg_mask])
    return world


def landmarks(body: Body, neutral: Neutral, world: np.ndarray, verts: np.ndarray) -> dict:
    """World positions of the truth landmarks, keyed like 'left_knee'."""
    points = {}
    for side, s in SIDES.items():
        joints = {"hip": f"upperleg01.{s}", "knee": f"lowerleg01.{s}", "ankle": f"foot.{s}"}
        for name, bone in joints.items():
            b = body.bone(bone)
            points[f"{side}_{name}"] = apply(world[b], body.heads[b])
        toe = body.bone(f"{TOE_TIP_BONE}.{s}")
        points[f"{side}_toe"] = apply(world[toe], body.tails[toe])
        points[f"{side}_heel"] = verts[neutral.heel_vertex[side]]
    return points
