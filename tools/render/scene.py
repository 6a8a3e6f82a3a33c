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
#: Rest-frame test for scalp vertices on the head bone (top or back of head),
#: for the base mesh, whose head joint is at BASE_HEAD_YZ; other bodies'
#: thresholds move with their head joint (a taller body's face is no scalp).
HAIR_TOP_Z, HAIR_BACK_Z, HAIR_BACK_Y = 0.80, 0.70, 0.03
BASE_HEAD_YZ = (-0.0161, 0.6975)
MAT_SIZE = (0.62, 1.8, 0.006)  # x, y, thickness (m)
MAT_FAR_EDGE_Y = -0.05  # the mat starts at the wall
ROOM_HALF = 6.0
#: "lamp" lighting: a floor lamp on the person's left, level with the knees.
LAMP_XYZ = (1.4, 1.0, 1.8)
LAMP_COLOUR = (1.0, 0.85, 0.65)
#: "window" lighting: a window in the wall behind the feet, on the person's
#: right (the side away from the camera), its sill about 0.8 m up.
WINDOW_X, WINDOW_Z, WINDOW_SIZE = -0.9, 1.4, (1.4, 1.2)
WINDOW_GLOW = 6.0
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


MATERIAL_SLOTS = ("skin", "shirt", "leggings", "hair", "socks", "pattern")
#: Bones under shorts' hem (mid-thigh down): bare skin when a look wears shorts.
BARE_LEG_BONES = ("upperleg02", "lowerleg")
SOCK_BONES = ("foot", "toe")
#: Spatial frequency (rad/m) of a patterned look's blotches, in the rest
#: frame so the pattern moves with the body: blotches of a few centimetres.
PATTERN_FREQ = (41.0, 37.0, 53.0)


def vertex_labels(body: Body, look: Look | None = None) -> np.ndarray:
    """Clothing label (index into MATERIAL_SLOTS) of every rest vertex."""
    look = look or Look()
    dominant = np.array(body.bone_names)[body.weights.argmax(axis=1)]
    x, y, z = body.verts.T
    labels = np.where(z < WAIST_Z, MATERIAL_SLOTS.index("leggings"), MATERIAL_SLOTS.index("shirt"))
    if look.pattern is not None:
        fx, fy, fz = PATTERN_FREQ
        blotch = np.sin(fx * x + 1.0) + np.sin(fy * y + 2.0) + np.sin(fz * z + 3.0)
        labels[(labels == MATERIAL_SLOTS.index("leggings")) & (blotch > 0.6)] = (
            MATERIAL_SLOTS.index("pattern")
        )
    for i, bone in enumerate(dominant):
        if bone.startswith(SLEEVE_BONES):
            labels[i] = MATERIAL_SLOTS.index("shirt")
        elif look.socks is not None and bone.startswith(SOCK_BONES):
            labels[i] = MATERIAL_SLOTS.index("socks")
        elif bone.startswith(SKIN_BONES) or (look.shorts and bone.startswith(BARE_LEG_BONES)):
            labels[i] = MATERIAL_SLOTS.index("skin")
    on_head = np.char.startswith(dominant.astype(str), "head")
    head = body.heads[body.bone("head")]
    dy, dz = head[1] - BASE_HEAD_YZ[0], head[2] - BASE_HEAD_YZ[1]
    dy, dz = (0.0 if abs(d) < 0.005 else d for d in (dy, dz))  # the base head: as before
    scalp = on_head & (
        (z > HAIR_TOP_Z + dz) | ((z > HAIR_BACK_Z + dz) & (y > HAIR_BACK_Y + dy))
    )
    labels[scalp] = MATERIAL_SLOTS.index("hair")
    return labels


def slot_colour(look: Look, slot: str) -> tuple:
    """A material slot's colour; socks and pattern fall back to skin and leggings."""
    if slot == "socks":
        return look.socks or look.skin
    if slot == "pattern":
        return look.pattern or look.leggings
    return getattr(look, slot)


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


def add_ambient(look: Look) -> None:
    """The world's colour and strength: light from everywhere else in the room."""
    world = bpy.context.scene.world or bpy.data.worlds.new("room")
    bpy.context.scene.world = world
    world.use_nodes = True
    background = world.node_tree.nodes["Background"]
    background.inputs["Color"].default_value = (*look.background, 1.0)
    background.inputs["Strength"].default_value = look.ambient


def add_lights(look: Look, wall_y: float = 0.0) -> None:
    """The look's lighting: "room" is a ceiling panel, a low window sun and a
    little ambient light; "lamp" one warm lamp beside the mat and a dim room;
    "window" a bright window in the wall behind the feet (the camera looks
    into it, the person is lit from behind) and a weak ceiling light."""
    if look.lighting == "lamp":
        bpy.ops.object.light_add(type="POINT", location=LAMP_XYZ)
        lamp = bpy.context.active_object
        lamp.data.energy = look.ceiling_light_w
        lamp.data.color = LAMP_COLOUR
        lamp.data.shadow_soft_size = 0.15
    elif look.lighting == "window":
        centre = (WINDOW_X, wall_y + 0.01, WINDOW_Z)
        bpy.ops.mesh.primitive_plane_add(size=1.0, location=centre, rotation=(np.radians(90), 0, 0))
        pane = bpy.context.active_object
        pane.scale = (*WINDOW_SIZE, 1.0)
        glow = bpy.data.materials.new("window")
        glow.use_nodes = True
        nodes = glow.node_tree.nodes
        nodes.remove(nodes["Principled BSDF"])
        emit = nodes.new("ShaderNodeEmission")
        emit.inputs["Color"].default_value = (1.0, 0.98, 0.95, 1.0)
        emit.inputs["Strength"].default_value = WINDOW_GLOW
        glow.node_tree.links.new(emit.outputs[0], nodes["Material Output"].inputs[0])
        pane.data.materials.append(glow)
        bpy.ops.object.light_add(
            type="AREA",
            location=(WINDOW_X, wall_y + 0.05, WINDOW_Z),
            rotation=(np.radians(90), 0, 0),
        )
        light = bpy.context.active_object
        light.data.shape = "RECTANGLE"
        light.data.size, light.data.size_y = WINDOW_SIZE
        light.data.energy = look.window_sun
        bpy.ops.object.light_add(type="AREA", location=look.ceiling_light_xyz)
        panel = bpy.context.active_object
        panel.data.energy = look.ceiling_light_w
        panel.data.size = 2.0
    else:
        bpy.ops.object.light_add(type="AREA", location=look.ceiling_light_xyz)
        panel = bpy.context.active_object
        panel.data.energy = look.ceiling_light_w
        panel.data.size = 2.0
        bpy.ops.object.light_add(type="SUN", rotation=(np.radians(60), 0.0, np.radians(120)))
        bpy.context.active_object.data.energy = look.window_sun
    add_ambient(look)


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
    if not look.wall_present:
        return
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
        add_lights(look, wall_y)
        self.used = np.unique(np.concatenate([np.asarray(f) for f in body.faces]))
        remap = np.full(len(body.verts), -1)
        remap[self.used] = np.arange(len(self.used))
        faces = [remap[f].tolist() for f in body.faces]
        mesh = bpy.data.meshes.new("person")
        mesh.from_pydata(body.verts[self.used].tolist(), [], faces)
        for slot in MATERIAL_SLOTS:
            mesh.materials.append(plain_material(slot, slot_colour(look, slot), 0.6))
        labels = face_labels(faces, vertex_labels(body, look)[self.used])
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
