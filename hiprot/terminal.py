"""What the terminal shows: rich tables and lines, fitted to an 80-column terminal.

The commands (``hiprot.cli``) print what these return; nothing here reads
files or runs the pipeline. Words and signs come from ``hiprot.words``,
so a rep is "held" or "no hold" here as in the HTML report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from hiprot import drill, words
from hiprot.history import (
    GOAL_DAYS_PER_WEEK,
    Best,
    SessionRecord,
    WeekSummary,
    asymmetry_words,
    best_internal,
)
from hiprot.landmarks import Side
from hiprot.reps import Mode, Rep
from hiprot.session import LegSummary

Range = tuple[float, float] | None


def progress_bar(console: Console) -> Progress:
    """A progress bar that stays quiet when ``console`` is not a terminal."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


# ---------------------------------------------------------------- one set


def rep_table(reps: Sequence[Rep]) -> Table:
    """Every rep, one line each; fits an 80-column terminal."""
    table = Table(title="Reps", header_style="bold")
    for column in ("leg", "#", "start", "in", "out", "hold", "", "tempo", "from"):
        table.add_column(column, justify="right", no_wrap=True)
    for rep in reps:
        table.add_row(
            rep.leg.value,
            str(rep.index),
            f"{rep.start_s:.1f} s",
            words.degrees(rep.peak_internal_deg),
            words.degrees(rep.peak_external_deg),
            f"{rep.hold_s:.1f} s",
            f"[green]{words.HELD}[/]" if rep.held else f"[yellow]{words.NOT_HELD}[/]",
            words.CONTROLLED if rep.controlled else f"[yellow]{words.TOO_FAST}[/]",
            f"[red]{words.ANKLES}[/]" if rep.compensation else words.HIPS,
        )
    return table


def leg_lines(
    legs: Mapping[Side, LegSummary], capped: Mapping[Side, tuple[bool, bool]] | None = None
) -> list[str]:
    """One line of totals per leg; ``capped`` says, per leg, whether its best
    (in, out) reading sits at the camera view's limit (``report.capped``)."""
    lines = []
    for side, leg in legs.items():
        best_in = words.degrees(leg.peak_internal_deg)
        best_out = words.degrees(leg.peak_external_deg)
        at_in, at_out = (capped or {}).get(side, (False, False))
        note = f" ({words.CAPPED}: as far as this camera view can read)" if at_in or at_out else ""
        best_in = f"≥{best_in}" if at_in else best_in
        best_out = f"≤{best_out}" if at_out else best_out
        totals = words.leg_line(
            leg.reps, leg.held_reps, leg.controlled_reps, leg.compensated_reps, best_in, best_out
        )
        lines.append(f"[bold]{side.value}[/]: {totals}{note}")
    return lines


def position_line(time_in_position_s: Mapping[Side, float]) -> str:
    times = ", ".join(f"{side.value} {t:.0f} s" for side, t in time_in_position_s.items())
    return f"In position (legs up the wall): {times}"


# ---------------------------------------------------------------- a folder of sets


def folder_table(outcomes: Iterable, mode: Mode, width: int = 80) -> Table:
    """One row per reviewed file (``review_files.ReviewOutcome``); file names
    cut in the middle (or wrapped) to fit ``width``."""
    sides = [s.value[0].upper() for s in mode.sides]
    columns = ("file", "seen", *(f"{s} reps" for s in sides), "held", "fast", "ankles")
    columns += tuple(f"{s} in" for s in sides)
    ordered = sorted(outcomes, key=lambda o: o.source.name)
    rows = [folder_cells(outcome, mode.sides) for outcome in ordered]
    table = fitted_table("Reviewed", columns, rows, [o.source.name for o in ordered], width, 0)
    table.caption = FOLDER_KEY
    return table


def folder_cells(outcome: Any, sides: Sequence[Side]) -> tuple[str, ...]:
    """One reviewed file's numbers (``review_files.ReviewOutcome``), as the
    folder's terminal table and HTML summary show them: the share of frames
    with a person, reps per leg, held, too fast and from the ankles, best
    internal rotation per leg (``internal_cell``)."""
    summary = outcome.summary
    tracked = summary.tracking.frames_with_pose / max(summary.tracking.frames, 1)
    capped = getattr(outcome, "capped", ())
    return (
        f"{100 * tracked:.0f}%",
        *(str(summary.legs[s].reps) for s in sides),
        str(sum(r.held for r in summary.reps)),
        str(sum(not r.controlled for r in summary.reps)),
        str(sum(r.compensation for r in summary.reps)),
        *(
            internal_cell(summary.legs[s].peak_internal_deg, f"{s.value}-in" in capped)
            for s in sides
        ),
    )


def internal_cell(best_in: float | None, capped: bool) -> str:
    """A best internal rotation as the tables show it: ``≥`` capped, ``?`` implausible."""
    cell = ("≥" if capped else "") + words.degrees(best_in)
    if best_in is not None and best_in > drill.PLAUSIBLE_INTERNAL_MAX_DEG:
        cell += "?"
    return cell


def fitted_table(
    title: str,
    columns: tuple[str, ...],
    rows: list[tuple[str, ...]],
    names: list[str],
    width: int,
    name_column: int,
) -> Table:
    """A table ``width`` wide at most, whose name column takes the room the
    others leave (one space between columns): names cut in the middle, or
    wrapped if no cut keeps them apart."""
    others = [c for i, c in enumerate(columns) if i != name_column]
    widest = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(others)]
    name_width = max(12, width - sum(widest) - (len(columns) - 1))
    fitted = words.fit_names(names, name_width)
    table = Table(
        title=title,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        padding=0,
        collapse_padding=True,
        show_edge=False,
    )
    for i, column in enumerate(columns):
        is_name = i == name_column
        table.add_column(
            column,
            justify="left" if is_name or column == "date" else "right",
            no_wrap=not is_name,
            overflow="fold",
            max_width=name_width if is_name else None,
        )
    for name, row in zip(fitted, rows):
        cells = list(row)
        cells.insert(name_column, Text(name))  # a file name is never markup
        table.add_row(*cells)
    return table


# ---------------------------------------------------------------- the history

FOLDER_KEY = "≥ capped by the camera view · ? implausible"
HISTORY_KEY = f"{FOLDER_KEY} · ≈ {words.WITHIN_ERROR} ({drill.MEASUREMENT_ERROR_DEG:.0f}°)"
_STATUS_STYLE = {"below goal": "yellow", "on goal": "green", "above goal": "cyan"}


def week_table(
    person: str, weeks: Sequence[WeekSummary], by_week: Mapping[date, list[SessionRecord]]
) -> Table:
    """Training days, reps and best range per ISO week, against the goal."""
    low, high = GOAL_DAYS_PER_WEEK
    table = Table(
        title=f"{person}: training days per ISO week (goal {low}-{high})",
        header_style="bold",
        caption=HISTORY_KEY,
    )
    for column in ("week", "sets", "days", "goal", "L reps", "R reps", "L in", "R in", "L−R"):
        table.add_column(
            column, justify="left" if column in ("week", "goal") else "right", no_wrap=True
        )
    for week in weeks:
        these = by_week[week.monday]
        left, right = best_internal(these, Side.LEFT), best_internal(these, Side.RIGHT)
        table.add_row(
            week.label,
            str(week.sessions),
            str(week.days),
            f"[{_STATUS_STYLE[week.status]}]{week.status.removesuffix(' goal')}[/]",
            str(week.reps[Side.LEFT]),
            str(week.reps[Side.RIGHT]),
            best_cell(left),
            best_cell(right),
            asymmetry_cell(left, right),
        )
    return table


def session_table(records: Sequence[SessionRecord], width: int) -> Table:
    """One row per session: date, source (cut to fit), reps and best in / out per leg."""
    return fitted_table(
        "Range per session: reps, best in / out (degrees from neutral)",
        ("date", "source", *(side.value for side in Side)),
        [
            (
                record.started_at.strftime("%Y-%m-%d"),
                *(session_cell(record, side) for side in Side),
            )
            for record in records
        ],
        [r.source + ("" if r.complete else " (cut short)") for r in records],
        width,
        1,
    )


def progress_lines(
    trained: Sequence[SessionRecord],
    weeks: Sequence[WeekSummary],
    by_week: Mapping[date, list[SessionRecord]],
) -> list[str]:
    """Adherence over the last four weeks, first / latest / best range per leg,
    and the latest week's asymmetry."""
    low, high = GOAL_DAYS_PER_WEEK
    recent = weeks[-4:]
    on_goal = sum(w.status == "on goal" for w in recent)
    lines = [
        f"Adherence: {on_goal} of the last {words.plural(len(recent), 'week')} on the "
        f"{low}-{high} days goal."
    ]
    for side in Side:
        bests = [b for r in trained if (b := best_internal([r], side)) is not None]
        plausible = [b for b in bests if not b.implausible]
        if len(plausible) >= 2:
            top = max(plausible, key=lambda b: b.deg)
            lines.append(
                f"{side.value.capitalize()} internal rotation: first {best_cell(plausible[0])}, "
                f"latest {best_cell(plausible[-1])}, best {best_cell(top)}."
            )
        if len(plausible) < len(bests):
            lines.append(
                f"{side.value.capitalize()}: {words.plural(len(bests) - len(plausible), 'session')}"
                f" with an implausible reading (over "
                f"{drill.PLAUSIBLE_INTERNAL_MAX_DEG:.0f}° in), left out of the best."
            )
    latest = next((w for w in reversed(weeks) if w.asymmetry_deg is not None), None)
    if latest is not None:
        these = by_week[latest.monday]
        said = asymmetry_words(best_internal(these, Side.LEFT), best_internal(these, Side.RIGHT))
        lines.append(f"Asymmetry ({latest.label}): {said}.")
    return lines


def best_cell(best: Best | None) -> str:
    if best is None:
        return "–"
    text = words.degrees(best.deg)
    return ("≥" if best.capped else "") + text + ("?" if best.implausible else "")


def asymmetry_cell(left: Best | None, right: Best | None) -> str:
    said = asymmetry_words(left, right)
    if said is None or left is None or right is None:
        return "–"
    if said.startswith("not known"):
        return words.CAPPED if "capped" in said else "?"
    if said.startswith("left and right within"):
        return "≈"
    return words.degrees(left.deg - right.deg)


def session_cell(record: SessionRecord, side: Side) -> str:
    reps = record.rep_count(side)
    if not reps:
        return "–"
    best_in = record.best_internal_deg(side)
    best_out = record.best_external_deg(side)
    cell_in = internal_cell(best_in, f"{side.value}-in" in record.capped)
    cell_out = ("≤" if f"{side.value}-out" in record.capped else "") + words.degrees(best_out)
    if best_out is not None and best_out < -drill.PLAUSIBLE_EXTERNAL_MAX_DEG:
        cell_out += "?"
    return f"{reps}: {cell_in} / {cell_out}"


def people_table(everyone: Sequence[tuple[str, int, datetime | None]], path: Path) -> Table:
    table = Table(title=Text(f"People in {path}"), header_style="bold")
    for column in ("person", "sessions", "latest"):
        table.add_column(column, justify="right" if column == "sessions" else "left")
    for name, count, latest in everyone:
        table.add_row(Text(name), str(count), latest.strftime("%Y-%m-%d") if latest else "–")
    return table


# ---------------------------------------------------------------- models


def models_table(entries: Iterable) -> Table:
    """The landmark models (``hiprot.models.status``): installed or not, size, path."""
    table = Table(title="MediaPipe pose landmark models", header_style="bold")
    for column in ("model", "installed", "size"):
        table.add_column(column)
    table.add_column("path", overflow="fold")
    for entry in entries:
        table.add_row(
            entry.name,
            "[green]yes[/]" if entry.installed else "[yellow]no[/]",
            f"{entry.size / 1e6:.1f} MB",
            str(entry.path),
        )
    return table
