"""Temporal filters: jitter removed, lag bounded, gaps handled."""

from __future__ import annotations

import numpy as np
import pytest

from hiprot.reading.filters import (
    OneEuroFilter,
    SpikeFilter,
    jitter_deg,
    one_euro,
    running_median,
    sample_rate_hz,
    sample_step_s,
    wander_deg,
    zero_phase,
)


def test_one_euro_constant_input_is_unchanged() -> None:
    t = np.arange(100) / 30
    out = one_euro(t, np.full((100, 2), 12.5))
    np.testing.assert_allclose(out, 12.5)


def test_one_euro_reduces_jitter_when_still() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(300) / 30
    noisy = 5 + rng.normal(0, 2.0, (300, 1))
    out = one_euro(t, noisy, min_cutoff_hz=0.5, beta=0.02)
    assert np.std(out[60:]) < 0.5 * np.std(noisy[60:])


def test_one_euro_tracks_a_ramp() -> None:
    t = np.arange(90) / 30
    ramp = (40 * t)[:, None]  # 40 deg/s, a brisk rotation
    out = one_euro(t, ramp, min_cutoff_hz=1.0, beta=0.05)
    assert abs(out[-1, 0] - ramp[-1, 0]) < 4.0


def test_one_euro_holds_state_across_nan() -> None:
    f = OneEuroFilter()
    f(0.0, [1.0, 1.0])
    out = f(0.1, [np.nan, 2.0])
    assert np.isnan(out[0]) and np.isfinite(out[1])
    assert np.isfinite(f(0.2, [1.0, 2.0])[0])


def test_one_euro_treats_time_zero_as_a_real_time() -> None:
    f = OneEuroFilter()
    assert f(0.0, [3.0])[0] == 3.0
    assert f(0.0333, [3.0])[0] == pytest.approx(3.0)


@pytest.mark.parametrize("kwargs", [{"min_cutoff_hz": 0}, {"beta": -1}, {"d_cutoff_hz": -2}])
def test_one_euro_rejects_bad_parameters(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        OneEuroFilter(**kwargs)


def test_zero_phase_has_no_lag_on_a_sine() -> None:
    t = np.arange(600) / 30
    clean = 30 * np.sin(2 * np.pi * 0.2 * t)
    noisy = clean + np.random.default_rng(2).normal(0, 2, t.shape)
    out = zero_phase(t, noisy)
    lag = np.argmax(np.correlate(out - out.mean(), clean - clean.mean(), "full")) - (len(t) - 1)
    assert lag == 0
    assert np.mean(np.abs(out - clean)[20:-20]) < np.mean(np.abs(noisy - clean))


def test_zero_phase_bridges_short_gaps_only() -> None:
    t = np.arange(120) / 30
    v = np.linspace(0, 10, 120)
    v[30:36] = np.nan  # 0.2 s: bridged
    v[60:90] = np.nan  # 1.0 s: left as a gap
    out = zero_phase(t, v)
    assert np.all(np.isfinite(out[30:36]))
    assert np.all(np.isnan(out[60:90]))


def test_jitter_is_the_white_noise_and_not_the_motion() -> None:
    """Drill-speed rotation passes into the running median; white noise of
    std 2° reads about 2° (less a little: the median follows it too)."""
    t = np.arange(0.0, 60.0, 1 / 30)
    motion = 30.0 * np.sin(2 * np.pi * t / 6.0)
    noise = np.random.default_rng(0).normal(0.0, 2.0, len(t))
    assert jitter_deg(t, motion) < 0.5
    assert 1.6 < jitter_deg(t, motion + noise) < 2.2
    assert 1.6 < jitter_deg(t, np.where(t % 7 < 1, np.nan, motion + noise)) < 2.2


def test_jitter_s_window_is_a_duration_so_a_fast_rep_is_no_jitter_at_any_frame_rate() -> None:
    """Fast reps (a 5 s cycle of +-30°) read the same small jitter at 30 and
    at 15 frames/s: the running median spans the same time at both rates.
    The same 15 frames/s samples through a 31-sample window (2 s) take
    the reps' own turns for jitter, several times more."""
    jitter = {}
    for fps in (30.0, 15.0):
        t = np.arange(0.0, 60.0, 1 / fps)
        jitter[fps] = jitter_deg(t, 30.0 * np.sin(2 * np.pi * t / 5.0))
    assert jitter[15.0] == pytest.approx(jitter[30.0], abs=0.05)
    assert jitter[15.0] < 1.0
    t = np.arange(0.0, 60.0, 1 / 15)
    as_31_samples = np.arange(len(t)) / 31.0  # 31 samples to the second
    assert jitter_deg(as_31_samples, 30.0 * np.sin(2 * np.pi * t / 5.0)) > 6 * jitter[15.0]


def _fast_reps(t: np.ndarray, period_s: float = 4.0, turn_s: float = 0.6) -> np.ndarray:
    """Reps every ``period_s``: out to -40° and back, in to +20° and back,
    each half a sine over ``2 x turn_s``; at rest between."""
    p = t % period_s
    out = np.where(p < 2 * turn_s, -40.0 * np.sin(np.pi * p / (2 * turn_s)), 0.0)
    inward = (p >= 2 * turn_s) & (p < 4 * turn_s)
    return np.where(inward, 20.0 * np.sin(np.pi * (p - 2 * turn_s) / (2 * turn_s)), out)


def test_wander_does_not_see_fast_reps_that_the_jitter_takes_for_noise() -> None:
    """Turns of 0.6 s leave the 1.5 s running median behind while they
    turn: the jitter (a mean) reads them as several degrees of noise, the
    wander (a median) as none, since they take under half the samples."""
    t = np.arange(0.0, 40.0, 1 / 15)
    reps = _fast_reps(t)
    assert jitter_deg(t, reps) > 3.0
    assert wander_deg(t, reps, 1.5) < 0.5


def test_jitter_at_rest_reads_the_noise_between_fast_reps_and_not_the_reps() -> None:
    """``at``: only the residuals of the samples at rest are averaged, the
    running median still runs over the whole drive. Fast reps with white
    noise of std 2° read several degrees over the whole drive; between
    the reps, about the noise alone; the turns alone, more still."""
    t = np.arange(0.0, 40.0, 1 / 15)
    reps = _fast_reps(t) + np.random.default_rng(3).normal(0.0, 2.0, len(t))
    at_rest = t % 4.0 > 2.6  # the reps' turns take the first 2.4 s of every 4
    assert jitter_deg(t, reps) > 3.5
    assert 1.6 < jitter_deg(t, reps, at=at_rest) < 2.4
    assert jitter_deg(t, reps, at=~at_rest) > jitter_deg(t, reps)
    # a gap in the drive is skipped as without ``at``
    gappy = np.where(t % 7 < 1, np.nan, reps)
    assert 1.6 < jitter_deg(t, gappy, at=at_rest) < 2.4
    # every sample kept is the jitter without ``at``
    assert jitter_deg(t, reps, at=np.ones(len(t), dtype=bool)) == jitter_deg(t, reps)


def test_jitter_at_rest_needs_as_many_samples_at_rest() -> None:
    t = np.arange(300) / 30
    at = np.arange(300) < 49
    assert np.isnan(jitter_deg(t, np.zeros(300), at=at))
    at[49] = True
    assert jitter_deg(t, np.zeros(300), at=at) == 0.0
    assert np.isnan(jitter_deg(t, np.where(np.arange(300) == 0, np.nan, 0.0), at=at))


def test_wander_reads_noise_as_the_jitter_does() -> None:
    """On noise alone the two agree: white noise of std 2° reads about 2°
    either way, slow noise (1.2 s correlation) reads about as much as the
    jitter, a fraction of its spread, over 1.5 s and more over 3 s."""
    t = np.arange(0.0, 60.0, 1 / 30)
    rng = np.random.default_rng(0)
    white = rng.normal(0.0, 2.0, len(t))
    assert 1.6 < wander_deg(t, white, 1.5) < 2.2
    a = np.exp(-(1 / 30) / 1.2)
    slow = np.zeros(len(t))
    for i, e in enumerate(rng.normal(0.0, 4.0 * np.sqrt(1 - a * a), len(t))[1:], start=1):
        slow[i] = a * slow[i - 1] + e
    assert wander_deg(t, slow, 1.5) == pytest.approx(jitter_deg(t, slow), rel=0.35)
    assert wander_deg(t, slow, 1.5) < wander_deg(t, slow, 3.0) < np.std(slow)
    assert np.isnan(wander_deg(t[:10], slow[:10], 1.5))


def test_a_reading_flickering_to_its_limit_and_back_jitters() -> None:
    """A knee reading pinned at the end of its range more often than not,
    flickering back to the true angle, has a median absolute deviation of 0
    but is no reading to count reps from."""
    rng = np.random.default_rng(3)
    pinned = np.where(rng.random(600) < 0.6, -50.0, 0.0)
    assert jitter_deg(np.arange(600) / 30, pinned) > 10.0


def test_spike_filter_removes_one_frame_flicker_and_lags_a_turn_one_frame() -> None:
    spikes = SpikeFilter(3)
    values = np.zeros((30, 2))
    values[10, 0] = 45.0  # one frame's flicker
    values[20:, 1] = np.arange(10.0)  # a steady turn
    values[25, 1] = np.nan  # not measured: stays unmeasured
    out = np.stack([spikes(v) for v in values])
    assert np.all(out[:, 0] == 0.0)
    assert np.isnan(out[25, 1])
    assert out[24, 1] == 3.0 and out[29, 1] == 8.0
    # a channel measured in none of the frames is NaN, silently
    assert np.isnan(SpikeFilter(3)([np.nan, 1.0])[0])


def test_jitter_needs_fifty_samples() -> None:
    """Fifty at 30 frames/s, as many as 5/3 s holds at any rate."""
    t = np.arange(59) / 30
    assert np.isnan(jitter_deg(t, np.r_[np.zeros(49), np.full(10, np.nan)]))
    assert jitter_deg(t[:50], np.zeros(50)) == 0.0
    assert np.isnan(jitter_deg(2 * t[:24], np.zeros(24)))
    assert jitter_deg(2 * t[:25], np.zeros(25)) == 0.0
    assert np.isnan(jitter_deg([0.0], np.zeros(1)))


def test_sample_step_ignores_repeated_missing_and_backward_timestamps() -> None:
    t = np.array([0.0, 0.1, 0.1, np.nan, 0.3, 0.2, 0.3, 0.4])
    # forward steps 0.1 (twice) and 0.1 after the backward jump: 0.1
    assert sample_step_s(t) == pytest.approx(0.1)
    assert sample_rate_hz(t) == pytest.approx(10.0)
    assert np.isnan(sample_step_s([1.0])) and np.isnan(sample_rate_hz([2.0, 2.0]))


def test_running_median_s_window_is_a_duration_at_any_frame_rate() -> None:
    for fps in (15.0, 30.0):
        t = np.arange(0, 6, 1 / fps)
        spike = np.where(np.abs(t - 3) < 0.2, 40.0, 0.0)  # 0.4 s: under half of 1 s
        wide = np.where(np.abs(t - 3) < 0.8, 40.0, 0.0)  # 1.6 s: over half
        assert np.nanmax(running_median(t, spike, 1.0)) == 0.0
        assert running_median(t, wide, 1.0)[np.argmin(np.abs(t - 3))] == 40.0


def test_running_median_of_one_timestamp_or_a_stopped_clock_is_the_input() -> None:
    v = np.array([1.0, 5.0, 2.0])
    assert running_median(np.array([0.0, 0.0, 0.0]), v, 1.0) is v
    assert running_median(np.array([0.0]), v[:1], 1.0)[0] == 1.0
