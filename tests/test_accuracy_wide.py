"""benchmarks/accuracy_wide.py scores the wide render suite honestly, and the
suite's committed files agree with its manifest."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import _wide  # noqa: E402  (benchmarks/ is not a package)
import accuracy_wide  # noqa: E402


def row(true: int, measured: int, peak_true=30.0, peak=None, capped=False, **kw) -> dict:
    return {
        "reps_true": true,
        "reps_measured": measured,
        "held_true": true,
        "held_measured": measured,
        "peak_internal_true": peak_true,
        "peak_internal_measured": peak,
        "peak_internal_capped": capped,
        "held_clear_right": 0,
        "held_clear_reps": 0,
        "held_borderline_right": 0,
        "held_borderline_reps": 0,
        "ankles_true": 0,
        "ankles_flagged": 0,
        "ankles_right": 0,
        **kw,
    }


def test_counts_exact_and_within_one_per_session_leg() -> None:
    rows = [row(6, 6), row(6, 5), row(6, 8), row(5, 0)]
    s = accuracy_wide.summarise(rows)
    assert (s["count_exact"], s["count_within_one"], s["session_legs"]) == (1, 2, 4)
    assert s["count_error_mean"] == round((0 - 1 + 2 - 5) / 4, 2)


def test_peak_error_leaves_out_capped_and_missing_readings() -> None:
    rows = [
        row(6, 6, 30.0, 24.0),
        row(6, 6, 30.0, 40.0, capped=True),  # at the view's limit: not a measurement
        row(6, 0, 30.0, None),  # nothing counted, no peak
        row(6, 6, 27.5, 29.5),
    ]
    s = accuracy_wide.summarise(rows)
    assert s["peak_internal_scored"] == 2
    assert s["peak_internal_mae_deg"] == 4.0
    assert s["peak_internal_capped"] == 1


def test_held_verdicts_borderline_apart_from_clear() -> None:
    rows = [
        row(3, 3, held_clear_right=1, held_clear_reps=2, held_borderline_reps=1),
        row(4, 4, held_clear_right=2, held_clear_reps=2),
    ]
    s = accuracy_wide.summarise(rows)
    assert s["held_verdict_clear"] == {"right": 3, "reps": 4}
    assert s["held_verdict_borderline"] == {"right": 0, "reps": 1}


def test_from_the_ankles_is_precision_and_recall_over_the_reps() -> None:
    rows = [
        row(3, 3, ankles_true=2, ankles_flagged=3, ankles_right=2),
        row(3, 3, ankles_true=2, ankles_flagged=0, ankles_right=0),
    ]
    a = accuracy_wide.from_ankles(rows)
    assert (a["precision"], a["recall"], a["true"], a["flagged"]) == (2 / 3, 0.5, 4, 3)
    assert accuracy_wide.from_ankles([row(3, 3)])["precision"] is None  # nothing flagged


def test_committed_clips_match_the_manifest() -> None:
    folder = accuracy_wide.FOLDER
    manifest = json.loads((folder / "manifest.json").read_text())
    entries = {c["name"]: c for c in manifest["clips"] + manifest["negatives"]}
    truths = sorted(folder.glob("*.truth.json"))
    for path in truths:
        name = path.name.removesuffix(".truth.json")
        truth = json.loads(path.read_text())
        assert truth["manifest"] == entries[name], name
        assert truth["placement"]["name"] == entries[name]["placement"], name
        assert truth["look"] == entries[name]["look"], name
        for stem in (name, name + _wide.WEBCAM_SUFFIX):
            assert (folder / f"{stem}.landmarks.jsonl.gz").exists(), stem
