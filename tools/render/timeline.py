"""Scripted drill sets: per-frame true angles and the per-rep truth.

A set is a list of segments (a leg's femur rotation theta and ankle twist
phi easing from one value to another over a duration). Sampled at the video
frame rate and quantised to the render grid, it gives the angles each frame
shows. The rep truth (hold, controlled, compensation) is then measured from
those quantised frames with hiprot's own definitions (hiprot/drill.py), so
the truth describes exactly what was rendered.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo: hiprot.drill
from poses import quantise

from hiprot import drill

LEGS = ("left", "right")


@dataclass(frozen=True)
class Rep:
    """One scripted rep of the working leg(s)."""

    external_deg: float = -35.0
    internal_deg: float = 30.0
    out_s: float = 1.2  # neutral -> external peak
    pause_s: float = 0.3  # at the external peak
    inward_s: float = 2.0  # external peak -> internal end range
    hold_s: float = 1.5
    back_s: float = 1.2  # internal end range -> neutral
    rest_s: float = 1.2
    from_ankles: bool = False  # the swing is ankle twist phi, theta stays 0
    #: Share of the swing made by ankle twist phi, the rest by femur theta
    #: (a compensated rep); from_ankles is a share of 1.
    ankle_share: float = 0.0

    @property
    def share(self) -> float:
        """The share of the swing done from the ankles."""
        return 1.0 if self.from_ankles else self.ankle_share


@dataclass
class Script:
    """A set: which legs work, the reps, and still periods around them."""

    legs: tuple
    reps: list
    lead_in_s: float = 4.0
    tail_s: float = 2.0
    fps: float = 15.0
    knots: dict = field(default_factory=dict)  # filled by build()
    #: Optional angle levels (on the render grid) the motion snaps to instead
    #: of every 2.5 deg step: fewer distinct poses to render (benchmarks/render_suite).
    levels: tuple | None = None
    #: Optional per-leg factor on the swing (asymmetric mobility), e.g.
    #: {"right": 0.75}: that leg turns to 75% of the scripted angles.
    gain: dict = field(default_factory=dict)


def ease(a: float, b: float, n: int) -> np.ndarray:
    """n samples of a smooth (minimum-jerk) move from a to b, excluding a."""
    s = np.arange(1, n + 1) / n
    return a + (b - a) * (10 * s**3 - 15 * s**4 + 6 * s**5)


def frame_count(seconds: float, fps: float) -> int:
    """Whole frames in a duration."""
    return max(round(seconds * fps), 0)


def rep_curve(rep: Rep, fps: float) -> tuple[np.ndarray, list]:
    """The swinging angle of one rep per frame, and its phase boundaries."""

    def n(seconds: float) -> int:
        return frame_count(seconds, fps)

    parts = [
        ease(0.0, rep.external_deg, n(rep.out_s)),
        np.full(n(rep.pause_s), rep.external_deg),
        ease(rep.external_deg, rep.internal_deg, n(rep.inward_s)),
        np.full(n(rep.hold_s), rep.internal_deg),
        ease(rep.internal_deg, 0.0, n(rep.back_s)),
        np.zeros(n(rep.rest_s)),
    ]
    return np.concatenate(parts), np.cumsum([len(p) for p in parts]).tolist()


@dataclass
class Frames:
    """Per-frame quantised truth angles and the scripted rep spans."""

    t: np.ndarray
    femur: dict  # leg -> (N,) degrees
    twist: dict  # leg -> (N,) degrees
    spans: list  # (leg, rep index, first frame, end frame, Rep)
    #: leg -> (N,) degrees of pose.LegAngles.lower_deg, or None (in position)
    lower: dict | None = None


def build(script: Script) -> Frames:
    """Sample a script into quantised per-frame angles."""
    lead, tail = int(script.lead_in_s * script.fps), int(script.tail_s * script.fps)
    swing, spans, cursor = [np.zeros(lead)], [], lead
    kinds = [np.zeros(lead)]
    for i, rep in enumerate(script.reps, start=1):
        curve, bounds = rep_curve(rep, script.fps)
        active_end = cursor + bounds[4]  # back at neutral (before the rest)
        spans.extend((leg, i, cursor, active_end, rep) for leg in script.legs)
        swing.append(curve)
        kinds.append(np.full(len(curve), rep.share))
        cursor += len(curve)
    swing.append(np.zeros(tail))
    kinds.append(np.zeros(tail))
    swing, share = np.concatenate(swing), np.concatenate(kinds)
    if script.levels:
        grid = np.asarray(sorted(script.levels), float)

        def q(a: np.ndarray) -> np.ndarray:
            return grid[np.abs(np.asarray(a, float)[..., None] - grid).argmin(axis=-1)]
    else:
        q = np.vectorize(quantise)
    femur = {leg: np.zeros(len(swing)) for leg in LEGS}
    twist = {leg: np.zeros(len(swing)) for leg in LEGS}
    for leg in script.legs:
        leg_swing = swing * script.gain.get(leg, 1.0)
        # exact 0 / whole swing where share is 0 or 1 (no -0.0: cache names)
        hips, ankles = (1.0 - share) * leg_swing, share * leg_swing
        femur[leg] = q(np.where(share == 0, leg_swing, np.where(share == 1, 0.0, hips)))
        twist[leg] = q(np.where(share == 0, 0.0, np.where(share == 1, leg_swing, ankles)))
    return Frames(np.arange(len(swing)) / script.fps, femur, twist, spans)


def hold_seconds(theta: np.ndarray, fps: float) -> float:
    """Longest run of frames within the hold tolerance of the internal peak."""
    near = theta >= theta.max() - drill.HOLD_TOLERANCE_DEG
    best = run = 0
    for flag in near:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best / fps


def inward_seconds(angle: np.ndarray, fps: float) -> float:
    """Time from leaving the external peak to reaching the internal end range."""
    last_external = np.flatnonzero(angle == angle.min())[-1]
    reached = np.flatnonzero(angle >= angle.max() - drill.HOLD_TOLERANCE_DEG)
    return float(reached[reached > last_external][0] - last_external) / fps


def rep_truth(frames: Frames, fps: float) -> list[dict]:
    """Per-rep truth objects shaped like hiprot-session "reps" entries."""
    reps = []
    floor = drill.REP_MIN_EXCURSION_DEG
    for leg, _, first, end, _ in frames.spans:
        theta = frames.femur[leg][first:end]
        phi = frames.twist[leg][first:end]
        foot = theta + phi
        # a scripted rep neither angle takes past the drill's floor out and in
        # is a partial rep (hiprot.synth.truth's rule), e.g. one the grid snapped short
        if not any(a.min() <= -floor and a.max() >= floor for a in (theta, foot)):
            continue
        index = sum(r["leg"] == leg for r in reps) + 1
        femur_sweep, twist_sweep = np.ptp(theta), np.ptp(phi)
        compensated = bool(
            twist_sweep >= drill.COMPENSATION_MIN_TWIST_DEG
            and twist_sweep > drill.COMPENSATION_TWIST_TO_FEMUR_RATIO * femur_sweep
        )
        swing = foot if compensated else theta  # what the person swung
        hold = hold_seconds(swing, fps)  # on what the person swung, as hiprot.synth
        reps.append(
            {
                "leg": leg,
                "index": index,
                "start_s": round(first / fps, 3),
                "end_s": round(end / fps, 3),
                "peak_internal_deg": float(theta.max()),
                "peak_external_deg": float(theta.min()),
                "hold_s": round(hold, 3),
                "held": hold >= drill.HOLD_MIN_S,
                "controlled": inward_seconds(swing, fps) >= drill.CONTROLLED_MIN_INWARD_S,
                "compensation": compensated,
            }
        )
    return reps


def leg_summary(reps: list[dict]) -> dict:
    """Per-leg counts shaped like hiprot-session "legs"."""
    out = {}
    for leg in LEGS:
        mine = [r for r in reps if r["leg"] == leg]
        out[leg] = {
            "reps": len(mine),
            "held_reps": sum(r["held"] for r in mine),
            "controlled_reps": sum(r["controlled"] for r in mine),
            "compensated_reps": sum(r["compensation"] for r in mine),
            "peak_internal_deg": max((r["peak_internal_deg"] for r in mine), default=0.0),
            "peak_external_deg": min((r["peak_external_deg"] for r in mine), default=0.0),
        }
    return out


def both_legs_script() -> Script:
    """(a) 12 reps of both legs: most held, reps 4 and 9 without a hold,
    rep 7 swung from the ankles; peaks vary a little from rep to rep."""
    externals = [-35, -37.5, -32.5, -35, -37.5, -35, -35, -32.5, -35, -37.5, -35, -32.5]
    internals = [30, 27.5, 32.5, 30, 30, 27.5, 30, 32.5, 30, 27.5, 30, 30]
    reps = []
    for i, (ext, inn) in enumerate(zip(externals, internals), start=1):
        if i == 7:
            reps.append(Rep(-30.0, 30.0, hold_s=0.0, from_ankles=True))
        else:
            reps.append(Rep(ext, inn, hold_s=0.0 if i in (4, 9) else 1.5))
    return Script(legs=("left", "right"), reps=reps)


def left_leg_script() -> Script:
    """(b) 6 reps of the left leg, right leg still on the wall: rep 3 without
    a hold, rep 5 rushed inward (not controlled)."""
    reps = [
        Rep(-35, 30),
        Rep(-37.5, 30),
        Rep(-35, 27.5, hold_s=0.0),
        Rep(-32.5, 30),
        Rep(-35, 30, inward_s=0.6),
        Rep(-35, 32.5),
    ]
    return Script(legs=("left",), reps=reps)


SCRIPTS = {"wall_both_legs": both_legs_script, "wall_left_leg": left_leg_script}
