"""The ``hiprot`` command group, its shared options and its one error exit.

Each command module (``hiprot.cli.review``, ...) adds its commands to
``cli``; they parse their arguments, open sources and sinks, hand them to
the stage modules and print what ``hiprot.terminal`` formats. User mistakes
(``HiprotError``) end as one red line on stderr and exit code 1; usage
errors exit 2; Ctrl-C exits 130 after saving what was done.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from hiprot import __version__, terminal
from hiprot.errors import HiprotError, HiprotWarning
from hiprot.safe_io import interrupt_exit_code, plain, signals_interrupt

stderr = Console(stderr=True, soft_wrap=True)
stdout = Console(soft_wrap=True)

EXIT_FAILURE, EXIT_INTERRUPTED = 1, 130  # usage errors exit 2 (click)


def progress_bar(console: Console = stderr) -> Progress:
    """A progress bar that stays quiet when stderr is not a terminal."""
    return terminal.progress_bar(console)


def default_recording_path(video: Path) -> Path:
    from hiprot.recording import WRITTEN_SUFFIXES, recording_stem

    return video.with_name(Path(recording_stem(video)).stem + WRITTEN_SUFFIXES[0])


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


def pose_model(
    command: str,
    requested: str | None,
    source: Path | None = None,
    calibrated_with: str | None = None,
    listed: Sequence[Path] | None = None,
) -> str:
    """The model to run; says which and why in one line (on stderr if it fell back).

    A source that cannot be read (missing, empty) fails first, so its error
    is the only line; ``listed``, a folder's files to review
    (``review_files.folder_sources``, which fails first on a folder with
    nothing to review), stands for the source. Landmark recordings, one or
    a folder of them, run no model.
    """
    from hiprot.models import choose
    from hiprot.recording import is_recording
    from hiprot.sources import check_readable

    if listed is not None:
        files = list(listed)
    elif source is not None:
        check_readable(source)
        files = [source]
    else:
        files = []
    if files and all(is_recording(f) for f in files):
        stdout.print("Pose model: none run (the recording's landmarks are used)", highlight=False)
        return requested or "full"
    model, line = choose(command, requested, calibrated_with)
    fell_back = requested is not None and model != requested
    (stderr if fell_back else stdout).print(line, highlight=False)
    return model


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hiprot")
def cli() -> None:
    """Coach the 'leg rotations on the wall' hip drill from a webcam or a video."""


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
