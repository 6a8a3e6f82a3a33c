"""Temporal smoothing of angle streams.

Live: a 3-frame running median against landmark flicker, then the One Euro
filter (Casiez, Roussel & Vogel, CHI 2012), which smooths hard when the
angle is still (removing jitter) and little when it moves (keeping lag
low). Review: a zero-phase filter over the whole recording, which removes
jitter without any lag because it can look ahead.

``jitter_deg`` measures how much a raw stream jitters, so the rep counter
can tell a knee reading too noisy to drive it (``hiprot.reading.judgements``).

Both filters are vectorised over channels (e.g. both legs' femur and foot angles)
and treat NaN as "no measurement": the filter holds its state across gaps.
"""

from __future__ import annotations

import math
import warnings
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.ndimage import median_filter
from scipy.signal import medfilt, savgol_filter


def _smoothing_factor(
    dt_s: float, cutoff_hz: npt.NDArray[np.float64] | float
) -> npt.NDArray[np.float64]:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz))
    return 1.0 / (1.0 + tau / dt_s)


@dataclass
class OneEuroFilter:
    """One Euro filter over ``n_channels`` values sampled at irregular times.

    Args:
        min_cutoff_hz: Cutoff when still; lower removes more jitter.
        beta: How fast the cutoff rises with speed; higher lowers lag.
        d_cutoff_hz: Cutoff for the derivative estimate.

    Call with ``(t_s, values)`` where values has shape ``(n_channels,)``;
    returns the filtered values, same shape. NaN channels pass through as
    NaN and leave that channel's state untouched.
    """

    min_cutoff_hz: float = 1.0
    beta: float = 0.02
    d_cutoff_hz: float = 1.0

    def __post_init__(self) -> None:
        if self.min_cutoff_hz <= 0 or self.d_cutoff_hz <= 0:
            raise ValueError("min_cutoff_hz and d_cutoff_hz must be > 0")
        if self.beta < 0:
            raise ValueError("beta must be >= 0")
        self.reset()

    def reset(self) -> None:
        self._x: npt.NDArray[np.float64] | None = None
        self._dx: npt.NDArray[np.float64] | None = None
        self._t: npt.NDArray[np.float64] | None = None

    def __call__(self, t_s: float, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
        x = np.asarray(values, dtype=np.float64)
        if self._x is None:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._t = np.where(np.isfinite(x), t_s, np.nan)
            return x.copy()
        assert self._dx is not None and self._t is not None
        out = x.copy()
        for ch in np.flatnonzero(np.isfinite(x)):
            if not np.isfinite(self._x[ch]) or not np.isfinite(self._t[ch]):
                # ---- first sample of this channel: start from it
                self._x[ch], self._dx[ch], self._t[ch] = x[ch], 0.0, t_s
                continue
            dt = t_s - self._t[ch]
            if dt <= 0:
                out[ch] = self._x[ch]
                continue
            # ---- derivative, low-passed at a fixed cutoff
            dx = (x[ch] - self._x[ch]) / dt
            a_d = _smoothing_factor(dt, self.d_cutoff_hz)
            self._dx[ch] = a_d * dx + (1 - a_d) * self._dx[ch]
            # ---- value, low-passed at a cutoff that rises with speed
            cutoff = self.min_cutoff_hz + self.beta * abs(self._dx[ch])
            a = _smoothing_factor(dt, cutoff)
            self._x[ch] = a * x[ch] + (1 - a) * self._x[ch]
            self._t[ch] = t_s
            out[ch] = self._x[ch]
        return out


class SpikeFilter:
    """Running median over the last ``samples`` values, per channel.

    The One Euro filter's cutoff rises with speed, so it passes a landmark
    flicker (a knee reading jumping 30-50° for a frame or two) almost
    whole; a median of 3 removes any lasting one frame, for one frame of
    lag on a steady turn. NaN (no measurement) stays NaN.
    """

    def __init__(self, samples: int = 3) -> None:
        self._recent: deque[npt.NDArray[np.float64]] = deque(maxlen=samples)

    def __call__(self, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
        x = np.asarray(values, dtype=np.float64)
        self._recent.append(x)
        with warnings.catch_warnings():  # a channel not measured in any of them
            warnings.simplefilter("ignore", RuntimeWarning)
            median = np.nanmedian(np.stack(self._recent), axis=0)
        return np.where(np.isfinite(x), median, np.nan)


def one_euro(t_s: npt.ArrayLike, values: npt.ArrayLike, **params: float) -> npt.NDArray[np.float64]:
    """Run a fresh One Euro filter causally over ``values`` of shape ``(n, channels)``."""
    t = np.asarray(t_s, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    filt = OneEuroFilter(**params)
    return np.stack([filt(ti, vi) for ti, vi in zip(t, v)]) if len(t) else v.copy()


def zero_phase(
    t_s: npt.ArrayLike, values: npt.ArrayLike, window_s: float = 0.3
) -> npt.NDArray[np.float64]:
    """Smooth ``values`` of shape ``(n,)`` or ``(n, channels)`` without lag.

    A 5-sample running median (removes single-frame spikes such as a
    left/right landmark swap) and then a Savitzky-Golay filter (order 2)
    over a centred window of ``window_s`` seconds, applied to each run of
    finite samples; short gaps are bridged by linear interpolation first (at
    most 0.5 s), longer gaps stay NaN.
    """
    t = np.asarray(t_s, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    squeeze = v.ndim == 1
    v2 = v[:, None] if squeeze else v
    out = np.full_like(v2, np.nan)
    if len(t) < 3:
        return v.copy()
    dt = float(np.median(np.diff(t)))
    window = max(5, round(window_s / dt) | 1)
    for ch in range(v2.shape[1]):
        column = _bridge_gaps(t, v2[:, ch], max_gap_s=0.5)
        finite = np.isfinite(column)
        for start, stop in runs(finite):
            segment = column[start:stop]
            if len(segment) >= window:
                out[start:stop, ch] = savgol_filter(medfilt(segment, _MEDIAN_SAMPLES), window, 2)
            else:
                out[start:stop, ch] = segment
    return out[:, 0] if squeeze else out


_MEDIAN_SAMPLES = 5


def runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[start, stop)`` indices of the runs of True in ``mask`` ``(n,)``."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2]))


def running_median(
    t_s: npt.NDArray[np.float64], values: npt.NDArray[np.float64], window_s: float
) -> npt.NDArray[np.float64]:
    """Centred running median of ``values`` ``(n,)`` over ``window_s`` seconds
    (NaN ignored; a window with no finite value stays NaN)."""
    step_s = sample_step_s(t_s)
    if not math.isfinite(step_s):
        return values
    half = max(1, round(window_s / 2 / step_s))
    padded = np.pad(values, half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(windows, axis=1)


def _bridge_gaps(
    t: npt.NDArray[np.float64], v: npt.NDArray[np.float64], max_gap_s: float
) -> npt.NDArray[np.float64]:
    finite = np.isfinite(v)
    if finite.sum() < 2:
        return v.copy()
    filled = np.interp(t, t[finite], v[finite])
    for start, stop in runs(~finite):
        before = t[start - 1] if start > 0 else -np.inf
        after = t[stop] if stop < len(t) else np.inf
        if after - before > max_gap_s:
            filled[start:stop] = np.nan
    return filled


#: ``jitter_deg``: the running median's window, a duration so that the
#: jitter means the same at every frame rate; chosen with the ratios that
#: use it on the synthetic tuning seeds at 15 and 30 frames/s
#: (docs/generalization.md, "The jitter's window in seconds"). And the
#: shortest span of finite samples it judges (50 at 30 frames/s).
JITTER_WINDOW_S = 1.5
JITTER_MIN_S = 5.0 / 3.0


def sample_step_s(t_s: npt.ArrayLike) -> float:
    """The median forward step of timestamps ``t_s`` (``(n,)``, seconds),
    ignoring non-finite and backward steps; NaN with fewer than two
    timestamps or no forward step."""
    steps = np.diff(np.asarray(t_s, dtype=np.float64))
    steps = steps[np.isfinite(steps) & (steps > 0)]
    return float(np.median(steps)) if len(steps) else math.nan


def sample_rate_hz(t_s: npt.ArrayLike) -> float:
    """Samples per second of timestamps ``t_s`` (``(n,)``, seconds): one
    over ``sample_step_s``; NaN where that is."""
    return 1.0 / sample_step_s(t_s)


def _median_residual(
    t_s: npt.ArrayLike,
    values: npt.ArrayLike,
    window_s: float,
    at: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64] | None:
    """The finite samples of ``values`` (``(n,)``, at times ``t_s``) less
    their running median over ``window_s`` (in samples at the stream's
    rate, odd), kept only where ``at`` (``(n,)`` bool) is set if given;
    None with fewer than ``JITTER_MIN_S`` of them kept."""
    rate = sample_rate_hz(t_s)
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    kept = finite if at is None else finite & np.asarray(at, dtype=bool)
    if not math.isfinite(rate) or np.count_nonzero(kept) < round(JITTER_MIN_S * rate):
        return None
    window = max(3, round(window_s * rate) | 1)
    # the median runs over every finite sample: ``at`` picks residuals, not the signal
    residual = v[finite] - median_filter(v[finite], window, mode="nearest")
    return residual[kept[finite]]


def wander_deg(t_s: npt.ArrayLike, values: npt.ArrayLike, window_s: float) -> float:
    """How far a reading ``values`` (``(n,)``, at times ``t_s``) strays from
    where it sits over ``window_s`` seconds, in its own degrees: the median
    absolute deviation from its running median over that window, scaled to
    a standard deviation for Gaussian noise (x 1.4826). A median, not a
    mean: a rep's turns leave the running median behind only while they
    turn, fewer than half the samples, so they do not raise it, where slow
    noise that strays all the time does. NaN as ``jitter_deg``."""
    residual = _median_residual(t_s, values, window_s)
    return math.nan if residual is None else float(1.4826 * np.median(np.abs(residual)))


def jitter_deg(
    t_s: npt.ArrayLike,
    values: npt.ArrayLike,
    window_s: float | None = None,
    at: npt.ArrayLike | None = None,
) -> float:
    """How much a raw angle stream ``values`` (``(n,)``, at times ``t_s``)
    jitters, in its own degrees.

    The mean absolute deviation of the finite samples from their running
    median over ``window_s`` (default ``JITTER_WINDOW_S``; in samples at the
    stream's rate, odd),
    scaled to a standard deviation for Gaussian noise (x 1.2533): a
    drill-speed rotation passes into the median, so reps do not count as
    jitter. A mean, not a median: a knee reading that flickers to the end of
    its range and back more often than not has a median absolute deviation
    of 0. ``at`` (``(n,)`` bool): average only the residuals of these
    samples (the running median still runs over all of them). NaN with
    fewer finite samples (kept by ``at``) than ``JITTER_MIN_S`` holds.
    """
    residual = _median_residual(t_s, values, window_s or JITTER_WINDOW_S, at)
    return math.nan if residual is None else float(1.2533 * np.mean(np.abs(residual)))
