"""Which inputs, configuration, code and libraries produced a report."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

from . import __version__
from .browser import chromium_version
from .paths import PROJECT_ROOT
from .pipeline import Year, load_year, sha256

KEY_PACKAGES = ["pandas", "openpyxl", "pydantic", "papermill", "nbconvert", "matplotlib", "playwright", "jupytext"]


def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "không xác định (không phải kho git)"
    return commit + (" (có thay đổi chưa commit)" if dirty else "")


def year_files(year: Year) -> list[Path]:
    """Every file a year's results are computed from: its workbooks, params, catalogue, indicator
    config, registry, succession table and map data."""
    p = year.params
    files = [*year.input_files(), *year.config_files()]
    if p.map:
        files += [p.path(p.map.boundaries)] + ([p.path(p.map.points)] if p.map.points else [])
    if p.registry and p.registry.succession:
        files.append(p.path(p.registry.succession))
    return files


def result_files(year: Year) -> list[Path]:
    """The year's files and the previous year's (its results are recomputed for the comparison);
    each once, in a stable order."""
    files = year_files(year)
    if year.params.previous_year is not None:
        files += year_files(load_year(year.params.previous_year))
    return list(dict.fromkeys(files))


def template_files() -> list[Path]:
    """The templates the render writes the pages with (hashed by the render, which reads them anyway:
    the ranking step must not read them, or a wording edit would rerun it)."""
    return sorted((Path(__file__).parent / "templates").rglob("*.j2"))


def shown_path(path: Path) -> str:
    """A file's path as the annex shows it: in the project, or in the installed package."""
    if path.is_relative_to(PROJECT_ROOT):
        return str(path.relative_to(PROJECT_ROOT))
    return "cqdt/" + str(path.relative_to(Path(__file__).parent))


def with_templates(record: dict) -> dict:
    return record | {"files": record["files"] | {shown_path(p): sha256(p) for p in template_files()}}


def provenance(year: Year) -> dict:
    return {
        "year": year.params.year,
        "decision": year.params.decision.number,
        "catalogue": {"id": year.catalogue.id, "reconstructed": year.catalogue.reconstructed},
        "data_status": year.params.data_status,
        "project": {"version": __version__, "commit": git_commit()},
        "files": {shown_path(path): sha256(path) for path in result_files(year)},
        "packages": {name: metadata.version(name) for name in KEY_PACKAGES},
        "pdf_printer": chromium_version(),
    }
