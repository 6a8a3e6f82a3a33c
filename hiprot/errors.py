"""Errors and warnings that reach the user as one clear line.

Anything raised as a ``HiprotError`` is a user-facing problem (bad input, no
camera, corrupt file): the CLI prints its message and exits non-zero without
a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class HiprotError(Exception):
    """A problem the user can fix; the message says how."""

    exit_code = 1


class InputError(HiprotError):
    """An input file or device cannot be used (missing, empty, corrupt)."""


class RecordingError(InputError, ValueError):
    """A landmark recording does not follow the hiprot-landmarks format."""


class HiprotWarning(UserWarning):
    """Something was off but hiprot carried on (e.g. a truncated recording)."""
