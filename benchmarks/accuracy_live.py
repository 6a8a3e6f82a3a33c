"""Rep counting accuracy of ``hiprot live`` against synthetic truth, beside review's.

Every session of ``hiprot.synth.suite.reporting_specs()`` goes through
everything ``hiprot live`` runs below the pose stage (``LiveSession``: the
frame-by-frame angles with their spike filter, One Euro smoothing and running foot fit,
the coach's set-up, calibration countdown and set, the rep counter) as if
the frames came from the camera, and, side by side, through
``hiprot review``'s analysis of the same frames. Per session-leg it compares
rep, held-rep and "from the ankles" counts with the truth, for three
paths: ``live`` (what live stores: each set re-read at its end with
review's reading from live's own neutral, ``hiprot.reread``),
``live_announced`` (the counts live said during the set, frame by frame)
and ``review``; and how often each live path's count equals review's. The coach is set
to one set with more target reps than any session has, so it counts until
the frames end; it takes its own neutral from the session's opening still
period, as it would live. The synthetic person does not wait for the
coach: their opening stillness (3.5-5 s) can end before the coach's set-up
and countdown (4 s) do, and the coach would then take its neutral wherever
they are next still, e.g. holding a rep. So both paths get ``LEAD_IN_S``
of the session's own opening stillness first (``_with_lead_in``): the
person lying still through the countdown, as the coach asks. Sessions run in parallel
(``--workers``, default one per core).

    python benchmarks/accuracy_live.py [--noise none|low|realistic|high]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, add_noise_option, review_synthetic, write_results

from hiprot.coach import Coach, CoachConfig
from hiprot.display import NullDisplay
from hiprot.live import HistorySaver, LiveSession
from hiprot.reps import Rep
from hiprot.synth import SessionSpec, generate
from hiprot.synth.suite import reporting_specs
from hiprot.types import PoseFrame
from hiprot.voice import SilentPlayer, Speaker

COUNTS = ("reps", "held_reps", "compensated_reps")
PATHS = ("live", "live_announced", "review")

#: Seconds of stillness put before each session (module docstring).
LEAD_IN_S = 5.0


def _with_lead_in(frames: list[PoseFrame], still_until_s: float) -> list[PoseFrame]:
    """``frames`` after ``LEAD_IN_S`` of the person lying still: the
    session's own opening still frames (up to ``still_until_s``) played
    forward and back, at the same rate, so that the lead-in has the
    session's noise (a frame repeated has none, and would lower the rep
    floor measured on it)."""
    dt = frames[1].t_s - frames[0].t_s
    n = round(LEAD_IN_S / dt)
    opening = [f for f in frames if f.t_s <= still_until_s] or frames[:1]
    there_and_back = opening + opening[-2:0:-1] or opening
    still = [
        replace(there_and_back[k % len(there_and_back)], index=k, t_s=frames[0].t_s + k * dt)
        for k in range(n)
    ]
    moved = [replace(f, index=f.index + n, t_s=f.t_s + n * dt) for f in frames]
    return still + moved


def _live_reps(spec: SessionSpec, frames: list[PoseFrame]) -> dict[str, tuple[Rep, ...]]:
    """The reps live stored and the reps it announced during the set."""
    session = LiveSession(
        coach=Coach(CoachConfig(mode=spec.mode, target_reps=1000, sets=1), source=spec.name),
        speaker=Speaker(SilentPlayer()),
        saver=HistorySaver(None, spec.name, datetime.now(timezone.utc)),
        display=NullDisplay(),
        log=lambda line: None,
        setup={"width": spec.width, "height": spec.height},
    )
    session.run((None, frame) for frame in frames)
    return {"live": session.coach.reps, "live_announced": tuple(session.announced_reps)}


def _counts(reps: tuple[Rep, ...], leg: str) -> dict[str, int]:
    mine = [rep for rep in reps if rep.leg.value == leg]
    return {
        "reps": len(mine),
        "held_reps": sum(rep.held for rep in mine),
        "compensated_reps": sum(rep.compensation for rep in mine),
    }


def _session(spec: SessionSpec) -> list[tuple[str, str, dict[str, int], dict[str, int]]]:
    """(path, leg, measured counts, true counts) of one session, both paths."""
    session = generate(spec)
    frames = _with_lead_in(session.frames, session.truth["neutral_until_s"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        measured = {**_live_reps(spec, frames), "review": review_synthetic(frames, spec).reps}
    return [
        (path, leg, _counts(reps, leg), truth)
        for leg, truth in session.truth["legs"].items()
        for path, reps in measured.items()
    ]


def evaluate(noise: str | None, workers: int | None = None) -> dict[str, object]:
    specs = reporting_specs()
    if noise is not None:
        specs = [replace(s, noise=noise) for s in specs]
    errors: dict[str, dict[str, list[int]]] = {p: defaultdict(list) for p in PATHS}
    by_noise: dict[str, dict[str, list[int]]] = {p: defaultdict(list) for p in PATHS}
    counted: dict[str, list[int]] = defaultdict(list)  # per path, reps per session-leg
    # spawned, not forked: a forked child of a process holding OpenCV's
    # threads can hang (as in hiprot.review_files)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for spec, rows in zip(specs, pool.map(_session, specs)):
            for path, _, got, truth in rows:
                counted[path].append(got["reps"])
                for name in COUNTS:
                    errors[path][name].append(got[name] - truth[name])
                by_noise[path][spec.noise].append(abs(got["reps"] - truth["reps"]))
    out: dict[str, object] = {"sessions": len(specs)}
    for path in PATHS:
        reps = np.abs(errors[path]["reps"])
        same = np.array(counted[path]) == np.array(counted["review"])
        out[path] = {
            "session_legs": len(reps),
            "count_exact_rate": float(np.mean(reps == 0)),
            "count_within_one_rate": float(np.mean(reps <= 1)),
            "count_mean_abs_error": float(np.mean(reps)),
            "held_count_exact_rate": float(np.mean(np.array(errors[path]["held_reps"]) == 0)),
            "compensated_count_exact_rate": float(
                np.mean(np.array(errors[path]["compensated_reps"]) == 0)
            ),
            "count_equals_review_rate": float(np.mean(same)),
            "count_exact_rate_by_noise": {
                level: float(np.mean(np.array(errs) == 0)) for level, errs in by_noise[path].items()
            },
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_noise_option(parser, "the suite's mix and noise-free")
    parser.add_argument(
        "--workers", type=int, default=None, help="Sessions at once (default: one per core)."
    )
    args = parser.parse_args()
    results: dict[str, object] = {"suite": "reporting", "estimator": "image"}
    for level in [args.noise] if args.noise else [None, "none"]:
        key = level or "suite_mix"
        r = evaluate(level, args.workers)
        results[key] = r
        for path in PATHS:
            m = r[path]
            assert isinstance(m, dict)
            print(
                f"[{key}] {path:14} {m['session_legs']} session-legs: "
                f"count exact {m['count_exact_rate']:.1%}, "
                f"within one {m['count_within_one_rate']:.1%}, "
                f"mean error {m['count_mean_abs_error']:.1f}, "
                f"held exact {m['held_count_exact_rate']:.1%}, "
                f"'from the ankles' exact {m['compensated_count_exact_rate']:.1%}, "
                f"equals review {m['count_equals_review_rate']:.1%}; by noise "
                + str({k: round(v, 2) for k, v in m["count_exact_rate_by_noise"].items()})
            )
    path = write_results("accuracy_live", results)
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
