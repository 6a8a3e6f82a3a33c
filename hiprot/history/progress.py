"""Progress over weeks, from the stored sessions: what ``hiprot history`` shows.

Sessions per ISO week against the 3-4 a week goal, best range per leg over
time (and how far to trust it), left/right asymmetry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hiprot import drill, words
from hiprot.history.store import SessionRecord
from hiprot.landmarks import Side

#: The drill's goal: 3-4 training days a week.
GOAL_DAYS_PER_WEEK = (3, 4)


@dataclass(frozen=True)
class WeekSummary:
    """One ISO week of training.

    Attributes:
        monday: First day of the week.
        sessions: Sessions with at least one rep.
        days: Distinct days with such a session: what the 3-4 a week goal counts
            (two sets on one day are one training day).
        reps: Reps per leg.
        best_internal_deg: Best internal rotation per leg that week, ``None``
            when the leg was not trained.
    """

    monday: date
    sessions: int
    days: int
    reps: dict[Side, int]
    best_internal_deg: dict[Side, float | None]

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def status(self) -> str:
        low, high = GOAL_DAYS_PER_WEEK
        return "below goal" if self.days < low else "on goal" if self.days <= high else "above goal"

    @property
    def asymmetry_deg(self) -> float | None:
        """Left minus right best internal rotation; ``None`` unless both legs trained."""
        left, right = self.best_internal_deg[Side.LEFT], self.best_internal_deg[Side.RIGHT]
        return None if left is None or right is None else left - right


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def by_week(
    records: Sequence[SessionRecord], weeks: Sequence[WeekSummary]
) -> dict[date, list[SessionRecord]]:
    """The sessions of each of ``weeks``, by its Monday."""
    return {
        w.monday: [r for r in records if _monday(r.started_at.date()) == w.monday] for w in weeks
    }


def weekly(records: Sequence[SessionRecord], today: date | None = None) -> list[WeekSummary]:
    """Every ISO week from the first session's to ``today``'s, empty weeks included.

    Only sessions with reps count: a recording of something else is not training.
    """
    trained = [r for r in records if r.reps]
    if not trained:
        return []
    days = [r.started_at.date() for r in trained]
    first = _monday(min(days))
    last = _monday(max([*days, today or date.today()]))
    weeks = []
    monday = first
    while monday <= last:
        these = [r for r, day in zip(trained, days) if _monday(day) == monday]
        weeks.append(
            WeekSummary(
                monday=monday,
                sessions=len(these),
                days=len({r.started_at.date() for r in these}),
                reps={side: sum(r.rep_count(side) for r in these) for side in Side},
                best_internal_deg={
                    side: max(
                        (v for r in these if (v := r.best_internal_deg(side)) is not None),
                        default=None,
                    )
                    for side in Side
                },
            )
        )
        monday += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class Best:
    """A leg's best internal rotation over some sessions, and how far to trust it.

    Attributes:
        deg: Degrees from neutral.
        capped: It sat at the camera view's limit: the leg may have turned further.
        implausible: Beyond the normal hip range (``drill.PLAUSIBLE_INTERNAL_MAX_DEG``):
            a misread, not a range.
    """

    deg: float
    capped: bool = False
    implausible: bool = False


def best_internal(records: Sequence[SessionRecord], side: Side) -> Best | None:
    """The best internal rotation of ``side`` over ``records``: the highest
    plausible one (an implausible one only when there is nothing else)."""
    readings = [
        Best(
            value,
            f"{side.value}-in" in r.capped,
            value > drill.PLAUSIBLE_INTERNAL_MAX_DEG,
        )
        for r in records
        if (value := r.best_internal_deg(side)) is not None
    ]
    if not readings:
        return None
    return max(readings, key=lambda b: (not b.implausible, b.deg, b.capped))


def asymmetry_words(left: Best | None, right: Best | None) -> str | None:
    """What can honestly be said of left against right; None if a leg is missing.

    A difference within ``drill.MEASUREMENT_ERROR_DEG`` is called that, a
    capped weaker leg or an implausible reading makes the difference unknown.
    """
    if left is None or right is None:
        return None
    if left.implausible or right.implausible:
        return "not known (an implausible reading)"
    weaker_side, weaker = ("left", left) if left.deg < right.deg else ("right", right)
    if weaker.capped:
        return f"not known (the {weaker_side} leg's reading was capped by the camera view)"
    difference = abs(left.deg - right.deg)
    if difference < drill.MEASUREMENT_ERROR_DEG:
        return (
            f"left and right {words.WITHIN_ERROR} ({difference:.0f}° apart, "
            f"under {drill.MEASUREMENT_ERROR_DEG:.0f}°)"
        )
    return f"{difference:.0f}° less internal rotation on the {weaker_side} side"
