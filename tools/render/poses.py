"""Render-once cache of drill poses: names, truth sidecars, rendering.

A pose is (placement, look, left theta/phi, right theta/phi) with the angles
quantised, so a video assembles its frames from renders shared with every
other video that passes through the same pose. Each PNG gets a JSON sidecar
with its truth angles and the projected truth pixels of the landmarks.

Run with the render venv (bpy):
    nice -n 19 /work/render-venv/bin/python tools/render/poses.py JOBS.jsonl
where each line of JOBS.jsonl is {"placement": .., "look": .., "left": [theta, phi],
"right": [theta, phi]}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: Angles are rendered on this grid; truth reports the rendered (quantised) value.
QUANT_DEG = 2.5
#: Per-pose PNG + JSON cache, outside the repository.
CACHE_DIR = Path(os.environ.get("HIPROT_RENDER_CACHE", "/work/render-cache")) / "poses"
#: One line per finished render, so an interrupted run leaves a usable record.
LOG_NAME = "render-log.jsonl"
#: scene.SAMPLES, repeated here so keys can be made without bpy.
DEFAULT_SAMPLES = 24


def quantise(angle: float) -> float:
    """Snap an angle to the render grid."""
    return round(angle / QUANT_DEG) * QUANT_DEG


def quantise_pair(pair) -> tuple:
    """(theta, phi) or (theta, phi, lower) snapped to the render grid; a
    zero ``lower`` is dropped so drill poses keep their two-angle names."""
    snapped = tuple(quantise(a) for a in pair)
    return snapped[:2] if len(snapped) < 3 or snapped[2] == 0 else snapped


def format_pair(pair: tuple) -> str:
    """(theta, phi[, lower]) as a fixed-width signed string for file names."""
    return "".join(f"{a:+05.1f}" for a in pair)


@dataclass(frozen=True)
class PoseKey:
    """Identifies one render."""

    placement: str
    look: str
    left: tuple  # (theta, phi[, lower]), quantised degrees
    right: tuple
    #: Cycles samples per pixel (scene.SAMPLES unless a job asks for fewer).
    samples: int = DEFAULT_SAMPLES
    #: OpenImageDenoise quality and prefilter: "high" (Blender's default) or "fast".
    denoise: str = "high"

    @staticmethod
    def make(
        placement: str, look: str, left, right, samples: int = 0, denoise: str = "high"
    ) -> PoseKey:
        """Build a key, quantising the angles."""
        return PoseKey(
            placement,
            look,
            quantise_pair(left),
            quantise_pair(right),
            samples or DEFAULT_SAMPLES,
            denoise,
        )

    @property
    def stem(self) -> str:
        """File name stem, e.g. oblique45_floor-default-L+30.0+0.0-R-35.0+0.0;
        renders with other than the default samples end in -sN, with the
        fast denoiser in -sNf."""
        custom = self.samples != DEFAULT_SAMPLES or self.denoise != "high"
        fast = "f" if self.denoise == "fast" else ""
        quality = f"-s{self.samples}{fast}" if custom else ""
        return (
            f"{self.placement}-{self.look}-L{format_pair(self.left)}"
            f"-R{format_pair(self.right)}{quality}"
        )

    @property
    def png(self) -> Path:
        """The cached render."""
        return CACHE_DIR / f"{self.stem}.png"

    @property
    def truth(self) -> Path:
        """The render's truth sidecar (angles, camera, landmark pixels)."""
        return CACHE_DIR / f"{self.stem}.json"

    def to_job(self) -> dict:
        """The key as a job line for poses.py."""
        return {
            "placement": self.placement,
            "look": self.look,
            "left": list(self.left),
            "right": list(self.right),
            "samples": self.samples,
            "denoise": self.denoise,
        }


def render_jobs(keys: list[PoseKey], ordered: bool = False) -> None:
    """Render every key not yet in the cache, grouped by placement and look
    (or in the given order: a queue of clips finishes clip by clip)."""
    from body import load_body_cached
    from camera import placement_named
    from looks import body_for, look_named
    from pose import LegAngles, build_neutral, landmarks, pose_world, skin, wall_y
    from scene import BodyScene

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    todo = [k for k in dict.fromkeys(keys) if not k.png.exists()]
    print(f"{len(todo)} of {len(set(keys))} poses to render", flush=True)
    if not ordered:
        todo.sort(key=lambda k: (k.look, k.placement))
    built = None
    for key in todo:
        look = look_named(key.look)
        if built is None or built[0] != key.look:
            body = body_for(look, load_body_cached())
            neutral = build_neutral(body)
            built = (key.look, body, neutral, BodyScene(body, look, wall_y(body, neutral)))
        _, body, neutral, scene = built
        scene.scene.cycles.samples = key.samples
        fast = key.denoise == "fast"
        scene.scene.cycles.denoising_quality = "FAST" if fast else "HIGH"
        scene.scene.cycles.denoising_prefilter = "FAST" if fast else "ACCURATE"
        placement = placement_named(key.placement)
        angles = {"left": LegAngles(*key.left), "right": LegAngles(*key.right)}
        world = pose_world(body, neutral, angles)
        verts = skin(body, world)
        start = time.time()
        scene.render(verts, placement, key.png)
        seconds = time.time() - start
        points = landmarks(body, neutral, world, verts)
        truth = {
            **key.to_job(),
            "camera": placement.describe(),
            "render_s": round(seconds, 2),
            "pixels": {n: placement.project(p).round(2).tolist() for n, p in points.items()},
            "world_m": {n: p.round(4).tolist() for n, p in points.items()},
        }
        key.truth.write_text(json.dumps(truth))
        with open(CACHE_DIR / LOG_NAME, "a") as log:
            log.write(json.dumps({"stem": key.stem, "render_s": round(seconds, 2)}) + "\n")
        print(f"rendered {key.stem} in {seconds:.1f} s", flush=True)


def read_jobs(path: Path) -> list[PoseKey]:
    """Keys from a JSON-lines job file."""
    jobs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [
        PoseKey.make(
            j["placement"],
            j.get("look", "default"),
            j["left"],
            j["right"],
            j.get("samples", 0),
            j.get("denoise", "high"),
        )
        for j in jobs
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    render_jobs(read_jobs(Path(sys.argv[1])))
