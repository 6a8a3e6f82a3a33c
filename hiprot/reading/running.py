"""Running windows behind live's medians and periodic judgements.

Small and clock-free: each takes its time (or its turn) with every sample.
``TrailingSamples`` thins a trailing window in time, ``RecentSamples`` keeps
the last n samples and says when to re-judge them, ``RunningAnchors`` is the
live version of ``hiprot.reading.series.steady_anchors``.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, Side
from hiprot.reading.series import ANCHOR_WINDOW_S

#: Live's trailing windows keep one sample every this long (5 a second):
#: a median over minutes then costs next to nothing per frame.
THIN_EVERY_S = 0.2

T = TypeVar("T")


class TrailingSamples:
    """Samples over the last ``window_s`` seconds, at most one every
    ``every_s``: the thinned trailing window behind live's running medians
    (``RunningAnchors``, ``LiveAngles.note_rest``)."""

    def __init__(self, window_s: float = ANCHOR_WINDOW_S, every_s: float = THIN_EVERY_S) -> None:
        self.window_s = window_s
        self.every_s = every_s
        self._seen: deque[tuple[float, npt.NDArray[np.float64]]] = deque()

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, t_s: float, value: npt.ArrayLike, learn: bool = True) -> bool:
        """Drop samples older than the window; keep ``value`` if ``learn``,
        finite and due. Returns whether the samples changed."""
        changed = False
        while self._seen and self._seen[0][0] < t_s - self.window_s:
            self._seen.popleft()
            changed = True
        value = np.asarray(value, dtype=np.float64)
        due = not self._seen or t_s - self._seen[-1][0] >= self.every_s
        if learn and due and np.isfinite(value).all():
            self._seen.append((t_s, value))
            changed = True
        return changed

    def values(self) -> npt.NDArray[np.float64]:
        """The samples, oldest first: ``(n, *value shape)``."""
        return np.array([v for _, v in self._seen], dtype=np.float64)

    def median(self) -> npt.NDArray[np.float64]:
        """Element-wise median of the samples, the shape of one sample (call only
        when there are any)."""
        return np.median(self.values(), axis=0)


class RecentSamples(Generic[T]):
    """The last ``maxlen`` samples, due for a re-judgement every ``every``
    new ones: behind live's periodic judgements of the knee's jitter and
    the hold band (``LiveAngles``)."""

    def __init__(self, maxlen: int, every: int) -> None:
        self.samples: deque[T] = deque(maxlen=maxlen)
        self.every = every
        self._new = 0

    def add(self, sample: T) -> bool:
        """Keep ``sample``; True once every ``every`` calls (time to re-judge)."""
        self.samples.append(sample)
        self._new += 1
        if self._new < self.every:
            return False
        self._new = 0
        return True


class RunningAnchors:
    """Live version of ``steady_anchors``: median hip and ankle pixels of one
    leg over the last ``window_s`` seconds, sampled every ``every_s`` (the
    median is recomputed only when a sample comes or goes, so a frame costs
    next to nothing)."""

    def __init__(self, window_s: float = ANCHOR_WINDOW_S, every_s: float = THIN_EVERY_S) -> None:
        self._samples = TrailingSamples(window_s, every_s)
        self._steady = np.full((2, 2), np.nan)

    def update(
        self,
        t_s: float,
        image: npt.NDArray[np.float64],
        size_wh: tuple[int, int],
        side: Side,
        learn: bool = True,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Add one frame's ``(33, 4)`` image landmarks (unless ``learn`` is
        False: the person is not in position yet); return ``(hip, ankle)``,
        each ``(1, 2)`` pixels (NaN until the leg has been seen)."""
        leg = LEGS[side]
        points = image[[leg.hip, leg.ankle], :2] * np.asarray(size_wh, dtype=np.float64)
        if self._samples.add(t_s, points, learn):
            self._steady = self._samples.median() if self._samples else np.full((2, 2), np.nan)
        return self._steady[:1], self._steady[1:]
