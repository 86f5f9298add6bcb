"""Shared fixtures: the real project, one built copy of it per test session, and throw-away copies.

No test builds in the working tree: each year is built once per session, in a copy of the project
of its own shared by the test workers, and a test that edits a built project gets its own copy of
that build, timestamps kept, so that its first `make report` has nothing to do. Copies run their own code (PYTHONPATH), so an
edit of a copy's src/ is an edit of the code its build runs.

Tests that build, run a notebook kernel or start Chromium are marked `slow` here, from the fixtures
they use or their own mark; `make test-fast` runs the others.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(".venv", "build", "report", ".git", "__pycache__", "*.egg-info",
                                     ".pytest_cache", "forms")
BUILDING_FIXTURES = {"built_project", "built_2022", "project_copy", "built_shape", "built_2025", "built_year"}


# Seconds each test module took in a measured `make test` (on its worker, setup included). The
# longest modules are handed out first (`make test` keeps this order: --no-loadscope-reorder), so that
# the two workers end together instead of one finishing a long module alone. Only the order depends on
# these figures; refresh them with `CQDT_TEST_DURATIONS=tests/durations.json make test`.
DURATIONS = Path(__file__).with_name("durations.json")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILDING_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    seconds = json.loads(DURATIONS.read_text(encoding="utf-8"))
    # A module not measured yet goes first: it may be long. The sort is stable: a module's tests keep their order.
    items.sort(key=lambda item: -seconds.get(item.path.name, float("inf")))


_measured: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get("CQDT_TEST_DURATIONS"):
        module = Path(report.nodeid.split("::")[0]).name
        _measured[module] = _measured.get(module, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("CQDT_TEST_DURATIONS")
    if target and _measured and not os.environ.get("PYTEST_XDIST_WORKER"):  # the workers' reports reach the main process
        ranked = dict(sorted(((m, round(s, 1)) for m, s in _measured.items()), key=lambda kv: -kv[1]))
        Path(target).write_text(json.dumps(ranked, indent=1) + "\n", encoding="utf-8")


def project_env(root: Path) -> dict[str, str]:
    """The environment of a command run in a project copy: its own root and its own code."""
    return {**os.environ, "CQDT_ROOT": str(root), "PYTHONPATH": str(root / "src")}


def run_make(root: Path, *targets: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["make", "-C", str(root), *targets], capture_output=True, text=True,
                            env=project_env(root))
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(targets)} failed:\n{result.stdout}\n{result.stderr}")
    return result


VALIDATION_PARTS = ["params", "catalogues", "config", "data", "notebooks"]


def validation_copy(destination: Path) -> Path:
    """The parts of the project that validation reads (cheap to copy for each case)."""
    for part in VALIDATION_PARTS:
        shutil.copytree(ROOT / part, destination / part)
    return destination


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    """Edit a text file of a project copy; the text to replace must be there."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"«{old}» không có trong {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def rejected_after(project: Path, file: str, old: str, new: str, year: int = 2021) -> subprocess.CompletedProcess:
    """`validate` after one edit of a project copy: it must fail (exit 2, no traceback); its result."""
    replace_in(project / file, old, new)
    result = run_cli(project, "validate", "--year", str(year))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return result


def copy_project(destination: Path) -> Path:
    shutil.copytree(ROOT, destination, ignore=COPY_IGNORE)
    os.symlink(ROOT / ".venv", destination / ".venv")
    return destination


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """The session's temporary folder, shared by the test workers (pytest-xdist) when there are some."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(factory: pytest.TempPathFactory, year: int, prepare=None) -> Path:
    """A copy of the project with `year` built, made by the first worker that needs it; the others
    wait for it and read it. Each year has a copy of its own: no test copies a folder being built.
    `prepare(root)` sets up a year that the project does not ship (a test fixture year)."""
    from filelock import FileLock

    shared = shared_folder(factory)
    root = shared / f"built-{year}" / "project"
    with FileLock(str(shared / f"built-{year}.lock")):
        if not (root.parent / "done").exists():
            shutil.rmtree(root.parent, ignore_errors=True)
            copy_project(root)
            if prepare:
                prepare(root)
            run_make(root, "report", f"YEAR={year}")
            (root.parent / "done").touch()
    return root


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project copy in which 2021 is built (once for the whole session)."""
    return built_once(tmp_path_factory, 2021)


@pytest.fixture(scope="session")
def built_2021(built_project: Path) -> Path:
    """The 2021 report, built through the README's command."""
    return built_project / "report" / "2021"


@pytest.fixture(scope="session")
def built_2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(tmp_path_factory, 2022) / "report" / "2022"


@pytest.fixture(params=[2021, 2022], scope="session")
def built_year(request: pytest.FixtureRequest) -> tuple[int, Path]:
    """Each year reproduced from its decision, built: (year, its report folder)."""
    return request.param, request.getfixturevalue(f"built_{request.param}")


def copy_built(built: Path, destination: Path) -> Path:
    """A copy of a built project, timestamps kept, so that make finds nothing to do in it."""
    shutil.copytree(built, destination, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return destination


@pytest.fixture
def built_copy(built_2021: Path, tmp_path: Path) -> Path:
    """A copy of the session's built project (2021 built) for a test to edit."""
    return copy_built(built_2021.parents[1], tmp_path / "project")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def set_news_items(root: Path, value: int) -> tuple[str, int]:
    """Change Sở Tài chính's news items (sheet «Hiện diện», row 3) in a project copy.

    Returns the unit code of that row and the previous value."""
    from openpyxl import load_workbook

    path = root / "data/2021/so-ban-nganh.xlsx"
    book = load_workbook(path)
    sheet = book["Hiện diện"]
    column = next(c.column for c in sheet[1] if c.value == "so_tin_bai_dang")
    previous = sheet.cell(row=3, column=column).value
    sheet.cell(row=3, column=column).value = value
    book.save(path)
    return sheet.cell(row=3, column=1).value, previous


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m cqdt ARGS` for the project at `root` (see run_tool)."""
    return run_tool(root, "cqdt.cli", *args)


def run_tool(root: Path, module: str, *args: str) -> subprocess.CompletedProcess:
    """`python -m MODULE ARGS` (its main()) for the project at `root`, in a child forked from the test
    process. The child drops the project's modules (the package, the tools) and imports them afresh
    with CQDT_ROOT set, as a new process would; only the libraries (pandas, pydantic, openpyxl),
    imported once here, are shared, which makes a case of the bad-input corpus cost a fraction of a
    second instead of two."""
    import io
    import sys
    from contextlib import redirect_stderr, redirect_stdout

    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover — the child reports through the pipe and never returns
        status, out, err = 3, io.StringIO(), io.StringIO()
        try:
            os.close(read_end)
            os.environ["CQDT_ROOT"] = str(root)
            for name in [m for m in sys.modules if m.split(".")[0] in ("cqdt", "tools")]:
                del sys.modules[name]
            main = importlib.import_module(module).main

            with redirect_stdout(out), redirect_stderr(err):
                try:
                    status = main(list(args))
                except SystemExit as leaving:
                    status = leaving.code if isinstance(leaving.code, int) else 2
        finally:
            payload = json.dumps({"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()})
            with os.fdopen(write_end, "w", encoding="utf-8") as pipe:
                pipe.write(payload)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as pipe:
        result = json.loads(pipe.read())
    os.waitpid(child, 0)
    return subprocess.CompletedProcess([module, *args], result["status"], result["stdout"], result["stderr"])
