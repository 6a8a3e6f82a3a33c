"""``hiprot synth`` and ``hiprot demo``: synthetic sessions, no camera needed."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from hiprot import terminal
from hiprot.cli.common import SynthChoice, cli, stdout
from hiprot.errors import HiprotError, HiprotWarning, InputError
from hiprot.reps import Mode
from hiprot.safe_io import plain, write_error


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
@click.option(
    "--guided-move",
    is_flag=True,
    help="Start the drill, after the still start, with the guided calibration move (both "
    "feet fully out and held, then fully in and held); the truth gives each leg's full range.",
)
def synth(
    out_dir: Path,
    seed: int,
    scenario: str,
    placement: str,
    noise: str,
    mode: str,
    guided_move: bool,
) -> None:
    """Write a synthetic drill session: a landmark recording and its truth JSON."""
    from hiprot.recording import is_recording
    from hiprot.synth import SCENARIOS, SessionSpec, generate, write_session

    if guided_move and scenario not in SCENARIOS:
        raise InputError(f"--guided-move starts a drill scenario, not {scenario}")

    if out_dir.exists() and not out_dir.is_dir() and not is_recording(out_dir):
        raise HiprotError(
            f"{out_dir}: is a file, not a folder; give a folder or a .landmarks.jsonl.gz path"
        )
    session = generate(
        SessionSpec(
            seed=seed,
            scenario=scenario,
            placement=placement,
            noise=noise,
            mode=mode,
            guided_move=guided_move,
        )
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
    stdout.print(terminal.rep_table(result.reps))
    for side, leg in result.summary.legs.items():
        true = session.truth["legs"][side.value]
        stdout.print(
            f"[bold]{side.value}[/]: counted {leg.reps} reps ({leg.held_reps} held); "
            f"truth {true['reps']} reps ({true['held_reps']} held)"
        )
    if result.foot_driven:
        stdout.print("Note: the synthetic knees jitter, so reps were counted from the feet.")
