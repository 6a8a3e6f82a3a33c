"""Other supine exercises, and getting into and out of the drill's position.

The drill's body model (``body.py``) keeps each leg's posture constant over
a session: the hip -> ankle axis at one elevation, the knee at one flexion.
Here the posture moves too, keyframed like the rotations (smoothstep ramps,
at rest at every keyframe):

- per leg, the thigh's elevation above the floor towards the wall (90 is
  vertical, past 90 towards the chest) and the knee's flexion;
- the hips' lift off the floor (a bridge), the shoulders' lift (a hollow
  hold) and a sideways lean of both legs about the body's long axis
  (windshield wipers).

The femur rotation and ankle twist stay as in the drill (knee, shank and
foot turn about the hip -> ankle axis), so at the drill's own posture
``moving_body_points`` gives exactly ``body.body_points``.

``NEGATIVES`` are exercises that are not the drill: their truth is 0 reps.
Their legs roll a little as people's do (within +-6 degrees: never a rep's
range, whatever the posture). ``ENTER_EXIT`` is the drill itself, opened by
getting the legs up the wall from lying with the knees bent and closed by
taking them down, the legs rolling in and out by up to 20 degrees on the
way: its truth is the drill's reps, and ``drill_s`` says when the legs were
in the drill's position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, NUM_LANDMARKS, PoseLandmark, Side
from hiprot.synth.body import BodyShape, Posture, _static_points, hip_centres, rotate_about
from hiprot.synth.script import SCENARIOS, Script, Track, build_script, smoothstep

FloatArray = npt.NDArray[np.float64]

#: The drill scenario whose reps the entering-and-leaving sessions do.
ENTER_EXIT = "enter_exit"

#: Height of the ankle joint above the floor with the foot flat on it.
_ANKLE_FLOOR_M = 0.08

_UPPER_BODY = tuple(range(PoseLandmark.LEFT_HIP))  # face, shoulders, arms


@dataclass
class Keys:
    """Keyframed posture: named values over time, smoothstep between keyframes."""

    t_s: list[float] = field(default_factory=lambda: [0.0])
    values: dict[str, list[float]] = field(default_factory=dict)

    def start(self, **values: float) -> None:
        self.values = {k: [float(v)] for k, v in values.items()}

    @property
    def now_s(self) -> float:
        return self.t_s[-1]

    def last(self, name: str) -> float:
        return self.values[name][-1]

    def move(self, duration_s: float, **changes: float) -> None:
        """Ramp the named values to new ones over ``duration_s``; the rest stay."""
        self.t_s.append(self.now_s + float(duration_s))
        for name, values in self.values.items():
            values.append(float(changes.get(name, values[-1])))

    def stay(self, duration_s: float) -> None:
        self.move(duration_s)

    def at(self, t_s: FloatArray) -> dict[str, FloatArray]:
        t_s = np.asarray(t_s, dtype=np.float64)
        keys = np.asarray(self.t_s)
        i = np.clip(np.searchsorted(keys, t_s, side="right") - 1, 0, max(keys.size - 2, 0))
        if keys.size < 2:
            return {k: np.full(t_s.shape, v[0]) for k, v in self.values.items()}
        t0, t1 = keys[i], keys[i + 1]
        s = smoothstep((t_s - t0) / np.maximum(t1 - t0, 1e-12))
        out = {}
        for name, values in self.values.items():
            v = np.asarray(values)
            out[name] = v[i] + (v[i + 1] - v[i]) * s
        return out


def _axis_offset_deg(shape: BodyShape, knee_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(hip -> ankle length, angle between the thigh and the hip -> ankle axis)."""
    flexion = np.radians(knee_deg)
    f, s = shape.femur_m, shape.shank_m
    length = np.sqrt(f**2 + s**2 + 2.0 * f * s * np.cos(flexion))
    along = (f**2 - s**2 + length**2) / (2.0 * length)
    return length, np.degrees(np.arccos(np.clip(along / f, -1.0, 1.0)))


def drill_thigh_deg(shape: BodyShape, posture: Posture, side: Side) -> float:
    """The thigh elevation of a leg in its drill set-up (axis elevation + offset)."""
    setup = posture.legs[side]
    _, offset = _axis_offset_deg(shape, np.asarray(setup.knee_flexion_deg))
    return float(setup.elevation_deg + offset)


def _place_leg(
    points: FloatArray,
    shape: BodyShape,
    posture: Posture,
    side: Side,
    hip: FloatArray,
    pose: dict[str, FloatArray],
    lean: FloatArray,
    femur_deg: FloatArray,
    twist_deg: FloatArray,
) -> None:
    """One leg's knee, ankle, heel and toe over time, into ``points`` (``(n, 33, 3)``)."""
    n = hip.shape[0]
    setup = posture.legs[side]
    hips = hip_centres(shape)
    long_axis = np.array([0.0, 0.0, 1.0])
    knee_deg = np.asarray(pose[f"knee_{side.value}"], dtype=np.float64)
    length, offset = _axis_offset_deg(shape, knee_deg)
    elevation = np.radians(np.asarray(pose[f"thigh_{side.value}"]) - offset)
    half_stance = posture.stance_width_m / 2.0 if setup.on_wall else shape.hip_width_m / 2.0
    sideways = np.clip((half_stance - shape.hip_width_m / 2.0) / length, -0.6, 0.6)
    sagittal = np.sqrt(1.0 - sideways**2)
    axis = np.stack(
        [side.sign * sideways, sagittal * np.sin(elevation), sagittal * np.cos(elevation)],
        axis=-1,
    )
    axis = rotate_about(axis, long_axis, -lean)
    lateral = np.broadcast_to(hips[Side.LEFT] - hips[Side.RIGHT], (n, 3))
    lateral = rotate_about(lateral, long_axis, -lean)
    lateral = lateral - np.sum(lateral * axis, axis=-1, keepdims=True) * axis
    reference = np.cross(axis, lateral)
    reference /= np.linalg.norm(reference, axis=-1, keepdims=True)
    f = shape.femur_m
    along = (f**2 - shape.shank_m**2 + length**2) / (2.0 * length)
    off = np.sqrt(np.maximum(f**2 - along**2, 0.0))
    theta = side.sign * (setup.turnout_deg + np.asarray(femur_deg))
    knee_dir = rotate_about(reference, axis, theta)
    foot_dir = rotate_about(reference, axis, theta + side.sign * np.asarray(twist_deg))
    ankle = hip + length[:, None] * axis
    sole = ankle + shape.sole_m * axis
    leg = LEGS[side]
    points[:, leg.knee] = hip + along[:, None] * axis + off[:, None] * knee_dir
    points[:, leg.ankle] = ankle
    points[:, leg.heel] = sole - shape.heel_back_m * foot_dir
    points[:, leg.foot_index] = sole + shape.toe_m * foot_dir


def moving_body_points(
    shape: BodyShape,
    posture: Posture,
    femur_deg: dict[Side, FloatArray],
    twist_deg: dict[Side, FloatArray],
    pose: dict[str, FloatArray],
) -> FloatArray:
    """All 33 landmarks over time with a moving posture.

    Args:
        shape, posture: The person and the drill set-up (stance, turnout).
        femur_deg, twist_deg: Per leg, ``(n,)`` rotation and twist as in
            ``body.body_points``.
        pose: ``(n,)`` arrays: ``thigh_left``/``thigh_right`` (elevation,
            degrees), ``knee_left``/``knee_right`` (flexion, degrees),
            ``lift_m`` (hips), ``chest_m`` (shoulders and head) and
            ``lean_deg`` (both legs sideways, positive to the person's left).

    Returns:
        ``(n, 33, 3)`` body-frame points, metres.
    """
    n = np.asarray(femur_deg[Side.LEFT]).shape[0]
    points = np.empty((n, NUM_LANDMARKS, 3))
    for index, point in _static_points(shape, posture).items():
        points[:, index] = point
    lift = np.asarray(pose["lift_m"], dtype=np.float64)
    points[:, _UPPER_BODY, 1] += np.asarray(pose["chest_m"])[:, None]
    hips = hip_centres(shape)
    lean = np.asarray(pose["lean_deg"], dtype=np.float64)
    for side in Side:
        hip = np.broadcast_to(hips[side], (n, 3)).copy()
        hip[:, 1] += lift
        points[:, LEGS[side].hip] = hip
        _place_leg(points, shape, posture, side, hip, pose, lean, femur_deg[side], twist_deg[side])
    return points


# ---------------------------------------------------------------- exercises

Builder = Callable[[Keys, Keys, BodyShape, np.random.Generator], None]

#: Natural roll of the legs during other exercises: never a rep's range.
_ROLL_DEG = 6.0


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _roll(rng: np.random.Generator, limit_deg: float = _ROLL_DEG) -> dict[str, float]:
    return {f"femur_{s.value}": _u(rng, -limit_deg, limit_deg) for s in Side}


def _floor_thigh(shape: BodyShape, knee_deg: float, lift_m: float = 0.0) -> float:
    """Thigh elevation that puts the ankle on the floor with this knee flexion."""
    length, offset = _axis_offset_deg(shape, np.asarray(knee_deg))
    drop = (_ANKLE_FLOOR_M - shape.hip_height_m - lift_m) / float(length)
    return float(np.degrees(np.arcsin(np.clip(drop, -1.0, 1.0))) + offset)


def _flat(pose: Keys, shape: BodyShape, rng: np.random.Generator) -> dict[str, float]:
    """Legs out straight on the floor."""
    out = {}
    for s in Side:
        knee = _u(rng, 3.0, 10.0)
        out[f"knee_{s.value}"] = knee
        out[f"thigh_{s.value}"] = max(_floor_thigh(shape, knee), 0.0) + _u(rng, 0.0, 4.0)
    return out


def _both(thigh: float, knee: float) -> dict[str, float]:
    return {f"{k}_{s.value}": v for s in Side for k, v in (("thigh", thigh), ("knee", knee))}


def _leg_raise(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    for _ in range(int(rng.integers(8, 13))):
        up, knee = _u(rng, 88.0, 100.0), _u(rng, 3.0, 12.0)
        duration = _u(rng, 1.2, 2.5)
        pose.move(duration, **_both(up, knee))
        rot.move(duration, **_roll(rng))
        pause = _u(rng, 0.0, 0.3)
        pose.stay(pause)
        rot.stay(pause)
        duration = _u(rng, 1.2, 2.5)
        pose.move(duration, **_both(_u(rng, 10.0, 20.0), knee))
        rot.move(duration, **_roll(rng))
        pause = _u(rng, 0.2, 1.0)
        pose.stay(pause)
        rot.stay(pause)


def _bridge(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    knee = _u(rng, 80.0, 100.0)
    duration = _u(rng, 1.0, 2.0)
    pose.move(duration, **_both(_floor_thigh(shape, knee), knee))
    rot.move(duration, **_roll(rng))
    for _ in range(int(rng.integers(8, 13))):
        lift, k = _u(rng, 0.15, 0.3), knee - _u(rng, 0.0, 15.0)
        duration = _u(rng, 1.0, 2.0)
        pose.move(duration, lift_m=lift, **_both(_floor_thigh(shape, k, lift), k))
        rot.move(duration, **_roll(rng))
        hold = _u(rng, 1.0, 3.0)
        pose.stay(hold)
        rot.stay(hold)
        duration = _u(rng, 1.0, 2.0)
        pose.move(duration, lift_m=0.0, **_both(_floor_thigh(shape, knee), knee))
        rot.move(duration, **_roll(rng))
        rest = _u(rng, 0.5, 1.5)
        pose.stay(rest)
        rot.stay(rest)


def _ninety(rng: np.random.Generator) -> dict[str, float]:
    return _both(_u(rng, 85.0, 95.0), _u(rng, 80.0, 100.0))


def _dead_bug(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    start = _ninety(rng)
    duration = _u(rng, 1.5, 2.5)
    pose.move(duration, **start)
    rot.move(duration, **_roll(rng))
    for i in range(int(rng.integers(8, 13))):
        s = Side.LEFT if i % 2 == 0 else Side.RIGHT
        duration = _u(rng, 1.0, 2.0)
        pose.move(
            duration,
            **{f"thigh_{s.value}": _u(rng, 15.0, 25.0), f"knee_{s.value}": _u(rng, 3.0, 10.0)},
        )
        rot.move(duration, **_roll(rng))
        duration = _u(rng, 1.0, 2.0)
        pose.move(duration, **{k: v for k, v in start.items() if k.endswith(s.value)})
        rot.move(duration, **_roll(rng))


def _knee_to_chest(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    flat = {k: pose.last(k) for k in pose.values if k.startswith(("thigh_", "knee_"))}
    for i in range(int(rng.integers(6, 10))):
        legs = tuple(Side) if i % 3 == 2 else (Side.LEFT if i % 2 == 0 else Side.RIGHT,)
        pulled = {}
        for s in legs:
            pulled[f"thigh_{s.value}"] = _u(rng, 115.0, 135.0)
            pulled[f"knee_{s.value}"] = _u(rng, 110.0, 130.0)
        duration = _u(rng, 1.0, 2.0)
        pose.move(duration, **pulled)
        rot.move(duration, **_roll(rng))
        hold = _u(rng, 1.0, 4.0)
        pose.stay(hold)
        rot.stay(hold)
        duration = _u(rng, 1.0, 2.0)
        pose.move(duration, **flat)
        rot.move(duration, **_roll(rng))


def _scissors(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    knee = _u(rng, 5.0, 15.0)
    high, low = _u(rng, 70.0, 95.0), _u(rng, 25.0, 45.0)
    duration = _u(rng, 1.0, 2.0)
    pose.move(duration, **_both((high + low) / 2.0, knee))
    rot.move(duration, **_roll(rng))
    for i in range(int(rng.integers(20, 31))):
        up, down = (Side.LEFT, Side.RIGHT) if i % 2 == 0 else (Side.RIGHT, Side.LEFT)
        duration = _u(rng, 0.5, 1.0)
        pose.move(duration, **{f"thigh_{up.value}": high, f"thigh_{down.value}": low})
        rot.move(duration, **_roll(rng))


def _bicycle(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    bent = (_u(rng, 110.0, 125.0), _u(rng, 100.0, 120.0))
    out = (_u(rng, 35.0, 50.0), _u(rng, 5.0, 15.0))
    for i in range(int(rng.integers(20, 31))):
        a, b = (Side.LEFT, Side.RIGHT) if i % 2 == 0 else (Side.RIGHT, Side.LEFT)
        duration = _u(rng, 0.6, 1.2)
        pose.move(
            duration,
            **{f"thigh_{a.value}": bent[0], f"knee_{a.value}": bent[1]},
            **{f"thigh_{b.value}": out[0], f"knee_{b.value}": out[1]},
        )
        rot.move(duration, **_roll(rng))


def _wipers(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    duration = _u(rng, 1.5, 2.5)
    pose.move(duration, **_ninety(rng))
    rot.move(duration, **_roll(rng))
    for i in range(int(rng.integers(8, 13))):
        lean = _u(rng, 30.0, 60.0) * (1 if i % 2 == 0 else -1)
        duration = _u(rng, 1.5, 3.0)
        pose.move(duration, lean_deg=lean)
        rot.move(duration, **_roll(rng))
        pause = _u(rng, 0.0, 0.8)
        pose.stay(pause)
        rot.stay(pause)
    pose.move(_u(rng, 1.0, 2.0), lean_deg=0.0)
    rot.stay(pose.now_s - rot.now_s)


def _hollow(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    flat = {k: pose.last(k) for k in pose.values if k.startswith(("thigh_", "knee_"))}
    for _ in range(int(rng.integers(2, 4))):
        thigh, knee = _u(rng, 15.0, 35.0), _u(rng, 0.0, 10.0)
        duration = _u(rng, 1.0, 2.0)
        pose.move(duration, chest_m=_u(rng, 0.05, 0.12), **_both(thigh, knee))
        rot.move(duration, **_roll(rng))
        for _ in range(int(rng.integers(4, 8))):  # holding, with a wobble
            duration = _u(rng, 1.0, 2.5)
            pose.move(duration, **_both(thigh + _u(rng, -5.0, 5.0), knee))
            rot.move(duration, **_roll(rng, 2.0))
        duration = _u(rng, 1.0, 2.0)
        pose.move(duration, chest_m=0.0, **flat)
        rot.move(duration, **_roll(rng))
        rest = _u(rng, 2.0, 4.0)
        pose.stay(rest)
        rot.stay(rest)


def _still(pose: Keys, rot: Keys, shape: BodyShape, rng: np.random.Generator) -> None:
    """Lying with the legs up the wall, not rotating (fidgets inside the band)."""
    for _ in range(int(rng.integers(10, 20))):
        duration = _u(rng, 1.0, 3.0)
        pose.stay(duration)
        rot.move(duration, **_roll(rng, 1.5))


@dataclass(frozen=True)
class Exercise:
    """One negative: what it is, where it starts, and its moves."""

    name: str
    description: str
    build: Builder
    starts_up: bool = False  # starts in the drill's position, not flat on the floor


NEGATIVES: dict[str, Exercise] = {
    e.name: e
    for e in (
        Exercise("leg_raise", "straight-leg raises through vertical", _leg_raise),
        Exercise("bridge", "glute bridges (hips lifted, feet on the floor)", _bridge),
        Exercise("dead_bug", "dead bug: 90/90, one leg straightened at a time", _dead_bug),
        Exercise("knee_to_chest", "one or both knees pulled to the chest", _knee_to_chest),
        Exercise("scissors", "straight-leg scissors", _scissors),
        Exercise("bicycle", "bicycle legs", _bicycle),
        Exercise("wipers", "bent-knee windshield wipers", _wipers),
        Exercise("hollow", "hollow holds", _hollow),
        Exercise("still", "lying still with the legs up the wall, no rotation", _still, True),
    )
}


@dataclass(frozen=True)
class MovingScript:
    """A script whose posture moves: the rotations, and the posture keys.

    ``drill_s``: when the legs were in the drill's position (None: never).
    """

    script: Script
    pose: Keys
    drill_s: tuple[float, float] | None


def _drill_pose(shape: BodyShape, posture: Posture) -> dict[str, float]:
    out = {"lift_m": 0.0, "chest_m": 0.0, "lean_deg": 0.0}
    for s in Side:
        out[f"thigh_{s.value}"] = drill_thigh_deg(shape, posture, s)
        out[f"knee_{s.value}"] = posture.legs[s].knee_flexion_deg
    return out


def _rot_keys() -> Keys:
    rot = Keys()
    rot.start(**{f"femur_{s.value}": 0.0 for s in Side})
    return rot


def _tracks(rot: Keys) -> dict[Side, Track]:
    t = np.asarray(rot.t_s)
    return {s: Track(t, np.asarray(rot.values[f"femur_{s.value}"]), np.zeros(t.size)) for s in Side}


def build_negative(
    name: str, shape: BodyShape, posture: Posture, rng: np.random.Generator
) -> MovingScript:
    """Script one negative exercise (``NEGATIVES``): no reps in its truth."""
    exercise = NEGATIVES[name]
    pose, rot = Keys(), _rot_keys()
    pose.start(**_drill_pose(shape, posture))
    if not exercise.starts_up:
        pose.values.update({k: [v] for k, v in _flat(pose, shape, rng).items()})
    # >= 3 s lying still first, as a recording starts
    opening = _u(rng, 3.0, 4.5)
    pose.stay(opening)
    rot.stay(opening)
    exercise.build(pose, rot, shape, rng)
    closing = _u(rng, 1.5, 3.0)
    pose.stay(closing)
    rot.stay(closing)
    end = max(pose.now_s, rot.now_s)
    if pose.now_s < end:
        pose.stay(end - pose.now_s)
    if rot.now_s < end:
        rot.stay(end - rot.now_s)
    script = Script(_tracks(rot), {}, end, opening)
    drill = (0.0, end) if exercise.starts_up else None
    return MovingScript(script, pose, drill)


def _entered_track(
    side: Side,
    rot: Keys,
    times: list[float],
    femur: list[float],
    twist: list[float],
    exit_keys: FloatArray,
    exit_roll: list[dict[str, float]],
) -> Track:
    """One leg's rotation: rolled in and out on the way up (``rot``), the drill's
    track (``times``), rolled again on the way down and back to neutral."""
    t = np.concatenate([rot.t_s, times, exit_keys])
    f = np.concatenate(
        [
            rot.values[f"femur_{side.value}"],
            femur,
            [r[f"femur_{side.value}"] for r in exit_roll] + [0.0],
        ]
    )
    w = np.concatenate([np.zeros(len(rot.t_s)), twist, np.zeros(exit_keys.size)])
    return Track(t, f, w)


def build_enter_exit(
    shape: BodyShape,
    posture: Posture,
    active: tuple[Side, ...],
    rng: np.random.Generator,
    reps_per_set: int | None = None,
) -> MovingScript:
    """The clean drill, opened by getting into its position and closed by leaving it.

    The person starts lying with the knees bent and the feet on the floor,
    swings the legs up the wall (rolling them in and out by up to 20
    degrees), does the drill, and takes the legs down the same way.
    """
    drill = build_script(SCENARIOS["clean"], active, rng, reps_per_set)
    up = _drill_pose(shape, posture)
    knee = _u(rng, 80.0, 100.0)
    lying = {**up, **_both(_floor_thigh(shape, knee), knee)}
    pose, rot = Keys(), _rot_keys()
    pose.start(**lying)
    settle = _u(rng, 1.0, 2.0)
    pose.stay(settle)
    rot.stay(settle)
    for _ in range(2):  # the knees drop in and out while the legs go up
        duration = _u(rng, 0.6, 1.2)
        pose.move(duration, **{k: (lying[k] + up[k]) / 2.0 for k in lying})
        rot.move(duration, **_roll(rng, 20.0))
    duration = _u(rng, 0.8, 1.5)
    pose.move(duration, **up)
    rot.move(duration, **dict.fromkeys(rot.values, 0.0))
    entered = pose.now_s
    # the drill, shifted to start here
    t0 = entered
    femur = {s: list(drill.tracks[s].femur_deg[1:]) for s in Side}
    twist = {s: list(drill.tracks[s].twist_deg[1:]) for s in Side}
    times = list(drill.tracks[Side.LEFT].t_s[1:] + t0)
    pose.stay(drill.duration_s)
    left = pose.now_s
    for _ in range(2):
        duration = _u(rng, 0.6, 1.2)
        pose.move(duration, **{k: (lying[k] + up[k]) / 2.0 for k in lying})
    duration = _u(rng, 0.8, 1.5)
    pose.move(duration, **lying)
    end = pose.now_s + _u(rng, 1.0, 2.0)
    pose.stay(end - pose.now_s)
    exit_keys = np.linspace(left, end, 5)[1:]
    exit_roll = [_roll(rng, 20.0) for _ in exit_keys[:-1]]
    tracks = {
        s: _entered_track(s, rot, times, femur[s], twist[s], exit_keys, exit_roll) for s in Side
    }
    windows = {s: [(a + t0, b + t0) for a, b in w] for s, w in drill.windows.items()}
    script = Script(tracks, windows, end, drill.neutral_until_s + t0)
    return MovingScript(script, pose, (entered, left))
