"""The wide render suite (issue #22), one home for what its benchmarks share:
which recordings there are, and the row each worked leg of one recording
scores to (``leg_rows``); ``accuracy_wide.py``, ``generalization.py`` and
``accuracy_wide_models.py`` all summarise these rows.

Benchmarks are scripts, not a package: each puts this folder on ``sys.path``
and imports from here."""

from __future__ import annotations

import json
import statistics
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import REPO, match_reps

from hiprot import drill
from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.report import capped_readings
from hiprot.review import Review, review_pose_frames
from hiprot.sources import open_pose_source
from hiprot.types import PoseFrame

FOLDER = REPO / "benchmarks" / "render_suite" / "wide"
WEBCAM_SUFFIX = "-webcam"
COPIES = ("clean", "webcam")
#: A true hold this close to ``drill.HOLD_MIN_S`` is borderline (as accuracy_pixels.py).
HOLD_MARGIN_S = 0.2
#: Every camera of the suite stands on the person's left (azimuth 30-60 deg
#: from the left side towards the head): the left leg is the near one.
NEAR_LEG = "left"
#: Manifest fields every row carries, to split the results by.
FACTORS = ("outfit", "body", "lighting", "azimuth_deg", "height", "distance_m", "script")
#: The "Done when" set: 45° round from the side, every height and distance.
DONE_WHEN_AZIMUTH_DEG = 45.0
#: Manifest fields (and the leg's side, and what review counted it from:
#: ``reading``) the results are also spread over.
SPREAD_BY = ("outfit", "body", "distance_m", "height", "azimuth_deg", "side", "reading")


def recordings(
    folders: Path | Sequence[Path] = FOLDER,
    landmarks: Path | None = None,
    negatives: bool = False,
    whole: bool = False,
) -> Iterator[tuple[str, str, dict, Path]]:
    """(clip, copy, truth, recording) of every recorded copy of every clip.

    The truth from ``folders`` (one or several; the first holding a clip
    wins), the recordings from ``landmarks`` (default: the clip's folder,
    the full model's); a copy not recorded there is skipped, or with
    ``whole`` the clip unless both copies are (a clip still rendering).
    The negatives (issue #21's clips) only if ``negatives``."""
    seen: set[str] = set()
    for folder in [folders] if isinstance(folders, Path) else folders:
        for truth_path in sorted(folder.glob("*.truth.json")):
            name = truth_path.name.removesuffix(".truth.json")
            truth = json.loads(truth_path.read_text())
            if name in seen or (truth["manifest"].get("negative") and not negatives):
                continue
            copies = [
                (copy, (landmarks or folder) / f"{stem}.landmarks.jsonl.gz")
                for copy, stem in zip(COPIES, (name, name + WEBCAM_SUFFIX))
            ]
            recorded = [(copy, rec) for copy, rec in copies if rec.exists()]
            if whole and len(recorded) < len(copies):
                continue
            seen.add(name)
            for copy, rec in recorded:
                yield name, copy, truth, rec


def worked_legs(truth: dict) -> list[str]:
    """The legs that do reps in the truth (what the user would say)."""
    return [leg for leg, c in truth["legs"].items() if c["reps"] > 0]


@dataclass(frozen=True)
class WideReview:
    """One recording as ``hiprot review REC --mode LEGS`` reads it."""

    frames: list[PoseFrame]
    size_wh: tuple[int, int]
    fps: float
    #: The pose model named in the recording's header (absent: full).
    pose_model: str
    #: None: MediaPipe found nobody (a small body far off), a miss, not an error.
    review: Review | None


def review_recording(name: str, truth: dict, rec: Path) -> WideReview:
    """Review one recording with its own pose model's gate and knee circle
    (``review_pose_frames(..., pose_model=...)``), the worked legs as the mode."""
    legs = worked_legs(truth)
    mode = "both" if len(legs) == 2 else legs[0]
    with open_pose_source(rec) as source:
        frames = list(source.frames)
        size_wh = (source.info.width, source.info.height)
        fps = source.info.fps
        model = source.info.landmark_model
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            review = review_pose_frames(frames, name, mode, size_wh=size_wh, pose_model=model)
    except HiprotError:
        review = None
    return WideReview(frames, size_wh, fps, model, review)


def _clear(rep: dict) -> bool:
    return abs(rep["hold_s"] - drill.HOLD_MIN_S) > HOLD_MARGIN_S


def leg_rows(name: str, copy: str, truth: dict, reviewed: WideReview) -> list[dict]:
    """One row per worked leg: its count, held verdicts (on matched reps
    whose true hold is clear of the 1 s rule by more than ``HOLD_MARGIN_S``,
    and on the borderline ones), best internal rotation (and whether the
    reading is at the view's limit there), "from the ankles" flags and the
    share of its frames judged in the drill position, against the truth,
    with the clip's manifest factors. A recording without a person counts
    nothing on every leg."""
    review = reviewed.review
    if review is None:
        nothing = {"reps": 0, "held_reps": 0, "peak_internal_deg": None}
        measured = {"legs": {leg: nothing for leg in truth["legs"]}, "reps": []}
        at_limit: frozenset[str] | set[str] = set()
    else:
        measured, at_limit = review.summary.to_dict(), capped_readings(review)
    manifest = truth["manifest"]
    rows = []
    for leg in worked_legs(truth):
        true_reps = [r for r in truth["reps"] if r["leg"] == leg]
        mine = [r for r in measured["reps"] if r["leg"] == leg]
        pairs = match_reps(true_reps, mine)
        clear = [(t, m) for t, m in pairs if _clear(t)]
        border = [(t, m) for t, m in pairs if not _clear(t)]
        t, m = truth["legs"][leg], measured["legs"][leg]
        in_position = view = view_ratio = None
        reading = "none"  # MediaPipe found nobody
        if review is not None:
            # a foot-driven leg's count comes from its foot (``KNEE_JITTER``)
            reading = "foot" if Side(leg) in review.foot_driven else "knee"
            view, ratio = review.series.view.name, review.series.view_ratio
            view_ratio = round(ratio, 3) if np.isfinite(ratio) else None
            if review.position is not None:
                in_position = round(float(review.position.in_position[Side(leg)].mean()), 4)
        rows.append(
            {
                "clip": name,
                "copy": copy,
                "leg": leg,
                "side": "near" if leg == NEAR_LEG else "far",
                **{k: manifest[k] for k in FACTORS},
                "pose_model": reviewed.pose_model,
                "reps_true": t["reps"],
                "reps_measured": m["reps"],
                "held_true": t["held_reps"],
                "held_measured": m["held_reps"],
                "held_clear_right": sum(a["held"] == b["held"] for a, b in clear),
                "held_clear_reps": len(clear),
                "held_clear_true": sum(_clear(r) for r in true_reps),
                "held_borderline_right": sum(a["held"] == b["held"] for a, b in border),
                "held_borderline_reps": len(border),
                "peak_internal_true": t["peak_internal_deg"],
                "peak_internal_measured": m.get("peak_internal_deg"),
                "peak_internal_capped": f"{leg}-in" in at_limit,
                "ankles_true": sum(r["compensation"] for r in true_reps),
                "ankles_flagged": sum(r["compensation"] for r in mine),
                "ankles_right": sum(a["compensation"] and b["compensation"] for a, b in pairs),
                "in_position_fraction": in_position,
                "reading": reading,
                # the knee circle review read this leg with (30° gets 45°'s)
                "camera_view": view,
                "view_ratio": view_ratio,
            }
        )
    return rows


def score_recording(name: str, copy: str, truth: dict, rec: Path) -> list[dict]:
    """``leg_rows`` of one recording."""
    return leg_rows(name, copy, truth, review_recording(name, truth, rec))


def _rate(right: int, total: int) -> float | None:
    return round(right / total, 3) if total else None


def summarise(rows: Sequence[dict]) -> dict:
    """The "Done when" measures over some session-legs: counts exact and
    within one, held verdicts right on matched clear reps (and as a share of
    every true clear rep: a missed rep is a wrong verdict), peak internal
    MAE where not at the view's limit, "from the ankles" precision / recall,
    and the mean share of frames judged in position."""
    diffs = [r["reps_measured"] - r["reps_true"] for r in rows]
    peaks = [
        abs(r["peak_internal_measured"] - r["peak_internal_true"])
        for r in rows
        if r["peak_internal_measured"] is not None and not r["peak_internal_capped"]
    ]
    held = sum(r["held_clear_right"] for r in rows), sum(r["held_clear_reps"] for r in rows)
    clear_true = sum(r["held_clear_true"] for r in rows)
    flagged = sum(r["ankles_flagged"] for r in rows)
    ankles_true = sum(r["ankles_true"] for r in rows)
    right = sum(r["ankles_right"] for r in rows)
    in_position = [r["in_position_fraction"] for r in rows if r["in_position_fraction"] is not None]
    return {
        "session_legs": len(rows),
        "count_exact": sum(d == 0 for d in diffs),
        "count_within_one": sum(abs(d) <= 1 for d in diffs),
        "count_exact_rate": _rate(sum(d == 0 for d in diffs), len(rows)),
        "count_within_one_rate": _rate(sum(abs(d) <= 1 for d in diffs), len(rows)),
        "held_clear_right": held[0],
        "held_clear_reps": held[1],
        "held_clear_rate": _rate(*held),
        "held_clear_true": clear_true,
        "held_clear_share_of_true": _rate(held[0], clear_true),
        "peak_internal_mae_deg": round(float(np.mean(peaks)), 1) if peaks else None,
        "peak_internal_scored": len(peaks),
        "ankles_precision": _rate(right, flagged),
        "ankles_recall": _rate(right, ankles_true),
        "in_position_fraction_mean": (
            round(float(np.mean(in_position)), 3) if in_position else None
        ),
    }


#: The measures spread() spans.
MEASURES = (
    "count_exact_rate",
    "count_within_one_rate",
    "held_clear_rate",
    "peak_internal_mae_deg",
    "ankles_precision",
    "ankles_recall",
)


def spread(groups: dict[str, dict]) -> dict[str, list[float] | None]:
    """Per measure, [min, median, max] across the groups' summaries (None where unscored)."""
    out: dict[str, list[float] | None] = {}
    for measure in MEASURES:
        values = [g[measure] for g in groups.values() if g[measure] is not None]
        out[measure] = (
            [min(values), round(statistics.median(values), 3), max(values)] if values else None
        )
    return out


def by_level(rows: Sequence[dict], field: str) -> dict[str, dict]:
    levels = sorted({r[field] for r in rows}, key=str)
    return {str(v): summarise([r for r in rows if r[field] == v]) for v in levels}


def per_copy(rows: Sequence[dict]) -> dict[str, dict]:
    """summarise(), the "Done when" set and the spread, per copy."""
    out = {}
    for copy in COPIES:
        mine = [r for r in rows if r["copy"] == copy]
        if not mine:
            continue
        done = [r for r in mine if r["azimuth_deg"] == DONE_WHEN_AZIMUTH_DEG]
        # rows scored before a field existed (older results) are not split by it
        fields = [f for f in SPREAD_BY if all(f in r for r in mine)]
        groups = {field: by_level(mine, field) for field in fields}
        out[copy] = {
            "all": summarise(mine),
            "done_when_45deg": summarise(done),
            "by": groups,
            "spread": {field: spread(g) for field, g in groups.items()},
        }
    return out
