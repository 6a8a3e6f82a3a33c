"""Synthetic drill sessions with exactly known truth: the measuring stick.

A session is a scripted person (``script``) with a body (``body``) seen by a
camera (``camera``) through MediaPipe-like noise (``noise``). It comes out as
the PoseFrames a real recording would give, plus the truth: per-frame femur,
twist and foot angles and the true reps, in the ``hiprot-session`` summary
shape. See docs/synthetic.md.

Example:
    >>> from hiprot.synth import SessionSpec, generate, write_session
    >>> session = generate(SessionSpec(seed=7, scenario="tempo", placement="oblique45_left"))
    >>> len(session.truth["reps"]) > 0
    True
    >>> paths = write_session(session, "out/")  # doctest: +SKIP

Random streams are split per stage (body, script, camera, noise), so two
specs that differ only in noise level show the same person doing the same
session from the same camera.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from hiprot.landmarks import Side
from hiprot.recording import RecordingInfo, write_recording
from hiprot.safe_io import atomic_path, atomic_write
from hiprot.synth.body import BodyShape, Posture, body_points
from hiprot.synth.camera import PLACEMENTS, Camera, CameraPlacement
from hiprot.synth.negatives import (
    ENTER_EXIT,
    NEGATIVES,
    MovingScript,
    build_enter_exit,
    build_negative,
    moving_body_points,
)
from hiprot.synth.noise import NOISE_LEVELS, corrupt, frame_times
from hiprot.synth.script import SCENARIOS, RepTruth, Script, build_script
from hiprot.types import PoseFrame

TRUTH_FORMAT = "hiprot-synth-truth"
TRUTH_VERSION = 1
MODES = ("both", "left", "right")
OTHER_LEG = ("wall", "off_wall")

#: Every scenario ``SessionSpec`` takes: the drill's (``SCENARIOS``, what the
#: suites cycle through), the drill entered and left (``ENTER_EXIT``), and
#: other exercises whose truth is 0 reps (``NEGATIVES``).
ALL_SCENARIOS = (*SCENARIOS, ENTER_EXIT, *NEGATIVES)

__all__ = [
    "ALL_SCENARIOS",
    "ENTER_EXIT",
    "MODES",
    "NEGATIVES",
    "NOISE_LEVELS",
    "PLACEMENTS",
    "SCENARIOS",
    "SessionSpec",
    "SyntheticSession",
    "generate",
    "write_session",
]


@dataclass(frozen=True)
class SessionSpec:
    """Everything that determines a synthetic session.

    Attributes:
        seed: Seeds every random choice (person, script, camera, noise).
        scenario: One of ``ALL_SCENARIOS``: a drill scenario
            (``SCENARIOS``), ``ENTER_EXIT`` or a negative (``NEGATIVES``).
        placement: Key of ``PLACEMENTS``.
        noise: Key of ``NOISE_LEVELS``: none, low, realistic, high.
        mode: ``both``, ``left`` or ``right``: which legs do the drill.
        other_leg: In one-leg mode, the idle leg stays still on the ``wall``
            or rests bent ``off_wall``.
        fps: Nominal frame rate.
        width, height: Image size, pixels.
        reps_per_set: Reps per set; ``None`` draws 10-15.
        duration_s: Cut the session here; ``None`` keeps the whole script.
            Reps not finished by then are not in the truth.
        knee_flexion_deg: Override the knee flexion of the legs on the wall.
        stance_width_m: Override the ankle-to-ankle distance.
        jitter_camera: Vary the placement a little, as a user would.
        guided_move: Start the drill with the guided calibration move
            (``hiprot.synth.script.build_script``); the truth then has
            ``guided_move_s`` and each worked leg's full ``range_deg``.
        sets: Override the scenario's number of sets (a rest between
            each); ``None`` keeps the scenario's.
    """

    seed: int
    scenario: str = "clean"
    placement: str = "oblique45_left"
    noise: str = "realistic"
    mode: str = "both"
    other_leg: str = "wall"
    fps: float = 30.0
    width: int = 640
    height: int = 480
    reps_per_set: int | None = None
    duration_s: float | None = None
    knee_flexion_deg: float | None = None
    stance_width_m: float | None = None
    jitter_camera: bool = True
    guided_move: bool = False
    sets: int | None = None

    def __post_init__(self) -> None:
        choices = {
            "scenario": ALL_SCENARIOS,
            "placement": PLACEMENTS,
            "noise": NOISE_LEVELS,
            "mode": MODES,
            "other_leg": OTHER_LEG,
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"{name} must be one of {sorted(allowed)}, got {getattr(self, name)!r}",
                )
        if self.fps <= 0 or self.width <= 0 or self.height <= 0:
            raise ValueError("fps, width and height must be positive")
        if self.sets is not None and self.sets < 1:
            raise ValueError(f"sets must be at least 1, got {self.sets}")

    @property
    def name(self) -> str:
        """A file-name stem that identifies the session."""
        guided = "-guided" if self.guided_move else ""
        sets = "" if self.sets is None else f"-{self.sets}sets"
        return (
            f"{self.scenario}-{self.placement}-{self.noise}-{self.mode}{guided}{sets}-s{self.seed}"
        )

    @property
    def active_legs(self) -> tuple[Side, ...]:
        return tuple(Side) if self.mode == "both" else (Side(self.mode),)


@dataclass(frozen=True)
class SyntheticSession:
    """A generated session.

    Attributes:
        spec: What was asked for.
        info: Recording header (fps, size, source, model).
        frames: The PoseFrames a recording of it would hold.
        truth: JSON-serialisable truth (``hiprot-synth-truth`` v1, see
            docs/synthetic.md).
        script: The scripted motion (angles at any time, rep windows).
        shape, posture, placement: The person and the camera actually used.
    """

    spec: SessionSpec
    info: RecordingInfo
    frames: list[PoseFrame]
    truth: dict[str, Any]
    script: Script = field(repr=False)
    shape: BodyShape = field(repr=False)
    posture: Posture = field(repr=False)
    placement: CameraPlacement = field(repr=False)


def _person(spec: SessionSpec, rng: np.random.Generator) -> tuple[BodyShape, Posture]:
    shape = BodyShape.sample(rng)
    idle = None if spec.mode == "both" else next(s for s in Side if s.value != spec.mode)
    posture = Posture.sample(rng, off_wall=idle if spec.other_leg == "off_wall" else None)
    legs = dict(posture.legs)
    if spec.knee_flexion_deg is not None:
        for side, setup in legs.items():
            if setup.on_wall:
                legs[side] = replace(setup, knee_flexion_deg=spec.knee_flexion_deg)
    stance = posture.stance_width_m if spec.stance_width_m is None else spec.stance_width_m
    return shape, Posture(stance, posture.arm_abduction_deg, legs)


def _legs_summary(reps: list[RepTruth], legs: tuple[Side, ...]) -> dict[str, Any]:
    summary = {}
    for side in legs:
        mine = [r for r in reps if r.leg is side]
        summary[side.value] = {
            "reps": len(mine),
            "held_reps": sum(r.held for r in mine),
            "controlled_reps": sum(r.controlled for r in mine),
            "compensated_reps": sum(r.compensation for r in mine),
            "peak_internal_deg": round(max(r.peak_internal_deg for r in mine), 2) if mine else None,
            "peak_external_deg": round(min(r.peak_external_deg for r in mine), 2) if mine else None,
        }
    return summary


def _truth(
    spec: SessionSpec,
    script: Script,
    posture: Posture,
    t_s: np.ndarray,
    extra: dict[str, Any],
    drill_s: tuple[float, float] | None,
) -> dict[str, Any]:
    femur, twist = script.angles(t_s)
    reps = script.reps(until_s=float(t_s[-1]))
    counters = dict.fromkeys(spec.active_legs, 0)
    rep_rows = []
    for rep in reps:
        counters[rep.leg] += 1
        rep_rows.append(rep.summary(counters[rep.leg]))

    def rounded(values: np.ndarray) -> list[float]:
        return np.round(values, 4).tolist()

    return {
        "format": TRUTH_FORMAT,
        "version": TRUTH_VERSION,
        "spec": asdict(spec),
        "neutral_offset_deg": {s.value: posture.legs[s].turnout_deg for s in Side},
        "neutral_until_s": round(script.neutral_until_s, 3),
        "frames": {
            "t": rounded(t_s),
            **{
                s.value: {
                    "femur_deg": rounded(femur[s]),
                    "twist_deg": rounded(twist[s]),
                    "foot_deg": rounded(femur[s] + twist[s]),
                }
                for s in Side
            },
        },
        "legs": _legs_summary(reps, spec.active_legs),
        "reps": rep_rows,
        **(
            {
                "guided_move_s": [round(x, 3) for x in script.guided_s],
                "range_deg": {
                    s.value: {
                        "internal": round(script.ranges[s].internal_deg, 2),
                        "external": round(script.ranges[s].external_deg, 2),
                    }
                    for s in spec.active_legs
                },
            }
            if script.guided_s is not None
            else {}
        ),
        # when the legs were up the wall in the drill's position (None: never)
        "drill_s": None if drill_s is None else [round(x, 3) for x in drill_s],
        **extra,
    }


def generate(spec: SessionSpec) -> SyntheticSession:
    """Generate one session: landmarks as MediaPipe would report them, and truth."""
    body_rng, script_rng, camera_rng, noise_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(spec.seed).spawn(4)
    )
    shape, posture = _person(spec, body_rng)
    script, moving = _script(spec, shape, posture, script_rng)
    placement = PLACEMENTS[spec.placement]
    if spec.jitter_camera:
        placement = placement.jittered(camera_rng)
    camera = Camera.from_placement(placement, spec.width, spec.height)

    model = NOISE_LEVELS[spec.noise]
    duration_s = script.duration_s
    if spec.duration_s is not None:
        duration_s = min(spec.duration_s, duration_s)
    index, t_s = frame_times(duration_s, spec.fps, model, noise_rng)
    femur, twist = script.angles(t_s)
    if moving is None:
        points = body_points(shape, posture, femur, twist)
        drill_s: tuple[float, float] | None = (0.0, float(t_s[-1]))
    else:
        points = moving_body_points(shape, posture, femur, twist, moving.pose.at(t_s))
        drill_s = moving.drill_s
    image, world = camera.observe(points)
    image, world, has_pose = corrupt(t_s, image, world, model, noise_rng, spec.width, spec.height)
    frames = [
        PoseFrame(int(i), float(t), image[k], world[k])
        if has_pose[k]
        else PoseFrame.empty(int(i), float(t))
        for k, (i, t) in enumerate(zip(index, t_s))
    ]
    info = RecordingInfo(
        fps=spec.fps,
        width=spec.width,
        height=spec.height,
        source=f"synthetic:{spec.name}",
        model="hiprot.synth",
    )
    truth = _truth(spec, script, posture, t_s, _setup_truth(shape, posture, placement), drill_s)
    return SyntheticSession(spec, info, frames, truth, script, shape, posture, placement)


def _script(
    spec: SessionSpec, shape: BodyShape, posture: Posture, rng: np.random.Generator
) -> tuple[Script, MovingScript | None]:
    """The session's script, and the whole-body motion for a scenario that
    moves more than the legs (None for the drill's scenarios)."""
    moving: MovingScript | None = None
    if spec.scenario in NEGATIVES:
        moving = build_negative(spec.scenario, shape, posture, rng)
    elif spec.scenario == ENTER_EXIT:
        moving = build_enter_exit(shape, posture, spec.active_legs, rng, spec.reps_per_set)
    if moving is not None:
        return moving.script, moving
    scenario = SCENARIOS[spec.scenario]
    if spec.sets is not None:
        scenario = replace(scenario, sets=spec.sets)
    script = build_script(scenario, spec.active_legs, rng, spec.reps_per_set, spec.guided_move)
    return script, None


def _setup_truth(shape: BodyShape, posture: Posture, placement: CameraPlacement) -> dict[str, Any]:
    """The truth file's record of the body, its posture and the camera."""
    return {
        "body": asdict(shape),
        "posture": {
            "stance_width_m": posture.stance_width_m,
            "arm_abduction_deg": posture.arm_abduction_deg,
            "legs": {s.value: asdict(setup) for s, setup in posture.legs.items()},
        },
        "camera": asdict(placement),
    }


def write_session(
    session: SyntheticSession, out: str | Path, truth_path: str | Path | None = None
) -> tuple[Path, Path]:
    """Write ``NAME.landmarks.jsonl.gz`` and ``NAME.truth.json``.

    Args:
        session: What ``generate`` returned.
        out: A directory (created if needed; files are named after the spec),
            or the path of the landmark recording itself.
        truth_path: Where the truth goes when ``out`` is a recording path;
            default: next to it, ``.truth.json`` in place of
            ``.landmarks.jsonl[.gz]``.

    Returns:
        ``(recording_path, truth_path)``.
    """
    out = Path(out)
    if out.name.endswith((".jsonl", ".jsonl.gz")):
        recording = out
        stem = out.name.split(".landmarks")[0].split(".jsonl")[0]
    else:
        recording = out / f"{session.spec.name}.landmarks.jsonl.gz"
        stem = session.spec.name
    truth = (
        Path(truth_path) if truth_path is not None else recording.with_name(f"{stem}.truth.json")
    )
    recording.parent.mkdir(parents=True, exist_ok=True)
    truth.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(recording) as partial:
        write_recording(partial, session.info, session.frames)
    with atomic_write(truth, encoding="utf-8") as f:
        f.write(json.dumps(session.truth, separators=(",", ":")))
    return recording, truth
