"""Shared helpers for benchmarks: timing side by side and writing results."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from hiprot.synth import NOISE_LEVELS

RESULTS_DIR = Path(__file__).resolve().parent / "results"
REPO = Path(__file__).resolve().parents[1]


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def interleaved(runs: dict[str, Callable[[], int]], rounds: int = 3) -> dict[str, float]:
    """Median items/s of each callable, run in turns so machine load hits all alike.

    Each callable does its work and returns how many items (frames, samples)
    it processed.
    """
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            count = run()
            rates[name].append(count / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in rates.items()}


def write_results(name: str, results: dict[str, object]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(
        json.dumps({"benchmark": name, "machine": machine(), **results}, indent=2) + "\n"
    )
    return path


def add_noise_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    """``--noise``: override every synthetic session's noise level."""
    parser.add_argument(
        "--noise",
        choices=list(NOISE_LEVELS),
        default=None,
        help=f"Override every session's noise level (default: {default_help}).",
    )
