"""Nothing lost, nothing overwritten: history, outputs and inputs survive
interrupts, full disks and odd names (docs/reliability.md, issue 24).

Each test names the numbered case of the issue it covers. Full disks are a
small tmpfs filled up, read-only folders a read-only bind mount (tests run as
root, where chmod does not bite); where mounting is not permitted, the
fixtures fall back to injecting the same errors in-process.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hiprot.review_files as review_files
from hiprot.calibration import Calibration, CalibrationError, LegNeutral, load_calibration
from hiprot.cli import setup as cli_setup
from hiprot.errors import RecordingError
from hiprot.history import HistoryError, HistoryStore
from hiprot.landmarks import Side
from hiprot.recording import RecordingInfo, read_recording, write_recording
from hiprot.reps import Mode
from hiprot.session import CalibrationInfo, SessionSummary, Tracking, write_session
from hiprot.sources import PoseSource
from hiprot.types import PoseFrame
from tests.conftest import write_video
from tests.test_reliability import one_error_line, run_cli, snapshot

INFO = RecordingInfo(fps=30.0, width=640, height=480, source="synthetic", model="test")
LONG_NUMBER = "9" * 5000  # past Python's 4,300-digit integer-string limit


# ---------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _restore_signal_handlers() -> Iterator[None]:
    """``cli.main`` turns TERM and HUP into interrupts; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def sessions(db: Path) -> list:
    with HistoryStore(db) as store:
        return store.sessions()


@contextmanager
def interrupted_at(
    monkeypatch: pytest.MonkeyPatch,
    n_frames: int,
    signum: int = signal.SIGINT,
    module: object = review_files,
) -> Iterator[None]:
    """A real signal arrives while frame ``n_frames`` of the source is read."""
    real = module.open_pose_source

    @contextmanager
    def source_with_a_signal(path: Path, model: str = "full") -> Iterator[object]:
        with real(path, model) as source:

            def frames() -> Iterator[PoseFrame]:
                for k, frame in enumerate(source.frames):
                    if k == n_frames:
                        os.kill(os.getpid(), signum)
                    yield frame

            yield dataclasses.replace(source, frames=frames())

    monkeypatch.setattr(module, "open_pose_source", source_with_a_signal)
    # Ctrl-C as in a terminal: a job started in the background by a
    # non-interactive shell inherits SIGINT ignored, and hiprot keeps that
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _mount(*args: str) -> bool:
    if os.geteuid() != 0:
        return False
    result = subprocess.run(["mount", *args], capture_output=True, check=False)
    return result.returncode == 0


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on a disk with no space left.

    A 256 KiB tmpfs filled to the last byte; where mounting is not allowed,
    every file opened for writing there fails with ENOSPC instead.
    """
    folder = tmp_path / "full"
    folder.mkdir()
    if _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)):
        try:
            with open(folder / ".filler", "wb") as filler:
                while True:
                    filler.write(b"\0" * 4096)
                    filler.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        try:
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    import builtins

    real_open = builtins.open

    def open_on_a_full_disk(file, mode="r", *args, **kwargs):
        if any(m in mode for m in "wax+") and str(folder) in str(file):
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_on_a_full_disk)
    real_connect = sqlite3.connect

    def connect_full(database, *args, **kwargs):
        conn = real_connect(database, *args, **kwargs)
        if str(folder) in str(database):
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_full)
    yield folder


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` (and what is in it) read-only: a read-only bind mount as root,
    permissions otherwise."""
    if os.geteuid() == 0:
        if not _mount("--bind", str(folder), str(folder)):
            pytest.fail("tests as root need mount (a read-only bind mount) for this case")
        try:
            assert _mount("-o", "remount,ro,bind", str(folder))
            yield
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
    for p in modes:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        yield
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def must_not_run(*args: object, **kwargs: object) -> None:
    raise AssertionError("the analysis started before the problem was found")


# ---------------------------------------------------------------- 1. interrupted repeat review


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"]
)
def test_1_interrupted_repeat_review_keeps_the_complete_report_and_history(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    signum: int,
) -> None:
    out, db = tmp_path / "report", tmp_path / "h.sqlite3"
    code, _, _ = run_cli(capsys, "review", str(recording), "-o", str(out), "--db", str(db))
    assert code == 0
    before, stored = snapshot(out), sessions(db)
    (complete,) = stored
    assert len(complete.reps) >= 8

    with interrupted_at(monkeypatch, 300, signum):  # at 10 s of 40
        code, _, err = run_cli(capsys, "review", str(recording), "-o", str(out), "--db", str(db))
    assert code == 128 + signum  # 130 for Ctrl-C
    assert "Traceback" not in err
    assert (
        f"Interrupted at 10.0 s: the complete earlier report in {out} was kept; "
        "nothing was added to the history." in err
    )
    assert snapshot(out) == before
    assert sessions(db) == stored


# ---------------------------------------------------------------- 2. outputs never overwrite inputs


@pytest.mark.parametrize(
    "case",
    [
        "review --csv INPUT",
        "review --json HARD LINK",
        "review --html SYMLINK",
        "extract -o INPUT",
        "calibrate -o INPUT",
        "history --csv DB",
    ],
)
def test_2_an_output_never_overwrites_an_input(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    db = tmp_path / "h.sqlite3"
    assert (
        run_cli(capsys, "review", str(recording), "-o", str(tmp_path / "r"), "--db", str(db))[0]
        == 0
    )
    link = tmp_path / "link.jsonl"
    args = {
        "review --csv INPUT": ["review", str(recording), "--csv", str(recording)],
        "review --json HARD LINK": ["review", str(recording), "--json", str(link)],
        "review --html SYMLINK": ["review", str(recording), "--html", str(link)],
        "extract -o INPUT": ["extract", str(recording), "-o", str(recording)],
        "calibrate -o INPUT": ["calibrate", str(recording), "-o", str(recording)],
        "history --csv DB": ["history", "--db", str(db), "--csv", str(db)],
    }[case]
    if "HARD" in case:
        os.link(recording, link)
    if "SYMLINK" in case:
        link.symlink_to(recording)
    guarded = db if "DB" in case else recording
    content = guarded.read_bytes()
    if case.startswith("review"):
        args.append("--no-history")
    code, _, err = run_cli(capsys, *args)
    assert code == 1
    assert "would overwrite the input" in one_error_line(err)
    assert guarded.read_bytes() == content


def test_2_extract_onto_its_own_video_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = write_video(tmp_path / "v.mp4", 20)
    content = video.read_bytes()
    code, _, err = run_cli(capsys, "extract", str(video), "-o", str(video))
    assert code == 1 and "-o would overwrite the input" in one_error_line(err)
    assert video.read_bytes() == content


@pytest.mark.pose
def test_2_annotate_onto_the_reviewed_video_is_refused(
    bridging_clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(bridging_clip.read_bytes())
    code, _, err = run_cli(capsys, "review", str(video), "--annotate", str(video), "--no-history")
    assert code == 1 and "--annotate would overwrite the input" in one_error_line(err)
    assert video.read_bytes() == bridging_clip.read_bytes()


def test_2_two_outputs_on_one_path_are_refused(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = tmp_path / "out.txt"
    code, _, err = run_cli(
        capsys, "review", str(recording), "--json", str(both), "--html", str(both), "--no-history"
    )
    assert code == 1
    assert "given to both --json and --html" in one_error_line(err)
    assert not both.exists()


# ---------------------------------------------------------------- 3. Ctrl-C while annotating


def test_3_ctrl_c_while_annotating_keeps_the_earlier_video_and_a_consistent_history(
    session_frames: list[PoseFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import hiprot.annotate

    video = write_video(tmp_path / "set.mp4", len(session_frames))

    @contextmanager
    def synthetic_landmarks(path: Path, model: str = "full") -> Iterator[PoseSource]:
        # MediaPipe's stand-in
        yield PoseSource(path, INFO, len(session_frames), iter(session_frames))

    monkeypatch.setattr(review_files, "open_pose_source", synthetic_landmarks)
    out, db = tmp_path / "report", tmp_path / "h.sqlite3"
    annotated = out / "annotated.mp4"
    args = ("review", str(video), "-o", str(out), "--annotate", str(annotated), "--db", str(db))
    assert run_cli(capsys, *args)[0] == 0
    complete_video = annotated.read_bytes()

    real_draw, drawn = hiprot.annotate.draw_annotation, []

    def ctrl_c_midway(*draw_args: object) -> None:
        drawn.append(1)
        if len(drawn) == 400:
            raise KeyboardInterrupt
        real_draw(*draw_args)

    monkeypatch.setattr(hiprot.annotate, "draw_annotation", ctrl_c_midway)
    video.touch()  # a new modification time: nothing else may tell the runs apart
    code, _, err = run_cli(capsys, *args)
    assert code == 130 and "Traceback" not in err
    assert "while writing the annotated video" in err
    assert annotated.read_bytes() == complete_video
    assert sorted(p.name for p in out.iterdir()) == [
        "angles.csv",
        "annotated.mp4",
        "plot.png",
        "report.html",
        "session.json",
    ]
    (record,) = sessions(db)
    summary = json.loads((out / "session.json").read_text())
    assert "interrupted" not in summary
    assert len(record.reps) == len(summary["reps"]) >= 8


# ---------------------------------------------------------------- 4. history identity


def test_4_two_sets_with_one_name_and_time_stay_two_sessions(
    session_frames: list[PoseFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.sqlite3"
    first, second = tmp_path / "a" / "set.landmarks.jsonl", tmp_path / "b" / "set.landmarks.jsonl"
    for path, frames in ((first, session_frames), (second, session_frames[:900])):
        path.parent.mkdir()
        write_recording(path, INFO, frames)
        os.utime(path, (1_750_000_000, 1_750_000_000))  # the same modification second
    for path in (first, second, first):  # the first one reviewed again replaces itself
        code, out, _ = run_cli(capsys, "review", str(path), "--db", str(db))
        assert code == 0 and "Added to your history" in out
    stored = sessions(db)
    assert len(stored) == 2
    assert sorted(r.duration_s for r in stored) == pytest.approx([29.97, 39.97], abs=0.05)


def test_4_an_entry_from_before_content_ids_is_replaced_not_doubled(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.sqlite3"
    assert run_cli(capsys, "review", str(recording), "--db", str(db))[0] == 0
    with sqlite3.connect(db) as conn:  # as a history from before content ids holds it
        conn.execute("UPDATE sessions SET content_sha256 = NULL")
    conn.close()
    assert run_cli(capsys, "review", str(recording), "--db", str(db))[0] == 0
    (record,) = sessions(db)
    assert record.source == recording.name


# ---------------------------------------------------------------- 5. file problems outside review


def test_5_calibrate_to_a_folder_is_one_line_and_leaves_no_tmp(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cal"
    folder.mkdir()
    code, _, err = run_cli(capsys, "calibrate", str(recording), "-o", str(folder))
    assert code == 1
    assert f"{folder}: cannot write the calibration (it is a folder)" in one_error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cal", recording.name]


def test_5_calibrate_to_a_read_only_folder_is_one_line_and_leaves_no_tmp(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cal"
    folder.mkdir()
    with read_only(folder):
        code, _, err = run_cli(capsys, "calibrate", str(recording), "-o", str(folder / "c.json"))
    assert code == 1
    line = one_error_line(err)
    assert "c.json: cannot write the calibration (" in line
    assert "read-only" in line or "permission denied" in line
    assert list(folder.iterdir()) == []


def test_5_extract_into_a_missing_folder_is_one_line(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "x.landmarks.jsonl"
    code, _, err = run_cli(capsys, "extract", str(recording), "-o", str(target))
    assert code == 1 and "the folder does not exist" in one_error_line(err)


def test_5_extract_onto_a_full_disk_leaves_no_partial_recording(
    recording: Path, full_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name for p in full_disk.iterdir()}
    target = full_disk / "x.landmarks.jsonl"
    code, _, err = run_cli(capsys, "extract", str(recording), "-o", str(target))
    assert code == 1
    line = one_error_line(err)
    assert f"{target}: cannot write the recording (the disk is full)" in line
    assert {p.name for p in full_disk.iterdir()} == before


def test_ctrl_c_during_extract_keeps_the_earlier_recording(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "out" / "x.landmarks.jsonl"
    target.parent.mkdir()
    assert run_cli(capsys, "extract", str(recording), "-o", str(target))[0] == 0
    complete = target.read_bytes()
    with interrupted_at(monkeypatch, 300, signal.SIGTERM, module=cli_setup):
        code, _, err = run_cli(capsys, "extract", str(recording), "-o", str(target))
    assert code == 143 and "Traceback" not in err
    assert err.strip() == f"Interrupted: no recording written ({target} is as it was)."
    assert snapshot(target.parent) == {"x.landmarks.jsonl": complete}


def test_5_synth_onto_an_existing_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("mine")
    code, _, err = run_cli(capsys, "synth", str(existing))
    assert code == 1 and "is a file, not a folder" in one_error_line(err)
    assert existing.read_text() == "mine"


@pytest.mark.parametrize("option", ["--csv", "--plot"])
@pytest.mark.parametrize("where", ["missing folder", "a folder", "read-only"])
def test_5_history_exports_to_unwritable_paths_are_one_line(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, where: str
) -> None:
    db = tmp_path / "h.sqlite3"
    assert (
        run_cli(capsys, "review", str(recording), "-o", str(tmp_path / "r"), "--db", str(db))[0]
        == 0
    )
    locked = tmp_path / "locked"
    locked.mkdir()
    target = {
        "missing folder": tmp_path / "missing" / "out",
        "a folder": locked,
        "read-only": locked / "out",
    }[where]
    if option == "--plot" and where != "a folder":
        target = target.with_suffix(".png")
    if where == "read-only":
        with read_only(locked):
            code, _, err = run_cli(capsys, "history", "--db", str(db), option, str(target))
    else:
        code, _, err = run_cli(capsys, "history", "--db", str(db), option, str(target))
    assert code == 1
    assert f"{target}: cannot write the" in one_error_line(err)
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("home", ["a file", "under a file"])
def test_5_hiprot_home_that_cannot_hold_a_history_is_one_line_before_the_analysis(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    home: str,
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    monkeypatch.setenv("HIPROT_HOME", str(blocker if home == "a file" else blocker / "home"))
    monkeypatch.setattr(review_files, "open_pose_source", must_not_run)
    code, _, err = run_cli(capsys, "review", str(recording), "-o", str(tmp_path / "r"))
    assert code == 1
    line = one_error_line(err)
    assert "cannot hold the history" in line and "HIPROT_HOME" in line
    assert blocker.read_text() == "x"


def test_5_a_history_row_with_an_unknown_value_is_one_line(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.sqlite3"
    assert (
        run_cli(capsys, "review", str(recording), "-o", str(tmp_path / "r"), "--db", str(db))[0]
        == 0
    )
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sessions SET mode = 'sideways'")
    conn.close()
    content = db.read_bytes()
    code, _, err = run_cli(capsys, "history", "--db", str(db))
    assert code == 1
    assert "a stored session has a value this hiprot does not know" in one_error_line(err)
    assert db.read_bytes() == content


# ---------------------------------------------------------------- 6. names are text, not markup


def test_6_brackets_in_paths_print_as_they_are(
    session_frames: list[PoseFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "a[/]b"  # "[/]" closes a style in rich's markup
    folder.mkdir(parents=True)
    recording = folder / "set[left].landmarks.jsonl"
    write_recording(recording, INFO, session_frames)
    db = tmp_path / "h.sqlite3"
    code, out, err = run_cli(capsys, "review", str(recording), "--db", str(db))
    assert code == 0, err
    report = folder / "set[left]-landmarks-jsonl-hiprot" / "report.html"
    assert report.is_file()
    assert f"Report: {report}" in out.replace("\n", "")
    code, out, _ = run_cli(capsys, "history", "--db", str(db))
    assert code == 0 and "set[left]" in out  # the table may fold the rest of the name


def test_6_hiprots_own_brackets_survive_in_an_error(
    recording: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = recording.read_text().splitlines()
    frame = json.loads(lines[1])
    frame["image"][0] = [0.5, 0.5, 0.0]  # three values, not four
    lines[1] = json.dumps(frame)
    recording.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(capsys, "review", str(recording), "--no-history")
    assert code == 1
    assert "line 2: 'image' row 0 must be [x, y, z, visibility]" in one_error_line(err)


# ---------------------------------------------------------------- 7. numbers too long to read


@pytest.mark.parametrize(
    ("where", "line"),
    [("header", 1), ("frame index", 2), ("landmark", 2)],
)
def test_7_a_number_of_5000_digits_in_a_recording_is_one_line(
    recording: Path, capsys: pytest.CaptureFixture[str], where: str, line: int
) -> None:
    lines = recording.read_text().splitlines()
    if where == "header":
        lines[0] = lines[0].replace('"width": 640', f'"width": {LONG_NUMBER}')
    elif where == "frame index":
        lines[1] = lines[1].replace('"i":0', f'"i":{LONG_NUMBER}')
    else:
        lines[1] = lines[1].replace('"image":[[', f'"image":[[{LONG_NUMBER},', 1)
    assert LONG_NUMBER in "".join(lines)
    recording.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(capsys, "review", str(recording), "--no-history")
    assert code == 1
    assert f"{recording}, line {line}: a number with 5000 digits is out of range" in (
        one_error_line(err)
    )


def test_7_a_number_of_5000_digits_in_a_calibration_is_one_line(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.json"
    good = Calibration({side: LegNeutral(1.0, 2.0) for side in Side}).to_dict()
    path.write_text(json.dumps(good).replace('"femur": 1.0', f'"femur": {LONG_NUMBER}', 1))
    code, _, err = run_cli(
        capsys, "review", str(recording), "--calibration", str(path), "--no-history"
    )
    assert code == 1
    assert f"{path}: corrupt calibration (a number with 5000 digits)" in one_error_line(err)


#: Bounded: each example is small and fast, the whole test takes seconds.
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
#: Numbers as a damaged file may hold them: from ordinary to thousands of digits.
long_numbers = st.one_of(
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(1, 6000).map(lambda n: "-" + "1" * n),
    st.integers(300, 6000).map(lambda n: "1" + "0" * n + ".5"),
    st.integers(300, 400).map(lambda n: f"1e{n}"),
)


@FUZZ
@given(number=long_numbers, slot=st.integers(0, 5))
def test_7_fuzz_readers_with_numbers_of_any_length(tmp_path: Path, number: str, slot: int) -> None:
    """Any number, of any length, in any numeric field of a recording or a
    calibration: the readers answer with their own error, never a crash."""
    header = '{"format": "hiprot-landmarks", "version": 1, "fps": 30, "width": 640, "height": 480}'
    frames = [
        json.dumps(
            {"i": i, "t": i / 10, "image": [[0.5, 0.5, 0.0, 0.9]] * 33, "world": None},
            separators=(",", ":"),
        )
        for i in range(2)
    ]
    field = ['"fps": 30', '"width": 640', '"height": 480', '"i":0', '"t":0.0', "[0.5,"][slot]
    if slot < 3:
        header = header.replace(field, field.split(":")[0] + ": " + number)
    else:
        new = f"[{number}," if slot == 5 else field.split(":")[0] + ":" + number
        frames[0] = frames[0].replace(field, new, 1)
    path = tmp_path / "fuzz.landmarks.jsonl"
    path.write_text("\n".join([header, *frames]) + "\n")
    try:
        read_recording(path)
    except RecordingError:
        pass
    calibration = tmp_path / "fuzz.json"
    good = Calibration({side: LegNeutral(1.0, 2.0) for side in Side}).to_dict()
    key = ['"femur": 1.0', '"foot": 2.0'][slot % 2]
    calibration.write_text(json.dumps(good).replace(key, key.split(":")[0] + ": " + number, 1))
    try:
        load_calibration(calibration)
    except CalibrationError:
        pass


def test_7_absurd_calibration_values_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    good = Calibration({side: LegNeutral(1.0, 2.0) for side in Side}).to_dict()
    path.write_text(json.dumps(good).replace('"femur": 1.0', '"femur": 1e308', 1))
    with pytest.raises(CalibrationError, match="missing or invalid neutral_deg"):
        load_calibration(path)


# ---------------------------------------------------------------- 8. history errors


def test_8_a_full_disk_under_the_history_says_so(
    recording: Path, full_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "review", str(recording), "-o", str(tmp_path / "r"), "--db", str(full_disk / "h")
    )
    assert code == 1
    line = one_error_line(err)
    assert "the disk is full" in line and "rollback" not in line


def test_8_a_full_disk_while_adding_says_so_and_stores_nothing(
    tmp_path: Path, session_frames: list[PoseFrame]
) -> None:
    from hiprot.review import review_pose_frames

    db = tmp_path / "h.sqlite3"
    summary = review_pose_frames(session_frames, "set", size_wh=(640, 480)).summary
    now, added = datetime.now().astimezone(), 0
    with HistoryStore(db) as store:
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full"
        with pytest.raises(HistoryError, match="the disk is full, so nothing was added"):
            for k in range(10_000):
                store.add_summary(summary, now + timedelta(minutes=k))
                added += 1
    assert len(sessions(db)) == added  # the one that failed left nothing behind


def test_8_a_read_only_history_is_found_before_the_analysis(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with HistoryStore(home / "h.sqlite3"):
        pass
    monkeypatch.setattr(review_files, "open_pose_source", must_not_run)
    with read_only(home):
        code, _, err = run_cli(
            capsys,
            "review",
            str(recording),
            "-o",
            str(tmp_path / "r"),
            "--db",
            str(home / "h.sqlite3"),
        )
        # reading a read-only history still works
        assert run_cli(capsys, "history", "--db", str(home / "h.sqlite3"))[0] == 0
    assert code == 1
    assert "the history is read-only" in one_error_line(err)
    assert not (tmp_path / "r").exists()


def _create_history(path: str, start: object, results: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    try:
        with HistoryStore(Path(path), timeout_s=30.0) as store:
            store.sessions()
        results.put("ok")  # type: ignore[attr-defined]
    except Exception as exc:  # reported to the test, which shows it
        results.put(f"{type(exc).__name__}: {exc}")  # type: ignore[attr-defined]


def test_8_ten_processes_creating_one_history_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_ in range(20):
        path = tmp_path / f"h{round_}.sqlite3"
        start, results = context.Barrier(10), context.Queue()
        workers = [
            context.Process(target=_create_history, args=(str(path), start, results))
            for _ in range(10)
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == ["ok"] * 10, outcomes


# ---------------------------------------------------------------- the smaller ones


def test_stale_partial_files_of_a_killed_run_are_cleaned_up(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    out.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = out / f".session.partial-{dead.pid}.json"
    running = out / f".angles.partial-{os.getppid()}.csv"  # a run still going: kept
    stale.write_text("{half")
    running.write_text("t_s,")
    assert run_cli(capsys, "review", str(recording), "-o", str(out), "--no-history")[0] == 0
    assert not stale.exists() and running.exists()


def test_a_killed_extracts_partial_recording_is_cleaned_up(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".x.landmarks.partial-{dead.pid}.jsonl"
    stale.write_text('{"format": "hiprot-landmarks"')
    target = tmp_path / "x.landmarks.jsonl"
    assert run_cli(capsys, "extract", str(recording), "-o", str(target))[0] == 0
    assert not stale.exists() and target.is_file()


def test_invalid_utf8_mid_recording_is_a_damaged_recording(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = recording.read_bytes().split(b"\n")
    lines[600] = lines[600][:40] + b"\xff\xfe" + lines[600][40:]
    recording.write_bytes(b"\n".join(lines))
    db = tmp_path / "h.sqlite3"
    code, _, err = run_cli(capsys, "review", str(recording), "--db", str(db))
    assert code == 1
    assert "line 601: not valid UTF-8 text (the file is damaged)" in one_error_line(err)
    assert not db.exists() or sessions(db) == []


def test_nan_is_never_written_into_session_json(tmp_path: Path) -> None:
    summary = SessionSummary(
        source="s",
        duration_s=10.0,
        mode=Mode.BOTH,
        calibration=CalibrationInfo("auto", {Side.LEFT: float("nan"), Side.RIGHT: 1.0}),
        tracking=Tracking(10, 10),
        reps=(),
    )
    path = write_session(tmp_path / "session.json", summary)

    def no_constants(name: str) -> object:
        raise AssertionError(f"{name} written into JSON")

    data = json.loads(path.read_text(), parse_constant=no_constants)
    assert data["calibration"]["neutral_deg"] == {"left": None, "right": 1.0}


def test_numpy_runtime_warnings_do_not_reach_the_terminal(
    session_frames: list[PoseFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import warnings

    def left_leg_on_one_point(frame: PoseFrame) -> PoseFrame:
        image = frame.image.copy()
        image[[23, 25, 27, 29, 31]] = image[23]  # hip, knee, ankle, heel, toe
        return dataclasses.replace(frame, image=image)

    path = tmp_path / "flat.landmarks.jsonl"
    write_recording(path, INFO, [left_leg_on_one_point(f) for f in session_frames])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, _, err = run_cli(
            capsys, "review", str(path), "--no-history", "-o", str(tmp_path / "r")
        )
    assert code == 0, err
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert "RuntimeWarning" not in err and "All-NaN" not in err


#: MediaPipe's threads open the graph while the estimator waits for its
#: first frame: the moment its start-up lines come out varies from run to run,
#: a pause before the first frame makes it come between the frames.
_SLOW_FIRST_FRAME = """
import sys, time
from hiprot.capture import open_video
from hiprot.pose import PoseEstimator
with open_video(sys.argv[1]) as frames, PoseEstimator() as estimator:
    time.sleep(1.0)
    for k, frame in zip(range(5), frames):
        estimator.estimate(frame)
print("done")
"""


@pytest.mark.pose
def test_mediapipe_start_up_lines_do_not_reach_the_terminal(
    bridging_clip: Path, tmp_path: Path
) -> None:
    """TFLite's "INFO: Created TensorFlow Lite XNNPACK delegate" and absl's
    warnings stay out of the terminal, in the estimator and in a whole command."""
    result = subprocess.run(
        [sys.executable, "-c", _SLOW_FIRST_FRAME, str(bridging_clip)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "done\n", "")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hiprot",
            "extract",
            str(bridging_clip),
            "-o",
            str(tmp_path / "x.landmarks.jsonl.gz"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_an_output_through_a_symlink_or_to_a_pipe_keeps_the_link(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.sqlite3"
    assert (
        run_cli(capsys, "review", str(recording), "-o", str(tmp_path / "r"), "--db", str(db))[0]
        == 0
    )
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    link.symlink_to(real)
    assert run_cli(capsys, "history", "--db", str(db), "--csv", str(link))[0] == 0
    assert link.is_symlink() and real.read_text().startswith("session_id,")
    result = subprocess.run(
        [sys.executable, "-m", "hiprot", "history", "--db", str(db), "--csv", "/dev/stdout"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "\nsession_id,person,started_at," in result.stdout
    assert Path("/dev/stdout").is_symlink()


def test_history_csv_neutralises_formula_looking_names(
    session_frames: list[PoseFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = tmp_path / "=1+2.landmarks.jsonl"
    write_recording(recording, INFO, session_frames)
    db, table = tmp_path / "h.sqlite3", tmp_path / "h.csv"
    assert run_cli(capsys, "review", str(recording), "--db", str(db))[0] == 0
    assert run_cli(capsys, "history", "--db", str(db), "--csv", str(table))[0] == 0
    import csv

    (row,) = list(csv.DictReader(table.open(encoding="utf-8")))
    assert row["source"] == "'=1+2.landmarks.jsonl"
    assert row["left_best_external_deg"].startswith("-")  # numbers stay numbers
