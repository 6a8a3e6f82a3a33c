"""How MediaPipe's image landmarks err on the rendered drill: the numbers
behind the synthetic suite's ``realistic`` noise level.

Every rendered clip with a ``*.truth.json`` (``sample_videos/`` and
``benchmarks/render_suite/``, its ``tuning/`` clips included: this
calibrates a measuring stick, it tunes no estimator) goes through
MediaPipe as ``hiprot review`` runs it; each leg landmark's image position
is compared with the truth joint's pixel.

- **jitter**: white frame-to-frame noise, the std of the error's second
  difference over sqrt(6), in still frames (no truth angle changes within
  0.5 s either side).
- **slow error**: the error's 1 s running mean while both legs rest at
  neutral (every truth angle within 2° of 0 for 0.5 s either side, so no
  pose-dependent bias), about its per-clip median (a constant offset is
  absorbed by calibration); its std per landmark, and the part of it that
  is independent between the hip, knee and ankle of both legs (the
  person's common shift removed), which is what bends the angle readings.
  This is what ``NoiseModel.image_drift_px`` models, so the same statistic
  is also taken of the synthetic ``realistic`` noise (noisy minus exact
  landmarks of the tuning seeds at 45°) and printed beside it.
- **knee gain**: how far MediaPipe's knee moves off the hip -> ankle line
  per pixel the true knee moves, fitted separately when the true femur is
  turned in (> +5°) and out (< -5°), for the leg nearer the camera and the
  far leg. A gain below 1 shrinks the reading on that side; no noise level
  models it (synthetic landmarks follow the rotation fully).

    python benchmarks/mediapipe_error.py
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.ndimage import uniform_filter1d

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, RenderedClip, rendered_clips, write_results

from hiprot.landmarks import LEGS, Side
from hiprot.synth import generate
from hiprot.synth.suite import tuning_specs
from hiprot.types import landmark_array

FloatArray = npt.NDArray[np.float64]

JOINTS = ("hip", "knee", "ankle", "heel", "toe")


def _truth_pixels(truth: dict, t_s: FloatArray, side: Side, joint: str) -> FloatArray:
    """``(n_frames, 2)`` truth pixel of a joint at the measured frame times."""
    t_true = np.asarray(truth["frames"]["t"], dtype=float)
    xy = np.asarray(truth["frames"]["pixels"][f"{side.value}_{joint}"], dtype=float)
    return np.stack([np.interp(t_s, t_true, xy[:, i]) for i in range(2)], axis=1)


def _truth_angles(truth: dict, t_s: FloatArray) -> FloatArray:
    """``(n_frames, 4)`` truth femur and twist of both legs at the frame times."""
    t_true = np.asarray(truth["frames"]["t"], dtype=float)
    return np.stack(
        [
            np.interp(t_s, t_true, truth["frames"][side.value][key])
            for side in Side
            for key in ("femur_deg", "twist_deg")
        ],
        axis=1,
    )


def _knee_offset(hip: FloatArray, knee: FloatArray, ankle: FloatArray) -> FloatArray:
    """``(n_frames,)`` signed pixel distance of the knee from the hip -> ankle line."""
    span, arm = ankle - hip, knee - hip
    return (span[:, 0] * arm[:, 1] - span[:, 1] * arm[:, 0]) / np.linalg.norm(span, axis=1)


def _gain(true: FloatArray, measured: FloatArray) -> float | None:
    """Least-squares slope of measured on true, or None with too few frames."""
    if true.size < 10 or np.ptp(true) < 1.0:
        return None
    return float(np.polyfit(true, measured, 1)[0])


def measure(clip: RenderedClip) -> dict[str, object]:
    """One clip's jitter, slow error and knee gains (pixels of its 640x480 frame)."""
    truth = clip.truth
    width, height = clip.size_wh
    frames = [f for f in clip.pose_frames if f.has_pose]
    t_s = np.array([f.t_s for f in frames])
    pixels = landmark_array(frames, "image")[..., :2] * [width, height]
    fps = 1.0 / float(np.median(np.diff(t_s)))
    second = max(round(fps), 1)

    t_true = np.asarray(truth["frames"]["t"], dtype=float)
    angles = _truth_angles(truth, t_s)
    moving = np.abs(np.diff(angles, axis=0, prepend=angles[:1])).sum(axis=1) > 1e-6
    still = uniform_filter1d(moving.astype(float), second + 1) == 0.0
    rest = _rest_mask(angles, second)

    near = Side.LEFT if truth["placement"]["position_body_frame_m"][0] > 0 else Side.RIGHT
    jitter: dict[str, list[float]] = {joint: [] for joint in JOINTS}
    slow: dict[tuple[Side, str], FloatArray] = {}
    gains: dict[str, float | None] = {}
    for side in Side:
        leg = LEGS[side]
        index = dict(zip(JOINTS, (leg.hip, leg.knee, leg.ankle, leg.heel, leg.foot_index)))
        true = {joint: _truth_pixels(truth, t_s, side, joint) for joint in JOINTS}
        for joint in JOINTS:
            error = pixels[:, index[joint]] - true[joint]
            second_diff = error[2:] - 2 * error[1:-1] + error[:-2]
            steady = still[2:] & still[1:-1] & still[:-2]
            jitter[joint].append(float(np.std(second_diff[steady], axis=0).mean() / np.sqrt(6)))
            slow[(side, joint)] = _slow(error, rest, second)
        femur = np.interp(t_s, t_true, truth["frames"][side.value]["femur_deg"])
        true_offset = _knee_offset(true["hip"], true["knee"], true["ankle"])
        seen_offset = _knee_offset(*(pixels[:, index[j]] for j in ("hip", "knee", "ankle")))
        which = "near" if side is near else "far"
        gains[f"{which}_internal"] = _gain(true_offset[femur > 5], seen_offset[femur > 5])
        gains[f"{which}_external"] = _gain(true_offset[femur < -5], seen_offset[femur < -5])

    independent, common = _independent(slow)
    return {
        "fps": fps,
        "still_fraction": float(still.mean()),
        "rest_fraction": float(rest.mean()),
        "jitter_px": {joint: float(np.median(v)) for joint, v in jitter.items()},
        "slow_px": {
            joint: float(np.mean([np.std(slow[(s, joint)], axis=0).mean() for s in Side]))
            for joint in JOINTS
        },
        "slow_independent_px": independent,
        "slow_common_px": common,
        "knee_gain": gains,
    }


def _rest_mask(angles: FloatArray, second: int) -> npt.NDArray[np.bool_]:
    """``(n_frames,)`` True where every truth angle (``(n_frames, k)``, degrees)
    stays within 2° of neutral for half a second either side."""
    away = (np.abs(angles) > 2.0).any(axis=1).astype(float)
    return uniform_filter1d(away, second + 1) == 0.0


def _slow(error: FloatArray, rest: npt.NDArray[np.bool_], second: int) -> FloatArray:
    """``(n_rest, 2)`` 1 s running mean of a ``(n_frames, 2)`` error at the
    rest frames, about its median there."""
    slow = uniform_filter1d(error, second, axis=0)[rest]
    return slow - np.median(slow, axis=0)


def _independent(slow: dict[tuple[Side, str], FloatArray]) -> tuple[float, float]:
    """Std (px, mean of x and y) of hip, knee and ankle slow errors with the
    person's common shift removed, and of that common shift."""
    leg_joints = [key for key in slow if key[1] in ("hip", "knee", "ankle")]
    common = np.mean([slow[key] for key in leg_joints], axis=0)
    independent = np.mean([np.std(slow[key] - common, axis=0).mean() for key in leg_joints])
    return float(independent), float(np.std(common, axis=0).mean())


def synthetic_slow_independent(seeds: int = 8) -> list[float]:
    """The slow-error statistic of ``measure`` taken of the synthetic
    ``realistic`` noise: noisy minus exact image landmarks of the first
    ``seeds`` tuning sessions at 45°, at their neutral rests."""
    specs = [s for s in tuning_specs() if s.placement.startswith("oblique45")][:seeds]
    values = []
    for spec in specs:
        noisy = generate(replace(spec, noise="realistic"))
        exact = {f.index: f for f in generate(replace(spec, noise="none")).frames}
        pairs = [(f, exact[f.index]) for f in noisy.frames if f.has_pose and f.index in exact]
        t_s = np.array([f.t_s for f, _ in pairs])
        size = np.array([spec.width, spec.height])
        error = (
            landmark_array([f for f, _ in pairs], "image")[..., :2]
            - landmark_array([e for _, e in pairs], "image")[..., :2]
        ) * size
        angles = _truth_angles(noisy.truth, t_s)
        second = max(round(spec.fps), 1)
        rest = _rest_mask(angles, second)
        slow = {
            (side, joint): _slow(error[:, idx], rest, second)
            for side in Side
            for joint, idx in (
                ("hip", LEGS[side].hip),
                ("knee", LEGS[side].knee),
                ("ankle", LEGS[side].ankle),
            )
        }
        values.append(_independent(slow)[0])
    return values


def _spread(values: list[float]) -> dict[str, float]:
    v = np.asarray(values, dtype=float)
    return {
        "median": float(np.median(v)),
        "p75": float(np.percentile(v, 75)),
        "min": float(v.min()),
        "max": float(v.max()),
    }


def main() -> None:
    suite = REPO / "benchmarks" / "render_suite"
    clips = {}
    folders = (REPO / "sample_videos", suite, suite / "tuning")
    for clip in rendered_clips(folders):
        clips[clip.video.name] = c = measure(clip)
        print(
            f"{clip.video.name}: jitter knee {c['jitter_px']['knee']:.2f} px, slow knee "
            f"{c['slow_px']['knee']:.2f} px, independent {c['slow_independent_px']:.2f} px, "
            "knee gain "
            + ", ".join(f"{k} {v:.2f}" for k, v in c["knee_gain"].items() if v is not None)
        )
    summary: dict[str, object] = {
        "clips": len(clips),
        "jitter_px": {
            joint: _spread([c["jitter_px"][joint] for c in clips.values()]) for joint in JOINTS
        },
        "slow_px": {
            joint: _spread([c["slow_px"][joint] for c in clips.values()]) for joint in JOINTS
        },
        "slow_independent_px": _spread([c["slow_independent_px"] for c in clips.values()]),
        "slow_common_px": _spread([c["slow_common_px"] for c in clips.values()]),
        "knee_gain": {
            key: _spread([g for c in clips.values() if (g := c["knee_gain"][key]) is not None])
            for key in ("near_internal", "near_external", "far_internal", "far_external")
        },
    }
    print(
        f"{len(clips)} clips: jitter (knee) median "
        f"{summary['jitter_px']['knee']['median']:.2f} px; "
        "slow error independent between joints median "
        f"{summary['slow_independent_px']['median']:.2f} px, p75 "
        f"{summary['slow_independent_px']['p75']:.2f} px; knee gain "
        + ", ".join(
            f"{k} {v['median']:.2f} ({v['min']:.2f}-{v['max']:.2f})"
            for k, v in summary["knee_gain"].items()
        )
    )
    synthetic = synthetic_slow_independent()
    summary["synthetic_realistic_slow_independent_px"] = _spread(synthetic)
    print(
        "the same statistic of the synthetic realistic noise (8 tuning sessions at 45°): "
        f"median {np.median(synthetic):.2f} px ({min(synthetic):.2f}-{max(synthetic):.2f})"
    )
    path = write_results("mediapipe_error", {"summary": summary, "clips": clips})
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
