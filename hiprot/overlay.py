"""Drawing on frames: skeleton, angles, rep count and coaching cues.

Used by the annotated review video and the live window. Pure drawing on
BGR images; no analysis happens here: what to draw (``FrameAnnotation``)
is worked out from the analysis results by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from hiprot import drill, words
from hiprot.coach import CoachView, LegGauge, Stage
from hiprot.landmarks import LEGS, MIN_VISIBILITY, SKELETON, Side
from hiprot.reps import Mode
from hiprot.session import SessionSummary

#: BGR colours, chosen to stay distinct on skin, clothes and mats.
LEFT_COLOUR = (255, 160, 0)  # blue-ish: the person's left leg
RIGHT_COLOUR = (0, 140, 255)  # orange: the person's right leg
BODY_COLOUR = (230, 230, 230)


def _side_of(a: int, b: int) -> Side | None:
    for side, leg in LEGS.items():
        if a in leg.indices and b in leg.indices:
            return side
    return None


def draw_skeleton(
    image: npt.NDArray[np.uint8],
    landmarks: npt.NDArray[np.float64] | None,
    thickness: int | None = None,
) -> npt.NDArray[np.uint8]:
    """Draw MediaPipe image landmarks ``(33, 4)`` onto ``image`` in place.

    Legs are coloured by side (left blue, right orange) so a left/right
    swap by the pose model is visible at a glance.
    """
    if landmarks is None:
        return image
    h, w = image.shape[:2]
    thickness = thickness or max(2, round(w / 320))
    xy = np.round(landmarks[:, :2] * (w, h)).astype(int)
    visible = landmarks[:, 3] >= MIN_VISIBILITY
    for a, b in sorted(SKELETON):
        if not (visible[a] and visible[b]):
            continue
        side = _side_of(a, b)
        colour = {Side.LEFT: LEFT_COLOUR, Side.RIGHT: RIGHT_COLOUR, None: BODY_COLOUR}[side]
        cv2.line(image, tuple(xy[a]), tuple(xy[b]), colour, thickness, cv2.LINE_AA)
    for index in np.flatnonzero(visible):
        cv2.circle(image, tuple(xy[index]), thickness + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return image


# ---------------------------------------------------------------- annotated review video

#: The gauge spans this many degrees either side of neutral.
GAUGE_RANGE_DEG = 45.0
HOLD_COLOUR = (200, 80, 200)  # purple, as the hold bar in the review plot
CUE_COLOUR = (60, 220, 255)  # amber
NOTICE_COLOUR = (0, 200, 255)  # a deeper yellow: a warning, not a cue
PANEL_COLOUR = (25, 25, 25)
_FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True)
class LegAnnotation:
    """What the annotated video shows for one leg at one frame.

    Attributes:
        femur_deg: Femur rotation from neutral, internal positive; NaN when
            the leg is not measured in this frame.
        reps: Reps of this leg completed so far.
        hold_s: Seconds held at the internal end range so far, ``None``
            when the leg is not holding.
        held: The current hold has reached the drill's minimum.
    """

    femur_deg: float
    reps: int
    hold_s: float | None = None
    held: bool = False


@dataclass(frozen=True)
class FrameAnnotation:
    """Everything drawn on one frame besides the skeleton.

    Attributes:
        t_s: Seconds since the first frame.
        legs: The worked legs, in drawing order.
        cues: Coaching lines ("too fast", "from the hips, not the ankles").
    """

    t_s: float
    legs: dict[Side, LegAnnotation]
    cues: tuple[str, ...] = ()


def _text(
    image: npt.NDArray[np.uint8],
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int],
    thickness: int,
) -> int:
    """Text with a dark outline (readable on any background); returns its width (px)."""
    cv2.putText(image, text, org, _FONT, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.putText(image, text, org, _FONT, scale, colour, thickness, cv2.LINE_AA)
    return cv2.getTextSize(text, _FONT, scale, thickness)[0][0]


def _panel(
    image: npt.NDArray[np.uint8], x0: int, y0: int, x1: int, y1: int, alpha: float = 0.55
) -> None:
    """Darken a rectangle so text on it stays readable."""
    h, w = image.shape[:2]
    x0, x1, y0, y1 = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    if x1 > x0 and y1 > y0:
        roi = image[y0:y1, x0:x1]
        cv2.addWeighted(roi, 1 - alpha, np.full_like(roi, PANEL_COLOUR), alpha, 0.0, dst=roi)


def _gauge(
    image: npt.NDArray[np.uint8],
    x: int,
    y: int,
    width: int,
    height: int,
    femur_deg: float,
    colour: tuple[int, int, int],
) -> None:
    """A horizontal bar: external left, internal right, neutral in the middle."""
    mid = x + width // 2
    cv2.rectangle(image, (x, y), (x + width, y + height), (110, 110, 110), 1, cv2.LINE_AA)
    cv2.line(image, (mid, y - 2), (mid, y + height + 2), (200, 200, 200), 1, cv2.LINE_AA)
    if not np.isfinite(femur_deg):
        return
    fraction = float(np.clip(femur_deg / GAUGE_RANGE_DEG, -1.0, 1.0))
    end = mid + round(fraction * width / 2)
    cv2.rectangle(image, (min(mid, end), y + 1), (max(mid, end), y + height - 1), colour, -1)


def _leg_row(
    image: npt.NDArray[np.uint8],
    side: Side,
    leg: LegAnnotation,
    y: int,
    sizes: tuple[float, int, int, int],
) -> None:
    """One leg's line of the panel: angle, gauge, reps, hold timer.
    ``sizes`` is ``(scale, thickness, line_h, pad)``, following the image width."""
    scale, thick, line_h, pad = sizes
    colour = LEFT_COLOUR if side is Side.LEFT else RIGHT_COLOUR
    angle = "  --" if not np.isfinite(leg.femur_deg) else f"{leg.femur_deg:+4.0f}"
    x = pad + _text(image, f"{side.value.upper():<5} {angle} deg", (pad, y), scale, colour, thick)
    gauge_w = round(image.shape[1] * 0.09)
    gauge_y, gauge_h = y - round(line_h * 0.38), round(line_h * 0.36)
    _gauge(image, x + pad, gauge_y, gauge_w, gauge_h, leg.femur_deg, colour)
    x += gauge_w + 2 * pad
    x += _text(image, f"reps {leg.reps}", (x, y), scale, (255, 255, 255), thick)
    if leg.hold_s is not None:
        label = f"HOLD {leg.hold_s:.1f}s" + (" ok" if leg.held else "")
        hold_colour = (120, 255, 120) if leg.held else HOLD_COLOUR
        _text(image, label, (x + pad, y), scale, hold_colour, thick)


def draw_annotation(
    image: npt.NDArray[np.uint8], annotation: FrameAnnotation
) -> npt.NDArray[np.uint8]:
    """Draw the per-leg panel (angle, gauge, reps, hold timer) and the cues in place.

    Sizes follow the image width, so a phone video and a 640x480 webcam
    clip look alike.
    """
    h, w = image.shape[:2]
    scale = max(0.4, w / 1100)
    thick = max(1, round(w / 640))
    line_h = round(34 * scale * 1.6)
    pad = round(10 * scale)
    panel_w = round(w * 0.42)
    _panel(image, 0, 0, panel_w, pad * 2 + line_h * len(annotation.legs))
    for row, (side, leg) in enumerate(annotation.legs.items()):
        y = pad + line_h * row + round(line_h * 0.62)
        _leg_row(image, side, leg, y, (scale, thick, line_h, pad))
    _text(
        image,
        f"{annotation.t_s:5.1f} s",
        (w - round(95 * scale * 1.6), pad + round(line_h * 0.62)),
        scale,
        (255, 255, 255),
        thick,
    )
    for k, cue in enumerate(reversed(annotation.cues)):
        y = h - pad - k * line_h
        width = cv2.getTextSize(cue, _FONT, scale * 1.1, thick + 1)[0][0]
        _panel(image, pad, y - round(line_h * 0.75), 3 * pad + width, y + round(line_h * 0.25))
        _text(image, cue, (2 * pad, y), scale * 1.1, CUE_COLOUR, thick + 1)
    return image


# ---------------------------------------------------------------- live coaching window

#: The live window's canvas: large text must read from 2 m on a laptop screen.
LIVE_SIZE_WH = (1280, 720)
_LIVE_FONT = cv2.FONT_HERSHEY_DUPLEX
_BACKGROUND = 18  # grey level
_BAR = (45, 45, 45)
_WHITE = (255, 255, 255)
_GREY = (150, 150, 150)
_GOOD = (90, 230, 90)
_TOP_H, _BOTTOM_H, _PANEL_X = 110, 110, 800


def _big(
    image: npt.NDArray[np.uint8],
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int] = _WHITE,
    thickness: int = 3,
    anchor: str = "left",
    outline: bool = False,
) -> int:
    """Bold text, ``anchor`` left, centre or right of ``org``; ``outline`` (black)
    where it lies on the camera image. Returns its width."""
    width = cv2.getTextSize(text, _LIVE_FONT, scale, thickness)[0][0]
    x = org[0] - {"left": 0, "centre": width // 2, "right": width}[anchor]
    if outline:
        cv2.putText(
            image, text, (x, org[1]), _LIVE_FONT, scale, (0, 0, 0), thickness + 6, cv2.LINE_AA
        )
    cv2.putText(image, text, (x, org[1]), _LIVE_FONT, scale, colour, thickness, cv2.LINE_AA)
    return width


def _fit(image: npt.NDArray[np.uint8], box_wh: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """Shrink to fit the box; never enlarge (a webcam frame fits as it is, and
    resizing every frame costs display rate)."""
    scale = min(box_wh[0] / image.shape[1], box_wh[1] / image.shape[0])
    if scale >= 1.0:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _notice_band(canvas: npt.NDArray[np.uint8], text: str, x0: int, y0: int, width: int) -> None:
    """``text`` in black on a ``NOTICE_COLOUR`` band across the top of the
    camera view (``width`` px from ``x0``), shrunk to fit."""
    scale, thickness = 1.1, 2
    text_w = cv2.getTextSize(text, _LIVE_FONT, scale, thickness)[0][0]
    scale *= min(1.0, (width - 30) / text_w)
    cv2.rectangle(canvas, (x0, y0), (x0 + width, y0 + 56), NOTICE_COLOUR, -1)
    _big(canvas, text, (x0 + width // 2, y0 + 40), scale, (0, 0, 0), thickness, "centre")


def _deg(value: float | None) -> str:
    return "--" if value is None or not np.isfinite(value) else f"{value:+.0f}"


def _live_gauge(canvas: npt.NDArray[np.uint8], gauge: LegGauge, x: int, y: int, width: int) -> None:
    """One leg: name and reps, then a bar from external (left) to internal (right)
    with the current angle filled from neutral, this set's range as white ticks
    and the person's best as coloured ticks."""
    colour = LEFT_COLOUR if gauge.side is Side.LEFT else RIGHT_COLOUR
    _big(canvas, gauge.side.value.upper(), (x, y + 44), 1.5, colour, 3)
    # image degrees say so: their scale differs by set-up and side
    unit = " deg" if gauge.scaled else " img"
    _big(canvas, _deg(gauge.current_deg) + unit, (x + width, y + 44), 1.5, _WHITE, 3, "right")
    top, height = y + 66, 56
    mid = x + width // 2

    def at(deg: float) -> int:
        return mid + round(float(np.clip(deg / GAUGE_RANGE_DEG, -1, 1)) * width / 2)

    cv2.rectangle(canvas, (x, top), (x + width, top + height), (60, 60, 60), -1)
    if np.isfinite(gauge.current_deg):
        end = at(gauge.current_deg)
        cv2.rectangle(canvas, (min(mid, end), top), (max(mid, end), top + height), colour, -1)
    for value, tick_colour, reach in (
        (gauge.best.internal_deg, colour, 14),
        (gauge.best.external_deg, colour, 14),
        (gauge.this_set.internal_deg, _WHITE, 6),
        (gauge.this_set.external_deg, _WHITE, 6),
    ):
        if value is not None:
            cv2.line(
                canvas, (at(value), top - reach), (at(value), top + height + reach), tick_colour, 5
            )
    cv2.line(canvas, (mid, top - 8), (mid, top + height + 8), _WHITE, 3)
    cv2.rectangle(canvas, (x, top), (x + width, top + height), _GREY, 2)
    below = top + height + 40
    _big(canvas, "OUT", (x, below), 0.9, _GREY, 2)
    _big(canvas, "0", (mid, below), 0.9, _GREY, 2, "centre")
    _big(canvas, "IN", (x + width, below), 0.9, _GREY, 2, "right")
    best = f"best {_deg(gauge.best.external_deg)} / {_deg(gauge.best.internal_deg)}"
    _big(canvas, best, (x + width // 2, below + 42), 0.9, colour, 2, "centre")


def _summary_table(
    canvas: npt.NDArray[np.uint8], summary: SessionSummary, capped: Collection[str] = ()
) -> None:
    """The session's totals per leg; a best reading in ``capped`` (at the
    camera view's limit, ``LiveSession.capped_readings``) is a bound:
    ``>=`` (the window's font has no ``≥``)."""

    def best(side: Side, way: str, value: float | None) -> str:
        bound = (">=" if way == "in" else "<=") if f"{side.value}-{way}" in capped else ""
        return bound + _deg(value)

    rows = [("", *[side.value.upper() for side in summary.legs])]
    legs = list(summary.legs.values())
    rows += [
        ("reps", *[str(leg.reps) for leg in legs]),
        (words.HELD, *[str(leg.held_reps) for leg in legs]),
        (words.CONTROLLED, *[str(leg.controlled_reps) for leg in legs]),
        (words.FROM_ANKLES, *[str(leg.compensated_reps) for leg in legs]),
        ("best in", *[best(s, "in", leg.peak_internal_deg) for s, leg in summary.legs.items()]),
        ("best out", *[best(s, "out", leg.peak_external_deg) for s, leg in summary.legs.items()]),
    ]
    for r, row in enumerate(rows):
        y = _TOP_H + 80 + r * 68
        _big(canvas, row[0], (80, y), 1.5, _GREY, 3)
        for c, cell in enumerate(row[1:]):
            _big(canvas, cell, (640 + c * 300, y), 1.5, _WHITE, 3, "centre")


def render_live(
    image: npt.NDArray[np.uint8] | None,
    landmarks: npt.NDArray[np.float64] | None,
    view: CoachView,
    notice: str | None = None,
    capped: Collection[str] = (),
) -> npt.NDArray[np.uint8]:
    """The live window's frame: camera and skeleton, gauges, count, hold timer,
    cue, and a ``notice`` (a warning about the camera or the light) across
    the top of the camera view; the session's summary, its ``capped`` best
    readings marked, once it is over.

    A new ``LIVE_SIZE_WH`` canvas; ``image`` (BGR, any size) is not changed.
    ``image`` None draws the skeleton on a dark background.
    """
    w, h = LIVE_SIZE_WH
    canvas = np.full((h, w, 3), _BACKGROUND, np.uint8)  # a scalar fill is a memset
    if view.stage is Stage.SUMMARY and view.summary is not None:
        _summary_table(canvas, view.summary, capped)
    else:
        _camera_view(canvas, image, landmarks, view, notice)
    _top_bar(canvas, view)
    if view.stage is not Stage.SUMMARY:  # the right panel: a gauge per leg
        x, width = _PANEL_X + 20, w - _PANEL_X - 60
        for k, gauge in enumerate(view.legs):
            _live_gauge(canvas, gauge, x, _TOP_H + 10 + k * 240, width)
    _bottom_bar(canvas, view)
    return canvas


def _camera_view(
    canvas: npt.NDArray[np.uint8],
    image: npt.NDArray[np.uint8] | None,
    landmarks: npt.NDArray[np.float64] | None,
    view: CoachView,
    notice: str | None,
) -> None:
    """The camera image and skeleton, with the countdown, the hold timer (on
    the body, where the eyes are), the notice band and the pause drawn over it."""
    h = LIVE_SIZE_WH[1]
    box = (_PANEL_X - 20, h - _TOP_H - _BOTTOM_H - 20)
    camera = np.full((480, 640, 3), 40, np.uint8) if image is None else image.copy()
    draw_skeleton(camera, landmarks)
    camera = _fit(camera, box)
    y0 = _TOP_H + 10 + (box[1] - camera.shape[0]) // 2
    x0 = 10 + (box[0] - camera.shape[1]) // 2
    canvas[y0 : y0 + camera.shape[0], x0 : x0 + camera.shape[1]] = camera
    cx, cy = x0 + camera.shape[1] // 2, y0 + camera.shape[0] // 2
    if view.countdown_s is not None:
        countdown = f"{math.ceil(view.countdown_s)}"
        _big(canvas, countdown, (cx, cy + 70), 6.0, CUE_COLOUR, 12, "centre", outline=True)
    if view.stage is Stage.SET and view.hold_s > 0:
        colour = _GOOD if view.hold_s >= drill.HOLD_MIN_S else HOLD_COLOUR
        hold = f"HOLD {view.hold_s:.1f} s"
        at = (cx, y0 + camera.shape[0] - 30)
        _big(canvas, hold, at, 2.4, colour, 6, "centre", outline=True)
    if notice:
        _notice_band(canvas, notice, x0, y0, camera.shape[1])
    if view.paused:
        _big(canvas, "PAUSED", (cx, cy + 40), 3.0, CUE_COLOUR, 6, "centre", outline=True)
        _big(canvas, "space to go on", (cx, cy + 110), 1.3, _WHITE, 3, "centre", outline=True)


def _top_bar(canvas: npt.NDArray[np.uint8], view: CoachView) -> None:
    """Where the session is, and the count (or the legs counted)."""
    w = LIVE_SIZE_WH[0]
    cv2.rectangle(canvas, (0, 0), (w, _TOP_H), _BAR, -1)
    _big(canvas, view.title, (30, 82), 2.2, _WHITE, 4)
    if view.stage is Stage.SET:
        count = max((g.reps for g in view.legs), default=0)
        colour = _GOOD if count >= view.target_reps else _WHITE
        _big(canvas, f"{count}/{view.target_reps}", (w - 30, 82), 2.5, colour, 5, "right")
    elif view.stage is not Stage.SUMMARY:
        legs = f"{view.mode.value} legs" if view.mode is Mode.BOTH else f"{view.mode.value} leg"
        _big(canvas, legs, (w - 30, 78), 1.4, _GREY, 3, "right")


def _bottom_bar(canvas: npt.NDArray[np.uint8], view: CoachView) -> None:
    """The cue, else what to do."""
    w, h = LIVE_SIZE_WH
    if view.cue is not None:
        cv2.rectangle(canvas, (0, h - _BOTTOM_H), (w, h), CUE_COLOUR, -1)
        scale = 2.4 if len(view.cue.value) < 22 else 1.75
        text_w = cv2.getTextSize(view.cue.value, _LIVE_FONT, scale, 5)[0][0]
        org = (w // 2 - text_w // 2, h - _BOTTOM_H // 2 + round(18 * scale))
        cv2.putText(canvas, view.cue.value, org, _LIVE_FONT, scale, (0, 0, 0), 5, cv2.LINE_AA)
    else:
        cv2.rectangle(canvas, (0, h - _BOTTOM_H), (w, h), _BAR, -1)
        _big(canvas, view.detail, (w // 2, h - _BOTTOM_H // 2 + 22), 1.6, _WHITE, 3, "centre")
