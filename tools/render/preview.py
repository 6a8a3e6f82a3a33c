"""Quick low-quality previews of wide-suite looks and placements (neutral pose).

    nice -n 19 /work/render-venv/bin/python tools/render/preview.py LOOK@PLACEMENT[@LOWER] ...
writes $HIPROT_RENDER_CACHE/preview/LOOK@PLACEMENT[@LOWER].png (4 samples,
half size; LOWER: pose.LegAngles.lower_deg, else theta 20 deg).
"""

from __future__ import annotations

import sys
from pathlib import Path

from poses import CACHE_DIR

PREVIEW_DIR = CACHE_DIR.parent / "preview"

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    from body import load_body_cached
    from camera import placement_named
    from looks import body_for, look_named
    from pose import LegAngles, build_neutral, pose_world, skin, wall_y
    from scene import BodyScene

    PREVIEW_DIR.mkdir(parents=True, exist_ok=True)
    for arg in sys.argv[1:]:
        look_name, placement_name, *lower = arg.split("@")
        look = look_named(look_name)
        body = body_for(look, load_body_cached())
        neutral = build_neutral(body)
        scene = BodyScene(body, look, wall_y(body, neutral))
        scene.scene.cycles.samples = 4
        scene.scene.render.resolution_percentage = 50
        angles = LegAngles(0.0 if lower else 20.0, 0.0, float(lower[0]) if lower else 0.0)
        world = pose_world(body, neutral, {s: angles for s in ("left", "right")})
        scene.render(skin(body, world), placement_named(placement_name), PREVIEW_DIR / f"{arg}.png")
        print("preview", arg, flush=True)
