"""``hiprot history``: one person's progress over weeks."""

from __future__ import annotations

from pathlib import Path

import click

from hiprot import terminal
from hiprot.cli.common import cli, history_db_option, person_option, stdout
from hiprot.profiles import check_person
from hiprot.safe_io import check_outputs, plain


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
    from hiprot.history import HistoryStore, by_week, default_path, weekly, write_history_csv

    person = check_person(person)
    path = db_path or default_path()
    check_outputs([path], {"--csv": csv_path, "--plot": plot_path})
    records, everyone = [], []
    if path.exists():  # reading never creates a history file
        with HistoryStore(path, write=False) as store:
            records = store.sessions(person)
            everyone = store.people()
    if people:
        _print_people(everyone, path)
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
    week_sessions = by_week(trained, all_weeks)
    stdout.print(terminal.week_table(person, all_weeks[-weeks:], week_sessions))
    stdout.print(terminal.session_table(trained[-weeks * 4 :], stdout.width))
    for line in terminal.progress_lines(trained, all_weeks, week_sessions):
        stdout.print(line)
    if csv_path is not None:
        stdout.print(f"Wrote {plain(write_history_csv(records, csv_path))}")
    if plot_path is not None:
        from hiprot.report import plot_history

        stdout.print(f"Wrote {plain(plot_history(trained, all_weeks, plot_path))}")


def _print_people(everyone, path: Path) -> None:
    if not everyone:
        stdout.print(f"No one in the history yet ({plain(path)}).")
        return
    stdout.print(terminal.people_table(everyone, path))
    stdout.print("Show one with: hiprot history --person NAME")
