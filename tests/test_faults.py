"""Builds that survive faults: full disks, kills at every step, Ctrl-C, SIGTERM, two builds
at once, renders over their bounds, unusable output folders.

After each fault the output folder shows one whole set of outputs (`whole_set`: the
manifest's files, nothing else, each with its hash and the build id), the previous one
or the new one, and the next build leaves nothing behind (`leftovers`).

Kills are real: a build in a subprocess stops itself at a named point
(`PROPOSAL_FAULT_PAUSE`, see `proposal.faults`), the test sees it stopped and SIGKILLs
it there. Every publication step is killed on a small set of synthetic outputs (no
render: a fraction of a second each); whole builds are killed while rendering and
around the switch (marked `slow`).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from proposal.cli import main
from proposal.errors import WriteFailed
from proposal.lock import folder_lock
from proposal.publish import filesystem_type, output_folder, publish
from proposal.stamp import compute_build_id, stamp_outputs

from .conftest import REPO, ROOTS, SampleProject
from .test_build import leftovers, visible, whole_set

WAIT_SECONDS = 60
"""Upper bound for anything a test waits for (a loaded 2-core machine is slow)."""


# ============================================================== processes, /proc


def start(*args: str, pause: str | None = None, **env: str) -> subprocess.Popen:
    """`python -m proposal ARGS` in its own session, stopping itself at `pause`."""
    return _spawn([sys.executable, "-m", "proposal", *args], pause, env)


def _spawn(command: list[str], pause: str | None, env: dict[str, str]) -> subprocess.Popen:
    environment = {**os.environ, **env}
    environment.pop("PROPOSAL_FAULT_PAUSE", None)
    if pause:
        environment["PROPOSAL_FAULT_PAUSE"] = pause
    return subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def state(pid: int) -> str | None:
    """The process's state letter (R, S, T stopped, Z zombie...), None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2]


def alive(pid: int) -> bool:
    """Running or stopped; a zombie waiting for init to reap it counts as gone."""
    return state(pid) not in (None, "Z", "X")


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, with their names (`comm`)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found[int(entry.name)] = stat[stat.index("(") + 1:stat.rindex(")")]
    return found


def wait_for(condition: Callable[[], object], what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.02)


def stopped_at_pause(process: subprocess.Popen) -> None:
    """Wait until the process stopped itself at its pause point."""
    wait_for(lambda: state(process.pid) == "T" or process.poll() is not None,
             "the pause point")
    if process.poll() is not None:
        pytest.fail(f"ended (exit {process.returncode}) before its pause point:\n"
                    f"{process.stderr.read()}")


def kill(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()


def workers_of(process: subprocess.Popen, count: int = 1) -> list[int]:
    """The build's PDF workers, once `count` of them have named themselves."""
    def named() -> list[int]:
        return [pid for pid, name in children(process.pid).items()
                if name.startswith("proposal-pdf-")]

    wait_for(lambda: len(named()) >= count or process.poll() is not None,
             f"{count} PDF workers")
    assert len(named()) == count, f"under {process.pid}: {children(process.pid)}"
    return named()


def assert_gone(pids: list[int]) -> None:
    wait_for(lambda: not any(alive(pid) for pid in pids), f"workers {pids} to end", 5)


def assert_kept(out: Path, build_id: str) -> None:
    """The folder shows the set `build_id` whole, and nothing else is left."""
    assert whole_set(out) == build_id
    assert leftovers(out) == []


# ============================================== publication steps, synthetic sets


PUBLISH = """
import json, sys
from pathlib import Path
from proposal.errors import Interrupted
from proposal.interrupts import stop_signals_raise
from proposal.publish import output_folder, publish
from proposal.stamp import compute_build_id, stamp_outputs
out, files = Path(sys.argv[1]), {k: v.encode() for k, v in json.loads(sys.argv[2]).items()}
build_id = compute_build_id(files)
with stop_signals_raise():
    try:
        with output_folder(out):
            publish(out, stamp_outputs(files, build_id), build_id)
    except Interrupted as stop:
        sys.exit(str(stop))
"""
"""A build reduced to its publication: the synthetic files given, stamped and published;
a stop signal ends it as it ends a build (`proposal.cli.main`)."""


def synthetic(tag: str, names: list[str]) -> dict[str, str]:
    """Small outputs that carry a build id like the real ones (JSON and HTML)."""
    return {name: json.dumps({"set": tag, "name": name}) if name.endswith(".json")
            else f"<html><head></head><body>{tag} {name}</body></html>" for name in names}


OLD = synthetic("old", ["X_figures.json", "X_proposal_en.html", "X_proposal_fr.html"])
NEW = synthetic("new", ["X_figures.json", "X_proposal_en.html", "X_budget.json"])
"""The two sets differ in content and in names: one name goes, one comes."""


def publish_in_subprocess(out: Path, files: dict[str, str], pause: str | None = None,
                          **env: str) -> subprocess.Popen:
    return _spawn([sys.executable, "-c", PUBLISH, str(out), json.dumps(files)], pause, env)


def publish_set(out: Path, files: dict[str, str], **env: str) -> str:
    process = publish_in_subprocess(out, files, **env)
    _, err = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 0, err
    return whole_set(out)


def set_id(files: dict[str, str]) -> str:
    return compute_build_id({name: text.encode() for name, text in files.items()})


STEPS = [
    ("links", "publish:staging", "old"),
    ("links", "publish:staged", "old"),
    ("links", "publish:linked", "old"),
    ("links", "publish:switched", "new"),
    ("links", "publish:unlinked", "new"),
    ("files", "publish:staging", "old"),
    ("files", "publish:staged", "old"),
    ("files", "publish:journal", "new"),
    ("files", "publish:moved:1", "new"),
    ("files", "publish:moved:3", "new"),
]
"""Every pause point of a publication, per layout, and the set the folder shows after a
kill there (with plain files, once the next build has finished the publication)."""


@pytest.mark.parametrize(("layout", "step", "expected"), STEPS)
def test_a_kill_at_each_publication_step_leaves_a_whole_set(tmp_path: Path, layout: str,
                                                            step: str, expected: str) -> None:
    out = tmp_path / "out"
    assert publish_set(out, OLD, PROPOSAL_PUBLISH=layout) == set_id(OLD)
    process = publish_in_subprocess(out, NEW, step, PROPOSAL_PUBLISH=layout)
    stopped_at_pause(process)
    kill(process)
    wanted = set_id(OLD if expected == "old" else NEW)
    if layout == "links" or expected == "old":
        assert whole_set(out) == wanted  # at once, before any other build runs
    else:  # plain files mid-publication: mixed for now, and the journal says so
        assert (out / ".publishing.json").exists()
    with output_folder(out):  # what the next build does first
        pass
    assert_kept(out, wanted)
    assert publish_set(out, OLD, PROPOSAL_PUBLISH=layout) == set_id(OLD)
    assert leftovers(out) == []


@pytest.mark.parametrize(("step", "expected", "line"), [
    ("publish:staged", "old", "interrupted"),
    ("publish:linked", "new", "interrupted: the new outputs were published before it stopped"),
])
def test_ctrl_c_during_a_publication_lets_the_switch_finish(tmp_path: Path, step: str,
                                                            expected: str, line: str) -> None:
    out = tmp_path / "out"
    publish_set(out, OLD)
    process = publish_in_subprocess(out, NEW, step)
    stopped_at_pause(process)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGCONT)
    _, err = process.communicate(timeout=WAIT_SECONDS)
    assert err == line + "\n"
    assert_kept(out, set_id(OLD if expected == "old" else NEW))  # nothing left behind either


def test_a_kill_while_taking_over_plain_files_changes_nothing_seen(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name, text in OLD.items():  # plain files, as an older version wrote them
        (out / name).write_text(text)
    before = visible(out)
    process = publish_in_subprocess(out, NEW, "publish:adopted")
    stopped_at_pause(process)
    kill(process)
    assert visible(out) == before
    process = publish_in_subprocess(out, NEW)
    assert process.wait(WAIT_SECONDS) == 0
    # a plain file no manifest lists may be the user's: it stays, whatever its name
    assert (out / "X_proposal_fr.html").read_text() == OLD["X_proposal_fr.html"]
    (out / "X_proposal_fr.html").unlink()
    assert_kept(out, set_id(NEW))


def test_a_full_disk_while_writing_keeps_the_previous_set(tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    out = tmp_path / "out"
    old_id = publish_set(out, OLD)
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        if "/.builds/" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    files = {name: text.encode() for name, text in NEW.items()}
    with pytest.raises(WriteFailed) as failure, output_folder(out):
        publish(out, stamp_outputs(files, set_id(NEW)), set_id(NEW))
    assert str(failure.value).startswith(f"cannot write `{out}/.builds/")
    assert str(failure.value).endswith("/X_figures.json`: No space left on device; nothing "
                                       "was published, the previous outputs are unchanged")
    assert_kept(out, old_id)


# ===================================================== output folders refused at once


@pytest.fixture
def broken(sample: SampleProject) -> SampleProject:
    """A sample with an input error: a build that read it would exit 1, not 2."""
    sample.edit("partners/beta.yaml", "country: DE", "country: Germany")
    return sample


def refused(sample: SampleProject, out: Path | str, capsys) -> str:
    """Build into `out`; assert exit code 2 and one line; return the line's message."""
    assert main(["--input", str(sample.path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    prefix = f"consortium-proposal: error: output folder `{out}` "
    assert err.startswith(prefix), err
    return err[len(prefix):-1]


def test_an_existing_file_is_no_output_folder(broken, tmp_path: Path, capsys) -> None:
    (tmp_path / "out").write_text("a file")
    assert refused(broken, tmp_path / "out", capsys) == (
        "is a file: expected a folder, or a path where one can be made")


def test_a_broken_link_is_no_output_folder(broken, tmp_path: Path, capsys) -> None:
    (tmp_path / "out").symlink_to(tmp_path / "gone")
    assert refused(broken, tmp_path / "out", capsys) == (
        "is a broken link: expected a folder, or a path where one can be made")


def test_an_output_folder_below_a_file_cannot_be_made(broken, tmp_path: Path,
                                                      capsys) -> None:
    (tmp_path / "report.pdf").write_text("a file")
    assert refused(broken, tmp_path / "report.pdf" / "out" / "x", capsys) == (
        f"cannot be made: `{tmp_path / 'report.pdf'}` is a file; expected a path whose "
        f"existing parts are folders")


@pytest.mark.parametrize("mount_point", ["/proc", "/sys", "/dev"])
def test_pseudo_filesystems_are_refused(broken, capsys, mount_point: str) -> None:
    kind, mounted_on = filesystem_type(Path(mount_point))
    if mounted_on != mount_point:
        pytest.skip(f"{mount_point} is not a mount point here")
    assert refused(broken, f"{mount_point}/proposal-out", capsys) == (
        f"is on the `{kind}` pseudo filesystem of {mount_point}: expected a folder on a disk")


@pytest.fixture
def mounted(tmp_path: Path):
    """Mount a tmpfs (root only): `mounted(options)` returns its folder."""
    mounts = []

    def mount(options: str) -> Path:
        folder = tmp_path / f"disk{len(mounts)}"
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounts.append(folder)
        return folder

    yield mount
    for folder in mounts:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_filesystem_is_refused(broken, mounted, capsys) -> None:
    disk = mounted("size=64k,ro")
    assert refused(broken, disk / "out", capsys) == (
        f"is on a read-only filesystem (in `{disk}`, where it would be made): expected a "
        f"folder this user can write")


def test_a_folder_the_user_may_not_write_is_refused() -> None:
    shared = Path(tempfile.mkdtemp())
    try:
        shared.chmod(0o755)
        (shared / "locked").mkdir(mode=0o555)
        done = as_unprivileged("import sys; from pathlib import Path; "
                               "from proposal.publish import check_out_dir; "
                               "check_out_dir(Path(sys.argv[1]))", str(shared / "locked"))
        assert done.returncode == 1
        assert done.stderr.splitlines()[-1] == (
            f"proposal.errors.UsageError: output folder `{shared / 'locked'}` is not writable "
            f"(permission denied): expected a folder this user can write")
    finally:
        shutil.rmtree(shared)


def as_unprivileged(code: str, *args: str) -> subprocess.CompletedProcess:
    """Run Python `code`, as `nobody` when the tests run as root (who writes anywhere)."""
    if os.geteuid() != 0:
        return subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                              text=True)
    for python in (sys.executable, "/usr/bin/python3"):  # ours may sit in root's home
        try:
            done = subprocess.run([python, "-c", code, *args], user=65534, cwd="/",
                                  env={"PYTHONPATH": str(REPO)}, capture_output=True,
                                  text=True)
        except OSError:
            continue
        if "ModuleNotFoundError" not in done.stderr:
            return done
    pytest.skip("no Python that user nobody can run with this checkout")


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("PROPOSAL_RENDER_TIMEOUT", "soon", "a positive number of seconds"),
    ("PROPOSAL_RENDER_TIMEOUT", "-1", "a positive number of seconds"),
    ("PROPOSAL_WORKER_MEMORY_MIB", "2G", "a positive whole number of MiB"),
    ("PROPOSAL_PUBLISH", "copy", "one of links, files"),
])
def test_a_bad_bound_or_layout_is_a_usage_error(broken, tmp_path: Path, monkeypatch, capsys,
                                                variable: str, value: str,
                                                expected: str) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["--input", str(broken.path), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"consortium-proposal: error: {variable}={value!r}: expected {expected}\n")


# ============================================================== one build at a time


def test_a_second_build_stops_with_exit_code_3(sample: SampleProject, tmp_path: Path,
                                               capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    started = time.monotonic()
    with folder_lock(out):  # another build holds the folder
        assert main(["--input", str(sample.path), "--out", str(out), "--wait", "0.5"]) == 3
    assert time.monotonic() - started >= 0.5
    assert capsys.readouterr().err == (
        f"consortium-proposal: error: another build (process {os.getpid()}) is writing "
        f"output folder `{out}`; try again when it ends, or pass --wait SECONDS\n")
    assert visible(out) == {}


# ================================================================ whole builds


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> tuple[Path, Path, Path, str]:
    """The minimal sample's English set, built once; and a variant whose outputs differ.

    Returns the sample, the variant, the built folder and its build id; a test copies
    the folder (links and all) to start from a whole previous set.
    """
    base = tmp_path_factory.mktemp("previous")
    old, new, out = base / "old", base / "new", base / "out"
    shutil.copytree(ROOTS / "minimal", old)
    shutil.copytree(ROOTS / "minimal", new)
    SampleProject(new).edit("data/consortium.yaml", "en: A minimal test proposal",
                            "en: A changed test proposal")
    assert main(["--input", str(old), "--out", str(out), "--lang", "en"]) == 0
    return old, new, out, whole_set(out)


def copy_of(out: Path, tmp_path: Path) -> Path:
    shutil.copytree(out, tmp_path / "out", symlinks=True)
    return tmp_path / "out"


def build_variant(previous, tmp_path: Path, *langs: str,
                  pause: str | None = None) -> tuple[subprocess.Popen, Path]:
    """Start building the variant, in a subprocess, over a copy of the previous set."""
    _, new, built, _ = previous
    out = copy_of(built, tmp_path)
    options = [arg for lang in langs or ("en",) for arg in ("--lang", lang)]
    return start("--input", str(new), "--out", str(out), *options, pause=pause), out


@pytest.mark.slow
@pytest.mark.parametrize(("step", "expected"), [
    ("render", "old"), ("publish:staged", "old"), ("publish:switched", "new")])
def test_a_build_killed_at_each_stage_leaves_a_whole_set(previous, tmp_path: Path, step: str,
                                                         expected: str) -> None:
    old, _, _, old_id = previous
    process, out = build_variant(previous, tmp_path, pause=step)
    stopped_at_pause(process)
    workers = workers_of(process) if step == "render" else []
    kill(process)
    assert_gone(workers)  # the parent died alone: its workers follow it
    assert (whole_set(out) == old_id) == (expected == "old")
    if step == "publish:staged":  # a whole new set lies unpublished: the next build clears it
        assert leftovers(out)
        assert main(["--input", str(old), "--out", str(out), "--lang", "en"]) == 0
        assert_kept(out, old_id)


@pytest.mark.slow
def test_sigterm_stops_the_build_and_its_workers(previous, tmp_path: Path) -> None:
    process, out = build_variant(previous, tmp_path, pause="render")
    stopped_at_pause(process)
    workers = workers_of(process)
    process.send_signal(signal.SIGTERM)
    process.send_signal(signal.SIGCONT)
    _, err = process.communicate(timeout=WAIT_SECONDS)
    assert (process.returncode, err) == (143, "interrupted: nothing was written\n")
    assert_gone(workers)
    assert_kept(out, previous[3])


@pytest.mark.slow
def test_ctrl_c_stops_at_once_with_one_line(previous, tmp_path: Path) -> None:
    process, out = build_variant(previous, tmp_path, "en", "fr")
    workers = workers_of(process, 2)
    pressed = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    _, err = process.communicate(timeout=WAIT_SECONDS)
    took = time.monotonic() - pressed
    assert (process.returncode, err) == (130, "interrupted: nothing was written\n")
    assert took < 5, f"took {took:.1f} s to stop"  # about 0.1 s on an idle machine
    assert_gone(workers)
    assert_kept(out, previous[3])


@pytest.mark.slow
def test_two_builds_into_one_folder_never_interleave(previous, tmp_path: Path,
                                                     capsys) -> None:
    old, _, _, old_id = previous
    first, out = build_variant(previous, tmp_path, pause="render")
    stopped_at_pause(first)  # it holds the lock, mid-render
    assert main(["--input", str(old), "--out", str(out), "--lang", "en"]) == 3
    assert "is writing output folder" in capsys.readouterr().err
    second = start("--input", str(old), "--out", str(out), "--lang", "en", "--wait", "120")
    time.sleep(1)
    # waiting, not rendering (a child drawing the logos for `check` may still be there)
    assert second.poll() is None
    assert not [name for name in children(second.pid).values() if name.startswith("proposal-pdf")]
    first.send_signal(signal.SIGCONT)
    assert first.wait(WAIT_SECONDS) == 0
    _, err = second.communicate(timeout=WAIT_SECONDS)
    assert second.returncode == 0, err
    assert_kept(out, old_id)  # the second build's set, published last, whole


@pytest.mark.slow
def test_a_really_full_disk_keeps_the_previous_set(previous, mounted, capsys) -> None:
    _, new, built, old_id = previous
    disk = mounted("size=2m")
    out = disk / "out"
    shutil.copytree(built, out, symlinks=True)
    status = os.statvfs(disk)
    used_kib = (status.f_blocks - status.f_bfree) * status.f_frsize // 1024
    subprocess.run(["mount", "-o", f"remount,size={used_kib + 48}k", str(disk)], check=True)
    assert main(["--input", str(new), "--out", str(out), "--lang", "en"]) == 4
    err = capsys.readouterr().err
    assert err.startswith(f"consortium-proposal: error: cannot write `{out}/.builds/")
    assert err.endswith(": No space left on device; nothing was published, the previous "
                        "outputs are unchanged\n")
    assert_kept(out, old_id)


# ========================================================== time and memory bounds


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("PROPOSAL_RENDER_TIMEOUT", "0.2",
     "the English PDF took longer than 0.2 s (PROPOSAL_RENDER_TIMEOUT)"),
    ("PROPOSAL_WORKER_MEMORY_MIB", "200",
     "the English PDF needs more memory than its bound of 200 MiB (PROPOSAL_WORKER_MEMORY_MIB)"),
])
def test_a_render_over_its_bound_is_a_clear_error(previous, tmp_path: Path, monkeypatch,
                                                  capsys, variable: str, value: str,
                                                  message: str) -> None:
    _, new, built, old_id = previous
    out = copy_of(built, tmp_path)
    monkeypatch.setenv(variable, value)
    assert main(["--input", str(new), "--out", str(out), "--lang", "en"]) == 4
    assert capsys.readouterr().err == (
        f"consortium-proposal: error: {message}; nothing was written\n")
    assert not [name for name in children(os.getpid()).values()
                if name.startswith("proposal-pdf-")]
    assert_kept(out, old_id)
