#!/usr/bin/env python3
"""Command line of the proposal generator.

    python build.py [--input DIR] [--out DIR] [--lang en|fr ...] [--html]   build everything
    python build.py check [--input DIR] [--format text|json|github]        validate only
    python build.py schema [--input DIR] [--out DIR]                       write JSON Schemas
    python build.py new-partner ID [--input DIR]                           start a partner file

Exit codes: 0 success, 1 invalid input data, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LANGS = ("en", "fr")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the command, return the exit code."""
    args = _parser().parse_args(argv)
    input_dir = Path(args.input)
    if not input_dir.is_dir():
        print(f"build.py: error: input folder `{input_dir}` does not exist", file=sys.stderr)
        return 2
    command = {
        "check": _check,
        "schema": _schema,
        "new-partner": _new_partner,
        None: _build,
    }[args.command]
    return command(args, input_dir)


def _check(args: argparse.Namespace, input_dir: Path) -> int:
    from proposal.pipeline import check
    from proposal.problems import InputError, format_problems

    try:
        result = check(input_dir)
    except InputError as error:
        print(format_problems(error.problems, args.format))
        return 1
    if args.format == "text":
        if result.warnings:
            print(format_problems(result.warnings))
        print(result.summary())
    else:
        if result.warnings or args.format == "json":
            print(format_problems(result.warnings, args.format))
        print(result.summary(), file=sys.stderr)
    return 0


def _schema(args: argparse.Namespace, input_dir: Path) -> int:
    from proposal.schema import SCHEMA_DIR, write_schemas

    out_dir = Path(args.schema_out) if args.schema_out else input_dir / SCHEMA_DIR
    for path in write_schemas(out_dir):
        print(f"wrote {path}")
    return 0


def _new_partner(args: argparse.Namespace, input_dir: Path) -> int:
    from proposal.skeleton import SkeletonError, write_partner_skeleton

    try:
        path = write_partner_skeleton(input_dir, args.id)
    except SkeletonError as error:
        print(f"build.py new-partner: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}; fill it in, then run `python build.py check`")
    return 0


def _build(args: argparse.Namespace, input_dir: Path) -> int:
    from proposal.pipeline import build
    from proposal.problems import InputError, format_problems

    langs = tuple(dict.fromkeys(args.lang)) if args.lang else LANGS
    try:
        result = build(input_dir, Path(args.out), langs=langs, html=args.html)
    except InputError as error:
        print(format_problems(error.problems))
        print("build failed: nothing was written", file=sys.stderr)
        return 1
    if result.warnings:
        print(format_problems(result.warnings))
    for path in result.outputs:
        print(f"wrote {path}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the consortium's proposal (PDF) and budget workbook (XLSX), "
        "in English and French, from partners/ and data/.",
    )
    _add_input(parser, str(ROOT))
    parser.add_argument("--out", default="out", metavar="DIR",
                        help="folder for the outputs (default: out/)")
    parser.add_argument("--lang", action="append", choices=LANGS,
                        help="edition to build; repeat for both (default: en and fr)")
    parser.add_argument("--html", action="store_true",
                        help="also write the HTML handed to WeasyPrint, for previews")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="validate the input only; write nothing")
    _add_input(check, argparse.SUPPRESS)
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="text (default), json, or GitHub Actions annotations")

    schema = commands.add_parser("schema", help="write JSON Schemas of the input files")
    _add_input(schema, argparse.SUPPRESS)
    schema.add_argument("--out", dest="schema_out", default=None, metavar="DIR",
                        help="folder for the schemas (default: schemas/ in the input folder)")

    new_partner = commands.add_parser("new-partner", help="write a commented partner skeleton")
    _add_input(new_partner, argparse.SUPPRESS)
    new_partner.add_argument("id", help="the partner id, which becomes partners/<id>.yaml")
    return parser


def _add_input(parser: argparse.ArgumentParser, default: str) -> None:
    # Subcommands take --input too; SUPPRESS keeps a value given before the subcommand.
    parser.add_argument("--input", default=default, metavar="DIR",
                        help="folder holding partners/ and data/ (default: the shipped example)")


if __name__ == "__main__":
    sys.exit(main())
