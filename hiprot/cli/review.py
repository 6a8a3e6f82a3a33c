"""``hiprot review``: a recorded set, or a folder of them, into reports and the history."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from rich.progress import TaskID

from hiprot import terminal, words
from hiprot.calibration import load_calibration, person_measured_range
from hiprot.cli.common import (
    cli,
    default_report_dir,
    history_db_option,
    model_option,
    person_option,
    pose_model,
    progress_bar,
    stderr,
    stdout,
)
from hiprot.errors import HiprotError
from hiprot.profiles import check_person, is_made_clip, whose
from hiprot.reps import Mode
from hiprot.safe_io import check_outputs, interrupt_exit_code, plain
from hiprot.sources import check_readable


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--mode",
    type=click.Choice([m.value for m in Mode]),
    default="both",
    show_default=True,
    help="Which legs the set works (one-leg variation: left or right).",
)
@click.option(
    "--calibration",
    "calibration_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Neutral from `hiprot calibrate`. Default: the recording's first still period.",
)
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the report files. Default: SOURCE-hiprot/ next to SOURCE. "
    "For a folder SOURCE: where the per-file report folders go.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Session summary (hiprot-session JSON). Default: OUT_DIR/session.json.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Per-frame angles. Default: OUT_DIR/angles.csv.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Angle plot PNG. Default: OUT_DIR/plot.png.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Self-contained HTML report. Default: OUT_DIR/report.html.",
)
@click.option(
    "--annotate",
    "annotate_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the video with skeleton, angles, reps, holds and cues drawn "
    "(OUT.mp4; video sources only).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="For a folder: files reviewed at once. Default: one per core.",
)
@history_db_option
@person_option
@click.option(
    "--history/--no-history",
    "keep",
    default=None,
    help="Add the session(s) to the person's history. Default: yes, except hiprot's "
    "sample videos and rendered or synthetic clips. A clinic: give each client's "
    "--person, or --no-history just to look.",
)
@model_option
def review(
    source: Path,
    mode: str,
    calibration_file: Path | None,
    out_dir: Path | None,
    json_path: Path | None,
    csv_path: Path | None,
    plot_path: Path | None,
    html_path: Path | None,
    annotate_path: Path | None,
    jobs: int | None,
    db_path: Path | None,
    person: str | None,
    keep: bool | None,
    model: str | None,
) -> None:
    """Analyse a recorded set: a video, a landmark recording, or a folder of them.

    Counts reps per leg, end-range holds, tempo and ankle compensation, and
    writes a summary JSON, per-frame CSV, a plot and an HTML report (and with
    --annotate, an annotated video). A folder is reviewed file by file in
    parallel, one report folder per file. Each session is added to the
    person's history (--person), unless it is one of hiprot's sample videos.
    """
    single_only = {
        "--json": json_path,
        "--csv": csv_path,
        "--plot": plot_path,
        "--html": html_path,
        "--annotate": annotate_path,
    }
    given = [name for name, value in single_only.items() if value is not None]
    if source.is_dir() and given:
        raise click.UsageError(f"{', '.join(given)} name one file; not usable with a folder")
    person = check_person(person)
    calibration = load_calibration(calibration_file) if calibration_file else None
    measured = person_measured_range(person)
    calibrated_with = calibration.pose_model if calibration else None
    if source.is_dir():
        from hiprot.review_files import folder_sources

        listed = folder_sources(source)
        model = pose_model("review", model, source, calibrated_with, listed=listed[0])
        _review_folder(
            source,
            listed,
            out_dir,
            Mode(mode),
            calibration,
            jobs,
            db_path,
            person,
            keep,
            model,
            measured,
        )
        return
    model = pose_model("review", model, source, calibrated_with)
    check_readable(source)
    paths = _review_paths(source, out_dir, single_only)
    check_outputs([source, calibration_file, db_path], _named(paths))
    _review_one(source, paths, Mode(mode), calibration, db_path, person, keep, model, measured)


def _review_paths(source: Path, out_dir: Path | None, given: dict[str, Path | None]):
    """The outputs: each one named on the command line, else its default in OUT_DIR."""
    from hiprot.review_files import ReviewPaths

    defaults = ReviewPaths.in_folder(out_dir or default_report_dir(source))
    return ReviewPaths(
        given["--json"] or defaults.json,
        given["--csv"] or defaults.csv,
        given["--plot"] or defaults.plot,
        given["--html"] or defaults.html,
        given["--annotate"],
    )


def _named(paths) -> dict[str, Path | None]:
    return {
        "--json": paths.json,
        "--csv": paths.csv,
        "--plot": paths.plot,
        "--html": paths.html,
        "--annotate": paths.annotated,
    }


def _review_one(
    source: Path,
    paths,
    mode: Mode,
    calibration,
    db_path: Path | None,
    person: str,
    keep: bool | None,
    model: str,
    measured=None,
) -> None:
    """Review one file, add it to the history, and say what was found and written."""
    from hiprot.history import HistoryStore

    made = keep is None and is_made_clip(source)
    with contextlib.ExitStack() as stack:
        store = None if keep is False or made else stack.enter_context(HistoryStore(db_path))
        result, outcome = _run_review(source, paths, mode, calibration, model, measured, person)
        if not outcome.summary.drill_seen:
            store = None  # not the drill: kept out of the history
        if store is not None and not outcome.interrupted:  # a part is never a session
            store.add_summary(
                outcome.summary, outcome.started_at, person, outcome.capped, outcome.content_id
            )
    _print_review(result, outcome, paths)
    if store is not None and not outcome.interrupted:
        stdout.print(f"Added to {plain(whose(person))} history: {plain(store.path)}")
    elif made:
        stdout.print(
            f"Not added to any history: {plain(source.name)} is a sample clip (--history adds it)."
        )
    elif keep is not False and not outcome.interrupted and not outcome.summary.drill_seen:
        stdout.print("Not added to the history: the recording never shows the drill.")
    _exit_if_interrupted(outcome, paths, store is not None)


def _run_review(
    source: Path, paths, mode: Mode, calibration, model: str, measured=None, person=None
):
    """``review_files.review_file`` with a progress bar per stage."""
    from hiprot.review_files import review_file

    with progress_bar() as progress:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str) -> None:
            if stage not in tasks:
                label = "Analysing" if stage == "analyse" else "Writing annotated video of"
                tasks[stage] = progress.add_task(
                    f"{label} {plain(source.name)}", total=_frame_total(source)
                )
            progress.advance(tasks[stage])

        return review_file(
            source,
            paths,
            mode,
            calibration,
            advance,
            model=model,
            measured=measured,
            person=person,
        )


def _print_review(result, outcome, paths) -> None:
    from hiprot.report import capped, degree_notes

    if result.reps:  # no empty table: the lines below say 0 reps, and the warning why
        stdout.print(terminal.rep_table(result.reps))
    at_limit = {
        side: capped(leg.peak_internal_deg, leg.peak_external_deg, result.femur_range_deg[side])
        for side, leg in result.summary.legs.items()
    }
    for line in terminal.leg_lines(result.summary.legs, at_limit):
        stdout.print(line)
    for note in degree_notes(result.summary.legs, result.ranges) if result.reps else ():
        stdout.print(f"[dim]{plain(note)}[/]")
    if outcome.summary.time_in_position_s is not None:
        stdout.print(terminal.position_line(outcome.summary.time_in_position_s))
    if not outcome.kept_earlier:
        stdout.print(
            f"Report: {plain(paths.html)}  (also {plain(paths.json.name)}, "
            f"{plain(paths.csv.name)}, {plain(paths.plot.name)})"
        )
    if outcome.paths.annotated is not None:
        stdout.print(f"Annotated video: {plain(outcome.paths.annotated)}")


def _exit_if_interrupted(outcome, paths, stored: bool) -> None:
    """Say what an interrupt kept and exit with the interrupt's code."""
    if outcome.interrupted:
        kept = (
            f"the complete earlier report in {plain(paths.json.parent)} was kept"
            if outcome.kept_earlier
            else "the report covers the recording up to there only (marked interrupted)"
        )
        stderr.print(
            f"[yellow]Interrupted[/] at {outcome.interrupted_at_s:.1f} s: {kept}; "
            "nothing was added to the history.",
            highlight=False,
        )
        sys.exit(interrupt_exit_code())
    if outcome.annotation_interrupted:
        stderr.print(
            "[yellow]Interrupted[/] while writing the annotated video: the report"
            + (" and the history entry are" if stored else " is")
            + " complete; no annotated video was written (an earlier one was kept).",
            highlight=False,
        )
        sys.exit(interrupt_exit_code())


def _frame_total(source: Path) -> int | None:
    """Frames to expect, for the progress bar (unknown for recordings)."""
    from hiprot.capture import probe_video
    from hiprot.recording import is_recording

    return None if is_recording(source) else probe_video(source).frame_count or None


@contextlib.contextmanager
def _say_an_interrupted_folder(done: list, failed: list, sources: list, stored: bool):
    """Ctrl-C in a folder review: say what the files finished so far kept, exit 130."""
    try:
        yield
    except KeyboardInterrupt as exc:
        kept = " and its history entry" if stored else ""
        stderr.print(
            f"[yellow]Interrupted[/] after {len(done) + len(failed)} of {len(sources)} files: "
            f"each one reviewed has its complete report{kept}; the others keep any earlier "
            "report, and no folder summary was written.",
            highlight=False,
        )
        sys.exit(interrupt_exit_code(exc))


def _review_folder(
    folder: Path,
    listed: tuple[list[Path], list[Path]],
    out_root: Path | None,
    mode: Mode,
    calibration,
    jobs: int | None,
    db_path: Path | None,
    person: str,
    keep: bool | None,
    model: str = "full",
    measured=None,
) -> None:
    """Review every file of ``folder``, ``listed`` by ``folder_sources`` (to
    review, skipped); a failed file is one error line, the rest go on."""
    from hiprot.history import HistoryStore
    from hiprot.report import FOLDER_SUMMARY, write_folder_summary
    from hiprot.review_files import FileFailure, review_folder

    sources, skipped = listed
    for video in skipped:
        stdout.print(f"Skipping {plain(video.name)}: its landmark recording is reviewed instead.")
    done, failed, made = [], [], []
    with contextlib.ExitStack() as stack:
        store = None if keep is False else stack.enter_context(HistoryStore(db_path))
        stack.enter_context(_say_an_interrupted_folder(done, failed, sources, store is not None))
        with progress_bar() as progress:
            task = progress.add_task(f"Reviewing {plain(folder)}", total=len(sources))
            outcomes = review_folder(
                sources, out_root, mode, calibration, jobs, model, measured, person
            )
            for outcome in outcomes:
                progress.advance(task)
                if isinstance(outcome, FileFailure):
                    stderr.print(
                        f"[red]hiprot: error:[/] {plain(outcome.message)}", highlight=False
                    )
                    failed.append(outcome)
                    continue
                for message in outcome.warnings:
                    stderr.print(f"[yellow]hiprot: warning:[/] {plain(message)}", highlight=False)
                if keep is None and is_made_clip(outcome.source):
                    made.append(outcome)
                elif store is not None and outcome.summary.drill_seen:
                    store.add_summary(
                        outcome.summary,
                        outcome.started_at,
                        person,
                        outcome.capped,
                        outcome.content_id,
                    )
                done.append(outcome)
    stdout.print(terminal.folder_table(done, mode, stdout.width))
    if done:
        where = plain(out_root) if out_root else "beside each file"
        stdout.print(f"Reports: {where}, one FILE-hiprot/report.html per file.")
        summary = write_folder_summary(
            done, failed, mode, (out_root or folder) / FOLDER_SUMMARY, person
        )
        stdout.print(f"Summary of the folder, linking every report: {plain(summary)}")
    stored = [o for o in done if o.summary.drill_seen and o not in made]
    if store is not None and stored:
        added = words.plural(len(stored), "session")
        stdout.print(f"Added {added} to {plain(whose(person))} history: {plain(store.path)}")
    if made:
        stdout.print(
            f"Not added to any history: {words.plural(len(made), 'sample clip')} "
            "(--history adds them)."
        )
    if failed:
        raise HiprotError(f"{len(failed)} of {len(sources)} files could not be reviewed")
