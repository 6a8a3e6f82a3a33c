"""benchmarks/tune_judgements.py's stage cache stays inside the study."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import hiprot.review as review_module
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

STAGES = ("angle_series", "position_series", "leg_sizes")


def _reviewed(frames: list) -> tuple:
    review = review_pose_frames(frames, "synthetic", size_wh=(640, 480))
    return len(review.series.t_s), review.reps


def test_importing_the_study_leaves_review_alone() -> None:
    # two sessions of different lengths and counts: a review handed the
    # other's stages counts the other's reps
    sessions = [
        generate(SessionSpec(seed=3, noise="none", reps_per_set=reps)).frames for reps in (3, 5)
    ]
    want = [_reviewed(frames) for frames in sessions]
    assert want[0] != want[1]
    stages = {name: getattr(review_module, name) for name in STAGES}
    sys.modules.pop("tune_judgements", None)
    tj = importlib.import_module("tune_judgements")
    assert {name: getattr(review_module, name) for name in STAGES} == stages
    assert [_reviewed(frames) for frames in sessions] == want
    with tj.stage_cache():
        assert all(getattr(review_module, name) is not stages[name] for name in STAGES)
    assert {name: getattr(review_module, name) for name in STAGES} == stages
    assert [_reviewed(frames) for frames in sessions] == want
