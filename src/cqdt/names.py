"""Names are checked, never guessed: what a narrative notebook or the indicator config names
(criteria, input fields, indicators) must exist in the year's catalogue and config.

A narrative notebook declares the names its text uses in a cell tagged `names`:

    # %% tags=["names", "hide"]
    uses = {"indicators": ["<indicator id>"], "criteria": {"<group id>": ["<criterion id>"]}}

(a narrative ranking notebook declares the groups it writes about: `uses = {"groups": [...]}`).
`validate` and `ingest` check every declaration of the year's pillars and ranking notebook, and the indicator config's
pillars, groups and fields, against the catalogue, and report each unknown name in Vietnamese
with the file that names it. At run time the notebook helpers refuse a name that was not declared
or does not exist, instead of counting zero units.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .errors import CqdtError, Issue
from .paths import NOTEBOOKS

TAG = "names"


def declared_names(notebook: Path) -> dict:
    """The `uses` literal of the notebook's cell tagged `names` ({} when it has none)."""
    source = notebook.read_text(encoding="utf-8")
    cells = source.split("\n# %%")
    for cell in cells[1:]:
        header, _, body = cell.partition("\n")
        if f'"{TAG}"' not in header or "tags=" not in header:
            continue
        try:
            tree = ast.parse(body)
        except SyntaxError as error:
            raise CqdtError(Issue(f"ô khai báo tên (tags={TAG}) không đọc được: {error.msg}", file=notebook)) from None
        for node in tree.body:
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["uses"]:
                try:
                    return ast.literal_eval(node.value)
                except ValueError:
                    raise CqdtError(Issue("ô khai báo tên phải là một giá trị cố định (dict của danh sách tên)",
                                          file=notebook)) from None
    return {}


def notebook_issues(year, notebook: Path) -> list[Issue]:
    """Every name the notebook declares that the year's catalogue or indicator config lacks."""
    uses = declared_names(notebook)
    issues = []
    known_indicators = {spec.id for spec in year.indicators}
    for name in uses.get("indicators", []):
        if name not in known_indicators:
            issues.append(Issue(f"sổ tay dùng chỉ số toàn tỉnh «{name}» nhưng tệp chỉ số của năm "
                                f"{year.params.year} không có chỉ số này", file=notebook))
    for group in uses.get("groups", []):
        if group not in year.catalogue.groups:
            issues.append(Issue(f"sổ tay viết về nhóm đơn vị «{group}» nhưng danh mục «{year.catalogue.id}» "
                                "không có nhóm này; hãy dùng sổ tay tổng hợp chung (ranking_notebook: "
                                "consolidation trong tệp tham số)", file=notebook))
    for group, criteria in uses.get("criteria", {}).items():
        if group not in year.catalogue.groups:
            issues.append(Issue(f"sổ tay dùng nhóm đơn vị «{group}» nhưng danh mục «{year.catalogue.id}» "
                                "không có nhóm này", file=notebook))
            continue
        known = {c.id for c in year.catalogue.criteria(group)}
        for name in criteria:
            if name not in known:
                issues.append(Issue(f"sổ tay dùng tiêu chí «{name}» của nhóm «{group}» nhưng danh mục "
                                    f"«{year.catalogue.id}» không có tiêu chí này", file=notebook))
    return issues


def indicator_issues(year) -> list[Issue]:
    """The indicator config's pillars, groups and unit fields against the catalogue."""
    where = year.params.path(year.params.indicators)
    pillars = {p.id for p in year.catalogue.pillars}
    issues = []
    for spec in year.indicators:
        if spec.pillar not in pillars:
            issues.append(Issue(f"chỉ số «{spec.id}» thuộc trụ cột «{spec.pillar}» nhưng danh mục "
                                f"«{year.catalogue.id}» không có trụ cột này", file=where))
        if spec.source in ("province", "province_ratio"):
            continue  # province-wide figures are checked against the province workbook at ingest
        for group in spec.groups or ["(chưa khai báo nhóm)"]:
            if group not in year.catalogue.groups:
                issues.append(Issue(f"chỉ số «{spec.id}» dùng nhóm «{group}» nhưng danh mục không có nhóm này",
                                    file=where))
                continue
            fields = {f.id for f in year.catalogue.groups[group].fields}
            for field in spec.fields:
                if field not in fields:
                    issues.append(Issue(f"chỉ số «{spec.id}» dùng cột số liệu «{field}» của nhóm «{group}» "
                                        f"nhưng danh mục «{year.catalogue.id}» không có cột này", file=where))
    return issues


def check_names(year) -> None:
    """Raise one error listing every unknown name of the year's notebooks and indicator config."""
    issues = indicator_issues(year) if year.indicators else []
    for pillar in (p.id for p in year.catalogue.pillars):
        notebook = NOTEBOOKS / f"{pillar}.py"
        if notebook.is_file():
            issues += notebook_issues(year, notebook)
    ranking = NOTEBOOKS / f"{year.params.ranking_notebook}.py"
    if ranking.is_file():
        issues += notebook_issues(year, ranking)
    else:
        issues.append(Issue(f"tệp tham số chọn sổ tay tổng hợp «{year.params.ranking_notebook}» nhưng không có "
                            "sổ tay này", file=ranking, column="ranking_notebook"))
    if issues:
        raise CqdtError(issues)


def check_declared(notebook: str, kind: str, name: str, listed: list[str], known: set[str]) -> None:
    """At run time: a name the notebook's text uses must be known and declared (`listed`: the
    indicators it declared, or its criteria of the group at hand)."""
    if name not in known:
        raise CqdtError(Issue(f"sổ tay «{notebook}» dùng {_KIND[kind]} «{name}» không có trong cấu hình của năm"))
    if name not in listed:
        raise CqdtError(Issue(f"sổ tay «{notebook}» dùng {_KIND[kind]} «{name}» chưa khai báo trong ô "
                              f"tags={TAG} (uses)"))


_KIND = {"indicators": "chỉ số toàn tỉnh", "criteria": "tiêu chí"}
