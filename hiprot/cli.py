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

from hiprot import __version__
from hiprot.errors import HiprotError, HiprotWarning
from hiprot.sources import check_readable, extract_recording, open_pose_source

stderr = Console(stderr=True, soft_wrap=True)
stdout = Console()

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
