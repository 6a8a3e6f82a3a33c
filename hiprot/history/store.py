"""The training history's SQLite file: every session and its reps.

One file per user (``default_path``). ``HistoryStore`` writes sessions (a
review all at once, a live session rep by rep, each rep committed as it is
counted so a crash never loses one) and reads them back as
``SessionRecord``s; ``hiprot.history.progress`` turns those into weeks.

The schema is versioned with ``PRAGMA user_version`` and upgraded in place
by ``_MIGRATIONS`` (a copy of the old file is kept beside it first). A file
that is not a hiprot history (corrupt, not SQLite, another program's
database, from a newer hiprot) or that another program holds locked is
reported as a ``HistoryError`` naming the file, and never written to.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.profiles import DEFAULT_PERSON
from hiprot.reps import Mode, Rep
from hiprot.safe_io import atomic_path, os_error_words
from hiprot.session import SessionSummary

FILE_NAME = "history.sqlite3"

_SQLITE_MAGIC = b"SQLite format 3\x00"

#: ``_MIGRATIONS[k]`` upgrades a database from ``user_version`` k to k + 1.
#: Never edit a released step; append a new one.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 0 -> 1: sessions and their reps
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            mode TEXT NOT NULL,
            started_at TEXT NOT NULL,
            calibration_method TEXT NOT NULL,
            neutral_left_deg REAL,
            neutral_right_deg REAL,
            duration_s REAL
        )""",
        """CREATE TABLE reps (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            leg TEXT NOT NULL,
            rep_index INTEGER NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            peak_internal_deg REAL NOT NULL,
            peak_external_deg REAL NOT NULL,
            hold_s REAL NOT NULL,
            held INTEGER NOT NULL,
            controlled INTEGER NOT NULL,
            compensation INTEGER NOT NULL,
            PRIMARY KEY (session_id, leg, rep_index)
        )""",
    ),
    (  # 1 -> 2: tracking quality per session; sessions listed by date
        "ALTER TABLE sessions ADD COLUMN frames INTEGER",
        "ALTER TABLE sessions ADD COLUMN frames_with_pose INTEGER",
        "CREATE INDEX sessions_by_start ON sessions(started_at)",
    ),
    (  # 2 -> 3: whose session (a clinic keeps many people); older rows are the default person's.
        # capped: the readings at the camera view's limit, e.g. "left-in,right-out"
        f"ALTER TABLE sessions ADD COLUMN person TEXT NOT NULL DEFAULT '{DEFAULT_PERSON}'",
        "ALTER TABLE sessions ADD COLUMN capped TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX sessions_by_person ON sessions(person, started_at)",
    ),
    (  # 3 -> 4: a reviewed session is known by its file's content, not its name and time
        "ALTER TABLE sessions ADD COLUMN content_sha256 TEXT",
        "CREATE INDEX sessions_by_content ON sessions(content_sha256)",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)


class HistoryError(HiprotError):
    """The history database cannot be used (corrupt, foreign, newer, locked)."""


def default_path() -> Path:
    """``$HIPROT_HOME/history.sqlite3``, else ``~/.local/share/hiprot/history.sqlite3``."""
    home = os.environ.get("HIPROT_HOME")
    base = Path(home) if home else Path.home() / ".local" / "share" / "hiprot"
    return base / FILE_NAME


@dataclass(frozen=True)
class SessionRecord:
    """One stored session.

    Attributes:
        id: Row id (what ``begin_session`` / ``add_summary`` returned).
        source: Video or recording name, or ``camera:N``.
        mode: Which legs the session worked.
        started_at: When it started (timezone-aware, as stored).
        calibration_method: ``file`` or ``auto``.
        neutral_deg: Femur neutral per leg (degrees, absolute).
        duration_s: Length; ``None`` when a live session never ended (crash).
        frames, frames_with_pose: Tracking counts, ``None`` if unknown.
        reps: The reps, in start order.
        person: Whose session it is.
        capped: The readings that sat at the camera view's limit, as
            ``"<leg>-in"`` / ``"<leg>-out"``: the leg may have turned further.
    """

    id: int
    source: str
    mode: Mode
    started_at: datetime
    calibration_method: str
    neutral_deg: dict[str, float]
    duration_s: float | None
    frames: int | None
    frames_with_pose: int | None
    reps: tuple[Rep, ...]
    person: str = DEFAULT_PERSON
    capped: frozenset[str] = frozenset()

    @property
    def complete(self) -> bool:
        return self.duration_s is not None

    def best_internal_deg(self, side: Side) -> float | None:
        return max((r.peak_internal_deg for r in self.reps if r.leg is side), default=None)

    def best_external_deg(self, side: Side) -> float | None:
        return min((r.peak_external_deg for r in self.reps if r.leg is side), default=None)

    def rep_count(self, side: Side) -> int:
        return sum(r.leg is side for r in self.reps)


class HistoryStore:
    """The history database, open for reading and writing.

    Example:
        >>> with HistoryStore(tmp / "h.sqlite3") as store:
        ...     session_id = store.add_summary(summary, started_at=datetime.now().astimezone())
        ...     [s.id for s in store.sessions()]
        [1]

    Args:
        path: Database file; ``None`` for ``default_path()``. Created (with
            its folder) when missing.
        timeout_s: How long to wait for another program's lock.

    Raises:
        HistoryError: Not a hiprot history, damaged, from a newer hiprot,
            or locked; the file is left exactly as it was.
    """

    def __init__(
        self, path: Path | None = None, *, timeout_s: float = 5.0, write: bool = True
    ) -> None:
        self.path = Path(path) if path is not None else default_path()
        _check_file(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(
                f"{self.path.parent}: cannot hold the history ({os_error_words(exc)}); "
                "set HIPROT_HOME to a folder you can write, or give --db"
            ) from None
        try:
            self._conn = sqlite3.connect(str(self.path), timeout=timeout_s, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: cannot open the history ({exc})") from None
        try:
            with self._errors():
                self._open()
                if write:  # a read-only history is found before any analysis
                    self._check_writable()
        except BaseException:
            self._conn.close()
            raise

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's exceptions as one clear HistoryError naming the file."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise HistoryError(
                    f"{self.path}: the history database is locked by another program "
                    "(another hiprot running?); try again when it has finished"
                ) from None
            if "full" in text:
                raise HistoryError(
                    f"{self.path}: the disk is full, so nothing was added to the history; "
                    "free some space and run again"
                ) from None
            if "readonly" in text or "read-only" in text:
                raise HistoryError(
                    f"{self.path}: the history is read-only (a read-only file or disk); make "
                    "it writable, or give another --db, or use --no-history"
                ) from None
            if "unable to open" in text:
                raise HistoryError(
                    f"{self.path}: cannot open the history (its folder cannot be written); "
                    "give another --db"
                ) from None
            if "disk I/O" in text:
                raise HistoryError(
                    f"{self.path}: the disk failed while the history was written; "
                    "check the disk and run again"
                ) from None
            raise HistoryError(f"{self.path}: cannot use the history database ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise HistoryError(
                f"{self.path}: the history database is damaged ({exc}); it was left untouched, "
                "move it aside (or use --db) to start a new one"
            ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._errors():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                # SQLite has already rolled back after some errors (a full disk)
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _check_writable(self) -> None:
        """Write the header without changing it, and roll back: fails on a read-only history."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    def _open(self) -> None:
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        # Creating, upgrading or refusing: read the version (and the tables)
        # inside one write transaction, so that a hiprot creating the same
        # history at this moment is either not started or done.
        with self._transaction():
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            if 0 < version < SCHEMA_VERSION:
                backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
                try:
                    with atomic_path(backup) as tmp:
                        shutil.copyfile(self.path, tmp)  # consistent: we hold the write lock
                except OSError as exc:
                    raise HistoryError(
                        f"{backup}: cannot keep a copy of the history before upgrading it "
                        f"({os_error_words(exc)}); it was left untouched"
                    ) from None
            for step in range(version, SCHEMA_VERSION):
                for statement in _MIGRATIONS[step]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check_version(self, version: int) -> None:
        conn = self._conn
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: this history was written by a newer hiprot (schema v{version}, "
                f"this one reads up to v{SCHEMA_VERSION}); update hiprot"
            )
        if version == 0:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
            if tables:
                raise HistoryError(
                    f"{self.path}: is a SQLite database but not a hiprot history "
                    f"(it holds {', '.join(sorted(tables)[:5])}); give another --db"
                )

    # ------------------------------------------------------------ writing

    def begin_session(
        self,
        *,
        source: str,
        mode: str,
        started_at: datetime,
        calibration_method: str,
        neutral_deg: dict[str, float],
        person: str = DEFAULT_PERSON,
    ) -> int:
        """Start a session whose reps arrive one by one (live); returns its id."""
        with self._transaction() as conn:
            return self._insert_session(
                conn, source, Mode(mode), started_at, calibration_method, neutral_deg, person
            )

    def add_rep(self, session_id: int, rep: Rep) -> None:
        """Store one counted rep, committed at once."""
        with self._transaction() as conn:
            self._check_session(conn, session_id)
            _insert_rep(conn, session_id, rep)

    def end_session(
        self, session_id: int, summary: SessionSummary, capped: Collection[str] = ()
    ) -> None:
        """Complete a live session: its totals, and its reps as the summary has
        them; ``capped`` as in ``SessionRecord``."""
        with self._transaction() as conn:
            self._check_session(conn, session_id)
            conn.execute(
                "UPDATE sessions SET mode = ?, duration_s = ?, frames = ?, frames_with_pose = ?, "
                "capped = ? WHERE id = ?",
                (
                    summary.mode.value,
                    summary.duration_s,
                    summary.tracking.frames,
                    summary.tracking.frames_with_pose,
                    ",".join(sorted(capped)),
                    session_id,
                ),
            )
            conn.execute("DELETE FROM reps WHERE session_id = ?", (session_id,))
            for rep in summary.reps:
                _insert_rep(conn, session_id, rep)

    def add_summary(
        self,
        summary: SessionSummary,
        started_at: datetime,
        person: str = DEFAULT_PERSON,
        capped: Collection[str] = (),
        content_id: str | None = None,
    ) -> int:
        """Store a reviewed session at once, as ``person``'s; returns its id.
        ``capped`` as in ``SessionRecord``.

        Reviewing the same file again for the same person replaces its
        earlier entry, so re-runs do not inflate the weekly count. The file
        is known by ``content_id`` (its sha256): two different sets that
        share a name and a time stay two sessions (``_delete_earlier``).
        """
        with self._transaction() as conn:
            _delete_earlier(conn, summary, started_at, person, content_id)
            session_id = self._insert_session(
                conn,
                summary.source,
                summary.mode,
                started_at,
                summary.calibration.method,
                dict(summary.calibration.neutral_deg),
                person,
            )
            conn.execute(
                "UPDATE sessions SET duration_s = ?, frames = ?, frames_with_pose = ?, capped = ?, "
                "content_sha256 = ? WHERE id = ?",
                (
                    summary.duration_s,
                    summary.tracking.frames,
                    summary.tracking.frames_with_pose,
                    ",".join(sorted(capped)),
                    content_id,
                    session_id,
                ),
            )
            for rep in summary.reps:
                _insert_rep(conn, session_id, rep)
            return session_id

    @staticmethod
    def _insert_session(
        conn: sqlite3.Connection,
        source: str,
        mode: Mode,
        started_at: datetime,
        calibration_method: str,
        neutral_deg: dict[str, float],
        person: str = DEFAULT_PERSON,
    ) -> int:
        neutral = {Side(key): value for key, value in neutral_deg.items()}
        cursor = conn.execute(
            "INSERT INTO sessions (source, mode, started_at, calibration_method, "
            "neutral_left_deg, neutral_right_deg, person) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                source,
                mode.value,
                _iso(started_at),
                calibration_method,
                neutral.get(Side.LEFT),
                neutral.get(Side.RIGHT),
                person,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @staticmethod
    def _check_session(conn: sqlite3.Connection, session_id: int) -> None:
        if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
            raise ValueError(f"no session {session_id} in the history")

    # ------------------------------------------------------------ reading

    def sessions(self, person: str | None = None) -> list[SessionRecord]:
        """Every session with its reps, oldest first; only ``person``'s if given.

        Raises:
            HistoryError: A stored value this hiprot does not know (e.g. a
                mode or leg written by another program).
        """
        try:
            return self._sessions(person)
        except ValueError as exc:
            raise HistoryError(
                f"{self.path}: a stored session has a value this hiprot does not know ({exc}); "
                "the history was left untouched"
            ) from None

    def _sessions(self, person: str | None) -> list[SessionRecord]:
        with self._errors():
            reps: dict[int, list[Rep]] = {}
            for row in self._conn.execute(
                "SELECT session_id, leg, rep_index, start_s, end_s, peak_internal_deg, "
                "peak_external_deg, hold_s, held, controlled, compensation FROM reps "
                "ORDER BY session_id, start_s, leg, rep_index"
            ):
                reps.setdefault(row[0], []).append(
                    Rep(
                        Side(row[1]),
                        row[2],
                        row[3],
                        row[4],
                        row[5],
                        row[6],
                        row[7],
                        bool(row[8]),
                        bool(row[9]),
                        bool(row[10]),
                    )
                )
            rows = self._conn.execute(
                "SELECT id, source, mode, started_at, calibration_method, neutral_left_deg, "
                "neutral_right_deg, duration_s, frames, frames_with_pose, person, capped "
                "FROM sessions "
                "WHERE ? IS NULL OR person = ? ORDER BY started_at, id",
                (person, person),
            ).fetchall()
        return [
            SessionRecord(
                id=row[0],
                source=row[1],
                mode=Mode(row[2]),
                started_at=datetime.fromisoformat(row[3]),
                calibration_method=row[4],
                neutral_deg={
                    side.value: value for side, value in zip(Side, row[5:7]) if value is not None
                },
                duration_s=row[7],
                frames=row[8],
                frames_with_pose=row[9],
                reps=tuple(reps.get(row[0], ())),
                person=row[10],
                capped=frozenset(filter(None, row[11].split(","))),
            )
            for row in rows
        ]

    def people(self) -> list[tuple[str, int, datetime | None]]:
        """Every person with sessions: ``(name, sessions with reps, latest start)``, by name."""
        with self._errors():
            rows = self._conn.execute(
                "SELECT person, COUNT(DISTINCT reps.session_id), MAX(started_at) FROM sessions "
                "LEFT JOIN reps ON reps.session_id = sessions.id GROUP BY person ORDER BY person"
            ).fetchall()
        return [
            (row[0], row[1], datetime.fromisoformat(row[2]) if row[2] else None) for row in rows
        ]


def _delete_earlier(
    conn: sqlite3.Connection,
    summary: SessionSummary,
    started_at: datetime,
    person: str,
    content_id: str | None,
) -> None:
    """Delete ``person``'s earlier entry of this reviewed file: the one with
    this ``content_id``, or one stored before content ids with the same
    source, start time, frame count and duration; without a ``content_id``,
    the one with the same source and start time."""
    if content_id is None:
        conn.execute(
            "DELETE FROM sessions WHERE source = ? AND started_at = ? AND person = ?",
            (summary.source, _iso(started_at), person),
        )
        return
    same_legacy = (
        "content_sha256 IS NULL AND source = ? AND started_at = ? "
        "AND frames IS ? AND duration_s IS ?"
    )
    legacy = (summary.source, _iso(started_at), summary.tracking.frames, summary.duration_s)
    conn.execute(
        f"DELETE FROM sessions WHERE person = ? AND (content_sha256 = ? OR ({same_legacy}))",
        (person, content_id, *legacy),
    )


def _check_file(path: Path) -> None:
    """Refuse, before SQLite touches it, a path that is not a SQLite file."""
    if path.is_dir():
        raise HistoryError(f"{path}: is a folder; give a history file (.sqlite3)")
    if not path.exists():
        return
    try:
        with open(path, "rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise HistoryError(f"{path}: cannot be read ({exc.strerror})") from None
    if head and head != _SQLITE_MAGIC:
        raise HistoryError(
            f"{path}: is not a SQLite database, so not a hiprot history; it was left "
            "untouched (give another --db)"
        )


def _iso(moment: datetime) -> str:
    """ISO 8601 with the UTC offset; a naive datetime is taken as local time."""
    return moment.astimezone().isoformat(timespec="seconds")


def _insert_rep(conn: sqlite3.Connection, session_id: int, rep: Rep) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO reps (session_id, leg, rep_index, start_s, end_s, "
        "peak_internal_deg, peak_external_deg, hold_s, held, controlled, compensation) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            rep.leg.value,
            rep.index,
            rep.start_s,
            rep.end_s,
            rep.peak_internal_deg,
            rep.peak_external_deg,
            rep.hold_s,
            rep.held,
            rep.controlled,
            rep.compensation,
        ),
    )
