"""Blender (bpy, Cycles on the CPU) scene: room, mat, wall, lights, the body.

The scene is built once per process; each pose only replaces the body's
vertex positions and re-renders, which keeps the per-frame cost to the
render itself. Materials are plain colours: the point is a figure MediaPipe
can see, not photorealism.
"""

from __future__ import annotations

from pathlib import Path

import bpy
import mathutils
import numpy as np
from body import Body
from camera import HEIGHT, SENSOR_WIDTH_MM, WIDTH, Placement
from looks import Look

#: Cycles samples per pixel; the denoiser cleans up the rest.
SAMPLES = 24
MAX_BOUNCES = 3
THREADS = 2

#: Rest-frame height (m above the hip joints' level 0.05) of the waistband:
#: below it the torso wears leggings, above it the shirt.
WAIST_Z = 0.15
#: Rest-frame test for scalp vertices on the head bone (top or back of head).
HAIR_TOP_Z, HAIR_BACK_Z, HAIR_BACK_Y = 0.80, 0.70, 0.03
MAT_SIZE = (0.62, 1.8, 0.006)  # x, y, thickness (m)
MAT_FAR_EDGE_Y = -0.05  # the mat starts at the wall
ROOM_HALF = 6.0
WALL_HEIGHT = 2.6

SLEEVE_BONES = ("upperarm01", "shoulder01", "clavicle", "breast")
SKIN_BONES = (
    "upperarm02",
    "lowerarm",
    "wrist",
    "finger",
    "metacarpal",
    "foot",
    "toe",
    "neck",
    "head",
    "jaw",
    "eye",
    "oculi",
    "orbicularis",
    "oris",
    "levator",
    "risorius",
    "temporalis",
    "tongue",
    "special",
)


MATERIAL_SLOTS = ("skin", "shirt", "leggings", "hair")


def vertex_labels(body: Body) -> np.ndarray:
    """Clothing label (index into MATERIAL_SLOTS) of every rest vertex."""
    dominant = np.array(body.bone_names)[body.weights.argmax(axis=1)]
    _, y, z = body.verts.T
    labels = np.where(z < WAIST_Z, MATERIAL_SLOTS.index("leggings"), MATERIAL_SLOTS.index("shirt"))
    for i, bone in enumerate(dominant):
        if bone.startswith(SLEEVE_BONES):
            labels[i] = MATERIAL_SLOTS.index("shirt")
        elif bone.startswith(SKIN_BONES):
            labels[i] = MATERIAL_SLOTS.index("skin")
    on_head = np.char.startswith(dominant.astype(str), "head")
    scalp = on_head & ((z > HAIR_TOP_Z) | ((z > HAIR_BACK_Z) & (y > HAIR_BACK_Y)))
    labels[scalp] = MATERIAL_SLOTS.index("hair")
    return labels


def face_labels(faces: list, labels: np.ndarray) -> list[int]:
    """Each face takes the most common label of its corners."""
    return [int(np.bincount(labels[f]).argmax()) for f in faces]


def plain_material(name: str, colour: tuple, roughness: float = 0.7) -> bpy.types.Material:
    """A Principled BSDF material of one colour."""
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*colour, 1.0)
    bsdf.inputs["Roughness"].default_value = roughness
    return mat


def add_box(name: str, centre: tuple, size: tuple, material) -> None:
    """An axis-aligned box (mat, floor, wall) with one material."""
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=centre)
    obj = bpy.context.active_object
    obj.name = name
    obj.scale = size
    obj.data.materials.append(material)


def setup_render(scene) -> None:
    """Cycles on the CPU, low samples + denoiser, 640x480 PNG."""
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = SAMPLES
    scene.cycles.max_bounces = MAX_BOUNCES
    scene.cycles.use_denoising = True
    scene.render.threads_mode = "FIXED"
    scene.render.threads = THREADS
    scene.render.resolution_x, scene.render.resolution_y = WIDTH, HEIGHT
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.view_settings.view_transform = "Standard"


def add_lights(look: Look) -> None:
    """A ceiling panel, a low window sun and a little ambient light."""
    bpy.ops.object.light_add(type="AREA", location=look.ceiling_light_xyz)
    panel = bpy.context.active_object
    panel.data.energy = look.ceiling_light_w
    panel.data.size = 2.0
    bpy.ops.object.light_add(type="SUN", rotation=(np.radians(60), 0.0, np.radians(120)))
    bpy.context.active_object.data.energy = look.window_sun
    world = bpy.context.scene.world or bpy.data.worlds.new("room")
    bpy.context.scene.world = world
    world.use_nodes = True
    background = world.node_tree.nodes["Background"]
    background.inputs["Color"].default_value = (*look.background, 1.0)
    background.inputs["Strength"].default_value = look.ambient


def add_room(look: Look, wall_y: float) -> None:
    """Floor, exercise mat and the wall the feet rest on."""
    thick = MAT_SIZE[2]
    add_box(
        "floor",
        (0, 0, -thick - 0.05),
        (2 * ROOM_HALF, 2 * ROOM_HALF, 0.1),
        plain_material("floor", look.floor, 0.5),
    )
    mat_centre_y = wall_y + 0.01 + MAT_SIZE[1] / 2
    add_box("mat", (0, mat_centre_y, -thick / 2), MAT_SIZE, plain_material("mat", look.mat, 0.9))
    add_box(
        "wall",
        (0, wall_y - 0.05, WALL_HEIGHT / 2),
        (2 * ROOM_HALF, 0.1, WALL_HEIGHT),
        plain_material("wall", look.wall, 0.9),
    )


class BodyScene:
    """The built scene; call render() once per pose."""

    def __init__(self, body: Body, look: Look, wall_y: float):
        bpy.ops.wm.read_factory_settings(use_empty=True)
        self.scene = bpy.context.scene
        setup_render(self.scene)
        add_room(look, wall_y)
        add_lights(look)
        self.used = np.unique(np.concatenate([np.asarray(f) for f in body.faces]))
        remap = np.full(len(body.verts), -1)
        remap[self.used] = np.arange(len(self.used))
        faces = [remap[f].tolist() for f in body.faces]
        mesh = bpy.data.meshes.new("person")
        mesh.from_pydata(body.verts[self.used].tolist(), [], faces)
        for slot in MATERIAL_SLOTS:
            mesh.materials.append(plain_material(slot, getattr(look, slot), 0.6))
        labels = face_labels(faces, vertex_labels(body)[self.used])
        mesh.polygons.foreach_set("material_index", labels)
        mesh.polygons.foreach_set("use_smooth", [True] * len(faces))
        self.mesh = mesh
        obj = bpy.data.objects.new("person", mesh)
        self.scene.collection.objects.link(obj)
        cam_data = bpy.data.cameras.new("webcam")
        cam_data.sensor_fit = "HORIZONTAL"
        cam_data.sensor_width = SENSOR_WIDTH_MM
        self.camera = bpy.data.objects.new("webcam", cam_data)
        self.scene.collection.objects.link(self.camera)
        self.scene.camera = self.camera

    def render(self, verts: np.ndarray, placement: Placement, out: Path) -> None:
        """Render the body with the given posed vertices to a PNG."""
        self.mesh.vertices.foreach_set("co", verts[self.used].ravel())
        self.mesh.update()
        self.camera.data.lens = placement.focal_mm
        self.camera.matrix_world = mathutils.Matrix(placement.matrix_world().tolist())
        self.scene.render.filepath = str(out)
        bpy.ops.render.render(write_still=True)
