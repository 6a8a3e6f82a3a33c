"""Whose sessions and calibrations: one person per name, kept in the user's data folder.

A home user never names anyone: everything goes to the default person
(``$HIPROT_PERSON``, else ``me``). A physiotherapist gives ``--person NAME``
per client, so each client's history and calibration stay apart. The
shipped sample videos (and any rendered or synthetic clip with a truth
sidecar) belong to nobody: reviewing them adds nothing to a history unless
asked.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from hiprot.errors import InputError

#: The person when none is named; old history rows belong to this one too.
DEFAULT_PERSON = "me"


def whose(person: str) -> str:
    """``your`` for the default person (a home user names no one), else ``Anna's``."""
    return "your" if person == DEFAULT_PERSON else f"{person}'s"


#: Letters, digits, space, dot, dash, underscore: safe as a folder name everywhere.
_NAME = re.compile(r"^[\w][\w .-]{0,63}$")

#: Truth formats of clips made by hiprot's renderer and synthesiser.
_MADE_FORMATS = ("hiprot-render-truth", "hiprot-synth-truth")


def data_home() -> Path:
    """``$HIPROT_HOME``, else ``~/.local/share/hiprot``: history and calibrations."""
    home = os.environ.get("HIPROT_HOME")
    return Path(home) if home else Path.home() / ".local" / "share" / "hiprot"


def default_person() -> str:
    return os.environ.get("HIPROT_PERSON") or DEFAULT_PERSON


def check_person(name: str | None) -> str:
    """``name`` (or the default person) once checked usable as a folder name.

    Raises:
        InputError: a name with a slash, a leading dot or other characters
            that would not make a plain folder name.
    """
    name = default_person() if name is None else name.strip()
    if not _NAME.match(name) or name in (".", ".."):
        raise InputError(
            f"{name!r}: not usable as a person's name; use letters, digits, spaces, '.', '-' "
            "or '_' (at most 64)"
        )
    return name


def calibration_dir(person: str) -> Path:
    """Where ``person``'s calibrations (one file per camera set-up) are kept."""
    return data_home() / "calibration" / person


def sample_videos_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "sample_videos"


def is_made_clip(source: Path) -> bool:
    """A shipped sample, or a rendered / synthetic clip (its ``*.truth.json``
    says so): not anyone's training session."""
    try:
        if source.resolve().is_relative_to(sample_videos_dir()):
            return True
    except OSError:
        return False
    from hiprot.recording import is_recording, recording_stem

    stem = recording_stem(source) if is_recording(source) else source.stem
    truth = source.with_name(stem + ".truth.json")
    try:
        with open(truth, encoding="utf-8") as f:
            head = f.read(200)
    except OSError:
        return False
    # the format comes first in these files: no need to parse megabytes of truth
    match = re.search(r'"format"\s*:\s*"([^"]+)"', head)
    if match is not None:
        return match.group(1) in _MADE_FORMATS
    try:
        return json.loads(truth.read_text(encoding="utf-8")).get("format") in _MADE_FORMATS
    except (OSError, ValueError, AttributeError):
        return False
