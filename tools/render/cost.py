"""Render cost per frame and what cheaper renders do to MediaPipe.

Renders a few drill poses with several render settings (Cycles samples with
the denoiser, tile size, EEVEE) into $HIPROT_RENDER_CACHE/cost/VARIANT/, and
times each frame; then (hiprot venv) runs MediaPipe on every variant and
compares its landmark pixel error with the full-quality render's on the same
poses, so a cheaper setting is only used where MediaPipe sees the same thing.

    nice -n 19 /work/render-venv/bin/python tools/render/cost.py render [VARIANT ...]
    .venv/bin/python tools/render/cost.py compare > /tmp/render_cost.md
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from poses import CACHE_DIR, PoseKey

COST_DIR = CACHE_DIR.parent / "cost"
#: name -> scene.render settings applied over scene.py's defaults.
VARIANTS = {
    "cycles24": {"engine": "CYCLES", "samples": 24},  # scene.py's default: the reference
    "cycles8": {"engine": "CYCLES", "samples": 8},
    "cycles4": {"engine": "CYCLES", "samples": 4},
    "cycles8_tile64": {"engine": "CYCLES", "samples": 8, "tile": 64},
    "eevee": {"engine": "BLENDER_EEVEE", "samples": 8},
    # keep the scene's render data between frames (only the body moves)
    "cycles8_persistent": {"engine": "CYCLES", "samples": 8, "persistent": True},
    "cycles8_bounces1": {"engine": "CYCLES", "samples": 8, "bounces": 1},
    "cycles8_nodenoise": {"engine": "CYCLES", "samples": 8, "denoise": False},
    # OpenImageDenoise's fast quality and prefilter (Blender 4.1+)
    "cycles8_fastdenoise": {"engine": "CYCLES", "samples": 8, "denoise_quality": "FAST"},
    "cycles4_fastdenoise": {"engine": "CYCLES", "samples": 4, "denoise_quality": "FAST"},
}
#: Both legs at these (theta, phi): the range of a rep plus the ankle-only pose.
POSES = ((-35.0, 0.0), (-17.5, 0.0), (0.0, 0.0), (15.0, 0.0), (30.0, 0.0), (0.0, 30.0))
PLACEMENT, LOOK = "oblique45_raised", "default"


def apply_variant(scene, settings: dict) -> None:
    """Switch the built scene to one variant's render settings."""
    scene.render.engine = settings["engine"]
    if settings["engine"] == "CYCLES":
        scene.cycles.samples = settings["samples"]
        scene.cycles.use_denoising = settings.get("denoise", True)
        scene.cycles.denoising_quality = settings.get("denoise_quality", "HIGH")
        scene.cycles.denoising_prefilter = (
            "FAST" if settings.get("denoise_quality") == "FAST" else "ACCURATE"
        )
        scene.render.use_persistent_data = settings.get("persistent", False)
        scene.cycles.max_bounces = settings.get("bounces", 3)
        if "tile" in settings:
            scene.cycles.use_auto_tile = True
            scene.cycles.tile_size = settings["tile"]
    else:
        scene.eevee.taa_render_samples = settings["samples"]


def render(names: list[str], count: int = len(POSES)) -> None:
    """Render the poses with each variant, timing every frame."""
    from body import load_body_cached
    from camera import PLACEMENTS
    from looks import LOOKS, body_for
    from pose import LegAngles, build_neutral, landmarks, pose_world, skin, wall_y
    from scene import BodyScene

    look = LOOKS[LOOK]
    body = body_for(look, load_body_cached())
    neutral = build_neutral(body)
    scene = BodyScene(body, look, wall_y(body, neutral))
    placement = PLACEMENTS[PLACEMENT]
    for name in names:
        out = COST_DIR / name
        out.mkdir(parents=True, exist_ok=True)
        try:
            apply_variant(scene.scene, VARIANTS[name])
        except Exception as exc:  # an engine may be missing here
            print(f"{name}: cannot switch: {exc}", flush=True)
            continue
        times = []
        for pair in POSES[:count]:
            key = PoseKey.make(PLACEMENT, LOOK, pair, pair)
            world = pose_world(body, neutral, {s: LegAngles(*pair) for s in ("left", "right")})
            verts = skin(body, world)
            png = out / f"{key.stem}.png"
            # CPU seconds of the whole process (all render threads): unlike
            # wall time, not inflated when the shared machine is busy
            start, cpu = time.time(), time.process_time()
            try:
                scene.render(verts, placement, png)
            except Exception as exc:
                print(f"{name}: render failed: {exc}", flush=True)
                break
            times.append(time.process_time() - cpu)
            wall = time.time() - start
            points = landmarks(body, neutral, world, verts)
            pixels = {n: placement.project(p).round(2).tolist() for n, p in points.items()}
            png.with_suffix(".json").write_text(
                json.dumps(
                    {"pixels": pixels, "cpu_s": round(times[-1], 2), "wall_s": round(wall, 2)}
                )
            )
            print(f"{name} {key.stem}: {times[-1]:.1f} CPU s, {wall:.1f} s wall", flush=True)
        if times:
            print(f"{name}: median {statistics.median(times):.1f} CPU s over {len(times)} frames")


def compare() -> None:
    """MediaPipe's pixel error per variant and its landmark shift from the
    full-quality render (cycles24) on the same poses. ``cycles24+noise`` is
    cycles24 with the videos' own sensor noise added (make_videos.degrade):
    how far MediaPipe moves for a change of pixels that means nothing."""
    import cv2
    import numpy as np
    from detect import MP_INDEX, detect, make_pose, pixel_errors
    from make_videos import degrade

    legs = list(MP_INDEX.values())
    rows = {}
    with make_pose() as pose:
        for name in [*VARIANTS, "cycles24+noise"]:
            noisy = name.endswith("+noise")
            pngs = sorted((COST_DIR / name.removesuffix("+noise")).glob("*.png"))
            if not pngs:
                continue
            errs, found_all, times = {}, {}, []
            rng = np.random.default_rng(0)
            for png in pngs:
                truth = json.loads(png.with_suffix(".json").read_text())
                if "cpu_s" in truth:  # frames timed on the wall clock only are left out
                    times.append(truth["cpu_s"])
                image = cv2.imread(str(png))
                if noisy:
                    image = degrade(image, 0.0, rng)
                found = detect(pose, image)
                if found is None:
                    continue
                found_all[png.name] = found
                errs[png.name] = pixel_errors(found, truth["pixels"])
            rows[name] = (pngs, errs, found_all, times)
    ref = rows.get("cycles24")
    print(
        "| variant | median CPU s/frame (frames timed) | detected | median px error (legs) "
        "| shift vs cycles24: median / max px (landmark) |"
    )
    print("|---|---|---|---|---|")
    names = list(MP_INDEX)
    for name, (pngs, errs, found_all, times) in rows.items():
        noisy = name.endswith("+noise")
        all_err = [v for e in errs.values() for v in e.values()]
        delta = "-"
        if ref and name != "cycles24":
            shifts = np.array(
                [
                    np.hypot(*(found_all[n][legs, :2] - ref[2][n][legs, :2]).T)
                    for n in found_all
                    if n in ref[2]
                ]
            )
            if shifts.size:
                worst = names[int(np.argmax(shifts.max(axis=0)))]
                delta = f"{np.median(shifts):.1f} / {shifts.max():.1f} ({worst})"
        cpu = f"{statistics.median(times):.1f} ({len(times)})" if times and not noisy else "-"
        print(
            f"| {name} | {cpu} | {len(errs)}/{len(pngs)} | "
            f"{statistics.median(all_err) if all_err else float('nan'):.1f} | {delta} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("render", "compare"))
    parser.add_argument("names", nargs="*", default=list(VARIANTS))
    parser.add_argument("--poses", type=int, default=len(POSES), help="render the first N poses")
    args = parser.parse_args()
    render(args.names, args.poses) if args.step == "render" else compare()
