"""The annotated review video: what the analysis found, drawn on every frame.

Per-frame state (angle, rep count, hold timer, cues) is read off the
analysis results (the angle series and the counted reps), never analysed
again; the video is decoded a second time and written frame by frame, so
memory stays flat however long the recording is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hiprot import drill
from hiprot.capture import open_video, probe_video
from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.overlay import FrameAnnotation, LegAnnotation, draw_annotation, draw_skeleton
from hiprot.reading.series import AngleSeries
from hiprot.reps import Rep
from hiprot.sink import VideoSink

#: A cue about a finished rep stays on screen this long after the rep ends.
CUE_AFTER_S = 2.0

CUE_TOO_FAST = "too fast: turn in slowly"
CUE_ANKLES = "from the hips, not the ankles"
CUE_NO_HOLD = f"hold the inward end {drill.HOLD_MIN_S:.0f}-2 s"


@dataclass(frozen=True)
class RepTimeline:
    """When the phases of one counted rep happened, in seconds.

    Attributes:
        rep: The counted rep.
        inward_s: When the turn inward reached the internal end range.
        hold: ``(start_s, end_s)`` of the hold at the internal end range, or ``None``.
    """

    rep: Rep
    inward_s: float
    hold: tuple[float, float] | None


def rep_timeline(rep: Rep) -> RepTimeline:
    """The inward arrival and the hold of ``rep``, as the counter measured
    them (``Rep.inward_s``, ``Rep.hold_span_s``); a rep read back from a file
    has neither, and counts as arriving at its start with no hold."""
    inward_s = rep.start_s if rep.inward_s is None else rep.inward_s
    return RepTimeline(rep, inward_s, rep.hold_span_s)


def _cues_at(t_s: float, timelines: Sequence[RepTimeline]) -> dict[str, set[Side]]:
    """Which cue applies to which leg at ``t_s``."""
    cues: dict[str, set[Side]] = {}
    for tl in timelines:
        rep = tl.rep
        if rep.compensation and rep.start_s <= t_s <= rep.end_s + CUE_AFTER_S:
            cues.setdefault(CUE_ANKLES, set()).add(rep.leg)
        if not rep.controlled and tl.inward_s <= t_s <= rep.end_s + CUE_AFTER_S:
            cues.setdefault(CUE_TOO_FAST, set()).add(rep.leg)
        if not rep.held and rep.end_s <= t_s <= rep.end_s + CUE_AFTER_S:
            cues.setdefault(CUE_NO_HOLD, set()).add(rep.leg)
    return cues


def _cue_lines(cues: dict[str, set[Side]], sides: Sequence[Side]) -> tuple[str, ...]:
    lines = []
    for cue in (CUE_ANKLES, CUE_TOO_FAST, CUE_NO_HOLD):
        legs = cues.get(cue)
        if not legs:
            continue
        if len(sides) == 1:
            lines.append(cue.capitalize())
        elif len(legs) == 2:
            lines.append(f"Both legs: {cue}")
        else:
            lines.append(f"{next(iter(legs)).value.capitalize()} leg: {cue}")
    return tuple(lines)


def frame_annotations(
    series: AngleSeries, reps: Sequence[Rep], sides: Sequence[Side]
) -> list[FrameAnnotation]:
    """What to draw on each frame of the series (one entry per frame)."""
    timelines = [rep_timeline(rep) for rep in reps if rep.leg in sides]
    out = []
    for i, t in enumerate(series.t_s):
        t = float(t)
        legs = {}
        for side in sides:
            mine = [tl for tl in timelines if tl.rep.leg is side]
            hold_s = next(
                (t - tl.hold[0] for tl in mine if tl.hold and tl.hold[0] <= t <= tl.hold[1]), None
            )
            legs[side] = LegAnnotation(
                femur_deg=float(series.legs[side].femur_deg[i]),
                reps=sum(tl.rep.end_s <= t for tl in mine),
                hold_s=hold_s,
                held=hold_s is not None and hold_s >= drill.HOLD_MIN_S,
            )
        out.append(FrameAnnotation(t, legs, _cue_lines(_cues_at(t, timelines), sides)))
    return out


def write_annotated_video(
    video: Path,
    image_landmarks: npt.NDArray[np.float64],
    annotations: Sequence[FrameAnnotation],
    output: Path,
    on_frame: Callable[[], None] | None = None,
) -> int:
    """Decode ``video`` again and write it to ``output`` with the overlay drawn.

    Args:
        video: The reviewed video file.
        image_landmarks: ``(n_frames, 33, 4)`` MediaPipe image landmarks of
            each frame, NaN rows where no person was found.
        annotations: ``n_frames`` entries from ``frame_annotations``.
        output: Video to write (``.mp4``); same size and frame rate as the input.
        on_frame: Called after each written frame (progress).

    Returns:
        Frames written: always the input's frame count.

    Raises:
        HiprotError: The output cannot be written, or the video decodes to a
            different number of frames than it did for the analysis.
    """
    n = len(annotations)
    if len(image_landmarks) != n:
        raise ValueError(f"{len(image_landmarks)} landmark rows for {n} annotations")
    fps = probe_video(video).fps
    written = 0
    with open_video(video, max_width=None) as frames, ExitStack() as stack:
        sink: VideoSink | None = None
        for frame in frames:
            if frame.index >= n:
                written = frame.index + 1
                break
            if sink is None:  # sized by the decoded frame (phone videos may be rotated)
                sink = stack.enter_context(VideoSink(output, fps, frame.size_wh))
            image = frame.image  # freshly decoded: ours to draw on
            rows = image_landmarks[frame.index]
            draw_skeleton(image, None if np.isnan(rows).all() else rows)
            draw_annotation(image, annotations[frame.index])
            sink.write(image)
            written = sink.frames_written
            if on_frame is not None:
                on_frame()
    if written != n:
        raise HiprotError(
            f"{video}: decoded {written} frames for the annotated video but {n} for the analysis"
        )
    return written
