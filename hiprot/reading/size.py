"""How big each leg is in the picture: the set-up check for "too far, too small".

MediaPipe's landmark noise is a few pixels whatever the person's size, so
a leg that is short in the picture turns a rep's rotation into a knee and
foot movement not much bigger than that noise, and its reps are miscounted.
``leg_px`` measures one frame's leg (hip to ankle, in pixels);
``leg_lengths_px`` takes each leg's median over the frames it was in the
drill's position; ``short_legs`` says which worked legs are under
``MIN_LEG_PX``, the shortest leg of the tuning renders, all counted exactly
(``benchmarks/setup_limits.py``, docs/setup.md). A worked leg the model
does not see clearly (``unseen_legs``: heavy's far leg, hidden behind the
near one) is judged on the person's other leg: the same body at the same
distance. Not being seen clearly is no verdict on the count: heavy counts
such legs right on the tuning renders and the sample videos.

    >>> from hiprot.synth import SessionSpec, generate
    >>> s = generate(SessionSpec(seed=1, noise="none", width=320, height=240))
    >>> lengths = leg_lengths_px(s.frames, (320, 240))
    >>> sorted(short_legs(lengths))
    [<Side.LEFT: 'left'>, <Side.RIGHT: 'right'>]
    >>> short_legs({Side.LEFT: 100.0, Side.RIGHT: None}, worked=(Side.RIGHT,))
    {<Side.RIGHT: 'right'>: LegLength(px=100.0, measured_on=<Side.LEFT: 'left'>)}

Pure numpy: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hiprot.landmarks import LEGS, MIN_VISIBILITY, Side
from hiprot.types import PoseFrame

#: A worked leg shorter than this in the picture (hip to ankle, pixels,
#: median over the frames in position) is too small to count reliably:
#: the shortest leg of the tuning renders that counted exactly. Synthetic
#: sessions shrunk below it lose exact counts steadily
#: (benchmarks/setup_limits.py, docs/setup.md).
MIN_LEG_PX = 122.0

#: Frames of a leg in position needed before its length is judged (live:
#: about a second; a median over fewer would follow single-frame errors).
MIN_FRAMES = 15

#: A leg whose hip and ankle are readable in fewer than this share of its
#: frames in position is not seen clearly; its length in the rest would be
#: the model's guess on a few frames, so the other leg's is used.
MIN_SEEN_SHARE = 0.25


@dataclass(frozen=True)
class LegLength:
    """A worked leg's length in the picture (median, px) and the leg it was
    measured on: itself, or the person's other leg when it is not seen clearly."""

    px: float
    measured_on: Side


def leg_px(
    image: npt.NDArray[np.float64] | None, size_wh: tuple[int, int], side: Side
) -> float | None:
    """One frame's hip-to-ankle length of ``side``'s leg, in pixels.

    Args:
        image: ``PoseFrame.image``, ``(33, 4)`` rows ``x, y, z, visibility``
            in units of the image's width and height; None: nobody found.
        size_wh: The image's width and height in pixels.
        side: The leg.

    Returns:
        The length, or None when nobody was found or the hip or ankle is
        not visible (visibility under ``MIN_VISIBILITY``).
    """
    if image is None:
        return None
    leg = LEGS[side]
    rows = np.asarray(image)[[leg.hip, leg.ankle]]
    if np.any(rows[:, 3] < MIN_VISIBILITY) or not np.all(np.isfinite(rows[:, :2])):
        return None
    scale = np.asarray(size_wh, dtype=float)
    return float(np.linalg.norm((rows[0, :2] - rows[1, :2]) * scale))


def median_px(lengths: Iterable[float | None], min_frames: int = MIN_FRAMES) -> float | None:
    """The median of the known lengths; None with fewer than ``min_frames``,
    or when under ``MIN_SEEN_SHARE`` of them are known (not seen clearly)."""
    lengths = list(lengths)
    known = [x for x in lengths if x is not None]
    if len(known) < max(min_frames, MIN_SEEN_SHARE * len(lengths)):
        return None
    return float(np.median(known))


@dataclass(frozen=True)
class LegSizes:
    """Each leg's median length in the picture (``leg_lengths_px``; None:
    not measured) and the legs the model does not see clearly (``unseen_legs``)."""

    lengths: dict[Side, float | None]
    unseen: frozenset[Side]


def leg_sizes(
    pose_frames: Sequence[PoseFrame],
    size_wh: tuple[int, int],
    in_position: Mapping[Side, npt.NDArray[np.bool_]] | None = None,
    sides: Sequence[Side] = tuple(Side),
) -> LegSizes:
    """``leg_lengths_px`` and ``unseen_legs`` from one pass over the frames."""
    per_frame = {
        side: _lengths_in_position(pose_frames, size_wh, in_position, side) for side in sides
    }
    return LegSizes(
        {side: median_px(lengths) for side, lengths in per_frame.items()},
        frozenset(side for side, lengths in per_frame.items() if is_unseen(lengths)),
    )


def leg_lengths_px(
    pose_frames: Sequence[PoseFrame],
    size_wh: tuple[int, int],
    in_position: Mapping[Side, npt.NDArray[np.bool_]] | None = None,
    sides: Sequence[Side] = tuple(Side),
) -> dict[Side, float | None]:
    """Each leg's median hip-to-ankle length in pixels over a recording.

    Args:
        pose_frames: The recording.
        size_wh: Its image size, pixels.
        in_position: Per leg, ``(n,)`` bool: the frames it was in the drill's
            position (``PositionSeries.in_position``); None: every frame.
        sides: The legs to measure.

    Returns:
        Per leg, the median length, or None when fewer than ``MIN_FRAMES``
        of its frames (in position) show it, or under ``MIN_SEEN_SHARE`` of them.
    """
    return leg_sizes(pose_frames, size_wh, in_position, sides).lengths


def _lengths_in_position(
    pose_frames: Sequence[PoseFrame],
    size_wh: tuple[int, int],
    in_position: Mapping[Side, npt.NDArray[np.bool_]] | None,
    side: Side,
) -> list[float | None]:
    """``side``'s length on each frame it is in position (``leg_px``)."""
    mask = None if in_position is None else in_position[side]
    return [
        leg_px(frame.image, size_wh, side)
        for i, frame in enumerate(pose_frames)
        if mask is None or mask[i]
    ]


def is_unseen(lengths: Sequence[float | None]) -> bool:
    """Frames enough to tell (``MIN_FRAMES / MIN_SEEN_SHARE``), and the leg
    readable in fewer than ``MIN_SEEN_SHARE`` of them."""
    known = sum(px is not None for px in lengths)
    return len(lengths) >= MIN_FRAMES / MIN_SEEN_SHARE and known < MIN_SEEN_SHARE * len(lengths)


def unseen_legs(
    pose_frames: Sequence[PoseFrame],
    size_wh: tuple[int, int],
    in_position: Mapping[Side, npt.NDArray[np.bool_]] | None = None,
    sides: Sequence[Side] = tuple(Side),
) -> frozenset[Side]:
    """The legs in position long enough to tell (``MIN_FRAMES /
    MIN_SEEN_SHARE`` frames) whose hip and ankle are readable in fewer than
    ``MIN_SEEN_SHARE`` of those frames: the model does not see them clearly
    (``in_position`` as in ``leg_lengths_px``)."""
    return leg_sizes(pose_frames, size_wh, in_position, sides).unseen


def judged_lengths(
    lengths: Mapping[Side, float | None],
    worked: Sequence[Side] | None = None,
    unseen: Collection[Side] | None = None,
) -> dict[Side, LegLength]:
    """Each worked leg's length (``worked``: every leg in ``lengths`` when
    None): its own, else, for a leg not seen clearly (``unseen``: every
    unmeasured leg when None), the longest other leg measured (a leg is
    called small only when the whole person is); others are left out."""
    measured = {side: px for side, px in lengths.items() if px is not None}
    out = {}
    for side in lengths if worked is None else worked:
        if side in measured:
            out[side] = LegLength(measured[side], side)
        elif measured and (unseen is None or side in unseen):
            other = max(measured, key=lambda s: measured[s])
            out[side] = LegLength(measured[other], other)
    return out


def short_legs(
    lengths: Mapping[Side, float | None],
    min_px: float = MIN_LEG_PX,
    worked: Sequence[Side] | None = None,
    unseen: Collection[Side] | None = None,
) -> dict[Side, LegLength]:
    """The worked legs judged shorter than ``min_px`` (``judged_lengths``)."""
    judged = judged_lengths(lengths, worked, unseen)
    return {side: length for side, length in judged.items() if length.px < min_px}
