"""``hiprot extract``, ``hiprot calibrate`` and ``hiprot models``: setting up."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from hiprot import terminal
from hiprot.cli.common import (
    cli,
    default_recording_path,
    model_option,
    person_option,
    pose_model,
    progress_bar,
    stderr,
    stdout,
)
from hiprot.errors import HiprotError, InputError
from hiprot.profiles import check_person
from hiprot.recording import WRITTEN_SUFFIXES
from hiprot.safe_io import (
    atomic_path,
    check_outputs,
    interrupt_exit_code,
    plain,
    write_error,
)
from hiprot.sources import check_readable, extract_recording, open_pose_source


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
    if output is not None and not output.name.endswith(WRITTEN_SUFFIXES):
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


@cli.group(invoke_without_command=True)
@click.pass_context
def models(ctx: click.Context) -> None:
    """Which pose landmark models are installed, where, and which each command uses."""
    if ctx.invoked_subcommand is not None:
        return
    from hiprot.models import DEFAULTS, NPM_PACKAGE, status

    stdout.print(terminal.models_table(status()))
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
