"""The ``hiprot`` command: thin wiring of the pipeline stages.

Each subcommand parses its arguments, opens sources and sinks, and hands
them to the stage modules. User mistakes (``HiprotError``) end as one red
line on stderr and exit code 1; usage errors exit 2; Ctrl-C exits 130 after
saving what was done.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from pathlib import Path

import click
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

from hiprot import __version__
from hiprot.calibration import load_calibration
from hiprot.errors import HiprotError, HiprotWarning
from hiprot.reps import Mode
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
def extract(video: Path, output: Path | None) -> None:
    """Run MediaPipe Pose on VIDEO and save its landmarks as a recording.

    The recording replays the analysis without pixels: every command that
    takes a video also takes a recording.
    """
    check_readable(video)
    output = output or default_recording_path(video)
    with open_pose_source(video) as source, progress_bar() as progress:
        task = progress.add_task(f"Extracting {video.name}", total=source.frame_count)
        frames, with_pose = extract_recording(source, output, lambda _: progress.advance(task))
    stdout.print(
        f"Wrote {output}: {frames} frames, a person found in {with_pose} "
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


def _rep_table(review) -> Table:
    table = Table(title="Reps", header_style="bold")
    for column in ("leg", "#", "start", "internal", "external", "hold", "held", "tempo", "from"):
        table.add_column(column, justify="right")
    for rep in review.reps:
        table.add_row(
            rep.leg.value,
            str(rep.index),
            f"{rep.start_s:.1f} s",
            f"{rep.peak_internal_deg:+.0f}°",
            f"{rep.peak_external_deg:+.0f}°",
            f"{rep.hold_s:.1f} s",
            "[green]yes[/]" if rep.held else "[yellow]no[/]",
            "ok" if rep.controlled else "[yellow]too fast[/]",
            "[red]ankle[/]" if rep.compensation else "hip",
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
@click.option("--no-history", is_flag=True, help="Do not add the session(s) to the history.")
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
    no_history: bool,
) -> None:
    """Analyse a recorded set: a video, a landmark recording, or a folder of them.

    Counts reps per leg, end-range holds, tempo and ankle compensation, and
    writes a summary JSON, per-frame CSV, a plot and an HTML report (and with
    --annotate, an annotated video). A folder is reviewed file by file in
    parallel, one report folder per file. Each session is added to the history.
    """
    from hiprot.history import HistoryStore
    from hiprot.report import capped
    from hiprot.review_files import ReviewPaths, review_file

    calibration = load_calibration(calibration_file) if calibration_file else None
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
        _review_folder(source, out_dir, Mode(mode), calibration, jobs, db_path, no_history)
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
    with contextlib.ExitStack() as stack:
        store = None if no_history else stack.enter_context(HistoryStore(db_path))
        with progress_bar() as progress:
            tasks: dict[str, TaskID] = {}

            def advance(stage: str) -> None:
                if stage not in tasks:
                    label = "Analysing" if stage == "analyse" else "Writing annotated video of"
                    tasks[stage] = progress.add_task(
                        f"{label} {source.name}", total=_frame_total(source)
                    )
                progress.advance(tasks[stage])

            result, outcome = review_file(source, paths, Mode(mode), calibration, advance)
        if not outcome.summary.drill_seen:
            store = None  # not the drill: kept out of the history
        if store is not None:
            store.add_summary(outcome.summary, outcome.started_at)

    stdout.print(_rep_table(result))
    for side, leg in result.summary.legs.items():
        best_in, best_out = _signed(leg.peak_internal_deg), _signed(leg.peak_external_deg)
        at_in, at_out = capped(
            leg.peak_internal_deg, leg.peak_external_deg, result.femur_range_deg[side]
        )
        if at_in or at_out:
            best_in = f"≥{best_in}" if at_in else best_in
            best_out = f"≤{best_out}" if at_out else best_out
            note = " (as far as this camera view can read)"
        else:
            note = ""
        stdout.print(
            f"[bold]{side.value}[/]: {leg.reps} reps, {leg.held_reps} held, {leg.controlled_reps} "
            f"controlled, {leg.compensated_reps} from the ankle; best internal "
            f"{best_in}, external {best_out}{note}"
        )
    if outcome.summary.time_in_position_s is not None:
        stdout.print(
            "In position (legs up the wall): "
            + ", ".join(
                f"{s.value} {t:.0f} s" for s, t in outcome.summary.time_in_position_s.items()
            )
        )
    stdout.print(
        f"Report: {paths.html}  (also {paths.json.name}, {paths.csv.name}, {paths.plot.name})"
    )
    if paths.annotated is not None:
        stdout.print(f"Annotated video: {paths.annotated}")
    if store is not None:
        stdout.print(f"Added to the history: {store.path}")
    if outcome.interrupted:
        stderr.print(
            f"[yellow]Interrupted[/] at {outcome.interrupted_at_s:.1f} s: the report covers the "
            "recording up to there only.",
            highlight=False,
        )
        sys.exit(EXIT_INTERRUPTED)


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
    no_history: bool,
) -> None:
    """Review every file of ``folder``; a failed file is one error line, the rest go on."""
    from hiprot.history import HistoryStore
    from hiprot.review_files import FileFailure, folder_sources, review_folder

    sources, skipped = folder_sources(folder)
    for video in skipped:
        stdout.print(f"Skipping {video.name}: its landmark recording is reviewed instead.")
    done, failed = [], []
    with contextlib.ExitStack() as stack:
        store = None if no_history else stack.enter_context(HistoryStore(db_path))
        with progress_bar() as progress:
            task = progress.add_task(f"Reviewing {folder}", total=len(sources))
            for outcome in review_folder(sources, out_root, mode, calibration, jobs):
                progress.advance(task)
                if isinstance(outcome, FileFailure):
                    stderr.print(f"[red]hiprot: error:[/] {outcome.message}", highlight=False)
                    failed.append(outcome)
                    continue
                for message in outcome.warnings:
                    stderr.print(f"[yellow]hiprot: warning:[/] {message}", highlight=False)
                if store is not None and outcome.summary.drill_seen:
                    store.add_summary(outcome.summary, outcome.started_at)
                done.append(outcome)
    stdout.print(_folder_table(done, mode))
    added = [o for o in done if o.summary.drill_seen]
    if store is not None and added:
        stdout.print(f"Added {len(added)} session(s) to the history: {store.path}")
    if failed:
        raise HiprotError(f"{len(failed)} of {len(sources)} files could not be reviewed")


def _folder_table(outcomes, mode: Mode) -> Table:
    table = Table(title="Reviewed", header_style="bold")
    for column in (
        "file",
        "tracked",
        *(f"{s.value} reps" for s in mode.sides),
        "held",
        "too fast",
        "ankle",
        *(f"{s.value} best in" for s in mode.sides),
        "report",
    ):
        table.add_column(column, justify="left" if column in ("file", "report") else "right")
    for outcome in sorted(outcomes, key=lambda o: o.source.name):
        summary = outcome.summary
        legs = summary.legs
        reps = summary.reps
        tracked = summary.tracking.frames_with_pose / max(summary.tracking.frames, 1)
        table.add_row(
            outcome.source.name,
            f"{100 * tracked:.0f}%",
            *(str(legs[s].reps) for s in mode.sides),
            str(sum(r.held for r in reps)),
            str(sum(not r.controlled for r in reps)),
            str(sum(r.compensation for r in reps)),
            *(_signed(legs[s].peak_internal_deg) for s in mode.sides),
            str(outcome.paths.html),
        )
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
    help="Calibration file to write. Default: calibration/camera-<source>-<W>x<H>.json.",
)
def calibrate(source: Path, output: Path | None) -> None:
    """Take your neutral per leg from SOURCE (a video or a landmark recording).

    Start the recording lying still in neutral for a few seconds: the first
    still period of at least 2 s becomes the neutral. Live calibration from
    the camera comes with `hiprot live`.
    """
    from hiprot.analysis import angle_series, auto_calibration, smooth_series
    from hiprot.calibration import DEFAULT_DIR, save_calibration, setup_file_name

    check_readable(source)
    with open_pose_source(source) as pose_source:
        pose_frames = list(pose_source.frames)
        info = pose_source.info
    if not any(p.has_pose for p in pose_frames):
        raise HiprotError(f"{source}: no person was found in any frame")
    found = auto_calibration(smooth_series(angle_series(pose_frames, (info.width, info.height))))
    if found is None:
        raise HiprotError(
            f"{source}: no still period of 2 s with both legs quiet; lie still in neutral "
            "for a few seconds at the start and record again"
        )
    setup = {"camera": source.name, "width": info.width, "height": info.height, **found.setup}
    calibration = type(found)(found.neutral, method="file", setup=setup)
    output = output or DEFAULT_DIR / setup_file_name(setup)
    save_calibration(calibration, output)
    for side, neutral in calibration.neutral.items():
        stdout.print(
            f"{side.value}: femur {neutral.femur_deg:+.1f}°, foot {neutral.foot_deg:+.1f}°"
        )
    stdout.print(f"Saved {output}")


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
@click.option("--sets", default=3, show_default=True, type=click.IntRange(1, 10))
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
) -> None:
    """Coach sets live from the camera, on screen and by voice.

    Lie down with your legs up the wall, both feet in view. hiprot checks
    the view, takes your neutral (lie still for a few seconds; a saved one
    for this camera set-up is reused), then counts reps, times the hold and
    cues you. Every rep is saved to the history as it is counted.

    Keys: q/Esc quit, space pause, c recalibrate, l/r/b left/right/both legs.
    """
    from hiprot.coach import CoachConfig
    from hiprot.live import LiveOptions, run_live

    if source is not None:
        check_readable(source)
    options = LiveOptions(
        config=CoachConfig(mode=Mode(mode), target_reps=reps, sets=sets, rest_s=rest_s),
        camera=camera,
        source=source,
        quiet=quiet,
        window=not no_window,
        db=db,
    )
    summary = run_live(options, lambda line: stdout.print(line, highlight=False))
    if summary is None:
        stdout.print("Nothing measured, nothing saved.")
        return
    for side, leg in summary.legs.items():
        stdout.print(
            f"[bold]{side.value}[/]: {leg.reps} reps, {leg.held_reps} held, {leg.controlled_reps} "
            f"controlled, {leg.compensated_reps} from the ankle; best internal "
            f"{_signed(leg.peak_internal_deg)}, external {_signed(leg.peak_external_deg)}"
        )


@cli.command()
@history_db_option
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
    help="Export every session as one CSV row.",
)
@click.option(
    "--weeks",
    default=12,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most recent weeks shown in the table.",
)
def history(
    db_path: Path | None, plot_path: Path | None, csv_path: Path | None, weeks: int
) -> None:
    """Progress over weeks: sessions per week against the 3-4 a week goal,
    internal-rotation range per leg over time, left/right asymmetry."""
    from hiprot.history import (
        GOAL_DAYS_PER_WEEK,
        HistoryStore,
        default_path,
        weekly,
        write_history_csv,
    )
    from hiprot.landmarks import Side

    path = db_path or default_path()
    records = []
    if path.exists():  # reading never creates a history file
        with HistoryStore(path) as store:
            records = store.sessions()
    trained = [r for r in records if r.reps]
    if not trained:
        stdout.print(
            f"No sessions in the history yet ({path}). Review a set with "
            "`hiprot review VIDEO` or coach one with `hiprot live`; it is saved here."
        )
        return
    all_weeks = weekly(records)
    low, high = GOAL_DAYS_PER_WEEK
    table = Table(title=f"Training days per ISO week (goal {low}-{high})", header_style="bold")
    for column in (
        "week",
        "sets",
        "days",
        "goal",
        "reps L",
        "reps R",
        "best in L",
        "best in R",
        "L−R",
    ):
        table.add_column(
            column,
            justify="left" if column in ("week", "goal") else "right",
            no_wrap=column in ("week", "goal"),
        )
    status_style = {"below goal": "yellow", "on goal": "green", "above goal": "cyan"}
    for week in all_weeks[-weeks:]:
        table.add_row(
            week.label,
            str(week.sessions),
            str(week.days),
            f"[{status_style[week.status]}]{week.status}[/]",
            str(week.reps[Side.LEFT]),
            str(week.reps[Side.RIGHT]),
            _signed(week.best_internal_deg[Side.LEFT]),
            _signed(week.best_internal_deg[Side.RIGHT]),
            _signed(week.asymmetry_deg),
        )
    stdout.print(table)

    sessions = Table(
        title="Range per session (best internal / external, degrees from neutral)",
        header_style="bold",
    )
    for column in ("date", "source", "mode", "reps L", "L in / out", "reps R", "R in / out"):
        sessions.add_column(
            column,
            justify="left" if column in ("date", "source", "mode") else "right",
            no_wrap=column != "source",
            max_width=30 if column == "source" else None,
        )
    for record in trained[-weeks * 4 :]:
        state = "" if record.complete else " [yellow](interrupted)[/]"
        sessions.add_row(
            record.started_at.strftime("%Y-%m-%d"),
            record.source + state,
            record.mode.value,
            *(
                item
                for side in Side
                for item in (
                    str(record.rep_count(side)),
                    f"{_signed(record.best_internal_deg(side))} / "
                    f"{_signed(record.best_external_deg(side))}",
                )
            ),
        )
    stdout.print(sessions)

    recent = all_weeks[-4:]
    on_goal = sum(w.status == "on goal" for w in recent)
    stdout.print(
        f"Adherence: {on_goal} of the last {len(recent)} week(s) on the {low}-{high} days goal."
    )
    for side in Side:
        bests = [v for r in trained if (v := r.best_internal_deg(side)) is not None]
        if len(bests) >= 2:
            stdout.print(
                f"{side.value.capitalize()} internal rotation: first {bests[0]:+.0f}°, "
                f"latest {bests[-1]:+.0f}°, best {max(bests):+.0f}°."
            )
    latest = next((w for w in reversed(all_weeks) if w.asymmetry_deg is not None), None)
    if latest is not None and abs(latest.asymmetry_deg) >= 1:
        weaker = "left" if latest.asymmetry_deg < 0 else "right"
        stdout.print(
            f"Asymmetry ({latest.label}): {abs(latest.asymmetry_deg):.0f}° less internal "
            f"rotation on the {weaker} side."
        )
    elif latest is not None:
        stdout.print(f"Asymmetry ({latest.label}): left and right within 1°.")
    if csv_path is not None:
        stdout.print(f"Wrote {write_history_csv(records, csv_path)}")
    if plot_path is not None:
        from hiprot.report import plot_history

        stdout.print(f"Wrote {plot_history(trained, all_weeks, plot_path)}")


@cli.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--seed", default=1, show_default=True, help="Seeds the person, script, camera and noise."
)
@click.option(
    "--scenario",
    default="clean",
    show_default=True,
    help="Scripted session: a drill scenario, enter_exit (getting into and out of the "
    "position) or another supine exercise that must count 0 (see docs/synthetic.md; a "
    "wrong name lists them all).",
)
@click.option("--placement", default="oblique45_left", show_default=True, help="Camera placement.")
@click.option(
    "--noise", default="realistic", show_default=True, help="none, low, realistic or high."
)
@click.option(
    "--mode", type=click.Choice([m.value for m in Mode]), default="both", show_default=True
)
def synth(out_dir: Path, seed: int, scenario: str, placement: str, noise: str, mode: str) -> None:
    """Write a synthetic drill session: a landmark recording and its truth JSON."""
    from hiprot.synth import (
        ALL_SCENARIOS,
        NOISE_LEVELS,
        PLACEMENTS,
        SessionSpec,
        generate,
        write_session,
    )

    for name, value, known in (
        ("scenario", scenario, ALL_SCENARIOS),
        ("placement", placement, PLACEMENTS),
        ("noise", noise, NOISE_LEVELS),
    ):
        if value not in known:
            raise click.BadParameter(
                f"{value!r}; choose from {', '.join(sorted(known))}", param_hint=name
            )
    session = generate(
        SessionSpec(seed=seed, scenario=scenario, placement=placement, noise=noise, mode=mode)
    )
    for path in write_session(session, out_dir):
        stdout.print(f"Wrote {path}")


@cli.command()
@click.option("--seed", default=1, show_default=True)
@click.option("--noise", default="low", show_default=True, help="none, low, realistic or high.")
def demo(seed: int, noise: str) -> None:
    """Review a synthetic session: see what hiprot reports, no camera needed.

    The session is seen from the recommended placement (45°, raised) and
    printed next to its truth, so you also see where hiprot is still wrong.
    """
    from hiprot.review import review_pose_frames
    from hiprot.synth import NOISE_LEVELS, SessionSpec, generate

    if noise not in NOISE_LEVELS:
        raise click.BadParameter(
            f"{noise!r}; choose from {', '.join(NOISE_LEVELS)}", param_hint="noise"
        )
    session = generate(
        SessionSpec(seed=seed, scenario="clean", placement="chair_left", noise=noise)
    )
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


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, HiprotWarning):
        stderr.print(f"[yellow]hiprot: warning:[/] {message}", highlight=False)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn user errors into one-line messages."""
    warnings.showwarning = _show_warning
    try:
        cli.main(args=argv, prog_name="hiprot", standalone_mode=False)
    except click.exceptions.Abort:
        stderr.print("Interrupted.")
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        stderr.print("Interrupted.")
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HiprotError as exc:
        stderr.print(f"[red]hiprot: error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(EXIT_FAILURE)
