"""The hold: hiprot's one sliding window for "the leg stayed still here".

A hold is an unbroken run of samples that stays within a ``band_deg`` band
reaching within ``HOLD_TOLERANCE_DEG`` of the peak (docs/counting.md).
``BandRun`` finds the longest such run ending at each new sample, in one
pass; ``hold_span`` runs it over a rep's samples (the record), the rep
counter runs it sample by sample (the live timer).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

from hiprot import drill


class BandRun:
    """The longest run of samples ending at the newest one that stays within
    a ``band_deg`` band: hiprot's one sliding hold window, behind both
    ``hold_span`` (a whole attempt) and the live hold timer (``_Attempt``).

    Monotonic deques of the run's falling maxima and rising minima: each
    sample is added and dropped once. It reads the caller's lists ``t_s``
    and ``values`` (``(n,)`` each); ``add`` is called for each sample in
    turn. ``peak``: the value a hold must reach within ``HOLD_TOLERANCE_DEG``
    of; None follows the highest value added so far (live).
    """

    def __init__(
        self,
        t_s: Sequence[float],
        values: Sequence[float],
        band_deg: float,
        peak: float | None = None,
    ) -> None:
        self._t_s, self._values = t_s, values
        self._band_deg = band_deg
        self._follow_peak = peak is None
        self.peak = -math.inf if peak is None else peak
        self._start = self._end = 0
        self._highs: deque[int] = deque()  # positions of falling maxima in the run
        self._lows: deque[int] = deque()  # positions of rising minima in the run
        self.longest_s = 0.0  # the longest ``seconds()`` so far

    def add(self, contiguous: bool, end: int | None = None) -> None:
        """Sample ``end`` (default: the last of ``values``) joins the run;
        ``contiguous`` False starts a new one."""
        values = self._values
        end = len(values) - 1 if end is None else end
        value = values[end]
        self._end = end
        if self._follow_peak:
            self.peak = max(self.peak, value)
        if not contiguous:
            self.clear()
            self._start = end
        while self._highs and values[self._highs[-1]] <= value:
            self._highs.pop()
        self._highs.append(end)
        while self._lows and values[self._lows[-1]] >= value:
            self._lows.pop()
        self._lows.append(end)
        while values[self._highs[0]] - values[self._lows[0]] > self._band_deg:
            self._start += 1
            if self._highs[0] < self._start:
                self._highs.popleft()
            if self._lows[0] < self._start:
                self._lows.popleft()
        self.longest_s = max(self.longest_s, self.seconds())

    def clear(self) -> None:
        """The run is broken (the leg left the inward side, a value is missing)."""
        self._highs.clear()
        self._lows.clear()

    def span(self) -> tuple[float, float] | None:
        """(start, end) seconds of the run, if it reaches within the
        tolerance of the peak (a hold); else None."""
        if not self._highs or self._values[self._highs[0]] < self.peak - drill.HOLD_TOLERANCE_DEG:
            return None
        return float(self._t_s[self._start]), float(self._t_s[self._end])

    def seconds(self) -> float:
        """How long the run has lasted, if it is a hold (``span``); else 0."""
        return span_s(self.span())


def hold_span(
    t_s: Sequence[float],
    values: Sequence[float],
    index: Sequence[int] | None = None,
    band_deg: float = drill.HOLD_TOLERANCE_DEG,
) -> tuple[float, float] | None:
    """(start, end) seconds of the longest hold in one angle's samples.

    A hold is an unbroken run of samples that stays within a ``band_deg``
    band reaching within ``HOLD_TOLERANCE_DEG`` of the highest value
    (module docstring, Hold). Non-finite values break runs, and
    so do gaps in ``index`` (consecutive counts of valid samples) when given.
    One pass: for each end, the earliest start whose run fits in the band
    (the band's width only grows with the run, so that start only moves on).

    Args:
        t_s: ``(n,)`` sample times, increasing.
        values: ``(n,)`` angles, degrees.
        index: ``(n,)`` optional sample numbers; a jump of more than one
            breaks a run.
        band_deg: How far the run may wander (``RepCounter``'s ``hold_band_deg``).
    """
    finite = [math.isfinite(v) for v in values]
    if not any(finite):
        return None
    peak = max(v for v, ok in zip(values, finite) if ok)
    run = BandRun(t_s, values, band_deg, peak)
    best: tuple[float, float] | None = None
    contiguous = False
    for end in range(len(values)):
        if not finite[end]:  # a missing value ends the run before it
            contiguous = False
            continue
        gap = end > 0 and index is not None and index[end] != index[end - 1] + 1
        run.add(contiguous and not gap, end)
        contiguous = True
        span = run.span()
        if span is not None and (best is None or span[1] - span[0] > best[1] - best[0]):
            best = span
    return best


def span_s(span: tuple[float, float] | None) -> float:
    return 0.0 if span is None else span[1] - span[0]


def checked_hold_band(band_deg: float) -> float:
    if not band_deg >= drill.HOLD_TOLERANCE_DEG:
        raise ValueError(
            f"hold_band_deg must be at least {drill.HOLD_TOLERANCE_DEG}, got {band_deg}"
        )
    return float(band_deg)
