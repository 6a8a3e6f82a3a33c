"""MediaPipe's full and heavy landmark models side by side on the wide render
suite (issue #22): the same clips, the same truth, each recording reviewed
with its own model's gate and knee circle.

The wide suite is HELD OUT: nothing is chosen here. The full model's
recordings are the committed ones (``benchmarks/render_suite/wide/``);
the other model's are read from ``--landmarks DIR`` (default the
committed heavy ones, ``wide/heavy/``; named as the full ones, made by
``hiprot extract --model heavy``; each header names its model). Only
the clip copies recorded by both are scored, so the two columns always
cover the same session-legs.

    python benchmarks/accuracy_wide_models.py [--landmarks DIR] [--markdown OUT.md]

Per model and copy (clean / webcam), all clips and the 45° "Done when" set,
and spread by look, body, distance, height, azimuth and side (rows of
``_wide.leg_rows``, measures of ``_wide.summarise``): count exact and within
one, held verdicts right on matched reps clear of the 1 s rule (and as a
share of every true clear rep), peak internal MAE where not at the view's
limit, "from the ankles" precision / recall, the mean share of a worked
leg's frames judged in the drill position; and each leg joint's pixel
distance from the renderer's true joint (both legs, frames with a person).
Where ``ceiling.json`` and ``ceiling_wide_<model>.json`` (``ceiling.py
--wide-only --wide-landmarks DIR``) exist, their rows are compared on the
session-legs both scored (``ceiling_side_by_side``).
Writes ``benchmarks/results/accuracy_wide_<model>.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import JOINTS, REPO, RESULTS_DIR, pixel_errors, write_outputs
from _wide import (
    COPIES,
    DONE_WHEN_AZIMUTH_DEG,
    FOLDER,
    SPREAD_BY,
    leg_rows,
    per_copy,
    recordings,
    review_recording,
    summarise,
)


def pixel_summary(errors: Sequence[np.ndarray]) -> dict[str, float | int] | None:
    """Median, p95 and mean pixel error over the frames of some recordings."""
    err = np.concatenate(list(errors)) if errors else np.array([])
    if err.size == 0:
        return None
    return {
        "median_px": round(float(np.median(err)), 2),
        "p95_px": round(float(np.percentile(err, 95)), 2),
        "mean_px": round(float(np.mean(err)), 2),
        "frames": int(err.size),
    }


def _shown(path: Path) -> str:
    """A folder as written in the results: inside the repository, relative to it."""
    path = path.resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def compare(folder: Path, landmarks: Path) -> dict:
    """Both models on every clip copy recorded in ``landmarks`` (and in ``folder``)."""
    rows: dict[str, list[dict]] = defaultdict(list)
    pixels: dict[str, dict[str, dict[str, list[np.ndarray]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    scored: dict[str, list[str]] = defaultdict(list)
    for name, copy, truth, other in recordings(folder, landmarks):
        committed = folder / other.name
        if not committed.exists():
            continue
        scored[copy].append(name)
        for rec in (committed, other):
            reviewed = review_recording(name, truth, rec)
            model = reviewed.pose_model
            rows[model] += leg_rows(name, copy, truth, reviewed)
            for joint, err in pixel_errors(truth, reviewed.frames, reviewed.size_wh).items():
                pixels[model][copy][joint].append(err)
        line = "  ".join(
            f"{model} {r['leg']} {r['reps_measured']}/{r['reps_true']}"
            for model in rows
            for r in rows[model]
            if r["clip"] == name and r["copy"] == copy
        )
        print(f"{name:16} {copy:6} {line}", flush=True)
    if not scored:
        raise SystemExit(f"{landmarks}: no recordings of the wide suite's clips")
    models = sorted(rows, key=lambda m: m != "full")
    return {
        "held_out": True,
        "landmarks": _shown(landmarks),
        "models": models,
        "clips": {copy: sorted(scored[copy]) for copy in COPIES if scored[copy]},
        "spread_by": list(SPREAD_BY),
        "results": {model: per_copy(rows[model]) for model in models},
        "pixel_error": {
            model: {
                copy: {joint: pixel_summary(pixels[model][copy][joint]) for joint in JOINTS}
                for copy in COPIES
                if copy in pixels[model]
            }
            for model in models
        },
        "views": {model: views(rows[model]) for model in models},
        "session_legs": [r for model in models for r in rows[model]],
    }


def views(rows: Sequence[dict]) -> dict[str, dict[str, int]]:
    """Per copy and camera azimuth, how many recordings review read with each
    knee circle (``angles.VIEWS``: 45° or 60°; 30° has none of its own)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    seen = set()
    for r in rows:
        if (r["clip"], r["copy"]) in seen:
            continue
        seen.add((r["clip"], r["copy"]))
        out[f"{r['copy']} {r['azimuth_deg']:g}°"][str(r["camera_view"])] += 1
    return {k: dict(v) for k, v in sorted(out.items())}


#: What is compared from ceiling.py's wide rows: the counts fed each reading,
#: and the femur error of the shipped reading and of the oracle (knee + foot).
CEILING_COUNTS = ("shipped", "oracle held out", "truth")
CEILING_FEMUR = ("shipped", "knee+foot held out")


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(float(np.mean(known)), 2) if known else None


def ceiling_side_by_side(
    full: dict, other: dict, azimuth_deg: float = DONE_WHEN_AZIMUTH_DEG
) -> dict:
    """ceiling.py's wide rows of two models (``ceiling.json``'s ``wide`` and
    ``ceiling_wide_<model>.json``'s) on the session-legs both scored at
    ``azimuth_deg`` (the "Done when" set), per copy: counts exact per
    reading, and the mean over the legs of each leg's femur MAE (the rows
    keep no frame counts)."""
    index = {
        (r["clip"], r["copy"], r["leg"]): r
        for r in full["session_legs"]
        if r["azimuth_deg"] == azimuth_deg
    }
    out: dict[str, dict] = {}
    for copy in COPIES:
        pairs = [
            (index[key], r)
            for r in other["session_legs"]
            if r["copy"] == copy and (key := (r["clip"], r["copy"], r["leg"])) in index
        ]
        if not pairs:
            continue
        out[copy] = {"session_legs": len(pairs)}
        for which, rows in (("full", [a for a, _ in pairs]), ("other", [b for _, b in pairs])):
            out[copy][which] = {
                "count_exact": {
                    reading: sum(r["counts"][reading]["reps"] == r["reps_true"] for r in rows)
                    for reading in CEILING_COUNTS
                },
                "femur_mae_deg_mean_of_legs": {
                    reading: _mean([r["femur_mae_deg"][reading] for r in rows])
                    for reading in CEILING_FEMUR
                },
            }
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _pct1(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _cells(s: dict) -> list[str]:
    n = s["session_legs"]
    mae = s["peak_internal_mae_deg"]
    return [
        f"{s['count_exact']}/{n}",
        f"{s['count_within_one']}/{n}",
        f"{s['held_clear_right']}/{s['held_clear_reps']} ({s['held_clear_right']}/"
        f"{s['held_clear_true']} of all)",
        "–" if mae is None else f"{mae}° ({s['peak_internal_scored']})",
        f"{_pct(s['ankles_precision'])} / {_pct(s['ankles_recall'])}",
        _pct1(s["in_position_fraction_mean"]),
    ]


def _level(field: str, level: str) -> str:
    if field == "distance_m":
        return f"{float(level):g} m"
    if field == "azimuth_deg":
        return f"{float(level):g}°"
    if field == "side":
        return f"{level} leg"
    if field == "reading":
        return {"knee": "counted from the knee", "foot": "counted from the foot"}.get(level, level)
    return level


def markdown(results: dict) -> str:
    """The side-by-side tables of docs/pose_models.md, from the results."""
    models, res = results["models"], results["results"]
    lines = [
        "| set | copy | model | count exact | within one | held verdicts right, clear holds "
        "(of matched; of all true) | peak internal MAE (legs) | from the ankles P / R "
        "| frames in position |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, label in (("all", "all clips"), ("done_when_45deg", "45° only")):
        for copy in COPIES:
            for model in models:
                if copy in res[model]:
                    s = res[model][copy][key]
                    lines.append(f"| {label} | {copy} | {model} | " + " | ".join(_cells(s)) + " |")
    lines += [
        "",
        "| copy | session-legs on | n | count exact, "
        + " / ".join(models)
        + " | within one | held right, clear | peak internal MAE |",
        "|---|---|---|---|---|---|---|",
    ]
    for copy in COPIES:
        if copy not in res[models[0]]:
            continue
        for field in results["spread_by"]:
            levels = {level: None for m in models for level in res[m][copy]["by"][field]}
            for level in levels:
                # a level one model has no leg in (a leg counted from its foot) reads 0
                per = [res[m][copy]["by"][field].get(level) or summarise([]) for m in models]
                n = sorted({p["session_legs"] for p in per})  # differs by model for "reading"
                n_cell = " / ".join(str(p["session_legs"]) for p in per) if len(n) > 1 else n[0]
                mae = [
                    "–" if p["peak_internal_mae_deg"] is None else f"{p['peak_internal_mae_deg']}°"
                    for p in per
                ]
                lines.append(
                    f"| {copy} | {_level(field, level)} | {n_cell} | "
                    + " / ".join(str(p["count_exact"]) for p in per)
                    + " | "
                    + " / ".join(str(p["count_within_one"]) for p in per)
                    + " | "
                    + " / ".join(f"{p['held_clear_right']}/{p['held_clear_reps']}" for p in per)
                    + " | "
                    + " / ".join(mae)
                    + " |"
                )
    lines += [
        "",
        "| copy | model | " + " | ".join(JOINTS) + " |",
        "|---|---|" + "---|" * len(JOINTS),
    ]
    for copy in COPIES:
        for model in models:
            px = results["pixel_error"][model].get(copy)
            if px is None:
                continue
            cells = [
                "–" if px[j] is None else f"{px[j]['median_px']} / {px[j]['p95_px']}"
                for j in JOINTS
            ]
            lines.append(f"| {copy} | {model} | " + " | ".join(cells) + " |")
    if "ceiling" in results:
        other = models[-1]
        lines += [
            "",
            "| copy (45° only) | legs | model | count exact: hiprot (at ceiling.py's run) "
            "/ oracle / true angles | femur MAE (mean of legs): hiprot / oracle |",
            "|---|---|---|---|---|",
        ]
        for copy, c in results["ceiling"].items():
            for which, model in (("full", "full"), ("other", other)):
                exact = " / ".join(str(c[which]["count_exact"][k]) for k in CEILING_COUNTS)
                femur = " / ".join(
                    "–" if (v := c[which]["femur_mae_deg_mean_of_legs"][k]) is None else f"{v}°"
                    for k in CEILING_FEMUR
                )
                lines.append(f"| {copy} | {c['session_legs']} | {model} | {exact} | {femur} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--folder", type=Path, default=FOLDER, help="the truth and the full model's recordings"
    )
    parser.add_argument(
        "--landmarks",
        type=Path,
        default=FOLDER / "heavy",
        help="the other model's recordings (default: the committed heavy ones)",
    )
    parser.add_argument("--out", help="results file name (default accuracy_wide_<model>)")
    parser.add_argument("--markdown", type=Path, help="also write the tables as markdown here")
    args = parser.parse_args(argv)
    for folder in (args.folder, args.landmarks):
        if not folder.is_dir():
            raise SystemExit(f"{folder}: no such folder")
    results = compare(args.folder, args.landmarks)
    other = [m for m in results["models"] if m != "full"]
    ceilings = [RESULTS_DIR / "ceiling.json", RESULTS_DIR / f"ceiling_wide_{'+'.join(other)}.json"]
    if all(path.exists() for path in ceilings):
        full, mine = (json.loads(path.read_text())["wide"] for path in ceilings)
        results["ceiling"] = ceiling_side_by_side(full, mine)
    for model in results["models"]:
        for copy, r in results["results"][model].items():
            for key in ("all", "done_when_45deg"):
                s = r[key]
                print(
                    f"{model:5} {copy:6} {key:15} exact {s['count_exact']}/{s['session_legs']} "
                    f"within one {s['count_within_one']} held {s['held_clear_right']}/"
                    f"{s['held_clear_reps']} (of {s['held_clear_true']}) peak MAE "
                    f"{s['peak_internal_mae_deg']} ankles P/R {s['ankles_precision']}/"
                    f"{s['ankles_recall']} in position {s['in_position_fraction_mean']}"
                )
    name = args.out or f"accuracy_wide_{'+'.join(other) or 'full'}"
    write_outputs(name, results, args.markdown, markdown)


if __name__ == "__main__":
    main()
