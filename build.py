#!/usr/bin/env python3
"""The bid team's entry point: `consortium-proposal` with this repository as the input.

    python build.py [--out DIR] [--lang en|fr ...] [--html]   build the proposal and workbooks
    python build.py check [--format text|json|github]         validate only
    python build.py schema | new-partner ID                   schemas, a new partner file

Every command and option is the console command's (`consortium-proposal --help`);
only the default input folder differs: here, the folder this file is in.
"""

import sys
from pathlib import Path

from proposal.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="build.py", default_input=str(Path(__file__).resolve().parent)))
