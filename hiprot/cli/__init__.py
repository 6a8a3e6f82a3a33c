"""The ``hiprot`` command: thin wiring of the pipeline stages.

``common`` holds the group, the shared options and the one error exit
(``main``); each other module adds one command group's commands to it.
What the commands print is formatted by ``hiprot.terminal``.
"""

from hiprot.cli import history, live, review, setup, synthetic  # noqa: F401  (adds the commands)
from hiprot.cli.common import cli, main

__all__ = ["cli", "main"]
