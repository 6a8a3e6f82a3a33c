"""How short a leg can be in the picture before counts go wrong: the
measurement behind ``hiprot.reading.size.MIN_LEG_PX`` (issue #22, item 4).

Synthetic (``hiprot.synth``): each session of a group rendered again at
smaller pictures (640x480 times ``SCALES``), the landmark noise staying
the same in pixels, which is a camera further away for a pose estimator
whose error is a few pixels whatever the person's size (the assumption;
the renders below test it). Each worked leg's length is measured as review
measures it (``leg_lengths_px``: hip to ankle, median over the frames in
position) and its count compared with the truth. "Counts stay right" is
paired: of the legs counted exactly at full size, the share still exact at
a given length, so failures that have nothing to do with size (a side-on
camera, an ankle-only scenario) stay out of the curve.

- ``tuning``: the synthetic tuning seeds; ``reporting``: the reporting
  seeds (held out); both at the suite's ``realistic`` noise.

Renders: every clip with truth (``sample_videos/``, ``render_suite/``,
``render_suite/tuning/``, ``render_suite/wide/`` clean and webcam copies):
each worked leg's measured length, its count against the truth, and
whether the check would warn. The limit (``choose_limit``) is the shortest
leg of the tuning renders (``render_suite/tuning/``) that counted exactly;
the held-out renders are only reported on.

    python benchmarks/setup_limits.py [--jobs 2] [--landmarks DIR] [--wide DIR]

``--landmarks DIR``: landmark recordings ``DIR/NAME.landmarks.jsonl.gz``
(``hiprot extract``, the full model) used instead of running MediaPipe on
the videos; ``--wide DIR``: another folder of wide-suite recordings (the
render queue's, with clips not yet on main).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, write_results

from hiprot.errors import HiprotError
from hiprot.landmarks import Side
from hiprot.reading.size import MIN_LEG_PX, leg_lengths_px
from hiprot.review import review_pose_frames
from hiprot.synth import SessionSpec, generate
from hiprot.synth.suite import reporting_specs, tuning_specs

#: Picture sizes, as fractions of 640x480.
SCALES = (1.0, 0.75, 0.55, 0.4)
#: The synthetic noise level the sessions are generated at (the suite's
#: model of MediaPipe's noise at the renders' size).
NOISE = "realistic"
#: Legs are binned by length in steps of this many pixels.
BIN_PX = 20

RENDER_FOLDERS = {
    "sample_videos": REPO / "sample_videos",
    "render_suite": REPO / "benchmarks" / "render_suite",
    "tuning": REPO / "benchmarks" / "render_suite" / "tuning",  # the limit is chosen here
}
WIDE = REPO / "benchmarks" / "render_suite" / "wide"


# ---------------------------------------------------------------- synthetic


def _review_legs(frames, name: str, mode: str, size_wh: tuple[int, int]):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        review = review_pose_frames(frames, name, mode, size_wh=size_wh)
    sides = review.summary.mode.sides
    assert review.position is not None
    lengths = leg_lengths_px(frames, size_wh, review.position.in_position, sides)
    return review.summary.to_dict(), lengths


def synthetic_row(job: tuple[str, SessionSpec, float]) -> list[dict]:
    """Every worked leg of one session at one picture scale."""
    group, spec, scale = job
    spec = replace(spec, width=round(640 * scale), height=round(480 * scale))
    session = generate(spec)
    measured, lengths = _review_legs(
        session.frames, spec.name, spec.mode, (spec.width, spec.height)
    )
    rows = []
    for side in spec.active_legs:
        true = session.truth["legs"][side.value]["reps"]
        rows.append(
            {
                "group": group,
                "seed": spec.seed,
                "scenario": spec.scenario,
                "placement": spec.placement,
                "noise": spec.noise,
                "scale": scale,
                "leg": side.value,
                "leg_px": None if lengths[side] is None else round(lengths[side], 1),
                "true_reps": true,
                "reps": measured["legs"][side.value]["reps"],
            }
        )
    return rows


def synthetic_rows(jobs: int) -> list[dict]:
    """Every session of both groups at full size, then, for the sessions
    with a leg counted exactly there (the only ones the paired share
    reads), at each smaller size."""
    groups = {"tuning": tuning_specs(), "reporting": reporting_specs()}
    full = [(g, replace(spec, noise=NOISE), 1.0) for g, specs in groups.items() for spec in specs]
    rows: list[dict] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for out in pool.map(synthetic_row, full):
            rows += out
        print(f"full size: {len(rows)} legs", file=sys.stderr, flush=True)
        exact = {(r["group"], r["seed"]) for r in rows if r["reps"] == r["true_reps"]}
        smaller = [
            (g, spec, scale)
            for g, spec, _ in full
            if (g, spec.seed) in exact
            for scale in SCALES[1:]
        ]
        for i, out in enumerate(pool.map(synthetic_row, smaller)):
            rows += out
            if i % 20 == 0:
                print(f"{i}/{len(smaller)}", file=sys.stderr, flush=True)
    return rows


def kept_exact(rows: list[dict]) -> list[tuple[float, bool]]:
    """``(leg_px, still exact)`` for every smaller picture of a leg that
    counted exactly at full size."""
    exact_at_full = {
        (r["seed"], r["noise"], r["leg"])
        for r in rows
        if r["scale"] == 1.0 and r["reps"] == r["true_reps"]
    }
    return [
        (r["leg_px"], r["reps"] == r["true_reps"])
        for r in rows
        if r["scale"] < 1.0
        and (r["seed"], r["noise"], r["leg"]) in exact_at_full
        and r["leg_px"] is not None
    ]


def by_bin(pairs: list[tuple[float, bool]]) -> list[dict]:
    """The share still exact per ``BIN_PX`` bin of leg length."""
    bins: dict[int, list[bool]] = defaultdict(list)
    for px, ok in pairs:
        bins[int(px // BIN_PX) * BIN_PX].append(ok)
    return [
        {"from_px": lo, "to_px": lo + BIN_PX, "legs": len(v), "exact": sum(v)}
        for lo, v in sorted(bins.items())
    ]


def choose_limit(renders: list[dict]) -> float | None:
    """The shortest leg of the tuning renders (MediaPipe on pixels) that
    counted exactly: no shorter leg was shown to count right on tuning data,
    and the synthetic curve (``by_bin``) loses exact counts steadily as legs
    shorten, with no length where it stops."""
    exact = [
        r["leg_px"]
        for r in renders
        if r["set"] == "tuning" and r["leg_px"] is not None and r["reps"] == r["true_reps"]
    ]
    return min(exact) if exact else None


# ---------------------------------------------------------------- renders


def _pose_source(path: Path, landmarks: Path | None) -> Path:
    if path.name.endswith(".landmarks.jsonl.gz") or landmarks is None:
        return path
    cached = landmarks / f"{path.stem}.landmarks.jsonl.gz"
    return cached if cached.exists() else path


def render_sources(landmarks: Path | None, wide_extra: Path | None) -> list[tuple]:
    """``(set, clip, copy, truth, source)`` of every render with truth."""
    out = []
    for group, folder in RENDER_FOLDERS.items():
        for video in sorted(folder.glob("*.mp4")):
            truth = video.with_suffix(".truth.json")
            if truth.exists():
                source = _pose_source(video, landmarks)
                out.append((group, video.stem, "clean", json.loads(truth.read_text()), source))
    seen = set()
    for folder in (WIDE, wide_extra):
        if folder is None:
            continue
        for truth_path in sorted(folder.glob("*.truth.json")):
            name = truth_path.name.removesuffix(".truth.json")
            for copy, stem in (("clean", name), ("webcam", name + "-webcam")):
                rec = folder / f"{stem}.landmarks.jsonl.gz"
                if rec.exists() and stem not in seen:
                    seen.add(stem)
                    truth = json.loads(truth_path.read_text())
                    out.append(("wide", name, copy, truth, rec))
    return out


def render_rows(landmarks: Path | None, wide_extra: Path | None) -> list[dict]:
    from hiprot.sources import open_pose_source  # MediaPipe, for videos

    rows = []
    for group, clip, copy, truth, source in render_sources(landmarks, wide_extra):
        legs = [leg for leg, c in truth["legs"].items() if c["reps"] > 0]
        if not legs:
            continue
        mode = "both" if len(legs) == 2 else legs[0]
        with open_pose_source(source) as pose_source:
            frames = list(pose_source.frames)
            size_wh = (pose_source.info.width, pose_source.info.height)
        try:
            measured, lengths = _review_legs(frames, clip, mode, size_wh)
        except HiprotError as exc:  # a recording the render queue is still writing
            print(f"{source.name}: skipped ({exc})", file=sys.stderr)
            continue
        for leg in legs:
            px = lengths[Side(leg)]
            rows.append(
                {
                    "set": group,
                    "clip": clip,
                    "copy": copy,
                    "leg": leg,
                    "camera": truth["placement"]["name"],
                    "leg_px": None if px is None else round(px, 1),
                    "true_reps": truth["legs"][leg]["reps"],
                    "reps": measured["legs"][leg]["reps"],
                }
            )
    return rows


def render_summary(rows: list[dict], limit: float) -> dict:
    """Exact / within one per set and copy, for legs above and below ``limit``."""
    out: dict[str, dict] = {}
    for r in rows:
        key = f"{r['set']} {r['copy']}"
        side = (
            "unmeasured"
            if r["leg_px"] is None
            else ("at_or_above" if r["leg_px"] >= limit else "below")
        )
        cell = out.setdefault(key, {}).setdefault(side, {"legs": 0, "exact": 0, "within_one": 0})
        cell["legs"] += 1
        cell["exact"] += r["reps"] == r["true_reps"]
        cell["within_one"] += abs(r["reps"] - r["true_reps"]) <= 1
    for key, sel in list(out.items()):
        px = [r["leg_px"] for r in rows if f"{r['set']} {r['copy']}" == key and r["leg_px"]]
        sel["leg_px_range"] = [min(px), max(px)] if px else None
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="Processes for the synthetic runs.")
    parser.add_argument("--landmarks", type=Path, default=None, help="Recordings of the videos.")
    parser.add_argument("--wide", type=Path, default=None, help="More wide-suite recordings.")
    parser.add_argument(
        "--rows",
        type=Path,
        default=None,
        help="Keep the synthetic legs in this JSON file: read from it when it exists, "
        "written to it otherwise (the renders are then still read).",
    )
    parser.add_argument(
        "--render-rows",
        type=Path,
        default=None,
        help="The same for the renders' legs.",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Take the legs of the last results file and only re-judge them (the check "
        "warns, it changes no count, so a new limit needs no new reviews).",
    )
    args = parser.parse_args(argv)

    if args.reuse:
        last = json.loads((REPO / "benchmarks" / "results" / "setup_limits.json").read_text())
        rows, renders = last["synthetic_legs"], last["renders"]["legs"]
    else:
        if args.rows is not None and args.rows.exists():
            rows = json.loads(args.rows.read_text())
        else:
            rows = synthetic_rows(args.jobs)
            if args.rows is not None:
                args.rows.write_text(json.dumps(rows))
        if args.render_rows is not None and args.render_rows.exists():
            renders = json.loads(args.render_rows.read_text())
        else:
            renders = render_rows(args.landmarks, args.wide)
            if args.render_rows is not None:
                args.render_rows.write_text(json.dumps(renders))
    tuning = [r for r in rows if r["group"] == "tuning"]
    tuning_bins = by_bin(kept_exact(tuning))
    chosen = choose_limit(renders)
    reporting = [r for r in rows if r["group"] == "reporting"]
    results = {
        "what": (
            "the shortest leg in the picture (hip to ankle, px, median over the frames in "
            "position) at which rep counts stay exact: synthetic sessions at smaller pictures "
            "(same pixel noise), and every render with truth"
        ),
        "rule": {
            "scales": SCALES,
            "bin_px": BIN_PX,
        },
        "chosen_limit_px": chosen,
        "shipped_limit_px": MIN_LEG_PX,
        "tuning": {"paired_bins": tuning_bins},
        "reporting": {
            "paired_bins": by_bin(kept_exact(reporting)),
        },
        "renders": {"summary": render_summary(renders, MIN_LEG_PX), "legs": renders},
        "synthetic_legs": rows,
    }
    path = write_results("setup_limits", results)
    print(f"chosen limit {chosen} px (shipped {MIN_LEG_PX}); wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
