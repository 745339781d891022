"""Command line of the proposal generator: `consortium-proposal`, `python -m proposal`.

    consortium-proposal [--input DIR] [--out DIR] [--lang en|fr ...] [--html]   build
        [--html-only] [--partner ID] [--pdf-variant pdf/a-3b|tagged] [--quiet] [--no-cache]
    consortium-proposal check [--input DIR] [--format text|json|github]        validate only
    consortium-proposal schema [--input DIR] [--out DIR]                       JSON Schemas
    consortium-proposal new-partner ID [--input DIR]                           partner file

The input folder defaults to the current folder; `build.py` at the top of the
repository runs the same commands with the shipped example as its default.

Exit codes (in every case but 0 the output folder keeps the previous outputs, whole):
  0    success
  1    invalid input data (every problem is listed)
  2    usage error: unknown option, missing input folder, unusable output folder
       (a file, below a file, read-only, not writable, /proc, /sys, /dev), bad
       PROPOSAL_* environment variable
  3    another build is writing the output folder (see --wait)
  4    the build could not finish: a PDF over its time or memory bound
       (PROPOSAL_RENDER_TIMEOUT, PROPOSAL_WORKER_MEMORY_MIB), a full disk, a failed write
  130  interrupted by Ctrl-C; 143 by SIGTERM; 129 by SIGHUP (one line, no traceback)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import BuildStopped, Interrupted
from .interrupts import stop_signals_raise
from .problems import InputError, format_problems

PROG = "consortium-proposal"
"""The console command's name."""


def main(argv: list[str] | None = None, prog: str = PROG, default_input: str = ".") -> int:
    """Parse the command line, run the command, return the exit code."""
    with stop_signals_raise():
        args = None
        try:
            args = _parser(prog, default_input).parse_args(argv)
            args.prog = prog
            return _run(args)
        except Interrupted as stop:
            if args is None or args.command in (None, "check"):  # they publish all or nothing
                stop.outcome = stop.outcome or "nothing was written"
            print(stop, file=sys.stderr)
            return stop.exit_code


def _run(args: argparse.Namespace) -> int:
    input_dir = Path(args.input)
    if not input_dir.is_dir():
        print(f"{args.prog}: error: input folder `{input_dir}` does not exist",
              file=sys.stderr)
        return 2
    command = {
        "check": _check,
        "schema": _schema,
        "new-partner": _new_partner,
        None: _build,
    }[args.command]
    return command(args, input_dir)


def _check(args: argparse.Namespace, input_dir: Path) -> int:
    from .pipeline import check

    result = check(input_dir)
    if args.format == "text":
        if result.problems:
            print(format_problems(result.problems))
        print(result.summary())
    else:
        if result.problems or args.format == "json":
            print(format_problems(result.problems, args.format))
        print(result.summary(), file=sys.stderr)
    return 0 if result.ok else 1


def _schema(args: argparse.Namespace, input_dir: Path) -> int:
    from .schema import SCHEMA_DIR, write_schemas

    out_dir = Path(args.schema_out) if args.schema_out else input_dir / SCHEMA_DIR
    for path in write_schemas(out_dir):
        print(f"wrote {path}")
    return 0


def _new_partner(args: argparse.Namespace, input_dir: Path) -> int:
    from .skeleton import SkeletonError, write_partner_skeleton

    try:
        path = write_partner_skeleton(input_dir, args.id)
    except SkeletonError as error:
        print(f"{args.prog} new-partner: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}; fill it in, then run `{args.prog} check`")
    return 0


def _build(args: argparse.Namespace, input_dir: Path) -> int:
    from .talk import Progress

    progress = Progress.for_terminal(quiet=args.quiet)
    try:
        from .models import LANGUAGES
        from .pipeline import build

        langs = tuple(dict.fromkeys(args.lang)) if args.lang else LANGUAGES
        result = build(input_dir, Path(args.out), langs=langs, html=args.html, wait=args.wait,
                       variant=args.pdf_variant, html_only=args.html_only,
                       partner=args.partner, progress=progress, use_cache=not args.no_cache)
    except InputError as error:
        from .pipeline import count_line

        print(format_problems(error.problems))
        print(f"build failed: nothing was written ({count_line(error.problems)})",
              file=sys.stderr)
        return 1
    except BuildStopped as error:
        print(f"{args.prog}: error: {error}", file=sys.stderr)
        return error.exit_code
    if result.warnings:
        print(format_problems(result.warnings))
    if not args.quiet:
        print("\n".join(result.summary.lines()))
    return 0


def _parser(prog: str, default_input: str) -> argparse.ArgumentParser:
    from .archive import DEFAULT_VARIANT, PDF_VARIANTS
    from .models import LANGUAGES  # after main() has set the signal handlers: 0.3 s of imports

    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build the consortium's proposal (PDF) and budget workbook (XLSX), "
        "in English and French, from partners/ and data/.",
        epilog=__doc__[__doc__.index("Exit codes"):],  # the module docstring's list
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_input(parser, default_input, default_input)
    parser.add_argument("--out", default="out", metavar="DIR",
                        help="folder for the outputs (default: out/)")
    parser.add_argument("--wait", type=_seconds, default=0.0, metavar="SECONDS",
                        help="when another build is writing the output folder, wait up to "
                        "SECONDS for it (default: 0, stop at once with exit code 3)")
    parser.add_argument("--lang", action="append", choices=LANGUAGES,
                        help="edition to build; repeat for both (default: en and fr)")
    parser.add_argument("--html", action="store_true",
                        help="also write the HTML handed to WeasyPrint, for previews")
    parser.add_argument("--html-only", action="store_true",
                        help="a quick preview: write only each edition's HTML, into "
                        "<out>/preview/; no PDF, no workbook, the published outputs untouched")
    parser.add_argument("--partner", metavar="ID", default=None,
                        help="preview one partner's pages (the consortium chapter and the "
                        "partner's profile) as HTML in <out>/preview/; implies --html-only")
    parser.add_argument("--pdf-variant", choices=PDF_VARIANTS, default=DEFAULT_VARIANT,
                        help="pdf/a-3b (default): tagged PDF/A-3b carrying the figures file "
                        "and the workbooks; tagged: tagged PDF without attachments")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress lines and no summary (problems are still printed)")
    parser.add_argument("--no-cache", action="store_true",
                        help="render everything again, ignoring <out>/.cache/")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="validate the input only; write nothing")
    _add_input(check, argparse.SUPPRESS, default_input)
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="text (default), json, or GitHub Actions annotations")

    schema = commands.add_parser("schema", help="write JSON Schemas of the input files")
    _add_input(schema, argparse.SUPPRESS, default_input)
    schema.add_argument("--out", dest="schema_out", default=None, metavar="DIR",
                        help="folder for the schemas (default: schemas/ in the input folder)")

    new_partner = commands.add_parser("new-partner", help="write a commented partner skeleton")
    _add_input(new_partner, argparse.SUPPRESS, default_input)
    new_partner.add_argument("id", help="the partner id, which becomes partners/<id>.yaml")
    return parser


def _add_input(parser: argparse.ArgumentParser, default: str, shown: str) -> None:
    # Subcommands take --input too; SUPPRESS keeps a value given before the subcommand.
    parser.add_argument("--input", default=default, metavar="DIR",
                        help=f"folder holding partners/ and data/ (default: {shown})")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0")
    return value
