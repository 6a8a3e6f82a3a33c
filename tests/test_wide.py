"""benchmarks/_wide.py: the wide suite's per-leg rows, and the recordings of
another pose model (``--landmarks``) reviewed with that model's reading."""

from __future__ import annotations

import dataclasses
import gzip
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import _common  # noqa: E402  (benchmarks/ is not a package)
import _wide  # noqa: E402
import accuracy_wide  # noqa: E402
import accuracy_wide_models  # noqa: E402

from hiprot.landmarks import Side  # noqa: E402
from hiprot.review import review_pose_frames  # noqa: E402
from hiprot.sources import open_pose_source  # noqa: E402

CLIP = "w01_fast"  # the shortest clip: both legs, 447 frames


def as_model(src: Path, dst: Path, model: str) -> Path:
    """A copy of a recording whose header says another pose model made it."""
    with gzip.open(src, "rt") as f:
        lines = f.readlines()
    header = json.loads(lines[0])
    header["pose_model"] = model
    dst.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(dst, "wt") as f:
        f.writelines([json.dumps(header) + "\n", *lines[1:]])
    return dst


@pytest.fixture(scope="module")
def heavy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("heavy")
    name = f"{CLIP}.landmarks.jsonl.gz"
    as_model(_wide.FOLDER / name, folder / name, "heavy")
    return folder


def truth() -> dict:
    return json.loads((_wide.FOLDER / f"{CLIP}.truth.json").read_text())


def test_a_recording_is_reviewed_with_the_model_its_header_names(heavy_folder: Path) -> None:
    rec = heavy_folder / f"{CLIP}.landmarks.jsonl.gz"
    reviewed = _wide.review_recording(CLIP, truth(), rec)
    assert reviewed.pose_model == "heavy"
    with open_pose_source(rec) as source:
        frames = list(source.frames)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small far leg's set-up warning
        femur = {
            model: review_pose_frames(
                frames, CLIP, "both", size_wh=reviewed.size_wh, pose_model=model
            ).series.legs
            for model in ("full", "heavy")
        }
    mine = reviewed.review.series.legs
    for side, leg in mine.items():
        np.testing.assert_array_equal(leg.femur_deg, femur["heavy"][side].femur_deg)
    # heavy's knee circle is not full's: the same landmarks read otherwise
    side = next(iter(mine))
    assert not np.allclose(
        femur["full"][side].femur_deg, femur["heavy"][side].femur_deg, equal_nan=True
    )


def test_landmarks_folder_scores_only_the_copies_recorded_there(
    heavy_folder: Path, tmp_path: Path
) -> None:
    found = list(_wide.recordings(_wide.FOLDER, heavy_folder))
    assert [(name, copy) for name, copy, _, _ in found] == [(CLIP, "clean")]
    accuracy_wide.main(["--landmarks", str(heavy_folder), "--out", str(tmp_path / "r")])
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["pose_models"] == ["heavy"] and results["clips"] == 1
    assert "webcam" not in results
    assert {r["pose_model"] for r in results["session_legs"]} == {"heavy"}
    assert results["clean"]["all"]["session_legs"] == 2  # both legs worked


def test_a_missing_landmarks_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no such folder"):
        accuracy_wide.main(["--landmarks", str(tmp_path / "nowhere")])
    with pytest.raises(SystemExit, match="no recordings"):
        accuracy_wide_models.main(["--landmarks", str(tmp_path), "--out", str(tmp_path / "r")])


def test_the_models_are_compared_on_the_same_session_legs(heavy_folder: Path) -> None:
    results = accuracy_wide_models.compare(_wide.FOLDER, heavy_folder)
    assert results["models"] == ["full", "heavy"]
    assert results["clips"] == {"clean": [CLIP]}
    for model in ("full", "heavy"):
        assert results["results"][model]["clean"]["all"]["session_legs"] == 2
        px = results["pixel_error"][model]["clean"]
        assert set(px) == set(accuracy_wide_models.JOINTS)
        assert all(0 < j["median_px"] <= j["p95_px"] for j in px.values())
    # the same landmarks: the same pixel error, whatever the header says
    assert results["pixel_error"]["full"] == results["pixel_error"]["heavy"]
    assert "| all clips | clean | heavy |" in accuracy_wide_models.markdown(results)


def test_nobody_found_counts_nothing_and_misses_every_clear_hold() -> None:
    t = truth()
    rows = _wide.leg_rows(CLIP, "clean", t, _wide.WideReview([], (640, 480), 15.0, "full", None))
    assert [r["reps_measured"] for r in rows] == [0, 0]
    clear = [
        r for r in t["reps"] if abs(r["hold_s"] - 1.0) > _wide.HOLD_MARGIN_S and r["leg"] == "left"
    ]
    assert rows[0]["held_clear_true"] == len(clear) > 0
    s = _wide.summarise(rows)
    assert (s["held_clear_reps"], s["held_clear_share_of_true"]) == (0, 0.0)
    assert s["held_clear_rate"] is None and s["in_position_fraction_mean"] is None


def test_the_spread_is_min_median_max_over_the_levels() -> None:
    def row(outfit: str, true: int, measured: int) -> dict:
        zeros = dict.fromkeys(
            ("held_clear_right", "held_clear_reps", "held_clear_true", "ankles_true"), 0
        )
        zeros |= {"ankles_flagged": 0, "ankles_right": 0, "in_position_fraction": 0.5}
        return {
            "outfit": outfit,
            "reps_true": true,
            "reps_measured": measured,
            "peak_internal_true": 30.0,
            "peak_internal_measured": None,
            "peak_internal_capped": False,
            **zeros,
        }

    rows = [row("dark", 6, 6), row("shorts", 6, 5), row("shorts", 6, 6), row("socks", 6, 0)]
    spread = _wide.spread(_wide.by_level(rows, "outfit"))
    assert spread["count_exact_rate"] == [0.0, 0.5, 1.0]
    assert spread["peak_internal_mae_deg"] is None  # nothing scored
    assert _wide.summarise(rows)["in_position_fraction_mean"] == 0.5


def test_the_ceilings_are_compared_on_the_legs_both_scored() -> None:
    def leg(clip: str, reps: dict[str, int], femur: float | None) -> dict:
        return {
            "clip": clip,
            "copy": "clean",
            "leg": "left",
            "reps_true": 6,
            "azimuth_deg": 45.0,
            "counts": {k: {"reps": v} for k, v in reps.items()},
            "femur_mae_deg": {"shipped": femur, "knee+foot held out": 3.0},
        }

    right = {"shipped": 6, "oracle held out": 6, "truth": 6}
    full = {"session_legs": [leg("w01", right, 8.0), leg("w02", right | {"shipped": 5}, 6.0)]}
    side_on = leg("w03", right, 5.0) | {"azimuth_deg": 30.0}  # not in the 45° set
    full["session_legs"].append(side_on)
    heavy = {"session_legs": [leg("w02", right, None), leg("w09", right, 1.0), side_on]}
    c = accuracy_wide_models.ceiling_side_by_side(full, heavy)["clean"]
    assert c["session_legs"] == 1
    assert c["full"]["count_exact"] == {"shipped": 0, "oracle held out": 1, "truth": 1}
    assert c["other"]["count_exact"]["shipped"] == 1
    assert c["full"]["femur_mae_deg_mean_of_legs"]["shipped"] == 6.0
    assert c["other"]["femur_mae_deg_mean_of_legs"]["shipped"] is None  # nobody found


def test_results_and_markdown_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    md = tmp_path / "r.md"
    path = _common.write_outputs(str(tmp_path / "r"), {"n": 1}, md, lambda r: f"n = {r['n']}\n")
    assert json.loads(path.read_text())["n"] == 1 and md.read_text() == "n = 1\n"

    def broken(results: dict) -> str:
        raise KeyboardInterrupt  # interrupted while making the markdown

    with pytest.raises(KeyboardInterrupt):
        _common.write_outputs(str(tmp_path / "r"), {"n": 2}, md, broken)
    assert md.read_text() == "n = 1\n"  # the complete earlier one stays
    assert json.loads(path.read_text())["n"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.md"]  # no partials


def test_recordings_of_several_folders_the_first_holding_a_clip_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, names in ((first, ("w01", "w02")), (second, ("w01", "w03"))):
        folder.mkdir()
        for name in names:
            (folder / f"{name}.truth.json").write_text(json.dumps({"manifest": {}}))
            (folder / f"{name}.landmarks.jsonl.gz").write_bytes(b"")
    (first / "w01-webcam.landmarks.jsonl.gz").write_bytes(b"")
    found = [(n, c, r.parent.name) for n, c, _, r in _wide.recordings([first, second])]
    assert found == [
        ("w01", "clean", "a"),
        ("w01", "webcam", "a"),
        ("w02", "clean", "a"),
        ("w03", "clean", "b"),
    ]
    whole = [(n, c) for n, c, _, _ in _wide.recordings([first, second], whole=True)]
    assert whole == [("w01", "clean"), ("w01", "webcam")]


def test_each_row_says_what_review_counted_the_leg_from(heavy_folder: Path) -> None:
    """``reading``: "foot" for a leg review counted from its foot (its knee
    jittered), else "knee"; "none" where MediaPipe found nobody. The models'
    table lists a reading only one model has, the other's cells at 0."""
    t = truth()
    reviewed = _wide.review_recording(CLIP, t, heavy_folder / f"{CLIP}.landmarks.jsonl.gz")
    assert reviewed.review is not None
    right_foot = dataclasses.replace(reviewed.review, foot_driven=frozenset({Side.RIGHT}))
    rows = _wide.leg_rows(CLIP, "clean", t, dataclasses.replace(reviewed, review=right_foot))
    assert [(r["leg"], r["reading"]) for r in rows] == [("left", "knee"), ("right", "foot")]
    nobody = _wide.WideReview([], (640, 480), 15.0, "full", None)
    assert {r["reading"] for r in _wide.leg_rows(CLIP, "clean", t, nobody)} == {"none"}
    results = accuracy_wide_models.compare(_wide.FOLDER, heavy_folder)
    by = results["results"]["heavy"]["clean"]["by"]["reading"]
    by["only_heavy"] = by.pop(next(iter(by)))
    assert "| clean | only_heavy | 0 / 2 | 0 / " in accuracy_wide_models.markdown(results)
