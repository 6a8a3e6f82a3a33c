"""Every "from the ankles" rule on the synthetic seeds, rep by rep (issue #22).

The ``generalization.py`` candidates that change only the flag (``main``
and the ``ankles_*`` rules) count alike, so one review per session is
enough: it keeps the sweeps each counted rep and its leg's earlier reps
gave the counter (what ``reps.from_the_ankles`` is called with), and every
rule is judged on them against the truth. On the tuning seeds (the
default) this is where a rule's constant is chosen; the reporting seeds'
numbers are ``accuracy_reps.py --candidate NAME``'s, not this.

    python benchmarks/ankles_rules.py [--seeds tuning|reporting] [--rules NAME ...]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, match_reps, review_synthetic, write_results
from generalization import CANDIDATES

from hiprot import reps
from hiprot.reading.series import ESTIMATORS
from hiprot.synth import generate
from hiprot.synth.suite import reporting_specs, tuning_specs

Rule = Callable[[reps.Sweeps, Sequence[reps.Sweeps]], bool]


@contextmanager
def _kept_sweeps() -> Iterator[dict[tuple[str, float], tuple]]:
    """Per counted rep ((side, start_s)): its sweeps and its leg's earlier reps'."""
    kept: dict[tuple[str, float], tuple] = {}
    close = reps.RepCounter._close

    def _close(self, t, end_s):
        a = self._attempt
        sweeps = reps.Sweeps(
            a.femur_max_deg - a.femur_min_deg,
            a.foot_max_deg - a.foot_min_deg,
            a.twist_max_deg - a.twist_min_deg,
        )
        kept[(self.side.value, a.start_s)] = (sweeps, tuple(self._sweeps))
        return close(self, t, end_s)

    reps.RepCounter._close = _close
    try:
        yield kept
    finally:
        reps.RepCounter._close = close


def captured(seeds: str, estimator: str) -> tuple[list[dict], int]:
    """Every counted rep of the seeds (its sweeps, its leg's earlier ones,
    whether the truth calls it compensated) and the true compensated reps."""
    specs = tuning_specs() if seeds == "tuning" else reporting_specs()
    rows, true = [], 0
    for spec in specs:
        session = generate(spec)
        with _kept_sweeps() as kept:
            measured = review_synthetic(session.frames, spec, estimator).summary.to_dict()["reps"]
        truth_of = {id(m): t for t, m in match_reps(session.truth["reps"], measured)}
        for m in measured:
            key = min((k for k in kept if k[0] == m["leg"]), key=lambda k: abs(k[1] - m["start_s"]))
            sweeps, earlier = kept[key]
            t = truth_of.get(id(m))
            rows.append(
                {
                    "noise": spec.noise,
                    "sweeps": sweeps,
                    "earlier": earlier,
                    "true": t is not None and bool(t["compensation"]),
                    "main": bool(m["compensation"]),
                }
            )
        true += sum(bool(t["compensation"]) for t in session.truth["reps"])
    return rows, true


def rule_of(name: str) -> Rule:
    with CANDIDATES[name]():
        return reps.from_the_ankles


def judged(rows: list[dict], true: int, rule: Rule) -> dict[str, object]:
    flags = [rule(r["sweeps"], r["earlier"]) for r in rows]
    right = sum(f and r["true"] for f, r in zip(flags, rows))
    flagged = sum(flags)
    return {
        "precision": right / flagged if flagged else None,
        "recall": right / true if true else None,
        "flagged": flagged,
        "right": right,
        "true": true,
        "wrong_by_noise": {
            noise: sum(f and not r["true"] and r["noise"] == noise for f, r in zip(flags, rows))
            for noise in sorted({r["noise"] for r in rows})
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", choices=("tuning", "reporting"), default="tuning")
    ankles = ["main", *(c for c in CANDIDATES if c.startswith("ankles_"))]
    parser.add_argument("--rules", nargs="+", choices=ankles, default=ankles)
    args = parser.parse_args(argv)
    results: dict[str, object] = {"seeds": args.seeds, "noise": "suite mix"}
    for estimator in ESTIMATORS:
        rows, true = captured(args.seeds, estimator)
        if [r["main"] for r in rows] != [rule_of("main")(r["sweeps"], r["earlier"]) for r in rows]:
            raise SystemExit("the kept sweeps do not give main's own flags")
        results[estimator] = {name: judged(rows, true, rule_of(name)) for name in args.rules}
        for name, r in results[estimator].items():
            p, rec = r["precision"], r["recall"]
            print(
                f"[{estimator}] {name}: P {p if p is None else f'{p:.0%}'} / R "
                f"{rec if rec is None else f'{rec:.0%}'} ({r['flagged']} flagged, "
                f"{r['right']} right, {r['true']} true)",
                flush=True,
            )
    path = write_results(f"ankles_rules_{args.seeds}", results)
    print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
