"""Live's stored result of a set: the set's frames read again, as review reads them.

While a set runs, live counts frame by frame (``hiprot.reading.live``) and
says each count at once. Review counts better on the same frames: it looks
at the whole set (zero-phase smoothing, the neutral re-taken from every
rest, the foot fit and the judgements over the whole set). So when a set
ends, live reads the set's frames again with review's reading
(``hiprot.review.review_pose_frames``, from live's own neutral) and stores
that as the set's result (summary, history); a count that changes is told
(``SetReread.note``). The re-read runs on a worker thread while the rest
timer shows (benchmarks/live_latency.py measures what it costs).

The re-read also gives each leg's range (``Reread.ranges``): the scale its
stored reps are in. The first set's, which holds the guided move, is the
one live announces the later sets in (``hiprot.live``).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from hiprot import findings
from hiprot.calibration import Calibration, LegRange
from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.reps import Mode, Rep
from hiprot.review import review_pose_frames
from hiprot.types import PoseFrame


@dataclass(frozen=True)
class SetSpan:
    """One set of a live session: its number and when it ran (seconds, frame time)."""

    number: int
    start_s: float
    end_s: float

    def reps_of(self, reps: Sequence[Rep], counted: Sequence[Rep] = ()) -> tuple[Rep, ...]:
        """The reps that belong to this set: those started within it, and
        one begun before "go" that turned in to its end range after it
        (``Rep.inward_s``) where live's counter counted it (a rep of
        ``counted``, the set's announced reps, turned in within it). Live
        starts counting at "go", so a person who starts early has that rep
        counted aloud; lying still before "go", noise can look like one
        too, and live's counter does not count that."""

        def announced(rep: Rep) -> bool:
            turned_in = [c.inward_s for c in counted if c.leg is rep.leg]
            return any(t is not None and rep.start_s <= t <= rep.end_s for t in turned_in)

        return tuple(
            rep
            for rep in reps
            if self.start_s <= rep.start_s <= self.end_s
            or (
                rep.start_s < self.start_s
                and rep.inward_s is not None
                and rep.inward_s >= self.start_s
                and announced(rep)
            )
        )


@dataclass(frozen=True)
class Reread:
    """A set as review reads it.

    Attributes:
        reps: The set's reps (``SetSpan.reps_of``), numbered from 1 per leg.
        ranges: Per worked leg, review's range (``Review.ranges``): where
            ``LegRange.in_scale`` is known, ``reps``' peaks are in degrees
            on it; a leg without one is absent.
        limits: Per leg, the (lowest, highest) femur reading the view can
            give, in ``reps``' units (``Review.femur_range_deg``): a peak
            there is capped (``report.capped``).
    """

    reps: tuple[Rep, ...]
    ranges: dict[Side, LegRange]
    limits: dict[Side, tuple[float, float] | None] = field(default_factory=dict)


def reread_set(
    pose_frames: Sequence[PoseFrame],
    span: SetSpan,
    mode: Mode,
    calibration: Calibration,
    size_wh: tuple[int, int],
    pose_model: str = "full",
    has_move: bool = False,
    counted: Sequence[Rep] = (),
) -> Reread | None:
    """The set by review's reading of ``pose_frames`` (the set, and what
    came before it since the last set: set-up, countdown and, with
    ``has_move``, the guided move live asked for), from ``calibration``;
    ``counted``: the reps live announced in the set (``SetSpan.reps_of``).
    None when review finds nothing to read (no person)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # live told its own findings as they came
            review = review_pose_frames(
                pose_frames,
                "live",
                mode,
                calibration,
                size_wh=size_wh,
                pose_model=pose_model,
                # looked for only where live asked for it: elsewhere a false
                # find would cost a rep
                has_move=has_move,
            )
    except HiprotError:
        return None
    return Reread(
        span.reps_of(review.reps, counted), dict(review.ranges), dict(review.femur_range_deg)
    )


class SetReread:
    """``reread_set`` on a worker thread: ``done()`` polls, ``result()`` waits;
    ``counted``: the reps live announced in the set, which ``note`` tells
    the stored count against."""

    def __init__(
        self,
        pose_frames: Sequence[PoseFrame],
        span: SetSpan,
        mode: Mode,
        calibration: Calibration,
        size_wh: tuple[int, int],
        pose_model: str = "full",
        has_move: bool = False,
        counted: Sequence[Rep] = (),
    ) -> None:
        self.span = span
        self.mode = mode
        self.has_move = has_move
        self.counted = tuple(counted)
        self._result: Reread | None = None
        self._thread = threading.Thread(
            target=self._run,
            args=(pose_frames, span, mode, calibration, size_wh, pose_model, has_move, counted),
            name=f"hiprot-reread-set-{span.number}",
            daemon=True,
        )
        self._thread.start()

    def _run(self, *args: object) -> None:
        self._result = reread_set(*args)  # type: ignore[arg-type]

    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> Reread | None:
        """The re-read set (waits for it); None: keep live's."""
        self._thread.join()
        return self._result

    def note(self, stored: Sequence[Rep]) -> tuple[str, str] | None:
        """What to tell when the stored count of a leg differs from the one
        announced during the set (``counted``): (terminal line, short
        on-screen notice), or None."""
        legs = self.mode.sides
        said = {side: sum(r.leg is side for r in self.counted) for side in legs}
        kept = {side: sum(r.leg is side for r in stored) for side in legs}
        if said == kept:
            return None

        def counts(by_leg: dict[Side, int]) -> str:
            return ", ".join(f"{side.value} {n}" for side, n in by_leg.items())

        params = {"set": self.span.number, "kept": counts(kept), "said": counts(said)}
        return findings.RECOUNTED.live(**params)[:2]
