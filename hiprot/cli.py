"""The ``hiprot`` command: thin wiring of the pipeline stages.

Each subcommand parses its arguments, opens sources and sinks, and hands
them to the stage modules. User mistakes (``HiprotError``) end as one red
line on stderr and exit code 1; usage errors exit 2; Ctrl-C exits 130 after
saving what was done.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rich.table import Table

from hiprot import __version__
from hiprot.calibration import load_calibration
from hiprot.errors import HiprotError, HiprotWarning
from hiprot.reps import Mode
from hiprot.sources import check_readable, extract_recording, open_pose_source

stderr = Console(stderr=True, soft_wrap=True)
stdout = Console(soft_wrap=True)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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
    "-o", "--output", type=click.Path(path_type=Path), default=None,
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
    name = source.name
    for suffix in (".landmarks.jsonl.gz", ".landmarks.jsonl"):
        if name.endswith(suffix):
            name = name[: -len(suffix)] + suffix.replace(".", "-")
    return source.with_name(Path(name).stem + "-hiprot")


def _rep_table(review) -> Table:  # noqa: ANN001 - hiprot.review.Review
    table = Table(title="Reps", header_style="bold")
    for column in ("leg", "#", "start", "internal", "external", "hold", "held", "tempo", "from"):
        table.add_column(column, justify="right")
    for rep in review.reps:
        table.add_row(
            rep.leg.value, str(rep.index), f"{rep.start_s:.1f} s", f"{rep.peak_internal_deg:+.0f}°",
            f"{rep.peak_external_deg:+.0f}°", f"{rep.hold_s:.1f} s",
            "[green]yes[/]" if rep.held else "[yellow]no[/]",
            "ok" if rep.controlled else "[yellow]too fast[/]",
            "[red]ankle[/]" if rep.compensation else "hip",
        )
    return table


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--mode", type=click.Choice([m.value for m in Mode]), default="both", show_default=True,
              help="Which legs the set works (one-leg variation: left or right).")
@click.option("--calibration", "calibration_file", type=click.Path(path_type=Path), default=None,
              help="Neutral from `hiprot calibrate`. Default: the recording's first still period.")
@click.option("-o", "--out-dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the report files. Default: SOURCE-hiprot/ next to SOURCE.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None,
              help="Session summary (hiprot-session JSON). Default: OUT_DIR/session.json.")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None,
              help="Per-frame angles. Default: OUT_DIR/angles.csv.")
@click.option("--plot", "plot_path", type=click.Path(path_type=Path), default=None,
              help="Angle plot PNG. Default: OUT_DIR/plot.png.")
@click.option("--html", "html_path", type=click.Path(path_type=Path), default=None,
              help="Self-contained HTML report. Default: OUT_DIR/report.html.")
def review(source: Path, mode: str, calibration_file: Path | None, out_dir: Path | None,
           json_path: Path | None, csv_path: Path | None, plot_path: Path | None,
           html_path: Path | None) -> None:
    """Analyse a recorded set: a video or a landmark recording.

    Counts reps per leg, end-range holds, tempo and ankle compensation, and
    writes a summary JSON, per-frame CSV, a plot and an HTML report.
    """
    from hiprot.report import plot_session, write_csv, write_html
    from hiprot.review import review_pose_frames
    from hiprot.session import write_session

    check_readable(source)
    calibration = load_calibration(calibration_file) if calibration_file else None
    with open_pose_source(source) as pose_source, progress_bar() as progress:
        task = progress.add_task(f"Analysing {source.name}", total=pose_source.frame_count)
        pose_frames = []
        for pose_frame in pose_source.frames:
            pose_frames.append(pose_frame)
            progress.advance(task)
    result = review_pose_frames(pose_frames, source.name, Mode(mode), calibration)

    out_dir = out_dir or default_report_dir(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = json_path or out_dir / "session.json"
    csv_path = csv_path or out_dir / "angles.csv"
    plot_path = plot_path or out_dir / "plot.png"
    html_path = html_path or out_dir / "report.html"
    write_session(json_path, result.summary)
    write_csv(result.series, csv_path)
    plot_session(result.series, result.reps, Mode(mode).sides, plot_path, title=source.name)
    write_html(result.summary.to_dict(), plot_path, html_path)

    stdout.print(_rep_table(result))
    for side, leg in result.summary.legs.items():
        stdout.print(
            f"[bold]{side.value}[/]: {leg.reps} reps, {leg.held_reps} held, {leg.controlled_reps} "
            f"controlled, {leg.compensated_reps} from the ankle; best internal "
            f"{_signed(leg.peak_internal_deg)}, external {_signed(leg.peak_external_deg)}"
        )
    stdout.print(f"Report: {html_path}  (also {json_path.name}, {csv_path.name}, {plot_path.name})")


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0f}°"


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Calibration file to write. Default: calibration/camera-<source>-<W>x<H>.json.")
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
    found = auto_calibration(smooth_series(angle_series(pose_frames)))
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
        stdout.print(f"{side.value}: femur {neutral.femur_deg:+.1f}°, foot {neutral.foot_deg:+.1f}°")
    stdout.print(f"Saved {output}")


@cli.command()
@click.option("--camera", default=0, show_default=True, help="Camera index.")
def live(camera: int) -> None:
    """Coach a set live from the laptop camera (not built yet)."""
    _not_built("live", 8)


@cli.command()
def history() -> None:
    """Sessions per week and range over time (not built yet)."""
    _not_built("history", 7)


@cli.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--seed", default=1, show_default=True, help="Seeds the person, script, camera and noise.")
@click.option("--scenario", default="clean", show_default=True, help="Scripted session (see docs/synthetic.md).")
@click.option("--placement", default="oblique45_left", show_default=True, help="Camera placement.")
@click.option("--noise", default="realistic", show_default=True, help="none, low, realistic or high.")
@click.option("--mode", type=click.Choice([m.value for m in Mode]), default="both", show_default=True)
def synth(out_dir: Path, seed: int, scenario: str, placement: str, noise: str, mode: str) -> None:
    """Write a synthetic drill session: a landmark recording and its truth JSON."""
    from hiprot.synth import NOISE_LEVELS, PLACEMENTS, SCENARIOS, SessionSpec, generate, write_session

    for name, value, known in (("scenario", scenario, SCENARIOS), ("placement", placement, PLACEMENTS),
                               ("noise", noise, NOISE_LEVELS)):
        if value not in known:
            raise click.BadParameter(f"{value!r}; choose from {', '.join(sorted(known))}", param_hint=name)
    session = generate(SessionSpec(seed=seed, scenario=scenario, placement=placement, noise=noise, mode=mode))
    for path in write_session(session, out_dir):
        stdout.print(f"Wrote {path}")


@cli.command()
@click.option("--seed", default=1, show_default=True)
def demo(seed: int) -> None:
    """Review a synthetic session: see what hiprot reports, no camera needed."""
    from hiprot.review import review_pose_frames
    from hiprot.synth import SessionSpec, generate

    session = generate(SessionSpec(seed=seed, scenario="clean"))
    result = review_pose_frames(session.frames, f"synthetic session (seed {seed})", session.spec.mode)
    stdout.print(_rep_table(result))
    for side, leg in result.summary.legs.items():
        true = session.truth["legs"][side.value]
        stdout.print(f"[bold]{side.value}[/]: counted {leg.reps} reps ({leg.held_reps} held); "
                     f"truth {true['reps']} reps ({true['held_reps']} held)")


def _not_built(name: str, issue: int) -> None:
    raise HiprotError(f"`hiprot {name}` is not built yet (tracked as issue #{issue}).")


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
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
