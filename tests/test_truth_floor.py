"""benchmarks/truth_floor.py: which true reps the drill's own definition
calls partial, and that the truth-fed counter agrees with it on every
committed render truth but those."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import truth_floor  # noqa: E402  (benchmarks/ is not a package)


def one_rep(femur_peak_in: float, twist_peak_in: float = 0.0) -> tuple:
    """A truth with one left rep: out to -20 deg, in to the given peaks."""
    t = np.arange(0.0, 6.0, 0.1)
    swing = np.interp(t, [0.0, 1.0, 2.0, 4.0, 5.0, 6.0], [0, -20, -20, 1, 1, 0])
    femur = np.where(swing < 0, swing, swing * femur_peak_in)
    twist = np.where(swing < 0, 0.0, swing * twist_peak_in)
    truth = {"frames": {"t": t.tolist(), "left": {"femur_deg": femur, "twist_deg": twist}}}
    rep = {"leg": "left", "start_s": 0.0, "end_s": 6.0}
    return truth, rep


@pytest.mark.parametrize(
    ("femur_in", "twist_in", "below"),
    [
        (12.5, 0.0, False),  # a rep past +10 deg
        (7.5, 0.0, True),  # the wide suite's far-leg partial reps
        (10.0, 0.0, False),  # on the floor counts
        (7.5, 5.0, False),  # the foot reaches +12.5: a rep (partly from the ankles)
        (0.0, 15.0, False),  # a rep from the ankles, on the foot
        (0.0, 7.5, True),  # from the ankles and short of the floor
    ],
)
def test_below_floor_follows_the_drills_rule(femur_in, twist_in, below) -> None:
    truth, rep = one_rep(femur_in, twist_in)
    assert truth_floor.below_floor(truth, rep) is below


def test_the_truth_fed_counter_counts_every_render_truth_exactly() -> None:
    """Every committed render truth follows the drill's rule (no true rep
    below the floor), and the counter fed those angles counts each leg
    exactly, raw and as review judges them (smoothing, rep floor, edge-on
    sides)."""
    wide = truth_floor.render_group("benchmarks/render_suite/wide/w*.truth.json")
    assert wide["true_reps_below_floor"] == [] and wide["misses"] == []
    assert wide["truth_fed_exact"] == wide["session_legs"] == 62
    assert wide["truth_fed_judged_exact"] == wide["session_legs"]
    for group in ("tuning renders", "render suite", "sample videos"):
        result = truth_floor.render_group(truth_floor.RENDER_GROUPS[group])
        assert result["truth_fed_exact"] == result["session_legs"] > 0
        assert result["truth_fed_judged_exact"] == result["session_legs"]
