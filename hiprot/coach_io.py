"""The coach's inputs and outputs: its configuration, stages, cues, utterances and views.

The coach (``hiprot.coach``) is configured by a ``CoachConfig``, takes
``Command``s and returns one ``CoachOutput`` per input; the window draws its
``CoachView`` (``hiprot.overlay``), the speaker says its ``Utterance``s
(``hiprot.voice``).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from hiprot import findings
from hiprot.calibration import Calibration
from hiprot.landmarks import Side
from hiprot.reading.filters import JITTER_MIN_S
from hiprot.reading.guided import GuidedMove
from hiprot.reading.neutral import STILL_TOLERANCE_DEG
from hiprot.reps import Mode, Rep
from hiprot.reread import SetSpan
from hiprot.session import SessionSummary


class Stage(enum.Enum):
    """Where the session is."""

    SETUP = "setup"  # waiting until the worked legs and feet are in view
    CALIBRATION = "calibration"  # lying still in neutral while a countdown runs
    GUIDED = "guided"  # waiting for the guided move (feet fully out, then fully in)
    SET = "set"  # counting reps
    REST = "rest"  # rest timer between sets
    SUMMARY = "summary"  # the session is over


class Cue(enum.Enum):
    """What the person should change; the value is the on-screen text."""

    LIE_DOWN = findings.LIE_DOWN.short
    FEET_INTO_VIEW = findings.FEET_INTO_VIEW.short
    HOLD_STILL = findings.HOLD_STILL.short
    HOLD = findings.NOT_HELD.short
    SLOWER = findings.TOO_FAST.short
    FROM_THE_HIPS = findings.FROM_ANKLES.short
    LEGS_UP = findings.LEGS_UP.short

    @property
    def clip(self) -> str:
        return self.name.lower()


class Command(enum.Enum):
    """What the person asked for (keys in the live window)."""

    PAUSE = "pause"
    RECALIBRATE = "recalibrate"
    MODE_LEFT = "left"
    MODE_RIGHT = "right"
    MODE_BOTH = "both"
    SKIP = "skip"  # skip the guided move


class Say(enum.IntEnum):
    """Kinds of utterance, in the order they are spoken when several wait."""

    CUE = 0  # corrective; dropped rather than said late (see hiprot.voice)
    ANNOUNCE = 1  # a stage change: "go", "rest", "next set", "done"
    COUNT = 2  # the rep count: always said, and first


@dataclass(frozen=True)
class Utterance:
    """One thing to say: a clip name (``hiprot/voice/clips/<clip>.wav``) and its kind."""

    clip: str
    kind: Say

    @classmethod
    def count(cls, n: int) -> Utterance:
        return cls(f"count_{n}", Say.COUNT)

    @classmethod
    def cue(cls, cue: Cue) -> Utterance:
        return cls(cue.clip, Say.CUE)

    @classmethod
    def announce(cls, clip: str) -> Utterance:
        return cls(clip, Say.ANNOUNCE)


@dataclass(frozen=True)
class RangeBest:
    """A leg's best femur range, degrees from neutral; None when never measured."""

    internal_deg: float | None = None
    external_deg: float | None = None

    def extend(self, reps: Sequence[Rep]) -> RangeBest:
        """This best, improved by ``reps``."""
        internal = [r.peak_internal_deg for r in reps] + [self.internal_deg]
        external = [r.peak_external_deg for r in reps] + [self.external_deg]
        return RangeBest(
            max((x for x in internal if x is not None), default=None),
            min((x for x in external if x is not None), default=None),
        )


@dataclass(frozen=True)
class LegGauge:
    """One leg on the HUD: femur degrees from neutral (internal positive).

    ``this_set`` is the range of this set's reps, ``best`` the person's best
    (earlier sessions and this one); ``current_deg`` is NaN when unmeasured.
    With ``scaled``, the internal side is in degrees on the leg's measured
    range (``hiprot.calibration.LegRange.in_scale``); else image degrees.
    """

    side: Side
    current_deg: float
    reps: int
    hold_s: float
    this_set: RangeBest
    best: RangeBest
    scaled: bool = False  # internal rotation in degrees (a known scale), else image degrees


@dataclass(frozen=True)
class CoachView:
    """Everything the HUD draws for one frame.

    Attributes:
        stage: Where the session is.
        title: The big headline ("Set 2 of 3", "Calibrating", "Rest").
        detail: One line under it saying what to do now.
        cue: The correction on screen, if any.
        countdown_s: Seconds left of a calibration or rest, if counting down.
        hold_s: Longest live hold among the worked legs (0 when not holding).
        paused: Counting and timers are frozen.
        summary: The session so far, in SUMMARY.
    """

    stage: Stage
    title: str
    detail: str
    cue: Cue | None
    mode: Mode
    set_number: int
    sets: int
    target_reps: int
    legs: tuple[LegGauge, ...]
    countdown_s: float | None
    hold_s: float
    paused: bool
    summary: SessionSummary | None = None


@dataclass(frozen=True)
class GuidedOutcome:
    """How the guided move went: looked for from ``after_s`` (the still
    neutral's end) to ``until_s``; ``moves`` per worked leg that made it, as
    live's reading saw it (``hiprot.reading.guided.leg_guided_move``); none:
    skipped, or not seen in time."""

    after_s: float
    until_s: float
    moves: dict[Side, GuidedMove]
    skipped: bool = False


@dataclass(frozen=True)
class CoachOutput:
    """The result of one input: what to show, say and save."""

    view: CoachView
    say: tuple[Utterance, ...] = ()
    reps: tuple[Rep, ...] = ()  # newly completed, numbered per leg across the session
    calibration: Calibration | None = None  # newly taken
    set_done: SetSpan | None = None  # a set just ended (``hiprot.reread``)
    guided: GuidedOutcome | None = None  # the guided move just ended (found, missed, skipped)


@dataclass(frozen=True)
class CoachConfig:
    """How a session runs. Validated on construction.

    Attributes:
        mode: Legs worked at the start (keys switch it).
        target_reps: Reps per leg per set.
        sets: Sets in the session.
        rest_s: Rest between sets.
        setup_s: Legs and feet must stay in view this long before starting.
        calibration_s: Stillness needed for the neutral (the countdown).
        settle_s: With a saved neutral (no countdown), stillness needed in
            set-up before the first set: live measures each leg's rep floor
            at rest on it (``JITTER_MIN_S``, the least its jitter is judged on).
        still_tolerance_deg: How far a worked foot angle may stray from its
            median and still count as still (the femur angle is too noisy
            to judge stillness; its neutral is the median).
        cue_show_s: How long a cue stays on screen.
        window: Whether a window shows the session (its keys are named).
        pose_model: The landmark model reading the camera (the summary names it).
        guided_move: Ask for the guided move after the still neutral, before
            the first set (``Stage.GUIDED``).
    """

    mode: Mode = Mode.BOTH
    target_reps: int = 12
    sets: int = 3
    rest_s: float = 60.0
    setup_s: float = 1.0
    calibration_s: float = 3.0
    settle_s: float = JITTER_MIN_S
    still_tolerance_deg: float = STILL_TOLERANCE_DEG
    cue_show_s: float = 3.0
    window: bool = True
    pose_model: str = "full"
    guided_move: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", Mode(self.mode))
        if self.target_reps < 1:
            raise ValueError(
                f"target reps must be at least 1, got {self.target_reps}; 10-15 is the drill"
            )
        if self.sets < 1:
            raise ValueError(f"sets must be at least 1, got {self.sets}")
        for name in ("rest_s", "setup_s", "calibration_s", "settle_s", "cue_show_s"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not self.still_tolerance_deg > 0:
            raise ValueError(f"still_tolerance_deg must be > 0, got {self.still_tolerance_deg}")
