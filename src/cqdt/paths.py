"""Where things are: the project folder, the build folder of a year, and paths that user input names,
kept inside the project. Light on purpose (no pandas, no pydantic): every build step's process
imports it before it knows whether it needs more.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import CqdtError, Issue

# The project folder; CQDT_ROOT points elsewhere (a copy of the project, as the tests use).
PROJECT_ROOT = Path(os.environ.get("CQDT_ROOT") or Path(__file__).resolve().parents[2]).resolve()
NOTEBOOKS = PROJECT_ROOT / "notebooks"


def is_inside(path: Path, root: Path) -> bool:
    """Whether path, resolved (links, «..»), lies below root."""
    return root.resolve() in path.resolve().parents


def resolve_inside(relative: str, root: Path = PROJECT_ROOT) -> Path:
    """A project path that cannot escape the project folder (params are user input)."""
    path = (root / relative).resolve()
    if not is_inside(path, root) and path != root.resolve():
        where = "thư mục dự án" if root == PROJECT_ROOT else f"thư mục {root.name}/ của dự án"
        raise CqdtError(Issue(f"đường dẫn nằm ngoài {where}", value=relative))
    return path


def check_year(text: str) -> int:
    if not re.fullmatch(r"(19|20|21)\d\d", str(text).strip()):
        raise CqdtError(Issue("YEAR phải là một năm gồm 4 chữ số, ví dụ YEAR=2021", value=text))
    return int(text)


def build_dir(year: int) -> Path:
    return PROJECT_ROOT / "build" / str(year)


def resolve_build(year: int, folder: str) -> Path:
    """The build folder: build/<year> by default; otherwise the path as an analyst types it, from the
    project folder (build/2021, build/thu-nghiem) or absolute, and always inside the project's build/."""
    if not folder:
        return build_dir(year)
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", folder):
        raise CqdtError(Issue("thư mục dựng chỉ được gồm chữ không dấu, số, «.», «_», «-» và «/»", value=folder))
    path = (Path(folder) if Path(folder).is_absolute() else PROJECT_ROOT / folder).resolve()
    if not is_inside(path, PROJECT_ROOT / "build"):
        raise CqdtError(Issue(f"đường dẫn nằm ngoài thư mục build/ của dự án; thư mục dựng ghi tính từ thư mục dự án, "
                              f"ví dụ build/{year} hoặc build/thu-nghiem, hoặc là đường dẫn tuyệt đối nằm trong build/",
                              value=folder))
    return path
