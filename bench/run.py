#!/usr/bin/env python3
"""Benchmark: wall time and peak memory of every stage, for the example and for
generated consortia of N partners. Prints figures; asserts nothing.

    .venv/bin/python bench/run.py                 # the example, then N = 28, 100, 300
    .venv/bin/python bench/run.py --sizes 28      # fewer sizes
    .venv/bin/python bench/run.py --no-example
    .venv/bin/python bench/run.py --only-serve    # the live preview's saves alone

Stages run as the build runs them: load, validate, compute in one process; each PDF
edition and each workbook in a forked child, whose own peak resident memory is read
back from the kernel (`wait4`). The whole build is then timed end to end as a user
runs it (`build.py` in a fresh process), against WeasyPrint alone rendering the two
HTML editions one after the other with the build's PDF options (tags, PDF/A-3b: the
floor the build is measured against; untagged too, to show what tags cost). Then the
cache: a rebuild with nothing changed, and a rebuild after one partner's French text
changed (only the French PDF is laid out again), as ratios of the full build.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from proposal.archive import DEFAULT_VARIANT, weasyprint_options  # noqa: E402
from proposal.compute import compute_figures  # noqa: E402
from proposal.load import load_project  # noqa: E402
from proposal.validate import validate_project  # noqa: E402

MIB = 1024 * 1024


def main() -> None:
    """Run the benchmark and print one table per input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[28, 100, 300])
    parser.add_argument("--no-example", action="store_true")
    parser.add_argument("--edits", type=int, default=7,
                        help="saves timed in the live preview (0: skip it)")
    parser.add_argument("--only-diff", action="store_true", help="time `diff` alone")
    parser.add_argument("--only-serve", action="store_true",
                        help="time the live preview's saves alone")
    args = parser.parse_args()
    if args.only_diff:
        bench_diff()
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.only_serve:
        bench_serve(args.edits or 7)
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        inputs = [] if args.no_example else [("example", ROOT)]
        for size in args.sizes:
            inputs.append((f"{size} partners", generate_consortium(Path(tmp) / f"n{size}", size)))
        for label, input_dir in inputs:
            bench_input(label, input_dir, Path(tmp) / "out" / label.replace(" ", "-"))
    if not args.no_example:
        bench_diff()
    # last: the preview keeps parsed files and computed costs by content in this
    # process, which would make the stages above look faster than a fresh build's
    if args.edits and not args.no_example:
        bench_serve(args.edits)


def bench_input(label: str, input_dir: Path, out_dir: Path) -> None:
    """Time every stage on one input folder and print the figures."""
    print(f"\n== {label} ({input_dir})")
    rows: list[tuple[str, float, float, str]] = []
    start = time.perf_counter()
    raw = load_project(input_dir)
    rows.append(("load", time.perf_counter() - start, _own_peak(), ""))
    start = time.perf_counter()
    project = validate_project(raw).project
    rows.append(("validate", time.perf_counter() - start, _own_peak(),
                 f"{len(project.partners)} partners"))
    start = time.perf_counter()
    figures = compute_figures(project)
    rows.append(("compute", time.perf_counter() - start, _own_peak(), ""))

    from proposal.render.pdf import render_pdf
    from proposal.render.workbook import render_workbook

    for lang in ("en", "fr"):
        seconds, peak, result = _in_child(lambda lang=lang: render_pdf(project, figures, lang,
                                                                     input_dir))
        rate = result.pages / seconds
        characters = _characters(result.pdf)
        rows.append((f"render pdf {lang}", seconds, peak,
                     f"{result.pages} pages, {rate:.1f} pages/s, {characters} characters, "
                     f"{characters / seconds:,.0f} characters/s"))
    for lang in ("en", "fr"):
        seconds, peak, _ = _in_child(lambda lang=lang: render_workbook(project, figures, lang))
        rows.append((f"workbook {lang}", seconds, peak, ""))

    build_seconds, build_peak = _run([sys.executable, str(ROOT / "build.py"), "--input",
                                      str(input_dir), "--out", str(out_dir), "--html"])
    rows.append(("whole build (build.py)", build_seconds, build_peak, "both PDFs, workbooks, JSON"))
    stem = project.consortium.acronym
    html = [out_dir / f"{stem}_proposal_{lang}.html" for lang in ("en", "fr")]
    code = ("import sys; from weasyprint import HTML\n"
            "for path in sys.argv[1:]: HTML(filename=path).write_pdf(path + '.pdf')")
    floor_seconds, floor_peak = _run([sys.executable, "-c", code, *map(str, html)])
    rows.append(("weasyprint alone, 2 HTML", floor_seconds, floor_peak, "untagged PDF"))
    tagged_code = ("import sys; from weasyprint import HTML\n"
                   "for path in sys.argv[1:]: HTML(filename=path).write_pdf(path + '.pdf', "
                   f"**{weasyprint_options(DEFAULT_VARIANT)!r})")
    same_seconds, same_peak = _run([sys.executable, "-c", tagged_code, *map(str, html)])
    rows.append(("weasyprint alone, tagged", same_seconds, same_peak,
                 f"{DEFAULT_VARIANT}, tagged: the floor"))
    rebuild_seconds, rebuild_peak = _run([sys.executable, str(ROOT / "build.py"), "--input",
                                          str(input_dir), "--out", str(out_dir), "--html"])
    rows.append(("rebuild, nothing changed", rebuild_seconds, rebuild_peak, "cache: kept"))
    french_seconds, french_peak = _one_language_change(input_dir, out_dir.parent / "one-lang")
    rows.append(("rebuild, one French text", french_seconds, french_peak,
                 "cache: the English PDF reused"))
    check_runs = [_run([sys.executable, str(ROOT / "build.py"), "check", "--input",
                        str(input_dir)]) for _ in range(3)]
    check_seconds, check_peak = min(check_runs)
    rows.append(("check (build.py check)", check_seconds, check_peak, "best of 3"))

    print(f"{'stage':<28}{'seconds':>9}{'peak MiB':>10}  notes")
    for name, seconds, peak, note in rows:
        print(f"{name:<28}{seconds:>9.2f}{peak:>10.0f}  {note}")
    print(f"build / weasyprint alone = {build_seconds / same_seconds:.2f} "
          "(same PDF options; target at most 1.3, aiming for 1.0)")
    print(f"tags and PDF/A cost: weasyprint tagged / untagged = "
          f"{same_seconds / floor_seconds:.2f}")
    print(f"rebuild, nothing changed / full build = {rebuild_seconds / build_seconds:.1%} "
          f"(target under 5 %); one French text / full build = "
          f"{french_seconds / build_seconds:.0%}")


def _characters(pdf: bytes) -> int:
    """The PDF's printed characters, spaces left out: the amount of text laid out, which
    compares editions whose pages carry more or less text (pages per second alone
    rewards loose pages)."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return sum(len("".join((page.extract_text() or "").split())) for page in reader.pages)


def _one_language_change(input_dir: Path, work: Path) -> tuple[float, float]:
    """Build a copy of the input, change one partner's French description, build again;
    the second build's seconds and peak MiB."""
    copy = work / "input"
    for folder in ("partners", "data"):
        shutil.copytree(input_dir / folder, copy / folder)
    for image in input_dir.rglob("*"):  # the logos, wherever the input keeps them
        if (image.suffix in (".svg", ".png") and ".venv" not in image.parts
                and not (copy / image.relative_to(input_dir)).exists()
                and "tests" not in image.relative_to(input_dir).parts):
            (copy / image.relative_to(input_dir)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(image, copy / image.relative_to(input_dir))
    command = [sys.executable, str(ROOT / "build.py"), "--input", str(copy), "--out",
               str(work / "out"), "--html"]
    _run(command)
    yaml = YAML(typ="rt")
    partner = sorted((copy / "partners").glob("*.yaml"))[0]
    data = yaml.load(partner.read_text(encoding="utf-8"))
    data["description"]["fr"] += " (version révisée)"
    with partner.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return _run(command)


def bench_serve(edits: int) -> None:
    """Save-to-reload latency of the live preview (`serve`) on a copy of the example:
    a partner's text is edited, then timed until the page's event stream announces
    the new version and until the new English edition is served, as a browser
    reloading on the event gets it. Prints the median and range of `edits` saves."""
    import http.client
    import json
    import statistics

    from proposal.serve import running

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        root = Path(tmp) / "input"
        for folder in ("data", "partners", "logos"):
            if (ROOT / folder).is_dir():
                shutil.copytree(ROOT / folder, root / folder)
        start = time.perf_counter()
        with running(root, Path(tmp) / "out") as server:
            ready = time.perf_counter() - start
            port = server.server_address[1]

            def get(path: str) -> str:
                connection = http.client.HTTPConnection("127.0.0.1", port)
                connection.request("GET", path)
                body = connection.getresponse().read().decode()
                connection.close()
                return body

            first = time.perf_counter()
            get("/en")
            first_page = time.perf_counter() - first
            events = http.client.HTTPConnection("127.0.0.1", port)
            events.request("GET", "/_serve/events")
            stream = events.getresponse()

            def next_version() -> int:
                while not (line := stream.fp.readline().decode()).startswith("data: "):
                    pass
                return json.loads(line[6:])["preview"]

            next_version()
            partner = sorted((root / "partners").glob("*.yaml"))[0]
            original = partner.read_text(encoding="utf-8")
            announced, served, cpu = [], [], []
            for n in range(edits):
                marker = f"Edited for the benchmark, save {n}."
                text = original.replace("description: {en: ", f"description: {{en: {marker} ", 1)
                if text == original:
                    text = original.replace("  en: ", f"  en: {marker} ", 1)
                time.sleep(0.3)  # the watcher is idle, as between a person's saves
                # Written beside the input, then moved in place: the watcher never
                # sees the file half-written (a check of it would miss the edit).
                staged = Path(tmp) / partner.name
                staged.write_text(text, encoding="utf-8")
                saved, busy = time.perf_counter(), time.process_time()
                os.replace(staged, partner)
                next_version()
                announced.append(time.perf_counter() - saved)
                page = get("/en")
                served.append(time.perf_counter() - saved)
                cpu.append(time.process_time() - busy)
                if marker not in page:
                    raise RuntimeError("the served page misses the edit")
            events.close()
    print("\n== live preview (serve) on the example")
    print(f"server ready (cold check, logos drawn) {ready:.2f} s; first page {first_page:.2f} s")
    # The CPU time is what the wall time would be on an idle machine: the server and
    # this client are one process, and a save's work runs on one core.
    for name, times in (("save -> reload event", announced), ("save -> new page served", served),
                        ("CPU seconds per save", cpu)):
        print(f"{name:<28} median {statistics.median(times):.2f} s  "
              f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} saves)")


def _own_peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MIB


def _in_child(work: Callable[[], object]) -> tuple[float, float, object]:
    """Run `work` in a forked child; return its seconds, its own peak MiB and result."""
    read_end, write_end = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: run, send the result back, leave without cleanup
        os.close(read_end)
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(work(), pipe)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        result = pickle.load(pipe)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"child failed with status {status}")
    return seconds, usage.ru_maxrss * 1024 / MIB, result


LAUNCHER = """\
import os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, status)
"""
"""Runs a command and reports its time and peak memory. A tiny interpreter starts it
because a child's `ru_maxrss` includes the peak of the process that launched it."""


def _run(command: list[str], codes: tuple[str, ...] = ("0",)) -> tuple[float, float]:
    """Run a command; return its wall seconds and the peak MiB of its processes (an exit
    code outside `codes` is a failure)."""
    done = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, *command], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    seconds, max_rss_kib, status = done.stdout.split()
    if str(os.waitstatus_to_exitcode(int(status))) not in codes:
        raise RuntimeError(f"{command[:3]} failed: {done.stderr[-2000:]}")
    return float(seconds), int(max_rss_kib) * 1024 / MIB


def generate_consortium(target: Path, size: int) -> Path:
    """The example with synthetic partners added until it has `size` partners.

    Each generated partner has bilingual texts, value-chain layers and effort in one
    work package, so it appears in every partner table, the effort matrix and the
    partner annex; none pledges money, so the financing plan keeps its shape.
    """
    shutil.copytree(ROOT / "data", target / "data")
    shutil.copytree(ROOT / "partners", target / "partners")
    existing = len(list((target / "partners").glob("*.yaml")))
    yaml = YAML(typ="rt")
    workplan_path = target / "data" / "workplan.yaml"
    workplan = yaml.load(workplan_path.read_text(encoding="utf-8"))
    packages = workplan["work_packages"]
    layers = ["chips", "hardware", "data_centres", "energy", "cloud", "models",
              "applications", "services", "research", "finance"]
    for index in range(size - existing):
        partner_id = f"generated-{index + 1:03d}"
        layer = layers[index % len(layers)]
        (target / "partners" / f"{partner_id}.yaml").write_text(
            f"legal_name: Generated Partner {index + 1:03d} SAS\n"
            f"short_name: Gen {index + 1:03d}\n"
            "country: FR\norganisation_type: sme\nstatus: supporter\n"
            "role: {en: Contributes to the work plan., fr: Contribue au plan de travail.}\n"
            "description:\n"
            "  en: A generated partner used to measure how the build scales with the "
            "number of partners. It has no public source.\n"
            "  fr: Un partenaire généré pour mesurer comment la construction évolue avec le "
            "nombre de partenaires. Il n'a pas de source publique.\n"
            f"value_chain: [{layer}]\nassumption: true\n",
            encoding="utf-8",
        )
        packages[index % len(packages)]["effort"][partner_id] = 6
    with workplan_path.open("w", encoding="utf-8") as handle:
        yaml.dump(workplan, handle)
    return target


def bench_diff() -> None:
    """Time `build.py diff` of the example against a copy with one figure and one text
    changed, as a user runs it (a fresh process: imports, two checks, the report).
    Prints the best of 3; the target is under 3 s."""
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        copy = Path(tmp) / "example"
        for folder in ("partners", "data"):
            shutil.copytree(ROOT / folder, copy / folder)
        model = copy / "data" / "cost_model.yaml"
        text = model.read_text(encoding="utf-8")
        model.write_text(text.replace("value: 22000", "value: 24000", 1), encoding="utf-8")
        runs = [_run([sys.executable, str(ROOT / "build.py"), "diff", str(ROOT), str(copy)],
                     codes=("1",)) for _ in range(3)]
    seconds, peak = min(runs)
    print(f"{'diff (build.py diff)':<28}{seconds:>9.2f}{peak:>10.0f}  best of 3, "
          "two versions of the example (target under 3 s)")


if __name__ == "__main__":
    main()
