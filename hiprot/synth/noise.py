"""Noise that looks like MediaPipe Pose's, at four levels.

Components, each switchable per level:

- per-landmark white jitter (image ``x``/``y`` in pixels, image ``z`` in
  pixel-equivalents of ``x``, world per axis in metres), larger for landmarks
  MediaPipe marks as poorly visible;
- slow drift: an Ornstein-Uhlenbeck wobble per landmark and axis, with a much
  larger world-``z`` (depth) amplitude: MediaPipe's depth is its weakest axis
  and errs slowly and pose-dependently rather than frame to frame;
- visibility drops: a leg's landmarks lose visibility (and get 3x jitter)
  for a moment;
- whole-frame dropouts: no person (image and world ``None``);
- left/right swaps of the leg landmarks (knee, ankle, heel, foot index) for a
  few frames, as MediaPipe does when the legs cross in the image;
- frame-timing jitter and dropped frames (``t`` stays strictly increasing).

Calibration of ``realistic``: MediaPipe 0.10.21,
``Pose(model_complexity=1, static_image_mode=False)`` on
/work/shared/footage/physioplus-bridging.mp4 (640x480, 30 fps, a real man
supine on a mat, side view). "jitter" = std of the second difference /
sqrt(6) (white noise with slow motion removed), "f2f" = std of the
frame-to-frame difference; medians over landmarks with visibility > 0.8.
Image in pixels (z in pixels of x), world in millimetres, axes x, y, z:

- frames 4-13, legs still (man settling his head):
  image jitter 0.27, 0.41, 1.97 (f2f 0.50, 0.90, 4.0);
  world jitter 1.3, 4.0, 1.1 (f2f 2.3, 8.8, 2.5).
- frames 4-13, all visible landmarks:
  image jitter 0.61, 0.86, 2.15 (f2f 1.6, 2.1, 5.8);
  world jitter 1.6, 5.5, 1.5 (f2f 3.6, 9.8, 4.1).
- frames 22-64, bridge hold (body still, raised):
  image jitter 0.05, 0.13, 0.58; world jitter 0.3, 0.5, 0.4.
- far-side landmarks (visibility 0.1-0.6) jittered about as much as near ones.

MediaPipe's tracking mode smooths strongly, so still-landmark jitter is
sub-pixel; image ``z`` is 3-5x noisier than ``x``/``y``; world ``y``
(camera-down) wobbled most while the man settled. Frame-to-frame world ``z``
was *not* noisier than ``x`` here: MediaPipe's depth errs slowly and
pose-dependently (its world landmarks did not follow a rotating femur at all
in the project's rendered tests), so depth error is modelled as drift
(15 mm at ``realistic``; an assumption, not a measurement). ``realistic``
takes the upper end of the still-person jitter (0.6 px, z 2.2 px, world
1.5/4/1.5 mm) because moving legs track worse than a still body; ``low`` is
about half, ``high`` about three times.

Image drift of ``realistic`` (0.9 px) puts its slow error at rest inside the
spread MediaPipe shows on the rendered drill clips, towards their worst, as
real webcams are less clean than renders; ``benchmarks/mediapipe_error.py``
measures both (docs/accuracy.md, "MediaPipe's own error"). Not modelled at
any level: MediaPipe's knee following the rotation only partly on some
sides (same benchmark); the rendered suite carries that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

from hiprot.landmarks import LEGS, NUM_LANDMARKS, Side
from hiprot.types import PoseFrame

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_LEG_INDICES = {
    side: [LEGS[side].knee, LEGS[side].ankle, LEGS[side].heel, LEGS[side].foot_index]
    for side in Side
}


@dataclass(frozen=True)
class NoiseModel:
    """Magnitudes of each noise component. Rates are events per second.

    Attributes:
        image_jitter_px: White jitter std of image ``x`` and ``y``, pixels.
        image_z_jitter_px: White jitter std of image ``z``, pixels of ``x``.
        world_jitter_m: White jitter std of world ``(x, y, z)``, metres.
        image_drift_px: Drift std of image ``x``/``y`` (``z`` 3x), pixels.
        world_drift_m: Drift std of world ``(x, y, z)``, metres.
        drift_time_s: Correlation time of the drift.
        occluded_gain: Jitter multiplier is ``1 + gain * (1 - visibility)``.
        visibility_jitter: Std of the noise added to visibility.
        visibility_drop_rate_hz, visibility_drop_s: Rate and mean length of a
            leg's visibility drop.
        dropout_rate_hz, dropout_s: Rate and mean length of whole-frame
            dropouts (no person found).
        swap_rate_hz, swap_s: Rate and mean length of left/right leg swaps.
        timing_jitter_s: Std of frame-time jitter (clipped to 0.3 frame).
        frame_drop_prob: Probability that a frame is missing from the stream.
    """

    image_jitter_px: float = 0.0
    image_z_jitter_px: float = 0.0
    world_jitter_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    image_drift_px: float = 0.0
    world_drift_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    drift_time_s: float = 1.5
    occluded_gain: float = 0.0
    visibility_jitter: float = 0.0
    visibility_drop_rate_hz: float = 0.0
    visibility_drop_s: float = 0.4
    dropout_rate_hz: float = 0.0
    dropout_s: float = 0.2
    swap_rate_hz: float = 0.0
    swap_s: float = 0.2
    timing_jitter_s: float = 0.0
    frame_drop_prob: float = 0.0


#: The noise levels, mildest first.
NOISE_LEVELS: dict[str, NoiseModel] = {
    "none": NoiseModel(),
    "low": NoiseModel(
        image_jitter_px=0.3,
        image_z_jitter_px=1.0,
        world_jitter_m=(0.0008, 0.002, 0.0008),
        image_drift_px=0.5,
        world_drift_m=(0.0015, 0.0015, 0.005),
        occluded_gain=1.0,
        visibility_jitter=0.01,
        timing_jitter_s=0.001,
    ),
    "realistic": NoiseModel(
        image_jitter_px=0.6,
        image_z_jitter_px=2.2,
        world_jitter_m=(0.0015, 0.004, 0.0015),
        image_drift_px=0.9,
        world_drift_m=(0.004, 0.004, 0.015),
        occluded_gain=2.0,
        visibility_jitter=0.03,
        visibility_drop_rate_hz=0.05,
        dropout_rate_hz=0.02,
        swap_rate_hz=0.01,
        timing_jitter_s=0.003,
        frame_drop_prob=0.01,
    ),
    "high": NoiseModel(
        image_jitter_px=2.0,
        image_z_jitter_px=6.0,
        world_jitter_m=(0.005, 0.012, 0.01),
        image_drift_px=4.0,
        world_drift_m=(0.01, 0.01, 0.04),
        occluded_gain=3.0,
        visibility_jitter=0.06,
        visibility_drop_rate_hz=0.15,
        dropout_rate_hz=0.08,
        dropout_s=0.4,
        swap_rate_hz=0.05,
        swap_s=0.3,
        timing_jitter_s=0.008,
        frame_drop_prob=0.05,
    ),
}


def frame_times(
    duration_s: float, fps: float, model: NoiseModel, rng: np.random.Generator
) -> tuple[IntArray, FloatArray]:
    """Frame indices and timestamps of a stream, with timing noise.

    Frame 0 is always kept at ``t = 0``; jitter stays within 0.3 of a frame
    period, so ``t`` increases strictly.

    Returns:
        ``(index, t_s)``, both ``(n_frames,)``; ``index`` has gaps where
        frames were dropped.
    """
    n = int(np.floor(duration_s * fps)) + 1
    index = np.arange(n)
    jitter = np.clip(rng.normal(0.0, model.timing_jitter_s, n), -0.3 / fps, 0.3 / fps)
    jitter[0] = 0.0
    t_s = index / fps + jitter
    keep = rng.random(n) >= model.frame_drop_prob
    keep[0] = True
    return index[keep], t_s[keep]


def _drift(
    t_s: FloatArray,
    shape: tuple[int, ...],
    std: FloatArray,
    time_s: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Stationary Ornstein-Uhlenbeck noise along axis 0, ``(n_frames, *shape)``."""
    dt = np.diff(t_s, prepend=t_s[0])
    step = float(np.median(dt[1:])) if t_s.size > 1 else 1.0
    decay = np.exp(-step / time_s)
    drive = rng.normal(0.0, 1.0, (t_s.size, *shape))
    drive[0] /= np.sqrt(1.0 - decay**2)  # start in the stationary state
    return lfilter([np.sqrt(1.0 - decay**2)], [1.0, -decay], drive, axis=0) * std


def _episodes(
    t_s: FloatArray,
    rate_hz: float,
    mean_s: float,
    rng: np.random.Generator,
) -> list[slice]:
    """Random intervals (Poisson starts, exponential lengths) as frame slices."""
    if rate_hz <= 0.0 or t_s.size == 0:
        return []
    span = float(t_s[-1] - t_s[0])
    starts = np.sort(rng.uniform(t_s[0], t_s[-1], rng.poisson(rate_hz * span)))
    lengths = rng.exponential(mean_s, starts.size) + 1e-3
    return [
        slice(
            int(np.searchsorted(t_s, start)),
            int(np.searchsorted(t_s, start + length, side="right")),
        )
        for start, length in zip(starts, lengths)
    ]


def _visibility(
    t_s: FloatArray, visibility: FloatArray, model: NoiseModel, rng: np.random.Generator
) -> FloatArray:
    """Visibility with episodes of one leg dimmed, and jitter, in [0, 1]."""
    for sl in _episodes(t_s, model.visibility_drop_rate_hz, model.visibility_drop_s, rng):
        legs = _LEG_INDICES[Side.LEFT if rng.random() < 0.5 else Side.RIGHT]
        visibility[sl, legs] *= rng.uniform(0.1, 0.5)
    return np.clip(
        visibility + rng.normal(0.0, model.visibility_jitter, visibility.shape),
        0.0,
        1.0,
    )


def _jitter_and_drift(
    t_s: FloatArray,
    image: FloatArray,
    world: FloatArray,
    visibility: FloatArray,
    model: NoiseModel,
    rng: np.random.Generator,
    width: int,
    height: int,
) -> None:
    """Add white jitter (larger where a landmark is less visible) and slow
    drift to the image and world positions, in place."""
    n = t_s.size
    gain = (1.0 + model.occluded_gain * (1.0 - visibility))[..., None]
    to_unit = np.array([1.0 / width, 1.0 / height, 1.0 / width])
    image_jitter = np.array([model.image_jitter_px, model.image_jitter_px, model.image_z_jitter_px])
    image_drift = model.image_drift_px * np.array([1.0, 1.0, 3.0])
    image[..., :3] += gain * rng.normal(0.0, 1.0, (n, NUM_LANDMARKS, 3)) * image_jitter * to_unit
    world[..., :3] += (
        gain * rng.normal(0.0, 1.0, (n, NUM_LANDMARKS, 3)) * np.asarray(model.world_jitter_m)
    )
    if model.image_drift_px > 0.0:
        image[..., :3] += _drift(
            t_s, (NUM_LANDMARKS, 3), image_drift * to_unit, model.drift_time_s, rng
        )
    if any(model.world_drift_m):
        world[..., :3] += _drift(
            t_s, (NUM_LANDMARKS, 3), np.asarray(model.world_drift_m), model.drift_time_s, rng
        )


def corrupt(
    t_s: FloatArray,
    image: FloatArray,
    world: FloatArray,
    model: NoiseModel,
    rng: np.random.Generator,
    width: int,
    height: int,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Apply a noise model to exact landmarks.

    Args:
        t_s: ``(n_frames,)`` frame times, seconds.
        image: ``(n_frames, 33, 4)`` exact image landmarks (normalised).
        world: ``(n_frames, 33, 4)`` exact world landmarks (metres).
        model: Noise magnitudes.
        rng: Random source.
        width, height: Image size, pixels (jitter is specified in pixels).

    Returns:
        ``(image, world, has_pose)``: noisy copies and a ``(n_frames,)`` mask
        that is False for whole-frame dropouts.
    """
    n = t_s.size
    image = image.copy()
    world = world.copy()
    visibility = _visibility(t_s, image[..., 3].copy(), model, rng)
    _jitter_and_drift(t_s, image, world, visibility, model, rng, width, height)
    image[..., 3] = visibility
    world[..., 3] = visibility

    left, right = _LEG_INDICES[Side.LEFT], _LEG_INDICES[Side.RIGHT]
    for sl in _episodes(t_s, model.swap_rate_hz, model.swap_s, rng):
        for arr in (image, world):
            arr[sl, left + right] = arr[sl, right + left]

    has_pose = np.ones(n, dtype=bool)
    for sl in _episodes(t_s, model.dropout_rate_hz, model.dropout_s, rng):
        has_pose[sl] = False
    return image, world, has_pose


def jitter_knees(
    frames: Sequence[PoseFrame], px: float, size_wh: tuple[int, int], seed: int = 0
) -> list[PoseFrame]:
    """The frames with white jitter of std ``px`` pixels added to both knees'
    image points only: a noisy webcam, where the knee's few pixels of offset
    from the hip-ankle line jitter much more, in degrees, than the long
    heel-toe line (``hiprot.reading.judgements.knee_too_jittery``)."""
    rng = np.random.default_rng(seed)
    scale = np.asarray(size_wh, dtype=np.float64)
    knees = [LEGS[side].knee for side in Side]
    out = []
    for frame in frames:
        if frame.image is not None:
            image = frame.image.copy()
            image[knees, :2] += rng.normal(0.0, px, (len(knees), 2)) / scale
            frame = replace(frame, image=image)
        out.append(frame)
    return out
