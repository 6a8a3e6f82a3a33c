"""What the landmarks carry: the best femur reading any estimator could make
from MediaPipe's 2D landmarks, and what the rep counter makes of it.

An **oracle** is allowed what no estimator has, the truth: per session-leg
it fits a smooth function (a polynomial, robust to the odd swapped or lost
frame) from per-frame landmark features to the true femur rotation, and one
to the true foot rotation. Two readings of it:

- *in-sample*: fitted and scored on the same frames (optimistic: it also
  fits some of the noise);
- *held out*: fitted on three quarters of the session, scored on the
  fourth, each quarter in turn (what a curve learnt from the truth carries
  to frames it has not seen).

If even the oracle misses a target, no estimator reading these features
frame by frame meets it, however it is designed or tuned. Features, in the frame of the steady
hip->ankle image line (``hiprot.reading.series.steady_anchors``), smoothed
zero-phase over ``WINDOW_S``:

- *knee*: the knee's offset across and along the line, in hip->ankle lengths;
- *foot*: the heel->toe image angle from the line, and its length.

Sources, beside the shipped image estimator (``hiprot review``) on the same
frames:

- the synthetic suite's reporting seeds, per camera placement and noise level
  (angles, and what the review's ``BilateralCounter``, with its
  ``hold_bands``, makes of the oracle's femur and foot: counts and holds
  from the knee+foot oracle; "from the ankles" from the knee oracle's femur
  and the foot oracle's foot, because the knee+foot femur leans on the
  foot, the stronger signal, and follows an ankle-only turn: only the knee
  tells hip from ankle);
- the rendered evaluation clips, through MediaPipe, and the renderer's exact
  joint pixels (what a perfect 2D landmark detector would see); also the
  shipped reading scaled on each side of neutral to the leg's true range
  (``range_anchored``: what a range measured by hand could add);
- the wide held-out suite (``benchmarks/render_suite/wide/``, issue #22):
  its landmark recordings, clean and webcam-degraded, with the truth per
  frame (no MediaPipe runs). Per worked session-leg: the femur errors, and
  what the review's counter makes of the oracle's readings and of the true
  angles (counts, held verdicts, best internal rotation, "from the ankles"),
  beside ``hiprot review``'s; pooled and split by look, body and camera.

    python benchmarks/ceiling.py [--no-render] [--wide-only] [--wide-folder DIR ...]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.signal import savgol_filter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    JOINTS,
    REPO,
    RESULTS_DIR,
    match_reps,
    precision_recall,
    rendered_clips,
    review_synthetic,
    write_results,
)
from _wide import FOLDER as WIDE
from _wide import HOLD_MARGIN_S, NEAR_LEG, recordings, review_recording, worked_legs

from hiprot import drill
from hiprot.bilateral import BilateralCounter
from hiprot.landmarks import LEGS, Side
from hiprot.reading.geometry import LegAngles
from hiprot.reading.judgements import hold_bands
from hiprot.reading.series import AngleSeries, samples, steady_anchors
from hiprot.report import capped_readings
from hiprot.review import review_pose_frames
from hiprot.sources import open_pose_source
from hiprot.synth import generate
from hiprot.synth.suite import reporting_specs
from hiprot.types import PoseFrame, landmark_array

FloatArray = npt.NDArray[np.float64]

#: Zero-phase smoothing of the features (0.3-1.5 s change the oracle's
#: held-out error by under 0.5° on the synthetic suite).
WINDOW_S = 0.7
#: Feature columns and polynomial degree per oracle (knee+foot at degree 3
#: over-fits: better in-sample, worse held out).
ORACLES: dict[str, tuple[tuple[int, ...], int]] = {
    "knee": ((0, 1), 3),
    "foot": ((2, 3), 3),
    "knee+foot": ((0, 1, 2, 3), 2),
}
#: Residual (degrees) beyond which a frame weighs less in the oracle's fit.
HUBER_DEG = 3.0
FOLDS = 4


def _smoothed(x: FloatArray, fps: float) -> FloatArray:
    """Savitzky-Golay over ``WINDOW_S``, bridging gaps, which stay NaN."""
    seen = np.isfinite(x)
    if seen.sum() < 2:
        return x
    idx = np.arange(x.size)
    filled = np.interp(idx, idx[seen], x[seen])
    out = savgol_filter(filled, max(5, round(WINDOW_S * fps) | 1), 2)
    out[~seen] = np.nan
    return out


def leg_features(
    hip: FloatArray, knee: FloatArray, ankle: FloatArray, heel: FloatArray, toe: FloatArray
) -> FloatArray:
    """``(n_frames, 4)``: knee across, knee along, foot angle (deg), foot length.

    Each argument is ``(n_frames, 2)`` pixels.
    """
    span = ankle - hip
    length2 = np.sum(span**2, axis=-1)
    d = knee - hip
    across = (span[:, 0] * d[:, 1] - span[:, 1] * d[:, 0]) / length2
    along = np.sum(span * d, axis=-1) / length2
    foot = toe - heel
    angle = np.angle(
        np.exp(1j * (np.arctan2(foot[:, 1], foot[:, 0]) - np.arctan2(span[:, 1], span[:, 0])))
    )
    seen = np.isfinite(angle)
    angle[seen] = np.unwrap(angle[seen])
    return np.stack(
        [across, along, np.degrees(angle), np.sqrt(np.sum(foot**2, axis=-1) / length2)], axis=1
    )


def _design(x: FloatArray, degree: int) -> FloatArray:
    columns = [np.ones(len(x))]
    for power in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(x.shape[1]), power):
            columns.append(np.prod(x[:, combo], axis=1))
    return np.stack(columns, axis=1)


def _fit_predict(
    x_fit: FloatArray, y_fit: FloatArray, x_new: FloatArray, degree: int
) -> FloatArray:
    """Robust polynomial fit of ``y`` on ``x``, evaluated at ``x_new``,
    clipped to 5° past the range it was fitted on."""
    mean, std = x_fit.mean(axis=0), x_fit.std(axis=0) + 1e-12
    a, b = _design((x_fit - mean) / std, degree), _design((x_new - mean) / std, degree)
    weights = np.ones(len(y_fit))
    for _ in range(5):
        weighted = a * weights[:, None]
        coef = np.linalg.solve(a.T @ weighted + 1e-3 * np.eye(a.shape[1]), weighted.T @ y_fit)
        residual = np.abs(a @ coef - y_fit)
        weights = np.minimum(1.0, HUBER_DEG / np.maximum(residual, 1e-9))
    return np.clip(b @ coef, y_fit.min() - 5.0, y_fit.max() + 5.0)


def oracle(
    features: FloatArray, truth: FloatArray, fps: float, name: str
) -> tuple[FloatArray, FloatArray]:
    """The oracle's in-sample and held-out readings, ``(n_frames,)`` each (NaN
    where a feature or the truth is missing)."""
    columns, degree = ORACLES[name]
    x = np.stack([_smoothed(features[:, j], fps) for j in columns], axis=1)
    usable = np.flatnonzero(np.isfinite(x).all(axis=1) & np.isfinite(truth))
    in_sample, held_out = np.full(len(truth), np.nan), np.full(len(truth), np.nan)
    if usable.size < 20 * FOLDS:
        return in_sample, held_out
    x, y = x[usable], truth[usable]
    in_sample[usable] = _fit_predict(x, y, x, degree)
    edges = np.linspace(0, len(y), FOLDS + 1).astype(int)
    for lo, hi in itertools.pairwise(edges):
        test = np.zeros(len(y), dtype=bool)
        test[lo:hi] = True
        held_out[usable[test]] = _fit_predict(x[~test], y[~test], x[test], degree)
    return in_sample, held_out


def range_anchored(femur_deg: FloatArray, true_range: tuple[float, float]) -> FloatArray:
    """A leg's reading ``(n_frames,)`` scaled on each side of neutral so that
    its 2nd and 98th percentiles meet the leg's true (external, internal)
    range: what a range measured once by hand (a goniometer) would give."""
    low, high = np.nanpercentile(femur_deg, [2, 98])
    scaled = np.array(femur_deg, dtype=np.float64)
    if high > 1.0:
        scaled[femur_deg > 0] *= true_range[1] / high
    if low < -1.0:
        scaled[femur_deg < 0] *= true_range[0] / low
    return scaled


def mediapipe_points(
    pose_frames: Sequence[PoseFrame], size_wh: tuple[int, int], side: Side
) -> tuple[FloatArray, ...]:
    """Steady hip, knee, steady ankle, heel, toe pixels of one leg, as review reads them."""
    t = np.array([p.t_s for p in pose_frames])
    image = landmark_array(pose_frames, "image")
    px = image[..., :2] * np.asarray(size_wh, dtype=np.float64)
    leg = LEGS[side]
    hip, ankle = steady_anchors(t, image, size_wh, side)
    return hip, px[:, leg.knee], ankle, px[:, leg.heel], px[:, leg.foot_index]


class Pool:
    """Absolute errors (deg) gathered per group and reading."""

    def __init__(self) -> None:
        self.errors: dict[str, dict[str, list[FloatArray]]] = defaultdict(lambda: defaultdict(list))

    def add(self, groups: Sequence[str], reading: str, measured: FloatArray, truth: FloatArray):
        err = np.abs(measured - truth)
        for group in groups:
            self.errors[group][reading].append(err[np.isfinite(err)])

    def stats(self) -> dict[str, dict[str, dict[str, float]]]:
        out: dict[str, dict[str, dict[str, float]]] = {}
        for group, readings in sorted(self.errors.items()):
            out[group] = {}
            for reading, parts in readings.items():
                err = np.concatenate(parts)
                if err.size:
                    out[group][reading] = {
                        "mae_deg": float(err.mean()),
                        "p95_deg": float(np.percentile(err, 95)),
                        "frames": int(err.size),
                    }
        return out


def add_oracles(
    pool: Pool,
    groups: Sequence[str],
    features: FloatArray,
    truth: FloatArray,
    fps: float,
    prefix: str = "",
) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Every oracle's readings into the pool; returns them by oracle name."""
    fits = {name: oracle(features, truth, fps, name) for name in ORACLES}
    for name, (in_sample, held_out) in fits.items():
        pool.add(groups, f"{prefix}{name} in-sample", in_sample, truth)
        pool.add(groups, f"{prefix}{name} held out", held_out, truth)
    return fits


def true_series(
    t_s: FloatArray, legs: dict[Side, tuple[FloatArray, FloatArray]], estimator: str
) -> AngleSeries:
    """An angle series of these femur and foot angles, fully trusted where
    both are known (a leg left out: missing)."""
    nan = np.full(len(t_s), np.nan)
    angles = {}
    for side in Side:
        femur, foot = legs.get(side, (nan, nan))
        confidence = np.where(np.isfinite(femur) & np.isfinite(foot), 1.0, 0.0)
        angles[side] = LegAngles(femur, foot, foot - femur, confidence, confidence)
    return AngleSeries(t_s, np.ones(len(t_s), dtype=bool), angles, estimator)


def _count_with(
    t_s: FloatArray, mode: str, legs: dict[Side, tuple[FloatArray, FloatArray]]
) -> list[dict]:
    """The review's counter fed these femur and foot angles: its reps, as the
    session summary lists them."""
    series = true_series(t_s, legs, "world")
    counter = BilateralCounter(mode, hold_band_deg=hold_bands(series))
    frame_samples = samples(series)
    for sample in frame_samples:
        counter.update(sample)
    counter.finish(frame_samples[-1].t_s)
    return [
        {
            "leg": rep.leg.value,
            "start_s": rep.start_s,
            "end_s": rep.end_s,
            "hold_s": rep.hold_s,
            "held": rep.held,
            "compensation": rep.compensation,
            "peak_internal_deg": rep.peak_internal_deg,
        }
        for rep in counter.reps
    ]


class CountScore:
    """Rep counts, holds and "from the ankles" flags of one reading against the truth."""

    def __init__(self) -> None:
        self.count_errors: list[int] = []
        self.held_errors: list[int] = []
        self.hold_errors_s: list[float] = []
        self.truth: list[dict] = []
        self.measured: list[dict] = []
        self.pairs: list[tuple[dict, dict]] = []

    def add(self, truth: dict, measured: list[dict]) -> None:
        for leg, true_leg in truth["legs"].items():
            reps = [rep for rep in measured if rep["leg"] == leg]
            self.count_errors.append(len(reps) - true_leg["reps"])
            self.held_errors.append(sum(rep["held"] for rep in reps) - true_leg["held_reps"])
        pairs = match_reps(truth["reps"], measured)
        self.hold_errors_s += [abs(m["hold_s"] - t["hold_s"]) for t, m in pairs]
        self.truth += truth["reps"]
        self.measured += measured
        self.pairs += pairs

    def stats(self) -> dict[str, object]:
        errors = np.abs(self.count_errors)
        compensation = precision_recall(self.pairs, self.truth, self.measured, "compensation")
        return {
            "session_legs": len(errors),
            "count_exact_rate": float(np.mean(errors == 0)),
            "count_within_one_rate": float(np.mean(errors <= 1)),
            "count_mean_abs_error": float(np.mean(errors)),
            "held_count_exact_rate": float(np.mean(np.equal(self.held_errors, 0))),
            "hold_duration_mean_abs_error_s": float(np.mean(self.hold_errors_s)),
            "compensation_precision": compensation["precision"],
            "compensation_recall": compensation["recall"],
        }


def synthetic_suite() -> tuple[dict, dict]:
    """Angle errors per placement/noise and count errors per noise, shipped and oracle."""
    pool = Pool()
    counts: dict[str, dict[str, CountScore]] = defaultdict(lambda: defaultdict(CountScore))
    for spec in reporting_specs():
        session = generate(spec)
        size_wh = (spec.width, spec.height)
        shipped = review_synthetic(session.frames, spec)
        t = shipped.series.t_s
        truth_t = np.asarray(session.truth["frames"]["t"], dtype=float)
        groups = (f"{spec.placement.rsplit('_', 1)[0]}/{spec.noise}", f"all/{spec.noise}")
        oracle_legs: dict[str, dict[Side, tuple[FloatArray, FloatArray]]] = {}
        truth_legs = {}
        for leg in session.truth["legs"]:
            side = Side(leg)
            true = session.truth["frames"][leg]
            femur = np.interp(t, truth_t, np.asarray(true["femur_deg"], dtype=float))
            foot = np.interp(t, truth_t, np.add(true["femur_deg"], true["twist_deg"]))
            pool.add(groups, "shipped", shipped.series.legs[side].femur_deg, femur)
            features = leg_features(*mediapipe_points(session.frames, size_wh, side))
            femur_fits = add_oracles(pool, groups, features, femur, spec.fps)
            fits = {
                "oracle": (
                    femur_fits["knee+foot"],
                    oracle(features, foot, spec.fps, "knee+foot"),
                ),
                "oracle knee|foot": (
                    femur_fits["knee"],
                    oracle(features, foot, spec.fps, "foot"),
                ),
            }
            for name, (femur_fit, foot_fit) in fits.items():
                for k, how in enumerate(("in-sample", "held out")):
                    reading = f"{name} {how}"
                    oracle_legs.setdefault(reading, {})[side] = (femur_fit[k], foot_fit[k])
            truth_legs[side] = (femur, foot)
        measured = {
            "shipped": shipped.summary.to_dict()["reps"],
            **{reading: _count_with(t, spec.mode, legs) for reading, legs in oracle_legs.items()},
            "truth": _count_with(t, spec.mode, truth_legs),
        }
        for reading, reps in measured.items():
            for noise in (spec.noise, "mix"):
                counts[noise][reading].add(session.truth, reps)
        print(f"  {spec.name}", flush=True)
    count_stats = {
        noise: {reading: score.stats() for reading, score in readings.items()}
        for noise, readings in counts.items()
    }
    return pool.stats(), count_stats


def rendered_suite(folders: Sequence[Path], model: str = "full", cache: Path | None = None) -> dict:
    """Per placement: shipped, oracle on MediaPipe's landmarks, oracle on exact pixels."""
    pool = Pool()
    for clip in rendered_clips(folders, model, cache):
        legs = clip.worked_legs
        if not legs:
            continue
        mode = "both" if len(legs) == 2 else legs[0]
        shipped = review_pose_frames(
            clip.pose_frames, clip.video.name, mode, size_wh=clip.size_wh, pose_model=model
        )
        t = shipped.series.t_s
        truth = clip.truth
        truth_t = np.asarray(truth["frames"]["t"], dtype=float)
        groups = (f"placement {truth['placement']['name']}", clip.video.name)
        pixels = truth["frames"]["pixels"]
        for leg in legs:
            femur_true = np.asarray(truth["frames"][leg]["femur_deg"], dtype=float)
            femur = np.interp(t, truth_t, femur_true, left=np.nan, right=np.nan)
            reading = shipped.series.legs[Side(leg)].femur_deg
            pool.add(groups, "shipped", reading, femur)
            true_range = (
                truth["legs"][leg]["peak_external_deg"],
                truth["legs"][leg]["peak_internal_deg"],
            )
            pool.add(groups, "shipped, range anchored", range_anchored(reading, true_range), femur)
            points = mediapipe_points(clip.pose_frames, clip.size_wh, Side(leg))
            add_oracles(pool, groups, leg_features(*points), femur, clip.fps)
            exact = leg_features(
                *(
                    np.asarray(pixels[f"{leg}_{joint}"], dtype=float)
                    for joint in ("hip", "knee", "ankle", "heel", "toe")
                )
            )
            add_oracles(pool, groups, exact, femur_true, truth["fps"], prefix="exact pixels ")
        print(f"  {clip.video.name}", flush=True)
    return pool.stats()


# ---------------------------------------------------------------- the wide suite

#: Manifest fields (and the leg's side) the wide results are split by.
WIDE_SPLITS = (
    "outfit",
    "body",
    "distance_m",
    "height",
    "azimuth_deg",
    "lighting",
    "script",
    "side",
)
#: Femur readings scored against the truth frame by frame on the wide suite.
WIDE_ANGLES = (
    "shipped",
    "shipped, range anchored",
    "knee held out",
    "foot held out",
    "knee+foot held out",
    "knee+foot in-sample",
    "exact pixels knee+foot held out",
)
#: What the review's counter is fed: "oracle" is the knee+foot femur and
#: foot; "oracle knee|foot" the knee-only femur with the foot oracle's foot.
WIDE_COUNTS = (
    "shipped",
    "oracle held out",
    "oracle in-sample",
    "oracle knee|foot held out",
    "truth",
)


def wide_recordings(
    folders: Sequence[Path], landmarks: Path | None = None
) -> Iterator[tuple[str, str, dict, Path]]:
    """(clip, copy, truth, recording) of every recorded drill clip
    (``_wide.recordings``): with ``landmarks`` (another pose model's
    recordings, named alike), the copies recorded there, each on its own;
    else the clips with both."""
    return recordings(folders, landmarks, whole=landmarks is None)


def _leg_counts(reps: list[dict], leg: str) -> dict:
    mine = [rep for rep in reps if rep["leg"] == leg]
    return {
        "reps": len(mine),
        "held_reps": sum(rep["held"] for rep in mine),
        "peak_internal_deg": max((rep["peak_internal_deg"] for rep in mine), default=None),
    }


def wide_clip(name: str, copy: str, truth: dict, rec: Path) -> list[dict]:
    """One recording's worked legs: per leg, the femur errors of every reading
    (``"_errors"``, dropped before writing), and what the review and the
    counter fed each reading count, hold and flag, with the matched reps."""
    legs = worked_legs(truth)
    mode = "both" if len(legs) == 2 else legs[0]
    read = review_recording(name, truth, rec)
    frames, size_wh, fps, shipped = read.frames, read.size_wh, read.fps, read.review
    t = np.array([frame.t_s for frame in frames])
    found = any(frame.has_pose for frame in frames)
    nan = np.full(len(t), np.nan)
    at_limit = capped_readings(shipped) if shipped else frozenset()
    truth_t = np.asarray(truth["frames"]["t"], dtype=float)
    pixels = truth["frames"]["pixels"]
    counted: dict[str, dict[Side, tuple[FloatArray, FloatArray]]] = defaultdict(dict)
    angle_errors: dict[str, dict[str, FloatArray]] = {}
    for leg in legs:
        side = Side(leg)
        true = truth["frames"][leg]
        femur_true = np.asarray(true["femur_deg"], dtype=float)
        femur = np.interp(t, truth_t, femur_true, left=np.nan, right=np.nan)
        foot = np.interp(t, truth_t, femur_true + np.asarray(true["twist_deg"]), np.nan, np.nan)
        reading = nan
        if shipped is not None:
            reading = np.interp(t, shipped.series.t_s, shipped.series.legs[side].femur_deg)
        true_range = (
            truth["legs"][leg]["peak_external_deg"],
            truth["legs"][leg]["peak_internal_deg"],
        )
        if found:
            features = leg_features(*mediapipe_points(frames, size_wh, side))
        else:
            features = np.full((len(t), 4), np.nan)
        fits = {name: oracle(features, femur, fps, name) for name in ORACLES}
        foot_fits = {name: oracle(features, foot, fps, name) for name in ("knee+foot", "foot")}
        exact = leg_features(
            *(np.asarray(pixels[f"{leg}_{joint}"], dtype=float) for joint in JOINTS)
        )
        exact_fit = oracle(exact, femur_true, truth["fps"], "knee+foot")[1]
        anchored = range_anchored(reading, true_range) if np.isfinite(reading).any() else nan
        measured = {
            "shipped": (reading, femur),
            "shipped, range anchored": (anchored, femur),
            **{f"{n} held out": (fits[n][1], femur) for n in ORACLES},
            "knee+foot in-sample": (fits["knee+foot"][0], femur),
            "exact pixels knee+foot held out": (exact_fit, femur_true),
        }
        angle_errors[leg] = {}
        for key, (m, y) in measured.items():
            err = np.abs(m - y)
            angle_errors[leg][key] = err[np.isfinite(err)]
        counted["oracle held out"][side] = (fits["knee+foot"][1], foot_fits["knee+foot"][1])
        counted["oracle in-sample"][side] = (fits["knee+foot"][0], foot_fits["knee+foot"][0])
        counted["oracle knee|foot held out"][side] = (fits["knee"][1], foot_fits["foot"][1])
        counted["truth"][side] = (femur, foot)
    reps = {"shipped": shipped.summary.to_dict()["reps"] if shipped else []}
    reps |= {reading: _count_with(t, mode, counted[reading]) for reading in WIDE_COUNTS[1:]}
    manifest = truth["manifest"]
    rows = []
    for leg in legs:
        true_reps = [r for r in truth["reps"] if r["leg"] == leg]
        row = {
            "clip": name,
            "copy": copy,
            "leg": leg,
            "side": "near" if leg == NEAR_LEG else "far",
            **{k: manifest[k] for k in WIDE_SPLITS if k != "side"},
            "person_found": found,
            "reps_true": truth["legs"][leg]["reps"],
            "held_true": truth["legs"][leg]["held_reps"],
            "compensated_true": truth["legs"][leg]["compensated_reps"],
            "peak_internal_true": truth["legs"][leg]["peak_internal_deg"],
            "femur_mae_deg": {
                key: round(float(err.mean()), 2) if err.size else None
                for key, err in angle_errors[leg].items()
            },
            "counts": {},
            "_errors": angle_errors[leg],
            "_pairs": {},
        }
        for reading, measured_reps in reps.items():
            mine = [rep for rep in measured_reps if rep["leg"] == leg]
            counts = _leg_counts(mine, leg)
            if reading == "shipped" and shipped is not None:
                peak = shipped.summary.legs[Side(leg)].peak_internal_deg
                counts["peak_internal_deg"] = peak
                counts["peak_capped"] = f"{leg}-in" in at_limit
            row["counts"][reading] = counts
            row["_pairs"][reading] = (match_reps(true_reps, mine), true_reps, mine)
        rows.append(row)
    return rows


#: The readings kept in the splits by look, body and camera (all of them pooled).
WIDE_SPLIT_READINGS = ("shipped", "knee+foot held out", "oracle held out", "truth")


def wide_summary(rows: list[dict], keep: Sequence[str] | None = None) -> dict:
    """Per reading over some session-legs: femur MAE / p95, counts exact and
    within one, held counts, held verdicts (clear of the 1 s rule and
    borderline), best internal rotation and "from the ankles"; only the
    readings in ``keep`` if given."""
    out: dict[str, dict] = {"session_legs": len(rows)}
    for key in WIDE_ANGLES:
        if keep is not None and key not in keep:
            continue
        err = np.concatenate([r["_errors"][key] for r in rows] or [np.array([])])
        out[f"femur {key}"] = (
            {
                "mae_deg": round(float(err.mean()), 2),
                "p95_deg": round(float(np.percentile(err, 95)), 2),
                "frames": int(err.size),
            }
            if err.size
            else None
        )
    for reading in WIDE_COUNTS:
        if keep is not None and reading not in keep:
            continue
        diffs = [r["counts"][reading]["reps"] - r["reps_true"] for r in rows]
        pairs = [p for r in rows for p in r["_pairs"][reading][0]]
        true_reps = [t for r in rows for t in r["_pairs"][reading][1]]
        measured = [m for r in rows for m in r["_pairs"][reading][2]]
        clear = [(t, m) for t, m in pairs if abs(t["hold_s"] - drill.HOLD_MIN_S) > HOLD_MARGIN_S]
        border = [(t, m) for t, m in pairs if abs(t["hold_s"] - drill.HOLD_MIN_S) <= HOLD_MARGIN_S]
        clear_true = sum(abs(t["hold_s"] - drill.HOLD_MIN_S) > HOLD_MARGIN_S for t in true_reps)
        peaks = [
            abs(r["counts"][reading]["peak_internal_deg"] - r["peak_internal_true"])
            for r in rows
            if r["counts"][reading]["peak_internal_deg"] is not None
            and not r["counts"][reading].get("peak_capped", False)
        ]
        ankles = precision_recall(pairs, true_reps, measured, "compensation")
        out[reading] = {
            "count_exact": sum(d == 0 for d in diffs),
            "count_within_one": sum(abs(d) <= 1 for d in diffs),
            "count_exact_rate": round(float(np.mean(np.equal(diffs, 0))), 3) if diffs else None,
            "count_within_one_rate": (
                round(float(np.mean(np.abs(diffs) <= 1)), 3) if diffs else None
            ),
            "held_count_exact": sum(
                r["counts"][reading]["held_reps"] == r["held_true"] for r in rows
            ),
            # Over the clear true reps, a missed rep counts as a wrong verdict.
            "held_verdict_clear": {
                "right": sum(t["held"] == m["held"] for t, m in clear),
                "matched": len(clear),
                "reps": clear_true,
            },
            "held_verdict_borderline": {
                "right": sum(t["held"] == m["held"] for t, m in border),
                "matched": len(border),
            },
            "peak_internal_mae_deg": round(float(np.mean(peaks)), 1) if peaks else None,
            "peak_internal_scored": len(peaks),
            "from_ankles": ankles,
        }
    return out


def wide_suite(folders: Sequence[Path], landmarks: Path | None = None) -> dict:
    """The oracle and the shipped reading on every finished wide clip, clean
    and webcam copies, per session-leg, pooled and split by the manifest
    (on the recordings in ``landmarks`` if given)."""
    rows: list[dict] = []
    for name, copy, truth, rec in wide_recordings(folders, landmarks):
        clip_rows = wide_clip(name, copy, truth, rec)
        rows += clip_rows
        for r in clip_rows:
            c = r["counts"]
            print(
                f"  {name:16} {copy:6} {r['leg']:5} true {r['reps_true']} shipped "
                f"{c['shipped']['reps']} oracle {c['oracle held out']['reps']} truth-fed "
                f"{c['truth']['reps']}  femur MAE shipped {r['femur_mae_deg']['shipped']} "
                f"oracle {r['femur_mae_deg']['knee+foot held out']}",
                flush=True,
            )
    results: dict[str, object] = {
        "held_out": True,
        "folders": [
            str(f.relative_to(REPO)) if f.is_relative_to(REPO) else str(f) for f in folders
        ],
        "clips": sorted({r["clip"] for r in rows}),
    }
    for copy in ("clean", "webcam"):
        mine = [r for r in rows if r["copy"] == copy]
        if not mine:
            continue
        results[copy] = {
            "all": wide_summary(mine),
            "by": {
                field: {
                    str(level): wide_summary(
                        [r for r in mine if r[field] == level], WIDE_SPLIT_READINGS
                    )
                    for level in sorted({r[field] for r in mine}, key=str)
                }
                for field in WIDE_SPLITS
            },
        }
    results["session_legs"] = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    return results


def _model_of(rec: Path) -> str:
    with open_pose_source(rec) as source:
        return source.info.landmark_model


def _print_angles(title: str, stats: dict) -> None:
    print(title)
    for group, readings in stats.items():
        cells = "  ".join(
            f"{reading} {r['mae_deg']:4.1f}/{r['p95_deg']:4.1f}"
            for reading, r in readings.items()
            if "in-sample" not in reading or reading.startswith("knee+foot")
        )
        print(f"  {group:28} {cells}")


def _print_wide(wide: dict) -> None:
    print(
        "wide suite (exact / within one / held verdicts clear right of true / peak MAE "
        '(scored) / "from the ankles" P R; femur MAE / p95):'
    )
    for copy in ("clean", "webcam"):
        if copy not in wide:
            continue
        a = wide[copy]["all"]
        for reading in WIDE_COUNTS:
            r = a[reading]
            hv = r["held_verdict_clear"]
            print(
                f"  {copy:6} {reading:26} {r['count_exact']}/{a['session_legs']} "
                f"{r['count_within_one']}/{a['session_legs']} {hv['right']}/{hv['reps']} "
                f"{r['peak_internal_mae_deg']} ({r['peak_internal_scored']}) "
                f"{_fraction(r['from_ankles']['precision'])} "
                f"{_fraction(r['from_ankles']['recall'])}"
            )
        for key in WIDE_ANGLES:
            f = a[f"femur {key}"]
            if f:
                print(f"  {copy:6} femur {key:34} {f['mae_deg']:5.2f} / {f['p95_deg']:5.2f}")


def _fraction(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--no-render", action="store_true", help="Skip the rendered clips (MediaPipe, ~8 min)."
    )
    parser.add_argument(
        "--model",
        choices=("full", "heavy"),
        default="full",
        help="Landmark model for the rendered clips; heavy scores only them (the synthetic "
        "seeds have no model) and writes ceiling_heavy.json.",
    )
    parser.add_argument(
        "--cache", type=Path, default=None, help="Landmarks cached by pose_models.py --cache."
    )
    parser.add_argument(
        "--wide-folder",
        type=Path,
        action="append",
        help=f"Wide-suite folder (repeatable; the first holding a clip wins; default {WIDE}).",
    )
    parser.add_argument(
        "--wide-landmarks",
        type=Path,
        help="With --wide-only: score another pose model's recordings of the wide clips (this "
        "folder, named alike; the copies recorded there) and write ceiling_wide_<model>.json.",
    )
    parser.add_argument(
        "--wide-only",
        action="store_true",
        help="Score only the wide suite (recordings, ~5 min) and keep the other sections of "
        "the last ceiling.json.",
    )
    args = parser.parse_args()
    wide_folders = args.wide_folder or [WIDE]
    for folder in wide_folders:
        if not folder.is_dir():
            raise SystemExit(f"{folder}: no such folder")
    if args.wide_landmarks is not None:
        other = args.wide_landmarks
        if not args.wide_only or not other.is_dir():
            raise SystemExit(f"--wide-landmarks {other}: needs --wide-only and a folder")
        wide = wide_suite(wide_folders, other)
        models = sorted({_model_of(rec) for *_, rec in wide_recordings(wide_folders, other)})
        wide["landmarks"] = str(args.wide_landmarks)
        wide["pose_models"] = models
        _print_wide(wide)
        path = write_results(f"ceiling_wide_{'+'.join(models)}", {"wide": wide})
        print(f"wrote {path.relative_to(REPO)}")
        return
    if args.wide_only:
        previous = RESULTS_DIR / "ceiling.json"
        if args.model != "full" or not previous.exists():
            raise SystemExit(
                "--wide-only keeps the full model's last ceiling.json: run without it first"
            )
        results = json.loads(previous.read_text())
        results = {k: v for k, v in results.items() if k not in ("benchmark", "machine")}
        results["earlier_sections_machine"] = json.loads(previous.read_text())["machine"]
        print("wide suite:")
        results["wide"] = wide_suite(wide_folders)
        _print_wide(results["wide"])
        path = write_results("ceiling", results)
        print(f"wrote {path.relative_to(REPO)}")
        return
    results: dict[str, object] = {"window_s": WINDOW_S, "model": args.model}
    synthetic_angles: dict = {}
    counting: dict = {}
    if args.model == "full":
        print("synthetic reporting seeds:")
        synthetic_angles, counting = synthetic_suite()
        results |= {"synthetic": synthetic_angles, "counting": counting}
    if not args.no_render:
        print("rendered clips:")
        results["rendered"] = rendered_suite(
            [REPO / "sample_videos", REPO / "benchmarks" / "render_suite"], args.model, args.cache
        )
    _print_angles("femur MAE / p95 (deg), synthetic:", synthetic_angles)
    if "rendered" in results:
        _print_angles("femur MAE / p95 (deg), rendered:", results["rendered"])
    print(
        "rep counts, synthetic (exact / within one / mean error / held exact / hold error s / "
        '"from the ankles" P R):'
    )
    for noise, readings in counting.items():
        for reading, r in readings.items():
            print(
                f"  {noise:9} {reading:26} {r['count_exact_rate']:4.0%} "
                f"{r['count_within_one_rate']:4.0%} {r['count_mean_abs_error']:5.2f} "
                f"{r['held_count_exact_rate']:4.0%} {r['hold_duration_mean_abs_error_s']:5.2f} "
                f"{_fraction(r['compensation_precision'])} {_fraction(r['compensation_recall'])}"
            )
    if args.model == "full":
        print("wide suite:")
        results["wide"] = wide_suite(wide_folders)
        _print_wide(results["wide"])
    path = write_results("ceiling" if args.model == "full" else "ceiling_heavy", results)
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
