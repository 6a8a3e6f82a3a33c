"""The wide render suite (benchmarks/render_suite/wide/, issue #22): many
bodies, outfits, lightings, camera distances, heights and angles, and
sessions, combined by sampling rather than as a grid.

Held out: no constant of hiprot is chosen on these clips.

Every clip is one entry of the manifest (``manifest.json``, written by the
``manifest`` step from a fixed seed): body, outfit, lighting, camera
(azimuth, height, distance), script and render samples. Its video is
assembled from the pose cache into ``$HIPROT_RENDER_CACHE/wide/`` (outside
the repository); its truth and landmark recordings go to the repository.

    /work/render-venv/bin/python tools/render/wide.py manifest
    /work/render-venv/bin/python tools/render/wide.py plan [NAME ...]
    nice -n 19 /work/render-venv/bin/python tools/render/wide.py render [NAME ...]
    /work/render-venv/bin/python tools/render/wide.py assemble [NAME ...]
    tools/render/wide_queue.sh [NAME ...]   # render, assemble and extract, clip by clip
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

import numpy as np
from camera import HEIGHTS_M, placement_named, wide_name
from looks import BODIES, LIGHTINGS, OUTFITS
from make_videos import pose_keys, write_clip
from poses import CACHE_DIR, render_jobs
from render_suite import LEVELS
from timeline import LEGS, Frames, Rep, Script, build, leg_summary, rep_truth

REPO = Path(__file__).resolve().parents[2]
OUT_DIR = REPO / "benchmarks" / "render_suite" / "wide"
MANIFEST = OUT_DIR / "manifest.json"
#: Videos stay outside the repository, next to the pose cache.
VIDEO_DIR = CACHE_DIR.parent / "wide"
SEED = 22
CLIP_COUNT = 36
#: Cycles samples and denoiser of the wide suite's renders: as realistic for
#: MediaPipe as 24 samples at a third of the cost (tools/render/README.md,
#: "Render cost").
SAMPLES = 8
DENOISE = "fast"
#: Rendered with the full denoiser, before the fast one was measured.
DENOISE_HIGH = ("w01_fast",)
#: The webcam-degraded copy of every clip: soft and noisy (render_suite.DEGRADATION).
WEBCAM = {"blur_px": 1.5, "noise_sigma": 4.0}
WEBCAM_SUFFIX = "-webcam"



def both() -> Script:
    """6 reps of both legs; rep 3 without a hold."""
    reps = [
        Rep(-35, 30, rest_s=0.8),
        Rep(-32.5, 27.5, rest_s=0.8),
        Rep(-35, 30, hold_s=0.0, rest_s=0.8),
        Rep(-30, 30, rest_s=0.8),
        Rep(-35, 27.5, rest_s=0.8),
        Rep(-32.5, 30, rest_s=0.8),
    ]
    return Script(legs=LEGS, reps=reps, levels=LEVELS)


def left_only() -> Script:
    """5 reps of the left leg (the near one for every camera here), the right
    still on the wall; rep 4 without a hold."""
    reps = [Rep(-35, 30), Rep(-32.5, 27.5), Rep(-30, 30), Rep(-35, 30, hold_s=0.0), Rep(-30, 27.5)]
    return Script(legs=("left",), reps=reps, levels=LEVELS)


def right_only() -> Script:
    """5 reps of the right leg (the far one), the left still; rep 2 without a hold."""
    reps = [Rep(-35, 30), Rep(-30, 27.5, hold_s=0.0), Rep(-35, 30), Rep(-32.5, 30), Rep(-30, 27.5)]
    return Script(legs=("right",), reps=reps, levels=LEVELS)


def partial() -> Script:
    """6 small reps of both legs (-20..+15), the right leg at 80% of that."""
    reps = [
        Rep(-20, 15, rest_s=0.8),
        Rep(-17.5, 15, rest_s=0.8),
        Rep(-20, 12.5, hold_s=0.0, rest_s=0.8),
        Rep(-20, 15, rest_s=0.8),
        Rep(-17.5, 12.5, rest_s=0.8),
        Rep(-20, 15, rest_s=0.8),
    ]
    return Script(legs=LEGS, reps=reps, levels=LEVELS, gain={"right": 0.8})


def fast() -> Script:
    """7 quick reps of both legs (in 0.7 s, back in 0.6 s: not controlled),
    held 1.2 s except reps 3 and 6."""
    quick = {"out_s": 0.6, "pause_s": 0.1, "inward_s": 0.7, "back_s": 0.6, "rest_s": 0.5}
    holds = [1.2, 1.2, 0.0, 1.2, 1.2, 0.0, 1.2]
    reps = [Rep(-32.5, 27.5, hold_s=h, **quick) for h in holds]
    return Script(legs=LEGS, reps=reps, levels=LEVELS)


def holds() -> Script:
    """6 reps of both legs with holds clear of the 1 s rule (0 and 2 s) and
    close to it (0.3-0.5 s scripted: the slow arrival and departure add
    about half a second, timeline.hold_seconds)."""
    scripted = [2.0, 0.0, 0.45, 0.3, 2.0, 0.5]
    reps = [Rep(-32.5, 30, hold_s=h, rest_s=0.8) for h in scripted]
    return Script(legs=LEGS, reps=reps, levels=LEVELS, gain={"left": 0.9})


def compensated() -> Script:
    """6 reps of both legs: 2 from the hips, 2 compensated (60% of the swing
    from the ankles), 2 all from the ankles (femurs still)."""
    reps = [
        Rep(-32.5, 30, rest_s=0.8),
        Rep(-32.5, 30, ankle_share=0.6, rest_s=0.8),
        Rep(-30, 30, hold_s=0.0, from_ankles=True, rest_s=0.8),
        Rep(-35, 27.5, rest_s=0.8),
        Rep(-35, 30, ankle_share=0.6, rest_s=0.8),
        Rep(-30, 30, hold_s=0.0, from_ankles=True, rest_s=0.8),
    ]
    return Script(legs=LEGS, reps=reps, levels=LEVELS)


def lowering(a: float, b: float, seconds: float, fps: float) -> np.ndarray:
    """pose.LegAngles.lower_deg easing from a to b, on a 5 deg grid (few poses)."""
    from timeline import ease, frame_count

    return np.round(ease(a, b, frame_count(seconds, fps)) / 5.0) * 5.0


def enter_exit() -> tuple[Script, Frames]:
    """Issue #21: getting into the position and leaving it. Both legs start
    tipped 50 deg towards the head (feet off the wall), come down onto the
    wall, do 3 drill reps, then tip back and stay there. True count: 3."""
    script = Script(
        legs=LEGS,
        reps=[Rep(-32.5, 30, rest_s=0.8), Rep(-35, 27.5, rest_s=0.8), Rep(-32.5, 30, rest_s=0.8)],
        levels=LEVELS,
    )
    drill_frames = build(script)
    fps = script.fps
    tipped = -50.0
    before = np.concatenate([np.full(round(2 * fps), tipped), lowering(tipped, 0.0, 2.5, fps)])
    after = np.concatenate([lowering(0.0, tipped, 2.5, fps), np.full(round(3 * fps), tipped)])
    return script, splice(drill_frames, before, after, fps)


def leg_raise() -> tuple[Script, Frames]:
    """Issue #21 negative: 5 straight-leg raises of both legs through vertical
    in a room without the wall (knees at the drill's 15 deg), no femur
    rotation. True count: 0."""
    script = Script(legs=LEGS, reps=[], levels=LEVELS, lead_in_s=0.0, tail_s=0.0)
    fps, low, high = script.fps, 75.0, -15.0
    one = np.concatenate(
        [
            lowering(low, high, 2.0, fps),
            np.full(round(0.5 * fps), high),
            lowering(high, low, 2.0, fps),
            np.full(round(0.8 * fps), low),
        ]
    )
    lower = np.concatenate([np.full(round(2 * fps), low), *[one] * 5])
    zeros = np.zeros(len(lower))
    frames = Frames(
        np.arange(len(lower)) / fps,
        {leg: zeros.copy() for leg in LEGS},
        {leg: zeros.copy() for leg in LEGS},
        [],
        {leg: lower.copy() for leg in LEGS},
    )
    return script, frames


def splice(frames: Frames, before: np.ndarray, after: np.ndarray, fps: float) -> Frames:
    """Frames with lower_deg segments before and after a drill set (angles 0 there)."""
    n0, n1 = len(before), len(after)
    total = n0 + len(frames.t) + n1

    def pad(a: np.ndarray) -> np.ndarray:
        return np.concatenate([np.zeros(n0), a, np.zeros(n1)])

    lower = np.concatenate([before, np.zeros(len(frames.t)), after])
    spans = [(leg, i, first + n0, end + n0, rep) for leg, i, first, end, rep in frames.spans]
    return Frames(
        np.arange(total) / fps,
        {leg: pad(frames.femur[leg]) for leg in LEGS},
        {leg: pad(frames.twist[leg]) for leg in LEGS},
        spans,
        {leg: lower.copy() for leg in LEGS},
    )


#: Issue #21's rendered negatives (name -> (frames maker, look, placement)):
#: entering and leaving the position, and a leg raise.
NEGATIVES = {
    "n01_enter_exit": (enter_exit, "base.barefoot.lamp", "a45-chair-d2.5"),
    "n02_leg_raise": (leg_raise, "heavy_f.dark.lamp-nowall", "a45-chair-d2.5"),
}


SCRIPTS = {
    "both": both,
    "left": left_only,
    "right": right_only,
    "partial": partial,
    "fast": fast,
    "holds": holds,
    "compensated": compensated,
}
#: 45 deg (the recommended placements) twice as often as 30 and 60.
AZIMUTHS = (30.0, 45.0, 45.0, 60.0)
DISTANCES_M = (2.0, 3.0, 4.0)


def balanced(levels, n: int, rng: random.Random) -> list:
    """n draws in which every level appears equally often (to within one),
    in random order: combinations are sampled, each factor stays balanced."""
    out = (list(levels) * (n // len(levels) + 1))[:n]
    rng.shuffle(out)
    return out


def make_manifest(count: int = CLIP_COUNT, seed: int = SEED) -> dict:
    """The sampled clips, each factor balanced on its own."""
    rng = random.Random(seed)
    factors = {
        "body": balanced(BODIES, count, rng),
        "outfit": balanced(OUTFITS, count, rng),
        "lighting": balanced(LIGHTINGS, count, rng),
        "azimuth_deg": balanced(AZIMUTHS, count, rng),
        "height": balanced(HEIGHTS_M, count, rng),
        "distance_m": balanced(DISTANCES_M, count, rng),
        "script": balanced(SCRIPTS, count, rng),
    }
    clips = []
    for i in range(count):
        c = {k: v[i] for k, v in factors.items()}
        name = f"w{i + 1:02d}_{c['script']}"
        placement = wide_name(c["azimuth_deg"], c["height"], c["distance_m"])
        clips.append(
            {
                "name": name,
                **c,
                "height_m": HEIGHTS_M[c["height"]],
                "look": f"{c['body']}.{c['outfit']}.{c['lighting']}",
                "placement": placement,
                "samples": SAMPLES,
                "denoise": "high" if name in DENOISE_HIGH else DENOISE,
                "webcam_copy": name + WEBCAM_SUFFIX,
            }
        )
    negatives = [
        {
            "name": name,
            "script": make.__name__,
            "look": look,
            "placement": placement,
            "samples": SAMPLES,
            "denoise": DENOISE,
            "webcam_copy": name + WEBCAM_SUFFIX,
            "negative": True,
        }
        for name, (make, look, placement) in NEGATIVES.items()
    ]
    return {
        "format": "hiprot-render-manifest",
        "version": 1,
        "seed": seed,
        "held_out": True,
        "fps": 15.0,
        "webcam_degradation": WEBCAM,
        "clips": clips,
        "negatives": negatives,
    }


def read_manifest() -> dict:
    """The committed manifest."""
    return json.loads(MANIFEST.read_text())


def entry(name: str) -> dict:
    """A clip's manifest entry (the webcam copy names its clip)."""
    base = name.removesuffix(WEBCAM_SUFFIX)
    manifest = read_manifest()
    for c in manifest["clips"] + manifest["negatives"]:
        if c["name"] == base:
            return c
    raise KeyError(f"{name}: not in {MANIFEST}")


def script_frames(c: dict) -> tuple:
    """(script, frames or None) of a manifest entry: negatives bring their own frames."""
    if c.get("negative"):
        return NEGATIVES[c["name"]][0]()
    return SCRIPTS[c["script"]](), None


def clip_keys(c: dict) -> tuple:
    """(script, frames, keys) of a manifest entry."""
    script, frames = script_frames(c)
    quality = (c["samples"], frames, c.get("denoise", "high"))
    return (script, *pose_keys(script, c["placement"], c["look"], *quality))


def in_frame(c: dict) -> float:
    """Share of the neutral body's skin vertices inside the image."""
    from body import load_body_cached
    from camera import HEIGHT, WIDTH
    from looks import body_for, look_named
    from pose import build_neutral, skin

    body = body_for(look_named(c["look"]), load_body_cached())
    verts = skin(body, build_neutral(body).world)
    px = placement_named(c["placement"]).project(verts)
    inside = (px[:, 0] >= 0) & (px[:, 0] < WIDTH) & (px[:, 1] >= 0) & (px[:, 1] < HEIGHT)
    return float(inside.mean())


def assemble(c: dict) -> None:
    """The clean and webcam videos into VIDEO_DIR, the truth into the repository."""
    script, frames = script_frames(c)
    docs = {}
    for name, degradation in ((c["name"], {}), (c["webcam_copy"], WEBCAM)):
        quality = (c["samples"], frames, c.get("denoise", "high"))
        docs[name] = write_clip(
            name, script, c["placement"], c["look"], VIDEO_DIR, *quality, **degradation
        )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    doc = {**docs[c["name"]], "manifest": c}
    (OUT_DIR / f"{c['name']}.truth.json").write_text(json.dumps(doc, separators=(",", ":")))
    for name in docs:  # the videos' own truth files are the same: keep one copy
        (VIDEO_DIR / f"{name}.truth.json").unlink(missing_ok=True)
    counts = {leg: v["reps"] for leg, v in doc["legs"].items()}
    print(f"{c['name']}: truth written, reps {counts}", flush=True)


def retruth(c: dict) -> None:
    """Re-derive a committed truth's reps and per-leg counts from its script
    (the frames, pixels and videos are unchanged; no render needed)."""
    path = OUT_DIR / f"{c['name']}.truth.json"
    script, frames = script_frames(c)
    frames = frames or build(script)
    doc = json.loads(path.read_text())
    reps = rep_truth(frames, script.fps)
    if reps == doc["reps"]:
        return
    doc["reps"], doc["legs"] = reps, leg_summary(reps)
    path.write_text(json.dumps(doc, separators=(",", ":")))
    counts = {leg: v["reps"] for leg, v in doc["legs"].items()}
    print(f"{c['name']}: truth re-derived, reps {counts}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("manifest", "plan", "render", "assemble", "truth"))
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    if args.step == "manifest":
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        MANIFEST.write_text(json.dumps(make_manifest(), indent=1) + "\n")
        print(f"wrote {MANIFEST}")
        return
    manifest = read_manifest()
    everything = manifest["clips"] + manifest["negatives"]
    clips = [c for c in everything if not args.names or c["name"] in args.names]
    if args.step == "truth":
        for c in clips:
            retruth(c)
        return
    total = set()
    for c in clips:
        _, _, keys = clip_keys(c)
        if args.step == "plan":
            todo = {k for k in keys if not k.png.exists()}
            total |= todo
            print(
                f"{c['name']}: {c['look']} @ {c['placement']}: {len(keys)} frames, "
                f"{len(set(keys))} distinct poses, {len(todo)} to render, "
                f"{in_frame(c):.0%} of the body in frame"
            )
        elif args.step == "render":
            render_jobs(keys)
        else:
            assemble(c)
    if args.step == "plan":
        print(f"total to render: {len(total)}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
