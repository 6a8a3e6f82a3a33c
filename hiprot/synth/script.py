"""Scripted drill sessions: true femur rotation and ankle twist, and true reps.

A script is, per leg, a list of keyframes (time, femur ``theta``, twist
``phi``) joined by smoothstep ramps (zero velocity at every keyframe, like a
person turning round). It starts with >= 3 s of neutral stillness (what
auto-calibration uses), then sets of reps with rests, fidgets and partial
reps between them, and ends still. Angles are degrees relative to the
person's neutral, internal positive.

The truth of each rep (``hiprot.synth.truth``) is read off the noiseless
trajectory sampled at ``TRUTH_RATE_HZ``, and every sampled rep is redrawn
until it is unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.landmarks import Side
from hiprot.synth.truth import RepTruth, keeps_margins, rep_truth

FloatArray = npt.NDArray[np.float64]

#: Sampling rate of the dense trajectory the truth is computed on.
TRUTH_RATE_HZ = 500.0

#: Rep kinds a scenario can draw.
REP_KINDS = ("clean", "unheld", "fast", "fast_held", "ankle")


@dataclass(frozen=True)
class Scenario:
    """What happens in a session.

    Attributes:
        name: Key in ``SCENARIOS``.
        description: One line for docs and reports.
        kind_weights: Relative frequency of each rep kind (``REP_KINDS``).
        sets: Number of sets.
        partial_prob: Chance of a partial rep (inside the neutral band)
            before each rep.
        fidget_prob: Chance of small fidgets in each rest.
        lag_s: Range of the right leg's lag behind the left in ``both`` mode.
        asymmetric: Left and right ranges differ by at least 10 degrees.
    """

    name: str
    description: str
    kind_weights: dict[str, float]
    sets: int = 1
    partial_prob: float = 0.0
    fidget_prob: float = 0.3
    lag_s: tuple[float, float] = (0.0, 0.0)
    asymmetric: bool = False


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("clean", "every rep controlled, held and from the hips", {"clean": 1.0}),
        Scenario(
            "tempo",
            "varied tempo: held, unheld and too-fast reps mixed",
            {"clean": 0.4, "unheld": 0.25, "fast": 0.2, "fast_held": 0.15},
        ),
        Scenario(
            "fast",
            "mostly too-fast reps (inward < 0.6 s)",
            {"fast": 0.6, "fast_held": 0.2, "clean": 0.2},
        ),
        Scenario(
            "no_hold",
            "mostly reps without the end-range hold",
            {"unheld": 0.7, "clean": 0.3},
        ),
        Scenario(
            "ankle",
            "some reps done from the ankles (foot turns, femur barely)",
            {"clean": 0.55, "ankle": 0.45},
        ),
        Scenario(
            "partials",
            "full reps between partial reps and fidgets",
            {"clean": 0.7, "unheld": 0.3},
            partial_prob=0.5,
            fidget_prob=0.9,
        ),
        Scenario(
            "out_of_phase",
            "both legs, the right one lagging by 0.15-0.6 s",
            {"clean": 0.7, "unheld": 0.3},
            lag_s=(0.15, 0.6),
        ),
        Scenario(
            "asymmetric",
            "clearly different ranges per leg",
            {"clean": 0.8, "unheld": 0.2},
            asymmetric=True,
        ),
        Scenario(
            "two_sets",
            "two sets with a rest between",
            {"clean": 0.7, "unheld": 0.15, "fast": 0.15},
            sets=2,
        ),
        Scenario(
            "mixed",
            "a realistic mix of everything",
            {"clean": 0.4, "unheld": 0.15, "fast": 0.15, "fast_held": 0.1, "ankle": 0.2},
            partial_prob=0.2,
            fidget_prob=0.6,
            lag_s=(0.0, 0.3),
        ),
    )
}


# ---------------------------------------------------------------- trajectories


def smoothstep(x: FloatArray) -> FloatArray:
    """``3x^2 - 2x^3`` on ``[0, 1]``: a ramp that starts and stops at rest."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


@dataclass(frozen=True)
class Track:
    """One leg's keyframed trajectory.

    Attributes:
        t_s: ``(k,)`` keyframe times, increasing.
        femur_deg: ``(k,)`` femur rotation at each keyframe.
        twist_deg: ``(k,)`` ankle twist at each keyframe.
    """

    t_s: FloatArray
    femur_deg: FloatArray
    twist_deg: FloatArray

    def at(self, t_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``(femur_deg, twist_deg)`` at times ``t_s`` (any shape); held at the ends."""
        t_s = np.asarray(t_s, dtype=np.float64)
        i = np.clip(np.searchsorted(self.t_s, t_s, side="right") - 1, 0, self.t_s.size - 2)
        t0, t1 = self.t_s[i], self.t_s[i + 1]
        s = smoothstep((t_s - t0) / np.maximum(t1 - t0, 1e-12))
        femur = self.femur_deg[i] + (self.femur_deg[i + 1] - self.femur_deg[i]) * s
        twist = self.twist_deg[i] + (self.twist_deg[i + 1] - self.twist_deg[i]) * s
        return femur, twist

    def shifted(self, lag_s: float, after_s: float) -> Track:
        """The same motion, keyframes after ``after_s`` delayed by ``lag_s``."""
        t_s = np.where(self.t_s > after_s, self.t_s + lag_s, self.t_s)
        return Track(t_s, self.femur_deg, self.twist_deg)


@dataclass
class _TrackBuilder:
    """Appends moves to one or two legs' keyframes."""

    t_s: list[float] = field(default_factory=lambda: [0.0])
    femur: dict[Side, list[float]] = field(default_factory=lambda: {s: [0.0] for s in Side})
    twist: dict[Side, list[float]] = field(default_factory=lambda: {s: [0.0] for s in Side})

    @property
    def now_s(self) -> float:
        return self.t_s[-1]

    def move(self, duration_s: float, femur: dict[Side, float], twist: dict[Side, float]) -> None:
        """Ramp every leg to new angles over ``duration_s``."""
        self.t_s.append(self.now_s + duration_s)
        for side in Side:
            self.femur[side].append(femur[side])
            self.twist[side].append(twist[side])

    def stay(self, duration_s: float) -> None:
        self.move(
            duration_s,
            {s: self.femur[s][-1] for s in Side},
            {s: self.twist[s][-1] for s in Side},
        )

    def tracks(self) -> dict[Side, Track]:
        t = np.asarray(self.t_s)
        return {s: Track(t, np.asarray(self.femur[s]), np.asarray(self.twist[s])) for s in Side}


# ---------------------------------------------------------------- sampling reps


@dataclass(frozen=True)
class RepPlan:
    """One rep for the active legs: shared timing, per-leg targets (degrees).

    ``femur`` and ``twist`` map each active leg to its (external, internal,
    end-of-hold) values; durations are seconds.
    """

    kind: dict[Side, str]
    out_s: float
    pause_s: float
    in_s: float
    hold_s: float
    return_s: float
    femur: dict[Side, tuple[float, float, float]]
    twist: dict[Side, tuple[float, float, float]]

    @property
    def duration_s(self) -> float:
        return self.out_s + self.pause_s + self.in_s + self.hold_s + self.return_s

    def build(self, builder: _TrackBuilder, rest: dict[Side, tuple[float, float]]) -> None:
        """Append this rep; legs not in the plan stay at ``rest`` (femur, twist)."""

        def pose(i: int) -> tuple[dict[Side, float], dict[Side, float]]:
            femur = {s: self.femur[s][i] if s in self.femur else rest[s][0] for s in Side}
            twist = {s: self.twist[s][i] if s in self.twist else rest[s][1] for s in Side}
            return femur, twist

        builder.move(self.out_s, *pose(0))
        builder.stay(self.pause_s)
        builder.move(self.in_s, *pose(1))
        builder.move(self.hold_s, *pose(2))
        builder.move(self.return_s, *(dict.fromkeys(Side, 0.0), dict.fromkeys(Side, 0.0)))
        for side in Side:
            if side not in self.femur:
                builder.femur[side][-1], builder.twist[side][-1] = rest[side]


def _ramp_fraction_within(tolerance_deg: float, amplitude_deg: float) -> float:
    """Fraction of a smoothstep ramp spent within ``tolerance_deg`` of its end."""
    if amplitude_deg <= tolerance_deg:
        return 1.0
    x = np.linspace(0.0, 1.0, 2001)
    return float(1.0 - np.interp(1.0 - tolerance_deg / amplitude_deg, smoothstep(x), x))


@dataclass(frozen=True)
class LegRange:
    """A person's range on one leg (degrees from neutral, both positive)."""

    internal_deg: float
    external_deg: float


def sample_ranges(rng: np.random.Generator, asymmetric: bool) -> dict[Side, LegRange]:
    """Per-leg ranges: internal 15-40, external 20-50 degrees."""
    while True:
        ranges = {
            s: LegRange(float(rng.uniform(18.0, 40.0)), float(rng.uniform(22.0, 50.0)))
            for s in Side
        }
        gap = abs(ranges[Side.LEFT].internal_deg - ranges[Side.RIGHT].internal_deg)
        if not asymmetric or gap >= 10.0:
            return ranges


def _leg_targets(
    kind: str, leg_range: LegRange, rng: np.random.Generator
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """(femur, twist) at (external peak, internal peak, end of hold)."""
    drift = float(rng.uniform(0.0, 1.0))  # the hold sags a little
    if kind == "ankle":
        femur = (float(rng.uniform(-4.0, -1.0)), float(rng.uniform(1.0, 4.0)))
        foot = (float(rng.uniform(-35.0, -20.0)), float(rng.uniform(18.0, 28.0)))
        twist = (foot[0] - femur[0], foot[1] - femur[1])
        return (femur[0], femur[1], femur[1] - drift), (twist[0], twist[1], twist[1])
    external = -leg_range.external_deg * float(rng.uniform(0.85, 1.0))
    internal = leg_range.internal_deg * float(rng.uniform(0.85, 1.0))
    follow = float(rng.uniform(-0.04, 0.04))  # the foot follows the femur a little
    return (external, internal, internal - drift), (
        follow * external,
        follow * internal,
        follow * internal,
    )


def sample_rep(
    kinds: dict[Side, str], ranges: dict[Side, LegRange], rng: np.random.Generator
) -> RepPlan:
    """Draw a rep for the active legs that keeps every truth margin.

    The inward and hold durations are solved from the wanted measured values
    (``rep_truth`` counts the ramps' ends near the peak as inward/hold time),
    then the whole rep is checked with ``rep_truth`` and redrawn if needed.
    """
    tol = drill.HOLD_TOLERANCE_DEG
    for _ in range(200):
        targets = {s: _leg_targets(kinds[s], ranges[s], rng) for s in kinds}
        inward_amp = min(
            (t[1] - t[0]) if kinds[s] != "ankle" else (t[1] + w[1] - t[0] - w[0])
            for s, (t, w) in targets.items()
        )
        return_amp = min(
            t[2] if kinds[s] != "ankle" else t[2] + w[2] for s, (t, w) in targets.items()
        )
        controlled = all(kinds[s] in ("clean", "unheld", "ankle") for s in kinds)
        held = all(kinds[s] in ("clean", "fast_held", "ankle") for s in kinds)
        reach_frac = 1.0 - _ramp_fraction_within(tol, inward_amp)
        # A slow inward ramp lingers near its end: unheld reps turn round quicker.
        if controlled:
            inward_s = rng.uniform(1.6, 3.5) if held else rng.uniform(1.6, 2.3)
        else:
            inward_s = rng.uniform(0.25, 0.5)
        in_s = inward_s / reach_frac
        return_s = float(rng.uniform(0.5, 1.5) if held else rng.uniform(0.5, 1.0))
        ramp_hold = in_s * (1.0 - reach_frac) + return_s * _ramp_fraction_within(
            tol - 1.0, return_amp
        )
        hold_s = max(0.0, rng.uniform(1.4, 3.0) - ramp_hold) if held else 0.0
        plan = RepPlan(
            kind=dict(kinds),
            out_s=float(rng.uniform(0.6, 1.8)),
            # A too-fast rep swings straight in: no pause to blur its start.
            pause_s=float(rng.uniform(0.0, 0.6)) if controlled else 0.0,
            in_s=float(in_s),
            hold_s=float(hold_s),
            return_s=return_s,
            femur={s: t for s, (t, _) in targets.items()},
            twist={s: w for s, (_, w) in targets.items()},
        )
        if all(keeps_margins(kinds[s], truth) for s, truth in _plan_truth(plan).items()):
            return plan
    raise RuntimeError(f"could not draw a {kinds} rep that keeps the truth margins")


def _plan_truth(plan: RepPlan) -> dict[Side, RepTruth]:
    """``rep_truth`` of a plan on its own, starting from exact neutral."""
    builder = _TrackBuilder()
    plan.build(builder, dict.fromkeys(Side, (0.0, 0.0)))
    t = np.arange(0.0, builder.now_s, 1.0 / TRUTH_RATE_HZ)
    tracks = builder.tracks()
    return {s: rep_truth(s, t, *tracks[s].at(t)) for s in plan.femur}


# ---------------------------------------------------------------- sessions


@dataclass(frozen=True)
class Script:
    """A scripted session.

    Attributes:
        tracks: Per leg, the true motion (``Track.at`` gives angles at any time).
        windows: Per active leg, ``(start_s, end_s)`` of each scripted rep.
        duration_s: Length of the session.
        neutral_until_s: End of the opening stillness.
        ranges: Per leg, the person's full range (the guided move reaches it;
            reps reach 85-100% of it).
        guided_s: ``(start_s, end_s)`` of the guided calibration move after
            the opening stillness; None: the session has none.
    """

    tracks: dict[Side, Track]
    windows: dict[Side, list[tuple[float, float]]]
    duration_s: float
    neutral_until_s: float
    ranges: dict[Side, LegRange] = field(default_factory=dict)
    guided_s: tuple[float, float] | None = None

    def angles(self, t_s: FloatArray) -> tuple[dict[Side, FloatArray], dict[Side, FloatArray]]:
        """Per-leg ``(femur_deg, twist_deg)`` at times ``t_s``, ``(n,)`` each."""
        femur, twist = {}, {}
        for side, track in self.tracks.items():
            femur[side], twist[side] = track.at(t_s)
        return femur, twist

    def reps(self, until_s: float | None = None) -> list[RepTruth]:
        """The true reps of every active leg, by start time.

        ``until_s`` cuts the session: reps not finished by then are left out.
        """
        reps = []
        for side, windows in self.windows.items():
            for start_s, end_s in windows:
                t = np.arange(start_s, end_s, 1.0 / TRUTH_RATE_HZ)
                truth = rep_truth(side, t, *self.tracks[side].at(t))
                if until_s is None or truth.end_s <= until_s:
                    reps.append(truth)
        return sorted(reps, key=lambda r: (r.start_s, r.leg.value))


def _fidget(
    builder: _TrackBuilder,
    legs: tuple[Side, ...],
    rng: np.random.Generator,
    amplitude_deg: float,
) -> None:
    """A small wobble of the given legs, staying inside the neutral band."""
    femur = {s: builder.femur[s][-1] for s in Side}
    twist = {s: builder.twist[s][-1] for s in Side}
    for side in legs:
        femur[side] = float(rng.uniform(-amplitude_deg, amplitude_deg))
        twist[side] = float(rng.uniform(-0.3, 0.3) * amplitude_deg)
    builder.move(float(rng.uniform(0.3, 0.9)), femur, twist)


def _partial(builder: _TrackBuilder, legs: tuple[Side, ...], rng: np.random.Generator) -> None:
    """A half-hearted rep: out and in, but inside the neutral band (margin 1.5)."""
    out = {s: -float(rng.uniform(2.0, 3.5)) if s in legs else builder.femur[s][-1] for s in Side}
    inn = {s: float(rng.uniform(2.0, 3.5)) if s in legs else builder.femur[s][-1] for s in Side}
    twist = {s: builder.twist[s][-1] for s in Side}
    builder.move(float(rng.uniform(0.5, 1.2)), out, twist)
    builder.move(float(rng.uniform(0.6, 1.5)), inn, twist)
    builder.move(
        float(rng.uniform(0.4, 1.0)),
        {s: 0.0 if s in legs else builder.femur[s][-1] for s in Side},
        twist,
    )


def _rep(
    builder: _TrackBuilder,
    scenario: Scenario,
    active: tuple[Side, ...],
    ranges: dict[Side, LegRange],
    weights: FloatArray,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """One rep of the worked legs, with the partial rep, rest and fidgets the
    scenario draws around it; returns the rep's scripted window."""
    if rng.random() < scenario.partial_prob:
        _partial(builder, active, rng)
    kind = str(rng.choice(REP_KINDS, p=weights / weights.sum()))
    kinds = dict.fromkeys(active, kind)
    if kind == "ankle" and len(active) == 2 and rng.random() < 0.5:
        kinds[active[int(rng.integers(2))]] = "clean"  # only one leg cheats
    plan = sample_rep(kinds, ranges, rng)
    rest = {s: (builder.femur[s][-1], builder.twist[s][-1]) for s in Side}
    start_s = builder.now_s
    plan.build(builder, rest)
    window = (start_s, builder.now_s)
    builder.stay(float(rng.uniform(0.2, 1.2)))
    if rng.random() < scenario.fidget_prob:
        _fidget(builder, active, rng, 1.5)
        _fidget(builder, active, rng, 0.5)
    idle = tuple(s for s in Side if s not in active)
    if idle and rng.random() < 0.3:
        _fidget(builder, idle, rng, 1.0)
    return window


def _guided_move(
    builder: _TrackBuilder,
    active: tuple[Side, ...],
    ranges: dict[Side, LegRange],
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Both worked legs fully out, held, fully in, held, back to neutral;
    returns its (start_s, end_s)."""
    start_s = builder.now_s
    twist = dict.fromkeys(Side, 0.0)

    def to(way: int) -> dict[Side, float]:
        full = {s: ranges[s].internal_deg if way > 0 else -ranges[s].external_deg for s in Side}
        return {s: full[s] if s in active and way else 0.0 for s in Side}

    builder.move(float(rng.uniform(1.0, 1.5)), to(-1), twist)
    builder.stay(drill.GUIDED_HOLD_S * float(rng.uniform(0.8, 1.1)))
    builder.move(float(rng.uniform(1.5, 2.2)), to(1), twist)
    builder.stay(drill.GUIDED_HOLD_S * float(rng.uniform(0.8, 1.1)))
    builder.move(float(rng.uniform(0.8, 1.2)), to(0), twist)
    end_s = builder.now_s
    builder.stay(float(rng.uniform(1.0, 2.0)))
    return start_s, end_s


def build_script(
    scenario: Scenario,
    active: tuple[Side, ...],
    rng: np.random.Generator,
    reps_per_set: int | None = None,
    guided_move: bool = False,
) -> Script:
    """Script a session.

    Args:
        scenario: What happens.
        active: Legs doing the drill (both, or one; the other stays still).
        rng: Random source.
        reps_per_set: Reps per set; ``None`` draws 10-15.
        guided_move: Start, after the opening stillness, with the guided
            calibration move (``_guided_move``) of the worked legs.

    Returns:
        The script; idle legs stay at neutral with tiny sway.
    """
    ranges = sample_ranges(rng, scenario.asymmetric)
    weights = np.array([scenario.kind_weights.get(k, 0.0) for k in REP_KINDS])
    builder = _TrackBuilder()
    windows: dict[Side, list[tuple[float, float]]] = {s: [] for s in active}

    # Opening stillness: the calibration period (tiny sway, 0.3 degrees).
    builder.stay(float(rng.uniform(0.5, 1.0)))
    for _ in range(3):
        _fidget(builder, tuple(Side), rng, 0.3)
    builder.stay(max(0.0, 3.5 - builder.now_s) + float(rng.uniform(0.0, 1.5)))
    neutral_until_s = builder.now_s
    guided_s = _guided_move(builder, active, ranges, rng) if guided_move else None

    for set_number in range(scenario.sets):
        if set_number:
            builder.stay(float(rng.uniform(4.0, 10.0)))
            _fidget(builder, tuple(Side), rng, 1.5)
        n_reps = reps_per_set if reps_per_set is not None else int(rng.integers(10, 16))
        for _ in range(n_reps):
            window = _rep(builder, scenario, active, ranges, weights, rng)
            for side in active:
                windows[side].append(window)
    builder.stay(float(rng.uniform(1.5, 3.0)))
    tracks = builder.tracks()

    lag_s = float(rng.uniform(*scenario.lag_s)) if len(active) == 2 else 0.0
    if lag_s > 0.0:
        tracks[Side.RIGHT] = tracks[Side.RIGHT].shifted(lag_s, neutral_until_s)
        windows[Side.RIGHT] = [(a + lag_s, b + lag_s) for a, b in windows[Side.RIGHT]]
    if lag_s > 0.0 and guided_s is not None:
        guided_s = (guided_s[0], guided_s[1] + lag_s)
    return Script(tracks, windows, builder.now_s + lag_s, neutral_until_s, ranges, guided_s)
