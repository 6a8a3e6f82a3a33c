"""The noise floor's model: a rep is a rotation both readings of the leg
share, not the drift each has of its own (``hiprot.reading.judgements``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hiprot import drill
from hiprot.reading import judgements
from hiprot.reading.judgements import rep_excursion, rotation_to_noise

FPS = 30.0


def _drift(rng: np.random.Generator, n: int, std_deg: float, time_s: float = 1.5) -> np.ndarray:
    """An Ornstein-Uhlenbeck wobble (``std_deg``, correlation ``time_s``): the synthetic drift."""
    a = math.exp(-1.0 / (FPS * time_s))
    out = np.empty(n)
    out[0] = rng.normal(0.0, std_deg)
    for i in range(1, n):
        out[i] = a * out[i - 1] + rng.normal(0.0, std_deg * math.sqrt(1.0 - a * a))
    return out


def _reps(n: int, amplitude_deg: float, period_s: float = 6.0) -> np.ndarray:
    t = np.arange(n) / FPS
    return -amplitude_deg * np.sin(2.0 * np.pi * t / period_s)


N = 1800  # a minute at 30 frames/s


@pytest.mark.parametrize("seed", range(10))
def test_two_readings_drifting_apart_show_no_rotation_however_far_they_swing(seed: int) -> None:
    # five minutes still: the drifts' chance covariance over a shorter
    # stretch can pass the gate (docs/position.md, "Noise floor")
    rng = np.random.default_rng(seed)
    femur, foot = _drift(rng, 5 * N, 10.0), _drift(rng, 5 * N, 10.0)
    assert np.ptp(femur) > 30.0  # far enough for reps
    assert rotation_to_noise(femur, foot) < judgements.REP_MIN_ROTATION_TO_NOISE
    assert rep_excursion(femur, foot, foot_driven=False) == judgements.NO_REP_EXCURSION_DEG


@pytest.mark.parametrize("seed", range(5))
def test_a_rotation_both_readings_share_clears_the_same_drift(seed: int) -> None:
    rng = np.random.default_rng(seed)
    turn = _reps(N, 25.0)
    femur, foot = turn + _drift(rng, N, 4.0), turn + _drift(rng, N, 4.0)
    assert rotation_to_noise(femur, foot) > 2.0
    assert drill.REP_MIN_EXCURSION_DEG <= rep_excursion(femur, foot, False) < 20.0


def test_reps_from_the_ankles_in_a_minority_of_frames_keep_the_leg_counting() -> None:
    rng = np.random.default_rng(7)
    turn = _reps(N, 25.0)
    twist = np.where(np.arange(N) < N // 3, turn, 0.0)  # the first third from the ankles
    femur = turn - twist + _drift(rng, N, 2.0)
    foot = turn + _drift(rng, N, 2.0)
    assert rotation_to_noise(femur, foot) > judgements.REP_MIN_ROTATION_TO_NOISE
    assert rep_excursion(femur, foot, foot_driven=False) < judgements.NO_REP_EXCURSION_DEG


def test_rotation_to_noise_edges() -> None:
    turn = _reps(N, 20.0)
    assert rotation_to_noise(turn, turn) == math.inf  # read from the foot alone
    assert math.isnan(rotation_to_noise(turn, np.zeros(N)))  # no foot fit yet: not judged
    assert rep_excursion(turn, np.zeros(N), False) == drill.REP_MIN_EXCURSION_DEG
    assert math.isnan(rotation_to_noise(turn[:49], turn[:49] + 1.0))
    with_gaps = turn.copy()
    with_gaps[::2] = np.nan
    assert rotation_to_noise(with_gaps, turn) == math.inf  # pairs with a gap are left out
