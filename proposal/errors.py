"""Why a build stopped although its input was valid, and the exit code each reason gives.

Invalid input is `proposal.problems.InputError` (exit code 1, every problem listed).
Everything else that stops a build is one of the errors below: the command line prints
it on one line, without a traceback, and exits with its code. In every case the output
folder keeps the previous outputs, whole.

- 2: usage error: a bad option, input folder, output folder or environment variable;
- 3: another build is writing the output folder;
- 4: the build could not finish: a render over its time or memory bound, a full disk,
  a write the output folder refused;
- 129, 130, 143: stopped by SIGHUP, Ctrl-C (SIGINT) or SIGTERM (128 + the signal).
"""

from __future__ import annotations

from .problems import printable


class BuildStopped(Exception):
    """A build that stopped for a reason outside its input; the message is one line."""

    exit_code = 4
    """The command line's exit code for this reason."""


class UsageError(BuildStopped):
    """The command cannot run as given: a bad output folder or environment variable."""

    exit_code = 2


class FolderBusy(BuildStopped):
    """Another build holds the output folder's lock."""

    exit_code = 3


class RenderFailed(BuildStopped):
    """A render went over its time or memory bound, or its process died."""


class WriteFailed(BuildStopped):
    """The outputs could not be written (a full disk, a folder that refuses writes)."""


class Interrupted(BaseException):
    """A signal asked the build to stop (Ctrl-C, SIGTERM, SIGHUP).

    A BaseException, like KeyboardInterrupt: `except Exception` in a stage must not
    swallow it.
    """

    def __init__(self, signum: int, outcome: str = ""):
        super().__init__(signum, outcome)
        self.signum = signum
        self.outcome = outcome
        """What the interrupted command had done to its outputs, for the one line shown."""

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process the signal ended."""
        return 128 + self.signum

    def __str__(self) -> str:
        return f"interrupted: {self.outcome}" if self.outcome else "interrupted"


def quoted(path: object) -> str:
    """A path for a one-line message: in backquotes, unprintable characters escaped."""
    return f"`{printable(str(path))}`"
