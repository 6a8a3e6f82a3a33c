"""Every "from the ankles" verdict of the wide render suite, rep by rep (issue #22).

Read only: reviews each recording as ``generalization.py`` does (``main``,
the committed landmarks of one pose model) and, for every true
compensated rep and every flagged rep, writes what the counter measured
over the attempt (the femur's and the twist's sweeps, the rule's inputs)
beside the truth over the same span, and what the leg was (near or far,
foot-driven, knee too flat to tell, its femur reading's slope against the
true femur over the session). Each row is put in one cause
(``cause``); ``--markdown`` tabulates the causes per model and copy.

    python benchmarks/ankles_diagnosis.py [--landmarks DIR ...] [--out NAME] [--markdown OUT.md]
    python benchmarks/ankles_diagnosis.py --candidate NAME ...  # a generalization.py candidate
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import match_reps, write_outputs
from _wide import FOLDER, NEAR_LEG, recordings, review_recording, worked_legs
from generalization import CANDIDATES

import hiprot.review as review_module
from hiprot import drill, reps
from hiprot.landmarks import Side
from hiprot.reading.series import AngleSeries

#: The causes, in the order the table lists them.
CAUSES = {
    "lost": "true compensated rep not counted at all",
    "knee_flat": "counted on a leg read from its foot alone (knee too flat): twist cannot be told",
    "twist_small": "counted, twist read under 15°",
    "femur_big": "counted, twist over 15°, not flagged (main: femur read >= twist / 1.5)",
    "phantom": "flagged rep matches no true rep",
    "femur_short": "hip rep flagged: femur read < half its true sweep",
    "twist_noise": "hip rep flagged: femur read >= half its true sweep, twist from foot noise",
}


@contextmanager
def _instrumented() -> Iterator[tuple[dict, list]]:
    """The counter's attempt sweeps per rep ((side, start_s) -> sweeps) and
    the relative series each count read (the last one is the final count's)."""
    sweeps: dict[tuple[str, float], dict] = {}
    series: list[AngleSeries] = []
    close, fit, flat = (
        reps.RepCounter._close,
        review_module.fit_foot_to_femur,
        review_module.flat_femurs,
    )
    flats: list[frozenset[Side]] = []

    def _close(self, t, end_s):
        a = self._attempt
        key = (self.side.value, round(a.start_s, 4))
        sweeps[key] = {
            "femur_sweep": a.femur_max_deg - a.femur_min_deg,
            "twist_sweep": a.twist_max_deg - a.twist_min_deg,
        }
        return close(self, t, end_s)

    def _fit(s):
        out = fit(s)
        series.append(out)
        return out

    def _flat(*args, **kwargs):
        out = flat(*args, **kwargs)
        flats.append(out)
        return out

    reps.RepCounter._close = _close
    review_module.fit_foot_to_femur = _fit
    review_module.flat_femurs = _flat
    try:
        yield sweeps, series, flats
    finally:
        reps.RepCounter._close = close
        review_module.fit_foot_to_femur = fit
        review_module.flat_femurs = flat


def _sweep(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(values.max() - values.min()) if len(values) else float("nan")


def _slope(measured: np.ndarray, true: np.ndarray) -> float:
    """Least-squares slope through zero of the reading on the truth."""
    use = np.isfinite(measured) & np.isfinite(true)
    denom = float(np.sum(true[use] ** 2))
    return float(np.sum(measured[use] * true[use]) / denom) if denom > 0 else float("nan")


def rows_of(name: str, copy: str, truth: dict, rec: Path) -> list[dict]:
    with _instrumented() as (sweeps, series, flats):
        reviewed = review_recording(name, truth, rec)
    review = reviewed.review
    if review is None:
        measured: list[dict] = []
    else:
        measured = review.summary.to_dict()["reps"]
    relative = series[-1] if series else None
    flat = flats[-1] if flats else frozenset()
    t_true = np.asarray(truth["frames"]["t"], dtype=float)
    rows = []
    for leg in worked_legs(truth):
        side = Side(leg)
        true_femur = np.asarray(truth["frames"][leg]["femur_deg"], dtype=float)
        true_twist = np.asarray(truth["frames"][leg]["twist_deg"], dtype=float)
        femur_slope = float("nan")
        if relative is not None:
            at = np.interp(relative.t_s, t_true, true_femur)
            femur_slope = _slope(relative.legs[side].femur_deg, at)
        true_reps = [r for r in truth["reps"] if r["leg"] == leg]
        mine = [r for r in measured if r["leg"] == leg]
        pairs = match_reps(true_reps, mine)
        matched = {id(m): t for t, m in pairs}
        matched_true = {id(t): m for t, m in pairs}
        base = {
            "clip": name,
            "copy": copy,
            "model": reviewed.pose_model,
            "leg": leg,
            "side": "near" if leg == NEAR_LEG else "far",
            "view": None if review is None else review.series.view.name,
            "foot_driven": review is not None and side in review.foot_driven,
            "knee_flat": side in flat,
            "femur_slope": round(femur_slope, 2),
            "script": truth["manifest"]["script"],
            "outfit": truth["manifest"]["outfit"],
            "body": truth["manifest"]["body"],
        }

        def span(start: float, end: float) -> dict:
            inside = (t_true >= start) & (t_true <= end)
            return {
                "true_femur_sweep": round(_sweep(true_femur[inside]), 1),
                "true_twist_sweep": round(_sweep(true_twist[inside]), 1),
            }

        for t in true_reps:
            m = matched_true.get(id(t))
            if t["compensation"] or (m is not None and m["compensation"]):
                rows.append(_row(base, t, m, sweeps, span))
        for m in mine:
            if m["compensation"] and id(m) not in matched:
                rows.append(_row(base, None, m, sweeps, span))
    return rows


def _row(base: dict, t: dict | None, m: dict | None, sweeps: dict, span) -> dict:
    row = dict(base)
    row["true"] = None if t is None else bool(t["compensation"])
    row["flagged"] = None if m is None else bool(m["compensation"])
    row["true_span_s"] = None if t is None else [t["start_s"], t["end_s"]]
    row["rep_span_s"] = None if m is None else [m["start_s"], m["end_s"]]
    if m is not None:
        s = sweeps.get((m["leg"], round(m["start_s"], 4)))
        if s is None:  # start_s rounded in the summary: the nearest attempt of the leg
            near = [k for k in sweeps if k[0] == m["leg"]]
            k = min(near, key=lambda k: abs(k[1] - m["start_s"]), default=None)
            s = sweeps.get(k) if k is not None and abs(k[1] - m["start_s"]) < 0.1 else None
        if s is not None:
            row["femur_sweep"] = round(s["femur_sweep"], 1)
            row["twist_sweep"] = round(s["twist_sweep"], 1)
        row.update(span(m["start_s"], m["end_s"]))
    elif t is not None:
        row.update(span(t["start_s"], t["end_s"]))
    row["cause"] = cause(row)
    return row


def cause(row: dict) -> str | None:
    """One cause per wrong verdict (None: the verdict is right)."""
    if row["true"] and row["flagged"]:
        return None
    if row["true"]:
        if row["flagged"] is None:
            return "lost"
        if row["knee_flat"]:
            return "knee_flat"
        if row.get("twist_sweep", 0.0) < drill.COMPENSATION_MIN_TWIST_DEG:
            return "twist_small"
        return "femur_big"
    if row["true"] is None:
        return "phantom"
    if row.get("femur_sweep", 0.0) < 0.5 * row["true_femur_sweep"]:
        return "femur_short"
    return "twist_noise"


def summarise(rows: Sequence[dict]) -> dict:
    out = {}
    for model in sorted({r["model"] for r in rows}):
        for copy in ("clean", "webcam"):
            mine = [r for r in rows if r["model"] == model and r["copy"] == copy]
            if not mine:
                continue
            out[f"{model}/{copy}"] = {
                "true": sum(bool(r["true"]) for r in mine),
                "right": sum(bool(r["true"] and r["flagged"]) for r in mine),
                "flagged": sum(bool(r["flagged"]) for r in mine),
                "causes": dict(Counter(r["cause"] for r in mine if r["cause"])),
                "causes_by_side": dict(
                    Counter(f"{r['cause']}/{r['side']}" for r in mine if r["cause"])
                ),
            }
    return out


def markdown(results: dict) -> str:
    keys = list(results["summary"])
    lines = [
        "| cause | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for c, text in CAUSES.items():
        cells = []
        for k in keys:
            s = results["summary"][k]
            n = s["causes"].get(c, 0)
            near = s["causes_by_side"].get(f"{c}/near", 0)
            cells.append(f"{n} ({near} near)" if n else "0")
        lines.append(f"| {text} | " + " | ".join(cells) + " |")
    for label, field in (("right / true", "right"), ("flagged", "flagged")):
        cells = []
        for k in keys:
            s = results["summary"][k]
            cells.append(f"{s['right']} / {s['true']}" if field == "right" else str(s["flagged"]))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--landmarks",
        type=Path,
        nargs="*",
        default=[None],
        help="recording folders (default: the full model's, beside the truth)",
    )
    parser.add_argument(
        "--candidate",
        default="main",
        choices=list(CANDIDATES),
        help="read as this generalization.py candidate (default: main)",
    )
    parser.add_argument("--out", default="ankles_diagnosis", help="results file name")
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown here")
    args = parser.parse_args(argv)
    rows = []
    with CANDIDATES[args.candidate]():
        for landmarks in args.landmarks:
            for clip in recordings(FOLDER, landmarks):
                rows += rows_of(*clip)
                print(clip[0], clip[1], flush=True)
    results = {
        "held_out": True,
        "candidate": args.candidate,
        "summary": summarise(rows),
        "reps": rows,
    }
    write_outputs(args.out, results, args.markdown, markdown)


if __name__ == "__main__":
    main()
