"""Write the synthetic suite: ``python -m hiprot.synth OUT_DIR [GROUP ...]``.

Each group goes to ``OUT_DIR/GROUP/`` as ``NAME.landmarks.jsonl.gz`` +
``NAME.truth.json``; groups: tuning, reporting, head_end (default: all).
"""

from __future__ import annotations

import sys
from pathlib import Path

from hiprot.synth import generate, write_session
from hiprot.synth.suite import all_specs


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    out = Path(argv[0])
    groups = all_specs()
    wanted = argv[1:] or list(groups)
    unknown = [g for g in wanted if g not in groups]
    if unknown:
        print(f"unknown group(s) {unknown}; choose from {list(groups)}", file=sys.stderr)
        return 2
    for group in wanted:
        for spec in groups[group]:
            write_session(generate(spec), out / group)
        print(f"{group}: {len(groups[group])} sessions -> {out / group}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
