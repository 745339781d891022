"""Command line of the proposal generator: `consortium-proposal`, `python -m proposal`.

    consortium-proposal [--input DIR] [--out DIR] [--lang en|fr ...] [--html]   build
        [--submission] [--audience full|public|partner:ID]      (a draft for the team)
        [--html-only] [--partner ID] [--pdf-variant pdf/a-3b|tagged] [--quiet] [--no-cache]
    consortium-proposal check [--input DIR] [--format text|json|github]        validate only
        [--submission] [--audience ...]        (what `build` with them would refuse)
    consortium-proposal schema [--input DIR] [--out DIR]                       JSON Schemas
    consortium-proposal new-partner ID [--input DIR]                           partner file
    consortium-proposal serve [--input DIR] [--port N] [--out DIR]             live preview
    consortium-proposal diff OLD [NEW] [--input DIR] [--format text|html|pdf|json]  changes

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
import os
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
        "serve": _serve,
        "diff": _diff,
        None: _build,
    }[args.command]
    return command(args, input_dir)


def _check(args: argparse.Namespace, input_dir: Path) -> int:
    from .pipeline import check

    result = check(input_dir, submission=args.submission, audience=args.audience)
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


def _serve(args: argparse.Namespace, input_dir: Path) -> int:
    from .serve import ServeError, serve

    try:
        serve(input_dir, Path(args.out), args.host, args.port, args.allow_remote)
    except ServeError as error:
        print(f"{args.prog} serve: error: {error}", file=sys.stderr)
        return 2
    return 0


def _diff(args: argparse.Namespace, input_dir: Path) -> int:
    from .diff import DiffUsageError, run_diff
    from .render.diff import diff_view, render_html, render_pdf, render_text, report_json

    if args.format == "pdf" and not args.diff_out:
        print(f"{args.prog} diff: error: --format pdf needs --out FILE", file=sys.stderr)
        return 2
    pages_from = tuple(Path(d) for d in args.pages_from) if args.pages_from else None
    try:
        report = run_diff(args.old, args.new, input_dir, pages_from,
                          ("en", "fr") if args.pages else ())
    except DiffUsageError as error:
        print(f"{args.prog} diff: error: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        document: str | bytes = report_json(report, args.diff_lang)
    elif args.format == "text":
        color = args.diff_out is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        document = render_text(diff_view(report, args.diff_lang), color)
    else:
        document = render_html(diff_view(report, args.diff_lang), args.format == "pdf")
        if args.format == "pdf":
            document = render_pdf(document)
    if args.diff_out is None:
        sys.stdout.write(document)
    else:
        try:
            path = Path(args.diff_out)
            path.write_bytes(document if isinstance(document, bytes) else document.encode())
        except OSError as error:
            print(f"{args.prog} diff: error: cannot write `{args.diff_out}`: "
                  f"{error.strerror}", file=sys.stderr)
            return 2
        print(f"wrote {path}", file=sys.stderr)
    return 1 if report.changed else 0


def _build(args: argparse.Namespace, input_dir: Path) -> int:
    from .talk import Progress

    progress = Progress.for_terminal(quiet=args.quiet)
    try:
        from .models import LANGUAGES
        from .pipeline import build

        langs = tuple(dict.fromkeys(args.lang)) if args.lang else LANGUAGES
        from .editions import EditionChoice

        choice = EditionChoice("submission" if args.submission else "draft", args.audience)
        result = build(input_dir, Path(args.out), langs=langs, html=args.html, wait=args.wait,
                       choice=choice, variant=args.pdf_variant, html_only=args.html_only,
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
    _add_edition(parser, default_input)
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
    _add_edition(check, argparse.SUPPRESS)

    schema = commands.add_parser("schema", help="write JSON Schemas of the input files")
    _add_input(schema, argparse.SUPPRESS, default_input)
    schema.add_argument("--out", dest="schema_out", default=None, metavar="DIR",
                        help="folder for the schemas (default: schemas/ in the input folder)")

    new_partner = commands.add_parser("new-partner", help="write a commented partner skeleton")
    _add_input(new_partner, argparse.SUPPRESS, default_input)
    new_partner.add_argument("id", help="the partner id, which becomes partners/<id>.yaml")

    serve = commands.add_parser("serve", help="live preview in a browser, reloaded on every save")
    _add_input(serve, argparse.SUPPRESS, default_input)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1; only loopback "
                       "addresses unless --allow-remote)")
    serve.add_argument("--port", type=_port, default=8000,
                       help="port to listen on (default: 8000; 0: any free port)")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a --host other machines can reach (they see the proposal)")
    serve.add_argument("--out", default=argparse.SUPPRESS, metavar="DIR",
                       help="output folder of the full build the preview starts "
                       "(default: out/)")
    diff = commands.add_parser(
        "diff", help="what changed between two versions of the input",
        description="Compare two versions of the input: two folders, or git revisions of "
        "the --input folder (HEAD~3, a tag, a branch; NEW defaults to the working tree). "
        "Exit code 0: no change, 1: changes, 2: usage (no such folder or revision).")
    _add_input(diff, argparse.SUPPRESS, default_input)
    diff.add_argument("old", metavar="OLD", help="a folder, or a git revision of --input")
    diff.add_argument("new", metavar="NEW", nargs="?", default=None,
                      help="a folder or a revision (default: --input as it is now)")
    diff.add_argument("--format", choices=("text", "html", "pdf", "json"), default="text",
                      help="text table (default), HTML or PDF document, JSON for scripts")
    diff.add_argument("--lang", dest="diff_lang", choices=LANGUAGES, default="en",
                      help="language of the report (default: en)")
    diff.add_argument("--out", dest="diff_out", default=None, metavar="FILE",
                      help="write the report to FILE (default: standard output)")
    pages = diff.add_mutually_exclusive_group()
    pages.add_argument("--pages-from", nargs=2, metavar=("OLD_OUT", "NEW_OUT"),
                       help="compare page counts of the PDFs two builds wrote in these folders")
    pages.add_argument("--pages", action="store_true",
                       help="lay out both versions' PDFs to compare page counts (slow)")
    return parser


def _add_input(parser: argparse.ArgumentParser, default: str, shown: str) -> None:
    # Subcommands take --input too; SUPPRESS keeps a value given before the subcommand.
    parser.add_argument("--input", default=default, metavar="DIR",
                        help=f"folder holding partners/ and data/ (default: {shown})")


def _add_edition(parser: argparse.ArgumentParser, default: str) -> None:
    # As --input: SUPPRESS on `check` keeps a value given before the subcommand.
    from .confidential import Audience

    parser.add_argument("--submission", action="store_true",
                        default=False if default != argparse.SUPPRESS else default,
                        help="the submission edition: no draft mark, no editorial notes; "
                        "refused while a to-do note, a blocking warning or filler text "
                        "remains (default: a draft)")
    parser.add_argument("--audience", type=_audience,
                        default=Audience() if default != argparse.SUPPRESS else default,
                        metavar="full|public|partner:ID",
                        help="who the outputs are for: full (default, everything), public "
                        "(confidential values masked), partner:ID (public plus that "
                        "partner's own values); names the output files")


def _audience(text: str) -> object:
    from .confidential import Audience

    try:
        return Audience.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0")
    return value


def _port(text: str) -> int:
    if not (text.isdigit() and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 0 to 65535")
    return int(text)
