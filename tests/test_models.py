"""Landmark models: status, installing from npm (a fake npm here), falling back.

No test reaches a registry: a fake ``npm`` on PATH writes a small tarball
with the real package's layout, and the expected size and digest are the
fake file's.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import sys
import tarfile
from pathlib import Path

import pytest

from hiprot import models
from hiprot.cli import main
from hiprot.models import ModelError, ModelFile

GOOD = b"pretend heavy model weights\n" * 100
BAD = b"something else entirely\n" * 100

FAKE_NPM = """#!{python}
import os, sys, tarfile, io
args = sys.argv[1:]
assert args[0] == "pack", args
log = os.environ.get("FAKE_NPM_LOG")
if log:
    open(log, "a").write(" ".join(args) + "\\n")
if os.environ.get("FAKE_NPM_FAIL"):
    sys.stderr.write("npm error code E404\\nnpm error 404 Not Found\\n")
    sys.exit(1)
dest = args[args.index("--pack-destination") + 1]
content = open(os.environ["FAKE_NPM_CONTENT"], "rb").read()
with tarfile.open(os.path.join(dest, "mediapipe-pose-0.5.1675469404.tgz"), "w:gz") as tar:
    for name, data in (("package/package.json", b"{{}}"),
                       ("package/pose_landmark_heavy.tflite", content)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
print("mediapipe-pose-0.5.1675469404.tgz")
"""


@pytest.fixture
def model_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """mediapipe's model folder, moved to a temporary one; heavy expected to be GOOD."""
    folder = tmp_path / "mediapipe" / "modules" / "pose_landmark"
    folder.mkdir(parents=True)
    (folder / "pose_landmark_full.tflite").write_bytes(b"f" * models.FILES["full"].size)
    monkeypatch.setattr(models, "model_dir", lambda: folder)
    files = dict(models.FILES)
    files["heavy"] = ModelFile("heavy", len(GOOD), hashlib.sha256(GOOD).hexdigest())
    monkeypatch.setattr(models, "FILES", files)
    return folder


@pytest.fixture
def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake npm first on PATH; returns the file whose bytes it packs as the model."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(FAKE_NPM.format(python=sys.executable))
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    content = tmp_path / "content.bin"
    content.write_bytes(GOOD)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NPM_CONTENT", str(content))
    monkeypatch.setenv("FAKE_NPM_LOG", str(tmp_path / "npm.log"))
    return content


def run_main(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main([*args])
        raise SystemExit(0)
    return int(done.value.code or 0)


def test_the_digests_are_of_the_real_package_files() -> None:
    # the wheel's full model is byte-identical to the package's: check ours against it
    full = models.model_path("full")
    assert full.stat().st_size == models.FILES["full"].size
    assert hashlib.sha256(full.read_bytes()).hexdigest() == models.FILES["full"].sha256
    assert models.FILES["heavy"].size == 27_709_200


def test_install_places_the_checked_file(model_folder: Path, fake_npm: Path, tmp_path) -> None:
    assert not models.is_installed("heavy")
    paths = models.install(["heavy"])
    assert paths == [model_folder / "pose_landmark_heavy.tflite"]
    assert paths[0].read_bytes() == GOOD
    assert models.is_installed("heavy")
    # nothing half-written is left beside it
    assert sorted(p.name for p in model_folder.iterdir()) == [
        "pose_landmark_full.tflite",
        "pose_landmark_heavy.tflite",
    ]
    assert "@mediapipe/pose@0.5.1675469404" in (tmp_path / "npm.log").read_text()


def test_install_again_does_not_fetch(model_folder: Path, fake_npm: Path, tmp_path) -> None:
    models.install(["heavy"])
    (tmp_path / "npm.log").unlink()
    lines: list[str] = []
    models.install(["heavy"], log=lines.append)
    assert not (tmp_path / "npm.log").exists()
    assert lines and "already installed" in lines[0]


def test_a_wrong_file_is_refused_and_nothing_installed(model_folder: Path, fake_npm: Path) -> None:
    fake_npm.write_bytes(BAD)
    with pytest.raises(ModelError, match="not the expected file"):
        models.install(["heavy"])
    assert not (model_folder / "pose_landmark_heavy.tflite").exists()
    assert [p.name for p in model_folder.iterdir()] == ["pose_landmark_full.tflite"]


def test_a_package_without_the_model_is_refused(model_folder: Path, fake_npm: Path) -> None:
    with pytest.raises(ModelError, match=r"has no package/pose_landmark_lite\.tflite"):
        models.install(["lite"])
    assert not (model_folder / "pose_landmark_lite.tflite").exists()


def test_npm_failing_says_why(model_folder: Path, fake_npm: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_NPM_FAIL", "1")
    failed = r"npm pack @mediapipe/pose@0\.5\.1675469404 failed: .*404"
    with pytest.raises(ModelError, match=failed):
        models.install(["heavy"])
    assert not (model_folder / "pose_landmark_heavy.tflite").exists()


def test_cli_install_and_status(model_folder: Path, fake_npm: Path, capsys) -> None:
    assert run_main("models") == 0
    before = capsys.readouterr().out
    assert "heavy" in before and "no" in before
    assert "review: heavy by default" in before and "runs full until heavy is installed" in before
    assert run_main("models", "install", "heavy") == 0
    out = capsys.readouterr().out
    assert "heavy: installed" in out
    assert run_main("models") == 0
    status = capsys.readouterr().out
    heavy_row = next(line for line in status.splitlines() if "heavy" in line and "MB" in line)
    assert "yes" in heavy_row
    assert "runs full until" not in status and "Install heavy with" not in status


def test_cli_install_without_npm_is_one_line(model_folder: Path, tmp_path, monkeypatch, capsys):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert run_main("models", "install", "heavy") == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1
    assert err[0].startswith("hiprot: error: npm is not installed")
    assert not (model_folder / "pose_landmark_heavy.tflite").exists()


def test_heavy_asked_for_but_absent_falls_back_to_full(model_folder: Path) -> None:
    model, warning = models.resolve("heavy")
    assert model == "full"
    assert warning is not None and "hiprot models install heavy" in warning
    model, line = models.choose("review", "heavy")
    assert model == "full"
    assert line.startswith("Pose model: full (the heavy pose model is not installed")
    assert "\n" not in line


def test_choose_names_the_model_and_why(model_folder: Path, fake_npm: Path) -> None:
    models.install(["heavy"])
    assert models.choose("review", "heavy") == (
        "heavy",
        "Pose model: heavy (asked for with --model)",
    )
    model, line = models.choose("live", None)
    assert model == models.DEFAULTS["live"][0]
    assert line == f"Pose model: {model} ({models.DEFAULTS['live'][1]})"


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ModelError, match="unknown pose model"):
        models.resolve("huge")
    with pytest.raises(ModelError, match="unknown pose model"):
        models.install(["huge"])


def _tarball_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_corrupt_tarball_is_a_model_error(model_folder: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(_tarball_with({"package/pose_landmark_heavy.tflite": GOOD})[:40])
    with pytest.raises(ModelError):
        models._extract(broken, models.FILES["heavy"], tmp_path)


@pytest.mark.pose
def test_extract_with_heavy_absent_falls_back_in_one_line(
    model_folder: Path, bridging_clip: Path, tmp_path: Path, capsys
) -> None:
    from hiprot.recording import read_recording

    out = tmp_path / "bridge.landmarks.jsonl"
    assert run_main("extract", str(bridging_clip), "--model", "heavy", "-o", str(out)) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("Pose model")]
    assert err == [
        "Pose model: full (the heavy pose model is not installed (hiprot models install "
        "heavy); using full)"
    ]
    info, frames = read_recording(out)
    assert info.pose_model == "full" and info.model.startswith("mediapipe-pose-full-")
    assert sum(f.has_pose for f in frames) >= 85


def test_review_of_a_recording_runs_no_model(tmp_path: Path, capsys) -> None:
    import json

    from hiprot.synth import SessionSpec, generate, write_session

    spec = SessionSpec(seed=1, scenario="clean", placement="oblique45_left", noise="none")
    recording, _ = write_session(generate(spec), tmp_path / "s.landmarks.jsonl.gz")
    report = tmp_path / "report"
    code = run_main("review", str(recording), "-o", str(report), "--no-history", "--model", "heavy")
    assert code == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("Pose model")] == [
        "Pose model: none run (the recording's landmarks are used)"
    ]
    # the summary names the recording's model (none given: full), not --model
    assert json.loads((report / "session.json").read_text())["tracking"]["model"] == "full"


def test_the_visibility_gate_is_the_models() -> None:
    """Heavy reports low visibility for a leg it still places well: its gate is lower."""
    import dataclasses
    import warnings

    from hiprot.landmarks import LEGS, Side
    from hiprot.reps import MIN_CONFIDENCE_BY_MODEL
    from hiprot.review import review_pose_frames
    from hiprot.synth import SessionSpec, generate

    spec = SessionSpec(seed=1, scenario="clean", placement="oblique45_left", noise="none")
    session = generate(spec)
    dim = (MIN_CONFIDENCE_BY_MODEL["heavy"] + MIN_CONFIDENCE_BY_MODEL["full"]) / 2
    frames = []
    for frame in session.frames:
        image = frame.image.copy()
        image[list(LEGS[Side.RIGHT].indices), 3] = dim  # the right leg seen dimly throughout
        frames.append(dataclasses.replace(frame, image=image))
    true_reps = session.truth["legs"]["right"]["reps"]
    counted = {}
    for model in ("full", "heavy"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            review = review_pose_frames(
                frames, "dim", "both", size_wh=(spec.width, spec.height), pose_model=model
            )
        counted[model] = review.summary.legs[Side.RIGHT].reps
        assert review.summary.tracking.model == model
    assert true_reps > 0
    assert counted == {"full": 0, "heavy": true_reps}


def test_the_knee_circle_is_the_models() -> None:
    """Each model reads the knee on its own circle; unknown models read as full."""
    from hiprot.reading.geometry import VIEWS, camera_view
    from hiprot.reading.series import angle_series
    from hiprot.synth import SessionSpec, generate

    for model in ("full", "heavy"):
        assert camera_view(0.7, model) is VIEWS[model][0]
        assert camera_view(1.4, model) is VIEWS[model][1]
    assert camera_view(0.7, "lite") is VIEWS["full"][0]
    assert VIEWS["heavy"][0] != VIEWS["full"][0]

    spec = SessionSpec(seed=1, scenario="clean", placement="oblique45_left", noise="none")
    frames = generate(spec).frames
    for model in ("full", "heavy"):
        series = angle_series(frames, (spec.width, spec.height), pose_model=model)
        assert series.pose_model == model
        assert series.view is camera_view(series.view_ratio, model)


def test_a_calibration_from_another_model_is_flagged(tmp_path: Path) -> None:
    import dataclasses

    from hiprot.calibration import Calibration
    from hiprot.errors import HiprotWarning
    from hiprot.recording import RecordingInfo
    from hiprot.review_files import _warn_about_setup

    heavy_neutral = dataclasses.replace(Calibration.zero(), setup={"pose_model": "heavy"})
    full_landmarks = RecordingInfo(30.0, 640, 480, pose_model=None)
    with pytest.warns(HiprotWarning, match="calibrate --model full"):
        _warn_about_setup(heavy_neutral, full_landmarks, tmp_path / "a.mp4")
    heavy_landmarks = RecordingInfo(30.0, 640, 480, pose_model="heavy")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_about_setup(heavy_neutral, heavy_landmarks, tmp_path / "a.mp4")  # no warning
        _warn_about_setup(Calibration.zero(), full_landmarks, tmp_path / "a.mp4")


def test_review_runs_heavy_by_default_once_it_is_installed(model_folder: Path, fake_npm) -> None:
    model, line = models.choose("review", None)
    assert model == "full"
    assert "hiprot models install heavy" in line  # the better model is named, with how to get it
    models.install(["heavy"])
    for command in ("review", "calibrate", "extract"):
        model, line = models.choose(command, None)
        assert model == "heavy" and line.startswith("Pose model: heavy (the most accurate")
    assert models.choose("live", None)[0] == "full"


def test_a_calibrations_model_beats_the_default_but_not_model(model_folder: Path, fake_npm) -> None:
    models.install(["heavy"])
    assert models.choose("review", None, calibrated_with="full") == (
        "full",
        "Pose model: full (the calibration was taken with it)",
    )
    assert models.choose("review", "heavy", calibrated_with="full")[0] == "heavy"


def test_cli_review_follows_the_calibrations_model(
    model_folder: Path, fake_npm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A neutral read from full's landmarks is reviewed on full, even with heavy installed."""
    from contextlib import contextmanager

    import hiprot.review_files as review_files
    from hiprot.calibration import Calibration, LegNeutral, save_calibration
    from hiprot.errors import HiprotError
    from hiprot.landmarks import Side

    models.install(["heavy"])
    video = tmp_path / "set.mp4"
    video.write_bytes(b"not decoded: the pose source is replaced")
    asked: list[str] = []

    @contextmanager
    def no_pose(path: Path, model: str = "full"):
        asked.append(model)
        raise HiprotError("stopped after the model was chosen")
        yield  # pragma: no cover

    monkeypatch.setattr(review_files, "open_pose_source", no_pose)
    calibration = tmp_path / "cal.json"
    neutral = {side: LegNeutral(0.0, 0.0) for side in Side}
    save_calibration(Calibration(neutral, setup={"pose_model": "full"}), calibration)
    for extra, expected in (((), "full"), (("--model", "heavy"), "heavy")):
        code = run_main(
            "review", str(video), "--calibration", str(calibration), "--no-history",
            "-o", str(tmp_path / f"r{len(asked)}"), *extra,
        )  # fmt: skip
        assert code == 1 and asked[-1] == expected
    assert "stopped after the model was chosen" in capsys.readouterr().err


def test_a_model_with_a_30_degree_circle_reads_30_degrees_on_it(monkeypatch) -> None:
    """Below ``VIEW_RATIO_SPLIT_30`` a model with a 30° circle reads on it;
    a model without one keeps its 45° circle there. Live changes view only
    clear of both splits."""
    import hiprot.reading.geometry as geometry
    from hiprot.reading.live import _VIEW_HYSTERESIS, LiveAngles

    oblique30 = geometry.CameraView("oblique30", phase_deg=40.0, spread_deg=5.0)
    monkeypatch.setitem(geometry.VIEWS_30, "heavy", oblique30)
    low = geometry.VIEW_RATIO_SPLIT_30 - 0.1
    assert geometry.camera_view(low, "heavy") is oblique30
    assert geometry.camera_view(low, "full") is geometry.VIEWS["full"][0]
    assert (
        geometry.camera_view(geometry.VIEW_RATIO_SPLIT_30 + 0.1, "heavy")
        is (geometry.VIEWS["heavy"][0])
    )

    live = LiveAngles(pose_model="heavy")
    near_split = geometry.VIEW_RATIO_SPLIT_30 - _VIEW_HYSTERESIS / 2
    live._view_ratios.extend([near_split] * 5)
    assert live._view() is geometry.VIEWS["heavy"][0]  # too near the split to change
    live._view_ratios.clear()
    live._view_ratios.extend([geometry.VIEW_RATIO_SPLIT_30 - 2 * _VIEW_HYSTERESIS] * 5)
    assert live._view() is oblique30
