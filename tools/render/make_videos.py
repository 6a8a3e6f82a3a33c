"""Build the sample videos and their truth files from the render cache.

Two steps, both idempotent:
    nice -n 19 /work/render-venv/bin/python tools/render/make_videos.py render
        renders every distinct (quantised) pose the scripts need, once;
    /work/render-venv/bin/python tools/render/make_videos.py assemble
        writes sample_videos/NAME.mp4 and NAME.truth.json from the cache.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
from camera import placement_named
from pose import LANDMARKS
from poses import PoseKey, render_jobs
from timeline import LEGS, SCRIPTS, build, leg_summary, rep_truth

#: Chosen in docs/placements.md.
RECOMMENDED_PLACEMENT = "oblique45_raised"
LOOK = "default"
OUT_DIR = Path(__file__).resolve().parents[2] / "sample_videos"
#: OpenCV's pip wheel has no H.264 encoder here; MPEG-4 Part 2 it is.
FOURCC = "mp4v"
#: Webcam-like degradation: per-frame sensor noise (grey levels) and a slow
#: auto-exposure drift. A per-frame brightness flicker would change every
#: pixel of every frame and triple the file size for no realism gained.
NOISE_SIGMA = 2.0
EXPOSURE_DRIFT = 0.03
EXPOSURE_PERIOD_S = 9.0
SEED = 7
LANDMARK_NAMES = [f"{leg}_{part}" for leg in LEGS for part in LANDMARKS]


def pose_keys(
    script, placement: str, look: str, samples: int = 0, frames=None, denoise: str = "high"
) -> tuple:
    """The script's frames (or the frames given) and the cache key of every frame
    (``samples``, ``denoise``: the render quality, poses.PoseKey)."""
    frames = frames or build(script)

    def angles(leg: str, i: int) -> tuple:
        pair = (frames.femur[leg][i], frames.twist[leg][i])
        return (*pair, frames.lower[leg][i]) if frames.lower else pair

    keys = [
        PoseKey.make(placement, look, angles("left", i), angles("right", i), samples, denoise)
        for i in range(len(frames.t))
    ]
    return frames, keys


def frame_keys(name: str) -> tuple:
    """A sample video's script, frames and the cache key of every frame."""
    script = SCRIPTS[name]()
    return (script, *pose_keys(script, RECOMMENDED_PLACEMENT, LOOK))


def degrade(
    image: np.ndarray,
    t: float,
    rng: np.random.Generator,
    noise_sigma: float = NOISE_SIGMA,
    blur_px: float = 0.0,
) -> np.ndarray:
    """Blur (a soft or defocused webcam, Gaussian sigma in pixels), then add
    sensor noise and the slow exposure drift at time t."""
    if blur_px > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur_px)
    gain = 1.0 + EXPOSURE_DRIFT * np.sin(2 * np.pi * t / EXPOSURE_PERIOD_S)
    noisy = image.astype(np.float32) * gain + rng.normal(0.0, noise_sigma, image.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def truth_document(
    script,
    frames,
    keys: list,
    truths: dict,
    placement: str = RECOMMENDED_PLACEMENT,
    look: str = LOOK,
) -> dict:
    """The NAME.truth.json content (format hiprot-render-truth v1)."""
    reps = rep_truth(frames, script.fps)
    pixels = {n: [truths[k]["pixels"][n] for k in keys] for n in LANDMARK_NAMES}
    hips = truths[keys[0]]["world_m"]
    hip_mid_y = (hips["left_hip"][1] + hips["right_hip"][1]) / 2
    return {
        "format": "hiprot-render-truth",
        "version": 1,
        "placement": placement_named(placement).describe(hip_mid_y),
        "look": look,
        "fps": script.fps,
        "duration_s": round(len(keys) / script.fps, 3),
        "frames": {
            "t": [round(float(t), 4) for t in frames.t],
            **{
                leg: {
                    "femur_deg": frames.femur[leg].tolist(),
                    "twist_deg": frames.twist[leg].tolist(),
                    **({"lower_deg": frames.lower[leg].tolist()} if frames.lower else {}),
                }
                for leg in LEGS
            },
            "pixels": pixels,
        },
        "reps": reps,
        "legs": leg_summary(reps),
    }


def write_clip(
    name: str,
    script,
    placement: str,
    look: str,
    out_dir: Path,
    samples: int = 0,
    frames=None,
    denoise: str = "high",
    **degradation: float,
) -> dict:
    """Write NAME.mp4 and NAME.truth.json from cached renders; returns the truth.

    ``samples``, ``denoise``: the renders' quality (poses.PoseKey); ``frames``:
    timeline.Frames to use instead of building ``script``'s;
    ``degradation``: ``noise_sigma`` and ``blur_px`` for ``degrade``."""
    frames, keys = pose_keys(script, placement, look, samples, frames, denoise)
    missing = [k.stem for k in set(keys) if not k.truth.exists()]
    if missing:
        raise SystemExit(
            f"{name}: {len(missing)} poses not rendered yet, e.g. {missing[0]}: run 'render' first"
        )
    images = {k: cv2.imread(str(k.png)) for k in set(keys)}
    truths = {k: json.loads(k.truth.read_text()) for k in set(keys)}
    out_dir.mkdir(parents=True, exist_ok=True)
    video = out_dir / f"{name}.mp4"
    h, w = next(iter(images.values())).shape[:2]
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*FOURCC), script.fps, (w, h))
    rng = np.random.default_rng(SEED)
    for key, t in zip(keys, frames.t):
        writer.write(degrade(images[key], t, rng, **degradation))
    writer.release()
    doc = truth_document(script, frames, keys, truths, placement, look)
    (out_dir / f"{name}.truth.json").write_text(json.dumps(doc, separators=(",", ":")))
    print(
        f"{video.name}: {len(keys)} frames, {len(keys) / script.fps:.1f} s, "
        f"{video.stat().st_size / 1e6:.2f} MB, {len(set(keys))} distinct poses"
    )
    return doc


def assemble(name: str) -> None:
    """Write a sample video and its truth from cached renders."""
    write_clip(name, SCRIPTS[name](), RECOMMENDED_PLACEMENT, LOOK, OUT_DIR)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("render", "assemble"))
    parser.add_argument("names", nargs="*", default=list(SCRIPTS))
    args = parser.parse_args()
    for name in args.names:
        if args.step == "render":
            render_jobs(frame_keys(name)[2])
        else:
            assemble(name)


if __name__ == "__main__":
    main()
