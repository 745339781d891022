"""`python -m proposal`: the console command `consortium-proposal`."""

import sys

from .cli import main

sys.exit(main(prog="python -m proposal"))
