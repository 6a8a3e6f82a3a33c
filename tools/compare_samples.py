"""Compare hiprot's review of a sample video with the video's truth, rep by rep.

    hiprot review sample_videos/wall_left_leg.mp4 -o /tmp/left
    python tools/compare_samples.py sample_videos/wall_left_leg.truth.json /tmp/left/session.json

Prints each true rep beside the counted rep that starts nearest to it, and
marks where held / controlled / from the ankles disagree.
"""

from __future__ import annotations

import json
import sys


def main(truth_path: str, session_path: str) -> int:
    with open(truth_path, encoding="utf-8") as f:
        truth = json.load(f)
    with open(session_path, encoding="utf-8") as f:
        session = json.load(f)
    events = ("held", "controlled", "compensation")
    differing = 0
    for leg in ("left", "right"):
        counted = [r for r in session["reps"] if r["leg"] == leg]
        for true in (r for r in truth["reps"] if r["leg"] == leg):
            if not counted:
                print(f"{leg} {true['index']:2d}: not counted")
                differing += 1
                continue
            got = min(counted, key=lambda r: abs(r["start_s"] - true["start_s"]))
            differs = [e for e in events if got[e] != true[e]]
            differing += bool(differs)
            print(
                f"{leg} {true['index']:2d}: truth hold {true['hold_s']:.2f} s "
                + " ".join(f"{e}={true[e]}" for e in events)
                + f" | hiprot hold {got['hold_s']:.2f} s "
                + " ".join(f"{e}={got[e]}" for e in events)
                + (f"  <- {', '.join(differs)}" if differs else "")
            )
    print(f"{differing} of {len(truth['reps'])} true reps differ on a coaching event")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
