"""Review and history outputs: per-frame CSV, angle plot, HTML report, trend plot.

Everything here reads the analysis results (angle series, reps, the
``SessionSummary``, history weeks and sessions) and writes
files; no analysis happens here.
"""

from __future__ import annotations

import base64
import csv
import html
import math
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: never needs a screen
import matplotlib.pyplot as plt
import numpy as np

from hiprot import drill, findings, words
from hiprot.errors import HiprotError
from hiprot.history import (
    GOAL_DAYS_PER_WEEK,
    SessionRecord,
    WeekSummary,
    asymmetry_words,
    best_internal,
)
from hiprot.landmarks import Side
from hiprot.profiles import DEFAULT_PERSON
from hiprot.reading.neutral import at_limit
from hiprot.reading.series import AngleSeries
from hiprot.reading.size import MIN_LEG_PX, LegLength
from hiprot.reps import Mode, Rep
from hiprot.safe_io import atomic_path, write_error
from hiprot.session import LegSummary, SessionSummary

PLOT_SIZE_PX = (1200, 700)
_DPI = 100
LEG_COLOURS = {Side.LEFT: "#1f77b4", Side.RIGHT: "#ff7f0e"}


def write_csv(series: AngleSeries, path: Path) -> Path:
    """Per-frame angles (degrees from neutral) and confidence for both legs."""
    columns = ["t_s", "has_pose"]
    for side in Side:
        columns += [
            f"{side.value}_{name}" for name in ("femur_deg", "foot_deg", "twist_deg", "confidence")
        ]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for i, t in enumerate(series.t_s):
            row: list[Any] = [f"{t:.4f}", int(series.has_pose[i])]
            for side in Side:
                a = series.legs[side]
                row += [
                    _fmt(a.femur_deg[i]),
                    _fmt(a.foot_deg[i]),
                    _fmt(a.twist_deg[i]),
                    f"{a.confidence[i]:.2f}",
                ]
            writer.writerow(row)
    return path


def _fmt(value: float) -> str:
    return "" if not np.isfinite(value) else f"{value:.2f}"


def plot_session(
    series: AngleSeries, reps: Sequence[Rep], sides: Sequence[Side], path: Path, title: str = ""
) -> Path:
    """Femur (thick) and foot (thin) angle against time, one panel per leg.

    Reps are shaded (red when compensated), holds marked with a bar at the
    internal peak, the neutral band drawn around 0.
    """
    fig, axes = plt.subplots(
        len(sides),
        1,
        sharex=True,
        squeeze=False,
        figsize=(PLOT_SIZE_PX[0] / _DPI, PLOT_SIZE_PX[1] / _DPI),
        dpi=_DPI,
    )
    for ax, side in zip(axes[:, 0], sides):
        a = series.legs[side]
        ax.axhspan(
            -drill.NEUTRAL_BAND_DEG, drill.NEUTRAL_BAND_DEG, color="0.92", label="neutral band"
        )
        ax.axhline(0, color="0.5", lw=0.8)
        for rep in (r for r in reps if r.leg is side):
            colour = "#d62728" if rep.compensation else "#2ca02c"
            ax.axvspan(
                rep.start_s, rep.end_s, color=colour, alpha=0.10 if not rep.compensation else 0.18
            )
            ax.annotate(
                str(rep.index),
                (rep.start_s, 0.97),
                xycoords=("data", "axes fraction"),
                fontsize=8,
                va="top",
                color="0.3",
            )
            hold = rep.hold_span_s
            if rep.held and hold is not None:
                ax.plot(
                    hold, [rep.peak_internal_deg] * 2, color="#9467bd", lw=4, solid_capstyle="butt"
                )
        ax.plot(series.t_s, a.foot_deg, color=LEG_COLOURS[side], lw=0.8, alpha=0.5, label="foot")
        ax.plot(series.t_s, a.femur_deg, color=LEG_COLOURS[side], lw=2.0, label="femur (hip)")
        ax.set_ylabel(f"{side.value} leg\n← external | internal → (°)")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    axes[-1, 0].set_xlabel("time (s)")
    fig.suptitle(
        title or "Hip rotation from neutral: shaded = reps (red = from the ankles), purple = hold"
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


Range = tuple[float, float] | None


def capped(
    peak_internal_deg: float | None, peak_external_deg: float | None, femur_range: Range
) -> tuple[bool, bool]:
    """(internal, external): which of a leg's best rotations sit at the limit
    of what the camera's view can read (``hiprot.reading.neutral.femur_range``)."""
    if femur_range is None:
        return False, False
    lowest, highest = femur_range
    return at_limit(peak_internal_deg, highest), at_limit(peak_external_deg, lowest)


def capped_readings(review) -> frozenset[str]:
    """A ``Review``'s best readings at the camera view's limit, as the history
    stores them: ``{"left-in", "right-out"}``."""
    found = set()
    for side, leg in review.summary.legs.items():
        at_in, at_out = capped(
            leg.peak_internal_deg, leg.peak_external_deg, review.femur_range_deg.get(side)
        )
        found |= {f"{side.value}-{way}" for way, at in (("in", at_in), ("out", at_out)) if at}
    return frozenset(found)


def capped_in_sets(
    sets: Iterable[tuple[Sequence[Rep], Mapping[Side, Range]]],
) -> frozenset[str]:
    """``capped_readings`` of a live session whose sets were each read as
    review reads them (``hiprot.reread``), each with its own readable limits
    (``(reps, limits)`` per set): a leg's best reading of the session is
    capped where a set that reached it reads it at its limit (``capped``)."""
    best: dict[str, tuple[float, bool]] = {}
    for reps, limits in sets:
        for side in {rep.leg for rep in reps}:
            leg = LegSummary.from_reps([rep for rep in reps if rep.leg is side])
            at = capped(leg.peak_internal_deg, leg.peak_external_deg, limits.get(side))
            for way, peak, at_way in (
                ("in", leg.peak_internal_deg, at[0]),
                ("out", leg.peak_external_deg, at[1]),
            ):
                if peak is None:
                    continue
                reach = peak if way == "in" else -peak  # outward, the lowest is the best
                key = f"{side.value}-{way}"
                seen, was = best.get(key, (-math.inf, False))
                if reach > seen:
                    best[key] = (reach, at_way)
                elif reach == seen:
                    best[key] = (reach, was or at_way)
    return frozenset(key for key, (_, at) in best.items() if at)


def small_leg(
    side: Side, length: LegLength, min_px: float = MIN_LEG_PX
) -> tuple[findings.Finding, dict[str, Any]]:
    """What to say of a leg too small in the picture (``short_legs``), and its
    parameters: measured on the leg itself or, when it is not seen
    clearly, on the other leg."""
    params = {"leg": side, "leg_px": length.px, "min_px": min_px}
    if length.measured_on is side:
        return findings.LEG_SMALL, params
    return findings.LEG_SMALL_UNSEEN, {**params, "other": length.measured_on.value}


def degree_notes(legs: Collection[Side], ranges: Mapping[Side, Any]) -> list[str]:
    """Per worked leg, the scale of its degrees (``hiprot.calibration.LegRange``
    per leg in ``ranges``; a leg absent has none): in degrees on the measured
    range, or image degrees and why (one sentence for legs that share a why)."""
    notes: list[str | list[Side]] = []
    image: dict[str, list[Side]] = {}
    for side in legs:
        leg = ranges.get(side)
        if leg is not None and leg.in_scale is not None:
            notes.append(
                findings.SCALED_DEGREES.sentence(
                    leg=side, measured_deg=leg.measured_in_deg, reading_deg=leg.in_reading_deg
                )
            )
            continue
        if leg is None or (leg.measured_in_deg is None and not leg.guided):
            why = "nothing"
        elif leg.in_capped:
            why = "capped"
        elif leg.past_range:
            why = "past_range"
        elif not leg.guided:
            why = "no_guided_move"
        else:
            why = "no_measured_range"
        if why not in image:
            image[why] = []
            notes.append(image[why])  # the sentence goes where its first leg is
        image[why].append(side)
    return [note if isinstance(note, str) else _image_degrees(note, image) for note in notes]


def _image_degrees(sides: list[Side], image: Mapping[str, list[Side]]) -> str:
    why = next(reason for reason, group in image.items() if group is sides)
    both = len(sides) == 2
    return findings.IMAGE_DEGREES.sentence(
        legs="Both legs" if both else f"{sides[0].value.capitalize()} leg",
        its="their" if both else "its",
        why=findings.why_image_degrees(why),
    )


def advice(
    legs: Mapping[Side, LegSummary],
    femur_range: Mapping[Side, Range] | None = None,
    jittery: Collection[Side] = (),
    small: Mapping[Side, LegLength] | None = None,
) -> list[str]:
    """What to work on next, from the session's numbers (``hiprot.findings``' sentences).

    Args:
        legs: The worked legs' totals (``SessionSummary.legs``).
        femur_range: Per leg, the (lowest, highest) femur angle the camera's
            view can read; a leg at its limit may have turned further, so it
            is not called the weaker one.
        jittery: The legs whose knee reading jittered too much to drive the
            count (``hiprot.review.Review.foot_driven``).
        small: The legs too small in the picture, with their length
            (``hiprot.reading.size.short_legs``).
    """
    ranges = femur_range or {}
    tips: list[str] = []
    for side, leg in legs.items():
        if small and side in small:
            finding, params = small_leg(side, small[side])
            tips.append(finding.sentence(**params))
        if side in jittery:
            tips.append(findings.KNEE_JITTER.sentence(leg=side))
        if leg.reps == 0:
            tips.append(_no_reps(side, legs))
        else:
            tips += _leg_advice(side, leg, ranges.get(side))
    asymmetry = _asymmetry(legs, ranges)
    if asymmetry:
        tips.append(asymmetry)
    return tips or [findings.CLEAN_SET.sentence()]


def _no_reps(side: Side, legs: Mapping[Side, LegSummary]) -> str:
    others = [other for other, leg in legs.items() if other is not side and leg.reps]
    if others:  # a one-leg set reviewed as both legs
        return findings.NO_REPS_ONE_LEG.sentence(leg=side, other=others[0].value)
    return findings.NO_REPS.sentence(leg=side)


def _leg_advice(side: Side, leg: LegSummary, leg_range: Range) -> list[str]:
    """A counted leg's tips: readings at the view's limit, holds, tempo, ankles."""
    tips = []
    if leg_range is not None:
        at_in, at_out = capped(leg.peak_internal_deg, leg.peak_external_deg, leg_range)
        # the readable limit is the image reading's, in the recommended view too:
        # moving the camera would not lift it, so no advice to move it
        for way, at, limit in (("in", at_in, leg_range[1]), ("out", at_out, leg_range[0])):
            if at:
                tips.append(findings.CAPPED.sentence(leg=side, way=way, limit=words.degrees(limit)))
    if leg.held_reps < leg.reps:
        missed, reps = leg.reps - leg.held_reps, words.plural(leg.reps, "rep")
        tips.append(findings.NOT_HELD.sentence(leg=side, missed=missed, reps=reps))
    if leg.controlled_reps < leg.reps:
        tips.append(findings.TOO_FAST.sentence(leg=side))
    if leg.compensated_reps:
        count = leg.compensated_reps
        tips.append(
            findings.FROM_ANKLES.sentence(
                leg=side, reps=words.plural(count, "rep"), were="was" if count == 1 else "were"
            )
        )
    return tips


def _asymmetry(legs: Mapping[Side, LegSummary], ranges: Mapping[Side, Range]) -> str | None:
    """The weaker leg's tip, when the difference is more than the measurement error
    and the weaker leg's reading is not at its view's limit."""
    if len(legs) != 2 or not all(leg.reps for leg in legs.values()):
        return None
    left, right = legs[Side.LEFT].peak_internal_deg, legs[Side.RIGHT].peak_internal_deg
    if left is None or right is None or abs(left - right) < drill.MEASUREMENT_ERROR_DEG:
        return None
    weaker = Side.LEFT if left < right else Side.RIGHT
    if capped(legs[weaker].peak_internal_deg, None, ranges.get(weaker))[0]:
        return None
    return findings.ASYMMETRY.sentence(difference_deg=abs(left - right), weaker=weaker.value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _deg(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}°".replace("-", "−")  # the terminal's minus


def _prose(text: str) -> str:
    """A finding's sentence as HTML: escaped, its `commands` as code, not backticks."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _notes(notes: Sequence[str]) -> str:
    return f"<ul>{''.join(f'<li>{_prose(n)}</li>' for n in notes)}</ul>" if notes else ""


def _degree_notes(notes: Sequence[str]) -> str:
    return "".join(f'\n<p class="note">{_prose(n)}</p>' for n in notes)


def _position_note(summary: SessionSummary) -> str:
    """Time in the drill's position per leg (session.json's ``position``)."""
    if summary.time_in_position_s is None:
        return ""
    if not summary.drill_seen:
        return f" · <b>{html.escape(findings.NOT_IN_POSITION.text())}</b>"
    times = ", ".join(f"{leg.value} {t:.0f} s" for leg, t in summary.time_in_position_s.items())
    return f" · in position (legs up the wall): {times}"


def _leg_table(summary: SessionSummary, femur_range: Mapping[Side, Range]) -> str:
    rows = []
    for side, leg in summary.legs.items():
        at_in, at_out = capped(leg.peak_internal_deg, leg.peak_external_deg, femur_range.get(side))
        rows.append(
            [
                side.value,
                leg.reps,
                leg.held_reps,
                leg.controlled_reps,
                leg.compensated_reps,
                _deg(leg.peak_internal_deg) + (f" ({words.CAPPED})" if at_in else ""),
                _deg(leg.peak_external_deg) + (f" ({words.CAPPED})" if at_out else ""),
            ]
        )
    headers = ["leg", "reps", words.HELD, words.CONTROLLED, words.FROM_ANKLES]
    return _table([*headers, "best in (internal)", "best out (external)"], rows)


def _rep_table(reps: Sequence[Rep]) -> str:
    rows = [
        [
            r.leg.value,
            r.index,
            f"{r.start_s:.1f}",
            f"{r.end_s:.1f}",
            _deg(r.peak_internal_deg),
            _deg(r.peak_external_deg),
            f"{r.hold_s:.1f} s",
            words.HELD if r.held else words.NOT_HELD,
            words.CONTROLLED if r.controlled else words.TOO_FAST,
            words.ANKLES if r.compensation else words.HIPS,
        ]
        for r in reps
    ]
    headers = ["leg", "#", "start (s)", "end (s)", "internal", "external"]
    return _table([*headers, "hold", "hold done", "tempo", "from the"], rows)


_STYLE = """body {
  font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1250px; color: #222;
}
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th { background: #f3f3f3; } img { max-width: 100%; }
.note { color: #666; font-size: 0.9em; }"""


def write_html(
    summary: SessionSummary,
    plot_png: Path | None,
    path: Path,
    femur_range: Mapping[Side, Range] | None = None,
    jittery: Collection[Side] = (),
    small: Mapping[Side, LegLength] | None = None,
    degrees: Sequence[str] = (),
    person: str | None = None,
    dated: datetime | None = None,
) -> Path:
    """One self-contained HTML file: summary, plot (embedded), per-rep table, advice
    (``femur_range``, ``jittery`` and ``small`` as in ``advice``), and what
    scale its degrees are on (``degrees``, from ``degree_notes``).

    ``person`` (named unless the default one) and ``dated`` (the recording's
    file time) head the page: a clinic's reports are told apart by client and day.
    """
    ranges = femur_range or {}
    image = ""
    if plot_png is not None and plot_png.exists():
        data = base64.b64encode(plot_png.read_bytes()).decode("ascii")
        image = f'<img alt="angle plot" src="data:image/png;base64,{data}">'
    tracking = summary.tracking
    source = html.escape(summary.source)
    tips = "".join(f"<li>{_prose(t)}</li>" for t in advice(summary.legs, ranges, jittery, small))
    interrupted = (
        '\n<p class="interrupted"><b>Interrupted:</b> this report covers the recording up to '
        f"{summary.duration_s:.1f} s only; it is not in your history.</p>"
        if summary.interrupted
        else ""
    )
    who = [html.escape(person)] if person and person != DEFAULT_PERSON else []
    when = [f"file dated {dated:%Y-%m-%d %H:%M}"] if dated is not None else []
    heading = " · ".join([f"<b>{source}</b>", *who, *when])
    title = ", ".join([*who, source, *(f"{dated:%Y-%m-%d}" for _ in when)])
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hiprot report: {title}</title>
<style>
{_STYLE}
</style></head><body>
<h1>Leg rotations on the wall: session report</h1>{interrupted}
<p>{heading} · {summary.duration_s:.0f} s · mode: {summary.mode.value}
 · person found in {tracking.frames_with_pose} of {tracking.frames} frames
 ({html.escape(tracking.model)} pose model){_position_note(summary)}
 · neutral: {words.neutral(summary.calibration.method)}</p>
<h2>What to work on next</h2><ul>{tips}</ul>
<h2>Per leg</h2>
{_leg_table(summary, ranges)}{_degree_notes(degrees)}
<h2>Angles</h2>{image}
<h2>Reps</h2>
{_rep_table(summary.reps)}
<p class="note">Angles are femur (hip) rotation in degrees from your neutral: in (internal)
positive, out (external) negative.
A rep is held when the inward end is kept {drill.HOLD_MIN_S:.0f} s or more, controlled when
turning in takes at least {drill.CONTROLLED_MIN_INWARD_S:.0f} s. Made by hiprot on this
computer; nothing was uploaded.</p>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path


#: The folder summary's name, in the reviewed folder (or ``review -o``).
FOLDER_SUMMARY = "hiprot-summary.html"


def write_folder_summary(
    outcomes: Sequence[Any],
    failures: Sequence[Any],
    mode: Mode,
    path: Path,
    person: str | None = None,
) -> Path:
    """The page a physiotherapist opens first after ``hiprot review FOLDER``:
    one row per reviewed file (``review_files.ReviewOutcome``), linked to its
    report, with what to look at (the file's warnings), and the files that
    could not be reviewed (``review_files.FileFailure``). Written whole or
    not at all."""
    from hiprot.terminal import FOLDER_KEY, folder_cells

    sides = mode.sides
    head = ["file", "file dated", "person seen"]
    head += [f"{s.value} reps" for s in sides] + [words.HELD, words.TOO_FAST, words.FROM_ANKLES]
    head += [f"{s.value} best in" for s in sides] + ["to look at"]
    rows = []
    for o in sorted(outcomes, key=lambda o: o.source.name):
        link = os.path.relpath(o.paths.html, path.parent)
        cells = [
            f'<a href="{html.escape(Path(link).as_posix())}">{html.escape(o.source.name)}</a>',
            f"{o.started_at:%Y-%m-%d %H:%M}",
            *(html.escape(cell) for cell in folder_cells(o, sides)),
            _notes([w.removeprefix(f"{o.source.name}: ") for w in o.warnings]),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    failed = "".join(f"<li>{html.escape(f.message)}</li>" for f in failures)
    who = f"{html.escape(person)}: " if person and person != DEFAULT_PERSON else ""
    title = f"hiprot: {who}{html.escape(path.parent.name)}"
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
{_STYLE}
td:first-child, td:last-child {{ text-align: left; }} td ul, td li {{ margin: 0; }}
</style></head><body>
<h1>{who}{words.plural(len(rows), "set")} reviewed</h1>
<table><thead><tr>{"".join(f"<th>{html.escape(h)}</th>" for h in head)}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="note">{html.escape(FOLDER_KEY)}. Degrees from each set's neutral, internal (in)
positive. Each file's name opens its report.</p>
{f"<h2>Not reviewed</h2><ul>{failed}</ul>" if failed else ""}
</body></html>
"""
    try:
        with atomic_path(path) as partial:
            partial.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise write_error(path, "the folder summary", exc) from None
    return path


HISTORY_PLOT_SIZE_PX = (1200, 900)


def plot_history(
    records: Sequence[SessionRecord], weeks: Sequence[WeekSummary], path: Path
) -> Path:
    """Progress over weeks, three panels sharing the date axis.

    Best internal (solid) and external (dashed) rotation per leg per session,
    capped readings as open triangles, implausible ones as crosses outside
    the line; training days per ISO week against the 3-4 day goal band; left
    minus right best internal rotation per week (``history.asymmetry_words``:
    pale inside the measurement-error band, "?" where it is not known).
    """
    fig, (ranges, days, asym) = plt.subplots(
        3,
        1,
        sharex=True,
        height_ratios=(3, 1.4, 1.2),
        figsize=(HISTORY_PLOT_SIZE_PX[0] / _DPI, HISTORY_PLOT_SIZE_PX[1] / _DPI),
        dpi=_DPI,
    )
    for side in Side:
        _plot_leg_range(ranges, records, side)
    ranges.axhline(0, color="0.5", lw=0.8)
    ranges.set_ylabel("best rotation per session (°)\n← external | internal →")
    ranges.legend(loc="best", fontsize=8, ncol=2)
    ranges.grid(alpha=0.3)
    mondays = [datetime.combine(w.monday, time(12)) for w in weeks]
    _plot_days(days, mondays, weeks)
    _plot_asymmetry(asym, mondays, weeks, records)
    fig.autofmt_xdate()
    fig.suptitle("hiprot progress: range per leg, sessions per week, left/right asymmetry")
    fig.tight_layout()
    try:
        with atomic_path(path) as partial:
            fig.savefig(partial, format=path.suffix.lstrip(".").lower() or "png")
    except OSError as exc:
        raise write_error(path, "the plot", exc) from None
    except ValueError as exc:  # a suffix matplotlib cannot write
        raise HiprotError(f"{path}: cannot write the plot ({exc})") from None
    finally:
        plt.close(fig)
    return path


_WEEK_WIDTH = timedelta(days=5)


def _plot_leg_range(ax, records: Sequence[SessionRecord], side: Side) -> None:
    """One leg's best internal (line) and external (dashed) rotation per session."""
    colour = LEG_COLOURS[side]
    trained = [r for r in records if r.best_internal_deg(side) is not None]
    when = [r.started_at for r in trained]
    internal = np.array([r.best_internal_deg(side) for r in trained], dtype=float)
    implausible = internal > drill.PLAUSIBLE_INTERNAL_MAX_DEG
    # an implausible reading is a misread: marked, never joined into the line
    label = f"{side.value} internal"
    ax.plot(when, np.where(implausible, np.nan, internal), "o-", color=colour, lw=2, label=label)
    at_cap = [f"{side.value}-in" in r.capped for r in trained]
    if any(at_cap):
        ax.plot(
            [w for w, c in zip(when, at_cap) if c],
            [v for v, c in zip(internal, at_cap) if c],
            "^",
            color="white",
            mec=colour,
            mew=2,
            ms=9,
            label=f"{side.value}: capped (may be higher)",
        )
    if implausible.any():
        ax.plot(
            [w for w, bad in zip(when, implausible) if bad],
            np.minimum(internal[implausible], drill.PLAUSIBLE_INTERNAL_MAX_DEG),
            "x",
            color=colour,
            mew=2,
            ms=10,
            label=f"{side.value}: implausible reading (drawn at the top)",
        )
    external = [r.best_external_deg(side) for r in trained]
    ax.plot(
        when, external, "s--", color=colour, lw=1, alpha=0.6, ms=4, label=f"{side.value} external"
    )


def _plot_days(ax, mondays: list[datetime], weeks: Sequence[WeekSummary]) -> None:
    """Training days per ISO week against the goal band."""
    low, high = GOAL_DAYS_PER_WEEK
    ax.axhspan(low, high, color="#2ca02c", alpha=0.15, label=f"goal: {low}-{high} days")
    colours = [
        "#2ca02c" if low <= w.days <= high else "#d62728" if w.days < low else "#1f77b4"
        for w in weeks
    ]
    ax.bar(mondays, [w.days for w in weeks], width=_WEEK_WIDTH, align="edge", color=colours)
    ax.set_ylabel("training days\nper ISO week")
    ax.set_ylim(0, max(high + 1, *(w.days + 1 for w in weeks)))
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3, axis="y")


def _plot_asymmetry(
    ax, mondays: list[datetime], weeks: Sequence[WeekSummary], records: Sequence[SessionRecord]
) -> None:
    """Left minus right best internal rotation per week; "?" where it is not known."""
    both, unknown = [], []
    for m, w in zip(mondays, weeks):
        these = [
            r for r in records if timedelta(0) <= r.started_at.date() - w.monday < timedelta(7)
        ]
        left, right = best_internal(these, Side.LEFT), best_internal(these, Side.RIGHT)
        said = asymmetry_words(left, right)
        if said is None:
            continue
        if said.startswith("not known"):  # capped weaker leg or a misread: no bar to draw
            unknown.append(m)
        else:
            both.append((m, left.deg - right.deg))
    error = drill.MEASUREMENT_ERROR_DEG
    # a difference hiprot cannot tell from noise is drawn pale inside the error band, and
    # the axis always spans the band, so a 4° difference never fills the panel
    ax.axhspan(-error, error, color="0.9", label=f"{words.WITHIN_ERROR} (±{error:.0f}°)")
    ax.bar(
        [m for m, _ in both],
        [a for _, a in both],
        width=_WEEK_WIDTH,
        align="edge",
        color=["0.75" if abs(a) < error else "#1f77b4" if a >= 0 else "#ff7f0e" for _, a in both],
    )
    reach = max([1.5 * error, *(1.1 * abs(a) for _, a in both)])
    ax.set_ylim(-reach, reach)
    for m in unknown:
        ax.annotate("?", (m + _WEEK_WIDTH / 2, 0), ha="center", va="center", color="0.3")
    ax.legend(loc="upper left", fontsize=8)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_ylabel("left − right\ninternal (°)")
    ax.grid(alpha=0.3, axis="y")
