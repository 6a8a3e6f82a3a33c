"""benchmarks/ceiling.py: the oracle recovers the femur where the landmarks
carry it, and the wide suite's scoring counts a recording with nobody in it
as a miss on every worked leg."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import ceiling  # noqa: E402  (benchmarks/ is not a package)

from hiprot.landmarks import Side  # noqa: E402
from hiprot.synth import SessionSpec, generate  # noqa: E402

WIDE = REPO / "benchmarks" / "render_suite" / "wide"


def test_oracle_fits_noise_free_landmarks_held_out() -> None:
    # Without landmark noise the knee and foot features determine the femur,
    # so a curve fitted on three quarters predicts the fourth to a fraction of a degree.
    spec = SessionSpec(seed=5, noise="none", reps_per_set=6)
    session = generate(spec)
    t = np.array([frame.t_s for frame in session.frames])
    truth_t = np.asarray(session.truth["frames"]["t"], dtype=float)
    for leg in session.truth["legs"]:
        femur = np.interp(t, truth_t, np.asarray(session.truth["frames"][leg]["femur_deg"]))
        points = ceiling.mediapipe_points(session.frames, (spec.width, spec.height), Side(leg))
        features = ceiling.leg_features(*points)
        held_out = ceiling.oracle(features, femur, spec.fps, "knee+foot")[1]
        seen = np.isfinite(held_out)
        assert seen.mean() > 0.9
        assert np.mean(np.abs(held_out[seen] - femur[seen])) < 1.0
        # The knee alone, from exact 2D geometry, carries it too.
        knee = ceiling.oracle(features, femur, spec.fps, "knee")[1]
        assert np.nanmean(np.abs(knee - femur)) < 1.0


def test_nobody_found_counts_nothing_and_is_said(tmp_path: Path) -> None:
    # w16_partial's recording with nobody in any frame (as MediaPipe read it
    # before the pose adapter zoomed: the small body 4 m away on the floor)
    truth = json.loads((WIDE / "w16_partial.truth.json").read_text())
    lines = gzip.decompress((WIDE / "w16_partial.landmarks.jsonl.gz").read_bytes()).splitlines()
    nobody = [{**json.loads(line), "image": None, "world": None} for line in lines[1:]]
    empty = [lines[0], *(json.dumps(frame).encode() for frame in nobody)]
    recording = tmp_path / "w16_partial.landmarks.jsonl.gz"
    recording.write_bytes(gzip.compress(b"\n".join(empty) + b"\n"))
    rows = ceiling.wide_clip("w16_partial", "clean", truth, recording)
    assert [r["leg"] for r in rows] == ["left", "right"]
    for r in rows:
        assert not r["person_found"]
        assert r["counts"]["shipped"]["reps"] == 0
        assert r["counts"]["oracle held out"]["reps"] == 0
        # The counter fed the true angles still counts reps: the truth is there.
        assert r["counts"]["truth"]["reps"] > 0
    summary = ceiling.wide_summary(rows)
    assert summary["oracle held out"]["count_exact"] == 0
    held = summary["oracle held out"]["held_verdict_clear"]
    assert held["right"] == 0 and held["reps"] > 0  # a missed rep is a wrong verdict


def test_wide_recordings_skip_negatives_and_unfinished_clips(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
    manifest = {"negative": False}

    def clip(folder: Path, name: str, webcam: bool = True, **extra) -> None:
        (folder / f"{name}.truth.json").write_text(json.dumps({"manifest": manifest | extra}))
        (folder / f"{name}.landmarks.jsonl.gz").write_bytes(b"")
        if webcam:
            (folder / f"{name}-webcam.landmarks.jsonl.gz").write_bytes(b"")

    clip(first, "w01")
    clip(first, "w02", webcam=False)  # still rendering
    clip(first, "n01", negative=True)
    clip(second, "w01")  # the first folder's copy wins
    clip(second, "w03")
    found = [
        (name, copy, rec.parent.name)
        for name, copy, _, rec in ceiling.wide_recordings([first, second])
    ]
    assert found == [
        ("w01", "clean", "a"),
        ("w01", "webcam", "a"),
        ("w03", "clean", "b"),
        ("w03", "webcam", "b"),
    ]


def test_wide_recordings_of_another_model_take_each_copy_recorded(tmp_path: Path) -> None:
    truth, other = tmp_path / "truth", tmp_path / "heavy"
    truth.mkdir()
    other.mkdir()
    for name in ("w01", "w02"):
        (truth / f"{name}.truth.json").write_text(json.dumps({"manifest": {}}))
    (other / "w01-webcam.landmarks.jsonl.gz").write_bytes(b"")  # its clean copy not yet
    (other / "w02.landmarks.jsonl.gz").write_bytes(b"")
    found = [(name, copy, rec) for name, copy, _, rec in ceiling.wide_recordings([truth], other)]
    assert found == [
        ("w01", "webcam", other / "w01-webcam.landmarks.jsonl.gz"),
        ("w02", "clean", other / "w02.landmarks.jsonl.gz"),
    ]
