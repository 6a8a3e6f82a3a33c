"""The first hour of a user: people, sample clips kept out of the history,
calibration in the data folder, one vocabulary, tables that fit 80 columns,
a history that says "capped" and "within measurement error"."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from hiprot import drill, words
from hiprot.calibration import load_calibration
from hiprot.coach import Coach, CoachConfig, Stage
from hiprot.errors import InputError
from hiprot.history import Best, HistoryStore, asymmetry_words, best_internal
from hiprot.landmarks import Side
from hiprot.profiles import (
    DEFAULT_PERSON,
    check_person,
    is_made_clip,
    sample_videos_dir,
    whose,
)
from hiprot.reading.neutral import auto_calibration, first_still_neutral
from hiprot.reading.series import ANCHOR_WINDOW_S, angle_series, smooth_series
from hiprot.reps import Mode, Rep
from hiprot.session import CalibrationInfo, SessionSummary, Tracking
from hiprot.synth import SessionSpec, generate, write_session
from hiprot.terminal import folder_table, rep_table

UTC = timezone.utc


def hiprot(*args: str, home: Path, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {"HIPROT_HOME": str(home), "PATH": "/usr/bin:/bin", "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "hiprot", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def table_lines(text: str) -> list[str]:
    """The lines of rich tables in ``text`` (prose is soft-wrapped by the terminal)."""
    return [line for line in text.splitlines() if any(c in line for c in "│┃┏┡└━")]


def rendered(renderable, width: int = 80) -> list[str]:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text().splitlines()


# ---------------------------------------------------------------- words


def test_words_pluralise_and_signs_agree_with_the_way() -> None:
    assert [words.plural(n, "rep") for n in (0, 1, 2)] == ["0 reps", "1 rep", "2 reps"]
    assert (words.degrees(20.4), words.degrees(-9.2), words.degrees(None)) == ("+20°", "−9°", "–")
    assert words.turn(20.0, -9.0) == "in +20°, out −9°"
    # a rep that never went out past neutral is never "out +9°"
    assert words.turn(20.0, 9.0) == "in +20°, hips not out past neutral"
    # a rep swung from the ankles: counted on the feet, the hips stayed put
    assert words.turn(-1.0, -20.0) == "hips not in past neutral, out −20°"
    assert "+" not in words.turn(20.0, 9.0).split(",")[1]
    assert words.neutral("auto") == "taken from the still start of the recording"


@pytest.mark.parametrize(
    "names",
    [
        [f"client_anna_2026-11-{d:02d}_evening_set.mp4" for d in range(1, 20)],
        ["wall_both_legs.mp4", "wall_both_legs.landmarks.jsonl.gz", "my_set.mp4"],
        ["a" * 60 + "1.mp4", "a" * 60 + "2.mp4", "b" * 60 + "1.mp4"],
    ],
)
def test_fit_names_keeps_names_apart_within_the_width(names: list[str]) -> None:
    cut = words.fit_names(names, 20)
    assert all(len(n) <= 20 for n in cut)
    assert len(set(cut)) == len(set(names))
    assert words.fit_names(["short.mp4"], 20) == ["short.mp4"]  # a name that fits stays whole


# ---------------------------------------------------------------- tables at 80 columns


def _rep(leg: Side, index: int, held: bool = True, fast: bool = False, ankles: bool = False) -> Rep:
    start = 7.3 * index
    return Rep(leg, index, start, start + 6, 31.0, -52.0, 2.4, held, not fast, ankles)


def test_history_tables_fit_80_columns_with_long_similar_names(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        for day in range(1, 9):
            name = f"client_anna_2026-11-{day:02d}_evening_wall_both_legs.landmarks.jsonl.gz"
            when = datetime(2026, 11, day, 18, tzinfo=UTC)
            store.add_summary(
                _summary(name, {Side.LEFT: 20.0 + day, Side.RIGHT: 145.0}),
                when,
                "anna",
                {"left-in"},
            )
    result = hiprot("history", "--person", "anna", home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    tables = [line for line in lines if line[:4] in ("2026", "│ 20")]
    assert len(tables) >= 8 + 2  # eight sessions, two weeks and the empty ones to today
    assert max(len(line) for line in tables) <= 80
    sessions = [line.split()[1] for line in lines if line.startswith("2026-11")]
    assert len(set(sessions)) == 8  # names cut, still apart
    assert all("≥+" in line and "?" in line for line in lines if line.startswith("2026-11"))
    assert "implausible reading" in result.stdout  # the +145° right leg is flagged


def test_rep_table_fits_80_columns() -> None:
    reps = [
        _rep(side, i, i % 3 != 0, i % 4 == 0, i % 5 == 0) for i in range(1, 16) for side in Side
    ]
    lines = rendered(rep_table(reps))
    assert max(len(line) for line in lines) <= 80
    assert all(any(w in line for line in lines) for w in (words.NOT_HELD, words.TOO_FAST))
    assert sum("│" in line and "right" in line for line in lines) == 15  # one line per rep


def _outcome(name: str) -> SimpleNamespace:
    reps = tuple(_rep(side, i) for i in range(1, 13) for side in Side)
    summary = SessionSummary(
        name,
        90.0,
        Mode.BOTH,
        CalibrationInfo("auto", {Side.LEFT: 0.0, Side.RIGHT: 0.0}),
        Tracking(1344, 1300),
        reps,
    )
    return SimpleNamespace(source=Path("/clinic") / name, summary=summary)


def test_folder_table_fits_80_columns_and_keeps_names_distinct() -> None:
    names = [f"client_anna_2026-11-{day:02d}_wall_both_legs.mp4" for day in (3, 5, 7, 10)]
    names += ["wall_both_legs.mp4", "my_set.landmarks.jsonl.gz"]
    lines = rendered(folder_table([_outcome(n) for n in names], Mode.BOTH, 80))
    assert max(len(line) for line in lines) <= 80
    rows = [line.split()[0] for line in lines if line.rstrip().endswith("°")]
    assert len(rows) == len(names) and len(set(rows)) == len(names)  # one line each, distinct
    assert "wall_both_legs.mp4" in rows  # a name that fits is shown whole
    assert "my_set" in rows  # a recording's long suffix goes first


def test_folder_table_marks_readings_as_the_history_does() -> None:
    # a physiotherapist reads the folder table first: a best internal reading
    # past the normal hip range is "?" there as in the history, with the key
    odd = _outcome("odd.mp4")
    odd.summary = dataclasses.replace(
        odd.summary,
        reps=tuple(dataclasses.replace(r, peak_internal_deg=66.0) for r in odd.summary.reps),
    )
    odd.capped = frozenset({"right-in"})
    lines = rendered(folder_table([odd, _outcome("fine.mp4")], Mode.BOTH, 80))
    (row,) = [line for line in lines if line.startswith("odd")]
    assert row.split()[-2:] == ["+66°?", "≥+66°?"]
    (row,) = [line for line in lines if line.startswith("fine")]
    assert row.split()[-2:] == ["+31°", "+31°"]
    assert any("≥ capped by the camera view · ? implausible" in line for line in lines)


# ---------------------------------------------------------------- people


def test_person_names_must_make_a_plain_folder_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIPROT_PERSON", raising=False)
    assert check_person(None) == DEFAULT_PERSON
    monkeypatch.setenv("HIPROT_PERSON", "Anna K")
    assert check_person(None) == "Anna K"
    for bad in ("../x", "a/b", ".hidden", "", "x" * 65):
        with pytest.raises(InputError, match="not usable as a person's name"):
            check_person(bad)


def test_samples_and_rendered_clips_are_nobody_s_sessions(tmp_path: Path) -> None:
    assert is_made_clip(sample_videos_dir() / "wall_left_leg.mp4")
    own = tmp_path / "monday.mp4"
    own.write_bytes(b"")
    assert not is_made_clip(own)
    recording = tmp_path / "monday.landmarks.jsonl.gz"
    (tmp_path / "monday.truth.json").write_text(json.dumps({"format": "hiprot-synth-truth"}))
    assert is_made_clip(recording) and is_made_clip(own)
    (tmp_path / "monday.truth.json").write_text(json.dumps({"format": "my-notes"}))
    assert not is_made_clip(recording)


def _summary(source: str, internal: dict[Side, float]) -> SessionSummary:
    reps = tuple(
        Rep(side, 1, 0.0, 5.0, internal[side], -30.0, 1.5, True, True, False) for side in internal
    )
    return SessionSummary(
        source,
        10.0,
        Mode.BOTH,
        CalibrationInfo("auto", {Side.LEFT: 0.0, Side.RIGHT: 0.0}),
        Tracking(300, 300),
        reps,
    )


def test_history_keeps_people_apart_and_remembers_capped_readings(tmp_path: Path) -> None:
    when = datetime(2026, 11, 30, 18, tzinfo=UTC)
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.add_summary(_summary("a.mp4", {Side.LEFT: 30.0, Side.RIGHT: 34.0}), when)
        store.add_summary(
            _summary("a.mp4", {Side.LEFT: 20.0, Side.RIGHT: 40.0}), when, "Ann", {"left-in"}
        )
        mine, anns = store.sessions(DEFAULT_PERSON), store.sessions("Ann")
        assert [r.person for r in store.sessions()] == [DEFAULT_PERSON, "Ann"]
        assert [name for name, _, _ in store.people()] == ["Ann", DEFAULT_PERSON]
    assert len(mine) == len(anns) == 1  # the same file for two people is two sessions
    assert anns[0].capped == {"left-in"} and mine[0].capped == frozenset()
    left, right = best_internal(anns, Side.LEFT), best_internal(anns, Side.RIGHT)
    assert left == Best(20.0, capped=True) and right == Best(40.0)
    assert asymmetry_words(left, right).startswith("not known (the left leg's reading was capped")
    mine_words = asymmetry_words(best_internal(mine, Side.LEFT), best_internal(mine, Side.RIGHT))
    assert mine_words.startswith("left and right within measurement error")


def test_the_repository_keeps_a_calibration_example_that_loads() -> None:
    example = load_calibration(Path(__file__).parent.parent / "calibration" / "example.json")
    assert example.neutral[Side.LEFT].femur_deg == -6.1


def test_an_implausible_best_is_flagged_and_not_the_best() -> None:
    def record(value: float) -> SimpleNamespace:
        return SimpleNamespace(best_internal_deg=lambda side: value, capped=frozenset())

    best = best_internal([record(145.0), record(28.0)], Side.LEFT)
    assert best == Best(28.0)
    only = best_internal([record(drill.PLAUSIBLE_INTERNAL_MAX_DEG + 1)], Side.LEFT)
    assert only is not None and only.implausible
    assert asymmetry_words(only, Best(20.0)) == "not known (an implausible reading)"
    far = asymmetry_words(Best(20.0), Best(20.0 + drill.MEASUREMENT_ERROR_DEG))
    assert far == f"{drill.MEASUREMENT_ERROR_DEG:.0f}° less internal rotation on the left side"


# ---------------------------------------------------------------- the CLI, end to end


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic set with its truth sidecar, as `hiprot synth` writes it."""
    spec = SessionSpec(seed=11, scenario="clean", noise="none", reps_per_set=4)
    folder = tmp_path_factory.mktemp("synth")
    return write_session(generate(spec), folder / "set.landmarks.jsonl.gz")[0]


def test_a_synthetic_set_stays_out_of_the_history_unless_asked(
    synthetic: Path, tmp_path: Path
) -> None:
    result = hiprot("review", str(synthetic), "-o", str(tmp_path / "r"), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Not added to any history: set.landmarks.jsonl.gz is a sample clip" in result.stdout
    assert not (tmp_path / "history.sqlite3").exists()
    assert max(len(line) for line in table_lines(result.stdout)) <= 80

    own = tmp_path / "tuesday.landmarks.jsonl.gz"  # the same set, no truth beside it: a session
    shutil.copy(synthetic, own)
    result = hiprot(
        "review", str(own), "-o", str(tmp_path / "r2"), "--person", "Ann", home=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Added to Ann's history" in result.stdout
    mine = hiprot("history", home=tmp_path)
    assert "No sessions of me in the history yet" in mine.stdout and "Ann" in mine.stdout
    anns = hiprot("history", "--person", "Ann", home=tmp_path)
    assert anns.returncode == 0, anns.stderr
    assert "tuesday" in anns.stdout and "Asymmetry" in anns.stdout
    assert max(len(line) for line in table_lines(anns.stdout)) <= 80
    people = hiprot("history", "--people", home=tmp_path)
    assert "Ann" in people.stdout and "hiprot history --person NAME" in people.stdout


def test_calibrate_reads_only_the_start_and_says_what_next(synthetic: Path, tmp_path: Path) -> None:
    # a 95 s set: the neutral is the one the whole recording gives, read from its first minute
    session = generate(SessionSpec(seed=11, scenario="clean", noise="realistic"))
    size = (session.info.width, session.info.height)
    found, span, read = first_still_neutral(iter(session.frames), size)
    whole = auto_calibration(smooth_series(angle_series(session.frames, size)))
    assert found is not None and whole is not None and span is not None
    assert session.frames[read - 1].t_s == pytest.approx(span[1] + ANCHOR_WINDOW_S / 2, abs=0.1)
    assert read < 0.7 * len(session.frames)
    for side in Side:
        got, want = found.neutral[side], whole.neutral[side]
        assert (got.femur_deg, got.foot_deg) == pytest.approx((want.femur_deg, want.foot_deg))

    result = hiprot("calibrate", str(synthetic), "--person", "Ann", home=tmp_path)
    assert result.returncode == 0, result.stderr
    saved = list((tmp_path / "calibration" / "Ann").glob("*.json"))
    assert len(saved) == 1 and f"Saved {saved[0]}" in result.stdout
    assert "femur" not in result.stdout and "Found you lying still from" in result.stdout
    assert "hiprot review VIDEO --person Ann --calibration" in result.stdout


def test_small_gaps_in_the_commands(tmp_path: Path) -> None:
    result = hiprot(
        "extract",
        str(sample_videos_dir() / "wall_left_leg.mp4"),
        "-o",
        str(tmp_path / "left.json"),
        home=tmp_path,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "must end in .landmarks.jsonl" in result.stderr
    assert not (tmp_path / "left.json").exists()
    synth_help = hiprot("synth", "--help", home=tmp_path, columns=200).stdout
    assert "oblique45_left" in synth_help and "realistic" in synth_help and "no_hold" in synth_help
    assert "Sets in the session" in hiprot("live", "--help", home=tmp_path, columns=200).stdout
    assert (
        "Seeds the synthetic person" in hiprot("demo", "--help", home=tmp_path, columns=200).stdout
    )
    demo = hiprot("demo", home=tmp_path)
    assert demo.returncode == 0 and "jitter" not in demo.stderr  # one short note at most
    assert sum("jitter" in line for line in demo.stdout.splitlines()) <= 1


@pytest.mark.parametrize("window", [True, False])
def test_the_end_of_a_session_names_the_key_only_with_a_window(window: bool) -> None:
    coach = Coach(CoachConfig(window=window), None, "camera:0", {})
    coach.stage = Stage.SUMMARY
    view = coach._view(0.0, None)
    assert ("Press q" in view.detail) is window


def test_the_default_person_is_you_in_a_sentence() -> None:
    # "Added to me's history" read as a typo to a home user, who names no one
    assert whose(DEFAULT_PERSON) == "your"
    assert whose("Ann") == "Ann's"
