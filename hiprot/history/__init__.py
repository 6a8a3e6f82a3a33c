"""Training history: the SQLite store, progress over weeks, the CSV export.

``store`` keeps every session and its reps (``HistoryStore``); ``progress``
turns them into weeks against the 3-4 a week goal, best range per leg and
left/right asymmetry; ``export`` writes them as one CSV row each.
"""

from hiprot.history.export import CSV_COLUMNS, session_row, spreadsheet_text, write_history_csv
from hiprot.history.progress import (
    GOAL_DAYS_PER_WEEK,
    Best,
    WeekSummary,
    asymmetry_words,
    best_internal,
    by_week,
    weekly,
)
from hiprot.history.store import (
    FILE_NAME,
    SCHEMA_VERSION,
    HistoryError,
    HistoryStore,
    SessionRecord,
    default_path,
)

__all__ = [
    "CSV_COLUMNS",
    "FILE_NAME",
    "GOAL_DAYS_PER_WEEK",
    "SCHEMA_VERSION",
    "Best",
    "HistoryError",
    "HistoryStore",
    "SessionRecord",
    "WeekSummary",
    "asymmetry_words",
    "best_internal",
    "by_week",
    "default_path",
    "session_row",
    "spreadsheet_text",
    "weekly",
    "write_history_csv",
]
