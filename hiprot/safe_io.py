"""Files written safely, inputs never written, text printed as text.

The few helpers every command uses for what it writes and prints:

- ``atomic_write``: write beside the target as ``.NAME.partial-PID.SUFFIX``,
  fsync, then rename over the target, so a crash, a full disk or Ctrl-C never
  leaves half a file where a complete one was.
- ``check_outputs``: refuse, before any work, an output that is one of the
  inputs (same file, a hard link or a symlink to it) or that two outputs share.
- ``clean_stale_partials``: remove the ``.partial-PID`` files of runs killed
  outright (kill -9), once their process is gone.
- ``os_error_words``: an ``OSError`` as the words a user understands
  ("the disk is full", "read-only").
- ``plain``: a path or message escaped for rich, so ``[left]`` prints as is.
- ``signals_interrupt``: TERM and HUP end a command the way Ctrl-C does.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import signal
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from rich.markup import escape

from hiprot.errors import HiprotError

_PARTIAL = re.compile(r"^\..*\.partial-(\d+)(\.[^.]*)?$")


def partial_path(path: Path) -> Path:
    """``DIR/.NAME.partial-PID.SUFFIX``: hidden, same folder (so the rename is
    atomic), same suffix (OpenCV picks the container from it)."""
    return path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")


def os_error_words(exc: OSError) -> str:
    """What went wrong, in a user's words."""
    words = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the disk is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "it is a folder",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ENOENT: "the folder does not exist",
        errno.EEXIST: "a file is in the way",
    }
    return words.get(exc.errno, exc.strerror or str(exc))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block ends.

    For writers that want a path (matplotlib, OpenCV, gzip). The file is
    fsynced and renamed over ``path`` only when the block completes; on any
    exception (Ctrl-C included) it is removed and ``path`` is left as it was.
    """
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        yield path  # a device or a pipe (/dev/stdout): written in place
        return
    if path.is_symlink():  # replace what the link points to, never the link
        path = path.resolve()
    tmp = partial_path(path)
    clean_stale_partials(path.parent, path)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """``open(path, mode)``, written atomically (see ``atomic_path``)."""
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as f:
        yield f
        f.flush()


def write_error(path: Path, what: str, exc: OSError, kept: str = "") -> HiprotError:
    """One line for a failed write: ``PATH: cannot write WHAT (words)[; kept]``."""
    line = f"{path}: cannot write {what} ({os_error_words(exc)})"
    return HiprotError(f"{line}; {kept}" if kept else line)


def clean_stale_partials(folder: Path, target: Path | None = None) -> list[Path]:
    """Remove ``.NAME.partial-PID`` files in ``folder`` whose process is dead
    (only ``target``'s, when given).

    A file whose process still runs belongs to a run in progress and stays.
    Returns the files removed.
    """
    removed: list[Path] = []
    try:
        if target is None:
            entries = list(folder.iterdir())
        else:
            entries = list(folder.glob(f".{glob.escape(target.stem)}.partial-*"))
    except OSError:
        return removed
    for entry in entries:
        match = _PARTIAL.match(entry.name)
        if match is None or not _dead(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            entry.unlink()
            removed.append(entry)
    return removed


def _dead(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


# ---------------------------------------------------------------- inputs vs outputs


def _same(a: Path, b: Path) -> bool:
    """Same file: the same inode (hard links, symlinks), or the same resolved path."""
    try:
        sa, sb = os.stat(a), os.stat(b)
        if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
            return True
    except OSError:
        pass
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return False


def check_outputs(inputs: Iterable[Path | None], outputs: dict[str, Path | None]) -> None:
    """Refuse outputs that would overwrite an input, or each other.

    Args:
        inputs: Files read by the command (``None`` entries are ignored).
        outputs: Option name (e.g. ``--csv``) to the file it writes.

    Raises:
        HiprotError: An output is an input (same path, hard link, symlink),
            or two outputs name the same file; nothing has been written.
    """
    given = [(name, Path(p)) for name, p in outputs.items() if p is not None]
    for source in (Path(p) for p in inputs if p is not None):
        for name, out in given:
            if _same(source, out):
                raise HiprotError(
                    f"{out}: {name} would overwrite the input {source}; choose another output path"
                )
    for k, (name, out) in enumerate(given):
        for other_name, other in given[k + 1 :]:
            if _same(out, other):
                raise HiprotError(
                    f"{out}: given to both {name} and {other_name}; give each its own path"
                )


# ---------------------------------------------------------------- printing


def plain(value: object) -> str:
    """``value`` as text for rich's ``print``: brackets are shown, never read as markup."""
    return escape(str(value))


# ---------------------------------------------------------------- signals


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_caught: list[int] = []


def _raise_interrupted(signum: int, frame: object) -> None:
    _caught.append(signum)
    raise Interrupted(signum)


def signals_interrupt() -> None:
    """Make TERM and HUP raise ``Interrupted`` (a KeyboardInterrupt) in the main thread."""
    _caught.clear()
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread
                signal.signal(signum, _raise_interrupted)


def interrupt_exit_code(exc: BaseException | None = None) -> int:
    """128 + the signal number, as shells do: 130 for Ctrl-C. Without ``exc``:
    for the last TERM or HUP caught since ``signals_interrupt``, else Ctrl-C."""
    if isinstance(exc, Interrupted):
        return 128 + exc.signum
    if exc is None and _caught:
        return 128 + _caught[-1]
    return 128 + signal.SIGINT


# ---------------------------------------------------------------- reading numbers

#: More digits than any number a hiprot file holds (a frame index, pixels):
#: longer ones are damage, and would exceed Python's integer-string limit.
MAX_INT_DIGITS = 20


class AbsurdNumber(ValueError):
    """A JSON number no hiprot file can hold (the message says which)."""


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise AbsurdNumber(f"a number with {digits} digits")
    return int(text)


def load_json(text: str) -> Any:
    """``json.loads`` for files a user hands in: integers longer than
    ``MAX_INT_DIGITS`` raise ``AbsurdNumber``, absurd nesting a ``JSONDecodeError``.

    Raises:
        json.JSONDecodeError: Not valid JSON.
        AbsurdNumber: An integer with too many digits.
    """
    import json

    try:
        return json.loads(text, parse_int=_bounded_int)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
