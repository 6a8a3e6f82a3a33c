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
    #: "room" (ceiling panel + window sun), "lamp" (one lamp, little else)
    #: or "window" (a bright window in the wall behind the feet); scene.py.
    lighting: str = "room"
    #: Shorts instead of leggings: skin from the lower thigh down.
    shorts: bool = False
    #: Sock colour, or None for bare feet.
    socks: tuple | None = None
    #: Second leggings colour in blotches fixed to the body, or None for plain.
    pattern: tuple | None = None
    #: False: no wall behind the feet (a leg raise needs the room to lower them).
    wall_present: bool = True


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

# The wide suite (benchmarks/render_suite/wide/) composes a look from a body,
# an outfit and a lighting, named "BODY.OUTFIT.LIGHTING" (look_named).

#: Body shapes: MakeHuman macro targets (sex, age, muscle, weight, height)
#: and leg-length targets, as (path under mpfb2/targets, weight).
BODIES = {
    "base": (),
    "heavy_f": (("macrodetails/universal-female-young-averagemuscle-maxweight.target.gz", 0.7),),
    "lean_m": (("macrodetails/universal-male-young-maxmuscle-minweight.target.gz", 0.8),),
    # a small, light woman with short legs
    "small_f": (
        ("macrodetails/universal-female-young-averagemuscle-minweight.target.gz", 0.6),
        ("macrodetails/height/female-young-averagemuscle-minweight-minheight.target.gz", 0.3),
        ("legs/upperlegs-height-decr.target.gz", 0.5),
        ("legs/lowerlegs-height-decr.target.gz", 0.4),
    ),
    # a tall man with long legs
    "tall_m": (
        ("macrodetails/universal-male-young-averagemuscle-averageweight.target.gz", 1.0),
        ("macrodetails/height/male-young-averagemuscle-averageweight-maxheight.target.gz", 0.2),
        ("legs/upperlegs-height-incr.target.gz", 0.6),
        ("legs/lowerlegs-height-incr.target.gz", 0.5),
    ),
    # an older, heavy man of average height
    "heavy_m": (
        ("macrodetails/universal-male-old-averagemuscle-maxweight.target.gz", 1.0),
        ("legs/lowerlegs-height-decr.target.gz", 0.3),
    ),
}

#: Outfits and the room's colours (linear RGB). Feet are bare unless socks.
OUTFITS = {
    # light-grey leggings in front of an off-white wall: little contrast
    "wallmatch": {
        "skin": (0.70, 0.48, 0.36),
        "shirt": (0.35, 0.36, 0.40),
        "leggings": (0.52, 0.52, 0.50),
        "wall": (0.62, 0.61, 0.58),
        "mat": (0.40, 0.42, 0.45),
        "floor": (0.45, 0.35, 0.22),
    },
    # black leggings and a dark top on a dark mat
    "dark": {
        "skin": (0.45, 0.27, 0.17),
        "shirt": (0.03, 0.03, 0.04),
        "leggings": (0.015, 0.015, 0.02),
        "mat": (0.06, 0.06, 0.07),
        "wall": (0.55, 0.53, 0.48),
        "floor": (0.30, 0.20, 0.12),
    },
    # running shorts, bare legs and feet
    "shorts": {
        "skin": (0.62, 0.40, 0.30),
        "shirt": (0.60, 0.55, 0.10),
        "leggings": (0.03, 0.06, 0.20),
        "shorts": True,
        "mat": (0.08, 0.25, 0.12),
        "wall": (0.58, 0.55, 0.50),
    },
    # patterned leggings (dark blotches on mid-grey-blue)
    "patterned": {
        "skin": (0.80, 0.55, 0.45),
        "shirt": (0.45, 0.10, 0.30),
        "leggings": (0.20, 0.25, 0.35),
        "pattern": (0.03, 0.04, 0.06),
        "mat": (0.30, 0.30, 0.32),
        "wall": (0.70, 0.72, 0.75),
    },
    # grey leggings with white socks
    "socks": {
        "skin": (0.30, 0.17, 0.10),
        "shirt": (0.08, 0.30, 0.10),
        "leggings": (0.18, 0.18, 0.20),
        "socks": (0.80, 0.80, 0.80),
        "mat": (0.25, 0.08, 0.35),
        "wall": (0.55, 0.50, 0.42),
    },
    # beige leggings, bare feet of a similar tone
    "barefoot": {
        "skin": (0.55, 0.35, 0.24),
        "shirt": (0.55, 0.06, 0.06),
        "leggings": (0.50, 0.40, 0.30),
        "mat": (0.35, 0.20, 0.10),
        "wall": (0.62, 0.58, 0.50),
        "floor": (0.30, 0.30, 0.30),
    },
}

#: Lightings (scene.add_lights): the wattage of the lamp / ceiling panel, the
#: window's light, and how much the rest of the room contributes.
LIGHTINGS = {
    "lamp": {"lighting": "lamp", "ceiling_light_w": 120.0, "window_sun": 0.0, "ambient": 0.12},
    "window": {"lighting": "window", "ceiling_light_w": 40.0, "window_sun": 400.0, "ambient": 0.2},
}


def look_named(name: str) -> Look:
    """A named look: one of LOOKS, or a wide-suite "BODY.OUTFIT.LIGHTING",
    with "-nowall" at the end for a room without the wall."""
    if name in LOOKS:
        return LOOKS[name]
    try:
        body, outfit, lighting = name.removesuffix("-nowall").split(".")
        return Look(
            name=name,
            targets=BODIES[body],
            **OUTFITS[outfit],
            **LIGHTINGS[lighting],
            wall_present=not name.endswith("-nowall"),
        )
    except (ValueError, KeyError, TypeError):
        raise KeyError(f"unknown look {name!r}") from None


def read_target(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Vertex indices and offsets (rig frame, metres) of a .target.gz morph."""
    rows = []
    with gzip.open(path, "rt") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                rows.append([float(v) for v in line.split()])
    data = np.asarray(rows).reshape(-1, 4)  # some targets are empty (the base shape)
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
