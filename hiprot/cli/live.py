"""``hiprot live``: coach sets from the camera."""

from __future__ import annotations

from pathlib import Path

import click

from hiprot import terminal
from hiprot.cli.common import cli, model_option, person_option, pose_model, stdout
from hiprot.landmarks import Side
from hiprot.profiles import check_person
from hiprot.reps import Mode
from hiprot.sources import check_readable


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

    Keys: q/Esc quit, space pause, c recalibrate, l/r/b left/right/both legs,
    s skip the guided move.
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
    summary, capped = run_live(options, lambda line: stdout.print(line, highlight=False))
    if summary is None:
        stdout.print("Nothing measured, nothing saved.")
        return
    at_limit = {s: (f"{s.value}-in" in capped, f"{s.value}-out" in capped) for s in Side}
    for line in terminal.leg_lines(summary.legs, at_limit):
        stdout.print(line)
