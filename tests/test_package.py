"""The tool as a package: a wheel that works from any folder, the console command,
`python -m proposal`, the spawn start method, and a forked bid's `make test`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pypdf
import pytest

from .conftest import EXAMPLE, REPO, ROOTS, SampleProject


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output as text."""
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_every_package_folder_is_in_the_wheel() -> None:
    """pyproject.toml lists packages by hand (the templates are mapped into the package):
    a new subpackage must be listed, or the installed tool would miss it."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(path.parent.relative_to(REPO).parts)
             for path in (REPO / "proposal").rglob("*.py")}
    assert found <= listed, f"add to pyproject.toml's packages: {sorted(found - listed)}"
    assert config["package-dir"] == {"proposal.templates": "templates"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the repository, installed into a new virtualenv.

    The virtualenv sees this environment's packages (the dependencies) through a path
    file, but not its editable install of the tool: the tool comes from the wheel only.
    """
    tmp = tmp_path_factory.mktemp("wheel")
    build = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                "-w", tmp / "dist", REPO, cwd=tmp)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "deprecat" not in (build.stdout + build.stderr).lower()
    [wheel] = (tmp / "dist").glob("*.whl")
    env_dir = tmp / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                  cwd=tmp).stdout.strip()
    (Path(purelib) / "host-dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n")
    install = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
                  "--quiet", wheel, cwd=tmp)
    assert install.returncode == 0, install.stdout + install.stderr
    return env_dir


def test_wheel_builds_a_pdf_from_another_folder(installed: Path, tmp_path: Path) -> None:
    project = tmp_path / "bid"
    shutil.copytree(ROOTS / "minimal", project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    command = installed / "bin" / "consortium-proposal"
    where = run(installed / "bin" / "python", "-c", "import proposal; print(proposal.__file__)",
                cwd=elsewhere)
    assert where.stdout.startswith(str(installed)), where.stdout + where.stderr

    checked = run(command, "check", "--input", project, cwd=elsewhere)
    assert (checked.returncode, checked.stdout) == (0, "ok: 2 partners, 21 figures, "
                                                       "0 warnings\n"), checked.stderr
    built = run(command, "--input", project, "--out", "outputs", "--lang", "fr", cwd=elsewhere)
    assert built.returncode == 0, built.stdout + built.stderr
    pdf = elsewhere / "outputs" / "MINI_proposal_fr.pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Sommaire" in text and "MINI" in text
    assert (elsewhere / "outputs" / "MINI_budget_fr.xlsx").stat().st_size > 0


def test_python_dash_m_runs_every_command(installed: Path, tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    shutil.copytree(ROOTS / "minimal", tmp_path / "bid")
    helped = run(python, "-m", "proposal", "--help", cwd=tmp_path)
    assert helped.returncode == 0
    assert helped.stdout.startswith("usage: python -m proposal ")
    for command in ("check", "schema", "new-partner"):
        assert command in helped.stdout
    # The input folder defaults to the current folder.
    checked = run(python, "-m", "proposal", "check", cwd=tmp_path / "bid")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    added = run(python, "-m", "proposal", "new-partner", "gamma", cwd=tmp_path / "bid")
    assert added.stdout.startswith("wrote "), added.stderr
    assert (tmp_path / "bid" / "partners" / "gamma.yaml").is_file()


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_build_without_fork(sample: SampleProject, tmp_path: Path, method: str) -> None:
    """Where `fork` does not exist (Windows), the PDF workers are spawned."""
    built = run(sys.executable, "-m", "proposal", "--input", sample.path, "--out", tmp_path,
                "--lang", "en", cwd=tmp_path, env={"PROPOSAL_START_METHOD": method})
    assert built.returncode == 0, built.stdout + built.stderr
    text = pypdf.PdfReader(tmp_path / "MINI_proposal_en.pdf").pages[0].extract_text()
    assert "MINI" in text


def test_unknown_start_method_is_refused(sample: SampleProject, tmp_path: Path) -> None:
    built = run(sys.executable, "-m", "proposal", "--input", sample.path, "--out", tmp_path,
                "--lang", "en", cwd=tmp_path, env={"PROPOSAL_START_METHOD": "teleport"})
    assert built.returncode != 0
    assert "PROPOSAL_START_METHOD='teleport'" in built.stderr


# ------------------------------------------------------------ a consortium's own bid


@pytest.fixture
def forked(tmp_path: Path) -> Path:
    """The repository as a consortium forks it: its files, with this environment's venv."""
    files = run("git", "ls-files", "-z", cwd=REPO).stdout.split("\0")
    fork = tmp_path / "fork"
    for name in filter(None, files):
        if (REPO / name).is_file():
            (fork / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, fork / name)
    return fork


def make_test(fork: Path) -> subprocess.CompletedProcess[str]:
    """`make test` in the fork, on this environment's venv, with a one-test pytest run
    (the whole suite is what this file is part of)."""
    venv_dir = Path(sys.prefix)
    return run("make", "-C", fork, "test", f"VENV={venv_dir}", "-o", venv_dir / ".installed",
               "PYTEST_ARGS=tests/test_validate.py::test_minimal_root_is_valid", cwd=fork)


def test_forked_bid_keeps_make_test_green_while_its_data_is_valid(forked: Path) -> None:
    partner = forked / "partners" / "iliad.yaml"
    text = partner.read_text()
    partner.write_text(text.replace("legal_name: ", "legal_name: Renamed ", 1))
    (forked / "data" / "call.yaml").write_text(
        (forked / "data" / "call.yaml").read_text().replace("page_limit: 70", "page_limit: 80"))
    result = make_test(forked)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: 20 partners" in result.stdout
    assert "1 passed" in result.stdout
    assert (EXAMPLE / "partners" / "iliad.yaml").read_text() == text  # the tests' copy


def test_forked_bid_turns_make_test_red_with_the_located_error(forked: Path) -> None:
    partner = forked / "partners" / "iliad.yaml"
    partner.write_text(partner.read_text().replace("country: FR", "country: France", 1))
    result = make_test(forked)
    assert result.returncode != 0
    line = next(n for n, text in enumerate(partner.read_text().splitlines(), start=1)
                if text.startswith("country:"))
    assert f"partners/iliad.yaml:{line}:10: error: `country` is 'France'" in result.stdout
    assert "1 error, 0 warnings in 1 file" in result.stdout
