"""Input problems reported to the analyst, in Vietnamese, with their exact place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One problem in one place: file, sheet, Excel row, column and the value found."""

    message: str
    file: Path | str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        place = []
        if self.file is not None:
            place.append(f"tệp «{Path(self.file).name}»")
        if self.sheet is not None:
            place.append(f"trang «{self.sheet}»")
        if self.row is not None:
            place.append(f"dòng {self.row}")
        if self.column is not None:
            place.append(f"cột «{self.column}»")
        if self.value is not None:
            place.append(f"giá trị «{self.value}»")
        prefix = ", ".join(place)
        return f"{prefix}: {self.message}" if prefix else self.message


class CqdtError(Exception):
    """A failure the user can fix; carries every problem found, not just the first."""

    def __init__(self, issues: list[Issue] | Issue | str):
        if isinstance(issues, str):
            issues = [Issue(issues)]
        elif isinstance(issues, Issue):
            issues = [issues]
        self.issues = list(issues)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.issues)
        head = f"Phát hiện {count} lỗi:" if count > 1 else "Lỗi:"
        return "\n".join([head, *(f"  - {issue}" for issue in self.issues)])


def raise_if_any(issues: list[Issue]) -> None:
    if issues:
        raise CqdtError(issues)
