"""Which inputs, configuration, code and libraries produced a report."""

from __future__ import annotations

import subprocess
from importlib import metadata

from . import __version__
from .browser import chromium_version
from .paths import PROJECT_ROOT
from .pipeline import Year, sha256

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


def provenance(year: Year) -> dict:
    files = [*year.input_files(), *year.config_files()]
    if year.params.previous_year is not None:
        files.append(PROJECT_ROOT / "params" / f"{year.params.previous_year}.yaml")
    return {
        "year": year.params.year,
        "decision": year.params.decision.number,
        "catalogue": {"id": year.catalogue.id, "reconstructed": year.catalogue.reconstructed},
        "data_status": year.params.data_status,
        "project": {"version": __version__, "commit": git_commit()},
        "files": {str(path.relative_to(PROJECT_ROOT)): sha256(path) for path in files},
        "packages": {name: metadata.version(name) for name in KEY_PACKAGES},
        "pdf_printer": chromium_version(),
    }
