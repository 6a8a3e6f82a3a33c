"""Angle accuracy against truth, per camera placement, and the live filter's lag.

- Synthetic landmark suite (``hiprot.synth.suite.reporting_specs()``): femur
  rotation and ankle twist error of the review analysis (auto-neutral,
  zero-phase smoothing) per placement and noise level.
- Rendered pixel suite: every ``*.mp4`` with a ``*.truth.json`` beside it in
  ``sample_videos/`` and ``benchmarks/render_suite/`` (and in folders given
  on the command line; not the ``tuning/`` clips the estimator was tuned on)
  runs through MediaPipe and the same analysis, per video and pooled per
  camera placement, over the legs that do reps.
- Live filter lag: the live smoothing (``SpikeFilter`` of
  ``hiprot.reading.live.LIVE_SPIKE_SAMPLES`` frames, then the One Euro filter of
  ``LIVE_FILTER``) on synthetic drill angles, as the delay that best aligns
  it with the truth.

    python benchmarks/accuracy_angles.py [RENDER_DIR ...]
"""

from __future__ import annotations

import sys
import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, errors, rendered_clips, stats, write_results

from hiprot.reading.filters import SpikeFilter, one_euro
from hiprot.reading.live import LIVE_FILTER, LIVE_SPIKE_SAMPLES
from hiprot.reading.series import ESTIMATORS, AngleSeries
from hiprot.review import review_pose_frames
from hiprot.synth import generate
from hiprot.synth.suite import reporting_specs
from hiprot.types import PoseFrame


def analysed(
    pose_frames: Sequence[PoseFrame], size_wh: tuple[int, int], estimator: str, mode: str
) -> AngleSeries:
    """The review analysis' angles: smoothed, relative to the auto-neutral
    (re-taken from the rests between reps, as ``hiprot review`` does)."""
    return review_pose_frames(
        pose_frames, "benchmark", mode, size_wh=size_wh, estimator=estimator
    ).series


def synthetic_suite(estimator: str) -> dict[str, dict]:
    pooled: dict[tuple[str, str], dict[str, list[np.ndarray]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for spec in reporting_specs():
        session = generate(spec)
        legs = [leg for leg in ("left", "right") if leg in session.truth["legs"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            series = analysed(session.frames, (spec.width, spec.height), estimator, spec.mode)
        err = errors(series, session.truth["frames"], legs)
        for key in ((spec.placement, spec.noise), ("all", spec.noise)):
            for name, values in err.items():
                pooled[key][name].append(values)
    return {
        f"{placement}/{noise}": {name: stats(np.concatenate(v)) for name, v in d.items()}
        for (placement, noise), d in sorted(pooled.items())
    }


def rendered_suite(folders: Sequence[Path]) -> dict[str, dict]:
    """Both estimators on every rendered video with truth (MediaPipe runs once per video)."""
    results: dict[str, dict] = {}
    pooled: dict[str, dict[str, list[np.ndarray]]] = defaultdict(lambda: defaultdict(list))
    for clip in rendered_clips(folders):
        pose_frames = clip.pose_frames
        detected = sum(p.has_pose for p in pose_frames) / max(len(pose_frames), 1)
        legs = clip.worked_legs
        if not legs:  # nothing to measure the angles against
            continue
        mode = "both" if len(legs) == 2 else legs[0]
        placement = clip.truth.get("placement", {}).get("name")
        for estimator in ESTIMATORS:
            series = analysed(pose_frames, clip.size_wh, estimator, mode)
            err = errors(series, clip.truth["frames"], legs)
            results[f"{clip.video.name}/{estimator}"] = {
                "placement": placement,
                "detection_rate": detected,
                **{name: stats(v) for name, v in err.items()},
            }
            for name, values in err.items():
                pooled[f"placement {placement}/{estimator}"][name].append(values)
    for key, d in sorted(pooled.items()):
        results[key] = {name: stats(np.concatenate(v)) for name, v in d.items()}
    return results


def live_filter_lag_ms() -> dict[str, float]:
    """Delay (ms) of the live smoothing on noisy synthetic drill angles."""
    session = generate(reporting_specs()[0])
    truth = session.truth["frames"]
    t = np.asarray(truth["t"])
    clean = np.asarray(truth["left"]["foot_deg"])
    noisy = clean + np.random.default_rng(0).normal(0.0, 2.0, clean.shape)
    spikes = SpikeFilter(LIVE_SPIKE_SAMPLES)
    despiked = np.stack([spikes(value) for value in noisy[:, None]])
    filtered = one_euro(t, despiked, **LIVE_FILTER)[:, 0]
    grid = np.arange(t[0], t[-1], 0.001)
    f = np.interp(grid, t, filtered)
    c = np.interp(grid, t, clean)
    shifts = np.arange(0, 400)  # ms
    mse = [np.mean((f[s:] - c[: len(c) - s]) ** 2) for s in shifts]
    return {
        "lag_ms": float(shifts[int(np.argmin(mse))]),
        "jitter_in_deg": 2.0,
        "residual_rms_deg": float(np.sqrt(min(mse))),
    }


def main() -> None:
    folders = [
        REPO / "sample_videos",
        REPO / "benchmarks" / "render_suite",
        *(Path(a) for a in sys.argv[1:]),
    ]
    results = {
        "synthetic": {estimator: synthetic_suite(estimator) for estimator in ESTIMATORS},
        "rendered": rendered_suite(folders),
        "live_filter": live_filter_lag_ms(),
    }
    for estimator, suite in results["synthetic"].items():
        print(
            f"synthetic, {estimator} estimator (auto-neutral), "
            "femur / twist MAE and p95 in degrees:"
        )
        for key, r in suite.items():
            print(
                f"  {key:32} femur {r['femur']['mae_deg']:5.1f} / {r['femur']['p95_deg']:5.1f}"
                f"   twist {r['twist']['mae_deg']:5.1f} / {r['twist']['p95_deg']:5.1f}"
            )
    print("rendered videos:")
    for key, r in results["rendered"].items():
        detected = f"detected {r['detection_rate']:.0%}" if "detection_rate" in r else " " * 13
        print(
            f"  {key:40} {detected}  femur {r['femur']['mae_deg']:.1f} / "
            f"{r['femur']['p95_deg']:.1f}   twist {r['twist']['mae_deg']:.1f} / "
            f"{r['twist']['p95_deg']:.1f}"
        )
    lag = results["live_filter"]
    print(
        f"live filter lag {lag['lag_ms']:.0f} ms (residual {lag['residual_rms_deg']:.1f} deg rms)"
    )
    path = write_results("accuracy_angles", results)
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
