"""Landmark recordings: the ``hiprot-landmarks`` v1 JSON Lines format.

Line 1 is a header, every further line one frame (see
``../shared/landmarks-format.md`` or the README). A recording replays
analysis without pixels, so every command that takes a video also takes a
``*.landmarks.jsonl`` or ``*.landmarks.jsonl.gz`` file.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import warnings
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, AnyStr, Generic

import numpy as np

from hiprot.errors import HiprotWarning, RecordingError
from hiprot.landmarks import NUM_LANDMARKS
from hiprot.safe_io import AbsurdNumber, load_json
from hiprot.types import PoseFrame

FORMAT_NAME = "hiprot-landmarks"
FORMAT_VERSION = 1
#: What a landmark recording's name ends with, longest first: ``hiprot extract``
#: writes ``.landmarks.jsonl(.gz)``, and any ``.jsonl(.gz)`` is read as one.
RECORDING_SUFFIXES = (".landmarks.jsonl.gz", ".landmarks.jsonl", ".jsonl.gz", ".jsonl")
#: The ones hiprot writes: a name that says what the file holds.
WRITTEN_SUFFIXES = RECORDING_SUFFIXES[:2]


@dataclass(frozen=True)
class RecordingInfo:
    """The header of a recording: where the landmarks came from.

    ``pose_model`` is the landmark model (``"full"``, ``"heavy"``), an
    optional v1 field: recordings without it were made by full.
    """

    fps: float
    width: int
    height: int
    source: str | None = None
    model: str | None = None
    pose_model: str | None = None

    @property
    def landmark_model(self) -> str:
        return self.pose_model or "full"

    def header(self) -> dict[str, Any]:
        fields = {k: v for k, v in asdict(self).items() if v is not None}
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, **fields}


def recording_suffix(path: str | Path) -> str | None:
    """The ``RECORDING_SUFFIXES`` entry the file name ends with (any case), or None."""
    name = Path(path).name.lower()
    return next((suffix for suffix in RECORDING_SUFFIXES if name.endswith(suffix)), None)


def is_recording(path: str | Path) -> bool:
    """True when the file name says it is a landmark recording."""
    return recording_suffix(path) is not None


def recording_stem(path: str | Path) -> str:
    """The file name without its recording suffix (``set.landmarks.jsonl.gz`` -> ``set``);
    any other name whole."""
    name, suffix = Path(path).name, recording_suffix(path)
    return name[: -len(suffix)] if suffix else name


def _open_binary(path: Path) -> IO[bytes]:
    """For reading: lines are decoded one by one, so damage is found at its line."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _open_text(path: Path, mode: str) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, mode + "b"), encoding="utf-8")
    return open(path, mode, encoding="utf-8")


class _OwnsFile(Generic[AnyStr]):
    """The open recording a writer or reader owns, closed on leaving the
    with-block (or by ``close``, which may be called again)."""

    _file: IO[AnyStr] | None = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


# ---------------------------------------------------------------- writing


class RecordingWriter(_OwnsFile[str]):
    """Writes PoseFrames as a recording, one flushed line per frame.

    Flushing every frame means a crash or Ctrl-C leaves at most a truncated
    last line, which readers tolerate.

    Example:
        >>> with RecordingWriter(path, RecordingInfo(30.0, 640, 480)) as out:
        ...     for pose_frame in pose_frames:
        ...         out.write(pose_frame)
    """

    def __init__(self, path: str | Path, info: RecordingInfo, decimals: int = 5) -> None:
        self.path = Path(path)
        self.info = info
        self.decimals = decimals
        self._file: IO[str] | None = None
        self._last_t: float | None = None

    def __enter__(self) -> RecordingWriter:
        self._file = _open_text(self.path, "w")
        self._file.write(json.dumps(self.info.header()) + "\n")
        self._file.flush()
        return self

    def _rows(self, array: np.ndarray | None) -> list[list[float]] | None:
        if array is None:
            return None
        return np.round(np.asarray(array, dtype=float), self.decimals).tolist()

    def write(self, pose_frame: PoseFrame) -> None:
        if self._file is None:
            raise RuntimeError("RecordingWriter is not open; use it in a with-block")
        if self._last_t is not None and pose_frame.t_s <= self._last_t:
            raise ValueError(f"frame times must increase: {pose_frame.t_s} after {self._last_t}")
        self._last_t = pose_frame.t_s
        line = {
            "i": int(pose_frame.index),
            "t": round(float(pose_frame.t_s), 6),
            "image": self._rows(pose_frame.image),
            "world": self._rows(pose_frame.world),
        }
        self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
        self._file.flush()


def write_recording(path: str | Path, info: RecordingInfo, pose_frames: Iterable[PoseFrame]) -> int:
    """Write all frames to ``path``; returns how many were written."""
    count = 0
    with RecordingWriter(path, info) as writer:
        for pose_frame in pose_frames:
            writer.write(pose_frame)
            count += 1
    return count


# ---------------------------------------------------------------- reading


#: What a damaged file can make the decoders raise (gzip: BadGzipFile is an
#: OSError, a corrupt deflate stream a zlib.error, a cut-off one EOFError).
_READ_ERRORS = (OSError, EOFError, UnicodeDecodeError, zlib.error)


#: Bounds on what a recording may hold: anything beyond is damage, not data.
MAX_FPS = 1000.0
MAX_SIZE_PX = 100_000
MAX_T_S = 1e7  # about 16 weeks
MAX_INDEX = 10**12
#: Image coordinates are fractions of the frame, world ones metres: a
#: landmark a thousand frames (or kilometres) away is not a person.
MAX_COORDINATE = 1e3


def _json(line: str, where: str) -> Any:
    """``json.loads``, with absurd nesting reported like any other invalid JSON
    and integers too long for any recording as a ``RecordingError``."""
    try:
        return load_json(line)
    except AbsurdNumber as exc:
        raise RecordingError(f"{where}: {exc} is out of range (the file is damaged)") from None


def _finite_number(value: Any, bound: float = MAX_COORDINATE) -> bool:
    """A JSON number (not a boolean) that is finite and within ``±bound``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value) and abs(value) <= bound
    except OverflowError:  # an integer too large for a float
        return False


def _parse_header(line: str, path: Path) -> RecordingInfo:
    where = f"{path}, line 1"
    try:
        header = _json(line, where)
    except json.JSONDecodeError as exc:
        raise RecordingError(f"{where}: the header is not valid JSON ({exc.msg})") from None
    if not isinstance(header, dict) or "format" not in header:
        raise RecordingError(f"{where}: missing header (expected a '{FORMAT_NAME}' object)")
    if header["format"] != FORMAT_NAME:
        raise RecordingError(f"{where}: format is {header['format']!r}, expected {FORMAT_NAME!r}")
    if header.get("version") != FORMAT_VERSION:
        raise RecordingError(
            f"{where}: version {header.get('version')!r} is not supported "
            f"(this hiprot reads version {FORMAT_VERSION})"
        )
    try:
        fps = float(header["fps"])
        width = int(header["width"])
        height = int(header["height"])
    except (KeyError, TypeError, ValueError, OverflowError):
        raise RecordingError(f"{where}: header needs numeric fps, width and height") from None
    if not (math.isfinite(fps) and fps > 0 and width > 0 and height > 0):
        raise RecordingError(f"{where}: fps, width and height must be positive")
    if fps > MAX_FPS or max(width, height) > MAX_SIZE_PX:
        raise RecordingError(
            f"{where}: fps {fps:g} or size {width}x{height} is out of range "
            f"(up to {MAX_FPS:g} fps and {MAX_SIZE_PX} pixels)"
        )
    source = header.get("source")
    model = header.get("model")
    pose_model = header.get("pose_model")
    return RecordingInfo(
        fps,
        width,
        height,
        None if source is None else str(source),
        None if model is None else str(model),
        None if pose_model is None else str(pose_model),
    )


def _parse_landmarks(value: Any, key: str, where: str) -> np.ndarray | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != NUM_LANDMARKS:
        count = len(value) if isinstance(value, list) else type(value).__name__
        raise RecordingError(f"{where}: '{key}' must have {NUM_LANDMARKS} rows, got {count}")
    for row_number, row in enumerate(value):
        if not isinstance(row, list) or len(row) != 4:
            raise RecordingError(f"{where}: '{key}' row {row_number} must be [x, y, z, visibility]")
        for item in row:
            if not _finite_number(item):
                shown = repr(item) if len(repr(item)) <= 40 else f"{repr(item)[:37]}..."
                raise RecordingError(
                    f"{where}: '{key}' row {row_number} has a non-numeric or out-of-range "
                    f"value {shown} (allowed: within ±{MAX_COORDINATE:g})"
                )
    return np.asarray(value, dtype=np.float64)


def _parse_frame(record: Any, where: str) -> PoseFrame:
    if not isinstance(record, dict):
        raise RecordingError(f"{where}: a frame must be a JSON object")
    index, t = record.get("i"), record.get("t")
    if isinstance(index, bool) or not isinstance(index, int) or abs(index) > MAX_INDEX:
        raise RecordingError(f"{where}: 'i' must be an integer frame index")
    if not _finite_number(t, MAX_T_S):
        raise RecordingError(f"{where}: 't' must be a number of seconds (within ±{MAX_T_S:g})")
    image = _parse_landmarks(record.get("image"), "image", where)
    world = _parse_landmarks(record.get("world"), "world", where)
    return PoseFrame(index=index, t_s=float(t), image=image, world=world)


class RecordingReader(_OwnsFile[bytes]):
    """Reads a recording lazily, validating every line.

    ``info`` is available as soon as the reader is entered; iterating yields
    PoseFrames. Malformed content raises ``RecordingError`` naming the line;
    an unparseable *last* line (a recording cut off by a crash) is skipped
    with a ``HiprotWarning``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] | None = None
        self.info: RecordingInfo | None = None

    def __enter__(self) -> RecordingReader:
        if not self.path.is_file():
            raise RecordingError(f"{self.path}: no such recording file")
        try:
            self._file = _open_binary(self.path)
            first = self._file.readline().decode("utf-8")
        except UnicodeDecodeError:
            self.close()
            raise RecordingError(
                f"{self.path}, line 1: not text (not a hiprot landmark recording)"
            ) from None
        except _READ_ERRORS as exc:
            self.close()
            raise RecordingError(f"{self.path}: cannot read the recording ({exc})") from None
        if not first.strip():
            self.close()
            raise RecordingError(f"{self.path}, line 1: missing header (the file is empty)")
        try:
            self.info = _parse_header(first, self.path)
        except RecordingError:
            self.close()
            raise
        return self

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        assert self._file is not None, "use RecordingReader in a with-block"
        try:
            yield from enumerate(self._file, start=2)
        except _READ_ERRORS as exc:
            warnings.warn(
                f"{self.path}: the file is cut off or damaged ({exc}); using the frames before it",
                HiprotWarning,
                stacklevel=3,
            )

    def __iter__(self) -> Iterator[PoseFrame]:
        last_t: float | None = None
        pending: tuple[int, bytes] | None = None
        for number, line in self._lines():
            if not line.strip():
                continue
            if pending is not None:
                last_t = yield from self._emit(*pending, last_t, is_last=False)
            pending = (number, line)
        if pending is not None:
            yield from self._emit(*pending, last_t, is_last=True)

    def _emit(
        self, number: int, raw: bytes, last_t: float | None, is_last: bool
    ) -> Iterator[PoseFrame]:
        where = f"{self.path}, line {number}"
        try:
            line = raw.decode("utf-8")
            record = _json(line, where)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if is_last:
                warnings.warn(
                    f"{where}: the last line is cut off (the recording was interrupted); "
                    "using the frames before it",
                    HiprotWarning,
                    stacklevel=4,
                )
                return last_t
            if isinstance(exc, UnicodeDecodeError):
                raise RecordingError(
                    f"{where}: not valid UTF-8 text (the file is damaged)"
                ) from None
            raise RecordingError(f"{where}: not valid JSON ({exc.msg})") from None
        frame = _parse_frame(record, where)
        if last_t is not None and frame.t_s <= last_t:
            raise RecordingError(
                f"{where}: 't' must increase strictly ({frame.t_s} after {last_t})"
            )
        yield frame
        return frame.t_s


def read_recording(path: str | Path) -> tuple[RecordingInfo, list[PoseFrame]]:
    """Read a whole recording into memory."""
    with RecordingReader(path) as reader:
        assert reader.info is not None
        return reader.info, list(reader)
