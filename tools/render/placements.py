"""Compare camera placements on a small rendered rotation sweep.

For each placement: MediaPipe detection rate, landmark pixel error against
the projected rig, and how well simple 2D observables follow the true femur
rotation theta (Pearson correlation over the sweep, per leg), computed from
MediaPipe's landmarks and, as the geometric ceiling, from the truth pixels.
Writes a markdown table and a grid picture of the overlays.

Write the sweep's job list, render it (render venv), then evaluate (hiprot venv):
    python tools/render/placements.py --jobs /tmp/sweep.jsonl
    nice -n 19 /work/render-venv/bin/python tools/render/poses.py /tmp/sweep.jsonl
    /work/venv/bin/python tools/render/placements.py --table OUT.md --grid OUT.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
from camera import PLACEMENTS
from detect import MP_INDEX, detect, draw, make_pose, pixel_errors
from poses import PoseKey

SWEEP_THETA = (-40.0, -32.5, -25.0, -17.5, -10.0, 0.0, 7.5, 15.0, 22.5, 30.0)
TWIST_POSE = (0.0, 30.0)  # theta, phi: the "rotating from the ankles" check
#: Columns of the grid picture: (theta, phi) of both legs.
GRID_POSES = ((-40.0, 0.0), (0.0, 0.0), (30.0, 0.0), TWIST_POSE)
GRID_TILE = (320, 240)
LEGS = ("left", "right")


def sweep_keys(placement: str, look: str) -> list[PoseKey]:
    """The sweep's poses at one placement: theta steps, then the twist pose."""
    poses = [(t, 0.0) for t in SWEEP_THETA] + [TWIST_POSE]
    return [PoseKey.make(placement, look, p, p) for p in poses]


def foot_angle(pts: dict, leg: str) -> float:
    """Image angle (deg) of heel -> toe."""
    d = np.asarray(pts[f"{leg}_toe"]) - np.asarray(pts[f"{leg}_heel"])
    return float(np.degrees(np.arctan2(d[1], d[0])))


def knee_offset(pts: dict, leg: str) -> float:
    """Signed pixel distance of the knee from the hip-ankle image line (the
    bent knee swings sideways as the femur turns)."""
    hip, knee, ankle = (np.asarray(pts[f"{leg}_{n}"]) for n in ("hip", "knee", "ankle"))
    axis = ankle - hip
    rel = knee - hip
    return float((axis[0] * rel[1] - axis[1] * rel[0]) / np.linalg.norm(axis))


OBSERVABLES = {"heel->toe angle": foot_angle, "knee offset": knee_offset}
#: Observables that are angles, compared after unwrapping around neutral.
CIRCULAR = {"heel->toe angle"}
UNITS = {"heel->toe angle": "deg", "knee offset": "px"}


def unwrap(values: list, reference: float) -> list:
    """Angles relative to a reference, wrapped into [-180, 180)."""
    return [(v - reference + 180.0) % 360.0 - 180.0 for v in values]


def as_points(found: np.ndarray) -> dict:
    """Detected landmarks keyed like the truth pixels."""
    return {name: found[i, :2] for name, i in MP_INDEX.items()}


def correlation(values: list, thetas: list) -> float:
    """Pearson r, NaN when a value is missing or constant."""
    v = np.asarray(values, float)
    if np.isnan(v).any() or np.std(v) < 1e-9:
        return float("nan")
    return float(np.corrcoef(v, thetas)[0, 1])


def calibrated_rmse(values: list, thetas: list) -> float:
    """RMS error (deg) of theta predicted from the observable by a straight
    line fitted on the same sweep: the best a per-set-up calibration could do
    with this observable alone."""
    v = np.asarray(values, float)
    if np.isnan(v).any() or np.std(v) < 1e-9:
        return float("nan")
    slope, intercept = np.polyfit(v, thetas, 1)
    return float(np.sqrt(np.mean((slope * v + intercept - np.asarray(thetas)) ** 2)))


def twist_response(values: list, thetas: list, twisted: float) -> float:
    """The twist pose's observable expressed as an apparent theta (deg), via
    the sweep's linear fit: large for an observable that cannot tell an
    ankle twist from a femur rotation."""
    v = np.asarray(values, float)
    if np.isnan(v).any() or np.isnan(twisted):
        return float("nan")
    slope, intercept = np.polyfit(thetas, v, 1)
    return float((twisted - intercept) / slope)


def evaluate(placement: str, look: str, pose) -> dict:
    """Detection, pixel errors and observables for one placement's sweep."""
    rows = []
    for key in sweep_keys(placement, look):
        truth = json.loads(key.truth.read_text())
        image = cv2.imread(str(key.png))
        found = detect(pose, image)
        rows.append({"key": key, "truth": truth, "found": found, "image": image})
    detected = [r for r in rows if r["found"] is not None]
    errors = [pixel_errors(r["found"], r["truth"]["pixels"]) for r in detected]
    result = {
        "placement": placement if look == "default" else f"{placement} ({look})",
        "detected": len(detected),
        "frames": len(rows),
        "overlays": {
            (r["key"].left): draw(r["image"], r["found"], r["truth"]["pixels"]) for r in rows
        },
    }
    for part in ("hip", "knee", "ankle", "heel", "toe"):
        vals = [e[f"{leg}_{part}"] for e in errors for leg in LEGS]
        result[f"err_{part}"] = float(np.median(vals)) if vals else float("nan")
    sweep, twist = rows[:-1], rows[-1]
    thetas = [r["key"].left[0] for r in sweep]
    neutral = thetas.index(0.0)
    for name, fn in OBSERVABLES.items():
        for leg in LEGS:
            truth_vals = [fn(r["truth"]["pixels"], leg) for r in sweep]
            mp_vals = [
                fn(as_points(r["found"]), leg) if r["found"] is not None else np.nan
                for r in [*sweep, twist]
            ]
            if name in CIRCULAR:
                truth_vals = unwrap(truth_vals, truth_vals[neutral])
                mp_vals = unwrap(mp_vals, mp_vals[neutral])
            mp_vals, mp_twist = mp_vals[:-1], mp_vals[-1]
            result[f"r_truth {name} {leg}"] = correlation(truth_vals, thetas)
            result[f"r_mp {name} {leg}"] = correlation(mp_vals, thetas)
            result[f"range_mp {name} {leg}"] = float(np.ptp(mp_vals))  # NaN if any frame missed
            result[f"rmse_mp {name} {leg}"] = calibrated_rmse(mp_vals, thetas)
            result[f"twist_as_theta {name} {leg}"] = twist_response(mp_vals, thetas, mp_twist)
    return result


def fmt(v: float, digits: int = 2) -> str:
    return "—" if np.isnan(v) else f"{v:.{digits}f}"


def table(results: list[dict]) -> str:
    """Markdown tables: detection and pixel error, then the observables."""
    lines = [
        "| placement | detected | hip px | knee px | ankle px | heel px | toe px |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['placement']} | {r['detected']}/{r['frames']} | "
            + " | ".join(fmt(r[f"err_{p}"], 1) for p in ("hip", "knee", "ankle", "heel", "toe"))
            + " |"
        )
    lines += [
        "",
        "| placement | observable | leg | r (truth px) | r (MediaPipe) | "
        "MediaPipe range over sweep | theta RMSE after line fit (deg) | "
        "phi=30 pose read as theta (deg) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for name in OBSERVABLES:
            for leg in LEGS:
                cells = [
                    r["placement"],
                    name,
                    leg,
                    fmt(r[f"r_truth {name} {leg}"]),
                    fmt(r[f"r_mp {name} {leg}"]),
                    f"{fmt(r[f'range_mp {name} {leg}'], 1)} {UNITS[name]}",
                    fmt(r[f"rmse_mp {name} {leg}"], 1),
                    fmt(r[f"twist_as_theta {name} {leg}"], 0),
                ]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def grid(results: list[dict]) -> np.ndarray:
    """Rows = placements, columns = GRID_POSES, each tile labelled."""
    rows = []
    for r in results:
        tiles = []
        for theta, phi in GRID_POSES:
            tile = cv2.resize(r["overlays"][(theta, phi)], GRID_TILE, interpolation=cv2.INTER_AREA)
            label = f"{r['placement']}  theta {theta:+.0f} phi {phi:+.0f}"
            cv2.rectangle(tile, (0, 0), (GRID_TILE[0], 20), (40, 40, 40), -1)
            cv2.putText(tile, label, (5, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1)
            tiles.append(tile)
        rows.append(np.hstack(tiles))
    return np.vstack(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=Path, help="only write the sweep's render job list")
    parser.add_argument("--table", type=Path)
    parser.add_argument("--grid", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--look", default="default", help="render variant (tools/render/looks.py)")
    parser.add_argument(
        "--placement",
        action="append",
        choices=sorted(PLACEMENTS),
        help="repeatable; default: all placements",
    )
    args = parser.parse_args()
    placements = args.placement or list(PLACEMENTS)
    if args.jobs:
        keys = [k for name in placements for k in sweep_keys(name, args.look)]
        args.jobs.write_text("".join(json.dumps(k.to_job()) + "\n" for k in keys))
        return
    if not (args.table and args.grid):
        parser.error("--table and --grid are needed to evaluate")
    with make_pose() as pose:
        results = [evaluate(name, args.look, pose) for name in placements]
    args.table.write_text(table(results))
    cv2.imwrite(str(args.grid), grid(results))
    if args.json:
        args.json.write_text(
            json.dumps([{k: v for k, v in r.items() if k != "overlays"} for r in results], indent=1)
        )
    print(table(results))


if __name__ == "__main__":
    main()
