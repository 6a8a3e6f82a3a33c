"""`hiprot review`: every output is written and opens, the annotated video keeps
the input's frame count, a folder is reviewed in parallel and one bad file
does not stop the others."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from hiprot.annotate import CUE_ANKLES, CUE_TOO_FAST, frame_annotations, rep_timeline
from hiprot.capture import probe_video
from hiprot.errors import HiprotError, HiprotWarning, InputError
from hiprot.history import HistoryStore
from hiprot.reading.series import angle_series, smooth_series
from hiprot.recording import read_recording, write_recording
from hiprot.report import PLOT_SIZE_PX
from hiprot.review import review_pose_frames
from hiprot.review_files import ReviewPaths, review_file
from hiprot.sink import VideoSink
from hiprot.synth import SessionSpec, SyntheticSession, generate, write_session
from hiprot.types import landmark_array
from tests.conftest import write_video

SPEC = SessionSpec(seed=11, scenario="mixed", noise="none", reps_per_set=6)


@pytest.fixture(scope="module")
def session() -> SyntheticSession:
    return generate(SPEC)


@pytest.fixture(scope="module")
def recording(session: SyntheticSession, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_session(session, tmp_path_factory.mktemp("synth") / "set.landmarks.jsonl.gz")[0]


def hiprot(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HIPROT_HOME": str(home), "PATH": "/usr/bin:/bin", "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "hiprot", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


# ---------------------------------------------------------------- one recording, every output


@pytest.fixture(scope="module")
def reviewed(recording: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``hiprot review`` of the synthetic recording: (report folder, history db)."""
    home = tmp_path_factory.mktemp("home")
    out = home / "report"
    # a synthetic clip stays out of the history unless asked
    result = hiprot("review", str(recording), "-o", str(out), "--history", home=home)
    assert result.returncode == 0, result.stderr
    assert "Added to your history" in result.stdout
    return out, home / "history.sqlite3"


def test_summary_json_matches_the_analysis_and_the_truth(
    reviewed: tuple[Path, Path], session: SyntheticSession, recording: Path
) -> None:
    summary = json.loads((reviewed[0] / "session.json").read_text())
    assert summary["format"] == "hiprot-session"
    info, frames = read_recording(recording)
    analysed = review_pose_frames(
        frames, recording.name, SPEC.mode, size_wh=(info.width, info.height)
    ).summary.to_dict()
    assert summary["legs"] == analysed["legs"] and summary["reps"] == analysed["reps"]
    for leg in ("left", "right"):  # the image estimator on a noise-free synthetic set
        assert abs(summary["legs"][leg]["reps"] - session.truth["legs"][leg]["reps"]) <= 1


def test_csv_has_one_row_per_frame(reviewed: tuple[Path, Path], session: SyntheticSession) -> None:
    with open(reviewed[0] / "angles.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(session.frames)
    assert float(rows[-1]["t_s"]) == pytest.approx(session.frames[-1].t_s, abs=1e-3)
    assert all(row["left_femur_deg"] != "" for row in rows)


def test_plot_has_the_expected_size_and_is_not_blank(reviewed: tuple[Path, Path]) -> None:
    grey = cv2.imread(str(reviewed[0] / "plot.png"), cv2.IMREAD_GRAYSCALE)
    assert (grey.shape[1], grey.shape[0]) == PLOT_SIZE_PX
    assert grey.std() > 10
    assert (grey < 128).mean() > 0.01  # lines and text drawn, not just a white page


def test_html_has_a_row_per_rep(reviewed: tuple[Path, Path]) -> None:
    summary = json.loads((reviewed[0] / "session.json").read_text())
    page = (reviewed[0] / "report.html").read_text()
    reps_table = page.split("<h2>Reps</h2>")[1].split("</table>")[0]
    assert reps_table.count("<tr>") == 1 + len(summary["reps"])
    for rep in summary["reps"]:
        assert (
            f"<td>{rep['leg']}</td><td>{rep['index']}</td><td>{rep['start_s']:.1f}</td>"
            in reps_table
        )
    assert 'src="data:image/png;base64,' in page


def test_html_shows_commands_as_code_not_backticks(reviewed: tuple[Path, Path]) -> None:
    # no range measured by hand: the report says how to store one, as a command
    page = (reviewed[0] / "report.html").read_text()
    assert "<code>hiprot calibrate --range LEFT,RIGHT</code>" in page
    assert "`" not in page
    assert "<th>start (s)</th><th>end (s)</th>" in page


def test_a_clients_reports_name_the_client_and_the_day(recording: Path, tmp_path: Path) -> None:
    # a physiotherapist's reports, one file and a folder, are told apart by
    # client and day; a home user's name ("me") is not printed
    import os
    from datetime import datetime

    folder = tmp_path / "ann"
    folder.mkdir()
    clip = shutil.copy(recording, folder / "monday.landmarks.jsonl.gz")
    when = datetime(2026, 3, 2, 9, 30)
    os.utime(clip, (when.timestamp(), when.timestamp()))
    one = hiprot("review", str(clip), "-o", str(tmp_path / "one"), "--person", "Ann", home=tmp_path)
    assert one.returncode == 0, one.stderr
    many = hiprot("review", str(folder), "--person", "Ann", "--no-history", home=tmp_path)
    assert many.returncode == 0, many.stderr
    mine = hiprot("review", str(clip), "-o", str(tmp_path / "me"), "--no-history", home=tmp_path)
    assert mine.returncode == 0, mine.stderr
    for report in (tmp_path / "one", folder / "monday-landmarks-jsonl-gz-hiprot"):
        page = (report / "report.html").read_text()
        assert "<title>hiprot report: Ann, monday.landmarks.jsonl.gz, 2026-03-02</title>" in page
        assert "<b>monday.landmarks.jsonl.gz</b> · Ann · file dated 2026-03-02 09:30 · " in page
    page = (tmp_path / "me" / "report.html").read_text()
    assert "<b>monday.landmarks.jsonl.gz</b> · file dated 2026-03-02 09:30 · " in page


def test_a_recording_without_the_drill_says_so_without_an_empty_table(tmp_path: Path) -> None:
    spec = SessionSpec(seed=1, scenario="bridge", placement="oblique45_left", noise="none")
    clip, _ = write_session(generate(spec), tmp_path / "bridge.landmarks.jsonl.gz")
    # --history: asked for, and still kept out (it is not the drill)
    result = hiprot("review", str(clip), "-o", str(tmp_path / "r"), "--history", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "the drill position (legs up the wall) was never seen" in result.stderr
    assert "Not added to the history: the recording never shows the drill." in result.stdout
    assert "Reps" not in result.stdout and "image degrees" not in result.stdout
    assert "left: 0 reps" in result.stdout
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        assert store.sessions() == []


def test_a_folder_review_writes_a_summary_linking_every_report(
    recording: Path, tmp_path: Path
) -> None:
    import re

    folder = tmp_path / "ann"
    folder.mkdir()
    for name in ("monday", "thursday"):
        shutil.copy(recording, folder / f"{name}.landmarks.jsonl.gz")
    (folder / "broken.mp4").write_text("not a video")
    for out in (None, tmp_path / "reports"):
        args = ["-o", str(out)] if out else []
        result = hiprot(
            "review", str(folder), "--person", "Ann", "--no-history", *args, home=tmp_path
        )
        assert result.returncode == 1  # one file could not be reviewed; the others were
        summary = (out or folder) / "hiprot-summary.html"
        assert f"Summary of the folder, linking every report: {summary}" in result.stdout
        page = summary.read_text(encoding="utf-8")
        assert "<h1>Ann: 2 sets reviewed</h1>" in page
        links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
        assert [name for _, name in links] == [
            "monday.landmarks.jsonl.gz",
            "thursday.landmarks.jsonl.gz",
        ]
        for link, _ in links:
            assert (summary.parent / link).resolve().is_file() and link.endswith("report.html")
        assert "<h2>Not reviewed</h2>" in page and "broken.mp4: cannot be read as a video" in page


def test_review_adds_the_session_to_history(reviewed: tuple[Path, Path]) -> None:
    with HistoryStore(reviewed[1]) as store:
        (record,) = store.sessions()
    summary = json.loads((reviewed[0] / "session.json").read_text())
    assert record.source == "set.landmarks.jsonl.gz"
    assert len(record.reps) == len(summary["reps"])


def test_no_history_leaves_the_history_alone(recording: Path, tmp_path: Path) -> None:
    result = hiprot(
        "review", str(recording), "-o", str(tmp_path / "r"), "--no-history", home=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "history.sqlite3").exists()


def test_corrupt_history_fails_before_the_analysis(recording: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    db.write_bytes(b"not sqlite" * 10)
    result = hiprot(
        "review",
        str(recording),
        "-o",
        str(tmp_path / "r"),
        "--db",
        str(db),
        "--history",
        home=tmp_path,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert str(db) in result.stderr and not (tmp_path / "r").exists()
    assert db.read_bytes() == b"not sqlite" * 10


# ---------------------------------------------------------------- what the annotated video shows


def test_annotations_follow_the_reps(session: SyntheticSession) -> None:
    review = review_pose_frames(
        session.frames, "synthetic", SPEC.mode, size_wh=(SPEC.width, SPEC.height)
    )
    sides = review.summary.mode.sides
    annotations = frame_annotations(review.series, review.reps, sides)
    assert len(annotations) == len(session.frames)
    for side in sides:
        mine = [r for r in review.reps if r.leg is side]
        counts = [a.legs[side].reps for a in annotations]
        assert counts[0] == 0 and counts[-1] == len(mine)
        assert all(b - a in (0, 1) for a, b in itertools.pairwise(counts))
        held = [a.legs[side].held for a in annotations]
        assert any(held) == any(r.held for r in mine)
        for r in mine:  # the hold drawn is the one the counter timed, inside the rep
            hold = rep_timeline(r).hold
            assert hold is not None and hold[1] - hold[0] == pytest.approx(r.hold_s, abs=1e-9)
            assert r.start_s <= rep_timeline(r).inward_s <= r.end_s
            assert r.start_s <= hold[0] <= hold[1] <= r.end_s
    cues = {cue for a in annotations for cue in a.cues}
    assert any(CUE_ANKLES in c for c in cues) == any(r.compensation for r in review.reps)
    assert any(CUE_TOO_FAST in c for c in cues) == any(not r.controlled for r in review.reps)
    angle = annotations[len(annotations) // 2].legs[sides[0]].femur_deg
    assert angle == review.series.legs[sides[0]].femur_deg[len(annotations) // 2]


@pytest.mark.pose
@pytest.mark.filterwarnings("ignore::hiprot.errors.HiprotWarning")  # the clip has no still period
def test_annotated_video_of_the_real_clip(bridging_clip: Path, tmp_path: Path) -> None:
    paths = ReviewPaths.in_folder(tmp_path / "r", tmp_path / "annotated.mp4")
    review, _ = review_file(bridging_clip, paths)
    info, out = probe_video(bridging_clip), probe_video(tmp_path / "annotated.mp4")
    assert (out.width, out.height) == (info.width, info.height)
    cap = cv2.VideoCapture(str(tmp_path / "annotated.mp4"))
    original = cv2.VideoCapture(str(bridging_clip))
    frames = changed = 0
    while True:
        ok, image = cap.read()
        ok_original, image_original = original.read()
        if not ok:
            assert not ok_original
            break
        frames += 1
        changed += np.abs(image.astype(int) - image_original.astype(int)).mean() > 2
    cap.release()
    original.release()
    assert frames == info.frame_count == len(review.series) == 91
    assert changed == frames  # every frame carries the overlay
    assert all(p.exists() for p in (paths.json, paths.csv, paths.plot, paths.html))


def test_annotate_needs_a_video(recording: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="needs a video"):
        review_file(recording, ReviewPaths.in_folder(tmp_path, tmp_path / "a.mp4"))


def test_annotated_video_frames_match_landmarks_and_skeleton_is_drawn(tmp_path: Path) -> None:
    """A tiny generated video with made-up landmarks: one output frame per input frame."""
    video = write_video(tmp_path / "tiny.mp4", 12)
    session = generate(SessionSpec(seed=2, noise="none", duration_s=0.4, fps=30.0))
    series = smooth_series(angle_series(session.frames[:12], (SPEC.width, SPEC.height)))
    annotations = frame_annotations(series, (), tuple(series.legs))
    from hiprot.annotate import write_annotated_video

    written = write_annotated_video(
        video, landmark_array(session.frames[:12], "image"), annotations, tmp_path / "out.mp4"
    )
    assert written == 12 == probe_video(tmp_path / "out.mp4").frame_count
    with pytest.raises(HiprotError, match="decoded"):
        write_annotated_video(
            video,
            landmark_array(session.frames[:10], "image"),
            annotations[:10],
            tmp_path / "out2.mp4",
        )


@pytest.mark.parametrize(
    ("name", "message"), [("out.xyz", "cannot write"), ("missing/out.mp4", "does not exist")]
)
def test_video_sink_refuses_what_it_cannot_write(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(HiprotError, match=message), VideoSink(tmp_path / name, 30.0, (64, 48)):
        pass


# ---------------------------------------------------------------- a folder of sets


def test_folder_review_in_parallel_with_one_bad_file(recording: Path, tmp_path: Path) -> None:
    week = tmp_path / "week"
    week.mkdir()
    shutil.copy(recording, week / "monday.landmarks.jsonl.gz")
    # another set (not a copy: one file's content is one session in the history)
    info, frames = read_recording(recording)
    write_recording(week / "wednesday.landmarks.jsonl.gz", info, frames[:-30])
    write_video(week / "wednesday.mp4", 5)  # extracted already: the recording is reviewed instead
    (week / "friday.mp4").write_bytes(b"\x00 broken download " * 200)
    (week / "notes.txt").write_text("not a set")
    result = hiprot("review", str(week), "--jobs", "2", home=tmp_path)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("hiprot: error:")]
    assert len(errors) == 2
    assert "friday.mp4" in errors[0] and "cannot be read as a video" in errors[0]
    assert "1 of 3 files could not be reviewed" in errors[1]
    assert "Skipping wednesday.mp4" in result.stdout
    rows = [line.split()[0] for line in result.stdout.splitlines() if line.endswith("°")]
    assert sorted(rows) == ["monday", "wednesday"]  # the recordings, their long suffix dropped
    for name in ("monday", "wednesday"):
        folder = week / f"{name}-landmarks-jsonl-gz-hiprot"
        assert {p.name for p in folder.iterdir()} == {
            "session.json",
            "angles.csv",
            "plot.png",
            "report.html",
        }
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        assert sorted(r.source for r in store.sessions()) == [
            "monday.landmarks.jsonl.gz",
            "wednesday.landmarks.jsonl.gz",
        ]


def test_folder_options_that_name_one_file_are_refused(tmp_path: Path) -> None:
    result = hiprot("review", str(tmp_path), "--annotate", str(tmp_path / "a.mp4"), home=tmp_path)
    assert result.returncode == 2 and "--annotate" in result.stderr


def test_empty_folder_is_one_line(tmp_path: Path) -> None:
    result = hiprot("review", str(tmp_path), home=tmp_path)
    assert result.returncode == 1 and "holds no videos" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_truncated_recording_warning_reaches_the_user(recording: Path, tmp_path: Path) -> None:
    lines = gzip.decompress(recording.read_bytes()).decode().splitlines(keepends=True)
    cut = tmp_path / "cut.landmarks.jsonl"
    cut.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    with pytest.warns(HiprotWarning):
        review_file(cut, ReviewPaths.in_folder(tmp_path / "r"))
