"""Render variants: body shape, clothing colours and lighting.

Kept free of bpy so the evaluation side can name looks without Blender.
"""

from __future__ import annotations

import dataclasses
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from body import OBJ_TO_METRES, Body, mpfb2_dir

#: A morphed body's joints follow the skin around them: each joint moves by
#: the Gaussian-weighted mean displacement of skin within this radius.
JOINT_FOLLOW_RADIUS_M = 0.06


@dataclass(frozen=True)
class Look:
    """Body shape, colours (linear RGB) and lighting of one render variant."""

    name: str = "default"
    #: MakeHuman targets (path under mpfb2/targets, weight) applied to the base mesh.
    targets: tuple = ()
    skin: tuple = (0.62, 0.40, 0.30)
    shirt: tuple = (0.55, 0.06, 0.06)
    leggings: tuple = (0.04, 0.04, 0.05)
    hair: tuple = (0.05, 0.03, 0.02)
    mat: tuple = (0.05, 0.30, 0.35)
    floor: tuple = (0.35, 0.22, 0.12)
    wall: tuple = (0.60, 0.59, 0.56)
    ceiling_light_w: float = 150.0
    ceiling_light_xyz: tuple = (1.0, 1.5, 2.5)  # over the room, not the feet
    window_sun: float = 1.2
    ambient: float = 0.35
    background: tuple = (0.45, 0.43, 0.40)  # seen past the wall's edge


#: Second variant for evaluation: a heavier body, darker skin, light shirt,
#: grey leggings, purple mat, dimmer warm light with a stronger window.
HEAVIER = Look(
    name="heavy",
    targets=(("macrodetails/universal-female-young-averagemuscle-maxweight.target.gz", 0.7),),
    skin=(0.30, 0.17, 0.10),
    shirt=(0.55, 0.65, 0.75),
    leggings=(0.18, 0.18, 0.20),
    hair=(0.02, 0.015, 0.01),
    mat=(0.25, 0.08, 0.35),
    floor=(0.50, 0.45, 0.38),
    wall=(0.55, 0.50, 0.42),
    ceiling_light_w=90.0,
    window_sun=2.5,
    ambient=0.25,
)

#: Third variant (benchmarks/render_suite): the base body, paler skin, navy
#: shirt, mid-blue (denim-like) leggings, grey mat, cool white wall, and a
#: second lighting set-up: a brighter ceiling panel over the person's right
#: side towards the head, a weak window sun, more ambient light.
COOL = Look(
    name="cool",
    skin=(0.80, 0.55, 0.45),
    shirt=(0.03, 0.05, 0.20),
    leggings=(0.10, 0.20, 0.45),
    hair=(0.30, 0.18, 0.08),
    mat=(0.30, 0.30, 0.32),
    floor=(0.55, 0.40, 0.25),
    wall=(0.70, 0.72, 0.75),
    ceiling_light_w=170.0,
    ceiling_light_xyz=(-1.3, 1.8, 2.4),
    window_sun=0.5,
    ambient=0.45,
    background=(0.50, 0.52, 0.55),
)

#: Fourth variant, the third body shape: a lean, muscular young male body,
#: green shirt, light beige leggings (little contrast with the wall), wooden
#: mat, warm ceiling light over the feet.
LEAN = Look(
    name="lean",
    targets=(("macrodetails/universal-male-young-maxmuscle-minweight.target.gz", 0.8),),
    skin=(0.50, 0.30, 0.20),
    shirt=(0.08, 0.30, 0.10),
    leggings=(0.55, 0.48, 0.36),
    hair=(0.02, 0.015, 0.01),
    mat=(0.35, 0.20, 0.10),
    floor=(0.30, 0.30, 0.30),
    wall=(0.62, 0.58, 0.50),
    ceiling_light_w=130.0,
    ceiling_light_xyz=(0.8, -0.5, 2.5),
    window_sun=0.9,
    ambient=0.40,
)

LOOKS = {look.name: look for look in (Look(), HEAVIER, COOL, LEAN)}


def read_target(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Vertex indices and offsets (rig frame, metres) of a .target.gz morph."""
    rows = []
    with gzip.open(path, "rt") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                rows.append([float(v) for v in line.split()])
    data = np.asarray(rows)
    dx, dy, dz = data[:, 1], data[:, 2], data[:, 3]
    return data[:, 0].astype(int), np.stack([dx, -dz, dy], axis=1) * OBJ_TO_METRES


def follow_skin(points: np.ndarray, rest: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Move joints with the skin around them (the targets do not move the
    rig's joint cubes, so the joints are carried along by the surface)."""
    moved = points.copy()
    for i, p in enumerate(points):
        d2 = ((rest - p) ** 2).sum(axis=1)
        w = np.exp(-d2 / (2 * JOINT_FOLLOW_RADIUS_M**2))
        moved[i] = p + (w[:, None] * offsets).sum(axis=0) / w.sum()
    return moved


def body_for(look: Look, body: Body) -> Body:
    """The body a look renders: the base mesh with the look's targets."""
    if not look.targets:
        return body
    offsets = np.zeros_like(body.verts)
    for rel, weight in look.targets:
        idx, delta = read_target(mpfb2_dir() / "targets" / rel)
        offsets[idx] += weight * delta
    skin_idx = np.unique(np.concatenate([np.asarray(f) for f in body.faces]))
    rest, moved = body.verts[skin_idx], offsets[skin_idx]
    return dataclasses.replace(
        body,
        verts=body.verts + offsets,
        heads=follow_skin(body.heads, rest, moved),
        tails=follow_skin(body.tails, rest, moved),
    )
