"""Named points where a test may freeze a build to kill it there (fault injection).

`PROPOSAL_FAULT_PAUSE=<point>` makes the build stop itself (SIGSTOP) when it reaches
that point; the test sees the process stopped, kills it, and checks that the output
folder still holds one whole set of outputs. The points are listed in `PAUSE_POINTS`;
without the variable, `pause_point` costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

PAUSE_VARIABLE = "PROPOSAL_FAULT_PAUSE"
"""Environment variable naming the point where the build stops itself."""

PAUSE_POINTS = {
    "render": "the PDF workers are running; nothing of the new set is written yet",
    "publish:staging": "the first file of the new set is in its build folder",
    "publish:staged": "the new set is in its build folder, flushed to disk",
    "publish:adopted": "plain files of an older layout were moved under `current`",
    "publish:linked": "links for the new set's names exist; `current` is the old set",
    "publish:switched": "`current` is the new set; links of old names may remain",
    "publish:unlinked": "links of old names are gone; the old build folder remains",
    "publish:journal": "(plain files) the journal lists the new set; nothing moved yet",
    "publish:moved:<n>": "(plain files) n files of the new set are in place",
}
"""Every pause point and the state the output folder is in when a build stops there."""


def pause_point(name: str) -> None:
    """Stop this process here when `PROPOSAL_FAULT_PAUSE` names this point."""
    if os.environ.get(PAUSE_VARIABLE) == name and hasattr(signal, "SIGSTOP"):
        os.kill(os.getpid(), signal.SIGSTOP)
