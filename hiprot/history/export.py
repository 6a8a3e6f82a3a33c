"""The history as a spreadsheet: one CSV row per session (``hiprot history --csv``)."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from hiprot.history.store import SessionRecord
from hiprot.landmarks import Side
from hiprot.safe_io import atomic_write, write_error

CSV_COLUMNS = (
    "session_id",
    "person",
    "started_at",
    "iso_week",
    "source",
    "mode",
    "complete",
    "duration_s",
    "left_reps",
    "right_reps",
    "left_best_internal_deg",
    "left_best_external_deg",
    "right_best_internal_deg",
    "right_best_external_deg",
    "asymmetry_internal_deg",
)


def session_row(record: SessionRecord) -> dict[str, object]:
    """One session as a flat row (``CSV_COLUMNS``); asymmetry is left minus right."""
    year, week, _ = record.started_at.isocalendar()
    left, right = record.best_internal_deg(Side.LEFT), record.best_internal_deg(Side.RIGHT)
    row: dict[str, object] = {
        "session_id": record.id,
        "person": record.person,
        "started_at": record.started_at.isoformat(),
        "iso_week": f"{year}-W{week:02d}",
        "source": record.source,
        "mode": record.mode.value,
        "complete": record.complete,
        "duration_s": record.duration_s,
    }
    for side in Side:
        row[f"{side.value}_reps"] = record.rep_count(side)
        row[f"{side.value}_best_internal_deg"] = record.best_internal_deg(side)
        row[f"{side.value}_best_external_deg"] = record.best_external_deg(side)
    row["asymmetry_internal_deg"] = None if left is None or right is None else left - right
    return row


def write_history_csv(records: Sequence[SessionRecord], path: Path) -> Path:
    """Every session, one row each, for a spreadsheet; empty cells for unknowns."""

    def cell(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, str):
            return spreadsheet_text(value)
        return f"{value:.2f}" if isinstance(value, float) and math.isfinite(value) else value

    try:
        with atomic_write(path, newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            for record in records:
                writer.writerow({k: cell(v) for k, v in session_row(record).items()})
    except OSError as exc:
        raise write_error(path, "the CSV", exc) from None
    return path


#: A cell starting with one of these is read as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """``text`` that a spreadsheet shows as text, never runs as a formula
    (OWASP CSV injection: a leading single quote)."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text
