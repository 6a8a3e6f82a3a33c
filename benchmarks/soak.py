"""Soak: a 30-minute live session, simulated, watching memory.

Synthetic PoseFrames (``hiprot.synth``) go through everything ``hiprot live``
runs below the pose stage: ``LiveSession`` (angles, smoothing, the coach's
state machine, the HUD drawn every frame, the speaker policy) and the history
(a real SQLite file, one commit per counted rep). Time is simulated: the
frames carry their own timestamps, and the loop runs as fast as it can.

The synthetic session (about 2 minutes: lie still, then reps) is replayed
back to back, shifted in time, until the simulated duration is reached; the
coach is set to more sets than fit, so it keeps cycling through set-up, sets
and rests. The resident set size (``VmRSS`` from ``/proc/self/status``) is
sampled every simulated minute after a full garbage collection. Growth is
measured from the end of the warm-up (the first ``--warmup`` minutes, while
caches fill) to the end; it must stay within ``--limit-mb``.

    python benchmarks/soak.py [--minutes 30] [--limit-mb 5]

Writes ``benchmarks/results/soak.json``; exits 1 when the growth is over the limit.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results

from hiprot.coach import Coach, CoachConfig
from hiprot.display import NullDisplay
from hiprot.history import HistoryStore
from hiprot.live import HistorySaver, LiveSession
from hiprot.synth import SessionSpec, generate
from hiprot.types import PoseFrame
from hiprot.voice import SilentPlayer, Speaker


def rss_mb() -> float:
    """This process's resident set size, MB, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def replayed(base: list[PoseFrame], duration_s: float) -> Iterator[PoseFrame]:
    """``base`` back to back, shifted in time, until ``duration_s``; lazily, sharing arrays."""
    period = base[-1].t_s - base[0].t_s + (base[1].t_s - base[0].t_s)
    index = 0
    for loop in range(int(duration_s // period) + 1):
        offset = loop * period
        for frame in base:
            t_s = frame.t_s + offset
            if t_s > duration_s:
                return
            yield PoseFrame(index, t_s, frame.image, frame.world)
            index += 1


def soak(minutes: float, warmup_minutes: float, seed: int = 1) -> dict[str, object]:
    duration_s = minutes * 60.0
    base = generate(SessionSpec(seed=seed, scenario="clean", noise="realistic")).frames
    samples: list[tuple[float, float]] = []  # (simulated s, RSS MB)
    frames = 0
    next_sample = 0.0
    with tempfile.TemporaryDirectory() as tmp, HistoryStore(Path(tmp) / "soak.sqlite3") as store:
        session = LiveSession(
            coach=Coach(CoachConfig(target_reps=12, sets=1000, rest_s=30.0), source="soak"),
            speaker=Speaker(SilentPlayer()),
            saver=HistorySaver(store, "soak", datetime.now(timezone.utc)),
            display=NullDisplay(),
            log=lambda line: None,
        )

        def sampled() -> Iterator[tuple[None, PoseFrame]]:
            nonlocal frames, next_sample
            for frame in replayed(base, duration_s):
                if frame.t_s >= next_sample:
                    gc.collect()
                    samples.append((frame.t_s, rss_mb()))
                    next_sample += 60.0
                frames += 1
                yield None, frame

        start = time.perf_counter()
        summary = session.run(sampled())
        wall_s = time.perf_counter() - start
        gc.collect()
        samples.append((duration_s, rss_mb()))
        stored = store.sessions()

    after_warmup = [(t, mb) for t, mb in samples if t >= warmup_minutes * 60.0]
    t = np.array([s[0] for s in after_warmup]) / 3600.0
    mb = np.array([s[1] for s in after_warmup])
    slope = float(np.polyfit(t, mb, 1)[0]) if len(t) >= 2 else float("nan")
    coach = session.coach
    return {
        "simulated_minutes": minutes,
        "warmup_minutes": warmup_minutes,
        "frames": frames,
        "wall_s": round(wall_s, 1),
        "frames_per_s": round(frames / wall_s, 1),
        "reps_counted": len(coach.reps),
        "sets_started": coach.set_number,
        "reps_in_history": sum(len(r.reps) for r in stored),
        "history_matches": len(stored) == 1 and stored[0].reps == (summary.reps if summary else ()),
        "rss_mb": {
            "start": round(samples[0][1], 2),
            "after_warmup": round(after_warmup[0][1], 2),
            "end": round(samples[-1][1], 2),
            "max": round(max(s[1] for s in samples), 2),
            "growth_after_warmup": round(samples[-1][1] - after_warmup[0][1], 2),
            "slope_mb_per_hour": round(slope, 2),
        },
        "samples": [{"t_min": round(t_s / 60.0, 1), "rss_mb": round(m, 2)} for t_s, m in samples],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="simulated session length")
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="minutes before growth is measured"
    )
    parser.add_argument(
        "--limit-mb", type=float, default=5.0, help="allowed RSS growth after warm-up"
    )
    args = parser.parse_args()
    results = soak(args.minutes, args.warmup)
    rss = results["rss_mb"]
    assert isinstance(rss, dict)
    ok = rss["growth_after_warmup"] <= args.limit_mb and results["history_matches"]
    results["limit_mb"] = args.limit_mb
    results["passed"] = bool(ok)
    path = write_results("soak", results)
    print(
        f"{results['simulated_minutes']:.0f} simulated minutes: {results['frames']} frames in "
        f"{results['wall_s']} s ({results['frames_per_s']} frames/s), "
        f"{results['reps_counted']} reps "
        f"in {results['sets_started']} sets; {results['reps_in_history']} reps in the history "
        f"({'matches' if results['history_matches'] else 'DOES NOT MATCH'} the session)"
    )
    print(
        f"RSS: start {rss['start']} MB, "
        f"after {args.warmup:.0f} min warm-up {rss['after_warmup']} MB, "
        f"end {rss['end']} MB, max {rss['max']} MB; growth after warm-up "
        f"{rss['growth_after_warmup']:+.2f} MB (limit {args.limit_mb} MB), slope "
        f"{rss['slope_mb_per_hour']:+.2f} MB/h -> {'PASS' if ok else 'FAIL'}"
    )
    print(f"Wrote {path}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
