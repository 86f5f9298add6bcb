"""Shared fixtures: the real project, its built 2021 report, and throw-away copies of it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(".venv", "build", "report", ".git", "__pycache__", "*.egg-info",
                                     ".pytest_cache")


def run_make(root: Path, *targets: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "CQDT_ROOT": str(root)}
    result = subprocess.run(["make", "-C", str(root), *targets], capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(targets)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def built_2021() -> Path:
    """The 2021 report, built through the README's command."""
    run_make(ROOT, "report", "YEAR=2021")
    return ROOT / "report" / "2021"


@pytest.fixture(scope="session")
def built_2022() -> Path:
    run_make(ROOT, "report", "YEAR=2022")
    return ROOT / "report" / "2022"


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


def copy_project(destination: Path) -> Path:
    shutil.copytree(ROOT, destination, ignore=COPY_IGNORE)
    os.symlink(ROOT / ".venv", destination / ".venv")
    return destination


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")
