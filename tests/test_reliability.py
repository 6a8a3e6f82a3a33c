"""Reliability: bad input, faults and interruptions end in a clear message,
and nothing already stored is lost or overwritten.

Cases already covered elsewhere are not repeated here; docs/reliability.md
lists every case with the test that covers it. Fixtures under tests/data/
were made once with ffmpeg 5.1 (see docs/reliability.md); nothing here needs
ffmpeg or the network.
"""

from __future__ import annotations

import dataclasses
import errno
import gzip
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hiprot.review_files as review_files
from hiprot import cli
from hiprot.calibration import (
    Calibration,
    CalibrationError,
    LegNeutral,
    load_calibration,
    save_calibration,
)
from hiprot.capture import CameraError, open_camera, open_video, probe_video
from hiprot.coach import Coach, CoachConfig, check_view
from hiprot.display import NullDisplay
from hiprot.errors import HiprotWarning, InputError, RecordingError
from hiprot.history import HistoryStore
from hiprot.landmarks import LEGS, Side
from hiprot.live import HistorySaver, LiveSession, find_calibration
from hiprot.recording import RecordingInfo, read_recording, write_recording
from hiprot.review import review_pose_frames
from hiprot.review_files import ReviewPaths, review_file
from hiprot.synth import SessionSpec, generate
from hiprot.types import Frame, PoseFrame
from hiprot.voice import SilentPlayer, Speaker
from tests.conftest import write_video

DATA = Path(__file__).resolve().parent / "data"
INFO = RecordingInfo(fps=30.0, width=640, height=480, source="synthetic", model="test")


# ---------------------------------------------------------------- helpers


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``hiprot ARGS`` in this process (so faults can be injected); (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main(list(args))
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("hiprot: error:"), err
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden ones too: no partial file may be left)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- inputs


def test_review_of_a_truncated_mp4_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(write_video(tmp_path / "full.mp4", 30).read_bytes()[:2000])  # no moov atom
    code, _, err = run_cli(capsys, "review", str(cut), "--no-history")
    assert code == 1
    assert "cannot be read as a video" in one_error_line(err)


def test_a_video_cut_off_mid_stream_warns_and_keeps_its_frames() -> None:
    # tests/data/cut_off.mp4: 30 frames written with the index up front
    # (faststart), then cut in half: the container promises 30, 13 decode.
    with (
        pytest.warns(HiprotWarning, match=r"ends after 13 of its 30 frames"),
        open_video(DATA / "cut_off.mp4") as frames,
    ):
        got = list(frames)
    assert [f.index for f in got] == list(range(13))


def test_unsupported_codec_names_the_codec_and_the_fix() -> None:
    # AV1 (libaom): OpenCV 4.11's bundled FFmpeg opens the file but decodes nothing.
    with (
        pytest.raises(InputError, match=r"codec 'AV01' not supported.*ffmpeg -i IN -c:v libx264"),
        open_video(DATA / "unsupported_codec_av1.mp4") as frames,
    ):
        list(frames)


@pytest.mark.pose
def test_review_of_an_unsupported_codec_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        capsys, "review", str(DATA / "unsupported_codec_av1.mp4"), "--no-history"
    )
    assert code == 1
    assert "codec 'AV01' not supported" in one_error_line(err)


@pytest.mark.pose
def test_one_frame_video_without_a_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = write_video(tmp_path / "one.mp4", 1)
    with open_video(video) as frames:
        assert len(list(frames)) == 1
    code, _, err = run_cli(capsys, "review", str(video), "--no-history")
    assert code == 1
    line = one_error_line(err)
    assert "no person was found in any frame" in line
    assert not (tmp_path / "one-hiprot").exists(), "a failed review leaves no empty report folder"


def test_one_frame_recording_with_a_person_reviews_to_zero_reps(
    tmp_path: Path, session_frames: list[PoseFrame]
) -> None:
    source = tmp_path / "one.landmarks.jsonl"
    write_recording(source, INFO, session_frames[:1])
    with (
        pytest.warns(HiprotWarning, match="no reps counted"),
        pytest.warns(HiprotWarning, match="no still period"),
    ):
        review, _ = review_file(source, ReviewPaths.in_folder(tmp_path / "out"))
    assert review.reps == () and review.summary.tracking.frames == 1
    assert (tmp_path / "out" / "report.html").is_file()


def test_4k_video_is_read_downscaled(tmp_path: Path) -> None:
    video = write_video(tmp_path / "uhd.mp4", 4, size_wh=(3840, 2160))
    assert (probe_video(video).width, probe_video(video).height) == (3840, 2160)
    with open_video(video) as frames:
        sizes = [f.size_wh for f in frames]
    assert sizes == [(1280, 720)] * 4  # capture.DEFAULT_MAX_WIDTH


def test_rotated_phone_video_comes_upright() -> None:
    # tests/data/rotated_phone.mp4: 64x48 frames, white block top-left, with a
    # "rotate 90" tag. FFmpeg's own player shows it 48x64 with the block
    # bottom-left; so must hiprot (CAP_PROP_ORIENTATION_AUTO).
    info = probe_video(DATA / "rotated_phone.mp4")
    assert (info.width, info.height) == (48, 64)
    with open_video(DATA / "rotated_phone.mp4") as frames:
        image = next(frames).image
    assert image.shape[:2] == (64, 48)
    corners = {
        "top-left": image[:6, :6],
        "top-right": image[:6, -6:],
        "bottom-left": image[-6:, :6],
        "bottom-right": image[-6:, -6:],
    }
    bright = [name for name, patch in corners.items() if patch.mean() > 200]
    assert bright == ["bottom-left"]


def test_variable_frame_rate_uses_the_container_timestamps() -> None:
    # tests/data/variable_frame_rate.mp4: 8 frames at 0, .1, .2, .3, then a
    # 0.8 s pause, then every 0.2 s (average "fps" 4.4: index/fps would be wrong)
    with open_video(DATA / "variable_frame_rate.mp4") as frames:
        times = [f.t_s for f in frames]
    np.testing.assert_allclose(times, [0.0, 0.1, 0.2, 0.3, 1.1, 1.3, 1.5, 1.7], atol=1e-3)


def test_long_stretch_without_a_person_is_reported_and_the_rest_counted(
    tmp_path: Path, session_frames: list[PoseFrame]
) -> None:
    # a 60 s gap (the person walked away) inserted at 11 s, between reps
    t_gap, gap_s = 11.0, 60.0
    before = [f for f in session_frames if f.t_s < t_gap]
    after = [f for f in session_frames if f.t_s >= t_gap]
    dt = 1 / 30
    empty = [PoseFrame.empty(0, t_gap + k * dt) for k in range(int(gap_s / dt))]
    shifted = [dataclasses.replace(f, t_s=f.t_s + gap_s) for f in after]
    frames = [dataclasses.replace(f, index=i) for i, f in enumerate([*before, *empty, *shifted])]
    source = tmp_path / "walked-away.landmarks.jsonl"
    write_recording(source, INFO, frames)

    expected = review_pose_frames(session_frames, "plain", size_wh=(INFO.width, INFO.height))
    with pytest.warns(HiprotWarning, match=r"nobody in view from 11\.0 s to 71\.0 s \(60 s"):
        review, outcome = review_file(source, ReviewPaths.in_folder(tmp_path / "gap"))
    assert len(expected.reps) >= 4
    assert [(r.leg, r.index) for r in review.reps] == [(r.leg, r.index) for r in expected.reps]
    assert "nobody in view" in outcome.warnings[0]


# ---------------------------------------------------------------- scenes


def test_no_person_in_any_frame_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "empty-room.landmarks.jsonl"
    write_recording(source, INFO, [PoseFrame.empty(i, i / 30) for i in range(90)])
    code, _, err = run_cli(capsys, "review", str(source), "--no-history")
    assert code == 1
    assert "no person was found in any frame" in one_error_line(err)


@pytest.fixture(scope="module")
def real_frames(bridging_clip: Path) -> list[Frame]:
    with open_video(bridging_clip) as frames:
        return list(frames)[:30:3]


def _estimate(frames: list[Frame], change) -> list[PoseFrame]:
    from hiprot.pose import PoseEstimator

    with PoseEstimator() as estimator:
        return [
            estimator.estimate(dataclasses.replace(f, image=np.ascontiguousarray(change(f.image))))
            for f in frames
        ]


LEG_ROWS = [i for side in Side for i in LEGS[side].indices]


@pytest.mark.pose
def test_two_people_one_skeleton_on_one_of_them(real_frames: list[Frame]) -> None:
    # the real clip twice side by side: MediaPipe Pose follows exactly one person
    poses = _estimate(real_frames, lambda im: np.hstack([im, cv2.flip(im, 1)]))
    assert all(p.has_pose for p in poses)
    for pose in poses:
        xs = pose.image[LEG_ROWS, 0]
        assert np.all(xs < 0.5) or np.all(xs > 0.5), "every leg landmark on the same person"


@pytest.mark.pose
def test_only_the_legs_visible_is_still_measured(real_frames: list[Frame]) -> None:
    # cropped at x = 0.5 of the frame: hips, legs and feet; chest and head out
    # (the hips are at x = 0.54 in this side view; the near leg is the left)
    poses = _estimate(real_frames, lambda im: im[:, im.shape[1] // 2 :])
    assert all(p.has_pose for p in poses), "MediaPipe still finds the person from the legs"
    ready = [check_view(p, (Side.LEFT,)).ready for p in poses]
    assert sum(ready) >= 7, ready


@pytest.mark.pose
def test_feet_cut_off_by_the_frame_are_cued(real_frames: list[Frame]) -> None:
    poses = _estimate(real_frames, lambda im: im[:, : im.shape[1] // 2])  # legs outside
    views = [check_view(p, (Side.LEFT, Side.RIGHT)) for p in poses if p.has_pose]
    assert views and all(v.cue is not None and v.cue.name == "FEET_INTO_VIEW" for v in views)


@pytest.mark.pose
def test_very_dark_video_says_light_is_missing(
    real_frames: list[Frame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dark = tmp_path / "dark.mp4"
    writer = cv2.VideoWriter(
        str(dark), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, real_frames[0].size_wh
    )
    for frame in real_frames:
        writer.write((frame.image * 0.1).astype(np.uint8))
    writer.release()
    code, _, err = run_cli(capsys, "review", str(dark), "--no-history")
    assert code == 1
    line = one_error_line(err)
    assert "no person was found in any frame" in line and "very dark" in line and "light" in line


@pytest.fixture
def no_hud(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip drawing the HUD (not under test here, and most of a live step's time)."""
    import hiprot.live

    monkeypatch.setattr(
        hiprot.live,
        "render_live",
        lambda image, landmarks, view, notice=None, capped=(): np.zeros((2, 2, 3), np.uint8),
    )


def _live_session(
    store: HistoryStore | None, lines: list[str], target_reps: int = 3
) -> LiveSession:
    return LiveSession(
        coach=Coach(CoachConfig(target_reps=target_reps, sets=1), source="synthetic"),
        speaker=Speaker(SilentPlayer()),
        saver=HistorySaver(store, "synthetic", datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)),
        display=NullDisplay(),
        log=lines.append,
    )


def test_live_in_the_dark_says_so_once(no_hud: None) -> None:
    lines: list[str] = []
    session = _live_session(None, lines)
    dark = np.full((480, 640, 3), 12, np.uint8)
    session.run((dark, PoseFrame.empty(i, i / 30)) for i in range(60))
    assert sum("Too dark" in line for line in lines) == 1
    assert [spoken.clip for spoken in session.speaker.spoken].count("too_dark") == 1
    lit = _live_session(None, lines := [])
    lit.run((np.full((480, 640, 3), 120, np.uint8), PoseFrame.empty(i, i / 30)) for i in range(60))
    assert not any("Too dark" in line for line in lines)


# ---------------------------------------------------------------- devices


class FakeCapture:
    def __init__(self, opened: bool, delivers: bool) -> None:
        self.opened, self.delivers, self.released = opened, delivers, False

    def isOpened(self) -> bool:
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        return (True, np.zeros((4, 4, 3), np.uint8)) if self.delivers else (False, None)

    def release(self) -> None:
        self.released = True


@pytest.mark.parametrize(
    ("opened", "message"),
    [(False, "another program is using it"), (True, "opened but delivers no frames")],
    ids=["refused at open", "opens but delivers nothing"],
)
def test_busy_camera_is_a_clear_error_and_released(
    monkeypatch: pytest.MonkeyPatch, opened: bool, message: str
) -> None:
    fake = FakeCapture(opened=opened, delivers=False)
    monkeypatch.setattr(cv2, "VideoCapture", lambda index: fake)
    with pytest.raises(CameraError, match=message), open_camera(0):
        pass
    assert fake.released


# ---------------------------------------------------------------- files


def test_corrupt_calibration_given_to_review_is_one_line(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "neutral.json"
    bad.write_text('{"format": "hiprot-calibration", "version": 1, "neutral_deg": ')
    code, _, err = run_cli(
        capsys, "review", str(recording), "--calibration", str(bad), "--no-history"
    )
    assert code == 1
    assert "corrupt calibration" in one_error_line(err) and "hiprot calibrate" in err


NEUTRAL = {Side.LEFT: LegNeutral(1.0, 2.0), Side.RIGHT: LegNeutral(-1.0, -2.0)}


def test_calibration_from_another_set_up_warns_in_review(recording: Path, tmp_path: Path) -> None:
    other = Calibration(NEUTRAL, setup={"camera": "phone.mp4", "width": 1920, "height": 1080})
    with pytest.warns(HiprotWarning, match=r"1920x1080 frames but this recording is 640x480"):
        review_file(recording, ReviewPaths.in_folder(tmp_path / "out"), calibration=other)


@pytest.mark.parametrize(
    "content",
    [
        b"{\x00 not json",
        json.dumps({"format": "someone-else"}).encode(),
        json.dumps(
            Calibration(NEUTRAL, setup={"camera": "0", "width": 1280, "height": 720}).to_dict()
        ).encode(),
    ],
    ids=["corrupt", "foreign", "another set-up"],
)
def test_live_sets_an_unusable_calibration_aside_and_calibrates_afresh(
    tmp_path: Path, content: bytes
) -> None:
    setup = {"camera": "0", "width": 640, "height": 480}
    path = tmp_path / "camera-0-640x480.json"
    path.write_bytes(content)
    lines: list[str] = []
    found, calibration = find_calibration(tmp_path, setup, lines.append)
    assert (found, calibration) == (path, None)
    assert not path.exists()
    assert (
        tmp_path / "camera-0-640x480.json.unusable"
    ).read_bytes() == content  # kept, not overwritten
    assert len(lines) == 1 and "calibrated afresh" in lines[0]
    path.write_bytes(content)  # a second bad file does not replace the first one set aside
    find_calibration(tmp_path, setup, lines.append)
    assert (tmp_path / "camera-0-640x480.json.unusable-1").read_bytes() == content


def test_unwritable_output_folder_fails_before_the_analysis(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a folder that cannot be created: its parent is a file (root ignores chmod)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the analysis started before the output folder was checked")

    monkeypatch.setattr(review_files, "open_pose_source", must_not_run)
    code, _, err = run_cli(
        capsys, "review", str(recording), "-o", str(blocker / "report"), "--no-history"
    )
    assert code == 1
    line = one_error_line(err)
    assert "cannot write the report there" in line and "-o" in line


def test_disk_full_while_writing_keeps_the_earlier_report_and_history(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, db = tmp_path / "report", tmp_path / "h.sqlite3"
    code, _, _ = run_cli(capsys, "review", str(recording), "-o", str(out), "--db", str(db))
    assert code == 0
    before = snapshot(out)
    assert set(before) == {"session.json", "angles.csv", "plot.png", "report.html"}
    with HistoryStore(db) as store:
        stored = store.sessions()

    import hiprot.report

    def disk_full(summary: object, plot: Path, path: Path, *ranges: object) -> Path:
        path.write_text("<!doctype html><html><body>half a rep")  # some bytes got out
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(hiprot.report, "write_html", disk_full)
    recording.touch()  # a "new" recording: the history would get a second entry
    code, _, err = run_cli(capsys, "review", str(recording), "-o", str(out), "--db", str(db))
    assert code == 1
    line = one_error_line(err)
    assert "report.html: cannot write the report (the disk is full)" in line
    assert "left as it was" in line
    assert snapshot(out) == before, "the earlier report is untouched, no partial files left"
    with HistoryStore(db) as store:
        assert store.sessions() == stored


# ---------------------------------------------------------------- signals


@contextmanager
def _interrupt_after(monkeypatch: pytest.MonkeyPatch, n_frames: int) -> Iterator[None]:
    """Ctrl-C arrives while frame ``n_frames`` is being read."""
    real = review_files.open_pose_source

    @contextmanager
    def interrupted_source(path: Path, model: str = "full") -> Iterator[object]:
        with real(path, model) as source:

            def frames() -> Iterator[PoseFrame]:
                for k, frame in enumerate(source.frames):
                    if k == n_frames:
                        raise KeyboardInterrupt
                    yield frame

            yield dataclasses.replace(source, frames=frames())

    monkeypatch.setattr(review_files, "open_pose_source", interrupted_source)
    yield


def test_ctrl_c_during_review_reports_the_frames_so_far_marked_and_exits_130(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, db = tmp_path / "report", tmp_path / "h.sqlite3"
    with _interrupt_after(monkeypatch, 900):  # at 30 s of 40
        code, stdout, err = run_cli(
            capsys, "review", str(recording), "-o", str(out), "--db", str(db)
        )
    assert code == 130
    assert "Traceback" not in err
    assert (
        "Interrupted at 30.0 s: the report covers the recording up to there only "
        "(marked interrupted); nothing was added to the history." in err
    )
    summary = json.loads((out / "session.json").read_text())
    assert summary["interrupted"] is True
    assert summary["tracking"]["frames"] == 900
    assert summary["duration_s"] == pytest.approx(29.97, abs=0.05)
    assert len(summary["reps"]) >= 4
    assert "Interrupted:</b> this report covers" in (out / "report.html").read_text()
    assert "Report:" in stdout
    with HistoryStore(db) as store:
        assert store.sessions() == []  # a part of a set is not a training session


def test_ctrl_c_in_a_folder_review_says_what_the_finished_files_kept(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # one file reviewed, then Ctrl-C: its report and history entry stay, the
    # second file's earlier report is untouched, and no folder summary is written
    import hiprot.review_files

    folder, db = tmp_path / "ann", tmp_path / "h.sqlite3"
    folder.mkdir()
    first, second = folder / "a.landmarks.jsonl", folder / "b.landmarks.jsonl"
    for path in (first, second):
        path.write_bytes(recording.read_bytes())
    earlier = folder / "b-landmarks-jsonl-hiprot"
    earlier.mkdir()
    (earlier / "report.html").write_text("the complete earlier report")

    def one_then_ctrl_c(sources, out_root, *args, **kwargs):
        yield review_file(first, ReviewPaths.in_folder(folder / "a-landmarks-jsonl-hiprot"))[1]
        raise KeyboardInterrupt

    monkeypatch.setattr(hiprot.review_files, "review_folder", one_then_ctrl_c)
    code, _, err = run_cli(capsys, "review", str(folder), "--db", str(db))
    assert code == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "Interrupted after 1 of 2 files: each one reviewed has its complete report and its "
        "history entry; the others keep any earlier report, and no folder summary was written."
    )
    assert (earlier / "report.html").read_text() == "the complete earlier report"
    assert not (folder / "hiprot-summary.html").exists()
    with HistoryStore(db) as store:
        assert [r.source for r in store.sessions()] == ["a.landmarks.jsonl"]


def test_ctrl_c_before_anything_to_report_just_stops(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with _interrupt_after(monkeypatch, 0):
        code, _, err = run_cli(
            capsys, "review", str(recording), "-o", str(tmp_path / "r"), "--no-history"
        )
    assert code == 130 and err.strip() == "Interrupted."
    assert not (tmp_path / "r").exists()


def test_ctrl_c_during_live_saves_the_reps_and_closes_the_session(
    tmp_path: Path, session_frames: list[PoseFrame], no_hud: None
) -> None:
    def interrupted() -> Iterator[tuple[None, PoseFrame]]:
        for frame in session_frames:
            if frame.t_s > 19.0:  # mid-set, after two reps per leg
                raise KeyboardInterrupt
            yield None, frame

    lines: list[str] = []
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        session = _live_session(store, lines, target_reps=12)
        with pytest.raises(KeyboardInterrupt):
            session.run(interrupted())
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        (record,) = store.sessions()
    assert record.complete and len(record.reps) >= 4
    # the history lists reps by start time; the coach in the order they ended
    assert record.reps == tuple(
        sorted(session.coach.reps, key=lambda r: (r.start_s, r.leg.value, r.index))
    )
    assert lines[-1] == f"Interrupted. Session saved ({len(record.reps)} reps)."


def test_cli_exits_130_on_ctrl_c_in_live(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import hiprot.live

    def interrupted(options: object, log: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(hiprot.live, "run_live", interrupted)
    code, _, err = run_cli(capsys, "live", "--no-window")
    assert code == 130 and err.strip() == "Interrupted."


# ---------------------------------------------------------------- fuzzing the readers


def _read_quietly(path: Path) -> None:
    """Read a recording; only RecordingError or a HiprotWarning may come out."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            read_recording(path)
        except RecordingError:
            pass
    assert all(issubclass(w.category, HiprotWarning) for w in caught), [
        str(w.message) for w in caught
    ]


FUZZ = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=20,
)
valid_row = st.lists(st.floats(-2, 2), min_size=4, max_size=4)
# mostly plausible frames, with any field replaced by anything
frame_dicts = st.fixed_dictionaries(
    {
        "i": st.integers(-1, 10**30) | json_values,
        "t": st.floats(0, 100) | st.integers(-10, 10**400) | json_values,
        "image": st.none()
        | st.lists(valid_row, min_size=33, max_size=33)
        | st.lists(valid_row, max_size=3)
        | json_values,
        "world": st.none() | json_values,
    }
)
header_dicts = st.one_of(
    st.just(INFO.header()),
    st.builds(
        lambda key, value: {**INFO.header(), key: value},
        st.sampled_from(["format", "version", "fps", "width", "height", "source"]),
        json_values | st.integers(10**300, 10**400),
    ),
    json_values,
)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(
    header=header_dicts,
    frames=st.lists(frame_dicts | json_values, max_size=6),
    cut=st.integers(0, 5000),
    gz=st.booleans(),
)
@example(
    header=INFO.header(),
    frames=[{"i": 0, "t": 10**400, "image": None, "world": None}],
    cut=0,
    gz=False,
)
@example(header={**INFO.header(), "fps": 10**400}, frames=[], cut=0, gz=False)
def test_fuzz_recording_reader_structured(
    fuzz_dir: Path, header: object, frames: list[object], cut: int, gz: bool
) -> None:
    text = "\n".join(json.dumps(x) for x in [header, *frames]) + "\n"
    if cut:
        text = text[: max(1, len(text) - cut)]  # cut off, as by a crash
    path = fuzz_dir / ("f.landmarks.jsonl.gz" if gz else "f.landmarks.jsonl")
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    _read_quietly(path)


@FUZZ
@given(data=st.binary(max_size=400), gz=st.sampled_from(["plain", "gzip-of", "raw-as-gz"]))
@example(data=b"[" * 100_000, gz="plain")
@example(data=gzip.compress(b'{"format": "hiprot-landmarks"}')[:-9] + b"\xff" * 9, gz="raw-as-gz")
def test_fuzz_recording_reader_bytes(fuzz_dir: Path, data: bytes, gz: str) -> None:
    path = fuzz_dir / ("b.landmarks.jsonl" if gz == "plain" else "b.landmarks.jsonl.gz")
    path.write_bytes(gzip.compress(data) if gz == "gzip-of" else data)
    _read_quietly(path)


def _load_quietly(path: Path) -> None:
    try:
        load_calibration(path)
    except CalibrationError:
        pass


GOOD_CALIBRATION = Calibration(
    NEUTRAL, setup={"camera": "0", "width": 640, "height": 480}
).to_dict()


def _mutate(data: dict, path: list[str], value: object) -> dict:
    """``data`` with the item at ``path`` (as deep as it goes) replaced by ``value``."""
    copy = json.loads(json.dumps(data))
    node = copy
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            break
        node = node[key]
    node[path[-1]] = value
    return copy


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.builds(
            _mutate,
            st.just(GOOD_CALIBRATION),
            st.lists(
                st.sampled_from(
                    [
                        "format",
                        "version",
                        "neutral_deg",
                        "left",
                        "right",
                        "femur",
                        "foot",
                        "setup",
                        "created",
                    ]
                ),
                min_size=1,
                max_size=3,
            ),
            json_values | st.integers(10**300, 10**400),
        ).map(lambda d: json.dumps(d).encode()),
    )
)
@example(content=b"[" * 100_000)
@example(
    content=json.dumps(
        _mutate(GOOD_CALIBRATION, ["neutral_deg", "left", "femur"], 10**400)
    ).encode()
)
def test_fuzz_calibration_loader(fuzz_dir: Path, content: bytes) -> None:
    path = fuzz_dir / "c.json"
    path.write_bytes(content)
    _load_quietly(path)


def test_fuzz_examples_are_not_vacuous(fuzz_dir: Path) -> None:
    """The fuzz harness does read good files (so 'no exception' means something)."""
    path = save_calibration(Calibration(NEUTRAL), fuzz_dir / "good.json")
    assert load_calibration(path).neutral == NEUTRAL
    with pytest.raises(CalibrationError, match="a number with 401 digits"):
        load_calibration(
            _write(
                fuzz_dir / "huge.json",
                _mutate(GOOD_CALIBRATION, ["neutral_deg", "left", "femur"], 10**400),
            )
        )
    rec = fuzz_dir / "huge-t.landmarks.jsonl"
    rec.write_text(
        json.dumps(INFO.header())
        + "\n"
        + json.dumps({"i": 0, "t": 10**400, "image": None, "world": None})
        + "\n"
    )
    with pytest.raises(RecordingError, match=r"line 2: a number with 401 digits is out of range"):
        read_recording(rec)


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_filmed_from_the_side_is_said_in_review_and_live(no_hud: None) -> None:
    """From the side the knee's swing points at the camera: review warns and
    live says so once; from the recommended 45° neither does."""
    for placement, expected in (("side_left", 1), ("oblique45_left", 0)):
        frames = generate(SessionSpec(seed=4, placement=placement, duration_s=20)).frames
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            review_pose_frames(frames, "set.mp4", size_wh=(640, 480))
        side_warnings = [w for w in caught if "from the side" in str(w.message)]
        assert len(side_warnings) == expected, placement
        assert all(issubclass(w.category, HiprotWarning) for w in side_warnings)
        lines: list[str] = []
        live = _live_session(None, lines)
        live.run((None, frame) for frame in frames)
        assert sum("from the side" in line for line in lines) == expected, placement
        assert [spoken.clip for spoken in live.speaker.spoken].count("side_on") == expected
