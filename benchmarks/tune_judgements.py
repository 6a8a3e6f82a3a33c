"""Tuning study (issue #22): the jitter window, the rep floor, the hold band
and the jittery-knee switch, chosen together on TUNING data only.

The judgements that read a leg's jitter (``hiprot.reading.judgements``)
are tried with the jitter's running median (``filters.jitter_deg``) over
a window in seconds instead of 31 samples, which span 1 s at 30 frames/s
and 2 s at the renders' 15, with the ratios that use the jitter chosen
again beside it (``SETTINGS``). Each setting is scored on:

- the synthetic tuning seeds (``tuning_specs()``) rendered at 30 and at
  15 frames/s: count exact / within one per session-leg, held verdicts on
  reps whose true hold is clear of the 1 s rule by more than
  ``HOLD_MARGIN_S``, peak internal MAE;
- lying still (``still``, every working placement at the realistic and
  high noise levels, seeds 170000+, both legs, at 30 and 15 frames/s):
  reps counted (truth 0);
- the tuning renders (``benchmarks/render_suite/tuning/``, ``sample_videos/``;
  landmark recordings from ``hiprot extract``, read from ``--landmarks``).

No held-out data is read. The expensive stages that no setting changes
(the angle series, the position gate, the leg's length) are computed once
per session and reused (``stage_cache``, entered by ``main`` only: importing
this module leaves review as it is).

    python benchmarks/tune_judgements.py --landmarks DIR --cache CACHE --build-cache 0 1
    python benchmarks/tune_judgements.py --landmarks DIR --cache CACHE [--rates 15] [--settings ...]

Results: docs/generalization.md, "The rep floor and the hold band"; the
written results are not registered with ``make_docs.py``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, match_reps, wander_floor, write_results

import hiprot.reading.filters as filters
import hiprot.reading.judgements as judgements
import hiprot.review as review_module
from hiprot import drill
from hiprot.review import review_pose_frames
from hiprot.sources import open_pose_source
from hiprot.synth import SessionSpec, generate
from hiprot.synth.camera import WORKING_PLACEMENTS
from hiprot.synth.suite import tuning_specs

HOLD_MARGIN_S = 0.2
STILL_SEED = 170_000
#: Lying still counts phantom reps at these noise levels (accuracy_negatives).
STILL_NOISE = ("realistic", "high")
FRAME_RATES = (30.0, 15.0)
RENDER_FOLDERS = (REPO / "benchmarks" / "render_suite" / "tuning", REPO / "sample_videos")


#: The frame rate of the session being reviewed: a window in seconds is
#: that many samples at it (``setting``).
_FPS: list[float] = [30.0]


def _hold_band(t_s, femur_deg) -> float:
    """``judgements.hold_band`` with the jitter weighted by ``_HOLD_RATIO``."""
    return drill.HOLD_TOLERANCE_DEG + _HOLD_RATIO[0] * filters.jitter_deg(t_s, femur_deg)


_HOLD_RATIO: list[float] = [1.0]


@contextmanager
def setting(
    window_s: float | None = 1.0,
    rep_ratio: float = 3.0,
    hold_ratio: float = 1.0,
    knee_ratio: float = 1.5,
    wander: tuple[float, ...] | None = None,
) -> Iterator[None]:
    """hiprot with these judgements: ``jitter_deg``'s running median over
    ``window_s`` seconds at the session's frame rate (None: main's 31
    samples at any rate), the rep floor ``rep_ratio`` times the jitter,
    the hold band 3° plus ``hold_ratio`` times it, the jittery-knee switch
    at ``knee_ratio``; with ``wander`` (window s, ratio[, jitter window s])
    the rep floor on the drive's wander instead (``_common.wander_floor``)."""
    old = (
        filters.JITTER_WINDOW_S,
        filters.JITTER_MIN_S,
        judgements.REP_EXCURSION_JITTER_RATIO,
        judgements.KNEE_JITTER_RATIO,
        judgements.hold_band,
        judgements.rep_excursion,
    )
    if wander is not None:
        judgements.rep_excursion = wander_floor(*wander)
    _WINDOW_S[0] = window_s
    _HOLD_RATIO[0] = hold_ratio
    judgements.REP_EXCURSION_JITTER_RATIO = rep_ratio
    judgements.KNEE_JITTER_RATIO = knee_ratio
    judgements.hold_band = _hold_band
    try:
        yield
    finally:
        _WINDOW_S[0] = None
        (
            filters.JITTER_WINDOW_S,
            filters.JITTER_MIN_S,
            judgements.REP_EXCURSION_JITTER_RATIO,
            judgements.KNEE_JITTER_RATIO,
            judgements.hold_band,
            judgements.rep_excursion,
        ) = old


_WINDOW_S: list[float | None] = [None]


def _at_frame_rate(fps: float) -> None:
    """Set ``jitter_deg``'s window for a session at ``fps``: ``_WINDOW_S``
    seconds (None: 31 samples, with at least 50, at any rate, the window
    before ``filters.JITTER_WINDOW_S``), and at least 5/3 s of samples."""
    if _WINDOW_S[0] is None:
        filters.JITTER_WINDOW_S, filters.JITTER_MIN_S = 31 / fps, 50 / fps
    else:
        filters.JITTER_WINDOW_S, filters.JITTER_MIN_S = _WINDOW_S[0], 5.0 / 3.0


def _grid() -> dict[str, dict]:
    out: dict[str, dict] = {"main (31 samples)": {"window_s": None}}
    for window in (1.0, 1.5, 2.0):
        for rep in (2.0, 3.0, 4.0):
            for hold in (1.0, 1.5, 2.0):
                for knee in (1.5,):
                    out[f"w{window:g} rep{rep:g} hold{hold:g} knee{knee:g}"] = dict(
                        window_s=window, rep_ratio=rep, hold_ratio=hold, knee_ratio=knee
                    )
    # the duration window's second study: main's hold band (1.5), the knee switch varied too
    out["main (31 samples, band 1.5)"] = {"window_s": None, "hold_ratio": 1.5}
    for window, rep, knee in (
        (1.0, 3.5, 1.5),
        (1.0, 5.0, 1.5),
        (1.0, 4.0, 1.25),
        (1.0, 4.0, 2.0),
        (1.0, 3.5, 2.0),
        (1.5, 3.5, 1.5),
        (1.5, 4.0, 1.5),
        (1.25, 3.5, 1.5),
        (1.5, 3.0, 1.5),
    ):
        out[f"w{window:g} rep{rep:g} hold1.5 knee{knee:g}"] = dict(
            window_s=window, rep_ratio=rep, hold_ratio=1.5, knee_ratio=knee
        )
    for hold, knee in ((2.0, 1.5), (1.5, 1.25), (2.0, 1.25), (2.5, 1.25)):
        out[f"w1.5 rep3.5 hold{hold:g} knee{knee:g}"] = dict(
            window_s=1.5, rep_ratio=3.5, hold_ratio=hold, knee_ratio=knee
        )
    # the rep floor on the drive's wander (``filters.wander_deg``) instead
    # of its jitter, the rest as shipped (docs/generalization.md, "A rep
    # floor that fast reps do not raise")
    shipped = {"window_s": 1.5, "rep_ratio": 3.5, "hold_ratio": 1.5, "knee_ratio": 1.25}
    out["shipped (w1.5 rep3.5 hold1.5 knee1.25)"] = shipped
    wander = {1.5: (3.5, 4.0, 5.0, 6.0, 7.0), 3.0: (3.0, 3.5, 4.0, 5.0), 5.0: (3.0,)}
    for window, ratios in wander.items():
        for ratio in ratios:
            out[f"wander {window:g} s x{ratio:g}"] = {**shipped, "wander": (window, ratio)}
    for jitter_window in (0.5,):
        out[f"wander 1.5 s x5 + jitter {jitter_window:g} s x3.5"] = {
            **shipped,
            "wander": (1.5, 5.0, jitter_window),
        }
    return out


SETTINGS: dict[str, dict] = _grid()


# ---------------------------------------------------------------- the cache

#: The stages no setting changes, per session key: (angles, position, leg sizes).
_CACHE: dict[tuple[str, str], object] = {}
_KEY: list[str] = [""]


def _cached(name: str, compute: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        key = (_KEY[0], name)
        if key not in _CACHE:
            _CACHE[key] = compute(*args, **kwargs)
        return _CACHE[key]

    return wrapper


#: review's stages that ``stage_cache`` keeps, by the name the cache files use.
_STAGES = {"angles": "angle_series", "position": "position_series", "leg_px": "leg_sizes"}


@contextmanager
def stage_cache() -> Iterator[None]:
    """Within it, review computes the stages no setting changes once per
    session (``_review``'s key) and reuses them; review is itself again on
    exit. Only this study's scripts enter it: a review of anything else
    inside would be given the last session's stages."""
    old = {name: getattr(review_module, name) for name in _STAGES.values()}
    for stage, name in _STAGES.items():
        setattr(review_module, name, _cached(stage, old[name]))
    try:
        yield
    finally:
        for name, compute in old.items():
            setattr(review_module, name, compute)
        _CACHE.clear()
        _KEY[0] = ""


def _review(key: str, frames, name: str, mode: str, size_wh: tuple[int, int]):
    _KEY[0] = key
    _at_frame_rate(1.0 / float(np.median(np.diff([f.t_s for f in frames]))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return review_pose_frames(frames, name, mode, size_wh=size_wh)


def _cache_file(folder: Path, key: str) -> Path:
    return folder / (key.replace("/", "_") + ".pkl")


def build_cache(folder: Path, landmarks: Path, shard: int, shards: int) -> None:
    """Review every session of this shard once, keeping its cached stages in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    # the 15 frames/s sessions first: they are quicker, and the window's change is there
    items = ((k, f, s, m) for k, _, f, _, s, m in render_clips(landmarks))
    for rates in ((15.0,), (30.0,)):
        items = chain(
            items,
            ((k, f, s, m) for k, _, f, _, s, m in drill_sessions(rates)),
            ((k, f, s, "both") for k, _, f, s in still_sessions(rates)),
        )
    for i, (key, frames, size, mode) in enumerate(items):
        path = _cache_file(folder, key)
        if i % shards != shard or path.exists():
            continue
        _review(key, frames, key, mode, size)
        stages = {k: v for k, v in _CACHE.items() if k[0] == key}
        path.write_bytes(pickle.dumps(stages))
        _CACHE.clear()
        print(f"cached {key}", flush=True)


def load_cache(folder: Path) -> None:
    for path in folder.glob("*.pkl"):
        _CACHE.update(pickle.loads(path.read_bytes()))


# ---------------------------------------------------------------- the data


def drill_sessions(
    rates: Sequence[float] = FRAME_RATES,
) -> Iterator[tuple[str, str, list, dict, tuple[int, int], str]]:
    """(key, group, frames, truth, size, mode) of the synthetic tuning drills."""
    for fps in rates:
        for spec in tuning_specs():
            spec = replace(spec, fps=fps)
            session = generate(spec)
            key = f"{spec.name}@{fps:g}"
            yield (
                key,
                f"synth{fps:g}",
                session.frames,
                session.truth,
                (spec.width, spec.height),
                spec.mode,
            )


def still_sessions(
    rates: Sequence[float] = FRAME_RATES,
) -> Iterator[tuple[str, str, list, tuple[int, int]]]:
    """(key, noise@fps, frames, size) of lying still at the noise levels
    that count phantom reps (realistic, high), every working placement."""
    k = 0
    for placement in WORKING_PLACEMENTS:
        for noise in STILL_NOISE:
            for fps in FRAME_RATES:
                if fps not in rates:
                    continue
                spec = SessionSpec(
                    seed=STILL_SEED + k, scenario="still", placement=placement, noise=noise, fps=fps
                )
                key = f"{spec.name}@{fps:g}"
                yield key, f"{noise}@{fps:g}", generate(spec).frames, (spec.width, spec.height)
            k += 1


def render_clips(landmarks: Path) -> Iterator[tuple[str, str, list, dict, tuple[int, int], str]]:
    for folder in RENDER_FOLDERS:
        for truth_path in sorted(folder.glob("*.truth.json")):
            stem = truth_path.name.removesuffix(".truth.json")
            rec = landmarks / f"{stem}.landmarks.jsonl.gz"
            if not rec.exists():
                raise SystemExit(f"{rec}: no landmark recording (hiprot extract)")
            truth = json.loads(truth_path.read_text())
            legs = [leg for leg, c in truth["legs"].items() if c["reps"] > 0]
            with open_pose_source(rec) as source:
                frames = list(source.frames)
                size = (source.info.width, source.info.height)
            yield stem, "renders", frames, truth, size, "both" if len(legs) == 2 else legs[0]


# ---------------------------------------------------------------- scoring


def score_drill(review, truth: dict, mode: str) -> list[dict]:
    measured = review.summary.to_dict()
    legs = ["left", "right"] if mode == "both" else [mode]
    rows = []
    for leg in legs:
        true_reps = [r for r in truth["reps"] if r["leg"] == leg]
        pairs = match_reps(true_reps, [r for r in measured["reps"] if r["leg"] == leg])
        clear = [(t, m) for t, m in pairs if abs(t["hold_s"] - drill.HOLD_MIN_S) > HOLD_MARGIN_S]
        peak = measured["legs"][leg].get("peak_internal_deg")
        rows.append(
            {
                "diff": measured["legs"][leg]["reps"] - truth["legs"][leg]["reps"],
                "held_right": sum(t["held"] == m["held"] for t, m in clear),
                "held_reps": len(clear),
                "peak_err": None
                if peak is None or not truth["legs"][leg]["reps"]
                else abs(peak - truth["legs"][leg]["peak_internal_deg"]),
            }
        )
    return rows


def summarise(rows: list[dict]) -> dict:
    peaks = [r["peak_err"] for r in rows if r["peak_err"] is not None]
    return {
        "legs": len(rows),
        "exact": sum(r["diff"] == 0 for r in rows),
        "within_one": sum(abs(r["diff"]) <= 1 for r in rows),
        "held_right": sum(r["held_right"] for r in rows),
        "held_reps": sum(r["held_reps"] for r in rows),
        "peak_mae": round(float(np.mean(peaks)), 2) if peaks else None,
    }


def _drills(
    landmarks: Path, rates: Sequence[float]
) -> Iterator[tuple[str, str, list, dict, tuple[int, int], str]]:
    yield from drill_sessions(rates)
    yield from render_clips(landmarks)


def run(names: list[str], landmarks: Path, rates: Sequence[float]) -> dict[str, dict]:
    results = {}
    for name in names:
        groups: dict[str, list[dict]] = {}
        still: dict[str, int] = {}
        with setting(**SETTINGS[name]):
            for key, group, frames, truth, size, mode in _drills(landmarks, rates):
                review = _review(key, frames, key, mode, size)
                groups.setdefault(group, []).extend(score_drill(review, truth, mode))
            for key, level, frames, size in still_sessions(rates):
                still[level] = still.get(level, 0) + len(
                    _review(key, frames, key, "both", size).reps
                )
        results[name] = {
            "setting": SETTINGS[name],
            **{group: summarise(rows) for group, rows in groups.items()},
            "still_reps": still,
            "still_total": sum(still.values()),
        }
        print(_line(name, results[name]), flush=True)
    return results


def _line(name: str, r: dict) -> str:
    parts = [name]
    for group in ("synth30", "synth15", "renders"):
        if group not in r:
            continue
        s = r[group]
        parts.append(
            f"{group} {s['exact']}/{s['within_one']}/{s['legs']} held {s['held_right']}/"
            f"{s['held_reps']} peak {s['peak_mae']}"
        )
    parts.append(f"still {r['still_total']}")
    return " | ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=Path, required=True)
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--out", default="tune_judgements")
    parser.add_argument("--rates", type=float, nargs="+", default=list(FRAME_RATES))
    parser.add_argument("--cache", type=Path, help="the stages no setting changes, kept here")
    parser.add_argument(
        "--build-cache",
        type=int,
        nargs=2,
        metavar=("SHARD", "SHARDS"),
        help="only fill --cache with this shard of the sessions",
    )
    args = parser.parse_args()
    with stage_cache():
        if args.build_cache:
            build_cache(args.cache, args.landmarks, *args.build_cache)
            return
        if args.cache:
            load_cache(args.cache)
        results = run(args.settings, args.landmarks, args.rates)
    print(f"wrote {write_results(args.out, {'tuning_only': True, 'settings': results})}")


if __name__ == "__main__":
    main()
