"""The history database: round trips, weekly adherence, trends, migration, refusal
to touch files that are not a hiprot history."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest

from hiprot.history import (
    SCHEMA_VERSION,
    HistoryError,
    HistoryStore,
    default_path,
    session_row,
    weekly,
    write_history_csv,
)
from hiprot.landmarks import Side
from hiprot.profiles import DEFAULT_PERSON
from hiprot.reps import Mode, Rep
from hiprot.session import CalibrationInfo, SessionSummary, Tracking

UTC = timezone.utc


def rep(
    leg: Side,
    index: int,
    internal: float = 25.0,
    external: float = -35.0,
    start_s: float = 0.0,
    compensation: bool = False,
) -> Rep:
    start = start_s + 6.0 * (index - 1)
    return Rep(leg, index, start, start + 5.0, internal, external, 1.4, True, True, compensation)


def summary(
    internal: dict[Side, float] | None = None,
    n_reps: int = 3,
    source: str = "set.mp4",
    mode: Mode = Mode.BOTH,
) -> SessionSummary:
    internal = internal or {Side.LEFT: 25.0, Side.RIGHT: 25.0}
    reps = tuple(
        rep(side, i, internal=internal[side] - (n_reps - i))  # the last rep is the best
        for side in mode.sides
        for i in range(1, n_reps + 1)
    )
    return SessionSummary(
        source=source,
        duration_s=6.0 * n_reps,
        mode=mode,
        calibration=CalibrationInfo("auto", {Side.LEFT: 1.5, Side.RIGHT: -2.0}),
        tracking=Tracking(30 * 6 * n_reps + 4, 30 * 6 * n_reps),
        reps=reps,
    )


def at(day: date, hour: int = 18) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


# ---------------------------------------------------------------- writing and reading


def test_review_summary_round_trips(db: Path) -> None:
    given = summary({Side.LEFT: 31.0, Side.RIGHT: 24.0})
    with HistoryStore(db) as store:
        session_id = store.add_summary(given, at(date(2025, 3, 3)))
    with HistoryStore(db) as store:
        (record,) = store.sessions()
    assert record.id == session_id
    assert (record.source, record.mode, record.calibration_method) == ("set.mp4", Mode.BOTH, "auto")
    assert record.started_at == at(date(2025, 3, 3))
    assert record.neutral_deg == {"left": 1.5, "right": -2.0}
    assert record.complete and record.duration_s == pytest.approx(18.0)
    assert (record.frames, record.frames_with_pose) == (544, 540)
    assert sorted(record.reps, key=lambda r: (r.leg.value, r.index)) == sorted(
        given.reps, key=lambda r: (r.leg.value, r.index)
    )
    assert record.best_internal_deg(Side.LEFT) == 31.0
    assert record.best_internal_deg(Side.RIGHT) == 24.0
    assert record.best_external_deg(Side.LEFT) == -35.0


def test_reviewing_the_same_recording_again_replaces_it(db: Path) -> None:
    with HistoryStore(db) as store:
        store.add_summary(summary(n_reps=3), at(date(2025, 3, 3)))
        store.add_summary(summary(n_reps=5), at(date(2025, 3, 3)))
        store.add_summary(summary(n_reps=2, source="other.mp4"), at(date(2025, 3, 3)))
        records = store.sessions()
    assert [(r.source, len(r.reps)) for r in records] == [("set.mp4", 10), ("other.mp4", 4)]


def test_live_session_keeps_every_committed_rep_after_a_crash(db: Path) -> None:
    store = HistoryStore(db)
    session_id = store.begin_session(
        source="camera:0",
        mode="left",
        started_at=at(date(2025, 3, 4)),
        calibration_method="file",
        neutral_deg={"left": 3.0, "right": 1.0},
    )
    store.add_rep(session_id, rep(Side.LEFT, 1))
    store.add_rep(session_id, rep(Side.LEFT, 2))
    # Another process reads while the session is still open (or after a crash).
    with HistoryStore(db) as reader:
        (record,) = reader.sessions()
    assert not record.complete and [r.index for r in record.reps] == [1, 2]
    final = summary(mode=Mode.LEFT, n_reps=3)
    store.end_session(session_id, final)
    store.close()
    with HistoryStore(db) as reader:
        (record,) = reader.sessions()
    assert record.complete and record.reps == final.reps and record.mode is Mode.LEFT


def test_unknown_session_is_a_programming_error(db: Path) -> None:
    with HistoryStore(db) as store, pytest.raises(ValueError, match="no session 7"):
        store.add_rep(7, rep(Side.LEFT, 1))


def test_default_path_follows_hiprot_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HIPROT_HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / "history.sqlite3"
    monkeypatch.delenv("HIPROT_HOME")
    assert default_path() == Path.home() / ".local" / "share" / "hiprot" / "history.sqlite3"


# ---------------------------------------------------------------- progress


def test_weekly_adherence_counts_training_days_per_iso_week(db: Path) -> None:
    monday = date(2025, 3, 3)  # ISO 2025-W10
    plan = [  # (day offset, hour, reps)
        (0, 8, 3),
        (0, 19, 3),  # two sets on Monday: one training day
        (2, 18, 3),
        (4, 18, 3),  # W10: 3 days, 4 sessions
        (7, 18, 3),  # W11: 1 day
        # W12: nothing
        (21, 18, 3),
        (22, 18, 3),
        (23, 18, 3),
        (24, 18, 3),
        (25, 18, 3),  # W13: 5 days
        (26, 18, 0),  # a recording without reps is not training
    ]
    with HistoryStore(db) as store:
        for offset, hour, n_reps in plan:
            day = monday + timedelta(days=offset)
            store.add_summary(summary(n_reps=n_reps, source=f"{offset}-{hour}.mp4"), at(day, hour))
        records = store.sessions()
    weeks = weekly(records, today=monday + timedelta(days=30))  # W14 (empty) is today's week
    assert [w.label for w in weeks] == ["2025-W10", "2025-W11", "2025-W12", "2025-W13", "2025-W14"]
    assert [w.sessions for w in weeks] == [4, 1, 0, 5, 0]
    assert [w.days for w in weeks] == [3, 1, 0, 5, 0]
    assert [w.status for w in weeks] == [
        "on goal",
        "below goal",
        "below goal",
        "above goal",
        "below goal",
    ]
    assert weeks[0].reps == {Side.LEFT: 12, Side.RIGHT: 12}
    assert weeks[2].best_internal_deg == {Side.LEFT: None, Side.RIGHT: None}
    assert weekly([], today=monday) == []


def test_range_trend_and_asymmetry(db: Path) -> None:
    monday = date(2025, 3, 3)
    bests = [(20.0, 15.0), (24.0, 16.0), (28.0, 21.0)]  # left improves faster than right
    with HistoryStore(db) as store:
        for week, (left, right) in enumerate(bests):
            store.add_summary(
                summary({Side.LEFT: left, Side.RIGHT: right}, source=f"w{week}.mp4"),
                at(monday + timedelta(weeks=week)),
            )
        store.add_summary(
            summary({Side.LEFT: 0, Side.RIGHT: 26.0}, mode=Mode.RIGHT, source="r.mp4"),
            at(monday + timedelta(weeks=2, days=1)),
        )
        records = store.sessions()
    assert [r.best_internal_deg(Side.LEFT) for r in records] == [20.0, 24.0, 28.0, None]
    rows = [session_row(r) for r in records]
    assert [row["asymmetry_internal_deg"] for row in rows] == [5.0, 8.0, 7.0, None]
    assert [row["iso_week"] for row in rows] == ["2025-W10", "2025-W11", "2025-W12", "2025-W12"]
    weeks = weekly(records, today=monday + timedelta(weeks=2))
    # Week 3's asymmetry combines the both-legs set with the right-leg-only set.
    assert [w.asymmetry_deg for w in weeks] == [5.0, 8.0, 2.0]


def test_csv_export_has_one_row_per_session(db: Path, tmp_path: Path) -> None:
    with HistoryStore(db) as store:
        store.add_summary(summary({Side.LEFT: 30.0, Side.RIGHT: 20.0}), at(date(2025, 3, 3)))
        store.add_summary(summary(mode=Mode.LEFT, source="l.mp4"), at(date(2025, 3, 5)))
        records = store.sessions()
    with open(write_history_csv(records, tmp_path / "h.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    assert (
        rows[0]["left_best_internal_deg"] == "30.00"
        and rows[0]["asymmetry_internal_deg"] == "10.00"
    )
    assert rows[1]["right_reps"] == "0" and rows[1]["right_best_internal_deg"] == ""


# ---------------------------------------------------------------- schema versions


V1_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, mode TEXT NOT NULL, started_at TEXT NOT NULL,
    calibration_method TEXT NOT NULL, neutral_left_deg REAL, neutral_right_deg REAL,
    duration_s REAL);
CREATE TABLE reps (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, leg TEXT NOT NULL,
    rep_index INTEGER NOT NULL, start_s REAL NOT NULL, end_s REAL NOT NULL,
    peak_internal_deg REAL NOT NULL, peak_external_deg REAL NOT NULL, hold_s REAL NOT NULL,
    held INTEGER NOT NULL, controlled INTEGER NOT NULL, compensation INTEGER NOT NULL,
    PRIMARY KEY (session_id, leg, rep_index));
INSERT INTO sessions VALUES
    (1, 'monday.mp4', 'both', '2025-03-03T18:00:00+00:00', 'auto', 1.0, -1.0, 62.5);
INSERT INTO sessions VALUES
    (2, 'camera:0', 'left', '2025-03-05T07:30:00+01:00', 'file', 2.0, NULL, NULL);
INSERT INTO reps VALUES (1, 'left', 1, 3.0, 9.0, 28.5, -33.0, 1.5, 1, 1, 0);
INSERT INTO reps VALUES (1, 'right', 1, 3.2, 9.1, 22.0, -30.0, 0.4, 0, 1, 1);
INSERT INTO reps VALUES (2, 'left', 1, 1.0, 6.0, 18.0, -25.0, 1.1, 1, 0, 0);
PRAGMA user_version = 1;
"""


def test_v1_database_is_migrated_without_losing_rows(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.executescript(V1_SCHEMA)
    conn.close()
    with HistoryStore(db) as store:
        records = store.sessions()
        store.add_summary(summary(), at(date(2025, 3, 7)), person="Ann")  # the new columns work
        assert [(r.source, r.person) for r in store.sessions("Ann")] == [("set.mp4", "Ann")]
    assert [(r.id, r.source, len(r.reps)) for r in records] == [
        (1, "monday.mp4", 2),
        (2, "camera:0", 1),
    ]
    first, second = records
    assert first.duration_s == 62.5 and first.frames is None  # added in v2, unknown for old rows
    assert {r.person for r in records} == {DEFAULT_PERSON}  # added in v3: old rows are "me"
    assert first.reps[1] == Rep(Side.RIGHT, 1, 3.2, 9.1, 22.0, -30.0, 0.4, False, True, True)
    assert not second.complete and second.neutral_deg == {"left": 2.0}
    assert second.started_at == datetime(2025, 3, 5, 6, 30, tzinfo=UTC)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        assert conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 3 + 6
    conn.close()
    backup = db.with_name(db.name + ".v1.bak")
    with sqlite3.connect(backup) as conn:  # the pre-migration copy is kept
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 3
    conn.close()


def test_empty_file_becomes_a_history(db: Path) -> None:
    db.write_bytes(b"")
    with HistoryStore(db) as store:
        assert store.sessions() == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def _sqlite_file(path: Path, script: str) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(script)
    conn.close()
    return path


def _damaged(path: Path) -> Path:
    """A real history whose pages after the header are overwritten."""
    with HistoryStore(path) as store:
        for day in range(1, 20):
            store.add_summary(summary(source=f"{day}.mp4"), at(date(2025, 3, day)))
    data = bytearray(path.read_bytes())
    data[100:] = (
        np.random.default_rng(0).integers(0, 256, len(data) - 100, dtype=np.uint8).tobytes()
    )
    path.write_bytes(bytes(data))
    return path


BAD_FILES = [
    (
        "text",
        lambda p: p.write_bytes(b"hello, not a database\n" * 50) or p,
        "not a SQLite database",
    ),
    (
        "random",
        lambda p: p.write_bytes(np.random.default_rng(1).bytes(4096)) or p,
        "not a SQLite database",
    ),
    ("damaged", _damaged, "damaged"),
    (
        "foreign",
        lambda p: _sqlite_file(p, "CREATE TABLE photos (id INTEGER);"),
        "not a hiprot history",
    ),
    ("newer", lambda p: _sqlite_file(p, "PRAGMA user_version = 99;"), "newer hiprot"),
]


@pytest.mark.parametrize(
    ("make", "message"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_unusable_file_is_refused_and_left_untouched(db: Path, make, message: str) -> None:
    make(db)
    before = db.read_bytes()
    with pytest.raises(HistoryError, match=message) as info:
        HistoryStore(db)
    assert str(db) in str(info.value)
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_locked_database_is_a_clear_error(db: Path) -> None:
    with HistoryStore(db) as store:
        store.add_summary(summary(), at(date(2025, 3, 3)))
    before = db.read_bytes()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError, match="locked"):
            HistoryStore(db, timeout_s=0.1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert db.read_bytes() == before


# ---------------------------------------------------------------- the command


def hiprot(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HIPROT_HOME": str(home), "PATH": "/usr/bin:/bin", "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "hiprot", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_history_command_on_an_empty_history_says_so(tmp_path: Path) -> None:
    result = hiprot("history", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No sessions of me in the history yet" in result.stdout
    assert not (tmp_path / "history.sqlite3").exists()  # looking never creates the file


def test_history_command_tables_plot_and_csv(tmp_path: Path) -> None:
    from hiprot.report import HISTORY_PLOT_SIZE_PX

    db = tmp_path / "mine.sqlite3"
    today = date.today()
    monday = today - timedelta(days=today.weekday(), weeks=2)  # the table ends at this week
    year, week, _ = monday.isocalendar()
    with HistoryStore(db) as store:
        for k in range(8):
            store.add_summary(
                summary({Side.LEFT: 20.0 + k, Side.RIGHT: 12.0 + k / 2}, source=f"{k}.mp4"),
                at(monday + timedelta(days=2 * k)),
            )
    result = hiprot(
        "history",
        "--db",
        str(db),
        "--plot",
        str(tmp_path / "t.png"),
        "--csv",
        str(tmp_path / "t.csv"),
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"{year}-W{week:02d}" in result.stdout and "│ on " in result.stdout
    assert "Left internal rotation: first +20°, latest +27°" in result.stdout
    assert "less internal rotation on the right side" in result.stdout  # beyond the error
    grey = cv2.imread(str(tmp_path / "t.png"), cv2.IMREAD_GRAYSCALE)
    assert (grey.shape[1], grey.shape[0]) == HISTORY_PLOT_SIZE_PX
    assert grey.std() > 10  # not blank
    assert len((tmp_path / "t.csv").read_text().splitlines()) == 1 + 8


def test_history_command_corrupt_db_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    db.write_bytes(b"garbage" * 100)
    result = hiprot("history", "--db", str(db), home=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hiprot: error:") and str(db) in result.stderr
    assert db.read_bytes() == b"garbage" * 100
