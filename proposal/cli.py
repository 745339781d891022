"""Command line of the proposal generator: `consortium-proposal`, `python -m proposal`.

    consortium-proposal [--input DIR] [--out DIR] [--lang en|fr ...] [--html]   build
    consortium-proposal check [--input DIR] [--format text|json|github]        validate only
    consortium-proposal schema [--input DIR] [--out DIR]                       JSON Schemas
    consortium-proposal new-partner ID [--input DIR]                           partner file

The input folder defaults to the current folder; `build.py` at the top of the
repository runs the same commands with the shipped example as its default.
Exit codes: 0 success, 1 invalid input data, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .models import LANGUAGES as LANGS

PROG = "consortium-proposal"
"""The console command's name."""


def main(argv: list[str] | None = None, prog: str = PROG, default_input: str = ".") -> int:
    """Parse the command line, run the command, return the exit code."""
    args = _parser(prog, default_input).parse_args(argv)
    args.prog = prog
    input_dir = Path(args.input)
    if not input_dir.is_dir():
        print(f"{prog}: error: input folder `{input_dir}` does not exist", file=sys.stderr)
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
    from .problems import format_problems

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
    from .pipeline import build, count_line
    from .problems import InputError, format_problems

    langs = tuple(dict.fromkeys(args.lang)) if args.lang else LANGS
    try:
        result = build(input_dir, Path(args.out), langs=langs, html=args.html)
    except InputError as error:
        print(format_problems(error.problems))
        print(f"build failed: nothing was written ({count_line(error.problems)})",
              file=sys.stderr)
        return 1
    if result.warnings:
        print(format_problems(result.warnings))
    for path in result.outputs:
        print(f"wrote {path}")
    return 0


def _parser(prog: str, default_input: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build the consortium's proposal (PDF) and budget workbook (XLSX), "
        "in English and French, from partners/ and data/.",
    )
    _add_input(parser, default_input, default_input)
    parser.add_argument("--out", default="out", metavar="DIR",
                        help="folder for the outputs (default: out/)")
    parser.add_argument("--lang", action="append", choices=LANGS,
                        help="edition to build; repeat for both (default: en and fr)")
    parser.add_argument("--html", action="store_true",
                        help="also write the HTML handed to WeasyPrint, for previews")
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
